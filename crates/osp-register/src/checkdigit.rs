//! Check digits of the two persoonsgebonden nummers (SPEC §8): the BSN elfproef (rule 0101) and
//! DUO's onderwijsnummer proef (rule 0102), plus the digit arithmetic the generators need.

/// Weighted sum 9·d1 + 8·d2 + … + 2·d8 of the first eight digits; `None` unless exactly nine
/// ASCII digits, so callers never index into malformed input.
fn gewogen_som(nummer: &str) -> Option<(u32, u32)> {
    let bytes = nummer.as_bytes();
    if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let som = bytes[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some((som, u32::from(bytes[8] - b'0')))
}

/// Whether `bsn` passes the elfproef: (9·d1+…+2·d8 − d9) mod 11 = 0 and not all zeros.
pub fn bsn_geldig(bsn: &str) -> bool {
    match gewogen_som(bsn) {
        Some((som, d9)) => som != 0 && (som + 11 * 10 - d9) % 11 == 0,
        None => false,
    }
}

/// Whether `own` passes DUO's onderwijsnummer proef: the elfproef with remainder 5,
/// (9·d1+…+2·d8 − d9) mod 11 = 5. The modulo covers the check digit too, so a number ending in
/// 6–9 can pass (RULES.md 0102, corrected 2026-12: the earlier "mod 11 = d9 + 5" refused those).
pub fn onderwijsnummer_geldig(own: &str) -> bool {
    match gewogen_som(own) {
        Some((som, d9)) => (som + 11 - d9) % 11 == 5,
        None => false,
    }
}

/// Completes an 8-digit base into a valid onderwijsnummer, or `None` when no ninth digit
/// satisfies the proef (the digit would have to be 10: one base in eleven).
pub fn onderwijsnummer_met_controlecijfer(basis: u32) -> Option<String> {
    if basis > 99_999_999 {
        return None;
    }
    let acht = format!("{:08}", basis);
    let (som, _) = gewogen_som(&format!("{acht}0"))?;
    // d9 ≡ som − 5 (mod 11)
    let d9 = (som + 6) % 11;
    (d9 <= 9).then(|| format!("{acht}{d9}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn testdata_numbers() {
        for bsn in [
            "999990007",
            "999990019",
            "999990020",
            "999990032",
            "999990044",
            "999990056",
            "999990068",
            "999990081",
            "999990093",
            "999990111",
            "999990123",
            "999990135",
            "999990147",
            "999990159",
        ] {
            assert!(bsn_geldig(bsn), "{bsn}");
        }
        assert!(!bsn_geldig("999990000"));
        assert!(!bsn_geldig("999990001"));
        assert!(!bsn_geldig("000000000"));
        assert!(!bsn_geldig("12345678"));
        assert!(!bsn_geldig("12345678a"));
        assert!(!onderwijsnummer_geldig("100000005"));
        assert!(onderwijsnummer_geldig("100000041"));
        // TESTDATA.md: passes the corrected proef with last digit 6 (the old text refused it).
        assert!(onderwijsnummer_geldig("100000016"));
        // Near-misses: the neighbours of a valid number fail.
        assert!(!onderwijsnummer_geldig("100000015"));
        assert!(!onderwijsnummer_geldig("100000017"));
        assert!(!onderwijsnummer_geldig("10000001"));
        assert!(!onderwijsnummer_geldig("10000001x"));
    }

    proptest! {
        #[test]
        fn bsn_changing_one_digit_breaks_elfproef(basis in 10_000_000u32..99_999_999, pos in 0usize..9, delta in 1u8..10) {
            // Build a valid BSN from the base, then change one digit: the elfproef must catch it.
            let acht = format!("{:08}", basis);
            let Some(bsn) = (0..10).map(|d| format!("{}{}", acht, d)).find(|s| bsn_geldig(s)) else { return Ok(()); };
            let mut bytes = bsn.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(!bsn_geldig(&changed) || changed.bytes().all(|b| b == b'0'));
        }

        #[test]
        fn generated_onderwijsnummer_passes(basis in 0u32..100_000_000) {
            if let Some(own) = onderwijsnummer_met_controlecijfer(basis) {
                prop_assert!(onderwijsnummer_geldig(&own));
                let acht = format!("{:08}", basis);
                prop_assert!(own.starts_with(&acht));
            } else {
                // No digit 0..9 satisfies the proef for this base.
                let acht = format!("{:08}", basis);
                let geen = (0..10).all(|d| !onderwijsnummer_geldig(&format!("{}{}", acht, d)));
                prop_assert!(geen);
            }
        }

        #[test]
        fn every_last_digit_occurs_in_valid_onderwijsnummers(basis in 0u32..100_000_000) {
            // Exactly one check digit per base, except the one base in eleven that would need 10.
            let acht = format!("{:08}", basis);
            let geldig = (0..10).filter(|d| onderwijsnummer_geldig(&format!("{acht}{d}"))).count();
            prop_assert!(geldig <= 1);
            prop_assert_eq!(geldig == 1, onderwijsnummer_met_controlecijfer(basis).is_some());
        }

        #[test]
        fn onderwijsnummer_proef_matches_definition(n in 0u32..1_000_000_000) {
            let s = format!("{:09}", n);
            let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
            let som: u32 = (0..8).map(|i| d[i] * (9 - i as u32)).sum();
            prop_assert_eq!(
                onderwijsnummer_geldig(&s),
                (som as i64 - d[8] as i64).rem_euclid(11) == 5
            );
            let bsn_def = (som as i64 - d[8] as i64).rem_euclid(11) == 0 && n != 0;
            prop_assert_eq!(bsn_geldig(&s), bsn_def);
        }
    }
}
