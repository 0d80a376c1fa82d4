//! Persons for generated stands: the BSNs of the proef-BRP generator in its own order
//! (ascending from `eerste_bsn` to 999999999, then descending from `daarna_aflopend_vanaf`,
//! skipping numbers that fail the elfproef), so every stand names a person the register knows.

use osp_register::checkdigit::bsn_geldig;
use std::path::Path;

use crate::BenchError;

/// The two starting points of the generator's BSN sequence (`brp-generator.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BsnReeks {
    /// First candidate, ascending.
    pub eerste_bsn: u32,
    /// Where candidates continue, descending, after 999999999.
    pub daarna_aflopend_vanaf: u32,
    /// Persons the generator makes (`aantal`): a BSN further along the sequence is valid but
    /// unknown to that proef-BRP (rule 0103).
    pub aantal: usize,
}

impl Default for BsnReeks {
    fn default() -> Self {
        BsnReeks {
            eerste_bsn: 999_991_000,
            daarna_aflopend_vanaf: 999_989_999,
            aantal: 10_000,
        }
    }
}

impl BsnReeks {
    /// Reads the two numbers from a reference directory's `brp-generator.toml`.
    pub fn lees(referentie: &Path) -> Result<BsnReeks, BenchError> {
        let pad = referentie.join("brp-generator.toml");
        let tekst = std::fs::read_to_string(&pad).map_err(|bron| BenchError::Io {
            pad: pad.clone(),
            bron,
        })?;
        let getal = |sleutel: &str| -> Result<u32, BenchError> {
            tekst
                .lines()
                .filter_map(|r| r.split_once('='))
                .find(|(k, _)| k.trim() == sleutel)
                .and_then(|(_, v)| v.trim().parse().ok())
                .ok_or_else(|| BenchError::Opzet(format!("{}: {sleutel} ontbreekt", pad.display())))
        };
        Ok(BsnReeks {
            eerste_bsn: getal("eerste_bsn")?,
            daarna_aflopend_vanaf: getal("daarna_aflopend_vanaf")?,
            aantal: getal("aantal")? as usize,
        })
    }

    /// Every valid BSN in generator order.
    pub fn iter(self) -> impl Iterator<Item = String> {
        (self.eerste_bsn..=999_999_999)
            .chain((0..=self.daarna_aflopend_vanaf).rev())
            .map(|n| format!("{n:09}"))
            .filter(|b| bsn_geldig(b))
    }

    /// `aantal` BSNs starting at position `vanaf` of the sequence (also past the proef-BRP's
    /// persons: see [`BsnReeks::bekend`]).
    pub fn reeks(self, vanaf: usize, aantal: usize) -> Vec<String> {
        self.iter().skip(vanaf).take(aantal).collect()
    }

    /// Up to `aantal` BSNs from position `vanaf` that the proef-BRP knows (rule 0103 passes).
    pub fn bekend(self, vanaf: usize, aantal: usize) -> Vec<String> {
        self.reeks(vanaf, aantal.min(self.aantal.saturating_sub(vanaf)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_generator_order_and_elfproef() {
        let r = BsnReeks::default().reeks(0, 900);
        assert!(r.iter().all(|b| bsn_geldig(b)));
        assert!(r[0].as_str() >= "999991000");
        // ~818 valid numbers above 999991000, then descending below the reserved block
        let omslag = r.iter().position(|b| b.as_str() < "999990000").unwrap();
        assert!((800..840).contains(&omslag), "{omslag}");
        assert!(r[omslag].as_str() <= "999989999");
        assert!(r[omslag + 1] < r[omslag]);
        let mut uniek = r.clone();
        uniek.sort();
        uniek.dedup();
        assert_eq!(uniek.len(), r.len());
    }

    #[test]
    fn offset_continues_the_sequence() {
        let alles = BsnReeks::default().reeks(0, 20);
        assert_eq!(BsnReeks::default().reeks(5, 3), alles[5..8].to_vec());
    }

    #[test]
    fn reads_the_fixture_file() {
        let dir = osp_register::reference::standaard_map();
        assert_eq!(BsnReeks::lees(&dir).unwrap(), BsnReeks::default());
    }

    #[test]
    fn known_persons_stop_at_the_proef_brp_size() {
        let r = BsnReeks {
            aantal: 10,
            ..BsnReeks::default()
        };
        assert_eq!(r.bekend(4, 100), r.reeks(4, 6));
        assert!(r.bekend(12, 5).is_empty());
        // The last known person is one the register's proef-BRP holds.
        let dir = osp_register::reference::standaard_map();
        let reference = osp_register::Reference::load(&dir).unwrap();
        let echt = BsnReeks::lees(&dir).unwrap();
        let laatste = echt.bekend(0, usize::MAX).pop().unwrap();
        assert!(reference.brp_persoon(&laatste).is_some());
        assert!(reference
            .brp_persoon(&echt.reeks(echt.aantal, 1)[0])
            .is_none());
    }
}
