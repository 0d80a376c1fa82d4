//! DUO→school messages end to end (SPEC §7): the default producers write the digitaal in-/
//! uitschrijfbewijs and the bekostigingsbericht with each stand, the terugkoppeling becomes a message
//! in `async`/`both` mode, and `ophalenBerichtenVO` / `bevestigenBerichtenVO` deliver them. Every
//! message and every pull response is validated against `xsd/` with osp-model's libxml2 validator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use std::sync::OnceLock;

use common::model::rond;
use common::*;
use osp_model::messages as m;
use osp_model::validate::Validator;
use osp_model::{Contract, Operation};
use osp_register::berichten::terugkoppeling::TerugkoppelingModus;
use osp_register::domain::{Bericht, Inschrijving, Pgn, VerwijderingInschrijving};
use osp_register::store::records::OutboxBericht;
use osp_register::{Delivery, Register, RegisterConfig, Service};

const AA2: &str = "00000004000000099000";

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| Validator::new().unwrap())
}

/// Validates a stored message as its own root element of the OphalenBerichtenVO contract.
fn assert_valid_bericht(b: &OutboxBericht) {
    let root = format!("{}_Request", b.soort);
    if let Err(v) = validator().validate_root(Contract::OphalenBerichtenVO, &root, &b.inhoud) {
        panic!("message not XSD-valid: {v:?}\n{}", b.inhoud);
    }
    common::model::rond_op_naam(&b.inhoud);
}

fn daan() -> Pgn {
    Pgn::Burgerservicenummer("999990019".into())
}

fn bij(pgn: Pgn, brin: &str, volg: &str, van: &str, tot: Option<&str>) -> Inschrijving {
    let mut i = inschrijving(pgn, volg);
    let (aanbieder, locatie, vestiging) = match brin {
        "99AA" => ("100A001", "100X001", "99AA00"),
        _ => ("100A002", "100X003", "99BB00"),
    };
    i.brin = brin.into();
    i.datum_inschrijving = date(van);
    i.datum_uitschrijving = tot.map(date);
    i.perioden = vec![periode(van, 2)];
    for p in &mut i.perioden {
        p.onderwijsaanbieder = Some(aanbieder.into());
        p.onderwijslocatie = Some(locatie.into());
        p.vestiging = vestiging.into();
    }
    i
}

fn berichten(r: &Register, oin: &str, soort: &str) -> Vec<OutboxBericht> {
    let v: Vec<OutboxBericht> = r
        .outbox_read("s", oin, 0, 1000)
        .unwrap()
        .into_iter()
        .filter(|b| b.soort == soort)
        .collect();
    v.iter().for_each(assert_valid_bericht);
    v
}

fn el(b: &OutboxBericht) -> String {
    b.inhoud.clone()
}

fn tekst(e: &str, pad: &[&str]) -> Option<String> {
    common::xml::tekst_op(e, pad)
}

const BEWIJS: &str = "verstrekkenDigitaalInUitschrijfbewijsVO";
const BEKOSTIGING: &str = "verstrekkenBekostigingVO";

