//! `osp-bench`: the benchmark driver of `make bench` (see `bench/RESULTS.md` and `make bench`).
//! Subcommands: `echo` (transport baseline), `load` (load generator), `referentie`, `replay`,
//! `scale`, `startup`, `wacht` and `rapport`. Traffic goes to 127.0.0.1 only.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use osp_bench::load::{LoadSpec, Modus};
use osp_bench::personen::BsnReeks;
use osp_bench::{rapport_md, BENCH_VANDAAG};
use osp_register::{Reference, Register, RegisterConfig};

/// mimalloc, not glibc malloc: per-request allocation (hyper, XML, sled) cost ~17% of server CPU
/// with glibc in the benchmark profile (bench/profile.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "osp-bench",
    about = "Benchmarks of osp against its transport limit and a peer mock"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the echo baseline: the gateway's TLS listener answering every POST with a fixed body.
    Echo {
        /// Dev PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// Listen address (loopback).
        #[arg(long, default_value = "127.0.0.1:18453")]
        listen: SocketAddr,
    },
    /// Run load against a server and print/write the result.
    Load(LoadArgs),
    /// Write a reference directory with a larger proef-BRP.
    Referentie {
        /// Source (the repository's fixtures/reference).
        #[arg(long, default_value = "fixtures/reference")]
        bron: PathBuf,
        /// Target directory.
        #[arg(long)]
        uit: PathBuf,
        /// Number of generated persons.
        #[arg(long)]
        personen: usize,
    },
    /// Replay a generated corpus in-process (XSD validation + Service::deliver).
    Replay {
        /// Steps in the corpus.
        #[arg(long, default_value_t = 100_000)]
        stappen: usize,
        /// Reference directory.
        #[arg(long)]
        referentie: PathBuf,
        /// Threads.
        #[arg(long, default_value_t = 4)]
        threads: usize,
        /// JSON output file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Bulk-load N inschrijvingen into a data directory through Service::deliver.
    Scale {
        /// Inschrijvingen to load.
        #[arg(long)]
        aantal: usize,
        /// Data directory (the register goes to DATA/register, as `osp serve` expects).
        #[arg(long)]
        data: PathBuf,
        /// Reference directory.
        #[arg(long)]
        referentie: PathBuf,
        /// Threads delivering at once.
        #[arg(long, default_value_t = 32)]
        threads: usize,
        /// JSON output file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Start `osp serve` on a data directory, time it to the first accepted TLS connection,
    /// read its RSS, run keep-alive load against it, and stop it.
    Startup {
        /// The osp binary.
        #[arg(long)]
        osp: PathBuf,
        /// Data directory.
        #[arg(long)]
        data: PathBuf,
        /// Reference directory.
        #[arg(long)]
        referentie: PathBuf,
        /// Dev PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// SOAP port.
        #[arg(long, default_value_t = 18473)]
        port: u16,
        /// Seconds of keep-alive load after start (0 = none).
        #[arg(long, default_value_t = 5.0)]
        duur: f64,
        /// First person (position in the proef-BRP sequence) of the load.
        #[arg(long, default_value_t = 0)]
        personen_vanaf: usize,
        /// Run number of the load (volgnummers).
        #[arg(long, default_value_t = 900)]
        run: u32,
        /// Stop osp with SIGKILL (a crash: no clean stop, no start snapshot) instead of SIGTERM.
        #[arg(long)]
        kill: bool,
        /// Start, measure and stop this many times; `startup_ms` is the median, every start is
        /// listed (one slow start on a shared machine is then visible, not the figure).
        #[arg(long, default_value_t = 1)]
        herhaal: usize,
        /// JSON output file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Wait until a TLS server accepts connections on 127.0.0.1:PORT.
    Wacht {
        /// Port.
        #[arg(long)]
        port: u16,
        /// Dev PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60.0)]
        max: f64,
    },
    /// Write bench/RESULTS.md from the JSON results of a run.
    Rapport {
        /// Folder with the JSON results.
        #[arg(long)]
        dir: PathBuf,
        /// Markdown output.
        #[arg(long)]
        uit: PathBuf,
    },
}

#[derive(Args)]
struct LoadArgs {
    /// Target label (osp, echo, peer).
    #[arg(long)]
    doel: String,
    /// Base URL; the host must be localhost or 127.0.0.1.
    #[arg(long)]
    url: String,
    /// Dev PKI directory.
    #[arg(long)]
    certs: PathBuf,
    /// Transport mode.
    #[arg(long, value_enum, default_value = "keep-alive")]
    modus: Modus,
    /// Concurrent connections / workers.
    #[arg(long, default_value_t = 8)]
    verbindingen: usize,
    /// Offered rate (msg/s); absent = flat out.
    #[arg(long)]
    rate: Option<f64>,
    /// Offered rate = FACTOR × msg_per_s of this earlier JSON result.
    #[arg(long)]
    rate_van: Option<PathBuf>,
    /// Factor for --rate-van.
    #[arg(long, default_value_t = 0.5)]
    factor: f64,
    /// Longest run, seconds.
    #[arg(long, default_value_t = 6.0)]
    duur: f64,
    /// Most messages (each a distinct person).
    #[arg(long, default_value_t = 40_000)]
    max: usize,
    /// First person (position in the proef-BRP sequence).
    #[arg(long, default_value_t = 0)]
    personen_vanaf: usize,
    /// Reference directory whose brp-generator.toml defines the BSN sequence.
    #[arg(long, default_value = "fixtures/reference")]
    referentie: PathBuf,
    /// Run number (part of volgnummers and ids).
    #[arg(long, default_value_t = 1)]
    run: u32,
    /// Check every n-th response for leveringGoedgekeurd (0 = never).
    #[arg(long, default_value_t = 0)]
    controleer_elke: u64,
    /// PID whose RSS to report; default: the process listening on the URL's port.
    #[arg(long)]
    pid: Option<u32>,
    /// JSON output file.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("osp-bench: {e}");
        std::process::exit(1);
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn schrijf_json<T: serde::Serialize>(pad: Option<&Path>, waarde: &T) -> Result<(), String> {
    let tekst = serde_json::to_string_pretty(waarde).map_err(|e| e.to_string())?;
    match pad {
        Some(p) => std::fs::write(p, tekst + "\n").map_err(|e| format!("{}: {e}", p.display())),
        None => {
            println!("{tekst}");
            Ok(())
        }
    }
}

fn client_config(certs: &Path) -> Result<Arc<rustls::ClientConfig>, String> {
    osp_gateway::client::dev_client_config(certs, osp_bench::AFZENDER_OIN)
        .map_err(|e| e.to_string())
}

fn vandaag() -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(BENCH_VANDAAG, "%Y-%m-%d").map_err(|e| e.to_string())
}

/// Loopback only: the host part of the URL must name this machine.
fn loopback(url: &str) -> Result<(SocketAddr, String, String), String> {
    let (host, port, pad) = osp_gateway::client::parse_url(url).map_err(|e| e.to_string())?;
    if host != "localhost" && host != "127.0.0.1" {
        return Err(format!(
            "{url}: only localhost/127.0.0.1 is allowed as a target"
        ));
    }
    Ok((
        SocketAddr::from(([127, 0, 0, 1], port)),
        "localhost".to_string(),
        pad,
    ))
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.cmd {
        Cmd::Echo { certs, listen } => {
            if !listen.ip().is_loopback() {
                return Err("echo listens on loopback only".into());
            }
            runtime()?.block_on(async move {
                let mut config = osp_gateway::GatewayConfig::dev(&certs);
                config.listen = listen;
                config.admin = None;
                let antwoord = osp_gateway::envelope::wrap_response(osp_bench::ECHO_ANTWOORD, None);
                let gw = osp_gateway::Gateway::start_echo(config, bytes::Bytes::from(antwoord))
                    .await
                    .map_err(|e| e.to_string())?;
                println!("echo listening on {}", gw.local_addr());
                let _ = tokio::signal::ctrl_c().await;
                gw.shutdown().await.map_err(|e| e.to_string())
            })
        }
        Cmd::Load(a) => {
            let (addr, server_name, pad) = loopback(&a.url)?;
            let rate = match (&a.rate_van, a.rate) {
                (Some(p), _) => {
                    let tekst =
                        std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                    let v: serde_json::Value =
                        serde_json::from_str(&tekst).map_err(|e| e.to_string())?;
                    let max = v["msg_per_s"].as_f64().ok_or("msg_per_s missing")?;
                    Some((max * a.factor).max(1.0))
                }
                (None, r) => r,
            };
            let bsns = BsnReeks::lees(&a.referentie)
                .map_err(|e| e.to_string())?
                .reeks(a.personen_vanaf, a.max);
            let spec = LoadSpec {
                doel: a.doel,
                addr,
                server_name,
                pad,
                client: client_config(&a.certs)?,
                modus: a.modus,
                verbindingen: a.verbindingen,
                rate,
                duur: Duration::from_secs_f64(a.duur),
                bsns: Arc::new(bsns),
                run: a.run,
                controleer_elke: a.controleer_elke,
                pid: a
                    .pid
                    .or_else(|| osp_bench::proces::pid_van_poort(addr.port())),
            };
            let r = runtime()?.block_on(osp_bench::load::run(spec));
            println!("{}", r.tekst());
            schrijf_json(a.json.as_deref(), &r)
        }
        Cmd::Referentie {
            bron,
            uit,
            personen,
        } => osp_bench::referentie::schrijf(&bron, &uit, personen).map_err(|e| e.to_string()),
        Cmd::Replay {
            stappen,
            referentie,
            threads,
            json,
        } => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let reference = Reference::load(&referentie).map_err(|e| e.to_string())?;
            // The register `osp replay` runs a scenario on (temporary, so never fsynced).
            let config = RegisterConfig::wegwerp(Some(vandaag()?));
            let register =
                Arc::new(Register::open(dir.path(), reference, config).map_err(|e| e.to_string())?);
            let bsns = BsnReeks::lees(&referentie)
                .map_err(|e| e.to_string())?
                .reeks(0, stappen);
            let corpus = osp_bench::replay::corpus(stappen, &bsns, 77);
            let r = osp_bench::replay::replay(register, corpus, threads);
            println!("replay: {} steps in {:.1} s = {:.0} steps/s (goedgekeurd {}, afgekeurd {}, fouten {})", r.stappen, r.seconden, r.stappen_per_s, r.goedgekeurd, r.afgekeurd, r.fouten);
            schrijf_json(json.as_deref(), &r)
        }
        Cmd::Scale {
            aantal,
            data,
            referentie,
            threads,
            json,
        } => {
            let reference = Reference::load(&referentie).map_err(|e| e.to_string())?;
            // The proef-BRP of the bench reference is smaller than a national load; rule 0103's
            // lookup is the only check switched off here (every other rule applies).
            let config = RegisterConfig {
                today: Some(vandaag()?),
                strikte_brp: false,
                ..RegisterConfig::default()
            };
            std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
            let register = Arc::new(
                Register::open(&data.join("register"), reference, config)
                    .map_err(|e| e.to_string())?,
            );
            let bsns = Arc::new(
                BsnReeks::lees(&referentie)
                    .map_err(|e| e.to_string())?
                    .reeks(0, aantal),
            );
            let start = Instant::now();
            let r = osp_bench::scale::laad(register.clone(), bsns, threads, &|i| {
                eprintln!(
                    "  scale: {i} geladen ({:.0} s)",
                    start.elapsed().as_secs_f64()
                )
            });
            // A clean stop, as `osp serve` does it: flush, close, fold sled's log into the start
            // snapshot (the bench's first start after the load measures the result).
            let register = Arc::try_unwrap(register)
                .map_err(|_| "register still shared after the load".to_string())?;
            let afsluiten = register.sluiten().map_err(|e| e.to_string())?;
            let afsluiten_ms = afsluiten.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
            let bytes = osp_bench::scale::schijf_bytes(&data);
            let uit = serde_json::json!({
                "laden": r,
                "afsluiten_ms": afsluiten_ms,
                "schijf_bytes": bytes,
                "bytes_per_stand": bytes as f64 / r.goedgekeurd.max(1) as f64,
            });
            println!(
                "scale: {} stands in {:.1} s = {:.0}/s; clean stop {:.0} ms; disk {} bytes = {:.0} bytes/stand",
                r.goedgekeurd,
                r.seconden,
                r.per_s,
                afsluiten_ms,
                bytes,
                bytes as f64 / r.goedgekeurd.max(1) as f64
            );
            schrijf_json(json.as_deref(), &uit)
        }
        Cmd::Startup {
            osp,
            data,
            referentie,
            certs,
            port,
            duur,
            personen_vanaf,
            run,
            kill,
            herhaal,
            json,
        } => {
            let spec = osp_bench::startup::StartupSpec {
                kill,
                osp: &osp,
                data: &data,
                referentie: &referentie,
                certs: &certs,
                port,
                duur,
                personen_vanaf,
                run,
            };
            let uit = osp_bench::startup::meet_herhaald(&spec, herhaal)?;
            schrijf_json(json.as_deref(), &uit)
        }
        Cmd::Wacht { port, certs, max } => {
            let config = client_config(&certs)?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            runtime()?.block_on(async move {
                osp_bench::startup::eerste_verbinding(addr, config, Duration::from_secs_f64(max))
                    .await
                    .map(|_| ())
                    .ok_or_else(|| format!("nothing accepted TLS on {addr} within {max} s"))
            })
        }
        Cmd::Rapport { dir, uit } => rapport_md::schrijf(&dir, &uit),
    }
}
