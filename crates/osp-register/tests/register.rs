//! Register behaviour through `Register::verwerk` on a real sled store: stands, history,
//! idempotency, order, verwijdering, identificatie, sandboxes, outbox and follow-up producers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use std::sync::Arc;

use common::*;
use osp_register::domain::*;
use osp_register::register::{
    Inschrijvingswijziging, NieuwBericht, RegisterLezer, Vervolgberichten,
};
use osp_register::rules::Context;
use osp_register::store::StoreError;
use osp_register::{Historie, Register, RegisterConfig, RegisterError, ServiceError, StandSleutel};

fn historie_inschrijving(
    r: &Register,
    sb: &str,
    pgn: &Pgn,
    volg: &str,
) -> Vec<Option<Inschrijving>> {
    let sleutel = StandSleutel::Inschrijving {
        pgn: pgn.clone(),
        brin: "99AA".into(),
        inschrijvingvolgnummer: volg.into(),
    };
    match r.history(sb, &sleutel).unwrap() {
        Historie::Inschrijving(h) => h.into_iter().map(|s| s.inhoud).collect(),
        Historie::Examenresultaat(_) => panic!("wrong kind"),
    }
}

#[test]
fn stand_replacement_drops_omitted_periods_and_history_keeps_every_stand() {
    let (_d, r) = register();
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    assert!(
        a.terugkoppeling.levering_goedgekeurd,
        "{:?}",
        a.terugkoppeling
    );
    assert_eq!(a.terugkoppeling.stand.as_ref().unwrap().volgnummer, 1);
    assert_eq!(a.operatie, "aanleverenInschrijvingVO");
    assert_eq!(a.ontvangende_instantie, "99AA");

    let mut tweede = inschrijving(sanne(), "V1");
    tweede.perioden.truncate(1);
    let b = lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Inschrijving(tweede.clone()),
    );
    assert_eq!(b.terugkoppeling.stand.as_ref().unwrap().volgnummer, 2);

    let state = r.person_state("s", &sanne()).unwrap();
    assert_eq!(state.inschrijvingen.len(), 1);
    assert_eq!(
        state.inschrijvingen[0]
            .inhoud
            .as_ref()
            .unwrap()
            .perioden
            .len(),
        1
    );
    assert_eq!(state.inschrijvingen[0].volgnummer, 2);
    assert_eq!(state.persoon.as_ref().unwrap().achternaam, "Jansen");
    assert_eq!(state.inschrijvingen[0].herkomst.identificatiecode, uuid(2));
    serde_json::to_string(&state).unwrap();

    let h = historie_inschrijving(&r, "s", &sanne(), "V1");
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].as_ref().unwrap().perioden.len(), 2);
    assert_eq!(h[1].as_ref(), Some(&tweede));
}

#[test]
fn afgekeurde_levering_changes_nothing() {
    let (_d, r) = register();
    lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    let mut fout = inschrijving(sanne(), "V1");
    fout.perioden.truncate(1);
    fout.perioden[0].leerjaar = Some(9);
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Inschrijving(fout),
    );
    assert!(!a.terugkoppeling.levering_goedgekeurd);
    assert_eq!(codes(&a), ["0205"]);
    assert!(a.terugkoppeling.stand.is_none());
    let state = r.person_state("s", &sanne()).unwrap();
    assert_eq!(state.inschrijvingen[0].volgnummer, 1);
    assert_eq!(
        state.inschrijvingen[0]
            .inhoud
            .as_ref()
            .unwrap()
            .perioden
            .len(),
        2
    );
    assert_eq!(historie_inschrijving(&r, "s", &sanne(), "V1").len(), 1);
}

