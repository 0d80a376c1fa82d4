//! Group commit through one committer thread. Deliveries hand their batch over and wait; the
//! committer takes everything queued, applies it as **one** sled batch (one exclusive section of
//! sled's concurrency control instead of one per delivery), answers the waiters that only needed
//! the write applied, then — if any waiter needs durability — runs one flush + fdatasync and
//! answers the rest. Batches queue up while a flush runs, so groups grow with load without a
//! batching window. Replaces a leader/follower condvar scheme whose wake-ups of every waiter
//! and per-delivery `apply_batch` were the largest kernel and lock costs in the benchmark profile (bench/profile.md).
//!
//! Failure: when a group's apply or flush fails (disk full, EIO from fdatasync), every waiter of
//! that group hears the error, the shared [`Health`] turns failed *before* anyone is answered, and
//! the group's before-images are kept there so the store can take the group back out when it
//! recovers (the data may or may not have reached the file). While failed, nothing is applied.

use std::collections::HashSet;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::health::{Health, Ops};
use super::{Batch, StoreError};

/// What the caller waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wacht {
    /// The write is applied (visible to readers) — not yet durable.
    Toegepast,
    /// The write is applied and on disk (flush + fdatasync) — before a goedgekeurd answer.
    Duurzaam,
}

/// The engine operations the committer needs: a read (for before-images), an atomic batch and a
/// durable flush.
pub trait Motor: Send + 'static {
    /// Reads one key's current value.
    fn lees(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, String>;
    /// Applies one atomic batch.
    fn apply(&mut self, batch: Batch) -> Result<(), String>;
    /// Makes everything applied so far durable.
    fn flush(&mut self) -> Result<(), String>;
}

struct Taak {
    batch: Batch,
    wacht: Wacht,
    antwoord: SyncSender<Result<(), String>>,
}

/// Most batches merged into one apply (bounds the size of one sled batch under a burst).
const MAX_GROEP: usize = 512;

/// How long a waiter waits for its group before it gives up with an error (the group may still
/// finish). A flush that hangs (a dying disk, a stuck network filesystem) then answers DK0051
/// instead of holding the request and its connection forever.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// Handle to the committer thread; dropping it drains the queue and joins the thread.
#[derive(Debug)]
pub struct Committer {
    tx: Option<Sender<Taak>>,
    thread: Option<JoinHandle<()>>,
    health: Arc<Health>,
    limit: Duration,
}

fn gestopt() -> StoreError {
    StoreError::Engine("de committer van de opslag is gestopt".into())
}

impl Committer {
    /// Starts the committer thread on `motor`; failures are recorded in `health`.
    pub fn start(motor: impl Motor, health: Arc<Health>) -> Result<Committer, StoreError> {
        Committer::start_with(motor, health, WAIT_LIMIT)
    }

    /// [`Committer::start`] with another bound on a waiter's wait.
    pub fn start_with(
        motor: impl Motor,
        health: Arc<Health>,
        limit: Duration,
    ) -> Result<Committer, StoreError> {
        let (tx, rx) = mpsc::channel();
        let h = health.clone();
        let thread = std::thread::Builder::new()
            .name("osp-committer".into())
            .spawn(move || run(motor, rx, &h))
            .map_err(|e| StoreError::Engine(format!("committer starten: {e}")))?;
        Ok(Committer {
            tx: Some(tx),
            thread: Some(thread),
            health,
            limit,
        })
    }

    /// Hands `batch` to the committer and blocks until it is applied, or durable — at most
    /// [`WAIT_LIMIT`]. Refused at once while the store is failed.
    pub fn commit(&self, batch: Batch, wacht: Wacht) -> Result<(), StoreError> {
        if let Some(e) = self.health.error() {
            return Err(e);
        }
        let (antwoord, ontvang) = mpsc::sync_channel(1);
        let tx = self.tx.as_ref().ok_or_else(gestopt)?;
        tx.send(Taak {
            batch,
            wacht,
            antwoord,
        })
        .map_err(|_| self.died())?;
        match ontvang.recv_timeout(self.limit) {
            Ok(r) => r.map_err(StoreError::Engine),
            Err(RecvTimeoutError::Timeout) => Err(StoreError::Engine(format!(
                "de opslag heeft niet binnen {} s geantwoord",
                self.limit.as_secs_f32()
            ))),
            Err(RecvTimeoutError::Disconnected) => Err(self.died()),
        }
    }

