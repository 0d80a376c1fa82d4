//! Measures durable deliveries/s of the register (sled + group commit) on this machine:
//! `cargo run --release -p osp-register --example durable_throughput -- [threads] [per-thread]`.
//! Each delivery is a goedgekeurde inschrijving stand (all checks, idempotency row, stand,
//! history row) acknowledged only after flush + fdatasync.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a measuring tool, not a server: it stops on the first failure

use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use osp_register::domain::*;
use osp_register::register::verwerking::body_hash;
use osp_register::{Aanleververzoek, Reference, Register, RegisterConfig};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let threads = args.first().copied().unwrap_or(8);
    let per_thread = args.get(1).copied().unwrap_or(500);
    let dir = std::env::temp_dir().join(format!("osp-register-bench-{}", std::process::id()));
    let reference = Reference::load(&osp_register::reference::standaard_map()).expect("reference");
    let mut bsns: Vec<String> = reference.brp.keys().cloned().collect();
    bsns.sort();
    let register =
        Arc::new(Register::open(&dir, reference, RegisterConfig::default()).expect("open"));
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let register = register.clone();
            let bsns = bsns.clone();
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    let bsn = &bsns[(t * per_thread + i) % bsns.len()];
                    let periode = Periode {
                        datum_begin: d("2024-08-01"),
                        onderwijsaanbieder: Some("100A001".into()),
                        onderwijslocatie: Some("100X001".into()),
                        opleidingcode: "3001".into(),
                        aanvullende_opleidingen: vec![],
                        vestiging: "99AA00".into(),
                        leerjaar: Some(1),
                        indicatie_bekostigbaar: true,
                        experimenten: vec![],
                        indicatie_nieuwkomersbekostiging: None,
                    };
                    let aanlevering = Aanlevering {
                        kop: Bedrijfsdocument {
                            identificatiecode: format!("{t:08}-0000-4000-8000-{i:012}"),
                            verzendende_instantie: "99AA".into(),
                            ontvangende_instantie: "DUO".into(),
                            datum_tijd: Utc.with_ymd_and_hms(2025, 9, 1, 8, 0, 0).unwrap(),
                        },
                        bericht: Bericht::Inschrijving(Inschrijving {
                            pgn: Pgn::Burgerservicenummer(bsn.clone()),
                            brin: "99AA".into(),
                            inschrijvingvolgnummer: format!("B{t}-{i}"),
                            datum_inschrijving: d("2024-08-01"),
                            datum_uitschrijving: None,
                            perioden: vec![periode],
                            ontwikkelingsperspectieven: vec![],
                            verblijven_andere_instelling: vec![],
                        }),
                    };
                    let hash = body_hash(&serde_json::to_vec(&aanlevering).unwrap());
                    let a = register
                        .verwerk(&Aanleververzoek {
                            sandbox: "bench",
                            certificaat_oin: "0000000700099AA00000",
                            from_oin: "0000000700099AA00000",
                            message_id: "bench",
                            body_hash: hash,
                            aanlevering,
                        })
                        .expect("verwerk");
                    assert!(a.terugkoppeling.levering_goedgekeurd);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let secs = start.elapsed().as_secs_f64();
    let n = threads * per_thread;
    println!(
        "{n} durable deliveries with {threads} threads in {secs:.2} s = {:.0} deliveries/s, {} flush+fdatasync ({:.1} deliveries per flush)",
        n as f64 / secs,
        register.flush_count(),
        n as f64 / register.flush_count().max(1) as f64
    );
    drop(register);
    let _ = std::fs::remove_dir_all(&dir);
}
