//! Opening a register on a store, resetting a sandbox, making everything durable and the clean
//! stop that folds sled's log into its start snapshot.

use std::path::Path;
use std::sync::{Arc, RwLock};

use super::{locks, sandbox_ok, Klok, Register, RegisterConfig, RegisterError, Vervolgberichten};
use crate::reference::Reference;
use crate::store::records;
use crate::store::{Batch, Duurzaamheid, SledStore, Store, Wacht};

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
}
