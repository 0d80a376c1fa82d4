//! One SOAP request through SPEC §3's order: TLS identity → envelope → WS-Addressing →
//! SOAPAction/Action/root agreement → mandate → XSD → `Service::deliver`. The first failure
//! answers with its fault; nothing reaches the register before the body has validated.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use osp_model::{Contract, Operation};
use osp_pki::Oin;
use osp_register::{Delivery, ServiceError};
use tracing::Instrument;

use crate::envelope::{self, ResponseAddressing};
use crate::fault::{quote, Fault, FaultCode};
use crate::server::Shared;
use crate::wsa::{self, Addressing};

/// WS-Addressing action of fault responses (WS-Addressing 1.0 SOAP binding).
pub const WSA_FAULT_ACTION: &str = "http://www.w3.org/2005/08/addressing/fault";

/// Identity of the TLS peer, read once per connection.
pub(crate) type PeerOin = Result<Oin, osp_pki::CertOinError>;

/// What a processed request turned into, for the response, metrics and the trace.
struct Outcome {
    status: StatusCode,
    body: String,
    contract: Option<Contract>,
    label: &'static str,
    fault: Option<FaultCode>,
}

/// Handles `POST /vo-webservices/[{Contract}]`.
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
    let outcome = process(&shared, &peer, path_contract, &headers, body)
        .instrument(span.clone())
        .await;
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
    let mut resp = Response::new(Full::new(Bytes::from(outcome.body)));
    *resp.status_mut() = outcome.status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    resp
}

fn fault_outcome(
    fault: Fault,
    addressing: Option<&ResponseAddressing>,
    contract: Option<Contract>,
    oversized: bool,
) -> Outcome {
    tracing::debug!(code = fault.code.code(), omschrijving = %fault.omschrijving, "fault");
    let status = StatusCode::from_u16(fault.http_status(oversized))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Outcome {
        status,
        body: envelope::wrap_response(&fault.to_xml(), addressing),
        contract,
        label: "fault",
        fault: Some(fault.code),
    }
}

