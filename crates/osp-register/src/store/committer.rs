//! Group commit through one committer thread. Deliveries hand their batch over and wait; the
//! committer takes everything queued, applies it as **one** sled batch (one exclusive section of
//! sled's concurrency control instead of one per delivery), answers the waiters that only needed
//! the write applied, then — if any waiter needs durability — runs one flush + fdatasync and
//! answers the rest. Batches queue up while a flush runs, so groups grow with load without a
//! batching window. Replaces a leader/follower condvar scheme whose wake-ups of every waiter
//! and per-delivery `apply_batch` were the largest kernel and lock costs in the issue 7 profile.

use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use super::{Batch, StoreError};

/// What the caller waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wacht {
    /// The write is applied (visible to readers) — not yet durable.
    Toegepast,
    /// The write is applied and on disk (flush + fdatasync) — before a goedgekeurd answer.
    Duurzaam,
}

/// The engine operations the committer needs: an atomic batch and a durable flush.
pub trait Motor: Send + 'static {
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

/// Handle to the committer thread; dropping it drains the queue and joins the thread.
#[derive(Debug)]
pub struct Committer {
    tx: Option<Sender<Taak>>,
    thread: Option<JoinHandle<()>>,
}

fn gestopt() -> StoreError {
    StoreError::Engine("de committer van de opslag is gestopt".into())
}

impl Committer {
    /// Starts the committer thread on `motor`.
    pub fn start(motor: impl Motor) -> Result<Committer, StoreError> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("osp-committer".into())
            .spawn(move || run(motor, rx))
            .map_err(|e| StoreError::Engine(format!("committer starten: {e}")))?;
        Ok(Committer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Hands `batch` to the committer and blocks until it is applied, or durable.
    pub fn commit(&self, batch: Batch, wacht: Wacht) -> Result<(), StoreError> {
        let (antwoord, ontvang) = mpsc::sync_channel(1);
        let tx = self.tx.as_ref().ok_or_else(gestopt)?;
        tx.send(Taak {
            batch,
            wacht,
            antwoord,
        })
        .map_err(|_| gestopt())?;
        ontvang
            .recv()
            .map_err(|_| gestopt())?
            .map_err(StoreError::Engine)
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

fn run(mut motor: impl Motor, rx: Receiver<Taak>) {
    while let Ok(eerste) = rx.recv() {
        let mut groep = vec![eerste];
        while groep.len() < MAX_GROEP {
            match rx.try_recv() {
                Ok(t) => groep.push(t),
                Err(_) => break,
            }
        }
        let mut samen = Batch::default();
        for t in &mut groep {
            samen.ops.append(&mut t.batch.ops);
        }
        let toegepast = if samen.is_empty() {
            Ok(())
        } else {
            motor.apply(samen)
        };
        // A batch's bewakers are dropped when its wait is over, before the waiter hears so: what
        // the waiter reads next must see them released.
        let mut duurzaam = Vec::new();
        for t in groep {
            match (&toegepast, t.wacht) {
                (Ok(()), Wacht::Duurzaam) => duurzaam.push(t),
                (r, _) => {
                    drop(t.batch);
                    let _ = t.antwoord.send(r.clone());
                }
            }
        }
        if !duurzaam.is_empty() {
            let r = motor.flush();
            for t in duurzaam {
                drop(t.batch);
                let _ = t.antwoord.send(r.clone());
            }
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
    }

    impl Motor for Proef {
        fn apply(&mut self, batch: Batch) -> Result<(), String> {
            if self.faal_apply {
                return Err("schijf vol".into());
            }
            let mut t = self.toegepast.lock().unwrap();
            t.extend(batch.ops.into_iter().map(|(k, _)| k));
            Ok(())
        }
        fn flush(&mut self) -> Result<(), String> {
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
        let c = Arc::new(Committer::start(proef.clone()).unwrap());
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
        let c = Committer::start(proef.clone()).unwrap();
        c.commit(batch("a".into()), Wacht::Toegepast).unwrap();
        assert_eq!(proef.flushes.load(Ordering::SeqCst), 0);
        c.commit(Batch::default(), Wacht::Duurzaam).unwrap();
        assert_eq!(proef.flushes.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_engine_error_reaches_the_waiter_and_the_committer_keeps_running() {
        let proef = Proef {
            faal_apply: true,
            ..Proef::default()
        };
        let c = Committer::start(proef).unwrap();
        for _ in 0..2 {
            let e = c.commit(batch("a".into()), Wacht::Duurzaam).unwrap_err();
            assert!(e.to_string().contains("schijf vol"), "{e}");
        }
    }
}
