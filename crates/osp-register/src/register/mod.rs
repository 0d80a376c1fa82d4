//! The register: sandboxes of ROD-VO state in a [`Store`], the clock, reference data and the
//! processing of deliveries (see [`verwerking`]). This is the public API the gateway (through
//! [`Service`](crate::Service)), the CLI and the admin API use.

mod clock;
mod identificatie;
mod locks;
pub mod vervolg;
pub mod verwerking;

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::NaiveDate;
use serde::Serialize;

use crate::berichten::terugkoppeling::TerugkoppelingModus;
use crate::domain::{Examenresultaat, Inschrijving, Persoon, Pgn};
use crate::reference::Reference;
use crate::service::ServiceError;
use crate::store::records::{
    self, decode, encode, key, outbox_part, prefix, OutboxBericht, StandRecord,
};
use crate::store::{Batch, Duurzaamheid, SledStore, Store, StoreError, Wacht};

pub use clock::Klok;
pub use vervolg::{Inschrijvingswijziging, NieuwBericht, RegisterLezer, Vervolgberichten};
pub use verwerking::Aanleververzoek;

/// Settings of the register (from `osp.toml` / CLI flags).
#[derive(Debug, Clone)]
pub struct RegisterConfig {
    /// Global pinned register date (`--today`); `None` = real time.
    pub today: Option<NaiveDate>,
    /// Rule 0103 strict mode: a BSN must be in the proef-BRP (default true).
    pub strikte_brp: bool,
    /// Number of lock stripes serialising deliveries per person.
    pub lock_stripes: usize,
    /// `terugkoppeling.mode` (SPEC §7): answer, outbox message, or both.
    pub terugkoppeling: TerugkoppelingModus,
    /// Register DUO's follow-up producers (bewijzen, bekostiging) on open (default true; tests
    /// of the seam itself switch them off).
    pub vervolgberichten: bool,
    /// Durable answers (`osp serve`), or a throwaway register that never fsyncs (replay).
    pub duurzaamheid: Duurzaamheid,
    /// Compress a new durable data dir (`[opslag] compressie`; see store/sled_store.rs for the
    /// measured trade-off). An existing data dir keeps its own setting.
    pub compressie: bool,
}

impl Default for RegisterConfig {
    fn default() -> Self {
        RegisterConfig {
            today: None,
            strikte_brp: true,
            lock_stripes: 1024,
            terugkoppeling: TerugkoppelingModus::Sync,
            vervolgberichten: true,
            duurzaamheid: Duurzaamheid::Schijf,
            compressie: false,
        }
    }
}

impl RegisterConfig {
    /// The register `osp replay` gives each scenario: pinned to `today`, in a temporary directory
    /// that is deleted afterwards, so it never fsyncs ([`Duurzaamheid::Wegwerp`]).
    pub fn wegwerp(today: Option<NaiveDate>) -> RegisterConfig {
        RegisterConfig {
            today,
            duurzaamheid: Duurzaamheid::Wegwerp,
            ..RegisterConfig::default()
        }
    }
}

/// Failures of the register's own API (not of a delivery).
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Storage failed or the data dir is held by another process.
    #[error(transparent)]
    Opslag(#[from] StoreError),
    /// Sandbox names must be non-empty and free of NUL (they prefix every key).
    #[error("ongeldige sandboxnaam {0:?}")]
    Sandbox(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Decodeer { .. } => ServiceError::Intern(e.to_string()),
            _ => ServiceError::Onbeschikbaar(e.to_string()),
        }
    }
}

impl From<RegisterError> for ServiceError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Opslag(s) => s.into(),
            RegisterError::Sandbox(_) => ServiceError::Intern(e.to_string()),
        }
    }
}

/// Which stand history to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandSleutel {
    /// (PGN, brin, inschrijvingvolgnummer).
    Inschrijving {
        /// Person.
        pgn: Pgn,
        /// BRIN4.
        brin: String,
        /// The school's volgnummer.
        inschrijvingvolgnummer: String,
    },
    /// (PGN, brin, examenresultaatvolgnummer).
    Examenresultaat {
        /// Person.
        pgn: Pgn,
        /// BRIN4.
        brin: String,
        /// The school's volgnummer.
        examenresultaatvolgnummer: String,
    },
}

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