async fn process(
    shared: &Arc<Shared>,
    peer: &Arc<PeerOin>,
    path_contract: Option<Contract>,
    headers: &HeaderMap,
    body: Incoming,
) -> Outcome {
    let limits = shared.config.limits;
    // 1. TLS identity
    let cert_oin = match peer.as_ref() {
        Ok(oin) => oin.clone(),
        Err(e) => {
            return fault_outcome(
                Fault::new(FaultCode::EK0030, quote(&e.to_string())),
                None,
                path_contract,
                false,
            )
        }
    };
    if shared.is_shutting_down() {
        return fault_outcome(
            Fault::new(FaultCode::DK0051, "osp wordt afgesloten"),
            None,
            path_contract,
            false,
        );
    }
    // 2. envelope: transport-level checks first
    if let Some(f) = content_type_fault(headers) {
        return fault_outcome(f, None, path_contract, false);
    }
    let too_large = || {
        Fault::new(
            FaultCode::DK0004,
            format!("bericht is groter dan {} bytes", limits.max_body_bytes),
        )
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return fault_outcome(too_large(), None, path_contract, true);
    }
    let read = tokio::time::timeout(
        limits.idle_timeout,
        Limited::new(body, limits.max_body_bytes).collect(),
    )
    .await;
    let bytes = match read {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return fault_outcome(too_large(), None, path_contract, true)
        }
        Ok(Err(e)) => {
            return fault_outcome(
                Fault::new(
                    FaultCode::DK0004,
                    format!("bericht onvolledig ontvangen: {e}"),
                ),
                None,
                path_contract,
                false,
            )
        }
        Err(_) => {
            return fault_outcome(
                Fault::new(FaultCode::DK0004, "bericht niet op tijd ontvangen"),
                None,
                path_contract,
                false,
            )
        }
    };
    if let Err((f, oversized)) = crate::validation::guard(&bytes, &limits) {
        return fault_outcome(f, None, path_contract, oversized);
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            return fault_outcome(
                Fault::new(
                    FaultCode::DK0009,
                    format!("ongeldige UTF-8 op byte {}", e.valid_up_to()),
                ),
                None,
                path_contract,
                false,
            )
        }
    };
    let env = match envelope::parse(text, limits.max_depth) {
        Ok(e) => e,
        Err(f) => return fault_outcome(f, None, path_contract, false),
    };
    // 3. WS-Addressing
    let addressing = match wsa::check(&env.wsa, &shared.config.duo_oin) {
        Ok(a) => a,
        Err(f) => return fault_outcome(f, None, path_contract, false),
    };
    tracing::Span::current().record("message_id", addressing.message_id.as_str());
    tracing::Span::current().record("from_oin", addressing.from_oin.as_str());
    let fault_addr = response_addressing(shared, &addressing, WSA_FAULT_ACTION);
    // 4. SOAPAction = wsa:Action = body root (= path contract)
    let operation = match agree(
        headers,
        &addressing,
        &env.body_ns,
        &env.body_local,
        path_contract,
    ) {
        Ok(op) => op,
        Err(f) => return fault_outcome(f, Some(&fault_addr), path_contract, false),
    };
    let contract = operation.contract();
    // 5–7 on a blocking thread: mandate, XSD, register
    let shared2 = shared.clone();
    let body_xml = env.body_xml;
    let from_oin = addressing.from_oin.clone();
    let message_id = addressing.message_id.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let service = &shared2.service;
        if cert_oin != from_oin && !service.mandated(cert_oin.as_str(), from_oin.as_str(), contract)
        {
            return Err(Fault::new(
                FaultCode::DK0002,
                format!(
                    "{cert_oin} heeft geen machtiging van {from_oin} voor {}",
                    contract.name()
                ),
            ));
        }
        if let Err(locaties) = shared2.validator.validate(contract, &body_xml) {
            return Err(
                Fault::new(FaultCode::DK0004, "het bericht voldoet niet aan het XSD")
                    .with_locaties(locaties),
            );
        }
        let delivery = Delivery {
            sandbox: shared2.config.sandbox_for(cert_oin.as_str()),
            certificaat_oin: cert_oin.as_str(),
            from_oin: from_oin.as_str(),
            message_id: &message_id,
            operation,
            body: &body_xml,
        };
        service.deliver(delivery).map_err(service_fault)
    })
    .await;
    let reply = match joined {
        Ok(Ok(reply)) => reply,
        Ok(Err(f)) => return fault_outcome(f, Some(&fault_addr), Some(contract), false),
        Err(e) => {
            tracing::error!(error = %e, "delivery task failed");
            let f = Fault::new(FaultCode::DK0050, "interne fout bij de afhandeling");
            return fault_outcome(f, Some(&fault_addr), Some(contract), false);
        }
    };
    let ok_addr = response_addressing(shared, &addressing, &addressing.action);
    Outcome {
        status: StatusCode::OK,
        body: envelope::wrap_response(&reply.body, Some(&ok_addr)),
        contract: Some(contract),
        label: match reply.goedgekeurd {
            Some(true) => "goedgekeurd",
            Some(false) => "afgekeurd",
            None => "ok",
        },
        fault: None,
    }
}

fn response_addressing(shared: &Shared, a: &Addressing, action: &str) -> ResponseAddressing {
    ResponseAddressing {
        to: a.from_address.clone(),
        action: action.to_string(),
        message_id: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        relates_to: a.message_id.clone(),
        from: wsa::address_for(&shared.config.duo_oin),
    }
}

fn service_fault(e: ServiceError) -> Fault {
    match e {
        ServiceError::OngeldigeWaarde { .. } => {
            let text = e.to_string();
            let mut f = Fault::new(FaultCode::DK0050, text.clone());
            f.faultstring = Some(text);
            f
        }
        ServiceError::Intern(detail) => {
            tracing::error!(%detail, "register failed");
            Fault::new(
                FaultCode::DK0050,
                "interne fout bij de afhandeling; er is niets opgeslagen",
            )
        }
        ServiceError::Onbeschikbaar(detail) => Fault::new(FaultCode::DK0051, detail),
    }
}

