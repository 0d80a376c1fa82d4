//! DUO→school messages (SPEC §7) produced from the register: the digitaal in-/uitschrijfbewijs
//! ([`bewijs`]), the bekostigingsbericht ([`bekostiging`]) and the terugkoppeling as its own message
//! ([`terugkoppeling`]). Each message is a complete `{soort}_Request` element of the OphalenBerichtenVO
//! contract, stored in the outbox of every administratie OIN of the receiving school and embedded
//! verbatim by `ophalenBerichtenVO` or pushed as the body of a SOAP request.

pub mod bekostiging;
pub mod bewijs;
pub mod terugkoppeling;

use chrono::{DateTime, Utc};
use osp_model::contracts::{NS_BASIS_INFORMATIEDIENSTEN, NS_TERUGKOPPELING};
use osp_model::Contract;
use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};

use crate::domain::Inschrijving;
use crate::reference::Reference;
use crate::register::{Inschrijvingswijziging, NieuwBericht, RegisterLezer};
use crate::service::ServiceError;
use crate::wire::antwoord::datum_tijd;

pub use bekostiging::Bekostiging;
pub use bewijs::Bewijzen;

/// The kinds of DUO→school message; the wire names are the root elements without `_Request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Berichtsoort {
    /// `verstrekkenDigitaalInUitschrijfbewijsVO` (seed ch. 8).
    DigitaalInUitschrijfbewijs,
    /// `verstrekkenBekostigingVO` (RULES 07).
    Bekostiging,
    /// `terugkoppelingInschrijvingVO` (inschrijving and its verwijdering).
    TerugkoppelingInschrijving,
    /// `terugkoppelingExamenresultaatVO` (examenresultaat and its verwijdering).
    TerugkoppelingExamenresultaat,
    /// `terugkoppelingIdentificerenPersoonVO`.
    TerugkoppelingIdentificerenPersoon,
}

impl Berichtsoort {
    /// Every kind, for lookups by name.
    pub const ALL: [Berichtsoort; 5] = [
        Berichtsoort::DigitaalInUitschrijfbewijs,
        Berichtsoort::Bekostiging,
        Berichtsoort::TerugkoppelingInschrijving,
        Berichtsoort::TerugkoppelingExamenresultaat,
        Berichtsoort::TerugkoppelingIdentificerenPersoon,
    ];

    /// Wire name (the outbox's `soort`, the push operation name).
    pub const fn naam(self) -> &'static str {
        match self {
            Berichtsoort::DigitaalInUitschrijfbewijs => "verstrekkenDigitaalInUitschrijfbewijsVO",
            Berichtsoort::Bekostiging => "verstrekkenBekostigingVO",
            Berichtsoort::TerugkoppelingInschrijving => "terugkoppelingInschrijvingVO",
            Berichtsoort::TerugkoppelingExamenresultaat => "terugkoppelingExamenresultaatVO",
            Berichtsoort::TerugkoppelingIdentificerenPersoon => {
                "terugkoppelingIdentificerenPersoonVO"
            }
        }
    }

    /// The kind with this wire name.
    pub fn uit_naam(naam: &str) -> Option<Berichtsoort> {
        Berichtsoort::ALL.into_iter().find(|s| s.naam() == naam)
    }

    /// Root element of the message.
    pub fn request_element(self) -> String {
        format!("{}_Request", self.naam())
    }

    /// Root element a LAS answers a pushed message with.
    pub fn response_element(self) -> String {
        format!("{}_Response", self.naam())
    }

    /// SOAPAction / `wsa:Action` of a pushed message: `http://duo.nl/contract/{Contract}/{naam}`.
    pub fn action(self) -> String {
        format!(
            "{}/{}",
            Contract::OphalenBerichtenVO.contract_ns(),
            self.naam()
        )
    }
}

/// The header of a message: who it is for and its generated identity.
#[derive(Debug, Clone)]
pub struct Kop<'a> {
    /// `identificatiecodeBedrijfsdocument` (see [`identificatiecode`]).
    pub identificatiecode: String,
    /// `ontvangendeInstantie`: the receiving school's instellingscode (BRIN).
    pub ontvangende_instantie: &'a str,
    /// `datumTijdBedrijfsdocument`.
    pub datum_tijd: DateTime<Utc>,
}

/// A message's identificatiecode: a UUID (v5) derived from the identificatiecode of the delivery
/// that caused it, the recipient and a sequence number, so it is unique per sandbox (delivery ids
/// are, rule 0001) and the same on every replay of a scenario.
pub fn identificatiecode(
    aanleiding: &str,
    ontvanger_oin: &str,
    soort: Berichtsoort,
    nr: usize,
) -> String {
    let naam = format!("{aanleiding}/{ontvanger_oin}/{}/{nr}", soort.naam());
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, naam.as_bytes()).to_string()
}

