//! `osp serve`: resolves configuration, prepares a first run (data dir, dev PKI, reference data),
//! assembles register and gateway, prints how to connect, and shuts down cleanly on a signal.

use crate::admin::RegisterAdmin;
use crate::config::{parse_addr, parse_date, ConfigError, FileConfig};
use osp_gateway::{Extras, Gateway, GatewayConfig};
use osp_register::berichten::terugkoppeling::TerugkoppelingModus;
use osp_register::store::StoreError;
use osp_register::{Reference, Register, RegisterConfig, RegisterError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Everything `osp serve` runs with, after layering defaults, file, environment and flags.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    /// SOAP listener.
    pub listen: std::net::SocketAddr,
    /// Admin listener.
    pub admin_listen: std::net::SocketAddr,
    /// Data directory.
    pub data: PathBuf,
    /// Dev PKI directory.
    pub certs: PathBuf,
    /// Reference data directory.
    pub reference: PathBuf,
    /// Pinned register date.
    pub today: Option<chrono::NaiveDate>,
    /// `json` logs instead of human ones.
    pub json_logs: bool,
    /// `terugkoppeling.mode` (SPEC §7).
    pub terugkoppeling: TerugkoppelingModus,
    /// The parsed file (routing, limits).
    pub file: FileConfig,
}

/// Layers defaults < file < environment/flags (clap already merged the last two into `flags`,
/// which uses the file's own shape so every key has exactly one flag and one variable).
pub fn resolve(config: Option<PathBuf>, flags: FileConfig) -> Result<ServeSettings, ConfigError> {
    let file = match &config {
        Some(p) => FileConfig::load(p, true)?,
        None => FileConfig::load(Path::new("osp.toml"), false)?,
    };
    let file = file.overlay(flags);
    let listen = file
        .listen
        .clone()
        .unwrap_or_else(|| "127.0.0.1:8443".into());
    let admin = file
        .admin_listen
        .clone()
        .unwrap_or_else(|| "127.0.0.1:8444".into());
    let log_format = file.log_format.clone().unwrap_or_else(|| "human".into());
    let json_logs = match log_format.as_str() {
        "human" => false,
        "json" => true,
        other => {
            return Err(ConfigError::Value {
                key: "log_format",
                value: other.into(),
                why: "expected human or json",
            })
        }
    };
    let terugkoppeling = match file.terugkoppeling.mode.as_deref() {
        Some(mode) => mode.parse().map_err(|_| ConfigError::Value {
            key: "terugkoppeling.mode",
            value: mode.into(),
            why: "expected sync, async or both",
        })?,
        None => TerugkoppelingModus::Sync,
    };
    Ok(ServeSettings {
        listen: parse_addr("listen", &listen)?,
        admin_listen: parse_addr("admin_listen", &admin)?,
        data: file.data.clone().unwrap_or_else(|| PathBuf::from("data")),
        certs: file
            .certs
            .clone()
            .unwrap_or_else(|| PathBuf::from("certs-dev")),
        reference: file
            .reference
            .clone()
            .unwrap_or_else(|| PathBuf::from("fixtures/reference")),
        today: file
            .today
            .as_deref()
            .map(|t| parse_date("today", t))
            .transpose()?,
        json_logs,
        terugkoppeling,
        file,
    })
}

