//! sled 0.34 engine: one tree with prefixed keys and `apply_batch` (atomic per tree; STACK.md
//! measured it far cheaper than multi-tree transactions), made durable by flush + fdatasync of
//! sled's data file (sled's flush alone only issues sync_file_range), both run by one
//! [`Committer`] thread that groups concurrent deliveries.
//!
//! Failure and recovery: sled 0.34 keeps the first I/O error of its log writer as a global error
//! and fails every later write with it — it never recovers in-process — and an fdatasync that
//! failed says nothing about which pages reached the disk. So after any engine error the store
//! turns failed ([`Health`]; every request is refused, which the register answers with DK0051)
//! and a background thread reopens the data dir every [`RECOVERY_INTERVAL`]: a fresh sled reads
//! what is really in the file, the failed groups are taken back out with their before-images,
//! and a flush + fdatasync must succeed before the store is trusted again. With the disk still
//! full or still failing, that attempt fails and the store stays failed; no restart is needed.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant};

use super::committer::{Committer, Motor};
use super::health::Health;
use super::{Batch, Entry, Store, StoreError, Wacht};

/// Pause between two attempts to recover a failed store (each reopens sled: cheap when the data
/// dir was checkpointed, a log replay otherwise).
pub const RECOVERY_INTERVAL: Duration = Duration::from_millis(250);

/// sled's page cache. Its default (1 GiB) let the server's RSS grow with every stand written
/// (630 MiB after 40k deliveries in the benchmark runs); a register's hot set — the keys of the
/// persons being delivered now — is far smaller, and misses are served from the OS page cache.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// zstd level of sled's log compression (`[opslag] compressie`). Before records were compressed
/// themselves (records.rs) it cut disk per stand from ≈5.7 KB to ≈1.1 KB, but sled creates a zstd
/// context per compressed write on its one writing thread: ≈25% less keep-alive throughput and
/// half the bulk-load rate (bench/profile.md). With LZ4 records a stand takes ≈2.3 KB
/// uncompressed, so it is off by default.
const COMPRESSION_FACTOR: i32 = 1;

/// Whether to open a durable `dir` compressed: as it was created (sled refuses to open a data dir
/// with the other setting), or as `nieuw` says for a new one. A throwaway register is never
/// compressed.
fn comprimeren(dir: &Path, nieuw: bool) -> bool {
    // sled's conf is `key: value` lines followed by a binary checksum.
    match std::fs::read(dir.join("conf")) {
        Ok(conf) => String::from_utf8_lossy(&conf)
            .lines()
            .any(|l| l.trim() == "use_compression: true"),
        Err(_) => nieuw,
    }
}

/// The sled-backed [`Store`].
#[derive(Debug)]
pub struct SledStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    duurzaamheid: Duurzaamheid,
    compressie: bool,
    flushes: Arc<AtomicU64>,
    faults: Arc<FaultSwitch>,
    health: Arc<Health>,
    /// The open engine; `None` only while a recovery swaps it.
    engine: RwLock<Option<Arc<Engine>>>,
    /// A recovery thread is running.
    recovering: AtomicBool,
}

/// One opened sled and its committer. Field order is drop order: the committer thread (which
/// holds a clone of the db) is joined before the db handle goes.
#[derive(Debug)]
struct Engine {
    /// `None` for a [`Duurzaamheid::Wegwerp`] store: batches are applied on the caller's thread.
    committer: Option<Committer>,
    db: sled::Db,
}

/// Failures a test can switch on in a real store, to see what the register answers and what it
/// keeps. Off in every store `osp serve` opens (nothing switches it).
#[derive(Debug, Default)]
pub struct FaultSwitch {
    apply: AtomicBool,
    flush: AtomicBool,
}

impl FaultSwitch {
    /// Every apply fails before it reaches sled (as sled does once an I/O error poisoned it).
    pub fn fail_apply(&self, on: bool) {
        self.apply.store(on, Ordering::SeqCst);
    }

