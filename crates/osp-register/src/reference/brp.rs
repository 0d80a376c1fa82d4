//! The proef-BRP: the named persons of TESTDATA.md from `personen.csv`, plus a deterministic
//! generator of many more so load tests and vendors have realistic volumes.

use std::path::Path;

use chrono::{Days, NaiveDate};
use serde::Deserialize;

use super::csvload::{self, inhoud};
use super::ReferenceError;
use crate::checkdigit::bsn_geldig;
use crate::domain::{Adres, Geboortedatum, Geslacht, Persoon, Pgn};

#[derive(Deserialize)]
struct PersoonRij {
    bsn: String,
    voornamen: Option<String>,
    voorvoegsels: Option<String>,
    achternaam: String,
    geslacht: String,
    geboortedatum: NaiveDate,
    nationaliteit: Option<String>,
    datum_vestiging_nl: Option<NaiveDate>,
    datum_overlijden: Option<NaiveDate>,
    straatnaam: Option<String>,
    huisnummer: Option<String>,
    postcode: Option<String>,
    plaatsnaam: Option<String>,
    adres_geheim: String,
    puntadres: String,
    #[allow(dead_code)]
    bijzonderheid: Option<String>,
}

/// Reads the named persons; every BSN must pass the elfproef.
pub fn load_named(pad: &Path) -> Result<Vec<Persoon>, ReferenceError> {
    let mut uit = Vec::new();
    for (regel, rij) in csvload::rows::<PersoonRij>(pad)? {
        if !bsn_geldig(&rij.bsn) {
            return Err(inhoud(
                pad,
                regel,
                format!("BSN {} voldoet niet aan de elfproef", rij.bsn),
            ));
        }
        let geslacht = Geslacht::uit_code(&rij.geslacht)
            .ok_or_else(|| inhoud(pad, regel, format!("onbekend geslacht {}", rij.geslacht)))?;
        uit.push(Persoon {
            pgn: Pgn::Burgerservicenummer(rij.bsn),
            achternaam: rij.achternaam,
            voorvoegsels: rij.voorvoegsels,
            voornamen: rij.voornamen,
            geboortedatum: Geboortedatum::volledig_van(rij.geboortedatum),
            geslacht,
            nationaliteit: rij.nationaliteit,
            datum_vestiging_nl: rij.datum_vestiging_nl,
            datum_overlijden: rij.datum_overlijden,
            adres: Some(Adres::Binnenlands {
                straatnaam: rij.straatnaam,
                huisnummer: rij.huisnummer,
                huisletter: None,
                huisnummer_toevoeging: None,
                postcode: rij.postcode,
                plaatsnaam: rij.plaatsnaam,
            }),
            adres_geheim: csvload::ja_nee(pad, regel, &rij.adres_geheim)?,
            puntadres: csvload::ja_nee(pad, regel, &rij.puntadres)?,
        });
    }
    Ok(uit)
}

/// Settings of the deterministic proef-BRP generator (`brp-generator.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct BrpGenerator {
    /// PRNG seed: same seed, same persons.
    pub seed: u64,
    /// Number of persons to generate.
    pub aantal: usize,
    /// First BSN candidate; candidates ascend to 999999999, numbers failing the elfproef are
    /// skipped.
    pub eerste_bsn: u32,
    /// Where candidates continue, descending, once 999999999 is passed: 999991000..=999999999
    /// holds only ~818 valid BSNs, too few for 10,000 persons.
    pub daarna_aflopend_vanaf: u32,
    /// Earliest birth date.
    pub geboren_vanaf: NaiveDate,
    /// Latest birth date.
    pub geboren_tot: NaiveDate,
    /// Per mille with a foreign nationality.
    pub promille_buitenlands: u32,
    /// Per mille with a secret address.
    pub promille_geheim: u32,
    /// Per mille with a punt-address.
    pub promille_puntadres: u32,
    /// Male given names.
    pub voornamen_man: Vec<String>,
    /// Female given names.
    pub voornamen_vrouw: Vec<String>,
    /// `[voorvoegsels, achternaam]` pairs.
    pub achternamen: Vec<(String, String)>,
    /// Street names.
    pub straten: Vec<String>,
    /// `[plaats, first two postcode digits]` pairs.
    pub plaatsen: Vec<(String, String)>,
    /// Foreign nationalities.
    pub nationaliteiten: Vec<String>,
}

/// SplitMix64: tiny, well-known, and stable across releases (unlike a library PRNG's stream).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

impl BrpGenerator {
    /// Reads and checks the generator settings.
    pub fn load(pad: &Path) -> Result<BrpGenerator, ReferenceError> {
        let tekst = std::fs::read_to_string(pad).map_err(|e| ReferenceError::Lezen {
            bestand: pad.to_path_buf(),
            melding: e.to_string(),
        })?;
        let g: BrpGenerator = toml::from_str(&tekst).map_err(|e| ReferenceError::Lezen {
            bestand: pad.to_path_buf(),
            melding: e.to_string(),
        })?;
        let fout = |m: &str| ReferenceError::Inhoud {
            bestand: pad.to_path_buf(),
            regel: 0,
            melding: m.into(),
        };
        if g.voornamen_man.is_empty()
            || g.voornamen_vrouw.is_empty()
            || g.achternamen.is_empty()
            || g.straten.is_empty()
            || g.plaatsen.is_empty()
            || g.nationaliteiten.is_empty()
        {
            return Err(fout("lege naamlijst"));
        }
        if g.geboren_tot < g.geboren_vanaf {
            return Err(fout("geboren_tot ligt voor geboren_vanaf"));
        }
        if g.daarna_aflopend_vanaf >= g.eerste_bsn.min(999_990_000) {
            return Err(fout(
                "daarna_aflopend_vanaf moet onder eerste_bsn en 999990000 liggen",
            ));
        }
        let ruimte = (999_999_999 - u64::from(g.eerste_bsn.min(999_999_999)))
            + u64::from(g.daarna_aflopend_vanaf);
        if (g.aantal as u64).saturating_mul(12) > ruimte {
            return Err(fout("te weinig BSN-ruimte voor aantal"));
        }
        Ok(g)
    }

