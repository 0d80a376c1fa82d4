//! RIO (Registratie Instellingen en Opleidingen) tables: instellingen, vestigingen,
//! onderwijsaanbieders and onderwijslocaties with their links (rules 09xx, 0501).

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::csvload::{self, inhoud};
use super::{Geldigheid, Reference, ReferenceError};

/// An instelling (BRIN4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instelling {
    /// BRIN4.
    pub brin: String,
    /// Name.
    pub naam: String,
    /// Sector (`VO`, `VAVO`, `PO`).
    pub sector: String,
    /// Whether the instelling is publicly funded (bekostiging 0703).
    pub bekostigd: bool,
    /// Validity (rule 0902).
    pub geldigheid: Geldigheid,
}

/// A vestiging (BRIN6) of an instelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vestiging {
    /// BRIN6.
    pub vestiging: String,
    /// Its instelling.
    pub brin: String,
    /// Name.
    pub naam: String,
    /// Validity.
    pub geldigheid: Geldigheid,
}

/// An onderwijsaanbieder (RIO) and the instelling it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onderwijsaanbieder {
    /// Code `\d{3}A\d{3}`.
    pub onderwijsaanbieder: String,
    /// Its instelling.
    pub brin: String,
    /// Name.
    pub naam: String,
    /// Validity.
    pub geldigheid: Geldigheid,
}

/// An onderwijslocatie (RIO) with the vestiging and aanbieder it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onderwijslocatie {
    /// Code `\d{3}X\d{3}`.
    pub onderwijslocatie: String,
    /// The vestiging it belongs to (KWC 0817).
    pub vestiging: String,
    /// The aanbieder that offers education there.
    pub onderwijsaanbieder: String,
    /// Name.
    pub naam: String,
    /// Validity.
    pub geldigheid: Geldigheid,
}

#[derive(Deserialize)]
struct InstellingRij {
    brin: String,
    naam: String,
    sector: String,
    bekostigd: String,
    geldig_vanaf: NaiveDate,
    geldig_tot: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct VestigingRij {
    vestiging: String,
    brin: String,
    naam: String,
    geldig_vanaf: NaiveDate,
    geldig_tot: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct AanbiederRij {
    onderwijsaanbieder: String,
    brin: String,
    naam: String,
    geldig_vanaf: NaiveDate,
    geldig_tot: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct LocatieRij {
    onderwijslocatie: String,
    vestiging: String,
    onderwijsaanbieder: String,
    naam: String,
    geldig_vanaf: NaiveDate,
    geldig_tot: Option<NaiveDate>,
}

/// Loads the four RIO tables into `r`, checking every link.
pub fn load(dir: &Path, r: &mut Reference) -> Result<(), ReferenceError> {
    let pad = dir.join("instellingen.csv");
    for (regel, rij) in csvload::rows::<InstellingRij>(&pad)? {
        let bekostigd = csvload::ja_nee(&pad, regel, &rij.bekostigd)?;
        r.instellingen.insert(
            rij.brin.clone(),
            Instelling {
                brin: rij.brin,
                naam: rij.naam,
                sector: rij.sector,
                bekostigd,
                geldigheid: Geldigheid {
                    vanaf: rij.geldig_vanaf,
                    tot: rij.geldig_tot,
                },
            },
        );
    }
    let pad = dir.join("vestigingen.csv");
    for (regel, rij) in csvload::rows::<VestigingRij>(&pad)? {
        if !r.instellingen.contains_key(&rij.brin) {
            return Err(inhoud(&pad, regel, format!("onbekende brin {}", rij.brin)));
        }
        r.vestigingen.insert(
            rij.vestiging.clone(),
            Vestiging {
                vestiging: rij.vestiging,
                brin: rij.brin,
                naam: rij.naam,
                geldigheid: Geldigheid {
                    vanaf: rij.geldig_vanaf,
                    tot: rij.geldig_tot,
                },
            },
        );
    }
    let pad = dir.join("onderwijsaanbieders.csv");
    for (regel, rij) in csvload::rows::<AanbiederRij>(&pad)? {
        if !r.instellingen.contains_key(&rij.brin) {
            return Err(inhoud(&pad, regel, format!("onbekende brin {}", rij.brin)));
        }
        r.onderwijsaanbieders.insert(
            rij.onderwijsaanbieder.clone(),
            Onderwijsaanbieder {
                onderwijsaanbieder: rij.onderwijsaanbieder,
                brin: rij.brin,
                naam: rij.naam,
                geldigheid: Geldigheid {
                    vanaf: rij.geldig_vanaf,
                    tot: rij.geldig_tot,
                },
            },
        );
    }
    let pad = dir.join("onderwijslocaties.csv");
    for (regel, rij) in csvload::rows::<LocatieRij>(&pad)? {
        if !r.vestigingen.contains_key(&rij.vestiging) {
            return Err(inhoud(
                &pad,
                regel,
                format!("onbekende vestiging {}", rij.vestiging),
            ));
        }
        if !r.onderwijsaanbieders.contains_key(&rij.onderwijsaanbieder) {
            return Err(inhoud(
                &pad,
                regel,
                format!("onbekende onderwijsaanbieder {}", rij.onderwijsaanbieder),
            ));
        }
        r.onderwijslocaties.insert(
            rij.onderwijslocatie.clone(),
            Onderwijslocatie {
                onderwijslocatie: rij.onderwijslocatie,
                vestiging: rij.vestiging,
                onderwijsaanbieder: rij.onderwijsaanbieder,
                naam: rij.naam,
                geldigheid: Geldigheid {
                    vanaf: rij.geldig_vanaf,
                    tot: rij.geldig_tot,
                },
            },
        );
    }
    Ok(())
}