#[test]
fn idempotent_replay_and_0001() {
    let (_d, r) = register();
    let ins = inschrijving(sanne(), "V1");
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(ins.clone()),
    );
    let b = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(ins.clone()),
    );
    assert_eq!(a, b, "identical body: the stored answer");
    assert_eq!(
        historie_inschrijving(&r, "s", &sanne(), "V1").len(),
        1,
        "applied once"
    );

    let mut ander = ins.clone();
    ander.perioden.truncate(1);
    let c = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(ander),
    );
    assert_eq!(codes(&c), ["0001"]);
    assert!(!c.terugkoppeling.levering_goedgekeurd);
    assert_eq!(historie_inschrijving(&r, "s", &sanne(), "V1").len(), 1);
    // the original answer is still what a resend of the original gets
    assert_eq!(
        lever(
            &r,
            "s",
            AA,
            &uuid(1),
            "2025-09-01T08:00:00Z",
            Bericht::Inschrijving(ins)
        ),
        a
    );

    // afgekeurde answers are recorded too: the same afgekeurde body gets the same answer
    let mut fout = inschrijving(sanne(), "V2");
    fout.perioden[0].leerjaar = Some(0);
    let x = lever(
        &r,
        "s",
        AA,
        &uuid(9),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(fout.clone()),
    );
    let y = lever(
        &r,
        "s",
        AA,
        &uuid(9),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(fout),
    );
    assert_eq!(x, y);
}

#[test]
fn older_stand_is_refused_with_0002() {
    let (_d, r) = register();
    lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-02T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    assert_eq!(codes(&a), ["0002"]);
    // near miss: another key of the same person is not compared
    let b = lever(
        &r,
        "s",
        AA,
        &uuid(3),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V2")),
    );
    assert!(b.terugkoppeling.levering_goedgekeurd);
}

#[test]
fn verwijdering_removes_and_numbering_continues() {
    let (_d, r) = register();
    let w = VerwijderingInschrijving {
        pgn: sanne(),
        brin: "99AA".into(),
        inschrijvingvolgnummer: "V1".into(),
    };
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::VerwijderingInschrijving(w.clone()),
    );
    assert_eq!(codes(&a), ["0301"]);
    assert_eq!(a.terugkoppeling.foutmeldingen[0].sleutelgegevens.len(), 3);

    lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    let b = lever(
        &r,
        "s",
        AA,
        &uuid(3),
        "2025-09-03T08:00:00Z",
        Bericht::VerwijderingInschrijving(w.clone()),
    );
    assert!(b.terugkoppeling.levering_goedgekeurd);
    assert_eq!(b.terugkoppeling.stand.as_ref().unwrap().volgnummer, 2);
    assert!(r
        .person_state("s", &sanne())
        .unwrap()
        .inschrijvingen
        .is_empty());
    let c = lever(
        &r,
        "s",
        AA,
        &uuid(4),
        "2025-09-04T08:00:00Z",
        Bericht::VerwijderingInschrijving(w),
    );
    assert_eq!(codes(&c), ["0301"]);
    let d = lever(
        &r,
        "s",
        AA,
        &uuid(5),
        "2025-09-05T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    assert_eq!(d.terugkoppeling.stand.as_ref().unwrap().volgnummer, 3);
    let h = historie_inschrijving(&r, "s", &sanne(), "V1");
    assert_eq!(h.len(), 3);
    assert!(h[1].is_none());
}

fn zonder_pgn(
    achternaam: &str,
    voornamen: Option<&str>,
    geboren: &str,
    geslacht: Geslacht,
) -> Identificatie {
    Identificatie {
        huidig_onderwijsnummer: None,
        geboortedatum: Geboortedatum::parse(geboren).unwrap(),
        geslacht,
        zoek: Zoekgegevens::ZonderPgn(ZonderPgn {
            achternaam: achternaam.into(),
            voorvoegsels: None,
            voornamen: voornamen.map(String::from),
            adres: None,
        }),
    }
}