#[test]
fn transfer_99aa_to_99bb_leaves_both_bewijzen_with_each_schools_own_volgnummer() {
    let (_d, r) = register();
    let aa = bij(daan(), "99AA", "AA-2023-7", "2023-08-01", None);
    assert!(
        lever(
            &r,
            "s",
            AA,
            &uuid(1),
            "2025-09-01T08:00:00Z",
            Bericht::Inschrijving(aa.clone())
        )
        .terugkoppeling
        .levering_goedgekeurd
    );
    assert!(
        berichten(&r, AA, BEWIJS).is_empty(),
        "a first inschrijving informs nobody"
    );

    let bb = bij(daan(), "99BB", "BB-2025-17", "2025-09-01", None);
    let mut bb_kop = lever(
        &r,
        "s",
        BB,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Inschrijving(bb.clone()),
    );
    assert!(bb_kop.terugkoppeling.levering_goedgekeurd);
    for oin in [AA, AA2] {
        let v = berichten(&r, oin, BEWIJS);
        assert_eq!(v.len(), 1, "{oin}");
        let e = el(&v[0]);
        assert_eq!(
            tekst(&e, &["soortBewijs"]).as_deref(),
            Some("INSCHRIJFBEWIJS")
        );
        assert_eq!(
            tekst(&e, &["eigenInschrijvingvolgnummer"]).as_deref(),
            Some("AA-2023-7")
        );
        assert_eq!(
            tekst(&e, &["ontvangendeInstantie"]).as_deref(),
            Some("99AA")
        );
        assert_eq!(tekst(&e, &["verzendendeInstantie"]).as_deref(), Some("DUO"));
        assert_eq!(
            tekst(&e, &["burgerservicenummer"]).as_deref(),
            Some("999990019")
        );
        assert_eq!(
            tekst(&e, &["inschrijving", "brin"]).as_deref(),
            Some("99BB")
        );
        assert_eq!(
            tekst(&e, &["inschrijving", "onderwijsaanbieder"]).as_deref(),
            Some("100A002")
        );
        assert_eq!(
            tekst(&e, &["inschrijving", "onderwijslocatie"]).as_deref(),
            Some("100X003")
        );
        assert_eq!(
            tekst(&e, &["inschrijving", "datumInschrijving"]).as_deref(),
            Some("2025-09-01")
        );
    }
    assert!(berichten(&r, BB, BEWIJS).is_empty());

    let aa_uit = bij(
        daan(),
        "99AA",
        "AA-2023-7",
        "2023-08-01",
        Some("2025-08-31"),
    );
    lever(
        &r,
        "s",
        AA,
        &uuid(3),
        "2025-09-03T08:00:00Z",
        Bericht::Inschrijving(aa_uit),
    );
    let v = berichten(&r, BB, BEWIJS);
    assert_eq!(v.len(), 1);
    let e = el(&v[0]);
    assert_eq!(
        tekst(&e, &["soortBewijs"]).as_deref(),
        Some("UITSCHRIJFBEWIJS")
    );
    assert_eq!(
        tekst(&e, &["eigenInschrijvingvolgnummer"]).as_deref(),
        Some("BB-2025-17")
    );
    assert_eq!(
        tekst(&e, &["inschrijving", "brin"]).as_deref(),
        Some("99AA")
    );
    assert_eq!(
        tekst(&e, &["inschrijving", "datumUitschrijving"]).as_deref(),
        Some("2025-08-31")
    );
    assert_eq!(
        berichten(&r, AA, BEWIJS).len(),
        1,
        "99AA gets no bewijs of its own uitschrijving"
    );

    // Same stand again with a new identificatiecode: dates unchanged, no bewijs.
    bb_kop = lever(
        &r,
        "s",
        BB,
        &uuid(4),
        "2025-09-04T08:00:00Z",
        Bericht::Inschrijving(bb),
    );
    assert!(bb_kop.terugkoppeling.levering_goedgekeurd);
    assert_eq!(berichten(&r, AA, BEWIJS).len(), 1);

    // Verwijdering of 99BB's inschrijving: 99AA (uitgeschreven 2 weeks ago) hears the date is gone.
    let w = VerwijderingInschrijving {
        pgn: daan(),
        brin: "99BB".into(),
        inschrijvingvolgnummer: "BB-2025-17".into(),
    };
    lever(
        &r,
        "s",
        BB,
        &uuid(5),
        "2025-09-05T08:00:00Z",
        Bericht::VerwijderingInschrijving(w),
    );
    let v = berichten(&r, AA, BEWIJS);
    assert_eq!(v.len(), 2);
    let e = el(&v[1]);
    assert_eq!(
        tekst(&e, &["inschrijving", "brin"]).as_deref(),
        Some("99BB")
    );
    assert_eq!(tekst(&e, &["inschrijving", "datumInschrijving"]), None);
    // identificatiecodes are distinct
    let ids: std::collections::BTreeSet<_> = r
        .outbox_read("s", AA, 0, 100)
        .unwrap()
        .iter()
        .map(|b| tekst(&el(b), &["identificatiecodeBedrijfsdocument"]))
        .collect();
    assert_eq!(ids.len(), r.outbox_read("s", AA, 0, 100).unwrap().len());
}

