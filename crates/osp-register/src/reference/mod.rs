//! Reference data (SPEC §8): RIO, administraties and mandates, codetabellen and the proef-BRP,
//! loaded from `fixtures/reference/` so every rule reads the same diffable tables.

mod brp;
mod csvload;
mod rio;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use osp_model::Contract;
use serde::Deserialize;

use crate::domain::persoon::naam_sleutel;
use crate::domain::Persoon;

pub use brp::BrpGenerator;
pub use rio::{Instelling, Onderwijsaanbieder, Onderwijslocatie, Vestiging};

/// Why reference data could not be loaded; names the file and, where known, the line.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// A file could not be read.
    #[error("referentiedata {bestand}: {melding}")]
    Lezen {
        /// The file.
        bestand: PathBuf,
        /// The I/O or parse failure.
        melding: String,
    },
    /// A row is present but its content is wrong.
    #[error("referentiedata {bestand}, regel {regel}: {melding}")]
    Inhoud {
        /// The file.
        bestand: PathBuf,
        /// 1-based line number (header = line 1).
        regel: u64,
        /// What is wrong.
        melding: String,
    },
}

/// Validity window shared by every dated reference row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Geldigheid {
    /// First valid day.
    pub vanaf: NaiveDate,
    /// Last valid day; open when absent.
    pub tot: Option<NaiveDate>,
}

impl Geldigheid {
    /// Whether `datum` falls in the window.
    pub fn geldig_op(&self, datum: NaiveDate) -> bool {
        datum >= self.vanaf && self.tot.is_none_or(|t| datum <= t)
    }
}

/// An opleidingcode from the codetabel, with its level and sector (rule 0206).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opleiding {
    /// The four-character code.
    pub opleidingcode: String,
    /// Name.
    pub naam: String,
    /// Level (`VMBO_BB` … `VWO`, `PRO`, `VAVO`, `PO`).
    pub niveau: String,
    /// Sector (`VO`, `VAVO`, `PO`).
    pub sector: String,
    /// Validity.
    pub geldigheid: Geldigheid,
}

/// One mandate: an administratie lets a connecting party deliver on its behalf (OSR emulation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandaat {
    /// The administratie (From OIN) that grants it.
    pub administratie_oin: String,
    /// The connecting party (certificate OIN) that receives it.
    pub leverancier_oin: String,
    /// Contracts covered; `None` = all contracts.
    pub contracten: Option<BTreeSet<String>>,
}

/// All reference data, immutable once loaded; shared by the register behind an `Arc`.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// RIO instellingen by BRIN4.
    pub instellingen: BTreeMap<String, Instelling>,
    /// RIO vestigingen by BRIN6.
    pub vestigingen: BTreeMap<String, Vestiging>,
    /// RIO onderwijsaanbieders by code.
    pub onderwijsaanbieders: BTreeMap<String, Onderwijsaanbieder>,
    /// RIO onderwijslocaties by code.
    pub onderwijslocaties: BTreeMap<String, Onderwijslocatie>,
    /// Administratie OIN → the BRINs it may deliver for (rule 0901).
    pub administraties: BTreeMap<String, BTreeSet<String>>,
    /// Mandates (SPEC §2).
    pub mandaten: Vec<Mandaat>,
    /// Opleidingcodes.
    pub opleidingen: BTreeMap<String, Opleiding>,
    /// Experiment names (waardenlijst).
    pub experimenten: BTreeSet<String>,
    /// Verblijfsoorten (waardenlijst).
    pub verblijfsoorten: BTreeSet<String>,
    /// Vakcodes → name (rule 0505).
    pub vakcodes: BTreeMap<String, String>,
    /// Proef-BRP by BSN: named persons plus generated ones.
    pub brp: HashMap<String, Persoon>,
    /// Proef-BRP index: normalised achternaam → BSNs, for identificatie zonderPGN.
    brp_op_achternaam: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct AdministratieRij {
    oin: String,
    #[allow(dead_code)]
    naam: String,
    brin: String,
}

#[derive(Deserialize)]
struct MandaatRij {
    administratie_oin: String,
    leverancier_oin: String,
    contracten: String,
}

