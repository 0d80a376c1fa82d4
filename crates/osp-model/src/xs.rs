//! Strict XML Schema value types the generated model uses for `xs:date`, `xs:dateTime` and
//! `xs:boolean` (STACK.md: xsd-parser's defaults accept `2025-13-45` and `yes`).
//!
//! Dates keep their lexical form (so a round trip reproduces the input exactly) and expose the
//! parsed fields; construction always checks the lexical and value space.

use std::fmt;
use std::str::FromStr;

use xsd_parser_types::quick_xml::{DeserializeBytesFromStr, SerializeBytesToString};

/// A value that is not in the lexical or value space of its XML Schema type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {kind}")]
pub struct XsValueError {
    /// The XML Schema type (`xs:date`, …).
    pub kind: &'static str,
    /// The offending text.
    pub value: String,
}

fn err(kind: &'static str, value: &str) -> XsValueError {
    XsValueError {
        kind,
        value: value.to_string(),
    }
}

/// Parsed calendar part of a date: (year, month, day) and the remaining text.
fn parse_date_part(s: &str) -> Option<((i32, u8, u8), &str)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let year_len = body.find('-')?;
    if year_len < 4 || (year_len > 4 && body.starts_with('0')) {
        return None;
    }
    let year_txt = &body[..year_len];
    if !year_txt.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year_txt.parse().ok()?;
    if year == 0 {
        return None; // XSD 1.0: year 0000 is not allowed.
    }
    let rest = &body[year_len + 1..];
    let (month, rest) = two_digits(rest)?;
    let rest = rest.strip_prefix('-')?;
    let (day, rest) = two_digits(rest)?;
    let year = if neg { -year } else { year };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(((year, month, day), rest))
}

fn two_digits(s: &str) -> Option<(u8, &str)> {
    let b = s.as_bytes();
    if b.len() < 2 || !b[0].is_ascii_digit() || !b[1].is_ascii_digit() {
        return None;
    }
    Some(((b[0] - b'0') * 10 + (b[1] - b'0'), &s[2..]))
}

// `%` rather than `is_multiple_of`: the workspace's rust-version is 1.85.
#[allow(clippy::manual_is_multiple_of)]
fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            // Proleptic Gregorian; XSD 1.0 counts year -1 like year 1 BCE, leap rules on |year|.
            let y = year.unsigned_abs();
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// Checks an optional timezone suffix: empty, `Z`, or `±hh:mm` within ±14:00.
fn valid_timezone(s: &str) -> bool {
    if s.is_empty() || s == "Z" {
        return true;
    }
    let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) else {
        return false;
    };
    let Some((h, rest)) = two_digits(rest) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(':') else {
        return false;
    };
    let Some((m, rest)) = two_digits(rest) else {
        return false;
    };
    rest.is_empty() && m < 60 && (h < 14 || (h == 14 && m == 0))
}

/// `xs:date` (e.g. `2025-08-01`, optionally with a timezone).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct XsDate {
    lexical: String,
    year: i32,
    month: u8,
    day: u8,
}

impl XsDate {
    /// Builds a date from its fields (no timezone).
    pub fn new(year: i32, month: u8, day: u8) -> Result<XsDate, XsValueError> {
        let text = if year < 0 {
            format!("-{:04}-{month:02}-{day:02}", -i64::from(year))
        } else {
            format!("{year:04}-{month:02}-{day:02}")
        };
        text.parse()
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// The lexical form, as received or built.
    pub fn as_str(&self) -> &str {
        &self.lexical
    }
}

impl FromStr for XsDate {
    type Err = XsValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ((year, month, day), rest) = parse_date_part(s).ok_or_else(|| err("xs:date", s))?;
        if !valid_timezone(rest) {
            return Err(err("xs:date", s));
        }
        Ok(XsDate {
            lexical: s.to_string(),
            year,
            month,
            day,
        })
    }
}

impl fmt::Display for XsDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lexical)
    }
}

impl SerializeBytesToString for XsDate {}
impl DeserializeBytesFromStr for XsDate {}

/// `xs:dateTime` (e.g. `2025-09-01T08:15:00.000Z`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct XsDateTime {
    lexical: String,
    date: (i32, u8, u8),
    time: (u8, u8, u8),
}

impl XsDateTime {
    /// The calendar date (year, month, day).
    pub fn date(&self) -> (i32, u8, u8) {
        self.date
    }