/// Content-Type checks of SPEC §3 (SOAP 1.1 §6.1: the media type is `text/xml`). SOAP 1.2's
/// media type is the same version mismatch as a SOAP 1.2 envelope; any other or no media type
/// is no SOAP 1.1 message (DK0001); a charset other than UTF-8 is DK0009. Without a charset
/// the body is read as UTF-8, as RFC 7303 reads `text/xml` by its XML declaration.
fn content_type_fault(headers: &HeaderMap) -> Option<Fault> {
    let dk1 = |m: String| Some(Fault::new(FaultCode::DK0001, m));
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let Some(ct) = values.next() else {
        return dk1("Content-Type ontbreekt; SOAP 1.1 vraagt text/xml; charset=UTF-8".into());
    };
    if values.next().is_some() {
        return dk1("HTTP-header Content-Type komt meer dan eens voor".into());
    }
    let Ok(ct) = ct.to_str() else {
        return Some(Fault::new(FaultCode::DK0009, "Content-Type is geen ASCII"));
    };
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    match media.as_str() {
        "text/xml" => {}
        "application/soap+xml" => return dk1(
            "SOAP 1.2 (application/soap+xml) wordt niet ondersteund; gebruik SOAP 1.1 met text/xml"
                .into(),
        ),
        other => {
            return dk1(format!(
                "Content-Type {} is geen text/xml; SOAP 1.1 vraagt text/xml; charset=UTF-8",
                quote(other)
            ))
        }
    }
    for p in parts {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        if !k.trim().eq_ignore_ascii_case("charset") {
            continue;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        if !v.eq_ignore_ascii_case("utf-8") {
            return Some(Fault::new(
                FaultCode::DK0009,
                format!(
                    "charset {} in Content-Type; alleen UTF-8 is toegestaan",
                    quote(v)
                ),
            ));
        }
    }
    None
}

/// The SOAPAction header value without its quotes (SOAP 1.1 §6.1.1 quotes it; an unquoted value
/// is accepted too). Missing, empty, repeated, non-ASCII or unbalanced quotes ⇒ DK0003.
fn soap_action(headers: &HeaderMap) -> Result<&str, Fault> {
    let dk3 = |m: &str| Fault::new(FaultCode::DK0003, m);
    let mut values = headers.get_all("soapaction").iter();
    let Some(value) = values.next() else {
        return Err(dk3("HTTP-header SOAPAction ontbreekt"));
    };
    if values.next().is_some() {
        return Err(dk3("HTTP-header SOAPAction komt meer dan eens voor"));
    }
    let raw = value
        .to_str()
        .map_err(|_| dk3("HTTP-header SOAPAction is geen ASCII"))?
        .trim();
    let inner = match (raw.strip_prefix('"'), raw.ends_with('"')) {
        (Some(rest), true) if !rest.is_empty() => rest.strip_suffix('"').unwrap_or(rest),
        (None, false) => raw,
        _ => {
            return Err(dk3(
                "HTTP-header SOAPAction heeft een ongepaard aanhalingsteken",
            ))
        }
    };
    if inner.contains('"') {
        return Err(dk3("HTTP-header SOAPAction bevat een aanhalingsteken"));
    }
    let inner = inner.trim();
    if inner.is_empty() {
        return Err(dk3("HTTP-header SOAPAction ontbreekt"));
    }
    Ok(inner)
}

/// DK0003 unless SOAPAction, wsa:Action, the body root and the path contract name one operation.
fn agree(
    headers: &HeaderMap,
    a: &Addressing,
    body_ns: &str,
    body_local: &str,
    path_contract: Option<Contract>,
) -> Result<Operation, Fault> {
    let dk3 = |m: String| Fault::new(FaultCode::DK0003, m);
    let soap_action = soap_action(headers)?;
    if soap_action != a.action.trim() {
        return Err(dk3(format!(
            "SOAPAction {} is niet gelijk aan wsa:Action {}",
            quote(soap_action),
            quote(&a.action)
        )));
    }
    let op = Operation::from_action(soap_action)
        .ok_or_else(|| dk3(format!("onbekende SOAPAction {}", quote(soap_action))))?;
    if Operation::from_request_element(body_ns, body_local) != Some(op) {
        return Err(dk3(format!(
            "body-element {{{}}}{} hoort niet bij SOAPAction {}",
            quote(body_ns),
            quote(body_local),
            quote(soap_action)
        )));
    }
    if let Some(c) = path_contract {
        if c != op.contract() {
            return Err(dk3(format!(
                "operatie {} hoort niet bij contract {}",
                op.name(),
                c.name()
            )));
        }
    }
    Ok(op)
}