#[derive(Deserialize)]
struct OpleidingRij {
    opleidingcode: String,
    naam: String,
    niveau: String,
    sector: String,
    geldig_vanaf: NaiveDate,
    geldig_tot: Option<NaiveDate>,
}

impl Reference {
    /// Loads every table from `dir` (layout: `fixtures/reference/README.md`) and generates the
    /// extra proef-BRP persons; cross-references are checked so a typo fails at start.
    pub fn load(dir: &Path) -> Result<Reference, ReferenceError> {
        let mut r = Reference::default();
        rio::load(dir, &mut r)?;

        let pad = dir.join("administraties.csv");
        for (regel, rij) in csvload::rows::<AdministratieRij>(&pad)? {
            if !r.instellingen.contains_key(&rij.brin) {
                return Err(csvload::inhoud(
                    &pad,
                    regel,
                    format!("onbekende brin {}", rij.brin),
                ));
            }
            r.administraties
                .entry(rij.oin)
                .or_default()
                .insert(rij.brin);
        }
        let pad = dir.join("mandaten.csv");
        for (regel, rij) in csvload::rows::<MandaatRij>(&pad)? {
            let contracten = if rij.contracten.trim() == "*" {
                None
            } else {
                let mut set = BTreeSet::new();
                for c in rij
                    .contracten
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                {
                    if Contract::from_name(c).is_none() {
                        return Err(csvload::inhoud(
                            &pad,
                            regel,
                            format!("onbekend contract {c}"),
                        ));
                    }
                    set.insert(c.to_string());
                }
                Some(set)
            };
            r.mandaten.push(Mandaat {
                administratie_oin: rij.administratie_oin,
                leverancier_oin: rij.leverancier_oin,
                contracten,
            });
        }
        let pad = dir.join("opleidingen.csv");
        for (_, rij) in csvload::rows::<OpleidingRij>(&pad)? {
            r.opleidingen.insert(
                rij.opleidingcode.clone(),
                Opleiding {
                    opleidingcode: rij.opleidingcode,
                    naam: rij.naam,
                    niveau: rij.niveau,
                    sector: rij.sector,
                    geldigheid: Geldigheid {
                        vanaf: rij.geldig_vanaf,
                        tot: rij.geldig_tot,
                    },
                },
            );
        }
        r.experimenten = codes(&dir.join("experimenten.csv"), "naam")?;
        r.verblijfsoorten = codes(&dir.join("verblijfsoorten.csv"), "verblijfsoort")?;
        let pad = dir.join("vakcodes.csv");
        for (_, rij) in csvload::rows::<HashMap<String, String>>(&pad)? {
            let code = rij.get("vakcode").cloned().unwrap_or_default();
            let naam = rij.get("naam").cloned().unwrap_or_default();
            r.vakcodes.insert(code, naam);
        }

        for p in brp::load_named(&dir.join("personen.csv"))? {
            r.voeg_persoon_toe(p);
        }
        let generator = BrpGenerator::load(&dir.join("brp-generator.toml"))?;
        for p in generator.genereer() {
            if !r.brp.contains_key(p.pgn.nummer()) {
                r.voeg_persoon_toe(p);
            }
        }
        tracing::info!(
            instellingen = r.instellingen.len(),
            personen = r.brp.len(),
            "referentiedata geladen"
        );
        Ok(r)
    }

    fn voeg_persoon_toe(&mut self, p: Persoon) {
        let bsn = p.pgn.nummer().to_string();
        self.brp_op_achternaam
            .entry(naam_sleutel(&p.achternaam))
            .or_default()
            .push(bsn.clone());
        self.brp.insert(bsn, p);
    }

    /// The proef-BRP person with this BSN.
    pub fn brp_persoon(&self, bsn: &str) -> Option<&Persoon> {
        self.brp.get(bsn)
    }

    /// Proef-BRP persons with this achternaam (normalised), for identificatie zonderPGN.
    pub fn brp_met_achternaam(&self, achternaam: &str) -> impl Iterator<Item = &Persoon> {
        self.brp_op_achternaam
            .get(&naam_sleutel(achternaam))
            .into_iter()
            .flatten()
            .filter_map(|bsn| self.brp.get(bsn))
    }

    /// Whether administratie `from_oin` may deliver for `brin` (rule 0901).
    pub fn administratie_mag(&self, from_oin: &str, brin: &str) -> bool {
        self.administraties
            .get(from_oin)
            .is_some_and(|b| b.contains(brin))
    }

