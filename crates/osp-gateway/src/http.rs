//! Plain HTTP answers the listeners build outside the SOAP pipeline, and the `text/xml` answer
//! every SOAP response and fault goes out as.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

/// A SOAP answer: `body` as `text/xml; charset=UTF-8` with `status`.
pub(crate) fn xml(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    r
}

/// A plain-text response (non-SOAP errors such as 404).
pub(crate) fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
