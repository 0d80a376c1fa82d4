//! Scale: a bulk loader that puts N inschrijvingen into a register through `Service::deliver`
//! (the gateway's own entry point, so every rule, the stand history and durable group commit
//! apply), and the disk size of the result.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use osp_model::Operation;
use osp_register::{Delivery, Service};
use serde::Serialize;

use crate::stand::{self, StandSpec};

/// Outcome of a bulk load.
#[derive(Debug, Clone, Serialize)]
pub struct LaadResult {
    /// Stands asked for.
    pub aantal: usize,
    /// Approved (stored) stands.
    pub goedgekeurd: u64,
    /// Rejected or failed.
    pub mislukt: u64,
    /// Wall time.
    pub seconden: f64,
    /// Stands per second.
    pub per_s: f64,
    /// Threads delivering at once (they share group commits).
    pub threads: usize,
}

/// Delivers `bsns.len()` new inschrijvingen (one per person) with `threads` threads.
pub fn laad(
    service: Arc<dyn Service>,
    bsns: Arc<Vec<String>>,
    threads: usize,
    voortgang: &(dyn Fn(usize) + Sync),
) -> LaadResult {
    let volgende = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let threads = threads.max(1);
    let (goed, slecht) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let service = service.clone();
                let bsns = bsns.clone();
                let volgende = volgende.clone();
                scope.spawn(move || {
                    let (mut g, mut s) = (0u64, 0u64);
                    loop {
                        let i = volgende.fetch_add(1, Ordering::Relaxed);
                        let Some(bsn) = bsns.get(i) else { break };
                        if i % 50_000 == 0 {
                            voortgang(i);
                        }
                        let id = stand::uuid(0x5ca1e, i as u64);
                        let volgnummer = format!("S-{i}");
                        let body = stand::inschrijving(&StandSpec {
                            bsn,
                            volgnummer: &volgnummer,
                            identificatiecode: &id,
                            datum_tijd: "2025-09-15T09:30:00+02:00",
                            perioden: 2 + i % 3,
                            variant: i,
                        });
                        let d = Delivery {
                            sandbox: osp_gateway::DEFAULT_SANDBOX,
                            certificaat_oin: crate::AFZENDER_OIN,
                            from_oin: crate::AFZENDER_OIN,
                            message_id: &id,
                            operation: Operation::AanleverenInschrijvingVO,
                            body: osp_gateway::envelope::strip_declaration(&body),
                        };
                        match service.deliver(d) {
                            Ok(r) if r.goedgekeurd == Some(true) => g += 1,
                            _ => s += 1,
                        }
                    }
                    (g, s)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or((0, 1)))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let seconden = start.elapsed().as_secs_f64();
    LaadResult {
        aantal: bsns.len(),
        goedgekeurd: goed,
        mislukt: slecht,
        seconden,
        per_s: goed as f64 / seconden.max(1e-9),
        threads,
    }
}

/// Bytes of every file under `dir` (apparent size, recursively).
pub fn schijf_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => schijf_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use osp_register::{Reference, Register, RegisterConfig};

    #[test]
    fn loads_through_the_register_and_every_stand_is_approved() {
        let dir = tempfile::tempdir().unwrap();
        let reference = Reference::load(&osp_register::reference::standaard_map()).unwrap();
        let today = chrono::NaiveDate::parse_from_str(crate::BENCH_VANDAAG, "%Y-%m-%d").unwrap();
        let config = RegisterConfig {
            today: Some(today),
            ..RegisterConfig::default()
        };
        let register = Arc::new(Register::open(dir.path(), reference, config).unwrap());
        let bsns = Arc::new(crate::personen::BsnReeks::default().reeks(0, 40));
        let r = laad(register.clone(), bsns, 4, &|_| {});
        assert_eq!((r.goedgekeurd, r.mislukt), (40, 0));
        register.flush().unwrap();
        assert!(schijf_bytes(dir.path()) > 40 * 1000);
        // the same corpus through the replay path: new and newer stands, all approved
        let bsns = crate::personen::BsnReeks::default().reeks(40, 40);
        let c = crate::replay::corpus(30, &bsns, 3);
        let rr = crate::replay::replay(register, c, 2);
        assert_eq!(
            (rr.goedgekeurd, rr.afgekeurd, rr.fouten),
            (30, 0, 0),
            "{rr:?}"
        );
    }
}