/// The ROD-VO register.
pub struct Register {
    store: Arc<dyn Store>,
    reference: RwLock<Arc<Reference>>,
    config: RegisterConfig,
    klok: Klok,
    locks: locks::Stripes,
    producenten: RwLock<Vec<Arc<dyn Vervolgberichten>>>,
    /// Outbox ids handed out to batches that are not committed yet.
    uitgifte: Arc<Uitgifte>,
    /// The durable sled data dir [`Register::sluiten`] folds into a start snapshot (`None` for
    /// a throwaway register or another engine).
    checkpoint_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Outbox ids handed out to batches whose commit has not finished (see [`Register::outbox_read`]).
#[derive(Debug, Default)]
struct Uitgifte {
    open: std::sync::Mutex<std::collections::BTreeSet<u64>>,
}

impl Uitgifte {
    /// The open ids; a panic elsewhere cannot leave the set inconsistent (single inserts/removes).
    fn open(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeSet<u64>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One handed-out outbox id; travels in the batch and is released when the store drops it.
struct Reservering {
    uitgifte: Arc<Uitgifte>,
    id: u64,
}

impl Drop for Reservering {
    fn drop(&mut self) {
        self.uitgifte.open().remove(&self.id);
    }
}

/// Checks a sandbox name before it becomes a key prefix.
fn sandbox_ok(sandbox: &str) -> Result<(), RegisterError> {
    if sandbox.is_empty() || sandbox.contains('\0') {
        return Err(RegisterError::Sandbox(sandbox.to_string()));
    }
    Ok(())
}

impl Register {
    /// Opens the register on a sled data dir (created if absent). A dir held by another process
    /// fails with [`StoreError::InGebruik`].
    pub fn open(
        data_dir: &Path,
        reference: Reference,
        config: RegisterConfig,
    ) -> Result<Register, RegisterError> {
        let store = SledStore::open_with(data_dir, config.duurzaamheid, config.compressie)?;
        let durable = config.duurzaamheid == Duurzaamheid::Schijf;
        let mut register = Register::with_store(Arc::new(store), reference, config);
        register.checkpoint_dir = durable.then(|| data_dir.to_path_buf());
        Ok(register)
    }

    /// A register on any [`Store`] (another engine, or a test double).
    pub fn with_store(
        store: Arc<dyn Store>,
        reference: Reference,
        config: RegisterConfig,
    ) -> Register {
        // [outbox] DUO's follow-up producers are on by default (RegisterConfig::vervolgberichten).
        let producenten: Vec<Arc<dyn Vervolgberichten>> = if config.vervolgberichten {
            vec![
                Arc::new(crate::berichten::Bewijzen),
                Arc::new(crate::berichten::Bekostiging),
            ]
        } else {
            Vec::new()
        };
        Register {
            store,
            reference: RwLock::new(Arc::new(reference)),
            klok: Klok::new(config.today),
            locks: locks::Stripes::new(config.lock_stripes),
            config,
            producenten: RwLock::new(producenten),
            checkpoint_dir: None,
            uitgifte: Arc::default(),
        }
    }

    /// The settings the register runs with.
    pub fn config(&self) -> &RegisterConfig {
        &self.config
    }

    /// The reference data in use.
    pub fn reference(&self) -> Arc<Reference> {
        self.reference
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the reference data (admin API); deliveries in flight finish on the old data.
    pub fn set_reference(&self, reference: Reference) {
        *self
            .reference
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(reference);
    }

    /// Registers a follow-up message producer (bekostiging, bewijzen).
    pub fn add_producer(&self, producer: Arc<dyn Vervolgberichten>) {
        self.producenten
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(producer);
    }

    /// Pins (`Some`) or unpins (`None`) the register date of a sandbox.
    pub fn set_today(&self, sandbox: &str, today: Option<NaiveDate>) {
        self.klok.zet(sandbox, today);
    }

    /// The register date of a sandbox.
    pub fn today(&self, sandbox: &str) -> NaiveDate {
        self.klok.vandaag(sandbox)
    }

    /// The register moment of a sandbox (real time, on the pinned date when one is set).
    pub fn now(&self, sandbox: &str) -> chrono::DateTime<chrono::Utc> {
        self.klok.nu(sandbox)
    }

    /// Deletes every record of a sandbox (stands, history, persons, idempotency, outbox); its
    /// clock pin stays. Returns the number of records removed.
    pub fn reset_sandbox(&self, sandbox: &str) -> Result<usize, RegisterError> {
        sandbox_ok(sandbox)?;
        let mut batch = Batch::default();
        for (k, _) in self.store.scan_prefix(&records::sandbox_prefix(sandbox))? {
            batch.delete(k);
        }
        let n = batch.ops.len();
        self.store.commit(batch, Wacht::Duurzaam)?;
        tracing::info!(sandbox, records = n, "sandbox gewist");
        Ok(n)
    }

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

    /// Appends one outbox message on its own, durably; returns its id. Producers' messages are
    /// appended inside the delivery's batch instead.
    pub fn outbox_append(
        &self,
        sandbox: &str,
        bericht: NieuwBericht,
    ) -> Result<u64, RegisterError> {
        sandbox_ok(sandbox)?;
        let mut batch = Batch::default();
        let id = self.outbox_in_batch(sandbox, bericht, &mut batch)?;
        self.store.commit(batch, Wacht::Duurzaam)?;
        Ok(id)
    }

    /// Unacknowledged outbox messages of a recipient with id > `after`, oldest first, at most `max`.
    pub fn outbox_read(
        &self,
        sandbox: &str,
        oin: &str,
        after: u64,
        max: usize,
    ) -> Result<Vec<OutboxBericht>, RegisterError> {
        sandbox_ok(sandbox)?;
        let pre = prefix(sandbox, "ob", &[oin]);
        let mut vanaf = pre.clone();
        vanaf.extend_from_slice(outbox_part(after).as_bytes());
        let mut uit = Vec::new();
        let mut cursor = vanaf;
        // Ids are taken when a batch is built and batches are applied in any order, so a message
        // may be visible while a lower id is still on its way. Stop below the lowest id still
        // out: a cursor at the last message read then never passes one that appears later.
        // Holding the lock during the scan keeps new ids (all higher) from being handed out.
        let open = self.uitgifte.open();
        let grens = open.first().copied().unwrap_or(u64::MAX);
        // Acknowledged messages are skipped; read in pages until `max` unacknowledged are found.
        'lezen: while uit.len() < max {
            let page = self.store.scan_after(&pre, &cursor, max.max(16))?;
            let Some((last, _)) = page.last() else { break };
            cursor = last.clone();
            for (k, v) in &page {
                let b: OutboxBericht = decode(k, v)?;
                if b.id >= grens {
                    break 'lezen;
                }
                if !b.bevestigd && uit.len() < max {
                    uit.push(b);
                }
            }
        }
        drop(open);
        Ok(uit)
    }

    /// Marks outbox messages of a recipient acknowledged; returns how many were newly acked.
    pub fn outbox_ack(
        &self,
        sandbox: &str,
        oin: &str,
        ids: &[u64],
    ) -> Result<usize, RegisterError> {
        sandbox_ok(sandbox)?;
        let mut batch = Batch::default();
        for id in ids {
            let k = key(sandbox, "ob", &[oin, &outbox_part(*id)]);
            if let Some(v) = self.store.get(&k)? {
                let mut b: OutboxBericht = decode(&k, &v)?;
                if !b.bevestigd {
                    b.bevestigd = true;
                    batch.put(k, encode(&b)?);
                }
            }
        }
        let n = batch.ops.len();
        if n > 0 {
            self.store.commit(batch, Wacht::Duurzaam)?;
        }
        Ok(n)
    }

    /// Physical flushes so far (group-commit observability and benchmarks).
    pub fn flush_count(&self) -> u64 {
        self.store.flush_count()
    }

    /// Makes everything applied so far durable (graceful shutdown).
    pub fn flush(&self) -> Result<(), RegisterError> {
        Ok(self.store.make_durable()?)
    }

    /// A clean stop: makes everything durable, closes the store and folds sled's log into its
    /// start snapshot ([`checkpoint`](crate::store::sled_store::checkpoint)), so the next start
    /// is fast however much was written. Returns the fold's duration (`None`: nothing to fold).
    pub fn sluiten(self) -> Result<Option<std::time::Duration>, RegisterError> {
        self.flush()?;
        let dir = self.checkpoint_dir.clone();
        drop(self);
        match dir {
            Some(dir) => Ok(Some(crate::store::sled_store::checkpoint(&dir)?)),
            None => Ok(None),
        }
    }

    fn outbox_in_batch(
        &self,
        sandbox: &str,
        bericht: NieuwBericht,
        batch: &mut Batch,
    ) -> Result<u64, StoreError> {
        let id = {
            let mut open = self.uitgifte.open();
            let id = self.store.next_id()?;
            open.insert(id);
            id
        };
        batch.bewakers.push(Box::new(Reservering {
            uitgifte: self.uitgifte.clone(),
            id,
        }));
        let record = OutboxBericht {
            id,
            ontvanger_oin: bericht.ontvanger_oin,
            soort: bericht.soort,
            inhoud: bericht.inhoud,
            aangemaakt: self.klok.nu(sandbox),
            bevestigd: false,
        };
        batch.put(
            key(sandbox, "ob", &[&record.ontvanger_oin, &outbox_part(id)]),
            encode(&record)?,
        );
        Ok(id)
    }

    fn lees<T: serde::de::DeserializeOwned>(&self, k: &[u8]) -> Result<Option<T>, StoreError> {
        match self.store.get(k)? {
            Some(v) => Ok(Some(decode(k, &v)?)),
            None => Ok(None),
        }
    }

    fn lees_alle<T: serde::de::DeserializeOwned>(&self, pre: &[u8]) -> Result<Vec<T>, StoreError> {
        self.store
            .scan_prefix(pre)?
            .iter()
            .map(|(k, v)| decode(k, v))
            .collect()
    }

    /// The person behind a number: proef-BRP for a BSN, identificatie records for an OWN.
    fn bekende_persoon(&self, sandbox: &str, pgn: &Pgn) -> Result<Option<Persoon>, StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bericht(n: u32) -> NieuwBericht {
        NieuwBericht {
            ontvanger_oin: "00000001234567890000".into(),
            soort: "proef".into(),
            inhoud: format!("<b>{n}</b>"),
        }
    }

    fn register(config: RegisterConfig) -> (tempfile::TempDir, Register) {
        let dir = tempfile::tempdir().unwrap();
        let r = Register::open(dir.path(), Reference::default(), config).unwrap();
        (dir, r)
    }

    fn ids(r: &Register, after: u64) -> Vec<u64> {
        r.outbox_read("s", "00000001234567890000", after, 100)
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect()
    }

    /// Two deliveries take ids 1 and 2; the second is applied first. A reader must not see 2
    /// while 1 is still out, or a cursor at 2 would never see 1.
    #[test]
    fn a_reader_never_sees_past_an_outbox_id_still_being_committed() {
        let (_dir, r) = register(RegisterConfig::wegwerp(None));
        let mut eerste = Batch::default();
        let a = r.outbox_in_batch("s", bericht(1), &mut eerste).unwrap();
        let mut tweede = Batch::default();
        let b = r.outbox_in_batch("s", bericht(2), &mut tweede).unwrap();
        assert!(a < b);
        r.store.commit(tweede, Wacht::Duurzaam).unwrap();
        assert_eq!(ids(&r, 0), Vec::<u64>::new(), "{b} waits for {a}");
        r.store.commit(eerste, Wacht::Duurzaam).unwrap();
        assert_eq!(ids(&r, 0), vec![a, b]);
        assert_eq!(ids(&r, a), vec![b]);
    }

    /// A batch that is never committed (the delivery failed after taking an id) releases it.
    #[test]
    fn an_abandoned_batch_releases_its_outbox_id() {
        let (_dir, r) = register(RegisterConfig::wegwerp(None));
        let mut weg = Batch::default();
        r.outbox_in_batch("s", bericht(1), &mut weg).unwrap();
        let id = r.outbox_append("s", bericht(2)).unwrap();
        assert!(ids(&r, 0).is_empty());
        drop(weg);
        assert_eq!(ids(&r, 0), vec![id]);
    }

    /// The durable path: the committer releases the id only after the flush.
    #[test]
    fn the_committer_releases_an_outbox_id_once_its_commit_is_over() {
        let (_dir, r) = register(RegisterConfig::default());
        let id = r.outbox_append("s", bericht(1)).unwrap();
        assert_eq!(ids(&r, 0), vec![id]);
        assert!(r.uitgifte.open().is_empty());
    }
}
