//! The admin listener (plain HTTP, loopback by default): `/healthz`, `/metrics`, and a small
//! router where the register and outbox plug in their own routes as [`AdminExtension`]s. Every
//! request passes the [`access`] checks first.

pub mod access;
pub(crate) mod listener;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use crate::metrics::Metrics;
use access::{Facts, Guard, Refusal};

/// Largest admin request body (snapshots and reference data can be big).
pub const MAX_ADMIN_BODY: usize = 64 * 1024 * 1024;

/// An admin request as extensions see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRequest {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Path without query, e.g. `/sandboxes/default/reset`.
    pub path: String,
    /// Query string without `?`, if any.
    pub query: Option<String>,
    /// Request body.
    pub body: Bytes,
}

/// An admin response from an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminResponse {
    /// HTTP status code.
    pub status: u16,
    /// Content type, e.g. `application/json`.
    pub content_type: String,
    /// Response body.
    pub body: Vec<u8>,
}

impl AdminResponse {
    /// A JSON response.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> AdminResponse {
        AdminResponse {
            status,
            content_type: "application/json".into(),
            body: body.into(),
        }
    }

    /// A plain-text response.
    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> AdminResponse {
        AdminResponse {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            body: body.into(),
        }
    }
}

/// Extra admin routes: asked in registration order; the first `Some` answers. Called on a
/// blocking-capable thread, so implementations may touch storage.
pub trait AdminExtension: Send + Sync + 'static {
    /// Answers the request, or `None` when the route is not this extension's.
    fn handle(&self, request: &AdminRequest) -> Option<AdminResponse>;
}

/// Shared state of the admin listener.
pub(crate) struct Admin {
    pub metrics: Arc<Metrics>,
    pub extensions: Vec<Arc<dyn AdminExtension>>,
    pub guard: Guard,
}

impl Admin {
    pub(crate) async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        let facts = Facts {
            path: req.uri().path(),
            host: req
                .uri()
                .authority()
                .map(|a| a.as_str())
                .or_else(|| header(hyper::header::HOST)),
            origin: header(hyper::header::ORIGIN),
            authorization: header(hyper::header::AUTHORIZATION),
        };
        if let Err(refusal) = self.guard.check(&facts) {
            tracing::warn!(path = facts.path, host = ?facts.host, origin = ?facts.origin, ?refusal, "admin request refused");
            return Ok(refused(refusal));
        }
        let method = req.method().as_str().to_string();
        let path = req.uri().path().to_string();
        let query = req.uri().query().map(str::to_string);
        let built = match (method.as_str(), path.as_str()) {
            ("GET", "/healthz") => AdminResponse::text(200, "ok\n"),
            ("GET", "/metrics") => AdminResponse {
                status: 200,
                content_type: "text/plain; version=0.0.4; charset=utf-8".into(),
                body: self.metrics.render().into_bytes(),
            },
            _ => {
                let body = match Limited::new(req.into_body(), MAX_ADMIN_BODY)
                    .collect()
                    .await
                {
                    Ok(b) => b.to_bytes(),
                    Err(_) => return Ok(respond(AdminResponse::text(413, "body te groot\n"))),
                };
                let request = AdminRequest {
                    method,
                    path,
                    query,
                    body,
                };
                let this = self.clone();
                let answer = tokio::task::spawn_blocking(move || {
                    this.extensions.iter().find_map(|e| e.handle(&request))
                })
                .await;
                match answer {
                    Ok(Some(r)) => r,
                    Ok(None) => AdminResponse::text(404, "niet gevonden\n"),
                    Err(e) => {
                        tracing::error!(error = %e, "admin extension failed");
                        AdminResponse::text(500, "interne fout\n")
                    }
                }
            }
        };
        Ok(respond(built))
    }
}

fn refused(r: Refusal) -> Response<Full<Bytes>> {
    let mut resp = respond(AdminResponse::text(r.status(), r.text()));
    if r == Refusal::Token {
        resp.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            hyper::header::HeaderValue::from_static("Bearer realm=\"osp-admin\""),
        );
    }
    resp
}

fn respond(r: AdminResponse) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(r.body)));
    *resp.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = hyper::header::HeaderValue::from_str(&r.content_type) {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}
