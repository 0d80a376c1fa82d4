//! Gateway configuration: listeners, TLS material, limits, DUO's OIN and OIN→sandbox routing,
//! with `dev` defaults that match `osp certs init`'s layout so `osp serve` needs no config.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Sandbox used for every certificate OIN without an entry in the routing map (SPEC §2).
pub const DEFAULT_SANDBOX: &str = "default";

/// Paths of the TLS material of the SOAP listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPaths {
    /// Server certificate chain PEM (leaf first, then intermediates).
    pub server_cert: PathBuf,
    /// Server private key PEM.
    pub server_key: PathBuf,
    /// PEM bundle of roots client certificates must chain to.
    pub client_roots: PathBuf,
    /// Optional CRL file (PEM or DER); revoked client certificates fail the handshake.
    pub crl: Option<PathBuf>,
}

/// Resource limits of SPEC §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted request body in bytes (413 + DK0004 beyond).
    pub max_body_bytes: usize,
    /// Time allowed for reading a request's headers once its first byte arrived.
    pub header_read_timeout: Duration,
    /// Time allowed for the TLS handshake, counted from accept. Short on purpose: a peer that
    /// does not finish the handshake holds a slot without having shown a certificate.
    pub handshake_timeout: Duration,
    /// Idle keep-alive connections are closed after this long without a request.
    pub idle_timeout: Duration,
    /// Connections served at once (in handshake or established). When all are taken, the
    /// longest-idle established connection is reclaimed for a newcomer, else it is refused.
    pub max_connections: usize,
    /// Of `max_connections`, how many may be in the TLS handshake at once; the rest is reserved
    /// for connections that showed a valid certificate. When full, the oldest handshake is
    /// dropped for a newcomer, so a flood of silent peers cannot starve authenticated clients.
    pub max_handshakes: usize,
    /// Connections one source address may hold at once (0: no limit). All clients behind one
    /// NAT (or on loopback) share it.
    pub max_connections_per_address: usize,
    /// Idle keep-alive connections are only reclaimed for newcomers after this long without a
    /// request, so a client between two requests keeps its connection.
    pub reclaim_idle_after: Duration,
    /// Request-body bytes all connections together may hold at once; a request whose declared
    /// length does not fit is answered with 503 + Server.DK0051.
    pub max_inflight_body_bytes: usize,
    /// Request-body bytes one connection may hold at once (declared or received).
    pub max_connection_body_bytes: usize,
    /// Slowest accepted body upload in bytes per second, after `body_rate_grace`; slower
    /// uploads are cut off (the connection is closed).
    pub min_body_rate: u64,
    /// Time a body may take before `min_body_rate` applies.
    pub body_rate_grace: Duration,
    /// Deepest element nesting accepted in an envelope.
    pub max_depth: usize,
    /// Time in-flight requests get to finish on shutdown.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 4 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(3),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_handshakes: 256,
            max_connections_per_address: 256,
            reclaim_idle_after: Duration::from_secs(1),
            max_inflight_body_bytes: 128 * 1024 * 1024,
            max_connection_body_bytes: 4 * 1024 * 1024,
            min_body_rate: 4096,
            body_rate_grace: Duration::from_secs(5),
            max_depth: 64,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Everything `Gateway::start` needs besides the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    /// SOAP listener (mTLS). Port 0 picks a free port.
    pub listen: SocketAddr,
    /// Admin listener (plain HTTP; keep it on loopback). `None` disables it.
    pub admin: Option<SocketAddr>,
    /// Who may use the admin listener: Host/Origin checks, bearer token (SPEC §13).
    pub admin_access: crate::admin::access::AdminAccess,
    /// TLS material.
    pub tls: TlsPaths,
    /// Limits.
    pub limits: Limits,
    /// The OIN `wsa:To` must carry and responses come `From` (SPEC §2).
    pub duo_oin: String,
    /// Certificate OIN → sandbox; others go to `default_sandbox`.
    pub sandboxes: HashMap<String, String>,
    /// Sandbox for unlisted certificate OINs.
    pub default_sandbox: String,
}

impl GatewayConfig {
    /// Defaults for a dev PKI made by `osp_pki::init` in `certs_dir`: listen on
    /// 127.0.0.1:8443, admin on 127.0.0.1:8444, one shared sandbox.
    pub fn dev(certs_dir: &Path) -> GatewayConfig {
        GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            admin: Some(SocketAddr::from(([127, 0, 0, 1], 8444))),
            admin_access: Default::default(),
            tls: TlsPaths {
                server_cert: certs_dir.join("server.pem"),
                server_key: certs_dir.join("server.key"),
                client_roots: certs_dir.join("root-ca.pem"),
                crl: None,
            },
            limits: Limits::default(),
            duo_oin: osp_model::DUO_OIN.to_string(),
            sandboxes: HashMap::new(),
            default_sandbox: DEFAULT_SANDBOX.to_string(),
        }
    }

    /// The sandbox a certificate OIN's requests run in.
    pub fn sandbox_for(&self, certificaat_oin: &str) -> &str {
        self.sandboxes
            .get(certificaat_oin)
            .map(String::as_str)
            .unwrap_or(&self.default_sandbox)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_defaults_and_routing() {
        let mut c = GatewayConfig::dev(Path::new("certs-dev"));
        assert_eq!(c.tls.client_roots, Path::new("certs-dev/root-ca.pem"));
        assert_eq!(c.limits.max_body_bytes, 4 * 1024 * 1024);
        assert_eq!(c.limits.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.limits.idle_timeout, Duration::from_secs(60));
        assert_eq!(c.duo_oin, "00000001800866472000");
        assert_eq!(c.sandbox_for("00000003123456780000"), "default");
        c.sandboxes
            .insert("00000003123456780000".into(), "vendor-b".into());
        assert_eq!(c.sandbox_for("00000003123456780000"), "vendor-b");
        assert!(c.admin.unwrap().ip().is_loopback());
    }
}