    /// Whether `leverancier_oin` holds a mandate of `administratie_oin` for `contract` (SPEC §2).
    pub fn gemandateerd(
        &self,
        leverancier_oin: &str,
        administratie_oin: &str,
        contract: Contract,
    ) -> bool {
        self.mandaten.iter().any(|m| {
            m.administratie_oin == administratie_oin
                && m.leverancier_oin == leverancier_oin
                && m.contracten
                    .as_ref()
                    .is_none_or(|c| c.contains(contract.name()))
        })
    }

    /// The opleiding if the code exists, is valid on `datum` and belongs to VO or VAVO (rule 0206).
    pub fn opleiding_vo(&self, code: &str, datum: NaiveDate) -> Option<&Opleiding> {
        self.opleidingen
            .get(code)
            .filter(|o| o.geldigheid.geldig_op(datum) && (o.sector == "VO" || o.sector == "VAVO"))
    }
}

fn codes(pad: &Path, kolom: &str) -> Result<BTreeSet<String>, ReferenceError> {
    let mut set = BTreeSet::new();
    for (regel, rij) in csvload::rows::<HashMap<String, String>>(pad)? {
        match rij.get(kolom) {
            Some(c) if !c.trim().is_empty() => {
                set.insert(c.trim().to_string());
            }
            _ => {
                return Err(csvload::inhoud(
                    pad,
                    regel,
                    format!("kolom {kolom} ontbreekt"),
                ))
            }
        }
    }
    Ok(set)
}

/// Path of the reference data shipped with the repository, for tests and the CLI default.
pub fn standaard_map() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_shipped_reference() {
        let r = Reference::load(&standaard_map()).unwrap();
        assert_eq!(r.instellingen.len(), 5);
        assert!(r.administratie_mag("0000000700099AA00000", "99AA"));
        assert!(r.administratie_mag("00000004000000099000", "99AA"));
        assert!(!r.administratie_mag("0000000700099AA00000", "99BB"));
        assert!(r.gemandateerd(
            "00000003123456780000",
            "0000000700099BB00000",
            Contract::InschrijvingVO
        ));
        assert!(!r.gemandateerd(
            "00000003876543210000",
            "0000000700099BB00000",
            Contract::InschrijvingVO
        ));
        assert!(!r.gemandateerd(
            "00000003123456780000",
            "0000000700099VV00000",
            Contract::InschrijvingVO
        ));
        assert!(r.brp.len() >= 10_012);
        assert!(r.brp_persoon("999990007").is_some());
        assert!(r.brp_persoon("999990147").is_none());
        assert!(r.brp.keys().all(|b| crate::checkdigit::bsn_geldig(b)));
        assert!(r
            .opleiding_vo("3001", NaiveDate::from_ymd_opt(2025, 8, 1).unwrap())
            .is_some());
        assert!(r
            .opleiding_vo("0001", NaiveDate::from_ymd_opt(2025, 8, 1).unwrap())
            .is_none());
        let yasmina = r.brp_persoon("999990020").unwrap();
        assert_eq!(
            yasmina.datum_vestiging_nl,
            NaiveDate::from_ymd_opt(2025, 2, 1)
        );
        assert!(r.brp_persoon("999990111").unwrap().puntadres);
        assert!(r.brp_persoon("999990093").unwrap().adres_geheim);
        assert_eq!(
            r.brp_persoon("999990056").unwrap().datum_overlijden,
            NaiveDate::from_ymd_opt(2025, 6, 1)
        );
    }

    #[test]
    fn bad_reference_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(standaard_map()).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
        std::fs::write(
            dir.path().join("administraties.csv"),
            "oin,naam,brin\n0000000700099AA00000,x,99AA\n0000000700099ZZ00000,y,99ZZ\n",
        )
        .unwrap();
        let err = Reference::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("administraties.csv") && err.contains("regel 3"),
            "{err}"
        );
        std::fs::remove_file(dir.path().join("vakcodes.csv")).unwrap();
        std::fs::write(dir.path().join("administraties.csv"), "oin,naam,brin\n").unwrap();
        let err = Reference::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("vakcodes.csv"), "{err}");
    }
}
