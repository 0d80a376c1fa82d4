//! DUO's checks, one module per RULES.md group, each rule a [`Regel`] constant citing its code
//! and carrying its fouttekst verbatim. Checks are pure functions of the delivery, the reference
//! data, the register date and the little register state the operation looked up for them;
//! every check of a delivery runs and all foutmeldingen are reported together.
//!
//! Sleutelgegevens (RULES.md leaves them to osp): group 01 names the person number; rules about
//! an inschrijving or examenresultaat name its volgnummer first, then the element(s) at fault
//! (e.g. `datumBegin` of the period, `opleidingcode`); 0901/0902 name `brin`; 0001/0002 name the
//! Bedrijfsdocument element. Values over 25 characters are shortened DUO's way.

pub mod g00_bericht;
pub mod g01_persoon;
pub mod g02_inschrijving;
pub mod g03_verwijdering;
pub mod g05_examenresultaat;
pub mod g07_bekostiging;
pub mod g09_context;

use chrono::NaiveDate;

use crate::domain::{Ernst, Foutmelding, Sleutelgegeven};
use crate::reference::Reference;

/// One rule of RULES.md: code, ernst and the Dutch fouttekst, verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regel {
    /// Four-digit code; the first two digits are the group.
    pub code: &'static str,
    /// Severity.
    pub ernst: Ernst,
    /// `fouttekst`.
    pub fouttekst: &'static str,
}

impl Regel {
    /// An AFKEURING rule.
    pub const fn afkeuring(code: &'static str, fouttekst: &'static str) -> Regel {
        Regel {
            code,
            ernst: Ernst::Afkeuring,
            fouttekst,
        }
    }

    /// A MELDING rule.
    pub const fn melding(code: &'static str, fouttekst: &'static str) -> Regel {
        Regel {
            code,
            ernst: Ernst::Melding,
            fouttekst,
        }
    }

    /// A bekostigings- or kwaliteitscontrolesignaal: a fact DUO reports, never a reason to refuse.
    pub const fn signaal(code: &'static str, fouttekst: &'static str) -> Regel {
        Regel {
            code,
            ernst: Ernst::Signaal,
            fouttekst,
        }
    }

    /// The foutmelding this rule produces, with up to five sleutelgegevens.
    pub fn fout(&self, sleutels: &[(&str, &str)]) -> Foutmelding {
        Foutmelding {
            foutcode: self.code.to_string(),
            fouttekst: self.fouttekst.to_string(),
            ernst: self.ernst,
            sleutelgegevens: sleutels
                .iter()
                .take(5)
                .map(|(n, w)| Sleutelgegeven::new(n, w))
                .collect(),
        }
    }
}

/// What every check may read besides the delivery itself.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Reference data.
    pub reference: &'a Reference,
    /// The sandbox's register date (SPEC §8 clock).
    pub vandaag: NaiveDate,
    /// `wsa:From` OIN (rule 0901).
    pub from_oin: &'a str,
    /// Strict BRP mode: a BSN must be in the proef-BRP (rule 0103).
    pub strikte_brp: bool,
}

/// Every rule this crate implements, for catalogue tests and documentation.
pub fn catalogus() -> Vec<Regel> {
    let mut v = Vec::new();
    v.extend_from_slice(g00_bericht::REGELS);
    v.extend_from_slice(g01_persoon::REGELS);
    v.extend_from_slice(g02_inschrijving::REGELS);
    v.extend_from_slice(g03_verwijdering::REGELS);
    v.extend_from_slice(g05_examenresultaat::REGELS);
    v.extend_from_slice(g07_bekostiging::REGELS);
    v.extend_from_slice(g09_context::REGELS);
    v
}

/// Date as on the wire, for sleutelwaarden.
pub(crate) fn d(datum: NaiveDate) -> String {
    datum.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
pub(crate) mod testkit {
    //! Shared fixtures for the rule tests: the shipped reference data and a fixed register date.
    use std::sync::OnceLock;

    use super::*;

    /// The shipped reference data, loaded once per test binary.
    pub fn reference() -> &'static Reference {
        static R: OnceLock<Reference> = OnceLock::new();
        R.get_or_init(|| Reference::load(&crate::reference::standaard_map()).unwrap())
    }

    /// A context for 99AA's own administratie on 2025-09-15.
    pub fn ctx() -> Context<'static> {
        Context {
            reference: reference(),
            vandaag: date("2025-09-15"),
            from_oin: "0000000700099AA00000",
            strikte_brp: true,
        }
    }

    /// Parses a test date.
    pub fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The codes of a list of foutmeldingen.
    pub fn codes(f: &[Foutmelding]) -> Vec<&str> {
        f.iter().map(|f| f.foutcode.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue must match RULES.md verbatim: read the table rows of the spec and compare.
    #[test]
    fn catalogue_matches_rules_md() {
        let pad = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/RULES.md");
        let rules_md = std::fs::read_to_string(&pad).unwrap();
        for r in catalogus() {
            let rij = rules_md
                .lines()
                .find(|l| l.starts_with(&format!("| {} |", r.code)))
                .unwrap_or_else(|| panic!("{} not in RULES.md", r.code));
            assert!(
                rij.contains(&format!("| {} |", r.fouttekst)),
                "{}: {rij}",
                r.code
            );
            assert!(r.fouttekst.chars().count() <= 200);
            if r.code.starts_with("07") || r.code.starts_with("08") {
                assert_eq!(r.ernst, Ernst::Signaal, "{}", r.code);
            } else if rij.contains("| MELDING |") {
                assert_eq!(r.ernst, Ernst::Melding, "{}", r.code);
            } else {
                assert_eq!(r.ernst, Ernst::Afkeuring, "{}", r.code);
            }
        }
        let mut codes: Vec<_> = catalogus().iter().map(|r| r.code).collect();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
