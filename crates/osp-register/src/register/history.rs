//! Reads of register state: a person's current stands and the full stand history of one key
//! (admin API, inspector, follow-up producers).

use serde::Serialize;

use super::{sandbox_ok, Register, RegisterError, RegisterLezer, StandSleutel};
use crate::domain::{Examenresultaat, Inschrijving, Persoon, Pgn};
use crate::service::ServiceError;
use crate::store::records::{self, decode, key, prefix, StandRecord};
use crate::store::StoreError;

/// Every stand of one key, oldest first (removals have `inhoud: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "soort", content = "standen", rename_all = "camelCase")]
pub enum Historie {
    /// History of an inschrijving key.
    Inschrijving(Vec<StandRecord<Inschrijving>>),
    /// History of an examenresultaat key.
    Examenresultaat(Vec<StandRecord<Examenresultaat>>),
}

/// A person's register state for the admin API and inspector (serde_json-able).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersoonState {
    /// The number asked for.
    pub pgn: Pgn,
    /// BRP data (BSN) or identificatie data (OWN), when known.
    pub persoon: Option<Persoon>,
    /// Current inschrijvingen.
    pub inschrijvingen: Vec<StandRecord<Inschrijving>>,
    /// Current examenresultaten.
    pub examenresultaten: Vec<StandRecord<Examenresultaat>>,
}

impl Register {
    /// A person's current state in a sandbox.
    pub fn person_state(&self, sandbox: &str, pgn: &Pgn) -> Result<PersoonState, RegisterError> {
        sandbox_ok(sandbox)?;
        let p = pgn.opslagsleutel();
        Ok(PersoonState {
            pgn: pgn.clone(),
            persoon: self.bekende_persoon(sandbox, pgn)?,
            inschrijvingen: self.lees_alle(&prefix(
                sandbox,
                records::INSCHRIJVING.huidig,
                &[&p],
            ))?,
            examenresultaten: self.lees_alle(&prefix(
                sandbox,
                records::EXAMENRESULTAAT.huidig,
                &[&p],
            ))?,
        })
    }

    /// Every stand of one key, oldest first.
    pub fn history(
        &self,
        sandbox: &str,
        sleutel: &StandSleutel,
    ) -> Result<Historie, RegisterError> {
        sandbox_ok(sandbox)?;
        Ok(match sleutel {
            StandSleutel::Inschrijving {
                pgn,
                brin,
                inschrijvingvolgnummer,
            } => Historie::Inschrijving(self.standen(
                sandbox,
                records::INSCHRIJVING,
                [&pgn.opslagsleutel(), brin, inschrijvingvolgnummer],
            )?),
            StandSleutel::Examenresultaat {
                pgn,
                brin,
                examenresultaatvolgnummer,
            } => Historie::Examenresultaat(self.standen(
                sandbox,
                records::EXAMENRESULTAAT,
                [&pgn.opslagsleutel(), brin, examenresultaatvolgnummer],
            )?),
        })
    }

    /// History rows plus the current stand of one key, each stand number once, oldest first
    /// (layout in store/records.rs).
    fn standen<T: serde::de::DeserializeOwned>(
        &self,
        sandbox: &str,
        soort: records::Standsoort,
        delen: [&str; 3],
    ) -> Result<Vec<StandRecord<T>>, StoreError> {
        let mut standen: Vec<StandRecord<T>> =
            self.lees_alle(&prefix(sandbox, soort.historie, &delen))?;
        if let Some(huidig) = self.lees::<StandRecord<T>>(&key(sandbox, soort.huidig, &delen))? {
            standen.retain(|s| s.volgnummer != huidig.volgnummer);
            standen.push(huidig);
        }
        standen.sort_by_key(|s| s.volgnummer);
        Ok(standen)
    }

    pub(super) fn lees<T: serde::de::DeserializeOwned>(
        &self,
        k: &[u8],
    ) -> Result<Option<T>, StoreError> {
        match self.store.get(k)? {
            Some(v) => Ok(Some(decode(k, &v)?)),
            None => Ok(None),
        }
    }

    pub(super) fn lees_alle<T: serde::de::DeserializeOwned>(
        &self,
        pre: &[u8],
    ) -> Result<Vec<T>, StoreError> {
        self.store
            .scan_prefix(pre)?
            .iter()
            .map(|(k, v)| decode(k, v))
            .collect()
    }

    /// The person behind a number: proef-BRP for a BSN, identificatie records for an OWN.
    pub(super) fn bekende_persoon(
        &self,
        sandbox: &str,
        pgn: &Pgn,
    ) -> Result<Option<Persoon>, StoreError> {
        match pgn {
            Pgn::Burgerservicenummer(n) => Ok(self.reference().brp_persoon(n).cloned()),
            Pgn::Onderwijsnummer(n) => self.lees(&key(sandbox, "own", &[n])),
        }
    }
}

impl RegisterLezer for Register {
    fn inschrijvingen_van(
        &self,
        sandbox: &str,
        pgn: &Pgn,
    ) -> Result<Vec<StandRecord<Inschrijving>>, ServiceError> {
        Ok(self.lees_alle(&prefix(
            sandbox,
            records::INSCHRIJVING.huidig,
            &[&pgn.opslagsleutel()],
        ))?)
    }
}