/// The gateway configuration for `settings`.
pub fn gateway_config(s: &ServeSettings) -> GatewayConfig {
    let mut g = GatewayConfig::dev(&s.certs);
    g.listen = s.listen;
    g.admin = Some(s.admin_listen);
    g.admin_access.hosts = s.file.admin.hosts.clone();
    g.sandboxes = s
        .file
        .sandboxes
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let l = &s.file.limits;
    if let Some(v) = l.max_body_bytes {
        g.limits.max_body_bytes = v;
    }
    if let Some(v) = l.header_timeout_secs {
        g.limits.header_read_timeout = Duration::from_secs(v);
    }
    if let Some(v) = l.idle_timeout_secs {
        g.limits.idle_timeout = Duration::from_secs(v);
    }
    if let Some(v) = l.max_connections {
        g.limits.max_connections = v;
    }
    if let Some(v) = l.handshake_timeout_secs {
        g.limits.handshake_timeout = Duration::from_secs(v);
    }
    if let Some(v) = l.max_handshakes {
        g.limits.max_handshakes = v;
    }
    if let Some(v) = l.max_connections_per_address {
        g.limits.max_connections_per_address = v;
    }
    if let Some(v) = l.reclaim_idle_after_ms {
        g.limits.reclaim_idle_after = Duration::from_millis(v);
    }
    if let Some(v) = l.max_inflight_body_bytes {
        g.limits.max_inflight_body_bytes = v;
    }
    if let Some(v) = l.max_connection_body_bytes {
        g.limits.max_connection_body_bytes = v;
    }
    if let Some(v) = l.min_body_rate {
        g.limits.min_body_rate = v;
    }
    if let Some(v) = l.body_rate_grace_secs {
        g.limits.body_rate_grace = Duration::from_secs(v);
    }
    g
}

/// Opens the register in `data` (sled under `data/register`), with a message that names the
/// likely cause when another process holds it.
pub fn open_register(
    data: &Path,
    reference: Reference,
    today: Option<chrono::NaiveDate>,
    terugkoppeling: TerugkoppelingModus,
    compressie: bool,
) -> Result<Register, String> {
    std::fs::create_dir_all(data)
        .map_err(|e| format!("cannot create data directory {}: {e}", data.display()))?;
    let config = RegisterConfig {
        today,
        terugkoppeling,
        compressie,
        ..RegisterConfig::default()
    };
    Register::open(&data.join("register"), reference, config).map_err(|e| match e {
        RegisterError::Opslag(StoreError::InGebruik(_)) => {
            format!("data directory {} is in use by another osp process (stop it, or choose another --data)", data.display())
        }
        other => format!("cannot open register in {}: {other}", data.display()),
    })
}