#[test]
fn bekostiging_after_each_stand_and_spontaneously_on_a_double_inschrijving() {
    let (_d, r) = register(); // register date 2025-09-15: teldatum 2025-10-01
    lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(bij(daan(), "99AA", "A1", "2023-08-01", None)),
    );
    let v = berichten(&r, AA, BEKOSTIGING);
    assert_eq!(v.len(), 1);
    let e = el(&v[0]);
    assert_eq!(tekst(&e, &["indicatieBekostigd"]).as_deref(), Some("true"));
    assert_eq!(
        tekst(&e, &["datumEersteInschrijvingNederland"]).as_deref(),
        Some("2023-08-01")
    );
    assert_eq!(
        tekst(&e, &["indicatieNieuwkomersbekostiging"]).as_deref(),
        Some("false")
    );
    assert_eq!(
        tekst(&e, &["inschrijvingvolgnummer"]).as_deref(),
        Some("A1")
    );
    assert_eq!(tekst(&e, &["bekostigingssignaal", "code"]), None);

    // 99BB enrols while 99AA has not uitgeschreven: double on 1 October, both schools told.
    lever(
        &r,
        "s",
        BB,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Inschrijving(bij(daan(), "99BB", "B1", "2025-09-01", None)),
    );
    let bb = berichten(&r, BB, BEKOSTIGING);
    assert_eq!(bb.len(), 1);
    let e = el(&bb[0]);
    assert_eq!(tekst(&e, &["indicatieBekostigd"]).as_deref(), Some("false"));
    assert_eq!(
        tekst(&e, &["bekostigingssignaal", "code"]).as_deref(),
        Some("0701")
    );
    assert_eq!(
        tekst(&e, &["bekostigingssignaal", "tekst"]).as_deref(),
        Some("Leerling staat op de teldatum ook ingeschreven bij een andere school")
    );
    assert_eq!(
        tekst(&e, &["datumEersteInschrijvingNederland"]).as_deref(),
        Some("2023-08-01")
    );
    let aa = berichten(&r, AA, BEKOSTIGING);
    assert_eq!(aa.len(), 2, "spontaneous message to 99AA");
    let e = el(&aa[1]);
    assert_eq!(tekst(&e, &["brin"]).as_deref(), Some("99AA"));
    assert_eq!(tekst(&e, &["indicatieBekostigd"]).as_deref(), Some("true"));
    assert_eq!(
        tekst(&e, &["bekostigingssignaal", "code"]).as_deref(),
        Some("0701")
    );

    // 99AA registers the uitschrijving: the double disappears, 99BB is told spontaneously.
    lever(
        &r,
        "s",
        AA,
        &uuid(3),
        "2025-09-03T08:00:00Z",
        Bericht::Inschrijving(bij(daan(), "99AA", "A1", "2023-08-01", Some("2025-08-31"))),
    );
    let bb = berichten(&r, BB, BEKOSTIGING);
    assert_eq!(bb.len(), 2);
    let e = el(&bb[1]);
    assert_eq!(tekst(&e, &["indicatieBekostigd"]).as_deref(), Some("true"));
    assert_eq!(tekst(&e, &["bekostigingssignaal", "code"]), None);
    assert_eq!(berichten(&r, AA, BEKOSTIGING).len(), 3);
}

#[test]
fn newcomer_gets_0704() {
    let (_d, r) = register();
    let y = Pgn::Burgerservicenummer("999990020".into());
    lever(
        &r,
        "s",
        BB,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(bij(y, "99BB", "B9", "2025-08-20", None)),
    );
    let e = el(&berichten(&r, BB, BEKOSTIGING)[0]);
    assert_eq!(
        tekst(&e, &["indicatieNieuwkomersbekostiging"]).as_deref(),
        Some("true")
    );
    assert_eq!(
        tekst(&e, &["bekostigingssignaal", "code"]).as_deref(),
        Some("0704")
    );
}

fn register_met(modus: TerugkoppelingModus) -> (tempfile::TempDir, Register) {
    let d = tempfile::tempdir().unwrap();
    let cfg = RegisterConfig {
        today: Some(date("2025-09-15")),
        terugkoppeling: modus,
        ..RegisterConfig::default()
    };
    let r = Register::open(&d.path().join("data"), reference(), cfg).unwrap();
    (d, r)
}

fn deliver(r: &Register, from: &str, op: Operation, body: &str) -> String {
    let reply = r
        .deliver(Delivery {
            sandbox: "s",
            certificaat_oin: from,
            from_oin: from,
            message_id: "urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01",
            operation: op,
            body,
        })
        .unwrap();
    if let Err(v) = validator().validate_root(op.contract(), &op.response_element(), &reply.body) {
        panic!("response not XSD-valid: {v:?}\n{}", reply.body);
    }
    common::model::rond_op_naam(&reply.body);
    reply.body
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/samples")
            .join(name),
    )
    .unwrap()
}

