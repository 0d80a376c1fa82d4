//! Harness of the hostile-client suite: the real `osp serve` binary on free loopback ports with
//! a temporary data directory and its own dev PKI ([`Osp::start`]), a good client that keeps
//! sending valid deliveries over mTLS and records what it got ([`GoodClient::start`]), and the
//! server's resident memory ([`rss_kib`]).
//!
//! Set `OSP_HOSTILE_BIN` to run the suite against another `osp` binary (e.g. an older build, to
//! get "before" figures); `[limits]` keys that binary does not know are then left out.

#![allow(dead_code)] // not every attack file uses every helper

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use osp_gateway::client::{self, SoapConnection};
use osp_model::Operation;

#[path = "../../crates/osp-cli/tests/support/bodies.rs"]
mod bodies;
pub use bodies::inschrijving;

/// The school whose dev certificate the good client presents.
pub const SCHOOL: &str = "0000000700099AA00000";
/// A vendor with a dev certificate (used by attackers that hold a valid certificate).
pub const VENDOR: &str = "00000003876543210000";

/// `[limits]` keys every osp build knows (the others are skipped for `OSP_HOSTILE_BIN`).
const LEGACY_LIMITS: [&str; 4] = [
    "max_body_bytes",
    "header_timeout_secs",
    "idle_timeout_secs",
    "max_connections",
];

/// Attacks run one at a time: each wants the machine's sockets and cores for itself.
pub fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn osp_bin() -> (PathBuf, bool) {
    match std::env::var_os("OSP_HOSTILE_BIN").filter(|p| !p.is_empty()) {
        Some(p) => (PathBuf::from(p), true),
        None => (PathBuf::from(env!("CARGO_BIN_EXE_osp")), false),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Raises this process's open-file limit to its hard limit (the server, a child, inherits it):
/// floods hold thousands of sockets. Returns the soft limit now in force.
#[allow(unsafe_code)] // setrlimit has no safe wrapper in std
pub fn raise_fd_limit() -> libc::rlim_t {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) != 0 {
            return 0;
        }
        if l.rlim_cur < l.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: l.rlim_max,
                rlim_max: l.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                l = raised;
            }
        }
    }
    l.rlim_cur
}

/// Resident memory of process `pid` in KiB (`VmRSS` of `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// How to start `osp serve`.
#[derive(Debug, Clone, Default)]
pub struct OspOptions {
    /// `[limits]` keys and their TOML values.
    pub limits: Vec<(&'static str, String)>,
    /// Further `osp serve` arguments, e.g. `--admin-token`.
    pub args: Vec<String>,
}

impl OspOptions {
    /// Sets one `[limits]` key (value as TOML, e.g. `"0"`).
    pub fn limit(mut self, key: &'static str, value: impl ToString) -> OspOptions {
        self.limits.push((key, value.to_string()));
        self
    }

    /// Adds `osp serve` arguments.
    pub fn args(mut self, args: &[&str]) -> OspOptions {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }
}

/// A running `osp serve` child process; killed on drop.
pub struct Osp {
    child: Child,
    /// The SOAP (mTLS) listener.
    pub soap: SocketAddr,
    /// The admin listener's port.
    pub admin: u16,
    /// The dev PKI `osp serve` wrote.
    pub certs: PathBuf,
    _dir: tempfile::TempDir,
}

impl Osp {
    /// Starts `osp serve` on free loopback ports and waits until `/healthz` answers.
    pub fn start(opts: OspOptions) -> Osp {
        raise_fd_limit();
        let (bin, legacy) = osp_bin();
        let dir = tempfile::tempdir().unwrap();
        let mut toml = String::from("[limits]\n");
        for (k, v) in &opts.limits {
            if legacy && !LEGACY_LIMITS.contains(k) {
                eprintln!("  (OSP_HOSTILE_BIN: leaving out [limits] {k} = {v})");
                continue;
            }
            toml.push_str(&format!("{k} = {v}\n"));
        }
        let config = dir.path().join("osp.toml");
        std::fs::write(&config, toml).unwrap();
        let soap: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let admin = free_port();
        let certs = dir.path().join("certs");
        let child = Command::new(bin)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .args(["--listen", &soap.to_string()])
            .args(["--admin-listen", &format!("127.0.0.1:{admin}")])
            .arg("--data")
            .arg(dir.path().join("data"))
            .arg("--certs")
            .arg(&certs)
            .arg("--reference")
            .arg(repo().join("fixtures/reference"))
            .args(["--today", "2025-09-15"])
            .args(&opts.args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut osp = Osp {
            child,
            soap,
            admin,
            certs,
            _dir: dir,
        };
        osp.wait_ready();
        osp
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.admin_get("/healthz").is_ok_and(|b| b.contains("ok")) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("osp serve exited early: {status}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("osp serve did not become ready");
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory in KiB.
    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.pid())
    }

    /// Whether the server process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// GET on the admin listener (plain HTTP/1.1, loopback).
    pub fn admin_get(&self, path: &str) -> std::io::Result<String> {
        self.admin_request("GET", path, "Host: localhost\r\n", "")
    }

    /// Any request on the admin listener: `headers` each end in CRLF; returns the whole answer.
    pub fn admin_request(
        &self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> std::io::Result<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.admin))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut out = String::new();
        s.read_to_string(&mut out)?;
        Ok(out)
    }

