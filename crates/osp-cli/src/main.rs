//! `osp`: the thin binary that assembles the gateway and the register, and the vendor's tools
//! around them (certificates, sending one message, replaying scenarios).

mod admin;
mod config;
mod replay;
mod send;
mod serve;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc, not glibc malloc: per-request allocation (hyper, XML, sled) cost ~17% of server CPU
/// with glibc in the benchmark profile (bench/profile.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (16th entry; the Rust bindings name
/// only some entries).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Return freed pages to the OS at once instead of after mimalloc v3's default 1 s: every
/// blocking-pool thread keeps its own heap, and the delay let `osp serve` hold ≈45 MiB more
/// after a keep-alive run (275 → 228 MiB, same msg/s; the RSS target of bench/RESULTS.md is ≤ 300 MB).
fn allocator_settings() {
    // An explicit MIMALLOC_PURGE_DELAY (mimalloc reads it itself) wins.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: mi_option_set only stores an option value; it is called before any other thread
    // exists and with an index from the bundled mimalloc's own enum.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

/// Emulator of DUO's Onderwijs Service Poort (ROD, sector VO).
#[derive(Debug, Parser)]
#[command(name = "osp", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the emulator: mTLS SOAP listener, admin listener, register.
    Serve(ServeArgs),
    /// Manage the development PKI.
    #[command(subcommand)]
    Certs(CertsCommand),
    /// Wrap a body in a SOAP envelope with WS-Addressing and send it with a dev certificate.
    Send(SendArgs),
    /// Replay scenario folders and compare the responses by meaning.
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// SOAP listener address [default: 127.0.0.1:8443].
    #[arg(long, env = "OSP_LISTEN")]
    listen: Option<String>,
    /// Admin listener address (plain HTTP) [default: 127.0.0.1:8444].
    #[arg(long, env = "OSP_ADMIN_LISTEN")]
    admin_listen: Option<String>,
    /// Bearer token the admin listener requires [default: none on loopback, data/admin-token
    /// elsewhere].
    #[arg(long, env = "OSP_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Data directory for the register [default: data].
    #[arg(long, env = "OSP_DATA")]
    data: Option<PathBuf>,
    /// Dev PKI directory, generated on first run [default: certs-dev].
    #[arg(long, env = "OSP_CERTS")]
    certs: Option<PathBuf>,
    /// Reference data directory [default: fixtures/reference].
    #[arg(long, env = "OSP_REFERENCE")]
    reference: Option<PathBuf>,
    /// Pin the register date (YYYY-MM-DD) instead of following the real clock.
    #[arg(long, env = "OSP_TODAY")]
    today: Option<String>,
    /// Log format: human or json [default: human].
    #[arg(long, env = "OSP_LOG_FORMAT")]
    log_format: Option<String>,
    /// Configuration file [default: osp.toml when present].
    #[arg(long, env = "OSP_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum CertsCommand {
    /// Create the dev PKI (root, intermediate, server, one client per test OIN, negative set).
    Init {
        /// Target directory.
        #[arg(long, default_value = "certs-dev", env = "OSP_CERTS")]
        dir: PathBuf,
        /// Replace existing keys and certificates.
        #[arg(long)]
        force: bool,
        /// RSA 2048 keys instead of ECDSA P-256.
        #[arg(long)]
        rsa: bool,
    },
    /// Issue one more client certificate signed by the dev intermediate.
    Issue {
        /// Directory of the dev PKI.
        #[arg(long, default_value = "certs-dev", env = "OSP_CERTS")]
        dir: PathBuf,
        /// OIN to put in the subject serialNumber.
        #[arg(long)]
        oin: String,
        /// Common name of the subject.
        #[arg(long)]
        cn: String,
    },
}

#[derive(Debug, Args)]
struct SendArgs {
    /// Request file: a bare body or a whole SOAP envelope.
    file: PathBuf,
    /// OIN whose dev certificate is used (and put in wsa:From for a bare body).
    #[arg(long = "as", default_value = "0000000700099AA00000")]
    as_oin: String,
    /// Administratie OIN put in wsa:From of a bare body (default: the --as OIN); a vendor
    /// certificate acting for a school uses `--as VENDOR --from SCHOOL`.
    #[arg(long)]
    from: Option<String>,
    /// Server base URL.
    #[arg(
        long,
        default_value = "https://localhost:8443/vo-webservices/",
        env = "OSP_SERVER"
    )]
    server: String,
    /// Dev PKI directory holding clients/{OIN}.pem and root-ca.pem.
    #[arg(long, default_value = "certs-dev", env = "OSP_CERTS")]
    certs: PathBuf,
    /// Do not verify the server certificate (for servers with other certificates).
    #[arg(long)]
    insecure_skip_verify: bool,
}

#[derive(Debug, Args)]
struct ReplayArgs {
    /// Scenario folders, or folders of scenario folders.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Run against a running osp instead of an in-process server per scenario.
    #[arg(long)]
    server: Option<String>,
    /// Write a JUnit XML report.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Rewrite expected files from the actual responses.
    #[arg(long)]
    record: bool,
    /// Scenarios run in parallel.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Dev PKI directory (generated when absent).
    #[arg(long, default_value = "certs-dev", env = "OSP_CERTS")]
    certs: PathBuf,
    /// Reference data directory for the in-process server.
    #[arg(long, default_value = "fixtures/reference", env = "OSP_REFERENCE")]
    reference: PathBuf,
}

fn main() -> ExitCode {
    allocator_settings();
    let cli = Cli::parse();
    match cli.command {
        Command::Certs(cmd) => certs(cmd),
        Command::Send(args) => {
            let opts = send::SendOptions {
                file: &args.file,
                as_oin: &args.as_oin,
                from_oin: args.from.as_deref().unwrap_or(&args.as_oin),
                server: &args.server,
                certs: &args.certs,
                insecure: args.insecure_skip_verify,
            };
            match send::run(&opts) {
                Ok(send::Verdict::Goedgekeurd) => ExitCode::SUCCESS,
                Ok(send::Verdict::Afgekeurd) => ExitCode::from(1),
                Err(e) => fail(e),
            }
        }
        Command::Serve(args) => {
            let flags = config::FileConfig {
                listen: args.listen,
                admin_listen: args.admin_listen,
                admin: config::AdminConfig {
                    token: args.admin_token,
                    hosts: Vec::new(),
                },
                data: args.data,
                certs: args.certs,
                reference: args.reference,
                today: args.today,
                log_format: args.log_format,
                ..config::FileConfig::default()
            };
            match serve::resolve(args.config, flags)
                .map_err(|e| e.to_string())
                .and_then(serve::run)
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Command::Replay(args) => replay::run(&replay::ReplayOptions {
            dirs: args.dirs,
            server: args.server,
            junit: args.junit,
            record: args.record,
            jobs: args.jobs,
            certs: args.certs,
            reference: args.reference,
        }),
    }
}

/// Prints a one-line error and exits 2 (usage, configuration or connection error).
fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("osp: {e}");
    ExitCode::from(2)
}

fn certs(cmd: CertsCommand) -> ExitCode {
    match cmd {
        CertsCommand::Init { dir, force, rsa } => {
            match osp_pki::init(&dir, osp_pki::InitOptions { force, rsa }) {
                Ok(report) => {
                    println!(
                        "dev PKI in {}: {} files written, {} kept",
                        dir.display(),
                        report.written.len(),
                        report.kept.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        CertsCommand::Issue { dir, oin, cn } => match osp_pki::issue(&dir, &oin, &cn) {
            Ok(path) => {
                println!("issued {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
    }
}
