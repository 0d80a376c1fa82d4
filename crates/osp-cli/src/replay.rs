//! `osp replay DIR…`: runs scenario folders, prints a diff per mismatch and a summary, writes
//! JUnit on request, and exits non-zero on any mismatch or error.

use osp_replay::junit::{self, SuiteResult};
use osp_replay::runner::{self, Progress, RunOptions, Target};
use osp_replay::scenario::Scenario;
use osp_replay::target::{InProcess, Remote};
use std::path::PathBuf;
use std::process::ExitCode;

/// Parsed `osp replay` arguments.
pub struct ReplayOptions {
    /// Scenario folders or folders of them.
    pub dirs: Vec<PathBuf>,
    /// Running server URL instead of in-process.
    pub server: Option<String>,
    /// JUnit output file.
    pub junit: Option<PathBuf>,
    /// Rewrite expected files.
    pub record: bool,
    /// Parallel scenarios.
    pub jobs: usize,
    /// Dev PKI directory.
    pub certs: PathBuf,
    /// Reference data directory.
    pub reference: PathBuf,
}

/// A progress bar on a terminal; silent otherwise (CI logs stay readable).
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn step_done(&self, scenario: &str, step: &str, ok: bool) {
        self.0.inc(1);
        if !ok {
            self.0.println(format!("✗ {scenario}/{step}"));
        }
    }
}

/// Runs the replay and returns the process exit code (0 all passed, 1 mismatch, 2 usage error).
pub fn run(opts: &ReplayOptions) -> ExitCode {
    let scenarios = match Scenario::discover(&opts.dirs) {
        Ok(s) if s.is_empty() => {
            eprintln!(
                "osp: no scenarios (folders with scenario.toml) found in the given directories"
            );
            return ExitCode::from(2);
        }
        Ok(s) => s,
        Err(e) => {
            eprintln!("osp: {e}");
            return ExitCode::from(2);
        }
    };
    let target: Box<dyn Target> = match &opts.server {
        Some(url) => match Remote::new(url, &opts.certs) {
            Ok(t) => Box::new(t),
            Err(e) => {
                eprintln!("osp: {e}");
                return ExitCode::from(2);
            }
        },
        None => match InProcess::new(&opts.certs, &opts.reference) {
            Ok(t) => Box::new(t),
            Err(e) => {
                eprintln!("osp: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let steps: usize = scenarios.iter().map(|s| s.steps.len()).sum();
    let bar = indicatif::ProgressBar::new(steps as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} steps {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = Bar(bar);
    let results = runner::run_all(
        target.as_ref(),
        &scenarios,
        &RunOptions {
            record: opts.record,
            jobs: opts.jobs,
        },
        &progress,
    );
    progress.0.finish_and_clear();
    report(&results, opts)
}

fn report(results: &[SuiteResult], opts: &ReplayOptions) -> ExitCode {
    let mut failed = 0;
    let mut total = 0;
    for suite in results {
        for case in &suite.cases {
            total += 1;
            if let Some(f) = &case.failure {
                failed += 1;
                println!("FAIL {}/{}: {}", suite.name, case.name, f.message);
                if f.detail != f.message {
                    println!("{}", f.detail);
                }
            }
        }
    }
    if let Some(path) = &opts.junit {
        if let Err(e) = std::fs::write(path, junit::render(results)) {
            eprintln!("osp: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let verb = if opts.record { "recorded" } else { "replayed" };
    println!("{} scenarios, {total} steps {verb}", results.len());
    println!("{} passed, {failed} failed", total - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
