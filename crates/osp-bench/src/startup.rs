//! Start-up of `osp serve` on a (large) data directory: time from process start to the first
//! accepted mTLS connection, its RSS, and keep-alive delivery throughput with the full register.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::ClientConfig;

use crate::load::{LoadSpec, Modus};
use crate::personen::BsnReeks;

/// Polls `addr` until a TLS handshake succeeds; the time it took, or `None` after `max`.
pub async fn eerste_verbinding(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    max: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < max {
        if osp_gateway::client::connect(addr, "localhost", config.clone())
            .await
            .is_ok()
        {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    None
}

/// What [`meet`] needs.
#[derive(Debug, Clone, Copy)]
pub struct StartupSpec<'a> {
    /// The `osp` binary.
    pub osp: &'a Path,
    /// Data directory.
    pub data: &'a Path,
    /// Reference directory.
    pub referentie: &'a Path,
    /// Dev PKI directory.
    pub certs: &'a Path,
    /// SOAP port (admin on port + 1).
    pub port: u16,
    /// Seconds of keep-alive load after start; 0 = none.
    pub duur: f64,
    /// First person of the load.
    pub personen_vanaf: usize,
    /// Run number of the load.
    pub run: u32,
    /// Stop with SIGKILL (a crash) instead of SIGTERM (a clean stop).
    pub kill: bool,
}

/// Starts osp, measures, stops it (SIGTERM, or SIGKILL for a crash) and returns the figures as
/// JSON.
pub fn meet(s: &StartupSpec<'_>) -> Result<serde_json::Value, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let config = osp_gateway::client::dev_client_config(s.certs, crate::AFZENDER_OIN)
        .map_err(|e| e.to_string())?;
    let addr = SocketAddr::from(([127, 0, 0, 1], s.port));
    let start = Instant::now();
    let mut child = Command::new(s.osp)
        .arg("serve")
        .arg("--data")
        .arg(s.data)
        .arg("--certs")
        .arg(s.certs)
        .arg("--reference")
        .arg(s.referentie)
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--admin-listen")
        .arg(format!("127.0.0.1:{}", s.port.wrapping_add(1)))
        .arg("--today")
        .arg(crate::BENCH_VANDAAG)
        .env("OSP_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", s.osp.display()))?;
    let pid = child.id();
    let opgestart = runtime.block_on(eerste_verbinding(
        addr,
        config.clone(),
        Duration::from_secs(120),
    ));
    let startup_ms = opgestart.map(|_| start.elapsed().as_secs_f64() * 1000.0);
    let na_start = crate::proces::geheugen(pid);
    let load = if s.duur > 0.0 && startup_ms.is_some() {
        let bsns = BsnReeks::lees(s.referentie)
            .map_err(|e| e.to_string())?
            .bekend(s.personen_vanaf, 40_000);
        let r = runtime.block_on(crate::load::run(LoadSpec {
            doel: "osp".into(),
            addr,
            server_name: "localhost".into(),
            pad: "/vo-webservices/".into(),
            client: config,
            modus: Modus::KeepAlive,
            verbindingen: 8,
            rate: None,
            duur: Duration::from_secs_f64(s.duur),
            bsns: Arc::new(bsns),
            run: s.run,
            controleer_elke: 50,
            pid: Some(pid),
        }));
        println!("{}", r.tekst());
        Some(r)
    } else {
        None
    };
    let _ = Command::new("kill")
        .arg(if s.kill { "-KILL" } else { "-TERM" })
        .arg(pid.to_string())
        .status();
    let _ = child.wait();
    let uit = serde_json::json!({
        "startup_ms": startup_ms,
        "gestopt_met": if s.kill { "SIGKILL" } else { "SIGTERM" },
        "geheugen_na_start": na_start,
        "load": load,
    });
    println!(
        "startup: {} ms to first accepted connection; RSS after start {} KiB",
        startup_ms
            .map(|m| format!("{m:.0}"))
            .unwrap_or_else(|| "-".into()),
        na_start.map(|g| g.rss_kib).unwrap_or(0)
    );
    Ok(uit)
}

/// [`meet`] `keer` times in a row; the figures of the start with the median `startup_ms`, plus
/// every start's `startup_ms` under `startup_ms_alle`.
pub fn meet_herhaald(s: &StartupSpec<'_>, keer: usize) -> Result<serde_json::Value, String> {
    let mut runs = Vec::new();
    for _ in 0..keer.max(1) {
        runs.push(meet(s)?);
    }
    let ms = |v: &serde_json::Value| v.get("startup_ms").and_then(serde_json::Value::as_f64);
    let alle: Vec<Option<f64>> = runs.iter().map(ms).collect();
    runs.sort_by(|a, b| {
        ms(a)
            .unwrap_or(f64::INFINITY)
            .total_cmp(&ms(b).unwrap_or(f64::INFINITY))
    });
    let mut uit = runs.swap_remove(runs.len() / 2);
    if let Some(o) = uit.as_object_mut() {
        o.insert("startup_ms_alle".into(), serde_json::json!(alle));
    }
    Ok(uit)
}
