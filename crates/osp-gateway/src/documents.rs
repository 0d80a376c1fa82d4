//! Interim: WSDL/XSD serving answers 404 until `osp_model::files` is merged (next commit).
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};

/// Answers a GET on the SOAP listener.
pub(crate) fn get<B>(_req: &Request<B>) -> Response<Full<Bytes>> {
    crate::server::plain(StatusCode::NOT_FOUND, "niet gevonden\n")
}
