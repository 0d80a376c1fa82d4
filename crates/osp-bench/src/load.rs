//! The load generator: N workers over mTLS, either each on one keep-alive connection or with a
//! new TLS connection per message, flat out or at a fixed offered rate (open loop: latency is
//! measured from the message's scheduled send time, so a slow server cannot hide queueing),
//! bounded by duration and count.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use osp_gateway::client::{self, ClientError, SoapConnection};
use rustls::ClientConfig;

use crate::rapport::{Latentie, LoadResult};
use crate::stand::{self, StandSpec};

/// How messages travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Modus {
    /// Each worker keeps one TLS connection open (mode a).
    KeepAlive,
    /// A new TCP connection and full mTLS handshake per message (mode b).
    NieuweVerbinding,
}

/// One load run.
#[derive(Clone)]
pub struct LoadSpec {
    /// Label of the target in reports (`osp`, `echo`, `peer`).
    pub doel: String,
    /// Where to connect (loopback only).
    pub addr: SocketAddr,
    /// Name the server certificate is checked against.
    pub server_name: String,
    /// Request path.
    pub pad: String,
    /// Client TLS configuration (dev certificate of the sending school).
    pub client: Arc<ClientConfig>,
    /// Keep-alive or new connection per message.
    pub modus: Modus,
    /// Concurrent workers (= connections in keep-alive mode).
    pub verbindingen: usize,
    /// Offered rate in msg/s; `None` = flat out.
    pub rate: Option<f64>,
    /// Longest run time.
    pub duur: Duration,
    /// Persons to use, one per message: the run stops when they are used up.
    pub bsns: Arc<Vec<String>>,
    /// Run number, part of every volgnummer and message id, so runs never collide.
    pub run: u32,
    /// Check every n-th response for `leveringGoedgekeurd>true` (0 = never).
    pub controleer_elke: u64,
    /// PID whose RSS is reported.
    pub pid: Option<u32>,
}

#[derive(Default)]
struct Teller {
    ok: u64,
    fouten: BTreeMap<String, u64>,
    gecontroleerd: u64,
    goedgekeurd: u64,
}

impl Teller {
    fn fout(&mut self, soort: impl Into<String>) {
        *self.fouten.entry(soort.into()).or_insert(0) += 1;
    }
}

fn soort(e: &ClientError) -> &'static str {
    match e {
        ClientError::Connect { .. } => "verbinden",
        ClientError::Handshake(_) => "tls-handshake",
        ClientError::Http(_) => "http-verbinding",
        ClientError::Certificate { .. }
        | ClientError::Tls(_)
        | ClientError::Url(_)
        | ClientError::Request(_) => "client",
    }
}

fn histogram() -> Histogram<u64> {
    // 1 µs .. 120 s at 3 significant digits: constant, valid bounds (not derived from input)
    #[allow(clippy::expect_used)]
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("constant histogram bounds are valid")
}

/// Builds message `i` of run `run` for person `bsn`.
pub fn bericht(run: u32, i: u64, bsn: &str) -> String {
    let id = stand::uuid(run, i);
    let volgnummer = format!("R{run}-{i}");
    let body = stand::inschrijving(&StandSpec {
        bsn,
        volgnummer: &volgnummer,
        identificatiecode: &id,
        datum_tijd: "2025-09-15T09:30:00+02:00",
        perioden: 2 + (i % 3) as usize,
        variant: i as usize,
    });
    stand::envelope(&body, &stand::uuid(run ^ 0x8000_0000, i))
}

