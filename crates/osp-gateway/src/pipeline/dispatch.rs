//! Step 4: which operation. SOAPAction, `wsa:Action`, the body's root element and (when the
//! request came to `/vo-webservices/{Contract}`) the path must all name the same one (DK0003).

use hyper::header::HeaderMap;
use osp_model::{Contract, Operation};

use crate::envelope::Envelope;
use crate::fault::{quote, Fault, FaultCode};
use crate::wsa::Addressing;

/// The operation the request is for.
pub(super) fn operation(
    headers: &HeaderMap,
    addressing: &Addressing,
    env: &Envelope,
    path_contract: Option<Contract>,
) -> Result<Operation, Fault> {
    agree(
        headers,
        addressing,
        &env.body_ns,
        &env.body_local,
        path_contract,
    )
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
