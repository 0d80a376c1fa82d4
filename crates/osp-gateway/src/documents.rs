//! `GET /vo-webservices/{Contract}?wsdl` and `GET /vo-webservices/xsd/{file}`: the embedded
//! WSDLs and XSDs of osp-model, so SOAP tools import the contract straight from the server.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE, HOST};
use hyper::{Request, Response, StatusCode};
use osp_model::Contract;

use crate::http::plain;
use crate::shared::SOAP_PREFIX;

/// The address the embedded WSDLs carry; replaced by the address the client used.
const WSDL_DEFAULT_BASE: &str = "https://localhost:8443/vo-webservices/";

/// Answers a GET on the SOAP listener.
pub(crate) fn get<B>(req: &Request<B>) -> Response<Full<Bytes>> {
    let path = req.uri().path();
    let query = req.uri().query().unwrap_or_default();
    let Some(rest) = path
        .strip_prefix(SOAP_PREFIX)
        .map(|r| r.trim_start_matches('/'))
    else {
        return plain(StatusCode::NOT_FOUND, "niet gevonden\n");
    };
    if rest.is_empty() {
        // the SOAP endpoint itself: only POST (WS-I Basic Profile R1114)
        return allow(
            plain(StatusCode::METHOD_NOT_ALLOWED, "gebruik POST voor SOAP\n"),
            "POST",
        );
    }
    if let Some(file) = rest.strip_prefix("xsd/") {
        return match osp_model::files::xsd(file) {
            Some(text) => xml(text.to_string()),
            None => plain(StatusCode::NOT_FOUND, "onbekend XSD\n"),
        };
    }
    let wants_wsdl = query
        .split('&')
        .any(|p| p.eq_ignore_ascii_case("wsdl") || p.to_ascii_lowercase().starts_with("wsdl="));
    match (Contract::from_name(rest.trim_end_matches('/')), wants_wsdl) {
        (Some(c), true) => match osp_model::files::wsdl(c) {
            Some(text) => xml(with_base(text, host(req))),
            None => plain(StatusCode::NOT_FOUND, "geen WSDL voor dit contract\n"),
        },
        (Some(_), false) => allow(
            plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "gebruik POST voor SOAP of ?wsdl voor de WSDL\n",
            ),
            "GET, POST",
        ),
        (None, _) => plain(StatusCode::NOT_FOUND, "onbekend contract\n"),
    }
}

/// The Host header when it is a plain host[:port] (never echo anything else into the WSDL).
fn host<B>(req: &Request<B>) -> Option<&str> {
    let h = req.headers().get(HOST)?.to_str().ok()?;
    let ok = !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    ok.then_some(h)
}

/// Points the WSDL's `soap:address` at the host the client used.
fn with_base(wsdl: &str, host: Option<&str>) -> String {
    match host {
        Some(h) => wsdl.replace(WSDL_DEFAULT_BASE, &format!("https://{h}{SOAP_PREFIX}/")),
        None => wsdl.to_string(),
    }
}

/// Adds the `Allow` header a 405 must carry (RFC 9110 §15.5.6).
fn allow(mut resp: Response<Full<Bytes>>, methods: &'static str) -> Response<Full<Bytes>> {
    resp.headers_mut()
        .insert(ALLOW, HeaderValue::from_static(methods));
    resp
}

fn xml(text: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text)));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_follows_host() {
        let w = format!("<soap:address location=\"{WSDL_DEFAULT_BASE}X\"/>");
        assert_eq!(
            with_base(&w, Some("127.0.0.1:9999")),
            "<soap:address location=\"https://127.0.0.1:9999/vo-webservices/X\"/>"
        );
        assert_eq!(with_base(&w, None), w);
        let req = Request::builder()
            .uri("/x")
            .header(HOST, "evil\"host")
            .body(())
            .unwrap();
        assert_eq!(host(&req), None);
    }
}
