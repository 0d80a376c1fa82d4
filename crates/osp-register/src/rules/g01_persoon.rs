//! RULES.md group 01 — person (AFKEURING): check digits, BRP and DUO knowledge of the number,
//! identificatie's birth date and ambiguity.

use super::{Context, Regel};
use crate::checkdigit::{bsn_geldig, onderwijsnummer_geldig};
use crate::domain::{Foutmelding, Geboortedatum, Pgn};

/// 0101: (9·d1+…+2·d8 − d9) mod 11 ≠ 0, or all zeros.
pub const R0101: Regel =
    Regel::afkeuring("0101", "Burgerservicenummer voldoet niet aan de elfproef");
/// 0102: (9·d1+…+2·d8 − d9) mod 11 ≠ 5.
pub const R0102: Regel = Regel::afkeuring("0102", "Onderwijsnummer voldoet niet aan de proef");
/// 0103: BSN not in the proef-BRP (strict mode, default).
pub const R0103: Regel = Regel::afkeuring("0103", "Burgerservicenummer komt niet voor in de BRP");
/// 0104: OWN never assigned in this sandbox.
pub const R0104: Regel = Regel::afkeuring("0104", "Onderwijsnummer is niet door DUO uitgegeven");
/// 0105: identificatie with a birth date in the future.
pub const R0105: Regel = Regel::afkeuring("0105", "Geboortedatum ligt in de toekomst");
/// 0106: identificatie zonderPGN matches more than one person.
pub const R0106: Regel = Regel::afkeuring("0106", "Persoon is niet eenduidig te identificeren");

/// The rules of this group.
pub const REGELS: &[Regel] = &[R0101, R0102, R0103, R0104, R0105, R0106];

/// 0101/0102: the check digit of the number.
pub fn controlecijfer(pgn: &Pgn) -> Option<Foutmelding> {
    let sleutel = [(pgn.element(), pgn.nummer())];
    match pgn {
        Pgn::Burgerservicenummer(n) if !bsn_geldig(n) => Some(R0101.fout(&sleutel)),
        Pgn::Onderwijsnummer(n) if !onderwijsnummer_geldig(n) => Some(R0102.fout(&sleutel)),
        _ => None,
    }
}

/// 0101–0104 for a person number in a delivery: check digit first; only a well-formed number is
/// looked up. `bekend` says whether the BRP (BSN) or this sandbox (OWN) knows the number.
pub fn controleer_pgn(pgn: &Pgn, bekend: bool, ctx: &Context<'_>) -> Vec<Foutmelding> {
    if let Some(f) = controlecijfer(pgn) {
        return vec![f];
    }
    let sleutel = [(pgn.element(), pgn.nummer())];
    match pgn {
        Pgn::Burgerservicenummer(_) if ctx.strikte_brp && !bekend => vec![R0103.fout(&sleutel)],
        Pgn::Onderwijsnummer(_) if !bekend => vec![R0104.fout(&sleutel)],
        _ => Vec::new(),
    }
}

/// 0105: even the earliest reading of the (possibly incomplete) birth date is after today.
pub fn geboortedatum_in_toekomst(
    geboortedatum: &Geboortedatum,
    ctx: &Context<'_>,
) -> Option<Foutmelding> {
    let vroegst = geboortedatum.vroegst_mogelijk()?;
    (vroegst > ctx.vandaag).then(|| R0105.fout(&[("geboorteDatum", &geboortedatum.tekst())]))
}

/// 0106: more than one known person matches the zonderPGN data.
pub fn niet_eenduidig(
    aantal: usize,
    achternaam: &str,
    geboortedatum: &Geboortedatum,
) -> Option<Foutmelding> {
    (aantal > 1).then(|| {
        R0106.fout(&[
            ("achternaam", achternaam),
            ("geboorteDatum", &geboortedatum.tekst()),
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{codes, ctx};

    fn bsn(n: &str) -> Pgn {
        Pgn::Burgerservicenummer(n.into())
    }
    fn own(n: &str) -> Pgn {
        Pgn::Onderwijsnummer(n.into())
    }

    #[test]
    fn r0101_elfproef() {
        let f = controleer_pgn(&bsn("999990000"), false, &ctx());
        assert_eq!(codes(&f), ["0101"]);
        assert_eq!(f[0].sleutelgegevens[0].sleutelnaam, "burgerservicenummer");
        assert_eq!(
            codes(&controleer_pgn(&bsn("000000000"), false, &ctx())),
            ["0101"]
        );
        // near miss: valid and known
        assert!(controleer_pgn(&bsn("999990007"), true, &ctx()).is_empty());
    }

    #[test]
    fn r0102_own_proef() {
        assert_eq!(
            codes(&controleer_pgn(&own("100000005"), false, &ctx())),
            ["0102"]
        );
        // near miss: passes the proef and issued
        assert!(controleer_pgn(&own("100000041"), true, &ctx()).is_empty());
        // last digit 6 passes the corrected proef: never issued is 0104, not 0102
        assert_eq!(
            codes(&controleer_pgn(&own("100000016"), false, &ctx())),
            ["0104"]
        );
        assert_eq!(
            codes(&controleer_pgn(&own("100000017"), false, &ctx())),
            ["0102"]
        );
    }

    #[test]
    fn r0103_bsn_not_in_brp() {
        assert_eq!(
            codes(&controleer_pgn(&bsn("999990147"), false, &ctx())),
            ["0103"]
        );
        // near misses: known; or lenient mode
        assert!(controleer_pgn(&bsn("999990147"), true, &ctx()).is_empty());
        let lenient = Context {
            strikte_brp: false,
            ..ctx()
        };
        assert!(controleer_pgn(&bsn("999990147"), false, &lenient).is_empty());
    }

    #[test]
    fn r0104_own_not_issued() {
        let f = controleer_pgn(&own("100000041"), false, &ctx());
        assert_eq!(codes(&f), ["0104"]);
        assert_eq!(f[0].sleutelgegevens[0].sleutelnaam, "onderwijsnummer");
        assert!(controleer_pgn(&own("100000041"), true, &ctx()).is_empty());
    }

    #[test]
    fn r0105_birth_date_in_future() {
        let c = ctx(); // today 2025-09-15
        let f =
            geboortedatum_in_toekomst(&Geboortedatum::parse("2025-09-16").unwrap(), &c).unwrap();
        assert_eq!(f.foutcode, "0105");
        assert!(
            geboortedatum_in_toekomst(&Geboortedatum::parse("2026-00-00").unwrap(), &c).is_some()
        );
        // near misses: today, incomplete month that has begun, unknown year
        assert!(
            geboortedatum_in_toekomst(&Geboortedatum::parse("2025-09-15").unwrap(), &c).is_none()
        );
        assert!(
            geboortedatum_in_toekomst(&Geboortedatum::parse("2025-09-00").unwrap(), &c).is_none()
        );
        assert!(
            geboortedatum_in_toekomst(&Geboortedatum::parse("0000-00-00").unwrap(), &c).is_none()
        );
    }

    #[test]
    fn r0106_ambiguous() {
        let g = Geboortedatum::parse("2011-04-00").unwrap();
        assert_eq!(niet_eenduidig(2, "Haddad", &g).unwrap().foutcode, "0106");
        assert!(niet_eenduidig(1, "Haddad", &g).is_none());
        assert!(niet_eenduidig(0, "Haddad", &g).is_none());
    }
}
