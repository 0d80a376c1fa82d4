//! One SOAP request through SPEC §3's order, one module per step: [`identity`] (TLS identity,
//! admission) → [`envelope`] (Content-Type, body, input guard, SOAP envelope) → [`addressing`]
//! (WS-Addressing) → [`dispatch`] (SOAPAction = wsa:Action = body root = path contract) →
//! [`mandate`] → [`validation`] (XSD) → [`service`] (the register) → [`answer`]. The first
//! failure answers with its fault; nothing reaches the register before the body has validated.

mod addressing;
mod answer;
mod dispatch;
mod envelope;
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
use answer::{Outcome, Rejection};

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
    let outcome = match process(&shared, &peer, path_contract, &headers, body)
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

/// The steps in SPEC §3's order.
async fn process(
    shared: &Arc<Shared>,
    peer: &Arc<PeerOin>,
    path_contract: Option<Contract>,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<Outcome, Rejection> {
    let before = |fault| Rejection::new(fault, path_contract);
    let cert_oin = identity::certificate_oin(peer).map_err(before)?;
    identity::admitted(shared).map_err(before)?;
    let env = envelope::read(shared, headers, body)
        .await
        .map_err(|(fault, oversized)| before(fault).oversized(oversized))?;
    let addressing = addressing::check(shared, &env).map_err(before)?;
    let fault_addressing = answer::addressing(shared, &addressing, WSA_FAULT_ACTION);
    let operation = dispatch::operation(headers, &addressing, &env, path_contract)
        .map_err(|f| before(f).addressed(fault_addressing.clone()))?;
    let contract = operation.contract();
    let after = |fault| Rejection::new(fault, Some(contract)).addressed(fault_addressing.clone());
    // Mandate, XSD and register touch storage and libxml2: a blocking thread.
    let shared2 = shared.clone();
    let reply = tokio::task::spawn_blocking(move || {
        mandate::check(&shared2, &cert_oin, &addressing.from_oin, contract)?;
        validation::check(&shared2, contract, &env.body_xml)?;
        service::deliver(&shared2, &cert_oin, &addressing, operation, &env.body_xml)
            .map(|reply| (reply, addressing))
    })
    .await;
    let (reply, addressing) = match reply {
        Ok(Ok(r)) => r,
        Ok(Err(fault)) => return Err(after(fault)),
        Err(e) => return Err(after(service::task_failed(e))),
    };
    Ok(answer::ok(shared, &addressing, contract, reply))
}
