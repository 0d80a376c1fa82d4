//! Every hand writer of osp's outgoing XML against the generated model: the synchronous answers
//! of the five aanleveren operations (with and without terugkoppeling, goedgekeurd and afgekeurd,
//! both PGN kinds), the three terugkoppeling messages, both bewijzen and the bekostigingsbericht.
//! Each output must validate against `xsd/` and round-trip through its generated type
//! (`common::model::rond`); the pull answers are covered the same way in `berichten.rs` and
//! `deliver.rs`. The writers stay hand-written for speed; this is what keeps them honest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use chrono::{TimeZone, Utc};
use osp_model::messages as m;
use osp_model::Operation;
use osp_register::berichten::bekostiging;
use osp_register::berichten::bewijs::{self, Bewijs, SoortBewijs};
use osp_register::berichten::{self, terugkoppeling, Berichtsoort, Kop};
use osp_register::domain::Antwoord;
use osp_register::domain::*;
use osp_register::rules::g07_bekostiging::{Beoordeling, REGELS as SIGNALEN};

use common::model::{rond, rond_op_naam};

const AANLEVEREN: [Operation; 5] = [
    Operation::AanleverenInschrijvingVO,
    Operation::AanleverenVerwijderingInschrijvingVO,
    Operation::AanleverenIdentificerenPersoonVO,
    Operation::AanleverenExamenresultaatVO,
    Operation::AanleverenVerwijderingExamenresultaatVO,
];

fn moment() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 15, 7, 30, 0).unwrap()
}

/// The shapes a terugkoppeling takes: goedgekeurd with stand and persoon (BSN or OWN),
/// afgekeurd with several foutmeldingen (more than five sleutelgegevens, text that needs
/// escaping), and bare.
fn terugkoppelingen() -> Vec<Terugkoppeling> {
    let id = "0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10";
    let mut goed = Terugkoppeling::uit_foutmeldingen(
        id,
        vec![Foutmelding {
            foutcode: "0905".into(),
            fouttekst: "Melding".into(),
            ernst: Ernst::Melding,
            sleutelgegevens: vec![],
        }],
    );
    goed.stand = Some(Stand {
        volgnummer: 7,
        aanlevermoment: moment(),
    });
    goed.persoon = Some(Pgn::Burgerservicenummer("999990019".into()));
    let mut own = goed.clone();
    own.persoon = Some(Pgn::Onderwijsnummer("100000041".into()));
    let sleutels = (0..7)
        .map(|i| Sleutelgegeven {
            sleutelnaam: format!("sleutel{i}"),
            sleutelwaarde: "<a & \"b\">".into(),
        })
        .collect();
    let fout = Terugkoppeling::uit_foutmeldingen(
        id,
        vec![
            Foutmelding {
                foutcode: "0301".into(),
                fouttekst: "Tekst met <tekens> & 'aanhalingen'".into(),
                ernst: Ernst::Afkeuring,
                sleutelgegevens: sleutels,
            },
            Foutmelding {
                foutcode: "0104".into(),
                fouttekst: "Tweede".into(),
                ernst: Ernst::Signaal,
                sleutelgegevens: vec![],
            },
        ],
    );
    let kaal = Terugkoppeling::uit_foutmeldingen(id, vec![]);
    vec![goed, own, fout, kaal]
}

fn antwoord(op: Operation, tk: Terugkoppeling, in_antwoord: bool) -> Antwoord {
    Antwoord {
        body_hash: "0".repeat(64),
        operatie: op.name().into(),
        response_identificatiecode: "9a4e1f0c-7d33-4b8e-a2c1-55e0f3b9d7aa".into(),
        response_datum_tijd: moment(),
        ontvangende_instantie: "99AA".into(),
        terugkoppeling: tk,
        terugkoppeling_in_antwoord: in_antwoord,
    }
}

#[test]
fn every_aanleveren_answer_validates_and_round_trips() {
    for op in AANLEVEREN {
        for tk in terugkoppelingen() {
            for in_antwoord in [true, false] {
                let body = osp_register::wire::render(op, &antwoord(op, tk.clone(), in_antwoord));
                rond_op_naam(&body);
            }
        }
    }
    // what the answer says survives the trip: a typed look at one of them
    let tk = terugkoppelingen().remove(2);
    let op = Operation::AanleverenInschrijvingVO;
    let body = osp_register::wire::render(op, &antwoord(op, tk, true));
    let r = rond::<m::AanleverenInschrijvingVOResponse>(&body);
    let t = r.terugkoppeling.unwrap();
    assert!(!t.levering_goedgekeurd.value());
    assert_eq!(
        t.foutmelding[0].fouttekst.0,
        "Tekst met <tekens> & 'aanhalingen'"
    );
    assert_eq!(t.foutmelding[0].sleutelgegeven.len(), 5);
    assert_eq!(
        t.foutmelding[0].sleutelgegeven[0].sleutelwaarde.0,
        "<a & \"b\">"
    );
}