#[test]
fn identificatie_assigns_stable_onderwijsnummer_accepted_in_inschrijving() {
    let (_d, r) = register();
    let lina = zonder_pgn("Haddad", Some("Lina"), "2011-04-00", Geslacht::Vrouw);
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Identificatie(lina.clone()),
    );
    assert!(a.terugkoppeling.levering_goedgekeurd);
    let Some(Pgn::Onderwijsnummer(own)) = a.terugkoppeling.persoon.clone() else {
        panic!("{a:?}")
    };
    assert!(osp_register::checkdigit::onderwijsnummer_geldig(&own));
    let b = lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Identificatie(lina.clone()),
    );
    assert_eq!(
        b.terugkoppeling.persoon,
        Some(Pgn::Onderwijsnummer(own.clone()))
    );
    // same input in another sandbox: the same number (deterministic from the input)
    let c = lever(
        &r,
        "t",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Identificatie(lina),
    );
    assert_eq!(
        c.terugkoppeling.persoon,
        Some(Pgn::Onderwijsnummer(own.clone()))
    );

    // the OWN is accepted in an inschrijving (with the nieuwkomers indicatie, rule 0207)
    let pgn = Pgn::Onderwijsnummer(own.clone());
    let mut ins = inschrijving(pgn.clone(), "V1");
    ins.datum_inschrijving = date("2025-08-01");
    ins.perioden = vec![periode("2025-08-01", 1)];
    ins.perioden[0].indicatie_nieuwkomersbekostiging = Some(true);
    let d = lever(
        &r,
        "s",
        AA,
        &uuid(3),
        "2025-09-03T08:00:00Z",
        Bericht::Inschrijving(ins.clone()),
    );
    assert!(
        d.terugkoppeling.levering_goedgekeurd,
        "{:?}",
        d.terugkoppeling
    );
    assert_eq!(
        r.person_state("s", &pgn)
            .unwrap()
            .persoon
            .unwrap()
            .achternaam,
        "Haddad"
    );
    // an OWN never issued in this sandbox is refused (0104)
    let e = lever(
        &r,
        "u",
        AA,
        &uuid(3),
        "2025-09-03T08:00:00Z",
        Bericht::Inschrijving(ins),
    );
    assert_eq!(codes(&e), ["0104"]);
}

#[test]
fn identificatie_finds_brp_person_and_refuses_ambiguity() {
    let (_d, r) = register();
    let sanne_zoek = zonder_pgn("jansen", None, "2012-03-14", Geslacht::Vrouw);
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Identificatie(sanne_zoek),
    );
    assert_eq!(a.terugkoppeling.persoon, Some(sanne()));

    for (i, naam) in [(2, "Lina"), (3, "Sara")] {
        let p = zonder_pgn("Haddad", Some(naam), "2011-04-12", Geslacht::Vrouw);
        let x = lever(
            &r,
            "s",
            AA,
            &uuid(i),
            "2025-09-01T08:00:00Z",
            Bericht::Identificatie(p),
        );
        assert!(matches!(
            x.terugkoppeling.persoon,
            Some(Pgn::Onderwijsnummer(_))
        ));
    }
    let vaag = zonder_pgn("Haddad", None, "2011-04-00", Geslacht::Vrouw);
    let b = lever(
        &r,
        "s",
        AA,
        &uuid(4),
        "2025-09-01T08:00:00Z",
        Bericht::Identificatie(vaag),
    );
    assert_eq!(codes(&b), ["0106"]);
    assert!(b.terugkoppeling.persoon.is_none());

    let toekomst = zonder_pgn("Nieuw", None, "2026-01-01", Geslacht::Man);
    assert_eq!(
        codes(&lever(
            &r,
            "s",
            AA,
            &uuid(5),
            "2025-09-01T08:00:00Z",
            Bericht::Identificatie(toekomst)
        )),
        ["0105"]
    );

    let met = |pgn: Pgn| Identificatie {
        huidig_onderwijsnummer: None,
        geboortedatum: Geboortedatum::parse("2012-03-14").unwrap(),
        geslacht: Geslacht::Vrouw,
        zoek: Zoekgegevens::MetPgn(pgn),
    };
    let c = lever(
        &r,
        "s",
        AA,
        &uuid(6),
        "2025-09-01T08:00:00Z",
        Bericht::Identificatie(met(sanne())),
    );
    assert_eq!(c.terugkoppeling.persoon, Some(sanne()));
    let onbekend = Pgn::Burgerservicenummer("999990147".into());
    let d = lever(
        &r,
        "s",
        AA,
        &uuid(7),
        "2025-09-01T08:00:00Z",
        Bericht::Identificatie(met(onbekend)),
    );
    assert_eq!(codes(&d), ["0103"]);
    let fout = Pgn::Burgerservicenummer("999990001".into());
    assert_eq!(
        codes(&lever(
            &r,
            "s",
            AA,
            &uuid(8),
            "2025-09-01T08:00:00Z",
            Bericht::Identificatie(met(fout))
        )),
        ["0101"]
    );
}

