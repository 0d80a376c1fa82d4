//! Shared builders for the register's integration tests: deliveries in domain form.
#![allow(dead_code)]

pub mod model;
pub mod xml;

use std::sync::Arc;

use chrono::NaiveDate;
use osp_register::domain::bericht::parse_datum_tijd;
use osp_register::domain::Antwoord;
use osp_register::domain::*;
use osp_register::register::verwerking::body_hash;
use osp_register::{Aanleververzoek, Reference, Register, RegisterConfig};

pub const AA: &str = "0000000700099AA00000";
pub const BB: &str = "0000000700099BB00000";

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn reference() -> Reference {
    Reference::load(&osp_register::reference::standaard_map()).unwrap()
}

/// A register on a fresh temp dir, pinned to 2025-09-15.
pub fn register() -> (tempfile::TempDir, Arc<Register>) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = RegisterConfig {
        today: Some(date("2025-09-15")),
        ..RegisterConfig::default()
    };
    let r = Register::open(&dir.path().join("data"), reference(), cfg).unwrap();
    (dir, Arc::new(r))
}

pub fn kop(id: &str, t: &str) -> Bedrijfsdocument {
    Bedrijfsdocument {
        identificatiecode: id.into(),
        verzendende_instantie: "99AA".into(),
        ontvangende_instantie: "DUO".into(),
        datum_tijd: parse_datum_tijd(t).unwrap(),
    }
}

pub fn periode(begin: &str, leerjaar: u8) -> Periode {
    Periode {
        datum_begin: date(begin),
        onderwijsaanbieder: Some("100A001".into()),
        onderwijslocatie: Some("100X001".into()),
        opleidingcode: "3001".into(),
        aanvullende_opleidingen: vec![],
        vestiging: "99AA00".into(),
        leerjaar: Some(leerjaar),
        indicatie_bekostigbaar: true,
        experimenten: vec![],
        indicatie_nieuwkomersbekostiging: None,
    }
}

pub fn inschrijving(pgn: Pgn, volg: &str) -> Inschrijving {
    Inschrijving {
        pgn,
        brin: "99AA".into(),
        inschrijvingvolgnummer: volg.into(),
        datum_inschrijving: date("2024-08-01"),
        datum_uitschrijving: None,
        perioden: vec![periode("2024-08-01", 1), periode("2025-08-01", 2)],
        ontwikkelingsperspectieven: vec![],
        verblijven_andere_instelling: vec![],
    }
}

pub fn sanne() -> Pgn {
    Pgn::Burgerservicenummer("999990007".into())
}

/// Delivers a payload in sandbox `sb` as administratie `from`; the body hash is the payload's JSON.
pub fn lever(r: &Register, sb: &str, from: &str, id: &str, t: &str, bericht: Bericht) -> Antwoord {
    try_lever(r, sb, from, id, t, bericht).unwrap()
}

pub fn try_lever(
    r: &Register,
    sb: &str,
    from: &str,
    id: &str,
    t: &str,
    bericht: Bericht,
) -> Result<Antwoord, osp_register::ServiceError> {
    let aanlevering = Aanlevering {
        kop: kop(id, t),
        bericht,
    };
    let hash = body_hash(&serde_json::to_vec(&aanlevering).unwrap());
    r.verwerk(&Aanleververzoek {
        sandbox: sb,
        certificaat_oin: from,
        from_oin: from,
        message_id: "urn:uuid:00000000-0000-4000-8000-000000000000",
        body_hash: hash,
        aanlevering,
    })
}

pub fn codes(a: &Antwoord) -> Vec<String> {
    a.terugkoppeling
        .foutmeldingen
        .iter()
        .map(|f| f.foutcode.clone())
        .collect()
}

pub fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}
