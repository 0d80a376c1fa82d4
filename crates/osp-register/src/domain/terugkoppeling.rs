//! The synchronous answer (SPEC §5 `terugkoppeling`): foutmeldingen in RIO layout, the stand that
//! was registered and, for identificatie, the person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::persoon::Pgn;

/// Maximum length of `sleutelnaam` and `sleutelwaarde` (SPEC §5).
pub const SLEUTEL_MAX: usize = 25;

/// Severity of a foutmelding (RULES.md, seed ch. 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ernst {
    /// The delivery is not registered.
    Afkeuring,
    /// Registered; the school should check it.
    Melding,
    /// Kwaliteitscontrole signal (never in a synchronous answer of this crate yet).
    Signaal,
}

impl Ernst {
    /// Wire value.
    pub fn code(self) -> &'static str {
        match self {
            Ernst::Afkeuring => "AFKEURING",
            Ernst::Melding => "MELDING",
            Ernst::Signaal => "SIGNAAL",
        }
    }
}

/// `sleutelgegeven`: which data a foutmelding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sleutelgegeven {
    /// `sleutelnaam` (≤25).
    pub sleutelnaam: String,
    /// `sleutelwaarde` (≤25, shortened DUO's way).
    pub sleutelwaarde: String,
}

/// Shortens a value to 25 characters DUO's way: head + `...` + tail (11 + 3 + 11).
pub fn verkort(waarde: &str) -> String {
    let tekens: Vec<char> = waarde.chars().collect();
    if tekens.len() <= SLEUTEL_MAX {
        return waarde.to_string();
    }
    let deel = (SLEUTEL_MAX - 3) / 2;
    let kop: String = tekens[..deel].iter().collect();
    let staart: String = tekens[tekens.len() - (SLEUTEL_MAX - 3 - deel)..]
        .iter()
        .collect();
    format!("{kop}...{staart}")
}

impl Sleutelgegeven {
    /// Builds a sleutelgegeven, shortening both parts to the wire limit.
    pub fn new(naam: &str, waarde: impl AsRef<str>) -> Sleutelgegeven {
        Sleutelgegeven {
            sleutelnaam: verkort(naam),
            sleutelwaarde: verkort(waarde.as_ref()),
        }
    }
}

/// `foutmelding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Foutmelding {
    /// `foutcode` (RULES.md code).
    pub foutcode: String,
    /// `fouttekst` (RULES.md text, verbatim).
    pub fouttekst: String,
    /// `ernst`.
    pub ernst: Ernst,
    /// `sleutelgegeven` [0..5].
    pub sleutelgegevens: Vec<Sleutelgegeven>,
}

/// `stand`: the registered stand's number and moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stand {
    /// `volgnummer`: 1, 2, … per key.
    pub volgnummer: u32,
    /// `aanlevermoment`: when osp registered it.
    pub aanlevermoment: DateTime<Utc>,
}

/// `terugkoppeling`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terugkoppeling {
    /// `identificatiecodeBedrijfsdocument` of the delivery answered.
    pub identificatiecode: String,
    /// `leveringGoedgekeurd`.
    pub levering_goedgekeurd: bool,
    /// `foutmelding` [0..99].
    pub foutmeldingen: Vec<Foutmelding>,
    /// `stand` when registered.
    pub stand: Option<Stand>,
    /// `persoon` for identificatie when identified.
    pub persoon: Option<Pgn>,
}

impl Terugkoppeling {
    /// Builds the answer from the foutmeldingen: goedgekeurd iff none is an AFKEURING.
    pub fn uit_foutmeldingen(identificatiecode: &str, foutmeldingen: Vec<Foutmelding>) -> Self {
        let levering_goedgekeurd = !foutmeldingen.iter().any(|f| f.ernst == Ernst::Afkeuring);
        Terugkoppeling {
            identificatiecode: identificatiecode.to_string(),
            levering_goedgekeurd,
            foutmeldingen,
            stand: None,
            persoon: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_is_head_dots_tail_25() {
        assert_eq!(verkort("2025-0001"), "2025-0001");
        let v = "abcdefghijklmnopqrstuvwxyz";
        assert_eq!(v.chars().count(), 26);
        let k = verkort(v);
        assert_eq!(k, "abcdefghijk...pqrstuvwxyz");
        assert_eq!(k.chars().count(), 25);
        assert_eq!(verkort(&"é".repeat(40)).chars().count(), 25);
        assert_eq!(verkort(&"x".repeat(25)), "x".repeat(25));
    }
}