    /// The time of day (hour, minute, whole seconds).
    pub fn time(&self) -> (u8, u8, u8) {
        self.time
    }

    /// The lexical form, as received or built.
    pub fn as_str(&self) -> &str {
        &self.lexical
    }
}

impl FromStr for XsDateTime {
    type Err = XsValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || err("xs:dateTime", s);
        let (date, rest) = parse_date_part(s).ok_or_else(bad)?;
        let rest = rest.strip_prefix('T').ok_or_else(bad)?;
        let (h, rest) = two_digits(rest).ok_or_else(bad)?;
        let rest = rest.strip_prefix(':').ok_or_else(bad)?;
        let (m, rest) = two_digits(rest).ok_or_else(bad)?;
        let rest = rest.strip_prefix(':').ok_or_else(bad)?;
        let (sec, mut rest) = two_digits(rest).ok_or_else(bad)?;
        let mut fraction_nonzero = false;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            fraction_nonzero = frac[..digits].bytes().any(|b| b != b'0');
            rest = &frac[digits..];
        }
        let end_of_day = h == 24 && m == 0 && sec == 0 && !fraction_nonzero;
        if (h > 23 && !end_of_day) || m > 59 || sec > 59 || !valid_timezone(rest) {
            return Err(bad());
        }
        Ok(XsDateTime {
            lexical: s.to_string(),
            date,
            time: (h, m, sec),
        })
    }
}

impl fmt::Display for XsDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lexical)
    }
}

impl SerializeBytesToString for XsDateTime {}
impl DeserializeBytesFromStr for XsDateTime {}

/// `xs:boolean`: only `true`, `false`, `1`, `0`; always written as `true`/`false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct XsBoolean(pub bool);

impl XsBoolean {
    /// The boolean value.
    pub fn value(self) -> bool {
        self.0
    }
}

impl From<bool> for XsBoolean {
    fn from(b: bool) -> Self {
        XsBoolean(b)
    }
}

impl From<XsBoolean> for bool {
    fn from(b: XsBoolean) -> Self {
        b.0
    }
}

impl FromStr for XsBoolean {
    type Err = XsValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "true" | "1" => Ok(XsBoolean(true)),
            "false" | "0" => Ok(XsBoolean(false)),
            _ => Err(err("xs:boolean", s)),
        }
    }
}

impl fmt::Display for XsBoolean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "true" } else { "false" })
    }
}

impl SerializeBytesToString for XsBoolean {}
impl DeserializeBytesFromStr for XsBoolean {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in [
            "2025-08-01",
            "2024-02-29",
            "2025-08-01Z",
            "2025-08-01+02:00",
            "-0044-03-15",
            "12025-01-01",
        ] {
            let d: XsDate = ok.parse().unwrap();
            assert_eq!(d.to_string(), ok);
        }
        for bad in [
            "2025-13-45",
            "2025-02-29",
            "2025-8-01",
            "25-08-01",
            "2025-08-01T00:00:00",
            "0000-01-01",
            "2025-08-01+15:00",
            "",
            "02025-01-01",
            " 2025-08-01",
        ] {
            assert!(bad.parse::<XsDate>().is_err(), "{bad}");
        }
        let d = XsDate::new(2025, 9, 1).unwrap();
        assert_eq!(
            (d.year(), d.month(), d.day(), d.as_str()),
            (2025, 9, 1, "2025-09-01")
        );
        assert!(XsDate::new(2025, 4, 31).is_err());
    }

    #[test]
    fn date_times() {
        for ok in [
            "2025-09-01T08:15:00.000Z",
            "2025-09-01T08:15:00",
            "2025-09-01T24:00:00Z",
            "2025-09-01T23:59:59.999999+14:00",
        ] {
            let d: XsDateTime = ok.parse().unwrap();
            assert_eq!(d.to_string(), ok);
        }
        for bad in [
            "2025-09-01",
            "2025-09-01T24:00:01",
            "2025-09-01T08:60:00",
            "2025-09-01T08:15:00.",
            "2025-09-01 08:15:00",
            "2025-09-01T8:15:00",
        ] {
            assert!(bad.parse::<XsDateTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!("1".parse::<XsBoolean>().unwrap(), XsBoolean(true));
        assert_eq!("false".parse::<XsBoolean>().unwrap().to_string(), "false");
        for bad in ["yes", "TRUE", "True", ""] {
            assert!(bad.parse::<XsBoolean>().is_err(), "{bad}");
        }
    }
}