#[test]
fn sandboxes_are_isolated_and_reset() {
    let (_d, r) = register();
    lever(
        &r,
        "a",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    assert!(r
        .person_state("b", &sanne())
        .unwrap()
        .inschrijvingen
        .is_empty());
    // the same identificatiecode in another sandbox is a new message
    let b = lever(
        &r,
        "b",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V9")),
    );
    assert!(b.terugkoppeling.levering_goedgekeurd);
    assert!(r.reset_sandbox("a").unwrap() >= 3);
    assert!(r
        .person_state("a", &sanne())
        .unwrap()
        .inschrijvingen
        .is_empty());
    assert_eq!(
        r.person_state("b", &sanne()).unwrap().inschrijvingen.len(),
        1
    );
    assert!(matches!(
        r.reset_sandbox(""),
        Err(RegisterError::Sandbox(_))
    ));
}

#[test]
fn clock_per_sandbox_drives_date_rules() {
    let (_d, r) = register();
    assert_eq!(r.today("x"), date("2025-09-15"));
    r.set_today("x", Some(date("2025-07-01")));
    assert_eq!(r.today("x"), date("2025-07-01"));
    let toekomst = zonder_pgn("Later", None, "2025-08-01", Geslacht::Man);
    let a = lever(
        &r,
        "x",
        AA,
        &uuid(1),
        "2025-06-01T08:00:00Z",
        Bericht::Identificatie(toekomst.clone()),
    );
    assert_eq!(codes(&a), ["0105"]);
    let b = lever(
        &r,
        "y",
        AA,
        &uuid(1),
        "2025-06-01T08:00:00Z",
        Bericht::Identificatie(toekomst),
    );
    assert!(b.terugkoppeling.levering_goedgekeurd);
    assert_eq!(b.response_datum_tijd.date_naive(), date("2025-09-15"));
}

#[test]
fn waardenlijst_violation_is_a_fault_and_stores_nothing() {
    let (_d, r) = register();
    let mut ins = inschrijving(sanne(), "V1");
    ins.perioden[0].experimenten = vec!["TURBO".into()];
    let e = try_lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(ins),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ServiceError::OngeldigeWaarde {
            element: "naam".into(),
            waarde: "TURBO".into()
        }
    );
    let ok = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    assert!(
        ok.terugkoppeling.levering_goedgekeurd,
        "the fault recorded nothing"
    );
}

