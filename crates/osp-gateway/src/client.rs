//! A small mTLS SOAP client: builds a rustls client configuration from a dev-PKI style
//! `.pem`/`.key` and root, and POSTs envelopes over keep-alive connections. Used by `osp send`,
//! `osp replay --server`, the tests and the benchmarks.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Why a client request failed (before any HTTP status was received).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A certificate, key or root file could not be used.
    #[error("{path}: {detail}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The URL is not `https://host[:port]/path`.
    #[error("ongeldige URL {0}")]
    Url(String),
    /// TCP connect or name resolution failed.
    #[error("verbinden met {addr}: {source}")]
    Connect {
        /// Target.
        addr: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The TLS handshake failed (e.g. certificate refused by the server).
    #[error("TLS-handshake mislukt: {0}")]
    Handshake(std::io::Error),
    /// rustls configuration error.
    #[error("TLS-configuratie: {0}")]
    Tls(String),
    /// HTTP protocol error or connection closed.
    #[error("HTTP: {0}")]
    Http(#[from] hyper::Error),
    /// Building the request failed.
    #[error("verzoek: {0}")]
    Request(String),
}

/// An HTTP response as the client saw it.
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
}

impl HttpReply {
    /// The body as text (lossy for non-UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn cert_err(path: &Path, detail: impl ToString) -> ClientError {
    ClientError::Certificate {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

fn roots(root_pem: &Path) -> Result<RootCertStore, ClientError> {
    let mut roots = RootCertStore::empty();
    for cert in crate::tls::load_certs(root_pem).map_err(|e| cert_err(root_pem, e))? {
        roots.add(cert).map_err(|e| cert_err(root_pem, e))?;
    }
    Ok(roots)
}

/// A client configuration presenting `cert_pem` (leaf + intermediate) with `key_pem`, trusting
/// the server chain up to `root_pem`.
pub fn client_config(
    cert_pem: &Path,
    key_pem: &Path,
    root_pem: &Path,
) -> Result<Arc<ClientConfig>, ClientError> {
    let chain = crate::tls::load_certs(cert_pem).map_err(|e| cert_err(cert_pem, e))?;
    let key = crate::tls::load_key(key_pem).map_err(|e| cert_err(key_pem, e))?;
    let config = ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Tls(e.to_string()))?
        .with_root_certificates(roots(root_pem)?)
        .with_client_auth_cert(chain, key)
        .map_err(|e| cert_err(key_pem, e))?;
    Ok(Arc::new(config))
}

/// A client configuration without a client certificate (to show the handshake is refused).
pub fn anonymous_client_config(root_pem: &Path) -> Result<Arc<ClientConfig>, ClientError> {
    let config = ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Tls(e.to_string()))?
        .with_root_certificates(roots(root_pem)?)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Client configuration for a dev PKI directory and a client OIN (`clients/{oin}.pem/.key`).
pub fn dev_client_config(certs_dir: &Path, oin: &str) -> Result<Arc<ClientConfig>, ClientError> {
    let clients = certs_dir.join("clients");
    client_config(
        &clients.join(format!("{oin}.pem")),
        &clients.join(format!("{oin}.key")),
        &certs_dir.join("root-ca.pem"),
    )
}

/// One keep-alive HTTPS connection to the gateway.
pub struct SoapConnection {
    sender: http1::SendRequest<Full<Bytes>>,
    host: String,
}

/// Opens a TLS connection to `addr`, verifying the server as `server_name`.
pub async fn connect(
    addr: SocketAddr,
    server_name: &str,
    config: Arc<ClientConfig>,
) -> Result<SoapConnection, ClientError> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|source| ClientError::Connect {
            addr: addr.to_string(),
            source,
        })?;
    let _ = tcp.set_nodelay(true);
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|_| ClientError::Url(server_name.to_string()))?;
    let tls = TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(ClientError::Handshake)?;
    let (sender, conn) = http1::handshake(TokioIo::new(tls)).await?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "client connection ended");
        }
    });
    let host = if addr.port() == 443 {
        server_name.to_string()
    } else {
        format!("{server_name}:{}", addr.port())
    };
    Ok(SoapConnection { sender, host })
}

