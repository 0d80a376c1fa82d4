//! Storage failures through a real sled store with failures switched on (`FaultSwitch`): a
//! delivery whose apply or fdatasync fails is answered `Onbeschikbaar` (the gateway's DK0051),
//! leaves nothing behind — no stand, no history row, no idempotency record, no outbox message —
//! a resend while the store is failed never gets a stored answer, and once the failure clears the
//! store recovers by itself and the same delivery is goedgekeurd and durable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use osp_register::berichten::terugkoppeling::TerugkoppelingModus;
use osp_register::domain::{Bericht, Pgn};
use osp_register::store::records::key;
use osp_register::store::{SledStore, Store};
use osp_register::{Register, RegisterConfig, ServiceError};

const SB: &str = "s";

fn config() -> RegisterConfig {
    RegisterConfig {
        today: Some(date("2025-09-15")),
        // The terugkoppeling also as an outbox message: a failed delivery must not leave one.
        terugkoppeling: TerugkoppelingModus::Both,
        ..RegisterConfig::default()
    }
}

fn open(dir: &Path) -> (Arc<SledStore>, Register) {
    let store = Arc::new(SledStore::open(dir).unwrap());
    let r = Register::with_store(store.clone(), reference(), config());
    (store, r)
}

fn deliver(r: &Register, id: u32, volg: &str) -> Result<bool, ServiceError> {
    try_lever(
        r,
        SB,
        AA,
        &uuid(id),
        "2025-09-15T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), volg)),
    )
    .map(|a| a.terugkoppeling.levering_goedgekeurd)
}

fn volgnummers(r: &Register, pgn: &Pgn) -> Vec<String> {
    r.person_state(SB, pgn)
        .unwrap()
        .inschrijvingen
        .iter()
        .map(|s| s.inhoud.as_ref().unwrap().inschrijvingvolgnummer.clone())
        .collect()
}

fn outbox(r: &Register) -> usize {
    r.outbox_read(SB, AA, 0, 1000).unwrap().len()
}

fn wait_recovered(store: &SledStore) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while store.is_failed() {
        assert!(Instant::now() < deadline, "the store did not recover");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Apply,
    Fdatasync,
}

fn faulty_delivery_leaves_nothing_and_recovers(fault: Fault) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (store, r) = open(&data);
    assert!(deliver(&r, 1, "V1").unwrap());
    let voor = outbox(&r);
    assert!(voor > 0, "the goedgekeurde delivery left an outbox message");

    let set = |on: bool| match fault {
        Fault::Apply => store.faults().fail_apply(on),
        Fault::Fdatasync => store.faults().fail_flush(on),
    };
    set(true);
    let e = deliver(&r, 2, "V2").unwrap_err();
    assert!(matches!(e, ServiceError::Onbeschikbaar(_)), "{e:?}");
    assert!(store.is_failed());
    // A resend while failed: refused too, never the stored answer of the failed attempt.
    let e = deliver(&r, 2, "V2").unwrap_err();
    assert!(matches!(e, ServiceError::Onbeschikbaar(_)), "{e:?}");
    // Recovery keeps failing while the fault lasts (several attempts).
    std::thread::sleep(osp_register::store::sled_store::RECOVERY_INTERVAL * 4);
    assert!(store.is_failed(), "recovered while the disk still fails");
    assert!(matches!(
        deliver(&r, 3, "V3"),
        Err(ServiceError::Onbeschikbaar(_))
    ));

    set(false);
    wait_recovered(&store);
    assert_eq!(
        volgnummers(&r, &sanne()),
        ["V1"],
        "no stand of a failed delivery"
    );
    assert_eq!(outbox(&r), voor, "no outbox message of a failed delivery");
    let id_key = key(SB, "id", &[AA, &uuid(2)]);
    assert_eq!(store.get(&id_key).unwrap(), None, "no idempotency record");
    let historie = key(SB, "ih", &[&sanne().opslagsleutel(), "99AA", "V2"]);
    assert!(
        store.scan_prefix(&historie).unwrap().is_empty(),
        "no history row"
    );

    // The same delivery again: goedgekeurd, and durable (it is there after a reopen).
    assert!(deliver(&r, 2, "V2").unwrap());
    let na = outbox(&r);
    assert!(na > voor, "the redelivery's messages are there");
    drop(r);
    drop(store);
    let (_store, r) = reopen(&data);
    assert_eq!(volgnummers(&r, &sanne()), ["V1", "V2"]);
    assert_eq!(outbox(&r), na);
}

/// sled releases its file lock a moment after the last handle drops.
fn reopen(dir: &Path) -> (Arc<SledStore>, Register) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match SledStore::open(dir) {
            Ok(s) => {
                let s = Arc::new(s);
                let r = Register::with_store(s.clone(), reference(), config());
                return (s, r);
            }
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("reopen: {e}"),
        }
    }
}

#[test]
fn a_failing_fdatasync_answers_onbeschikbaar_keeps_nothing_and_recovers() {
    faulty_delivery_leaves_nothing_and_recovers(Fault::Fdatasync);
}

#[test]
fn a_failing_apply_answers_onbeschikbaar_keeps_nothing_and_recovers() {
    faulty_delivery_leaves_nothing_and_recovers(Fault::Apply);
}

/// Near miss: a healthy store never turns failed and answers the same deliveries.
#[test]
fn without_a_fault_the_same_deliveries_are_goedgekeurd() {
    let dir = tempfile::tempdir().unwrap();
    let (store, r) = open(&dir.path().join("data"));
    assert!(deliver(&r, 1, "V1").unwrap());
    assert!(deliver(&r, 2, "V2").unwrap());
    assert!(!store.is_failed());
    assert_eq!(volgnummers(&r, &sanne()), ["V1", "V2"]);
}
