//! RULES.md group 03 — verwijdering (AFKEURING): only a registered key can be removed.

use super::Regel;
use crate::domain::{Foutmelding, Pgn};

/// 0301: the key to remove is unknown in this sandbox.
pub const R0301: Regel = Regel::afkeuring("0301", "Te verwijderen gegeven is niet geregistreerd");

/// The rules of this group.
pub const REGELS: &[Regel] = &[R0301];

/// 0301 when nothing is registered under the key; `volgnummer_naam` is `inschrijvingvolgnummer`
/// or `examenresultaatvolgnummer`.
pub fn niet_geregistreerd(
    geregistreerd: bool,
    pgn: &Pgn,
    brin: &str,
    volgnummer_naam: &str,
    volgnummer: &str,
) -> Option<Foutmelding> {
    (!geregistreerd).then(|| {
        R0301.fout(&[
            (pgn.element(), pgn.nummer()),
            ("brin", brin),
            (volgnummer_naam, volgnummer),
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r0301_unknown_key() {
        let pgn = Pgn::Burgerservicenummer("999990007".into());
        let f = niet_geregistreerd(false, &pgn, "99AA", "inschrijvingvolgnummer", "x").unwrap();
        assert_eq!(f.foutcode, "0301");
        assert_eq!(f.sleutelgegevens.len(), 3);
        assert!(niet_geregistreerd(true, &pgn, "99AA", "inschrijvingvolgnummer", "x").is_none());
    }
}
