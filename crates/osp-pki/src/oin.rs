//! The OIN (Organisatie-identificatienummer): the identity every party has on the OSP, carried in
//! certificates (subject serialNumber) and in WS-Addressing `?oin=` addresses (SPEC §2).

use std::fmt;
use std::str::FromStr;

/// Length of every OIN: 8-character prefix, main number, zero padding (SPEC §2).
pub const OIN_LEN: usize = 20;

/// Why a string is not a well-formed OIN; the gateway maps these to EK0021/EK0022/EK0030.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OinError {
    /// Not exactly 20 characters.
    #[error("OIN moet {OIN_LEN} tekens lang zijn, niet {0}")]
    Lengte(usize),
    /// A character other than a digit or upper-case letter, or a letter outside a BRIN position.
    #[error("OIN bevat een ongeldig teken op positie {0}")]
    Teken(usize),
    /// The 8-character prefix is not one osp knows.
    #[error("onbekend OIN-voorvoegsel {0}")]
    Voorvoegsel(String),
    /// The number part does not have the shape its prefix requires (e.g. BRIN padding).
    #[error("OIN heeft niet de vorm van voorvoegsel {0}")]
    Vorm(&'static str),
}

/// The kind of number an OIN wraps, read from its prefix (SPEC §2), so tools can say what a
/// party is (school, vendor, government).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OinSoort {
    /// `00000001`: RSIN (e.g. DUO itself).
    Rsin,
    /// `00000003`: KvK number (e.g. a software vendor).
    Kvk,
    /// `00000004`: SubOIN issued by Logius (e.g. a second administratie).
    SubOin,
    /// `00000007`: BRIN of a school: `00000007` + `000` + BRIN4 + `00000`.
    Brin,
    /// `00000099`: test OINs.
    Test,
}

impl OinSoort {
    /// The 8-digit prefix of this kind.
    pub const fn prefix(self) -> &'static str {
        match self {
            OinSoort::Rsin => "00000001",
            OinSoort::Kvk => "00000003",
            OinSoort::SubOin => "00000004",
            OinSoort::Brin => "00000007",
            OinSoort::Test => "00000099",
        }
    }

    const ALL: [OinSoort; 5] = [
        OinSoort::Rsin,
        OinSoort::Kvk,
        OinSoort::SubOin,
        OinSoort::Brin,
        OinSoort::Test,
    ];
}

/// A validated OIN; holding one proves the text is well-formed, so downstream code never
/// re-checks it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oin(String);

impl Oin {
    /// Parses and validates an OIN (20 characters, known prefix, digits except BRIN letters).
    pub fn parse(text: &str) -> Result<Oin, OinError> {
        let len = text.chars().count();
        if len != OIN_LEN {
            return Err(OinError::Lengte(len));
        }
        let bytes = text.as_bytes();
        if let Some(i) = bytes
            .iter()
            .position(|b| !(b.is_ascii_digit() || b.is_ascii_uppercase()))
        {
            return Err(OinError::Teken(i + 1));
        }
        let prefix = &text[..8];
        let soort = OinSoort::ALL
            .into_iter()
            .find(|s| s.prefix() == prefix)
            .ok_or_else(|| OinError::Voorvoegsel(prefix.to_string()))?;
        let rest = &bytes[8..];
        match soort {
            OinSoort::Brin => {
                // `000` + BRIN4 (two digits, two letters or digits) + `00000`.
                if &rest[..3] != b"000" || &rest[7..] != b"00000" {
                    return Err(OinError::Vorm(soort.prefix()));
                }
                if !rest[3..5].iter().all(u8::is_ascii_digit) {
                    return Err(OinError::Vorm(soort.prefix()));
                }
            }
            OinSoort::Test => {}
            OinSoort::Rsin | OinSoort::Kvk | OinSoort::SubOin => {
                if let Some(i) = rest.iter().position(|b| !b.is_ascii_digit()) {
                    return Err(OinError::Teken(i + 9));
                }
            }
        }
        Ok(Oin(text.to_string()))
    }

    /// The school OIN for a BRIN4 (`00000007` + `000` + BRIN + `00000`), as DUO derives it.
    pub fn for_brin(brin: &str) -> Result<Oin, OinError> {
        Oin::parse(&format!("00000007000{brin}00000"))
    }

    /// The OIN as its 20-character text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What kind of number this OIN wraps.
    pub fn soort(&self) -> OinSoort {
        let prefix = &self.0[..8];
        OinSoort::ALL
            .into_iter()
            .find(|s| s.prefix() == prefix)
            .unwrap_or(OinSoort::Test)
    }

    /// The BRIN4 inside a school OIN, `None` for other kinds.
    pub fn brin(&self) -> Option<&str> {
        (self.soort() == OinSoort::Brin).then(|| &self.0[11..15])
    }
}

impl FromStr for Oin {
    type Err = OinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Oin::parse(s)
    }
}

impl fmt::Display for Oin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Oin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_testdata_oin() {
        for oin in [
            "00000001800866472000",
            "0000000700099AA00000",
            "00000004000000099000",
            "0000000700099BB00000",
            "0000000700025BE00000",
            "00000003123456780000",
            "00000003876543210000",
            "00000099ABC000000001",
        ] {
            assert_eq!(
                Oin::parse(oin).map(|o| o.to_string()),
                Ok(oin.to_string()),
                "{oin}"
            );
        }
    }

    #[test]
    fn kinds_and_brin() {
        assert_eq!(
            Oin::parse("00000001800866472000").unwrap().soort(),
            OinSoort::Rsin
        );
        let school = Oin::parse("0000000700099AA00000").unwrap();
        assert_eq!(school.soort(), OinSoort::Brin);
        assert_eq!(school.brin(), Some("99AA"));
        assert_eq!(
            Oin::for_brin("25BE").unwrap().as_str(),
            "0000000700025BE00000"
        );
        assert_eq!(Oin::parse("00000003123456780000").unwrap().brin(), None);
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(Oin::parse("12345"), Err(OinError::Lengte(5)));
        assert_eq!(Oin::parse(""), Err(OinError::Lengte(0)));
        assert_eq!(Oin::parse("000000070009 9AA0000"), Err(OinError::Teken(13)));
        assert_eq!(Oin::parse("0000000700099aa00000"), Err(OinError::Teken(14)));
        assert_eq!(
            Oin::parse("00000005123456789000"),
            Err(OinError::Voorvoegsel("00000005".into()))
        );
        assert_eq!(
            Oin::parse("0000000712399AA00000"),
            Err(OinError::Vorm("00000007"))
        );
        assert_eq!(
            Oin::parse("0000000700099AA00001"),
            Err(OinError::Vorm("00000007"))
        );
        assert_eq!(Oin::parse("0000000100086647200A"), Err(OinError::Teken(20)));
        assert_eq!(Oin::parse("0000000700099AA0000é"), Err(OinError::Teken(20)));
    }
}
