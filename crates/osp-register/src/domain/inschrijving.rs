//! An inschrijving as one stand (SPEC §5, §6): the complete state of one key
//! (PGN, `brin`, `inschrijvingvolgnummer`) as the school delivered it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::persoon::Pgn;

/// `inschrijvingPeriodeVO`: one period; it runs until the day before the next period begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Periode {
    /// `datumBegin`.
    pub datum_begin: NaiveDate,
    /// `onderwijsaanbieder` (RIO code `\d{3}A\d{3}`), required by rule 0904.
    pub onderwijsaanbieder: Option<String>,
    /// `onderwijslocatie` (RIO code `\d{3}X\d{3}`), required by rule 0905.
    pub onderwijslocatie: Option<String>,
    /// `opleidingcode`.
    pub opleidingcode: String,
    /// `aanvullendeOpleiding/opleidingcode`.
    pub aanvullende_opleidingen: Vec<String>,
    /// `vestiging` (BRIN6).
    pub vestiging: String,
    /// `leerjaar`.
    pub leerjaar: Option<u8>,
    /// `indicatieBekostigbaar`.
    pub indicatie_bekostigbaar: bool,
    /// `experiment/naam` values (waardenlijst).
    pub experimenten: Vec<String>,
    /// `indicatieNieuwkomersbekostiging` (from 2025-08-01).
    pub indicatie_nieuwkomersbekostiging: Option<bool>,
}

/// `ontwikkelingsperspectief`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ontwikkelingsperspectief {
    /// `datumBegin`.
    pub datum_begin: NaiveDate,
    /// `datumEind`.
    pub datum_eind: Option<NaiveDate>,
}

/// `verblijfAndereInstelling`: the pupil is partly taught elsewhere (OPDC, VAVO).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerblijfAndereInstelling {
    /// `datumBegin`.
    pub datum_begin: NaiveDate,
    /// `datumEind`.
    pub datum_eind: Option<NaiveDate>,
    /// `brin` of the other instelling.
    pub brin: String,
    /// `vestiging` of the other instelling.
    pub vestiging: Option<String>,
    /// `verblijfsoort` (waardenlijst `OPDC`|`VAVO`).
    pub verblijfsoort: String,
}

/// `aanleverenInschrijvingVO_Request` without its Bedrijfsdocument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inschrijving {
    /// `burgerservicenummer` | `onderwijsnummer`.
    pub pgn: Pgn,
    /// `brin` (BRIN4).
    pub brin: String,
    /// `inschrijvingvolgnummer`: the school's own key.
    pub inschrijvingvolgnummer: String,
    /// `datumInschrijving`.
    pub datum_inschrijving: NaiveDate,
    /// `datumUitschrijving`.
    pub datum_uitschrijving: Option<NaiveDate>,
    /// `inschrijvingPeriodeVO` [1..100].
    pub perioden: Vec<Periode>,
    /// `ontwikkelingsperspectief` [0..100].
    pub ontwikkelingsperspectieven: Vec<Ontwikkelingsperspectief>,
    /// `verblijfAndereInstelling` [0..100].
    pub verblijven_andere_instelling: Vec<VerblijfAndereInstelling>,
}

/// `aanleverenVerwijderingInschrijvingVO_Request` without its Bedrijfsdocument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerwijderingInschrijving {
    /// `burgerservicenummer` | `onderwijsnummer`.
    pub pgn: Pgn,
    /// `brin`.
    pub brin: String,
    /// `inschrijvingvolgnummer`.
    pub inschrijvingvolgnummer: String,
}

impl Inschrijving {
    /// Periods in begin-date order, so "the latest period" and contiguity are easy to read.
    pub fn perioden_op_datum(&self) -> Vec<&Periode> {
        let mut p: Vec<&Periode> = self.perioden.iter().collect();
        p.sort_by_key(|p| p.datum_begin);
        p
    }
}