impl SoapConnection {
    /// POSTs a SOAP envelope with `SOAPAction` (quoted, as SOAP 1.1 clients send it).
    pub async fn post(
        &mut self,
        path: &str,
        soap_action: Option<&str>,
        envelope: impl Into<Bytes>,
    ) -> Result<HttpReply, ClientError> {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(HOST, self.host.as_str())
            .header(CONTENT_TYPE, "text/xml; charset=UTF-8");
        if let Some(a) = soap_action {
            req = req.header("SOAPAction", format!("\"{a}\""));
        }
        let req = req
            .body(Full::new(envelope.into()))
            .map_err(|e| ClientError::Request(e.to_string()))?;
        self.send(req).await
    }

    /// GETs a path (WSDL, XSD).
    pub async fn get(&mut self, path: &str) -> Result<HttpReply, ClientError> {
        let req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(HOST, self.host.as_str())
            .body(Full::new(Bytes::new()))
            .map_err(|e| ClientError::Request(e.to_string()))?;
        self.send(req).await
    }

    /// Sends any request on this connection.
    pub async fn send(&mut self, mut req: Request<Full<Bytes>>) -> Result<HttpReply, ClientError> {
        if !req.headers().contains_key(HOST) {
            if let Ok(v) = HeaderValue::from_str(&self.host) {
                req.headers_mut().insert(HOST, v);
            }
        }
        self.sender.ready().await?;
        let resp = self.sender.send_request(req).await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok(HttpReply {
            status,
            headers,
            body,
        })
    }
}

/// Splits `https://host[:port]/path` into host, port and path.
pub fn parse_url(url: &str) -> Result<(String, u16, String), ClientError> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| ClientError::Url(url.to_string()))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = if let Some(h) = authority.strip_prefix('[') {
        let (h, after) = h
            .split_once(']')
            .ok_or_else(|| ClientError::Url(url.to_string()))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| ClientError::Url(url.to_string()))?,
            None => 443,
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse().map_err(|_| ClientError::Url(url.to_string()))?,
            ),
            None => (authority.to_string(), 443),
        }
    };
    if host.is_empty() {
        return Err(ClientError::Url(url.to_string()));
    }
    Ok((host, port, path.to_string()))
}

/// Opens a connection to an `https://` URL and returns it with the URL's path.
pub async fn connect_url(
    url: &str,
    config: Arc<ClientConfig>,
) -> Result<(SoapConnection, String), ClientError> {
    let (host, port, path) = parse_url(url)?;
    let addr = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|source| ClientError::Connect {
            addr: url.to_string(),
            source,
        })?
        .next()
        .ok_or_else(|| ClientError::Url(url.to_string()))?;
    let conn = connect(addr, &host, config).await?;
    Ok((conn, path))
}

/// One-shot POST of an envelope to an `https://` URL.
pub async fn post_envelope(
    url: &str,
    config: Arc<ClientConfig>,
    soap_action: Option<&str>,
    envelope: impl Into<Bytes>,
) -> Result<HttpReply, ClientError> {
    let (mut conn, path) = connect_url(url, config).await?;
    conn.post(&path, soap_action, envelope).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("https://localhost:8443/vo-webservices/").unwrap(),
            ("localhost".into(), 8443, "/vo-webservices/".into())
        );
        assert_eq!(
            parse_url("https://example.org").unwrap(),
            ("example.org".into(), 443, "/".into())
        );
        assert_eq!(
            parse_url("https://[::1]:9/x").unwrap(),
            ("::1".into(), 9, "/x".into())
        );
        assert!(parse_url("http://x/").is_err());
        assert!(parse_url("https://:80/").is_err());
    }
}
