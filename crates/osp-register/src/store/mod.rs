//! Storage behind a small byte-level trait (STACK.md: keep the engine replaceable). The register's
//! typed records and key layout live in [`records`]; the sled engine in [`sled_store`]; the group
//! commit that makes acknowledged writes durable in [`committer`]; what happens when the disk
//! fails in [`health`].

pub mod committer;
pub mod health;
pub mod records;
pub mod sled_store;

pub use committer::Wacht;
pub use sled_store::{Duurzaamheid, FaultSwitch, SledStore};

/// Storage failures; the register maps them to `ServiceError::Onbeschikbaar`/`Intern`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The engine failed (I/O, corruption).
    #[error("opslag: {0}")]
    Engine(String),
    /// The data directory is held by another process (sled's file lock).
    #[error("datamap {0} is in gebruik door een ander proces")]
    InGebruik(String),
    /// A stored value could not be decoded.
    #[error("opgeslagen waarde onleesbaar ({sleutel}): {melding}")]
    Decodeer {
        /// Printable key.
        sleutel: String,
        /// Decoder message.
        melding: String,
    },
}

/// Something a batch keeps alive until its commit has finished — applied, and durable when the
/// caller waits for that — or the batch is abandoned: the register's outbox id reservations.
pub type Bewaker = Box<dyn std::any::Any + Send>;

/// A set of writes applied atomically: all or nothing, also across a crash.
#[derive(Default)]
pub struct Batch {
    /// `(key, Some(value))` = put, `(key, None)` = delete, in order.
    pub ops: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// Dropped by the store once the commit has finished, or with the batch if it never is.
    pub bewakers: Vec<Bewaker>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("ops", &self.ops)
            .field("bewakers", &self.bewakers.len())
            .finish()
    }
}

impl Batch {
    /// Adds a put.
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push((key, Some(value)));
    }

    /// Adds a delete.
    pub fn delete(&mut self, key: Vec<u8>) {
        self.ops.push((key, None));
    }

    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// One stored entry: key and value bytes.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The storage engine seen by the register: ordered keys, atomic batches, durable group commit.
pub trait Store: Send + Sync + 'static {
    /// Reads one key.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Every entry whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError>;
    /// Up to `limit` entries with `prefix` whose key is > `after`, in key order (cursors).
    fn scan_after(
        &self,
        prefix: &[u8],
        after: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError>;
    /// The last entry (in key order) with `prefix`.
    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<Entry>, StoreError>;
    /// Applies a batch atomically and returns once it is applied or, with [`Wacht::Duurzaam`],
    /// durable on disk. Concurrent callers share one flush (group commit).
    fn commit(&self, batch: Batch, wacht: Wacht) -> Result<(), StoreError>;
    /// Returns once every batch applied before the call is durable on disk.
    fn make_durable(&self) -> Result<(), StoreError> {
        self.commit(Batch::default(), Wacht::Duurzaam)
    }
    /// An increasing id ≥ 1 that never repeats, also across restarts (outbox order).
    fn next_id(&self) -> Result<u64, StoreError>;
    /// Number of physical flushes so far (to observe group commit).
    fn flush_count(&self) -> u64;
}
