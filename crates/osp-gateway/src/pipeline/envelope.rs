//! Step 2: the envelope. Transport-level checks first (Content-Type, declared and actual body
//! size, read deadline), then the input guard (limits, DTD, entities, well-formedness), UTF-8,
//! and the SOAP 1.1 envelope with its header entries.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, CONTENT_LENGTH, CONTENT_TYPE};

use crate::envelope::{self as soap, Envelope};
use crate::fault::{quote, Fault, FaultCode};
use crate::shared::Shared;

/// Receives the body: Content-Type first, then the declared and the actual size and the read
/// deadline. A refusal says whether it was for size (HTTP 413).
pub(super) async fn receive(
    shared: &Shared,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<Bytes, (Fault, bool)> {
    let limits = shared.config.limits;
    if let Some(f) = content_type_fault(headers) {
        return Err((f, false));
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
        return Err((too_large(), true));
    }
    let read = tokio::time::timeout(
        limits.idle_timeout,
        Limited::new(body, limits.max_body_bytes).collect(),
    )
    .await;
    match read {
        Ok(Ok(b)) => Ok(b.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err((too_large(), true)),
        Ok(Err(e)) => Err((
            Fault::new(
                FaultCode::DK0004,
                format!("bericht onvolledig ontvangen: {e}"),
            ),
            false,
        )),
        Err(_) => Err((
            Fault::new(FaultCode::DK0004, "bericht niet op tijd ontvangen"),
            false,
        )),
    }
}

/// The received body through the input guard, UTF-8 and the SOAP 1.1 envelope reader.
pub(super) fn parse_request(shared: &Shared, bytes: &[u8]) -> Result<Envelope, (Fault, bool)> {
    let limits = shared.config.limits;
    crate::validation::guard(bytes, &limits)?;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            return Err((
                Fault::new(
                    FaultCode::DK0009,
                    format!("ongeldige UTF-8 op byte {}", e.valid_up_to()),
                ),
                false,
            ))
        }
    };
    soap::parse(text, limits.max_depth).map_err(|f| (f, false))
}

/// Content-Type checks of SPEC §3 (SOAP 1.1 §6.1: the media type is `text/xml`). SOAP 1.2's
/// media type is the same version mismatch as a SOAP 1.2 envelope; any other or no media type
/// is no SOAP 1.1 message (DK0001); a charset other than UTF-8 is DK0009. Without a charset
/// the body is read as UTF-8, as RFC 7303 reads `text/xml` by its XML declaration.
pub(crate) fn content_type_fault(headers: &HeaderMap) -> Option<Fault> {
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