#[test]
fn examenresultaat_stands_and_verwijdering() {
    let (_d, r) = register();
    let finn = Pgn::Burgerservicenummer("999990068".into());
    let er = Examenresultaat {
        pgn: finn.clone(),
        brin: "99AA".into(),
        examenresultaatvolgnummer: "EX1".into(),
        onderwijsaanbieder: "100A001".into(),
        vestiging: None,
        inschrijvingvolgnummer: None,
        indicatie_teruggetrokken: None,
        indicatie_eerder_leerjaar: None,
        indicatie_gespreid_examen: None,
        indicatie_doorlopende_leerlijn: None,
        uitslag: Some(Uitslag {
            examenregime: 2025,
            niveau: Niveau::Havo,
            datum_uitslag: date("2025-07-10"),
            uitslag: UitslagWaarde::Geslaagd,
            soort_waardedocument: None,
            indicatie_cum_laude: None,
        }),
        cijferlijsten: vec![],
    };
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Examenresultaat(er.clone()),
    );
    assert!(
        a.terugkoppeling.levering_goedgekeurd,
        "{:?}",
        a.terugkoppeling
    );
    let mut fout = er.clone();
    fout.onderwijsaanbieder = "100A002".into();
    let b = lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Examenresultaat(fout),
    );
    assert_eq!(codes(&b), ["0501"]);
    let w = VerwijderingExamenresultaat {
        pgn: finn.clone(),
        brin: "99AA".into(),
        examenresultaatvolgnummer: "EX1".into(),
    };
    let c = lever(
        &r,
        "s",
        AA,
        &uuid(3),
        "2025-09-03T08:00:00Z",
        Bericht::VerwijderingExamenresultaat(w.clone()),
    );
    assert_eq!(c.terugkoppeling.stand.as_ref().unwrap().volgnummer, 2);
    assert!(r
        .person_state("s", &finn)
        .unwrap()
        .examenresultaten
        .is_empty());
    let d = lever(
        &r,
        "s",
        AA,
        &uuid(4),
        "2025-09-04T08:00:00Z",
        Bericht::VerwijderingExamenresultaat(w),
    );
    assert_eq!(codes(&d), ["0301"]);
    let sleutel = StandSleutel::Examenresultaat {
        pgn: finn,
        brin: "99AA".into(),
        examenresultaatvolgnummer: "EX1".into(),
    };
    let Historie::Examenresultaat(h) = r.history("s", &sleutel).unwrap() else {
        panic!()
    };
    assert_eq!(h.len(), 2);
}

