//! One SOAP request through SPEC §3's order, one module per step: [`identity`] (TLS identity,
//! admission) → [`envelope`] (Content-Type, body, input guard, SOAP envelope) → [`addressing`]
//! (WS-Addressing) → [`dispatch`] (SOAPAction = wsa:Action = body root = path contract) →
//! [`mandate`] → [`validation`] (XSD) → [`service`] (the register) → [`answer`]. The first
//! failure answers with its fault; nothing reaches the register before the body has validated.

mod addressing;
mod answer;
mod dispatch;
pub(crate) mod envelope;
mod identity;
mod mandate;
mod service;
mod validation;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::Response;
use osp_model::Contract;
use osp_pki::Oin;
use tracing::Instrument;

use crate::fault::FaultCode;
use crate::shared::Shared;
pub use answer::WSA_FAULT_ACTION;
pub(crate) use answer::{Outcome, Rejection};

/// Identity of the TLS peer, read once per connection.
pub(crate) type PeerOin = Result<Oin, osp_pki::CertOinError>;

/// Handles `POST /vo-webservices/[{Contract}]`: runs the steps in a `soap` span and records the
/// outcome in the trace and the metrics.
pub(crate) async fn soap(
    shared: Arc<Shared>,
    peer: Arc<PeerOin>,
    path_contract: Option<Contract>,
    headers: HeaderMap,
    body: Incoming,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let span = tracing::info_span!(
        "soap",
        message_id = tracing::field::Empty,
        oin = tracing::field::Empty,
        from_oin = tracing::field::Empty,
        contract = tracing::field::Empty,
        outcome = tracing::field::Empty,
        fault = tracing::field::Empty,
        duration_us = tracing::field::Empty,
    );
    if let Ok(oin) = peer.as_ref() {
        span.record("oin", oin.as_str());
    }
    let outcome = match process(&shared, &peer, path_contract, headers, body)
        .instrument(span.clone())
        .await
    {
        Ok(o) => o,
        Err(rejection) => span.in_scope(|| rejection.into_outcome()),
    };
    let elapsed = started.elapsed();
    let contract = outcome.contract.map(Contract::name).unwrap_or("-");
    let fault = outcome.fault.map(FaultCode::code).unwrap_or("");
    span.record("contract", contract);
    span.record("outcome", outcome.label);
    span.record("fault", fault);
    span.record("duration_us", elapsed.as_micros() as u64);
    span.in_scope(|| tracing::info!("soap request handled"));
    shared
        .metrics
        .request(contract, outcome.label, fault, elapsed);
    crate::http::xml(outcome.status, outcome.body)
}

/// The steps in SPEC §3's order: identity and the body's arrival here, the rest in [`handle`]
/// on a blocking thread (libxml2 and storage block), inside the request's span.
async fn process(
    shared: &Arc<Shared>,
    peer: &Arc<PeerOin>,
    path_contract: Option<Contract>,
    headers: HeaderMap,
    body: Incoming,
) -> Result<Outcome, Rejection> {
    let before = |fault| Rejection::new(fault, path_contract);
    let cert_oin = identity::certificate_oin(peer).map_err(before)?;
    identity::admitted(shared).map_err(before)?;
    let bytes = envelope::receive(shared, &headers, body)
        .await
        .map_err(|(fault, oversized)| before(fault).oversized(oversized))?;
    let shared = shared.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| handle(&shared, cert_oin, path_contract, &headers, &bytes))
    })
    .await
    .unwrap_or_else(|e| Err(before(service::task_failed(e))))
}

/// Steps 2–8 on a received body: input guard and envelope, WS-Addressing, dispatch, mandate,
/// XSD, register, answer. Also what [`crate::Direct`] runs without a socket.
pub(crate) fn handle(
    shared: &Shared,
    cert_oin: Oin,
    path_contract: Option<Contract>,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<Outcome, Rejection> {
    let before = |fault| Rejection::new(fault, path_contract);
    let env = envelope::parse_request(shared, bytes)
        .map_err(|(fault, oversized)| before(fault).oversized(oversized))?;
    let addressing = addressing::check(shared, &env).map_err(before)?;
    let fault_addressing = answer::addressing(shared, &addressing, WSA_FAULT_ACTION);
    let operation = dispatch::operation(headers, &addressing, &env, path_contract)
        .map_err(|f| before(f).addressed(fault_addressing.clone()))?;
    let contract = operation.contract();
    let after = |fault| Rejection::new(fault, Some(contract)).addressed(fault_addressing.clone());
    mandate::check(shared, &cert_oin, &addressing.from_oin, contract).map_err(after)?;
    validation::check(shared, contract, &env.body_xml).map_err(after)?;
    let reply = service::deliver(shared, &cert_oin, &addressing, operation, &env.body_xml)
        .map_err(after)?;
    Ok(answer::ok(shared, &addressing, contract, reply))
}