    /// A metric's value from `/metrics`, e.g. `osp_shed_total{reason="slow_body"}`.
    pub fn metric(&self, series: &str) -> Option<f64> {
        let text = self.admin_get("/metrics").ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
    }

    /// mTLS client configuration for a dev client identity.
    pub fn client_config(&self, oin: &str) -> Arc<rustls::ClientConfig> {
        client::dev_client_config(&self.certs, oin).unwrap()
    }
}

impl Drop for Osp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the good client behaves.
#[derive(Debug, Clone, Copy)]
pub struct GoodClientOptions {
    /// Open a new connection after this many requests (1: one per request, as `osp send`
    /// does; 0: keep one connection as long as the server keeps it).
    pub reconnect_every: usize,
    /// Pause between two requests.
    pub pause: Duration,
    /// A request not answered within this time (connecting and retries included) has timed
    /// out: the failure the suite exists to catch.
    pub deadline: Duration,
}

impl Default for GoodClientOptions {
    fn default() -> Self {
        GoodClientOptions {
            reconnect_every: 0,
            pause: Duration::from_millis(50),
            // Five times the slowest answer seen under attack on a 2-core machine (~1 s), and
            // half of the 10 s a silent peer used to hold a slot.
            deadline: Duration::from_secs(5),
        }
    }
}

/// What the good client saw.
#[derive(Debug, Default)]
pub struct GoodReport {
    /// Latency of every answered request (connecting and retries included).
    pub latencies: Vec<Duration>,
    /// Requests not answered as expected (timeouts, wrong answers).
    pub failures: Vec<String>,
    /// Connections opened.
    pub connections: usize,
    /// Connection-level errors retried within a request's deadline.
    pub retries: usize,
}

impl GoodReport {
    /// The `p`-th percentile (0–100) of the latencies.
    pub fn percentile(&self, p: f64) -> Duration {
        let mut v = self.latencies.clone();
        v.sort();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        v[i.min(v.len() - 1)]
    }

    /// Prints the figures the suite reports.
    pub fn print(&self, label: &str) {
        eprintln!(
            "{label}: good client {} answered, {} failed, p50 {:?}, p99 {:?}, max {:?}, {} connections, {} retries",
            self.latencies.len(),
            self.failures.len(),
            self.percentile(50.0),
            self.percentile(99.0),
            self.latencies.iter().max().copied().unwrap_or_default(),
            self.connections,
            self.retries
        );
    }

    /// Asserts every request was answered in time, and there were at least `min` of them.
    pub fn assert_served(&self, min: usize) {
        assert!(
            self.failures.is_empty(),
            "good client not served: {} failures, first: {:?}",
            self.failures.len(),
            self.failures.first()
        );
        assert!(
            self.latencies.len() >= min,
            "good client got only {} answers (expected at least {min})",
            self.latencies.len()
        );
    }
}

/// A good client sending valid deliveries in a background thread with its own runtime.
pub struct GoodClient {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<GoodReport>,
}