#[test]
fn authorisation_0901_uses_from_oin() {
    let (_d, r) = register();
    let a = lever(
        &r,
        "s",
        BB,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    assert_eq!(codes(&a), ["0901"]);
}

#[test]
fn answers_and_identificatiecodes_do_not_cross_administraties() {
    let (_d, r) = register();
    let ins = inschrijving(sanne(), "V1");
    let t = "2025-09-01T08:00:00Z";
    let a = lever(&r, "s", AA, &uuid(1), t, Bericht::Inschrijving(ins.clone()));
    assert!(a.terugkoppeling.levering_goedgekeurd);

    // 99BB's administratie re-sends 99AA's exact body: 0901, not 99AA's stored answer.
    let b = lever(&r, "s", BB, &uuid(1), t, Bericht::Inschrijving(ins.clone()));
    assert_eq!(codes(&b), ["0901"]);
    assert_ne!(b.response_identificatiecode, a.response_identificatiecode);
    // A different body under that identificatiecode: 0901, not "the id exists" (0001).
    let mut ander = ins.clone();
    ander.perioden.truncate(1);
    assert_eq!(
        codes(&lever(
            &r,
            "s",
            BB,
            &uuid(1),
            t,
            Bericht::Inschrijving(ander)
        )),
        ["0901"]
    );
    // Nor does a removal of 99AA's key tell 99BB whether it exists (0301 / goedgekeurd).
    let weg = VerwijderingInschrijving {
        pgn: sanne(),
        brin: "99AA".into(),
        inschrijvingvolgnummer: "V1".into(),
    };
    let w = lever(
        &r,
        "s",
        BB,
        &uuid(2),
        t,
        Bericht::VerwijderingInschrijving(weg.clone()),
    );
    assert_eq!(codes(&w), ["0901"]);
    let weg_onbekend = VerwijderingInschrijving {
        inschrijvingvolgnummer: "ONBEKEND".into(),
        ..weg
    };
    assert_eq!(
        codes(&lever(
            &r,
            "s",
            BB,
            &uuid(3),
            t,
            Bericht::VerwijderingInschrijving(weg_onbekend)
        )),
        ["0901"]
    );

    // 99BB's own delivery may use the same identificatiecode: stored answers are per sender.
    let mut eigen = inschrijving(sanne(), "B1");
    eigen.brin = "99BB".into();
    for p in &mut eigen.perioden {
        p.vestiging = "99BB00".into();
        p.onderwijsaanbieder = Some("100A002".into());
        p.onderwijslocatie = Some("100X003".into());
    }
    let e = lever(&r, "s", BB, &uuid(1), t, Bericht::Inschrijving(eigen));
    assert!(
        e.terugkoppeling.levering_goedgekeurd,
        "{:?}",
        e.terugkoppeling
    );

    // 99AA still gets its own stored answer, and its stand is untouched.
    assert_eq!(
        lever(&r, "s", AA, &uuid(1), t, Bericht::Inschrijving(ins)),
        a
    );
    assert_eq!(historie_inschrijving(&r, "s", &sanne(), "V1").len(), 1);
}

/// A producer that sends every school an echo of each registered change (test double for the
/// bekostiging / bewijs producers).
struct Echo;

impl Vervolgberichten for Echo {
    fn na_inschrijving(
        &self,
        lezer: &dyn RegisterLezer,
        w: Inschrijvingswijziging<'_>,
        _ctx: &Context<'_>,
    ) -> Result<Vec<NieuwBericht>, ServiceError> {
        let pgn = w.nieuw.or(w.oud).map(|i| i.pgn.clone()).unwrap();
        let aantal = lezer.inschrijvingen_van(w.sandbox, &pgn)?.len();
        Ok(vec![NieuwBericht {
            ontvanger_oin: AA.into(),
            soort: "echo".into(),
            inhoud: format!(
                "{} {aantal}",
                if w.nieuw.is_some() { "nieuw" } else { "weg" }
            ),
        }])
    }
}

#[test]
fn outbox_entries_come_with_the_stand_and_are_pulled_and_acked() {
    // Only the Echo double: DUO's default producers are switched off for this seam test.
    let _d = tempfile::tempdir().unwrap();
    let cfg = RegisterConfig {
        today: Some(date("2025-09-15")),
        vervolgberichten: false,
        ..RegisterConfig::default()
    };
    let r = Register::open(&_d.path().join("data"), reference(), cfg).unwrap();
    r.add_producer(Arc::new(Echo));
    lever(
        &r,
        "s",
        AA,
        &uuid(1),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(inschrijving(sanne(), "V1")),
    );
    let mut fout = inschrijving(sanne(), "V2");
    fout.perioden[0].leerjaar = Some(0);
    lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-01T08:00:00Z",
        Bericht::Inschrijving(fout),
    );
    let w = VerwijderingInschrijving {
        pgn: sanne(),
        brin: "99AA".into(),
        inschrijvingvolgnummer: "V1".into(),
    };
    lever(
        &r,
        "s",
        AA,
        &uuid(3),
        "2025-09-02T08:00:00Z",
        Bericht::VerwijderingInschrijving(w),
    );

    let berichten = r.outbox_read("s", AA, 0, 10).unwrap();
    let inhoud: Vec<_> = berichten.iter().map(|b| b.inhoud.as_str()).collect();
    assert_eq!(
        inhoud,
        ["nieuw 0", "weg 1"],
        "one per registered change, none for the afgekeurde"
    );
    assert!(berichten[0].id < berichten[1].id);
    assert!(r.outbox_read("t", AA, 0, 10).unwrap().is_empty());
    assert!(r.outbox_read("s", BB, 0, 10).unwrap().is_empty());
    assert_eq!(
        r.outbox_read("s", AA, berichten[0].id, 10).unwrap().len(),
        1
    );
    assert_eq!(r.outbox_ack("s", AA, &[berichten[0].id]).unwrap(), 1);
    assert_eq!(r.outbox_ack("s", AA, &[berichten[0].id]).unwrap(), 0);
    let rest = r.outbox_read("s", AA, 0, 10).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].inhoud, "weg 1");
    let extra = r
        .outbox_append(
            "s",
            NieuwBericht {
                ontvanger_oin: AA.into(),
                soort: "x".into(),
                inhoud: "y".into(),
            },
        )
        .unwrap();
    assert!(extra > rest[0].id);
    assert_eq!(r.outbox_read("s", AA, 0, 1).unwrap().len(), 1);
}