async fn worker(
    spec: Arc<LoadSpec>,
    volgende: Arc<AtomicU64>,
    klaar: Arc<tokio::sync::Barrier>,
    start: Arc<std::sync::OnceLock<Instant>>,
) -> (Histogram<u64>, Teller) {
    let mut hist = histogram();
    let mut t = Teller::default();
    let mut conn: Option<SoapConnection> = None;
    // Keep-alive connections are opened before the clock starts: a message's latency is the
    // request's, not the handshake's (mode b measures handshakes).
    if spec.modus == Modus::KeepAlive {
        match client::connect(spec.addr, &spec.server_name, spec.client.clone()).await {
            Ok(c) => conn = Some(c),
            Err(e) => t.fout(soort(&e)),
        }
    }
    klaar.wait().await;
    klaar.wait().await;
    let Some(start) = start.get().copied() else {
        return (hist, t);
    };
    let actie = stand::soap_action();
    let max = spec.bsns.len() as u64;
    let einde = start + spec.duur;
    loop {
        let i = volgende.fetch_add(1, Ordering::Relaxed);
        if i >= max {
            break;
        }
        let gepland = match spec.rate {
            Some(r) if r > 0.0 => {
                let t_i = start + Duration::from_secs_f64(i as f64 / r);
                if t_i >= einde {
                    break;
                }
                tokio::time::sleep_until(tokio::time::Instant::from_std(t_i)).await;
                t_i
            }
            _ => {
                let nu = Instant::now();
                if nu >= einde {
                    break;
                }
                nu
            }
        };
        let Some(bsn) = spec.bsns.get(i as usize) else {
            break;
        };
        let envelope = bericht(spec.run, i, bsn);
        if conn.is_none() || spec.modus == Modus::NieuweVerbinding {
            match client::connect(spec.addr, &spec.server_name, spec.client.clone()).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    t.fout(soort(&e));
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        match c.post(&spec.pad, Some(&actie), envelope).await {
            Ok(r) => {
                let _ = hist.record((gepland.elapsed().as_micros() as u64).max(1));
                if r.status == 200 {
                    t.ok += 1;
                    if spec.controleer_elke > 0 && i % spec.controleer_elke == 0 {
                        t.gecontroleerd += 1;
                        if stand::goedgekeurd(&r.body) {
                            t.goedgekeurd += 1;
                        } else {
                            t.fout("niet-goedgekeurd");
                        }
                    }
                } else {
                    t.fout(format!("http-{}", r.status));
                }
            }
            Err(e) => {
                t.fout(soort(&e));
                conn = None;
            }
        }
        if spec.modus == Modus::NieuweVerbinding {
            conn = None;
        }
    }
    (hist, t)
}

/// Runs `spec` to its end and reports throughput, latency, errors and the server's memory.
pub async fn run(spec: LoadSpec) -> LoadResult {
    let spec = Arc::new(spec);
    let voor = spec.pid.and_then(crate::proces::geheugen);
    let volgende = Arc::new(AtomicU64::new(0));
    let n = spec.verbindingen.max(1);
    let klaar = Arc::new(tokio::sync::Barrier::new(n + 1));
    let gedeeld_start = Arc::new(std::sync::OnceLock::new());
    let mut taken = Vec::new();
    for _ in 0..n {
        taken.push(tokio::spawn(worker(
            spec.clone(),
            volgende.clone(),
            klaar.clone(),
            gedeeld_start.clone(),
        )));
    }
    // Every worker has connected (keep-alive); the clock starts now, for all of them at once.
    klaar.wait().await;
    let start = *gedeeld_start.get_or_init(Instant::now);
    klaar.wait().await;
    let mut hist = histogram();
    let mut totaal = Teller::default();
    for taak in taken {
        match taak.await {
            Ok((h, t)) => {
                let _ = hist.add(&h);
                totaal.ok += t.ok;
                totaal.gecontroleerd += t.gecontroleerd;
                totaal.goedgekeurd += t.goedgekeurd;
                for (k, v) in t.fouten {
                    *totaal.fouten.entry(k).or_insert(0) += v;
                }
            }
            Err(_) => totaal.fout("worker"),
        }
    }
    let verstreken = start.elapsed().as_secs_f64();
    let na = spec.pid.and_then(crate::proces::geheugen);
    let pct = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    LoadResult {
        doel: spec.doel.clone(),
        modus: spec.modus,
        verbindingen: spec.verbindingen,
        aangeboden_rate: spec.rate,
        seconden: verstreken,
        ok: totaal.ok,
        msg_per_s: if verstreken > 0.0 {
            totaal.ok as f64 / verstreken
        } else {
            0.0
        },
        latentie_ms: Latentie {
            p50: pct(0.5),
            p90: pct(0.9),
            p99: pct(0.99),
            max: hist.max() as f64 / 1000.0,
        },
        fouten: totaal.fouten,
        gecontroleerd: totaal.gecontroleerd,
        goedgekeurd: totaal.goedgekeurd,
        geheugen_voor: voor,
        geheugen_na: na,
    }
}