    /// Every flush fails after sled has written its log but before the fdatasync, as an fdatasync
    /// answering EIO would: the data may be in the file, but it was not made durable.
    pub fn fail_flush(&self, on: bool) {
        self.flush.store(on, Ordering::SeqCst);
    }
}

/// The committer's side of the engine.
struct SledMotor {
    db: sled::Db,
    data_file: File,
    flushes: Arc<AtomicU64>,
    faults: Arc<FaultSwitch>,
}

impl Motor for SledMotor {
    fn lees(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.db
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| e.to_string())
    }

    fn apply(&mut self, batch: Batch) -> Result<(), String> {
        if self.faults.apply.load(Ordering::SeqCst) {
            return Err("apply failed (fault switched on)".into());
        }
        self.db
            .apply_batch(sled_batch(batch.ops))
            .map_err(|e| e.to_string())
    }

    fn flush(&mut self) -> Result<(), String> {
        self.db.flush().map_err(|e| e.to_string())?;
        if self.faults.flush.load(Ordering::SeqCst) {
            return Err("fdatasync failed (fault switched on)".into());
        }
        self.data_file.sync_data().map_err(|e| e.to_string())?;
        self.flushes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn sled_batch(ops: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> sled::Batch {
    let mut b = sled::Batch::default();
    for (k, v) in ops {
        match v {
            Some(v) => b.insert(k, v),
            None => b.remove(k),
        }
    }
    b
}

/// Whether an acknowledged write must survive a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Duurzaamheid {
    /// flush + fdatasync (group commit) before [`Store::make_durable`] returns: `osp serve`.
    #[default]
    Schijf,
    /// No flushes or syncs at all: a throwaway register (one replay scenario, a benchmark corpus)
    /// whose directory sled deletes when the store drops, where an fsync protects nothing.
    Wegwerp,
}

fn engine(e: impl std::fmt::Display) -> StoreError {
    StoreError::Engine(e.to_string())
}

fn open_db(
    dir: &Path,
    duurzaamheid: Duurzaamheid,
    compressie: bool,
) -> Result<sled::Db, StoreError> {
    let mut config = sled::Config::new()
        .path(dir)
        .cache_capacity(CACHE_BYTES)
        .use_compression(duurzaamheid == Duurzaamheid::Schijf && comprimeren(dir, compressie))
        .compression_factor(COMPRESSION_FACTOR);
    if duurzaamheid == Duurzaamheid::Wegwerp {
        // `temporary`: sled skips the sync_file_range(WAIT_AFTER) it otherwise issues on every
        // log-buffer write (iobuf.rs) and removes the directory when the store drops. Replay
        // measured 5.3k → 6.2k steps/s (bench/profile.md).
        config = config.flush_every_ms(None).temporary(true);
    }
    config.open().map_err(|e| match &e {
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock") =>
        {
            StoreError::InGebruik(dir.display().to_string())
        }
        _ => engine(e),
    })
}

/// Opens and closes the durable data dir `dir` once, after its last [`SledStore`] is gone.
/// sled 0.34 writes its page-table snapshot only while it opens a data dir, so without this the
/// next start replays every log entry written since the previous start (bench/profile.md: 1.4 s after a
/// 1M-stand load); a clean stop pays that once instead. Returns how long the fold took.
pub fn checkpoint(dir: &Path) -> Result<Duration, StoreError> {
    let started = Instant::now();
    let db = reopen_db(dir, Duurzaamheid::Schijf, false)?;
    db.flush().map_err(engine)?;
    drop(db);
    Ok(started.elapsed())
}

/// Opens a data dir whose previous handle was just dropped: the last handle's background writes
/// may release sled's file lock a moment after the drop (waits at most 2 s for it).
fn reopen_db(
    dir: &Path,
    duurzaamheid: Duurzaamheid,
    compressie: bool,
) -> Result<sled::Db, StoreError> {
    let mut pogingen = 0;
    loop {
        match open_db(dir, duurzaamheid, compressie) {
            Err(StoreError::InGebruik(_)) if pogingen < 100 => {
                pogingen += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            r => return r,
        }
    }
}

/// Opens the durable engine: the data file for fdatasync and the committer.
fn start_engine(inner: &Inner, db: sled::Db) -> Result<(SledMotor, sled::Db), StoreError> {
    let data_file = File::open(inner.dir.join("db")).map_err(engine)?;
    // The data file's directory entry must survive power loss too (created on first open).
    File::open(&inner.dir)
        .and_then(|d| d.sync_all())
        .map_err(engine)?;
    let motor = SledMotor {
        db: db.clone(),
        data_file,
        flushes: inner.flushes.clone(),
        faults: inner.faults.clone(),
    };
    Ok((motor, db))
}

impl Inner {
    /// The engine to use, or the error to refuse with while failed.
    fn engine(self: &Arc<Self>) -> Result<Arc<Engine>, StoreError> {
        if let Some(e) = self.health.error() {
            self.start_recovery();
            return Err(e);
        }
        self.engine
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| StoreError::Engine("opslag wordt heropend".into()))
    }

    /// An engine error: a durable store turns failed and starts recovering.
    fn failed(self: &Arc<Self>, e: impl std::fmt::Display) -> StoreError {
        let e = e.to_string();
        if self.duurzaamheid == Duurzaamheid::Schijf {
            self.health.mark_failed(&e, Vec::new());
            self.start_recovery();
        }
        StoreError::Engine(e)
    }

    /// Starts the recovery thread unless it runs already. It holds only a weak reference, so a
    /// store dropped while failed closes as usual.
    fn start_recovery(self: &Arc<Self>) {
        if self.duurzaamheid != Duurzaamheid::Schijf || self.recovering.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let weak = Arc::downgrade(self);
        let spawned = std::thread::Builder::new()
            .name("osp-store-recovery".into())
            .spawn(move || recovery_loop(weak));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "storage recovery thread could not start");
            self.recovering.store(false, Ordering::Release);
        }
    }

    /// One attempt: reopen sled, take the failed groups back out, make that durable, swap in.
    fn recover(&self) -> Result<(), StoreError> {
        let oud = self
            .engine
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // Joins the old committer; readers still holding the old engine finish on their own.
        drop(oud);
        let db = reopen_db(&self.dir, self.duurzaamheid, self.compressie)?;
        let (mut motor, db) = start_engine(self, db)?;
        for ops in self.health.undo() {
            motor
                .apply(Batch {
                    ops,
                    bewakers: Vec::new(),
                })
                .map_err(StoreError::Engine)?;
        }
        motor.flush().map_err(StoreError::Engine)?;
        let committer = Committer::start(motor, self.health.clone())?;
        *self.engine.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(Engine {
            committer: Some(committer),
            db,
        }));
        // Cleared in this order so a failure right after recovery starts a new thread.
        self.recovering.store(false, Ordering::Release);
        self.health.recovered();
        Ok(())
    }
}

