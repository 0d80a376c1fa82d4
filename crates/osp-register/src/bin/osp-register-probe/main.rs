//! Crash probe (used only by the crash test): applies a stream of deliveries to a register in a
//! data dir from several threads and prints `ACK <bsn> <volgnummer> <stand>` for each delivery
//! the register acknowledged — i.e. after it returned, which means durable. The test kills this
//! process with SIGKILL mid-stream and checks the data dir.
//!
//! Usage: `osp-register-probe <data-dir> <sandbox> <threads> <stands-per-key>`

mod stream;

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use osp_register::register::verwerking::body_hash;
use osp_register::register::{
    Inschrijvingswijziging, NieuwBericht, RegisterLezer, Vervolgberichten,
};
use osp_register::rules::Context;
use osp_register::{Aanleververzoek, Reference, Register, RegisterConfig, ServiceError};

const OIN: &str = "0000000700099AA00000";

/// Writes one outbox message per registered stand, so the test can check the outbox is written
/// in the same atomic batch as the stand.
struct Spoor;

impl Vervolgberichten for Spoor {
    fn na_inschrijving(
        &self,
        _lezer: &dyn RegisterLezer,
        w: Inschrijvingswijziging<'_>,
        _ctx: &Context<'_>,
    ) -> Result<Vec<NieuwBericht>, ServiceError> {
        let Some(i) = w.nieuw else { return Ok(vec![]) };
        // Producers do not see the stand number; the test counts messages per period count.
        Ok(vec![NieuwBericht {
            ontvanger_oin: OIN.into(),
            soort: "spoor".into(),
            inhoud: stream::outbox_tekst(
                i.pgn.nummer(),
                &i.inschrijvingvolgnummer,
                i.perioden.len(),
            ),
        }])
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, sandbox, threads, stands] = args.as_slice() else {
        eprintln!("usage: osp-register-probe <data-dir> <sandbox> <threads> <stands-per-key>");
        return std::process::ExitCode::from(2);
    };
    let (Ok(threads), Ok(stands)) = (threads.parse::<usize>(), stands.parse::<u32>()) else {
        eprintln!("threads and stands must be numbers");
        return std::process::ExitCode::from(2);
    };
    let reference = match Reference::load(&osp_register::reference::standaard_map()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    let mut bsns: Vec<String> = reference.brp.keys().cloned().collect();
    bsns.sort();
    let register = match Register::open(&PathBuf::from(dir), reference, RegisterConfig::default()) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    register.add_producer(Arc::new(Spoor));
    let out = Arc::new(Mutex::new(std::io::stdout()));
    println!("READY");
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let register = register.clone();
            let out = out.clone();
            let bsn = bsns.get(t).cloned().unwrap_or_default();
            let sandbox = sandbox.clone();
            std::thread::spawn(move || {
                for n in 1..=stands {
                    for k in 0..stream::SLEUTELS_PER_PERSOON {
                        let aanlevering = stream::stand(&bsn, k, n);
                        let hash = body_hash(&serde_json::to_vec(&aanlevering).unwrap_or_default());
                        let v = Aanleververzoek {
                            sandbox: &sandbox,
                            certificaat_oin: OIN,
                            from_oin: OIN,
                            message_id: "urn:uuid:probe",
                            body_hash: hash,
                            aanlevering,
                        };
                        match register.verwerk(&v) {
                            Ok(a) if a.terugkoppeling.levering_goedgekeurd => {
                                let nr = a.terugkoppeling.stand.map_or(0, |s| s.volgnummer);
                                if let Ok(mut o) = out.lock() {
                                    let _ = writeln!(o, "ACK {bsn} {} {nr}", stream::volgnummer(k));
                                    let _ = o.flush();
                                }
                            }
                            Ok(a) => eprintln!("afgekeurd: {:?}", a.terugkoppeling.foutmeldingen),
                            Err(e) => eprintln!("fout: {e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    println!("DONE");
    std::process::ExitCode::SUCCESS
}
