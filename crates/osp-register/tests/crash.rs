//! Crash test: the probe binary streams deliveries from several threads into a sled data dir and
//! prints each acknowledged stand; we SIGKILL it mid-stream, reopen the data dir and check that
//! every acknowledged stand is there and complete, that every stand present (acknowledged or not)
//! is exactly what was delivered — never half — and that each stand's outbox message is present
//! iff the stand is (same atomic batch). Several kill points per run, on the same data dir.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

#[path = "../src/bin/osp-register-probe/stream.rs"]
#[allow(dead_code)]
mod stream;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use osp_register::domain::{Bericht, Pgn};
use osp_register::{Historie, Reference, Register, RegisterConfig, StandSleutel};

const OIN: &str = "0000000700099AA00000";
const THREADS: usize = 4;
const STANDS: u32 = 400;

/// Runs the probe until `na_acks` acknowledgements were printed, kills it, returns the acks:
/// (bsn, volgnummer) → highest acknowledged stand number.
fn run_and_kill(
    dir: &std::path::Path,
    sandbox: &str,
    na_acks: usize,
) -> BTreeMap<(String, String), u32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_osp-register-probe"))
        .arg(dir)
        .arg(sandbox)
        .arg(THREADS.to_string())
        .arg(STANDS.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acks = BTreeMap::new();
    let mut n = 0;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let ["ACK", bsn, volg, nr] = parts.as_slice() {
            let nr: u32 = nr.parse().unwrap();
            let e = acks.entry((bsn.to_string(), volg.to_string())).or_insert(0);
            *e = (*e).max(nr);
            n += 1;
            if n >= na_acks {
                break;
            }
        }
        assert_ne!(line, "DONE", "probe finished before the kill point");
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    // Lines already written by the probe before the kill are acknowledgements too.
    for line in lines.map_while(Result::ok) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let ["ACK", bsn, volg, nr] = parts.as_slice() {
            let nr: u32 = nr.parse().unwrap();
            let e = acks.entry((bsn.to_string(), volg.to_string())).or_insert(0);
            *e = (*e).max(nr);
        }
    }
    acks
}

fn verify(
    register: &Register,
    sandbox: &str,
    bsns: &[String],
    acks: &BTreeMap<(String, String), u32>,
) {
    let mut verwacht_outbox: HashMap<String, usize> = HashMap::new();
    for bsn in bsns {
        for k in 0..stream::SLEUTELS_PER_PERSOON {
            let volg = stream::volgnummer(k);
            let sleutel = StandSleutel::Inschrijving {
                pgn: Pgn::Burgerservicenummer(bsn.clone()),
                brin: "99AA".into(),
                inschrijvingvolgnummer: volg.clone(),
            };
            let Historie::Inschrijving(h) = register.history(sandbox, &sleutel).unwrap() else {
                panic!()
            };
            let acked = acks.get(&(bsn.clone(), volg.clone())).copied().unwrap_or(0);
            assert!(
                h.len() as u32 >= acked,
                "{bsn} {volg}: acknowledged stand {acked} lost, have {}",
                h.len()
            );
            for (i, s) in h.iter().enumerate() {
                assert_eq!(s.volgnummer, i as u32 + 1, "gap in history of {bsn} {volg}");
                let Bericht::Inschrijving(expected) = stream::stand(bsn, k, s.volgnummer).bericht
                else {
                    panic!()
                };
                assert_eq!(
                    s.inhoud.as_ref(),
                    Some(&expected),
                    "{bsn} {volg} stand {} not complete",
                    s.volgnummer
                );
                *verwacht_outbox
                    .entry(stream::outbox_tekst(bsn, &volg, expected.perioden.len()))
                    .or_default() += 1;
            }
            let state = register
                .person_state(sandbox, &Pgn::Burgerservicenummer(bsn.clone()))
                .unwrap();
            let current = state
                .inschrijvingen
                .iter()
                .find(|s| s.inhoud.as_ref().unwrap().inschrijvingvolgnummer == volg);
            match (h.last(), current) {
                (Some(last), Some(cur)) => {
                    assert_eq!(last, cur, "current stand ≠ last history row")
                }
                (None, None) => {}
                (l, c) => panic!("{bsn} {volg}: history {l:?} vs current {c:?}"),
            }
        }
    }
    let mut outbox: HashMap<String, usize> = HashMap::new();
    // Only the probe's own messages; DUO's default producers (bekostiging) write beside them.
    for b in register
        .outbox_read(sandbox, OIN, 0, usize::MAX)
        .unwrap()
        .into_iter()
        .filter(|b| b.soort == "spoor")
    {
        *outbox.entry(b.inhoud).or_default() += 1;
    }
    assert_eq!(outbox, verwacht_outbox, "outbox and stands disagree");
}

#[test]
fn sigkill_mid_stream_loses_no_acknowledged_stand_and_leaves_no_half_stand() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let reference = Reference::load(&osp_register::reference::standaard_map()).unwrap();
    let mut bsns: Vec<String> = reference.brp.keys().cloned().collect();
    bsns.sort();
    bsns.truncate(THREADS);

    let runs = [("crash-a", 40usize), ("crash-b", 333), ("crash-c", 777)];
    for (i, (sandbox, kill_at)) in runs.iter().enumerate() {
        let acks = run_and_kill(&data, sandbox, *kill_at);
        assert!(acks.values().sum::<u32>() > 0);
        let register = Register::open(&data, reference.clone(), RegisterConfig::default()).unwrap();
        // every earlier run's sandbox must still be intact after another crash
        for (earlier, _) in &runs[..=i] {
            if *earlier == *sandbox {
                verify(&register, sandbox, &bsns, &acks);
            } else {
                verify(&register, earlier, &bsns, &BTreeMap::new());
            }
        }
        drop(register);
    }
}