#[test]
fn data_dir_held_by_another_register_is_refused() {
    let (d, _r) = register();
    let e = Register::open(
        &d.path().join("data"),
        reference(),
        RegisterConfig::default(),
    )
    .unwrap_err();
    assert!(
        matches!(e, RegisterError::Opslag(StoreError::InGebruik(_))),
        "{e:?}"
    );
    assert!(e.to_string().contains("in gebruik"));
}

#[test]
fn parallel_deliveries_share_group_commits() {
    let (_d, r) = register();
    let bsns: Vec<String> = r.reference().brp.keys().take(8).cloned().collect();
    let threads: Vec<_> = bsns
        .clone()
        .into_iter()
        .enumerate()
        .map(|(t, bsn)| {
            let r = r.clone();
            std::thread::spawn(move || {
                for i in 0..20u32 {
                    let mut ins =
                        inschrijving(Pgn::Burgerservicenummer(bsn.clone()), &format!("V{i}"));
                    ins.datum_inschrijving = date("2024-08-01");
                    let a = lever(
                        &r,
                        "p",
                        AA,
                        &uuid(t as u32 * 1000 + i),
                        "2025-09-01T08:00:00Z",
                        Bericht::Inschrijving(ins),
                    );
                    assert!(
                        a.terugkoppeling.levering_goedgekeurd,
                        "{:?}",
                        a.terugkoppeling
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for bsn in bsns {
        let state = r.person_state("p", &Pgn::Burgerservicenummer(bsn)).unwrap();
        assert_eq!(state.inschrijvingen.len(), 20);
    }
    assert!(r.flush_count() <= 160);
}

/// A data dir of an osp before the stand-once layout holds the current stand twice (`i` and as
/// the last `ih` row) and as JSON: its history lists each stand once and numbering continues.
#[test]
fn history_of_a_legacy_data_dir_lists_each_stand_once() {
    use osp_register::store::records::{key, stand_part, Herkomst, StandRecord};
    use osp_register::store::{Batch, SledStore, Store, Wacht};
    let dir = tempfile::tempdir().unwrap();
    let pgn = sanne();
    let delen = [pgn.opslagsleutel(), "99AA".to_string(), "V1".to_string()];
    let record = StandRecord {
        volgnummer: 1,
        aanlevermoment: "2025-09-01T08:00:01Z".parse().unwrap(),
        herkomst: Herkomst {
            identificatiecode: uuid(1),
            datum_tijd_bedrijfsdocument: "2025-09-01T08:00:00Z".parse().unwrap(),
            certificaat_oin: AA.into(),
            from_oin: AA.into(),
            message_id: "urn:uuid:legacy".into(),
        },
        inhoud: Some(inschrijving(pgn.clone(), "V1")),
    };
    {
        let store = SledStore::open(dir.path()).unwrap();
        let json = serde_json::to_vec(&record).unwrap();
        let d: Vec<&str> = delen.iter().map(String::as_str).collect();
        let mut b = Batch::default();
        b.put(key("s", "i", &d), json.clone());
        b.put(key("s", "ih", &[d[0], d[1], d[2], &stand_part(1)]), json);
        store.commit(b, Wacht::Duurzaam).unwrap();
    }
    let r = Register::open(dir.path(), reference(), RegisterConfig::default()).unwrap();
    assert_eq!(historie_inschrijving(&r, "s", &pgn, "V1").len(), 1);
    let a = lever(
        &r,
        "s",
        AA,
        &uuid(2),
        "2025-09-02T08:00:00Z",
        Bericht::Inschrijving(inschrijving(pgn.clone(), "V1")),
    );
    assert_eq!(a.terugkoppeling.stand.as_ref().unwrap().volgnummer, 2);
    let h = historie_inschrijving(&r, "s", &pgn, "V1");
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h[0], record.inhoud);
}