#[test]
fn a_broken_writer_output_is_caught() {
    // near miss: the same answer without its required ontvangstBevestiging must not pass
    let op = Operation::AanleverenInschrijvingVO;
    let body = osp_register::wire::render(op, &antwoord(op, terugkoppelingen().remove(0), true));
    rond_op_naam(&body);
    let broken = body.replacen(
        "<bas:ontvangstBevestiging>J</bas:ontvangstBevestiging>",
        "",
        1,
    );
    assert_ne!(broken, body);
    let weg = std::panic::catch_unwind(|| rond_op_naam(&broken));
    assert!(weg.is_err(), "{broken}");
}

#[test]
fn terugkoppeling_messages_validate_and_round_trip() {
    for soort in [
        Berichtsoort::TerugkoppelingInschrijving,
        Berichtsoort::TerugkoppelingExamenresultaat,
        Berichtsoort::TerugkoppelingIdentificerenPersoon,
    ] {
        for tk in terugkoppelingen() {
            let b = terugkoppeling::bericht(
                soort,
                &tk,
                "5e0a7c1d-2b3f-4a6e-9c8d-7f1e2d3c4b5a".into(),
                "99AA",
                moment(),
            );
            assert!(b.starts_with(&format!("<obv:{}", soort.request_element())));
            rond_op_naam(&b);
        }
    }
}

fn inschrijving(pgn: Pgn, brin: &str, met_aanbieder: bool) -> Inschrijving {
    Inschrijving {
        pgn,
        brin: brin.into(),
        inschrijvingvolgnummer: "2025-0001".into(),
        datum_inschrijving: common::date("2025-08-01"),
        datum_uitschrijving: None,
        perioden: vec![Periode {
            datum_begin: common::date("2025-08-01"),
            onderwijsaanbieder: met_aanbieder.then(|| "100A001".into()),
            onderwijslocatie: met_aanbieder.then(|| "100X002".into()),
            opleidingcode: "3101".into(),
            aanvullende_opleidingen: vec![],
            vestiging: format!("{brin}01"),
            leerjaar: Some(1),
            indicatie_bekostigbaar: true,
            experimenten: vec![],
            indicatie_nieuwkomersbekostiging: None,
        }],
        ontwikkelingsperspectieven: vec![],
        verblijven_andere_instelling: vec![],
    }
}

fn kop() -> Kop<'static> {
    Kop {
        identificatiecode: "5e0a7c1d-2b3f-4a6e-9c8d-7f1e2d3c4b5a".into(),
        ontvangende_instantie: "99BB",
        datum_tijd: moment(),
    }
}

#[test]
fn bewijzen_validate_and_round_trip() {
    let ontvanger = inschrijving(Pgn::Onderwijsnummer("100000041".into()), "99BB", false);
    for soort in [SoortBewijs::Inschrijfbewijs, SoortBewijs::Uitschrijfbewijs] {
        for met_aanbieder in [true, false] {
            for datum in [None, Some(common::date("2026-07-31"))] {
                let over = inschrijving(
                    Pgn::Burgerservicenummer("999990019".into()),
                    "99AA",
                    met_aanbieder,
                );
                let b = Bewijs {
                    ontvanger: &ontvanger,
                    soort,
                    over: &over,
                    datum,
                };
                let xml = berichten::render(
                    Berichtsoort::DigitaalInUitschrijfbewijs,
                    &kop(),
                    &bewijs::inhoud(&b),
                );
                let v = rond::<m::VerstrekkenDigitaalInUitschrijfbewijsVORequest>(&xml);
                assert_eq!(v.eigen_inschrijvingvolgnummer.0, "2025-0001");
                assert_eq!(v.inschrijving.brin.0, "99AA");
            }
        }
    }
}

#[test]
fn bekostiging_validates_and_round_trips() {
    for pgn in [
        Pgn::Burgerservicenummer("999990019".into()),
        Pgn::Onderwijsnummer("100000041".into()),
    ] {
        let ins = inschrijving(pgn, "99AA", true);
        for b in [
            Beoordeling {
                bekostigd: true,
                datum_eerste_inschrijving_nederland: Some(common::date("2019-08-01")),
                nieuwkomersbekostiging: true,
                signalen: vec![SIGNALEN[3]],
            },
            Beoordeling {
                bekostigd: false,
                datum_eerste_inschrijving_nederland: None,
                nieuwkomersbekostiging: false,
                signalen: SIGNALEN.to_vec(),
            },
        ] {
            let xml = berichten::render(
                Berichtsoort::Bekostiging,
                &kop(),
                &bekostiging::inhoud(&ins, &b),
            );
            let v = rond::<m::VerstrekkenBekostigingVORequest>(&xml);
            assert_eq!(v.indicatie_bekostigd.value(), b.bekostigd);
            assert_eq!(v.bekostigingssignaal.len(), b.signalen.len());
        }
    }
}