#[test]
fn terugkoppeling_mode_async_both_and_sync() {
    let inschrijving = sample("aanleverenInschrijvingVO_Request.xml");
    let fout = inschrijving
        .replace(
            "0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10",
            "0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b11",
        )
        .replace(
            "<bas:burgerservicenummer>999990007<",
            "<bas:burgerservicenummer>999990000<",
        );
    for (modus, in_antwoord, als_bericht) in [
        (TerugkoppelingModus::Sync, true, false),
        (TerugkoppelingModus::Async, false, true),
        (TerugkoppelingModus::Both, true, true),
    ] {
        let (_d, r) = register_met(modus);
        let a = deliver(&r, AA, Operation::AanleverenInschrijvingVO, &inschrijving);
        let b = deliver(&r, AA, Operation::AanleverenInschrijvingVO, &fout);
        assert_eq!(a.contains("terugkoppeling>"), in_antwoord, "{modus:?}: {a}");
        assert!(
            a.contains("<ins:ontvangstBevestiging>J<") || a.contains(":ontvangstBevestiging>J<")
        );
        // A replay of the same delivery gives the identical answer and no second message.
        assert_eq!(
            deliver(&r, AA, Operation::AanleverenInschrijvingVO, &fout),
            b
        );
        let v = berichten(&r, AA, "terugkoppelingInschrijvingVO");
        assert_eq!(v.len(), if als_bericht { 2 } else { 0 }, "{modus:?}");
        if als_bericht {
            let ok = rond::<m::TerugkoppelingInschrijvingVORequest>(&v[0].inhoud);
            let tk = ok.terugkoppeling;
            assert_eq!(
                tk.identificatiecode_bedrijfsdocument.0,
                "0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10"
            );
            assert!(tk.levering_goedgekeurd.value());
            assert!(tk.stand.is_some());
            let afgekeurd = rond::<m::TerugkoppelingInschrijvingVORequest>(&v[1].inhoud);
            let tk = &afgekeurd.terugkoppeling;
            assert!(!tk.levering_goedgekeurd.value());
            assert_eq!(
                tk.foutmelding.first().map(|f| f.foutcode.0.as_str()),
                Some("0101")
            );
            assert_eq!(afgekeurd.ontvangende_instantie.0, "99AA");
            assert!(berichten(&r, BB, "terugkoppelingInschrijvingVO").is_empty());
        }
    }
}

#[test]
fn pull_with_cursor_and_max_then_acknowledge() {
    let (_d, r) = register_met(TerugkoppelingModus::Both);
    deliver(
        &r,
        AA,
        Operation::AanleverenInschrijvingVO,
        &sample("aanleverenInschrijvingVO_Request.xml"),
    );
    // terugkoppeling + bekostiging for 0000000700099AA00000
    let alle = r.outbox_read("s", AA, 0, 100).unwrap();
    assert_eq!(alle.len(), 2);
    let ophalen = sample("ophalenBerichtenVO_Request.xml")
        .replace("<obv:maximumAantal>100<", "<obv:maximumAantal>1<");
    let eerste = deliver(&r, AA, Operation::OphalenBerichtenVO, &ophalen);
    let e = rond::<m::OphalenBerichtenVOResponse>(&eerste);
    assert_eq!(e.bericht.len(), 1);
    assert!(e.meer_berichten.value());
    let cursor = e.cursor.to_string();
    assert_eq!(cursor, alle[0].id.to_string());
    let tweede = deliver(
        &r,
        AA,
        Operation::OphalenBerichtenVO,
        &ophalen.replace("<obv:cursor>0<", &format!("<obv:cursor>{cursor}<")),
    );
    let e2 = rond::<m::OphalenBerichtenVOResponse>(&tweede);
    assert_eq!(e2.bericht.len(), 1);
    assert!(!e2.meer_berichten.value());
    assert_eq!(
        e2.bericht.first().map(|b| b.volgnummer.to_string()),
        Some(alle[1].id.to_string())
    );
    // acknowledge both; nothing comes back afterwards
    let ids: Vec<String> = [&e, &e2]
        .iter()
        .filter_map(|x| x.bericht.first().map(|b| b.bericht_id.0.clone()))
        .collect();
    let mut bevestig = sample("bevestigenBerichtenVO_Request.xml");
    let een = "<obv:berichtId>c5d6e7f8-091a-4526-9798-b3c4d5e6f708</obv:berichtId>";
    assert!(bevestig.contains(een));
    bevestig = bevestig.replace(
        een,
        &ids.iter()
            .map(|i| format!("<obv:berichtId>{i}</obv:berichtId>"))
            .collect::<String>(),
    );
    let b = deliver(&r, AA, Operation::BevestigenBerichtenVO, &bevestig);
    assert!(
        b.contains("<obv:aantalBevestigd>2</obv:aantalBevestigd>"),
        "{b}"
    );
    let leeg = deliver(&r, AA, Operation::OphalenBerichtenVO, &ophalen);
    assert!(!leeg.contains("<obv:bericht>"));
    // the second administratie of 99AA still has its own bekostigingsbericht
    assert_eq!(r.outbox_read("s", AA2, 0, 10).unwrap().len(), 1);
}
