//! Persons and their persoonsgebonden nummer (PGN): what identificatie works on and what every
//! stand is keyed by.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The persoonsgebonden nummer that keys a pupil: BSN, or DUO's onderwijsnummer when the pupil
/// has no BSN (SPEC §5 choice).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Pgn {
    /// `burgerservicenummer`, nine digits.
    Burgerservicenummer(String),
    /// `onderwijsnummer`, nine digits, issued by DUO (here: by identificatie).
    Onderwijsnummer(String),
}

impl Pgn {
    /// Wire element name, used as `sleutelnaam`.
    pub fn element(&self) -> &'static str {
        match self {
            Pgn::Burgerservicenummer(_) => "burgerservicenummer",
            Pgn::Onderwijsnummer(_) => "onderwijsnummer",
        }
    }

    /// The nine digits as delivered.
    pub fn nummer(&self) -> &str {
        match self {
            Pgn::Burgerservicenummer(n) | Pgn::Onderwijsnummer(n) => n,
        }
    }

    /// Storage form: kind letter + number, so a BSN and an OWN with equal digits never meet.
    pub fn opslagsleutel(&self) -> String {
        match self {
            Pgn::Burgerservicenummer(n) => format!("B{n}"),
            Pgn::Onderwijsnummer(n) => format!("O{n}"),
        }
    }

    /// Parses the storage form back, for listings and admin paths (`B…`/`O…`, or bare digits = BSN).
    pub fn uit_opslagsleutel(s: &str) -> Option<Pgn> {
        let (kind, rest) = match s.as_bytes().first() {
            Some(b'B') => (0, &s[1..]),
            Some(b'O') => (1, &s[1..]),
            _ => (0, s),
        };
        if rest.len() != 9 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(if kind == 0 {
            Pgn::Burgerservicenummer(rest.to_string())
        } else {
            Pgn::Onderwijsnummer(rest.to_string())
        })
    }
}

/// `geslacht` of identificatie and the BRP: `1` man, `2` vrouw, `3` onbekend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Geslacht {
    /// Code `1`.
    Man,
    /// Code `2`.
    Vrouw,
    /// Code `3`.
    Onbekend,
}

impl Geslacht {
    /// Parses the wire code (`1`/`2`/`3`; `M`/`V`/`O` as used in the reference CSV).
    pub fn uit_code(code: &str) -> Option<Geslacht> {
        match code.trim() {
            "1" | "M" => Some(Geslacht::Man),
            "2" | "V" => Some(Geslacht::Vrouw),
            "3" | "O" => Some(Geslacht::Onbekend),
            _ => None,
        }
    }

    /// Wire code.
    pub fn code(self) -> &'static str {
        match self {
            Geslacht::Man => "1",
            Geslacht::Vrouw => "2",
            Geslacht::Onbekend => "3",
        }
    }

    /// Whether two values can describe the same person (onbekend matches anything).
    pub fn past_bij(self, other: Geslacht) -> bool {
        self == other || self == Geslacht::Onbekend || other == Geslacht::Onbekend
    }
}

/// A possibly incomplete birth date as DUO allows it: `00` day/month and `0000` year are unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Geboortedatum {
    /// Year, 0 = unknown.
    pub jaar: u16,
    /// Month, 0 = unknown.
    pub maand: u8,
    /// Day, 0 = unknown.
    pub dag: u8,
}

impl Geboortedatum {
    /// Parses `YYYY-MM-DD` with zeros for unknown parts; `None` on anything else.
    pub fn parse(s: &str) -> Option<Geboortedatum> {
        let mut it = s.trim().split('-');
        let jaar = it.next().filter(|p| p.len() == 4)?.parse().ok()?;
        let maand = it.next().filter(|p| p.len() == 2)?.parse().ok()?;
        let dag = it.next().filter(|p| p.len() == 2)?.parse().ok()?;
        if it.next().is_some() || maand > 12 || dag > 31 {
            return None;
        }
        Some(Geboortedatum { jaar, maand, dag })
    }

    /// From a complete date.
    pub fn volledig_van(d: NaiveDate) -> Geboortedatum {
        Geboortedatum {
            jaar: u16::try_from(d.year()).unwrap_or(0),
            maand: u8::try_from(d.month()).unwrap_or(0),
            dag: u8::try_from(d.day()).unwrap_or(0),
        }
    }

    /// The date when every part is known and forms a real date.
    pub fn volledig(&self) -> Option<NaiveDate> {
        if self.jaar == 0 || self.maand == 0 || self.dag == 0 {
            return None;
        }
        NaiveDate::from_ymd_opt(
            i32::from(self.jaar),
            u32::from(self.maand),
            u32::from(self.dag),
        )
    }

    /// Earliest date the value can stand for; `None` when the year is unknown. Rule 0105 uses it:
    /// a birth date is "in the future" only if even its earliest reading is.
    pub fn vroegst_mogelijk(&self) -> Option<NaiveDate> {
        if self.jaar == 0 {
            return None;
        }
        let maand = if self.maand == 0 {
            1
        } else {
            u32::from(self.maand)
        };
        let dag = if self.maand == 0 || self.dag == 0 {
            1
        } else {
            u32::from(self.dag)
        };
        NaiveDate::from_ymd_opt(i32::from(self.jaar), maand, dag)
    }

