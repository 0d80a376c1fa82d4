//! The register date per sandbox (SPEC §8): real time unless pinned, so vendors can test
//! 1 October, the school-year change and deadlines.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use chrono::{DateTime, NaiveDate, Utc};

/// Per-sandbox pinned dates over a global default.
#[derive(Debug, Default)]
pub struct Klok {
    standaard: Option<NaiveDate>,
    per_sandbox: RwLock<HashMap<String, NaiveDate>>,
}

impl Klok {
    /// A clock with a global pinned date (the CLI's `--today`), or real time when `None`.
    pub fn new(standaard: Option<NaiveDate>) -> Klok {
        Klok {
            standaard,
            per_sandbox: RwLock::new(HashMap::new()),
        }
    }

    /// Pins (`Some`) or unpins (`None`) the date of one sandbox.
    pub fn zet(&self, sandbox: &str, datum: Option<NaiveDate>) {
        let mut m = self
            .per_sandbox
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        match datum {
            Some(d) => {
                m.insert(sandbox.to_string(), d);
            }
            None => {
                m.remove(sandbox);
            }
        }
    }

    /// The pinned date of a sandbox, if any (sandbox pin over global default).
    pub fn vastgezet(&self, sandbox: &str) -> Option<NaiveDate> {
        let m = self
            .per_sandbox
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        m.get(sandbox).copied().or(self.standaard)
    }

    /// The register date of a sandbox.
    pub fn vandaag(&self, sandbox: &str) -> NaiveDate {
        self.vastgezet(sandbox)
            .unwrap_or_else(|| Utc::now().date_naive())
    }

    /// The register moment: real time, moved onto the pinned date when one is set, so an
    /// aanlevermoment never contradicts the date the rules used.
    pub fn nu(&self, sandbox: &str) -> DateTime<Utc> {
        let echt = Utc::now();
        match self.vastgezet(sandbox) {
            Some(d) => d.and_time(echt.time()).and_utc(),
            None => echt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_per_sandbox_over_default() {
        let d1 = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let d2 = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
        let k = Klok::new(Some(d1));
        assert_eq!(k.vandaag("a"), d1);
        k.zet("b", Some(d2));
        assert_eq!(k.vandaag("b"), d2);
        assert_eq!(k.nu("b").date_naive(), d2);
        assert_eq!(k.vandaag("a"), d1);
        k.zet("b", None);
        assert_eq!(k.vandaag("b"), d1);
        let echt = Klok::new(None);
        assert_eq!(echt.vandaag("x"), Utc::now().date_naive());
    }
}
