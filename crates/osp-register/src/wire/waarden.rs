//! Conversions every per-kind mapping shares: the Bedrijfsdocument header, the PGN choice and the
//! XSD value types (`xs:date`, `xs:dateTime`, digit patterns) to the domain's chrono dates and
//! integers. The body is XSD-valid when it gets here, so a failure means the schema and osp
//! disagree: it becomes `ServiceError::Intern` (DK0050), never a panic.

use chrono::NaiveDate;
use osp_model::messages::{bas, core, exr, gwb, inf};
use osp_model::xs::{XsDate, XsDateTime};

use crate::domain::bericht::parse_datum_tijd;
use crate::domain::{Bedrijfsdocument, Pgn};
use crate::service::ServiceError;

/// A schema-valid value the domain cannot hold (e.g. `xs:date` with a timezone, which osp has
/// always refused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("element {element}: ongeldige waarde {waarde:?}")]
pub struct Onmogelijk {
    /// Local element name.
    pub element: &'static str,
    /// The value as read.
    pub waarde: String,
}

impl From<Onmogelijk> for ServiceError {
    fn from(e: Onmogelijk) -> Self {
        ServiceError::Intern(format!("bericht onleesbaar: {e}"))
    }
}

fn onmogelijk(element: &'static str, waarde: &str) -> Onmogelijk {
    Onmogelijk {
        element,
        waarde: waarde.to_string(),
    }
}

/// `xs:date` → `NaiveDate`; only the plain `YYYY-MM-DD` form, as the register has always read it.
/// The fields are already parsed by `XsDate`; a timezone suffix makes the lexical form longer.
pub fn datum(element: &'static str, d: &XsDate) -> Result<NaiveDate, Onmogelijk> {
    (d.as_str().len() == "YYYY-MM-DD".len())
        .then(|| NaiveDate::from_ymd_opt(d.year(), u32::from(d.month()), u32::from(d.day())))
        .flatten()
        .ok_or_else(|| onmogelijk(element, d.as_str()))
}

/// Optional `xs:date`.
pub fn opt_datum(
    element: &'static str,
    d: Option<&XsDate>,
) -> Result<Option<NaiveDate>, Onmogelijk> {
    d.map(|d| datum(element, d)).transpose()
}

/// A digit-pattern string type (`\d{1,3}`, `[1-3]`, `\d{4}`) → integer.
pub fn getal<T: std::str::FromStr>(element: &'static str, tekst: &str) -> Result<T, Onmogelijk> {
    tekst.parse().map_err(|_| onmogelijk(element, tekst))
}

/// Optional digit-pattern value.
pub fn opt_getal<T: std::str::FromStr>(
    element: &'static str,
    tekst: Option<&str>,
) -> Result<Option<T>, Onmogelijk> {
    tekst.map(|t| getal(element, t)).transpose()
}

/// The Bedrijfsdocument header every request starts with.
pub fn kop(
    identificatiecode: core::IdentificatiecodeType,
    verzendende_instantie: gwb::InstantieType,
    ontvangende_instantie: gwb::InstantieType,
    datum_tijd: &XsDateTime,
) -> Result<Bedrijfsdocument, Onmogelijk> {
    Ok(Bedrijfsdocument {
        identificatiecode: identificatiecode.0,
        verzendende_instantie: verzendende_instantie.0,
        ontvangende_instantie: ontvangende_instantie.0,
        datum_tijd: parse_datum_tijd(datum_tijd.as_str())
            .ok_or_else(|| onmogelijk("datumTijdBedrijfsdocument", datum_tijd.as_str()))?,
    })
}

/// The `burgerservicenummer | onderwijsnummer` choice: the generator makes one enum per place the
/// choice occurs, all of the same shape.
macro_rules! pgn_keuze {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for Pgn {
            fn from(k: $t) -> Pgn {
                type Keuze = $t;
                match k {
                    Keuze::Burgerservicenummer(n) => Pgn::Burgerservicenummer(n.0),
                    Keuze::Onderwijsnummer(n) => Pgn::Onderwijsnummer(n.0),
                }
            }
        }
    )*};
}

pgn_keuze!(
    bas::InschrijvingContent4Type,
    bas::VerwijderingInschrijvingContent11Type,
    exr::AanleverenExamenresultaatVoRequestContent44Type,
    exr::AanleverenVerwijderingExamenresultaatVoRequestContent53Type,
    inf::MetPgnType,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_with_a_timezone_are_refused_like_before() {
        let plain: XsDate = "2025-08-01".parse().unwrap();
        assert_eq!(
            datum("d", &plain),
            Ok(NaiveDate::from_ymd_opt(2025, 8, 1).unwrap())
        );
        let zoned: XsDate = "2025-08-01Z".parse().unwrap();
        assert_eq!(
            datum("datumBegin", &zoned).unwrap_err().to_string(),
            "element datumBegin: ongeldige waarde \"2025-08-01Z\""
        );
    }

    #[test]
    fn numbers_and_header() {
        assert_eq!(getal::<u8>("leerjaar", "4"), Ok(4));
        assert!(getal::<u8>("leerjaar", "400").is_err());
        assert_eq!(opt_getal::<u16>("cijfer", None), Ok(None));
        let k = kop(
            core::IdentificatiecodeType("5e0a7c1d-2b3f-4a6e-9c8d-7f1e2d3c4b5a".into()),
            gwb::InstantieType("99AA".into()),
            gwb::InstantieType("DUO".into()),
            &"2025-09-15T09:30:00+02:00".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(k.datum_tijd.to_rfc3339(), "2025-09-15T07:30:00+00:00");
        assert_eq!(k.verzendende_instantie, "99AA");
    }
}