    /// The committer thread is gone while its handle lives: the engine panicked in it. What that
    /// group left is unknown, so the store is failed until it has reopened the engine.
    fn died(&self) -> StoreError {
        let e = gestopt();
        self.health.mark_failed(&e.to_string(), Vec::new());
        e
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The before-image of every key `ops` touches (first occurrence wins): the batch that undoes
/// them.
fn before_images(motor: &mut impl Motor, ops: &Ops) -> Result<Ops, String> {
    let mut gezien = HashSet::with_capacity(ops.len());
    let mut undo = Vec::with_capacity(ops.len());
    for (k, _) in ops {
        if gezien.insert(k.as_slice()) {
            undo.push((k.clone(), motor.lees(k)?));
        }
    }
    Ok(undo)
}

fn answer_all(groep: Vec<Taak>, r: &Result<(), String>) {
    // A batch's bewakers are dropped when its wait is over, before the waiter hears so: what
    // the waiter reads next must see them released.
    for t in groep {
        drop(t.batch);
        let _ = t.antwoord.send(r.clone());
    }
}

fn run(mut motor: impl Motor, rx: Receiver<Taak>, health: &Health) {
    while let Ok(eerste) = rx.recv() {
        let mut groep = vec![eerste];
        while groep.len() < MAX_GROEP {
            match rx.try_recv() {
                Ok(t) => groep.push(t),
                Err(_) => break,
            }
        }
        // Queued before the store failed: refused like the commits after it.
        if let Some(e) = health.error() {
            answer_all(groep, &Err(e.to_string()));
            continue;
        }
        let mut samen = Batch::default();
        for t in &mut groep {
            samen.ops.append(&mut t.batch.ops);
        }
        let undo = match before_images(&mut motor, &samen.ops) {
            Ok(u) => u,
            Err(e) => {
                health.mark_failed(&e, Vec::new());
                answer_all(groep, &Err(e));
                continue;
            }
        };
        let toegepast = if samen.is_empty() {
            Ok(())
        } else {
            motor.apply(samen)
        };
        if let Err(e) = &toegepast {
            // sled may have applied part of the batch in memory before it failed.
            health.mark_failed(e, undo);
            answer_all(groep, &toegepast);
            continue;
        }
        let (duurzaam, toegepast): (Vec<Taak>, Vec<Taak>) =
            groep.into_iter().partition(|t| t.wacht == Wacht::Duurzaam);
        answer_all(toegepast, &Ok(()));
        if !duurzaam.is_empty() {
            let r = motor.flush();
            if let Err(e) = &r {
                // Marked before anyone hears: a resend must not find this group's writes.
                health.mark_failed(e, undo);
            }
            answer_all(duurzaam, &r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    /// Records applies and flushes; a flush covers everything applied before it.
    #[derive(Clone, Default)]
    struct Proef {
        toegepast: Arc<Mutex<Vec<Vec<u8>>>>,
        duurzaam: Arc<Mutex<usize>>,
        flushes: Arc<AtomicU64>,
        faal_apply: bool,
        /// Flushes after this many successful ones fail.
        faal_flush_na: Option<u64>,
        /// Ops per apply call (one entry per group).
        groepen: Arc<Mutex<Vec<usize>>>,
        /// The first flush waits until this receiver yields.
        poort: Option<Arc<Mutex<mpsc::Receiver<()>>>>,
    }

    impl Motor for Proef {
        fn lees(&mut self, _key: &[u8]) -> Result<Option<Vec<u8>>, String> {
            Ok(None)
        }
        fn apply(&mut self, batch: Batch) -> Result<(), String> {
            if self.faal_apply {
                return Err("schijf vol".into());
            }
            self.groepen.lock().unwrap().push(batch.ops.len());
            let mut t = self.toegepast.lock().unwrap();
            t.extend(batch.ops.into_iter().map(|(k, _)| k));
            Ok(())
        }
        fn flush(&mut self) -> Result<(), String> {
            if let Some(p) = self.poort.take() {
                p.lock().unwrap().recv().unwrap();
            }
            if self
                .faal_flush_na
                .is_some_and(|n| self.flushes.load(Ordering::SeqCst) >= n)
            {
                return Err("fdatasync: EIO".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
            *self.duurzaam.lock().unwrap() = self.toegepast.lock().unwrap().len();
            self.flushes.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    fn batch(k: String) -> Batch {
        let mut b = Batch::default();
        b.put(k.into_bytes(), b"v".to_vec());
        b
    }

    #[test]
    fn durable_commits_share_flushes_and_each_is_on_disk_when_answered() {
        let proef = Proef::default();
        let c = Arc::new(Committer::start(proef.clone(), Arc::default()).unwrap());
        let threads: Vec<_> = (0..16)
            .map(|t| {
                let (c, proef) = (c.clone(), proef.clone());
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let k = format!("{t}-{i}");
                        c.commit(batch(k.clone()), Wacht::Duurzaam).unwrap();
                        // Answered only after a flush that covered this write.
                        let t = proef.toegepast.lock().unwrap();
                        let pos = t.iter().position(|x| x == k.as_bytes()).unwrap();
                        assert!(pos < *proef.duurzaam.lock().unwrap());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n = proef.flushes.load(Ordering::SeqCst);
        assert!(n < 800, "every commit flushed alone: {n}");
        assert_eq!(proef.toegepast.lock().unwrap().len(), 800);
    }

    #[test]
    fn applied_only_commits_do_not_flush() {
        let proef = Proef::default();
        let c = Committer::start(proef.clone(), Arc::default()).unwrap();
        c.commit(batch("a".into()), Wacht::Toegepast).unwrap();
        assert_eq!(proef.flushes.load(Ordering::SeqCst), 0);
        c.commit(Batch::default(), Wacht::Duurzaam).unwrap();
        assert_eq!(proef.flushes.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_engine_error_reaches_the_waiter_and_the_store_refuses_until_recovered() {
        let proef = Proef {
            faal_apply: true,
            ..Proef::default()
        };
        let health = Arc::new(Health::default());
        let c = Committer::start(proef.clone(), health.clone()).unwrap();
        for _ in 0..2 {
            let e = c.commit(batch("a".into()), Wacht::Duurzaam).unwrap_err();
            assert!(e.to_string().contains("schijf vol"), "{e}");
        }
        assert!(health.is_failed());
        assert_eq!(
            health.undo().len(),
            1,
            "only the group that reached the engine"
        );
        health.recovered();
        // Refusals never reached the motor; after recovery commits do again (and fail here).
        let e = c.commit(batch("b".into()), Wacht::Toegepast).unwrap_err();
        assert!(e.to_string().contains("schijf vol"), "{e}");
        assert_eq!(health.undo().len(), 1);
    }

    /// A flush error reaches every durable waiter of the group it hit, the store is failed
    /// before any of them hears it, and the undo covers the whole group.
    #[test]
    fn a_flush_error_reaches_every_waiter_of_its_group() {
        let (open, poort) = mpsc::channel();
        let proef = Proef {
            faal_flush_na: Some(1),
            poort: Some(Arc::new(Mutex::new(poort))),
            ..Proef::default()
        };
        let health = Arc::new(Health::default());
        let c = Arc::new(Committer::start(proef.clone(), health.clone()).unwrap());
        // The first group's flush holds the committer while the next group queues up.
        let eerste = {
            let c = c.clone();
            std::thread::spawn(move || c.commit(batch("eerste".into()), Wacht::Duurzaam))
        };
        while proef.groepen.lock().unwrap().is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let klaar = Arc::new(AtomicU64::new(0));
        let wachters: Vec<_> = (0..10)
            .map(|i| {
                let (c, health, klaar) = (c.clone(), health.clone(), klaar.clone());
                std::thread::spawn(move || {
                    let wacht = if i < 8 {
                        Wacht::Duurzaam
                    } else {
                        Wacht::Toegepast
                    };
                    klaar.fetch_add(1, Ordering::SeqCst);
                    let r = c.commit(batch(format!("w{i}")), wacht);
                    // Whoever hears of the failure finds the store failed already.
                    if r.is_err() {
                        assert!(health.is_failed());
                    }
                    (wacht, r)
                })
            })
            .collect();
        while klaar.load(Ordering::SeqCst) < 10 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        open.send(()).unwrap();
        eerste.join().unwrap().unwrap();
        for w in wachters {
            let (wacht, r) = w.join().unwrap();
            match wacht {
                Wacht::Duurzaam => {
                    let e = r.unwrap_err();
                    assert!(e.to_string().contains("EIO"), "{e}");
                }
                Wacht::Toegepast => r.unwrap(),
            }
        }
        assert_eq!(
            *proef.groepen.lock().unwrap(),
            vec![1, 10],
            "the ten waiters formed one group"
        );
        let undo = health.undo();
        assert_eq!(undo.len(), 1);
        assert_eq!(undo[0].len(), 10, "every key of the group is taken back");
        assert!(undo[0].iter().all(|(_, v)| v.is_none()));
    }

    /// An engine that panics takes the committer thread with it: the waiter hears an error and
    /// the store is failed (so it reopens the engine), instead of refusing forever unnoticed.
    #[test]
    fn a_panicking_engine_fails_the_store() {
        struct Paniek;
        impl Motor for Paniek {
            fn lees(&mut self, _key: &[u8]) -> Result<Option<Vec<u8>>, String> {
                Ok(None)
            }
            fn apply(&mut self, _batch: Batch) -> Result<(), String> {
                panic!("engine panic (test)")
            }
            fn flush(&mut self) -> Result<(), String> {
                Ok(())
            }
        }
        let health = Arc::new(Health::default());
        let c = Committer::start(Paniek, health.clone()).unwrap();
        c.commit(batch("a".into()), Wacht::Duurzaam).unwrap_err();
        assert!(health.is_failed());
        assert!(c.commit(batch("b".into()), Wacht::Duurzaam).is_err());
    }

    #[test]
    fn a_hung_flush_answers_the_waiter_within_its_bound() {
        let (open, poort) = mpsc::channel();
        let proef = Proef {
            poort: Some(Arc::new(Mutex::new(poort))),
            ..Proef::default()
        };
        let health = Arc::new(Health::default());
        let limit = std::time::Duration::from_millis(200);
        let c = Committer::start_with(proef, health.clone(), limit).unwrap();
        let e = c.commit(batch("a".into()), Wacht::Duurzaam).unwrap_err();
        assert!(e.to_string().contains("niet binnen"), "{e}");
        assert!(!health.is_failed(), "a slow disk is not a failed one");
        open.send(()).unwrap();
        // Once the flush returns, the committer serves again.
        c.commit(batch("b".into()), Wacht::Duurzaam).unwrap();
    }
}
