//! An examenresultaat as one stand (SPEC §5, fields from the ROD manual ch. 6 and 16): key
//! (PGN, `brin`, `examenresultaatvolgnummer`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::persoon::Pgn;

/// `niveau` of the uitslag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Niveau {
    /// `VMBO_BB`.
    VmboBb,
    /// `VMBO_KB`.
    VmboKb,
    /// `VMBO_GL`.
    VmboGl,
    /// `VMBO_TL`.
    VmboTl,
    /// `HAVO`.
    Havo,
    /// `VWO`.
    Vwo,
}

impl Niveau {
    /// Parses the wire value.
    pub fn parse(s: &str) -> Option<Niveau> {
        Some(match s.trim() {
            "VMBO_BB" => Niveau::VmboBb,
            "VMBO_KB" => Niveau::VmboKb,
            "VMBO_GL" => Niveau::VmboGl,
            "VMBO_TL" => Niveau::VmboTl,
            "HAVO" => Niveau::Havo,
            "VWO" => Niveau::Vwo,
            _ => return None,
        })
    }

    /// Wire value.
    pub fn code(self) -> &'static str {
        match self {
            Niveau::VmboBb => "VMBO_BB",
            Niveau::VmboKb => "VMBO_KB",
            Niveau::VmboGl => "VMBO_GL",
            Niveau::VmboTl => "VMBO_TL",
            Niveau::Havo => "HAVO",
            Niveau::Vwo => "VWO",
        }
    }
}

/// The `uitslag` value inside the `uitslag` container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UitslagWaarde {
    /// `GESLAAGD`.
    Geslaagd,
    /// `AFGEWEZEN`.
    Afgewezen,
}

/// `soortWaardedocument`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SoortWaardedocument {
    /// `DIPLOMA`.
    Diploma,
    /// `CERTIFICAAT`.
    Certificaat,
}

/// `examendeel` of a vak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Examendeel {
    /// `GEMEENSCHAPPELIJK`.
    Gemeenschappelijk,
    /// `PROFIEL`.
    Profiel,
    /// `VRIJ`.
    Vrij,
}

/// `beoordeling` (for vakken without a grade).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Beoordeling {
    /// `GOED`.
    Goed,
    /// `VOLDOENDE`.
    Voldoende,
    /// `ONVOLDOENDE`.
    Onvoldoende,
}

/// `redenNietDeelname`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RedenNietDeelname {
    /// `VRIJSTELLING`.
    Vrijstelling,
    /// `ONTHEFFING`.
    Ontheffing,
}

/// The `uitslag` container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uitslag {
    /// `examenregime` (a year).
    pub examenregime: u16,
    /// `niveau`.
    pub niveau: Niveau,
    /// `datumUitslag`.
    pub datum_uitslag: NaiveDate,
    /// `uitslag`.
    pub uitslag: UitslagWaarde,
    /// `soortWaardedocument`.
    pub soort_waardedocument: Option<SoortWaardedocument>,
    /// `indicatieCumLaude`.
    pub indicatie_cum_laude: Option<bool>,
}

/// `centraalExamen`: one tijdvak's grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentraalExamen {
    /// `tijdvak` 1..3.
    pub tijdvak: u8,
    /// `cijfer`, ×10.
    pub cijfer: u16,
}

/// `herkansing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Herkansing {
    /// `examenregime`.
    pub examenregime: u16,
    /// `tijdvak`.
    pub tijdvak: u8,
}

/// `vak` on a cijferlijst. Grades are integers ×10 (6,9 → 69).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vak {
    /// `volgnummerResultaat`.
    pub volgnummer_resultaat: String,
    /// `vakcode`.
    pub vakcode: String,
    /// `examendeel`.
    pub examendeel: Examendeel,
    /// `schoolexamen`.
    pub schoolexamen: Option<u16>,
    /// `centraalExamen` [0..3].
    pub centraal_examen: Vec<CentraalExamen>,
    /// `eindcijfer`.
    pub eindcijfer: Option<u16>,
    /// `beoordeling`.
    pub beoordeling: Option<Beoordeling>,
    /// `indicatieDiplomavak`.
    pub indicatie_diplomavak: bool,
    /// `indicatieCombinatiecijfer`.
    pub indicatie_combinatiecijfer: bool,
    /// `indicatieWerkstuk`.
    pub indicatie_werkstuk: bool,
    /// `indicatieInruil`.
    pub indicatie_inruil: Option<bool>,
    /// `redenNietDeelname`.
    pub reden_niet_deelname: Option<RedenNietDeelname>,
    /// `vervangenVakcode`.
    pub vervangen_vakcode: Option<String>,
    /// `herkansing`.
    pub herkansing: Option<Herkansing>,
}

/// `werkstuk` on a cijferlijst.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Werkstuk {
    /// `volgnummerResultaat`.
    pub volgnummer_resultaat: String,
    /// `titel`.
    pub titel: String,
    /// `cijfer`, ×10.
    pub cijfer: Option<u16>,
    /// `beoordeling`.
    pub beoordeling: Option<Beoordeling>,
}

/// `cijferlijst`: grades for one opleiding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cijferlijst {
    /// `opleidingcode`.
    pub opleidingcode: String,
    /// `vak` [0..30].
    pub vakken: Vec<Vak>,
    /// `werkstuk` [0..1].
    pub werkstuk: Option<Werkstuk>,
}

/// `aanleverenExamenresultaatVO_Request` without its Bedrijfsdocument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Examenresultaat {
    /// `burgerservicenummer` | `onderwijsnummer`.
    pub pgn: Pgn,
    /// `brin`.
    pub brin: String,
    /// `examenresultaatvolgnummer`.
    pub examenresultaatvolgnummer: String,
    /// `onderwijsaanbieder`.
    pub onderwijsaanbieder: String,
    /// `vestiging`.
    pub vestiging: Option<String>,
    /// `inschrijvingvolgnummer`.
    pub inschrijvingvolgnummer: Option<String>,
    /// `indicatieTeruggetrokken`.
    pub indicatie_teruggetrokken: Option<bool>,
    /// `indicatieEerderLeerjaar`.
    pub indicatie_eerder_leerjaar: Option<bool>,
    /// `indicatieGespreidExamen`.
    pub indicatie_gespreid_examen: Option<bool>,
    /// `indicatieDoorlopendeLeerlijn`.
    pub indicatie_doorlopende_leerlijn: Option<bool>,
    /// `uitslag`.
    pub uitslag: Option<Uitslag>,
    /// `cijferlijst` [0..10].
    pub cijferlijsten: Vec<Cijferlijst>,
}

/// `aanleverenVerwijderingExamenresultaatVO_Request` without its Bedrijfsdocument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerwijderingExamenresultaat {
    /// `burgerservicenummer` | `onderwijsnummer`.
    pub pgn: Pgn,
    /// `brin`.
    pub brin: String,
    /// `examenresultaatvolgnummer`.
    pub examenresultaatvolgnummer: String,
}
