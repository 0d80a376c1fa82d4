//! A delivery as the register sees it: DUO's Bedrijfsdocument header plus one of the five
//! aanleveren payloads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::examenresultaat::{Examenresultaat, VerwijderingExamenresultaat};
use super::inschrijving::{Inschrijving, VerwijderingInschrijving};
use super::persoon::Identificatie;

/// `Bedrijfsdocument`: the header of every request and response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bedrijfsdocument {
    /// `identificatiecodeBedrijfsdocument` (UUID, unique per sandbox: rule 0001).
    pub identificatiecode: String,
    /// `verzendendeInstantie`.
    pub verzendende_instantie: String,
    /// `ontvangendeInstantie`.
    pub ontvangende_instantie: String,
    /// `datumTijdBedrijfsdocument`, normalised to UTC (a value without zone is read as UTC);
    /// rule 0002 orders stands by it.
    pub datum_tijd: DateTime<Utc>,
}

/// The payload of one aanleveren operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bericht {
    /// `aanleverenInschrijvingVO`.
    Inschrijving(Inschrijving),
    /// `aanleverenVerwijderingInschrijvingVO`.
    VerwijderingInschrijving(VerwijderingInschrijving),
    /// `aanleverenIdentificerenPersoonVO`.
    Identificatie(Identificatie),
    /// `aanleverenExamenresultaatVO`.
    Examenresultaat(Examenresultaat),
    /// `aanleverenVerwijderingExamenresultaatVO`.
    VerwijderingExamenresultaat(VerwijderingExamenresultaat),
}

/// One complete delivery in domain form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aanlevering {
    /// Header.
    pub kop: Bedrijfsdocument,
    /// Payload.
    pub bericht: Bericht,
}

/// Parses an `xs:dateTime` the way the register compares them: with zone → UTC; without → UTC.
pub fn parse_datum_tijd(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datum_tijd_forms() {
        let a = parse_datum_tijd("2025-09-01T08:15:00.000Z").unwrap();
        let b = parse_datum_tijd("2025-09-01T10:15:00+02:00").unwrap();
        let c = parse_datum_tijd("2025-09-01T08:15:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(parse_datum_tijd("2025-09-01").is_none());
    }
}
