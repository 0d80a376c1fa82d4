//! Replay throughput: a generated corpus of steps (new inschrijvingen and newer stands of earlier
//! ones) replayed in-process through the path the gateway takes after the envelope — libxml2 XSD
//! validation of the body (`osp_model::Validator`) and `Service::deliver` on a real sled
//! register (the one `osp replay` runs a scenario on: temporary, never fsynced) — one person's steps in order, persons spread over threads.

use std::sync::Arc;
use std::time::Instant;

use osp_model::{Contract, Operation};
use osp_register::{Delivery, Service};
use serde::Serialize;

use crate::stand::{self, StandSpec};

/// One step of the corpus.
#[derive(Debug, Clone)]
pub struct Stap {
    /// Body as sent (standalone document, no declaration).
    pub body: String,
    /// Person index, so a person's steps stay in order on one thread.
    pub persoon: usize,
}

/// Builds `aantal` steps: every fifth step re-delivers the previous inschrijving as a newer
/// stand (other periods, later datumTijdBedrijfsdocument); the others are new inschrijvingen.
pub fn corpus(aantal: usize, bsns: &[String], run: u32) -> Vec<Stap> {
    let mut uit = Vec::with_capacity(aantal);
    let mut persoon = 0usize;
    for k in 0..aantal {
        let wijziging = k % 5 == 4 && persoon > 0;
        let p = if wijziging { persoon - 1 } else { persoon };
        let Some(bsn) = bsns.get(p) else { break };
        let id = stand::uuid(run, k as u64);
        let volgnummer = format!("P{run}-{p}");
        let body = stand::inschrijving(&StandSpec {
            bsn,
            volgnummer: &volgnummer,
            identificatiecode: &id,
            datum_tijd: if wijziging {
                "2025-09-16T10:00:00+02:00"
            } else {
                "2025-09-15T09:30:00+02:00"
            },
            perioden: if wijziging {
                2 + (p + 1) % 3
            } else {
                2 + p % 3
            },
            variant: if wijziging { p + 1 } else { p },
        });
        uit.push(Stap {
            body: osp_gateway::envelope::strip_declaration(&body).to_string(),
            persoon: p,
        });
        if !wijziging {
            persoon += 1;
        }
    }
    uit
}

/// Outcome of a replay.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayResult {
    /// Steps replayed.
    pub stappen: usize,
    /// Threads.
    pub threads: usize,
    /// Wall time.
    pub seconden: f64,
    /// Steps per second.
    pub stappen_per_s: f64,
    /// Approved deliveries.
    pub goedgekeurd: u64,
    /// Rejected deliveries (foutmeldingen) — should be 0 for this corpus.
    pub afgekeurd: u64,
    /// XSD failures or service errors — should be 0.
    pub fouten: u64,
    /// What was measured.
    pub pad: &'static str,
}

/// Replays `stappen` on `service` with `threads` threads.
pub fn replay(service: Arc<dyn Service>, stappen: Vec<Stap>, threads: usize) -> ReplayResult {
    let threads = threads.max(1);
    let totaal = stappen.len();
    let mut delen: Vec<Vec<Stap>> = (0..threads).map(|_| Vec::new()).collect();
    for s in stappen {
        let t = s.persoon % threads;
        delen[t].push(s);
    }
    let start = Instant::now();
    let handles: Vec<_> = delen
        .into_iter()
        .enumerate()
        .map(|(t, deel)| {
            let service = service.clone();
            std::thread::spawn(move || {
                let mut tel = (0u64, 0u64, 0u64);
                let Ok(validator) = osp_model::Validator::new() else {
                    tel.2 = deel.len() as u64;
                    return tel;
                };
                for (k, s) in deel.iter().enumerate() {
                    if validator
                        .validate(Contract::InschrijvingVO, &s.body)
                        .is_err()
                    {
                        tel.2 += 1;
                        continue;
                    }
                    let mid = format!("urn:uuid:{}", stand::uuid(0x7e00_0000 + t as u32, k as u64));
                    let d = Delivery {
                        sandbox: osp_gateway::DEFAULT_SANDBOX,
                        certificaat_oin: crate::AFZENDER_OIN,
                        from_oin: crate::AFZENDER_OIN,
                        message_id: &mid,
                        operation: Operation::AanleverenInschrijvingVO,
                        body: &s.body,
                    };
                    match service.deliver(d) {
                        Ok(r) if r.goedgekeurd == Some(true) => tel.0 += 1,
                        Ok(_) => tel.1 += 1,
                        Err(_) => tel.2 += 1,
                    }
                }
                tel
            })
        })
        .collect();
    let mut som = (0u64, 0u64, 0u64);
    for h in handles {
        let (g, a, f) = h.join().unwrap_or((0, 0, 1));
        som = (som.0 + g, som.1 + a, som.2 + f);
    }
    let seconden = start.elapsed().as_secs_f64();
    ReplayResult {
        stappen: totaal,
        threads,
        seconden,
        stappen_per_s: totaal as f64 / seconden.max(1e-9),
        goedgekeurd: som.0,
        afgekeurd: som.1,
        fouten: som.2,
        pad: "osp_model::Validator::validate (libxml2 XSD) + Service::deliver on the register osp replay gives a scenario (sled, RegisterConfig::wegwerp: no fsync), in-process",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_mixes_new_and_newer_stands() {
        let bsns = crate::personen::BsnReeks::default().reeks(0, 100);
        let c = corpus(10, &bsns, 1);
        assert_eq!(c.len(), 10);
        assert_eq!(c[4].persoon, c[3].persoon);
        assert!(c[4].body.contains("2025-09-16T10:00:00"));
        assert_eq!(c[5].persoon, c[3].persoon + 1);
        assert!(!c[0].body.starts_with("<?xml"));
    }
}