/// Renders `<obv:{soort}_Request>` with the Bedrijfsdocument header (`inf:`; verzendend `DUO`)
/// followed by `inhoud`, which uses the prefixes `obv` (contract) and `tk` (terugkoppeling).
pub fn render(soort: Berichtsoort, kop: &Kop<'_>, inhoud: &str) -> String {
    let root = soort.request_element();
    let mut out = String::with_capacity(512 + inhoud.len());
    out.push_str(&format!(
        "<obv:{root} xmlns:obv=\"{}\" xmlns:inf=\"{NS_BASIS_INFORMATIEDIENSTEN}\"",
        Contract::OphalenBerichtenVO.schema_ns()
    ));
    if inhoud.contains("<tk:") {
        out.push_str(&format!(" xmlns:tk=\"{NS_TERUGKOPPELING}\""));
    }
    out.push('>');
    el(
        &mut out,
        "inf",
        "identificatiecodeBedrijfsdocument",
        &kop.identificatiecode,
    );
    el(&mut out, "inf", "verzendendeInstantie", "DUO");
    el(
        &mut out,
        "inf",
        "ontvangendeInstantie",
        kop.ontvangende_instantie,
    );
    el(
        &mut out,
        "inf",
        "datumTijdBedrijfsdocument",
        &datum_tijd(&kop.datum_tijd),
    );
    out.push_str(inhoud);
    out.push_str(&format!("</obv:{root}>"));
    out
}

/// Appends `<prefix:name>text</prefix:name>` with the text escaped.
pub(crate) fn el(out: &mut String, prefix: &str, name: &str, text: &str) {
    out.push_str(&format!(
        "<{prefix}:{name}>{}</{prefix}:{name}>",
        escape(text)
    ));
}

/// Every administratie OIN that administers a school (RULES: recipients of a school's messages),
/// in OIN order.
pub fn administraties_van<'r>(reference: &'r Reference, brin: &str) -> Vec<&'r str> {
    reference
        .administraties
        .iter()
        .filter(|(_, brins)| brins.contains(brin))
        .map(|(oin, _)| oin.as_str())
        .collect()
}

/// The person a change is about and that person's current inschrijvingen (as stored before the
/// change), or `None` when the change has neither an old nor a new stand. What every follow-up
/// producer starts from.
pub(crate) fn huidige_inschrijvingen<'w>(
    lezer: &dyn RegisterLezer,
    w: &Inschrijvingswijziging<'w>,
) -> Result<Option<(&'w Inschrijving, Vec<Inschrijving>)>, ServiceError> {
    let Some(deze) = w.nieuw.or(w.oud) else {
        return Ok(None);
    };
    let huidige = lezer
        .inschrijvingen_van(w.sandbox, &deze.pgn)?
        .into_iter()
        .filter_map(|s| s.inhoud)
        .collect();
    Ok(Some((deze, huidige)))
}

/// Appends one message of `soort` with `inhoud` for every administratie of `brin` to `uit`,
/// each with its own header and identificatiecode.
pub(crate) fn aan_administraties(
    uit: &mut Vec<NieuwBericht>,
    soort: Berichtsoort,
    brin: &str,
    inhoud: &str,
    w: &Inschrijvingswijziging<'_>,
    reference: &Reference,
) {
    for oin in administraties_van(reference, brin) {
        let kop = Kop {
            identificatiecode: identificatiecode(w.identificatiecode, oin, soort, uit.len()),
            ontvangende_instantie: brin,
            datum_tijd: w.nu,
        };
        uit.push(NieuwBericht {
            ontvanger_oin: oin.to_string(),
            soort: soort.naam().to_string(),
            inhoud: render(soort, &kop, inhoud),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit;

    #[test]
    fn names_actions_and_recipients() {
        for s in Berichtsoort::ALL {
            assert_eq!(Berichtsoort::uit_naam(s.naam()), Some(s));
        }
        assert_eq!(
            Berichtsoort::Bekostiging.action(),
            "http://duo.nl/contract/DUO_VOInformatiediensten_OphalenBerichtenVO_V1/verstrekkenBekostigingVO"
        );
        assert_eq!(
            administraties_van(testkit::reference(), "99AA"),
            ["00000004000000099000", "0000000700099AA00000"]
        );
        assert_eq!(
            administraties_van(testkit::reference(), "99BB"),
            ["0000000700099BB00000"]
        );
        assert!(administraties_van(testkit::reference(), "99PO").is_empty());
    }

    #[test]
    fn identificatiecodes_are_stable_and_distinct() {
        let a = identificatiecode("x", "o", Berichtsoort::Bekostiging, 0);
        assert_eq!(a, identificatiecode("x", "o", Berichtsoort::Bekostiging, 0));
        assert_ne!(a, identificatiecode("x", "o", Berichtsoort::Bekostiging, 1));
        assert_ne!(a, identificatiecode("x", "p", Berichtsoort::Bekostiging, 0));
        assert_eq!(a.len(), 36);
    }
}
