//! The terugkoppeling as its own message (SPEC §7, `terugkoppeling.mode`): with `async` the
//! synchronous answer carries only `ontvangstBevestiging` and the terugkoppeling goes to the
//! delivering administratie's outbox; with `both` it goes to both; `sync` (default) keeps it in the
//! answer only.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use osp_model::Operation;
use serde::{Deserialize, Serialize};

use super::{render, Berichtsoort, Kop};
use crate::domain::Terugkoppeling;

/// `terugkoppeling.mode`: where the terugkoppeling of a delivery goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TerugkoppelingModus {
    /// In the synchronous answer only (default).
    #[default]
    Sync,
    /// As an outbox message only; the answer carries `ontvangstBevestiging` alone.
    Async,
    /// In the answer and as an outbox message.
    Both,
}

impl TerugkoppelingModus {
    /// The answer carries the terugkoppeling.
    pub fn in_antwoord(self) -> bool {
        matches!(self, TerugkoppelingModus::Sync | TerugkoppelingModus::Both)
    }

    /// The terugkoppeling is also a message.
    pub fn als_bericht(self) -> bool {
        matches!(self, TerugkoppelingModus::Async | TerugkoppelingModus::Both)
    }
}

/// An unknown `terugkoppeling.mode` value.
#[derive(Debug, Clone, thiserror::Error)]
#[error("onbekende terugkoppeling.mode {0:?} (sync, async of both)")]
pub struct OnbekendeModus(pub String);

impl FromStr for TerugkoppelingModus {
    type Err = OnbekendeModus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "sync" => Ok(TerugkoppelingModus::Sync),
            "async" => Ok(TerugkoppelingModus::Async),
            "both" => Ok(TerugkoppelingModus::Both),
            anders => Err(OnbekendeModus(anders.to_string())),
        }
    }
}

/// The message kind that carries the terugkoppeling of an operation (`None`: not an aanlevering).
pub fn soort_voor(operatie: Operation) -> Option<Berichtsoort> {
    match operatie {
        Operation::AanleverenInschrijvingVO | Operation::AanleverenVerwijderingInschrijvingVO => {
            Some(Berichtsoort::TerugkoppelingInschrijving)
        }
        Operation::AanleverenExamenresultaatVO
        | Operation::AanleverenVerwijderingExamenresultaatVO => {
            Some(Berichtsoort::TerugkoppelingExamenresultaat)
        }
        Operation::AanleverenIdentificerenPersoonVO => {
            Some(Berichtsoort::TerugkoppelingIdentificerenPersoon)
        }
        Operation::OphalenBerichtenVO | Operation::BevestigenBerichtenVO => None,
    }
}

/// Renders `terugkoppeling…VO_Request` for the school that delivered (`ontvangende_instantie` = the
/// delivery's verzendendeInstantie).
pub fn bericht(
    soort: Berichtsoort,
    tk: &Terugkoppeling,
    identificatiecode: String,
    ontvangende_instantie: &str,
    nu: DateTime<Utc>,
) -> String {
    let mut inhoud = String::from("<obv:terugkoppeling>");
    crate::wire::antwoord::terugkoppeling(&mut inhoud, tk);
    inhoud.push_str("</obv:terugkoppeling>");
    render(
        soort,
        &Kop {
            identificatiecode,
            ontvangende_instantie,
            datum_tijd: nu,
        },
        &inhoud,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_route() {
        assert_eq!(
            "async".parse::<TerugkoppelingModus>().unwrap(),
            TerugkoppelingModus::Async
        );
        assert!("ASYNC".parse::<TerugkoppelingModus>().is_err());
        assert!(
            TerugkoppelingModus::default().in_antwoord()
                && !TerugkoppelingModus::default().als_bericht()
        );
        assert!(
            !TerugkoppelingModus::Async.in_antwoord() && TerugkoppelingModus::Async.als_bericht()
        );
        assert!(TerugkoppelingModus::Both.in_antwoord() && TerugkoppelingModus::Both.als_bericht());
        assert_eq!(soort_voor(Operation::OphalenBerichtenVO), None);
        assert_eq!(
            soort_voor(Operation::AanleverenVerwijderingInschrijvingVO),
            Some(Berichtsoort::TerugkoppelingInschrijving)
        );
    }

    #[test]
    fn message_declares_the_terugkoppeling_namespace() {
        let tk = Terugkoppeling::uit_foutmeldingen("0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10", vec![]);
        let b = bericht(
            Berichtsoort::TerugkoppelingInschrijving,
            &tk,
            "id".into(),
            "99AA",
            Utc::now(),
        );
        assert!(
            b.starts_with("<obv:terugkoppelingInschrijvingVO_Request "),
            "{b}"
        );
        assert!(
            b.contains("xmlns:tk=")
                && b.contains("<obv:terugkoppeling><tk:identificatiecodeBedrijfsdocument>")
        );
    }
}
