//! The two places scenarios run: a fresh in-process osp per scenario (default — isolated sandbox,
//! pinned clock, no ports to manage), or an osp already running at `--server URL`.

use crate::request::{prepare, Identity};
use crate::runner::{Exchange, Outgoing, Session, Target};
use crate::scenario::Scenario;
use osp_gateway::client::{self, SoapConnection};
use osp_gateway::{Gateway, GatewayConfig, RunningGateway};
use osp_register::{Reference, Register, RegisterConfig};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Sends prepared requests over one keep-alive connection per identity.
struct Connections {
    runtime: tokio::runtime::Handle,
    certs: PathBuf,
    addr: SocketAddr,
    host: String,
    path: String,
    open: HashMap<Identity, SoapConnection>,
}

impl Connections {
    fn send(&mut self, out: &Outgoing) -> Result<Exchange, String> {
        let o = &out.options;
        let as_oin = o
            .as_oin
            .as_deref()
            .unwrap_or(crate::request::DEFAULT_SENDER);
        let from = o.from.as_deref().unwrap_or(as_oin);
        let prepared =
            prepare(&out.raw, from, o.soap_action.as_deref()).map_err(|e| e.to_string())?;
        let identity = Identity::resolve(&self.certs, Some(as_oin), o.cert.as_deref());
        let runtime = self.runtime.clone();
        // A refused handshake (negative certificates) is an answer worth comparing, not an
        // error: it is reported as status 0 with the error text as body.
        let reply = runtime.block_on(async {
            if !self.open.contains_key(&identity) {
                let config = client::client_config(
                    &identity.cert,
                    &identity.key,
                    &self.certs.join("root-ca.pem"),
                )
                .map_err(|e| e.to_string())?;
                match client::connect(self.addr, &self.host, config).await {
                    Ok(c) => {
                        self.open.insert(identity.clone(), c);
                    }
                    Err(e) => return Ok(Err(e.to_string())),
                }
            }
            let conn = self.open.get_mut(&identity).ok_or("connection vanished")?;
            match conn
                .post(
                    &self.path,
                    prepared.soap_action.as_deref(),
                    prepared.envelope.clone(),
                )
                .await
            {
                Ok(r) => Ok(Ok(r)),
                Err(e) => {
                    self.open.remove(&identity);
                    Ok(Err(e.to_string()))
                }
            }
        });
        match reply {
            Ok(Ok(r)) => Ok(Exchange {
                status: r.status,
                body: r.body.to_vec(),
            }),
            Ok(Err(handshake)) => Ok(Exchange {
                status: 0,
                body: format!(
                    "<verbindingGeweigerd>{}</verbindingGeweigerd>",
                    quick_xml::escape::escape(first_line(&handshake))
                )
                .into_bytes(),
            }),
            Err(e) => Err(e),
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// A fresh osp per scenario on 127.0.0.1 with its own temporary register.
pub struct InProcess {
    runtime: tokio::runtime::Runtime,
    certs: PathBuf,
    reference: Arc<Reference>,
}

impl InProcess {
    /// Prepares the dev PKI in `certs` (created when absent) and loads reference data once.
    pub fn new(certs: &Path, reference_dir: &Path) -> Result<InProcess, String> {
        osp_pki::init(certs, osp_pki::InitOptions::default())
            .map_err(|e| format!("dev PKI in {}: {e}", certs.display()))?;
        let reference = Reference::load(reference_dir)
            .map_err(|e| format!("reference data in {}: {e}", reference_dir.display()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        Ok(InProcess {
            runtime,
            certs: certs.to_path_buf(),
            reference: Arc::new(reference),
        })
    }
}

struct InProcessSession {
    conns: Connections,
    gateway: Option<RunningGateway>,
    _register: Arc<Register>,
    _dir: tempfile::TempDir,
}

impl Session for InProcessSession {
    fn send(&mut self, out: &Outgoing) -> Result<Exchange, String> {
        self.conns.send(out)
    }
}

impl Drop for InProcessSession {
    fn drop(&mut self) {
        if let Some(g) = self.gateway.take() {
            self.conns.open.clear();
            let _ = self.conns.runtime.block_on(g.shutdown());
        }
    }
}

fn pinned(scenario: &Scenario) -> Result<Option<chrono::NaiveDate>, String> {
    scenario
        .file
        .today
        .as_deref()
        .map(|t| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map_err(|_| format!("{}: today {t:?} is not YYYY-MM-DD", scenario.name))
        })
        .transpose()
}

impl Target for InProcess {
    fn open(&self, scenario: &Scenario) -> Result<Box<dyn Session + '_>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let config = RegisterConfig::wegwerp(pinned(scenario)?);
        let register = Arc::new(
            Register::open(dir.path(), (*self.reference).clone(), config)
                .map_err(|e| e.to_string())?,
        );
        let mut gw = GatewayConfig::dev(&self.certs);
        gw.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        gw.admin = None;
        let gateway = self
            .runtime
            .block_on(Gateway::start(gw, register.clone()))
            .map_err(|e| e.to_string())?;
        let conns = Connections {
            runtime: self.runtime.handle().clone(),
            certs: self.certs.clone(),
            addr: gateway.local_addr(),
            host: "localhost".into(),
            path: "/vo-webservices/".into(),
            open: HashMap::new(),
        };
        Ok(Box::new(InProcessSession {
            conns,
            gateway: Some(gateway),
            _register: register,
            _dir: dir,
        }))
    }
}

/// An osp already running at a URL; scenarios share its sandboxes, so run it fresh.
pub struct Remote {
    runtime: tokio::runtime::Runtime,
    certs: PathBuf,
    addr: SocketAddr,
    host: String,
    path: String,
}

impl Remote {
    /// Resolves `url` (`https://host:port/path`).
    pub fn new(url: &str, certs: &Path) -> Result<Remote, String> {
        let (host, port, path) = client::parse_url(url).map_err(|e| e.to_string())?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let addr = runtime
            .block_on(tokio::net::lookup_host((host.as_str(), port)))
            .map_err(|e| format!("{url}: {e}"))?
            .next()
            .ok_or_else(|| format!("{url}: no address"))?;
        Ok(Remote {
            runtime,
            certs: certs.to_path_buf(),
            addr,
            host,
            path,
        })
    }
}

struct RemoteSession(Connections);

impl Session for RemoteSession {
    fn send(&mut self, out: &Outgoing) -> Result<Exchange, String> {
        self.0.send(out)
    }
}

impl Target for Remote {
    fn open(&self, scenario: &Scenario) -> Result<Box<dyn Session + '_>, String> {
        if scenario.file.today.is_some() {
            tracing::warn!(scenario = %scenario.name, "scenario pins the register date; against --server the server's clock is used");
        }
        Ok(Box::new(RemoteSession(Connections {
            runtime: self.runtime.handle().clone(),
            certs: self.certs.clone(),
            addr: self.addr,
            host: self.host.clone(),
            path: self.path.clone(),
            open: HashMap::new(),
        })))
    }
}