fn recovery_loop(weak: Weak<Inner>) {
    let mut pogingen: u64 = 0;
    loop {
        std::thread::sleep(RECOVERY_INTERVAL);
        let Some(inner) = weak.upgrade() else { return };
        pogingen += 1;
        match inner.recover() {
            Ok(()) => {
                tracing::debug!(pogingen, "storage recovery succeeded");
                return;
            }
            // The state did not change: the failure was logged when it happened.
            Err(e) => tracing::debug!(error = %e, pogingen, "storage recovery attempt failed"),
        }
    }
}

impl SledStore {
    /// Opens (creating) the store in `dir`; a directory held by another process is refused with
    /// [`StoreError::InGebruik`] (sled takes an exclusive file lock).
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        SledStore::open_with(dir, Duurzaamheid::Schijf, false)
    }

    /// [`SledStore::open`] with a chosen [`Duurzaamheid`]; `compressie` decides whether a new
    /// durable data dir is compressed (an existing one keeps the setting it was created with).
    pub fn open_with(
        dir: &Path,
        duurzaamheid: Duurzaamheid,
        compressie: bool,
    ) -> Result<SledStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(engine)?;
        let db = open_db(dir, duurzaamheid, compressie)?;
        let health = Arc::new(Health::default());
        let mut inner = Inner {
            dir: dir.to_path_buf(),
            duurzaamheid,
            compressie,
            flushes: Arc::new(AtomicU64::new(0)),
            faults: Arc::default(),
            health: health.clone(),
            engine: RwLock::new(None),
            recovering: AtomicBool::new(false),
        };
        let engine = match duurzaamheid {
            Duurzaamheid::Wegwerp => Engine {
                committer: None,
                db,
            },
            Duurzaamheid::Schijf => {
                let (motor, db) = start_engine(&inner, db)?;
                Engine {
                    committer: Some(Committer::start(motor, health)?),
                    db,
                }
            }
        };
        inner.engine = RwLock::new(Some(Arc::new(engine)));
        Ok(SledStore {
            inner: Arc::new(inner),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The switch to inject engine failures into this store (tests).
    pub fn faults(&self) -> Arc<FaultSwitch> {
        self.inner.faults.clone()
    }

    /// Whether the store is failed and refusing requests until it recovers.
    pub fn is_failed(&self) -> bool {
        self.inner.health.is_failed()
    }
}

impl Store for SledStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let e = self.inner.engine()?;
        let v = e.db.get(key).map_err(|x| self.inner.failed(x))?;
        Ok(v.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        let e = self.inner.engine()?;
        collect(e.db.scan_prefix(prefix), usize::MAX).map_err(|x| self.inner.failed(x))
    }

    fn scan_after(
        &self,
        prefix: &[u8],
        after: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        use std::ops::Bound;
        let e = self.inner.engine()?;
        let iter =
            e.db.range::<&[u8], _>((Bound::Excluded(after), Bound::Unbounded));
        let mut out = Vec::new();
        for item in iter {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(|x| self.inner.failed(x))?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<Entry>, StoreError> {
        let e = self.inner.engine()?;
        match e.db.scan_prefix(prefix).next_back() {
            Some(item) => {
                let (k, v) = item.map_err(|x| self.inner.failed(x))?;
                Ok(Some((k.to_vec(), v.to_vec())))
            }
            None => Ok(None),
        }
    }

    fn commit(&self, batch: Batch, wacht: Wacht) -> Result<(), StoreError> {
        let e = self.inner.engine()?;
        match &e.committer {
            Some(c) => {
                let r = c.commit(batch, wacht);
                if r.is_err() && self.inner.health.is_failed() {
                    self.inner.start_recovery();
                }
                r
            }
            None if batch.is_empty() => Ok(()),
            None => {
                let Batch { ops, bewakers } = batch;
                let r = e.db.apply_batch(sled_batch(ops)).map_err(engine);
                drop(bewakers);
                r
            }
        }
    }

    fn next_id(&self) -> Result<u64, StoreError> {
        // sled starts at 0; ids start at 1 so cursor 0 means "from the beginning".
        let e = self.inner.engine()?;
        Ok(e.db.generate_id().map_err(|x| self.inner.failed(x))? + 1)
    }

    fn flush_count(&self) -> u64 {
        self.inner.flushes.load(Ordering::Relaxed)
    }
}

fn collect(iter: sled::Iter, limit: usize) -> Result<Vec<Entry>, sled::Error> {
    let mut out = Vec::new();
    for item in iter.take(limit) {
        let (k, v) = item?;
        out.push((k.to_vec(), v.to_vec()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_scan_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = SledStore::open(dir.path()).unwrap();
            let mut b = Batch::default();
            b.put(b"a\0x\x001".to_vec(), b"1".to_vec());
            b.put(b"a\0x\x002".to_vec(), b"2".to_vec());
            b.put(b"a\0y".to_vec(), b"3".to_vec());
            s.commit(b, Wacht::Duurzaam).unwrap();
            assert_eq!(s.flush_count(), 1);
            assert_eq!(s.scan_prefix(b"a\0x\0").unwrap().len(), 2);
            assert_eq!(s.last_with_prefix(b"a\0x\0").unwrap().unwrap().1, b"2");
            assert_eq!(s.scan_after(b"a\0x\0", b"a\0x\x001", 10).unwrap().len(), 1);
            let mut d = Batch::default();
            d.delete(b"a\0y".to_vec());
            s.commit(d, Wacht::Toegepast).unwrap();
            s.make_durable().unwrap();
            let id1 = s.next_id().unwrap();
            assert!(s.next_id().unwrap() > id1);
        }
        let s = SledStore::open(dir.path()).unwrap();
        assert_eq!(s.get(b"a\0x\x001").unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(s.get(b"a\0y").unwrap(), None);
    }

    #[test]
    fn a_data_dir_keeps_the_compression_it_was_created_with() {
        for (eerst, daarna) in [(false, true), (true, false)] {
            let dir = tempfile::tempdir().unwrap();
            {
                let s = SledStore::open_with(dir.path(), Duurzaamheid::Schijf, eerst).unwrap();
                let mut b = Batch::default();
                b.put(b"k".to_vec(), vec![b'x'; 2000]);
                s.commit(b, Wacht::Duurzaam).unwrap();
            }
            assert_eq!(comprimeren(dir.path(), daarna), eerst);
            let s = SledStore::open_with(dir.path(), Duurzaamheid::Schijf, daarna).unwrap();
            assert_eq!(s.get(b"k").unwrap().map(|v| v.len()), Some(2000));
        }
        let nieuw = tempfile::tempdir().unwrap();
        assert!(comprimeren(nieuw.path(), true));
        assert!(!comprimeren(nieuw.path(), false));
    }

    fn snapshots(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("snap."))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_checkpoint_folds_the_log_into_a_new_start_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let s = SledStore::open(dir.path()).unwrap();
        let voor = snapshots(dir.path());
        for i in 0..500u32 {
            let mut b = Batch::default();
            b.put(format!("k{i:04}").into_bytes(), vec![b'v'; 300]);
            s.commit(b, Wacht::Duurzaam).unwrap();
        }
        drop(s);
        assert_eq!(snapshots(dir.path()), voor, "no snapshot while running");
        checkpoint(dir.path()).unwrap();
        let na = snapshots(dir.path());
        assert_eq!(na.len(), 1);
        assert_ne!(
            na, voor,
            "the snapshot now covers the log written since the open"
        );
        let s = SledStore::open(dir.path()).unwrap();
        assert_eq!(s.scan_prefix(b"k").unwrap().len(), 500);
        assert_eq!(
            snapshots(dir.path()),
            na,
            "nothing left to fold on the next open"
        );
    }

    #[test]
    fn a_checkpoint_refuses_a_data_dir_that_is_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let _s = SledStore::open(dir.path()).unwrap();
        assert!(matches!(
            checkpoint(dir.path()),
            Err(StoreError::InGebruik(_))
        ));
    }

    #[test]
    fn a_throwaway_store_never_flushes() {
        let dir = tempfile::tempdir().unwrap();
        let s = SledStore::open_with(dir.path(), Duurzaamheid::Wegwerp, true).unwrap();
        let mut b = Batch::default();
        b.put(b"k".to_vec(), b"v".to_vec());
        s.commit(b, Wacht::Duurzaam).unwrap();
        assert_eq!(s.flush_count(), 0);
        assert_eq!(s.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
        let path = dir.path().to_path_buf();
        drop(s);
        // sled removes it when its last internal handle goes; a pool thread may still hold one
        // for a moment after the drop.
        for _ in 0..200 {
            if !path.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!path.exists(), "a throwaway store removes its directory");
    }
}