impl GoodClient {
    /// Starts sending to `osp` until [`GoodClient::finish`].
    pub fn start(osp: &Osp, opts: GoodClientOptions) -> GoodClient {
        let stop = Arc::new(AtomicBool::new(false));
        let config = osp.client_config(SCHOOL);
        let addr = osp.soap;
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(good_loop(addr, config, opts, flag))
        });
        GoodClient { stop, thread }
    }

    /// Runs a good client against `osp` for `duration` and returns what it saw.
    pub fn run(osp: &Osp, opts: GoodClientOptions, duration: Duration) -> GoodReport {
        let c = GoodClient::start(osp, opts);
        std::thread::sleep(duration);
        c.finish()
    }

    /// Stops after the request in progress and returns the report.
    pub fn finish(self) -> GoodReport {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

async fn good_loop(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    opts: GoodClientOptions,
    stop: Arc<AtomicBool>,
) -> GoodReport {
    let mut report = GoodReport::default();
    let mut conn: Option<SoapConnection> = None;
    let mut on_conn = 0usize;
    let op = Operation::AanleverenInschrijvingVO;
    let action = op.action();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut i = 0u64;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let id = format!("{}-{:04x}-4000-8000-{:012x}", &run[..8], i >> 48, i);
        let body = inschrijving(&id, &format!("good-{}-{i}", &run[..8]), "999990007");
        let env = osp_gateway::wrap_request(
            &body,
            op,
            SCHOOL,
            osp_model::DUO_OIN,
            &format!("urn:uuid:{id}"),
        );
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + opts.deadline;
        if opts.reconnect_every > 0 && on_conn >= opts.reconnect_every {
            conn = None;
        }
        let outcome: Result<client::HttpReply, String> = loop {
            if tokio::time::Instant::now() >= deadline {
                break Err(format!("request {i} timed out after {:?}", opts.deadline));
            }
            let c = match conn.as_mut() {
                Some(c) => c,
                None => {
                    let connecting = client::connect(addr, "localhost", config.clone());
                    match tokio::time::timeout_at(deadline, connecting).await {
                        Ok(Ok(c)) => {
                            report.connections += 1;
                            on_conn = 0;
                            conn.insert(c)
                        }
                        Ok(Err(_)) => {
                            report.retries += 1;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            continue;
                        }
                        Err(_) => {
                            break Err(format!(
                                "request {i}: no connection within {:?}",
                                opts.deadline
                            ))
                        }
                    }
                }
            };
            let sending = c.post("/vo-webservices/", Some(&action), env.clone());
            match tokio::time::timeout_at(deadline, sending).await {
                Ok(Ok(reply)) => break Ok(reply),
                Ok(Err(_)) => {
                    // Closed under us (idle reclaim, server-side close): a new connection; the
                    // same MessageID is answered idempotently.
                    conn = None;
                    report.retries += 1;
                }
                Err(_) => {
                    break Err(format!(
                        "request {i} timed out after {:?} (no answer)",
                        opts.deadline
                    ))
                }
            }
        };
        on_conn += 1;
        match outcome {
            Ok(r)
                if r.status == 200
                    && r.text()
                        .contains("<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>") =>
            {
                report.latencies.push(started.elapsed())
            }
            Ok(r) => report
                .failures
                .push(format!("request {i}: HTTP {} {}", r.status, r.text())),
            Err(e) => report.failures.push(e),
        }
        tokio::time::sleep(opts.pause).await;
    }
    report
}

/// A multi-threaded runtime for the attacking side.
pub fn attack_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Samples `osp`'s RSS every 100 ms while `f` runs; returns `f`'s result and the peak in KiB.
pub fn with_peak_rss<T>(osp: &Osp, f: impl FnOnce() -> T) -> (T, u64) {
    let pid = osp.pid();
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while !flag.load(Ordering::SeqCst) {
            peak = peak.max(rss_kib(pid));
            std::thread::sleep(Duration::from_millis(100));
        }
        peak.max(rss_kib(pid))
    });
    let out = f();
    done.store(true, Ordering::SeqCst);
    (out, sampler.join().unwrap())
}

/// Prints RSS figures in MiB.
pub fn print_rss(label: &str, baseline: u64, peak: u64, after: u64) {
    eprintln!(
        "{label}: server RSS baseline {:.1} MiB, peak {:.1} MiB (+{:.1}), after {:.1} MiB",
        baseline as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(baseline) as f64 / 1024.0,
        after as f64 / 1024.0
    );
}