    /// Generates the persons (ascending BSNs from `eerste_bsn`, then descending below the
    /// reserved 99999 0xxx block); identical output for identical settings.
    pub fn genereer(&self) -> Vec<Persoon> {
        let mut rng = SplitMix64(self.seed);
        let dagen = (self.geboren_tot - self.geboren_vanaf).num_days().max(0) as usize + 1;
        let mut uit = Vec::with_capacity(self.aantal);
        let kandidaten =
            (self.eerste_bsn..=999_999_999).chain((0..=self.daarna_aflopend_vanaf).rev());
        for kandidaat in kandidaten {
            if uit.len() >= self.aantal {
                break;
            }
            let bsn = format!("{kandidaat:09}");
            if !bsn_geldig(&bsn) {
                continue;
            }
            let man = rng.next().is_multiple_of(2);
            let lijst = if man {
                &self.voornamen_man
            } else {
                &self.voornamen_vrouw
            };
            let voornaam = lijst[rng.below(lijst.len())].clone();
            let (vv, achternaam) = self.achternamen[rng.below(self.achternamen.len())].clone();
            let geboren = self
                .geboren_vanaf
                .checked_add_days(Days::new(rng.below(dagen) as u64))
                .unwrap_or(self.geboren_vanaf);
            let (nationaliteit, vestiging) =
                if (rng.next() % 1000) < u64::from(self.promille_buitenlands) {
                    let nat = self.nationaliteiten[rng.below(self.nationaliteiten.len())].clone();
                    let jaar = 2019 + rng.below(7) as i32;
                    let dag = NaiveDate::from_ymd_opt(jaar, 1, 1)
                        .and_then(|d| d.checked_add_days(Days::new(rng.below(365) as u64)))
                        .map(|d| d.max(geboren));
                    (nat, dag)
                } else {
                    ("Nederlandse".to_string(), None)
                };
            let geheim = (rng.next() % 1000) < u64::from(self.promille_geheim);
            let punt = (rng.next() % 1000) < u64::from(self.promille_puntadres);
            let (plaats, pc) = self.plaatsen[rng.below(self.plaatsen.len())].clone();
            let straat = self.straten[rng.below(self.straten.len())].clone();
            let postcode = format!(
                "{pc}{:02}{}{}",
                rng.below(100),
                char::from(b'A' + rng.below(26) as u8),
                char::from(b'A' + rng.below(26) as u8)
            );
            let huisnummer = (1 + rng.below(200)).to_string();
            uit.push(Persoon {
                pgn: Pgn::Burgerservicenummer(bsn),
                achternaam,
                voorvoegsels: (!vv.is_empty()).then_some(vv),
                voornamen: Some(voornaam),
                geboortedatum: Geboortedatum::volledig_van(geboren),
                geslacht: if man { Geslacht::Man } else { Geslacht::Vrouw },
                nationaliteit: Some(nationaliteit),
                datum_vestiging_nl: vestiging,
                datum_overlijden: None,
                adres: Some(Adres::Binnenlands {
                    straatnaam: Some(if punt { ".".to_string() } else { straat }),
                    huisnummer: Some(huisnummer),
                    huisletter: None,
                    huisnummer_toevoeging: None,
                    postcode: Some(postcode),
                    plaatsnaam: Some(plaats),
                }),
                adres_geheim: geheim,
                puntadres: punt,
            });
        }
        uit
    }
}

/// Sanity helper used by tests: every generated birth year is plausible for VO.
#[cfg(test)]
fn geboren_jaar_ok(p: &[Persoon]) -> bool {
    p.iter().all(|p| {
        p.geboortedatum
            .volledig()
            .is_some_and(|d| chrono::Datelike::year(&d) > 1990)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator() -> BrpGenerator {
        BrpGenerator::load(&crate::reference::standaard_map().join("brp-generator.toml")).unwrap()
    }

    #[test]
    fn generator_is_deterministic_and_valid() {
        let g = generator();
        let a = g.genereer();
        let b = g.genereer();
        assert_eq!(a, b);
        assert_eq!(a.len(), 10_000);
        let eerste = (999_991_000u32..)
            .map(|n| format!("{n:09}"))
            .find(|s| bsn_geldig(s))
            .unwrap();
        assert_eq!(a[0].pgn.nummer(), eerste);
        assert!(a.iter().all(|p| bsn_geldig(p.pgn.nummer())));
        assert!(a
            .iter()
            .all(|p| !("999990000".."999991000").contains(&p.pgn.nummer())));
        let mut bsns: Vec<&str> = a.iter().map(|p| p.pgn.nummer()).collect();
        bsns.sort_unstable();
        bsns.dedup();
        assert_eq!(bsns.len(), a.len());
        assert!(geboren_jaar_ok(&a));
        assert!(a.iter().any(|p| p.puntadres) && a.iter().any(|p| p.adres_geheim));
        assert!(a.iter().any(|p| p.datum_vestiging_nl.is_some()));
        let mut other = g.clone();
        other.seed += 1;
        assert_ne!(other.genereer(), a);
    }
}