    /// Whether both values can describe the same date (unknown parts match anything).
    pub fn past_bij(&self, other: &Geboortedatum) -> bool {
        let deel = |a: u16, b: u16| a == 0 || b == 0 || a == b;
        deel(self.jaar, other.jaar)
            && deel(u16::from(self.maand), u16::from(other.maand))
            && deel(u16::from(self.dag), u16::from(other.dag))
    }

    /// Wire form `YYYY-MM-DD` with zeros.
    pub fn tekst(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.jaar, self.maand, self.dag)
    }
}

/// An address as identificatie and the BRP carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Adres {
    /// `binnenlandsAdres`; every part optional as on the wire.
    Binnenlands {
        /// `straatnaam`.
        straatnaam: Option<String>,
        /// `huisnummer`.
        huisnummer: Option<String>,
        /// `huisletter`.
        huisletter: Option<String>,
        /// `huisnummerToevoeging`.
        huisnummer_toevoeging: Option<String>,
        /// `postcode`.
        postcode: Option<String>,
        /// `plaatsnaam`.
        plaatsnaam: Option<String>,
    },
    /// `buitenlandsAdres`.
    Buitenlands {
        /// `adresregelBuitenland1..3`.
        adresregels: Vec<String>,
        /// `landcode`, four digits.
        landcode: Option<String>,
    },
}

/// A person osp knows: from the proef-BRP (with BSN) or registered by identificatie (with OWN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Persoon {
    /// The person's number.
    pub pgn: Pgn,
    /// Surname without prefixes.
    pub achternaam: String,
    /// Prefixes such as `de`, `van der`.
    pub voorvoegsels: Option<String>,
    /// Given names, space-separated.
    pub voornamen: Option<String>,
    /// Birth date, possibly incomplete for OWN persons.
    pub geboortedatum: Geboortedatum,
    /// Sex.
    pub geslacht: Geslacht,
    /// Nationality as text (BRP only); bekostiging 0704 will use it.
    pub nationaliteit: Option<String>,
    /// Date of settling in NL (BRP), for newcomer funding.
    pub datum_vestiging_nl: Option<chrono::NaiveDate>,
    /// Date of death (BRP), for KWC 0802.
    pub datum_overlijden: Option<chrono::NaiveDate>,
    /// Address.
    pub adres: Option<Adres>,
    /// BRP marks the address secret (geheimhouding).
    pub adres_geheim: bool,
    /// BRP marks the address a punt-adres (status onbetrouwbaar).
    pub puntadres: bool,
}

/// Search data of `zonderPGN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZonderPgn {
    /// `achternaam`.
    pub achternaam: String,
    /// `voorvoegsels`.
    pub voorvoegsels: Option<String>,
    /// `voornamen`.
    pub voornamen: Option<String>,
    /// `binnenlandsAdres` | `buitenlandsAdres`.
    pub adres: Option<Adres>,
}

/// The choice of identificatie: confirm a number, or search by personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Zoekgegevens {
    /// `metPGN`.
    MetPgn(Pgn),
    /// `zonderPGN`.
    ZonderPgn(ZonderPgn),
}

/// `aanleverenIdentificerenPersoonVO_Request` without its Bedrijfsdocument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identificatie {
    /// `huidigOnderwijsnummer`: the OWN the school uses now, if any.
    pub huidig_onderwijsnummer: Option<String>,
    /// `geboorteDatum`.
    pub geboortedatum: Geboortedatum,
    /// `geslacht`.
    pub geslacht: Geslacht,
    /// `metPGN` | `zonderPGN`.
    pub zoek: Zoekgegevens,
}

/// Case- and space-insensitive comparison form of a name.
pub fn naam_sleutel(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Persoon {
    /// Whether this person matches zonderPGN data: achternaam, birth date and sex must agree;
    /// voornamen only when both sides have them (first given name compared).
    pub fn past_bij(&self, id: &Identificatie, zoek: &ZonderPgn) -> bool {
        if naam_sleutel(&self.achternaam) != naam_sleutel(&zoek.achternaam)
            || !self.geboortedatum.past_bij(&id.geboortedatum)
            || !self.geslacht.past_bij(id.geslacht)
        {
            return false;
        }
        match (&self.voornamen, &zoek.voornamen) {
            (Some(a), Some(b)) => {
                let eerste = |s: &str| s.split_whitespace().next().map(str::to_lowercase);
                eerste(a) == eerste(b)
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_birth_dates() {
        let d = Geboortedatum::parse("2011-04-00").unwrap();
        assert_eq!(d.volledig(), None);
        assert_eq!(d.vroegst_mogelijk(), NaiveDate::from_ymd_opt(2011, 4, 1));
        assert!(d.past_bij(&Geboortedatum::parse("2011-04-17").unwrap()));
        assert!(!d.past_bij(&Geboortedatum::parse("2011-05-17").unwrap()));
        assert_eq!(
            Geboortedatum::parse("0000-00-00")
                .unwrap()
                .vroegst_mogelijk(),
            None
        );
        assert_eq!(Geboortedatum::parse("2011-13-01"), None);
        assert_eq!(d.tekst(), "2011-04-00");
    }

    #[test]
    fn pgn_storage_key_round_trip() {
        let p = Pgn::Onderwijsnummer("100000041".into());
        assert_eq!(Pgn::uit_opslagsleutel(&p.opslagsleutel()), Some(p));
        assert_eq!(
            Pgn::uit_opslagsleutel("999990007"),
            Some(Pgn::Burgerservicenummer("999990007".into()))
        );
        assert_eq!(Pgn::uit_opslagsleutel("B12"), None);
    }
}