/// [outbox] Push settings: DUO's dev server certificate (it carries clientAuth) as client
/// certificate, `[push]` roots/backoff/callbacks, state in the data directory.
pub fn push_config(s: &ServeSettings) -> osp_push::PushConfig {
    let mut c = osp_push::PushConfig::dev(&s.certs, &s.data);
    let p = &s.file.push;
    if let Some(r) = &p.roots {
        c.roots = r.clone();
    }
    if let Some(ms) = p.backoff_basis_ms {
        c.backoff.basis = Duration::from_millis(ms);
    }
    if let Some(secs) = p.backoff_max_secs {
        c.backoff.max = Duration::from_secs(secs);
    }
    c.callbacks = p.callbacks.clone();
    c
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs the emulator until SIGTERM/SIGINT. Errors are one line for the user.
/// Deliveries run on tokio's blocking pool and hold their thread until their group commit is on
/// disk. tokio's default ceiling (512) let every connection grow its own thread and mimalloc heap:
/// 94 threads and 377 MiB after a 32-connection run. Past a few dozen in flight a larger group
/// gains nothing, so further deliveries queue for a thread instead (bench/profile.md).
const MAX_BLOCKING_THREADS: usize = 16;

pub fn run(settings: ServeSettings) -> Result<(), String> {
    init_tracing(settings.json_logs);
    let report = osp_pki::init(&settings.certs, osp_pki::InitOptions::default()).map_err(|e| {
        format!(
            "cannot prepare dev certificates in {}: {e}",
            settings.certs.display()
        )
    })?;
    if !report.written.is_empty() {
        tracing::info!(dir = %settings.certs.display(), files = report.written.len(), "dev PKI generated");
    }
    let reference = Reference::load(&settings.reference).map_err(|e| {
        format!(
            "cannot load reference data from {}: {e}",
            settings.reference.display()
        )
    })?;
    let mut gateway_settings = gateway_config(&settings);
    gateway_settings.admin_access.token =
        admin_token(&settings.data, settings.admin_listen, &settings.file.admin)?;
    let register = Arc::new(open_register(
        &settings.data,
        reference,
        settings.today,
        settings.terugkoppeling,
        settings.file.opslag.compressie.unwrap_or(false),
    )?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
        .map_err(|e| format!("cannot start runtime: {e}"))?;
    let register = runtime.block_on(async move {
        // [outbox] push worker: reads the outboxes, POSTs to configured callbacks (SPEC §7 (b)).
        let pusher = osp_push::Pusher::new(register.clone(), push_config(&settings)).map_err(|e| format!("push: {e}"))?;
        let (push_stop, push_stop_rx) = tokio::sync::watch::channel(false);
        let push_task = tokio::spawn(pusher.clone().run(push_stop_rx));
        let extras = Extras {
            admin_extensions: vec![
                Arc::new(RegisterAdmin { register: register.clone(), reference_dir: settings.reference.clone() }),
                Arc::new(osp_push::PushAdmin { pusher }),
            ],
        };
        let gateway = Gateway::start_extended(gateway_settings, register.clone(), extras)
            .await
            .map_err(|e| match e {
                osp_gateway::GatewayError::Bind { addr, source } if source.kind() == std::io::ErrorKind::AddrInUse => {
                    format!("port busy: {addr} is already in use (choose another with --listen / --admin-listen)")
                }
                other => other.to_string(),
            })?;
        print_banner(&settings, gateway.local_addr(), gateway.admin_addr());
        let handle = gateway.shutdown_handle();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("signal received, shutting down");
            handle.trigger();
        });
        gateway.wait().await.map_err(|e| e.to_string())?;
        let _ = push_stop.send(true);
        let _ = push_task.await;
        register.flush().map_err(|e| format!("flushing register: {e}"))?;
        Ok::<_, String>(register)
    })?;
    // With every task stopped the register has one owner left; closing it folds sled's log into
    // the start snapshot so the next `osp serve` does not replay it. Everything is already
    // durable, so a failure here costs only start-up time.
    drop(runtime);
    match Arc::try_unwrap(register) {
        Ok(register) => match register.sluiten() {
            Ok(Some(d)) => tracing::info!(ms = d.as_millis() as u64, "start snapshot written"),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "start snapshot not written; the next start replays the log")
            }
        },
        Err(_) => {
            tracing::warn!("register still in use at shutdown; the next start replays the log")
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// File in the data directory that holds the generated admin token.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";

/// The admin token in force: the configured one; else, when the admin listener is off loopback,
/// the one in `data/admin-token`, created (mode 0600) and printed once when absent. A listener
/// bound off loopback always says so on stderr.
pub fn admin_token(
    data: &Path,
    listen: std::net::SocketAddr,
    config: &crate::config::AdminConfig,
) -> Result<Option<String>, String> {
    if listen.ip().is_loopback() {
        return Ok(config.token.clone());
    }
    let path = data.join(ADMIN_TOKEN_FILE);
    let token = match &config.token {
        Some(t) => t.clone(),
        None => match std::fs::read_to_string(&path) {
            Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
            Ok(_) => {
                return Err(format!(
                    "{} is empty: remove it or put a token in it",
                    path.display()
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let t = nieuw_token();
                write_private(data, &path, &t)?;
                eprintln!("admin token (written once to {}): {t}", path.display());
                t
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        },
    };
    eprintln!(
        "warning: the admin listener {listen} is not on loopback: every route but /healthz requires `Authorization: Bearer <token>`{}",
        if config.token.is_some() { " ([admin] token)".to_string() } else { format!(" (token in {})", path.display()) }
    );
    Ok(Some(token))
}

/// 244 random bits as 64 hex digits (two v4 UUIDs from the OS generator).
fn nieuw_token() -> String {
    format!("{}{}", uuid_hex(), uuid_hex())
}

fn uuid_hex() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn write_private(data: &Path, path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    std::fs::create_dir_all(data)
        .map_err(|e| format!("cannot create data directory {}: {e}", data.display()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = int.recv() => {},
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_banner(
    s: &ServeSettings,
    soap: std::net::SocketAddr,
    admin: Option<std::net::SocketAddr>,
) {
    let host = if soap.ip().is_loopback() {
        "localhost".to_string()
    } else {
        soap.ip().to_string()
    };
    let url = format!("https://{host}:{}/vo-webservices/", soap.port());
    let oin = osp_replay::request::DEFAULT_SENDER;
    let certs = s.certs.display();
    println!(
        "osp is running (register date: {})",
        s.today
            .map(|d| d.to_string())
            .unwrap_or_else(|| "real time".into())
    );
    println!("  SOAP endpoint : {url}");
    println!("  WSDL          : {url}DUO_VOAanlevering_InschrijvingVO_V1?wsdl");
    if let Some(a) = admin {
        println!("  admin         : http://{a}/healthz  http://{a}/metrics  http://{a}/push");
    }
    println!("  client cert   : {certs}/clients/{oin}.pem + .key (trust {certs}/root-ca.pem)");
    println!("  try           : cargo run --release -p osp-cli -- send fixtures/samples/aanleverenInschrijvingVO_Request.xml --as {oin} --server {url} --certs {certs}");
    println!("  stop          : Ctrl-C (or SIGTERM)");
}

#[cfg(test)]
mod admin_token_tests {
    use super::*;
    use crate::config::AdminConfig;

    #[test]
    fn loopback_needs_no_token_and_creates_no_file() {
        let d = tempfile::tempdir().unwrap();
        let loopback = "127.0.0.1:8444".parse().unwrap();
        assert_eq!(
            admin_token(d.path(), loopback, &AdminConfig::default()),
            Ok(None)
        );
        assert!(!d.path().join(ADMIN_TOKEN_FILE).exists());
        let given = AdminConfig {
            token: Some("t".into()),
            hosts: vec![],
        };
        assert_eq!(
            admin_token(d.path(), loopback, &given),
            Ok(Some("t".into()))
        );
    }

    #[test]
    fn off_loopback_generates_a_private_token_once_and_reuses_it() {
        let d = tempfile::tempdir().unwrap();
        let data = d.path().join("data");
        let open = "0.0.0.0:8444".parse().unwrap();
        let first = admin_token(&data, open, &AdminConfig::default())
            .unwrap()
            .unwrap();
        assert_eq!(first.len(), 64);
        assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
        let file = data.join(ADMIN_TOKEN_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = admin_token(&data, open, &AdminConfig::default())
            .unwrap()
            .unwrap();
        assert_eq!(first, again, "the file's token is reused");
        // a configured token wins over the file
        let given = AdminConfig {
            token: Some("mine".into()),
            hosts: vec![],
        };
        assert_eq!(admin_token(&data, open, &given), Ok(Some("mine".into())));
        // an emptied file is an error, not an open listener
        std::fs::write(&file, "\n").unwrap();
        assert!(admin_token(&data, open, &AdminConfig::default()).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_keys_reach_the_gateway() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("osp.toml");
        std::fs::write(
            &p,
            "[limits]\nhandshake_timeout_secs = 2\nmax_handshakes = 100\nmax_connections_per_address = 0\nreclaim_idle_after_ms = 250\nmax_inflight_body_bytes = 1000000\nmax_connection_body_bytes = 50000\nmin_body_rate = 512\nbody_rate_grace_secs = 7\n",
        )
        .unwrap();
        let settings = resolve(Some(p), FileConfig::default()).unwrap();
        let l = gateway_config(&settings).limits;
        assert_eq!(l.handshake_timeout, Duration::from_secs(2));
        assert_eq!(l.max_handshakes, 100);
        assert_eq!(l.max_connections_per_address, 0);
        assert_eq!(l.reclaim_idle_after, Duration::from_millis(250));
        assert_eq!(l.max_inflight_body_bytes, 1_000_000);
        assert_eq!(l.max_connection_body_bytes, 50_000);
        assert_eq!(l.min_body_rate, 512);
        assert_eq!(l.body_rate_grace, Duration::from_secs(7));
        // Keys not set keep the gateway's defaults.
        let defaults = gateway_config(&resolve(None, FileConfig::default()).unwrap()).limits;
        assert_eq!(defaults, osp_gateway::Limits::default());
    }
}
