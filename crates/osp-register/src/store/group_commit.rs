//! Group commit: many deliveries wait for durability, one of them performs the flush + fdatasync
//! for all (STACK.md: flush+fsync per delivery caps throughput at the disk's sync rate).

use std::sync::{Condvar, Mutex, PoisonError};

#[derive(Debug, Default)]
struct State {
    /// Tickets handed out so far (one per waiter).
    requested: u64,
    /// Highest ticket known durable.
    durable: u64,
    /// A leader is flushing right now.
    flushing: bool,
}

/// Coordinates waiters so that one flush covers every write applied before it started.
#[derive(Debug, Default)]
pub struct GroupCommit {
    state: Mutex<State>,
    cv: Condvar,
}

impl GroupCommit {
    /// Creates an idle coordinator.
    pub fn new() -> GroupCommit {
        GroupCommit::default()
    }

    /// Blocks until a flush that started after this call has completed. The caller must have
    /// applied its writes before calling. If no flush is running the caller becomes the leader and
    /// runs `flush`; otherwise it waits and is covered by the next one.
    pub fn wait_durable<E>(&self, flush: impl Fn() -> Result<(), E>) -> Result<(), E> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.requested += 1;
        let ticket = st.requested;
        loop {
            if st.durable >= ticket {
                return Ok(());
            }
            if !st.flushing {
                st.flushing = true;
                let target = st.requested;
                drop(st);
                let result = flush();
                st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                st.flushing = false;
                self.cv.notify_all();
                match result {
                    Ok(()) => st.durable = st.durable.max(target),
                    Err(e) => return Err(e),
                }
                continue;
            }
            st = self.cv.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    #[test]
    fn many_waiters_share_few_flushes() {
        let gc = Arc::new(GroupCommit::new());
        let flushes = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let gc = gc.clone();
                let flushes = flushes.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        gc.wait_durable(|| {
                            flushes.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(1));
                            Ok::<(), ()>(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n = flushes.load(Ordering::SeqCst);
        assert!(n < 800, "every waiter flushed alone: {n}");
        assert!(n >= 50);
    }

    #[test]
    fn a_flush_that_started_before_the_write_does_not_count() {
        // Ticket 1's leader is flushing; ticket 2 arrives during it and must get its own flush.
        let gc = Arc::new(GroupCommit::new());
        let flushes = Arc::new(AtomicU64::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        let gc1 = gc.clone();
        let f1 = flushes.clone();
        let t = std::thread::spawn(move || {
            gc1.wait_durable(|| {
                tx.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(50));
                f1.fetch_add(1, Ordering::SeqCst);
                Ok::<(), ()>(())
            })
            .unwrap();
        });
        rx.recv().unwrap();
        let f2 = flushes.clone();
        gc.wait_durable(|| {
            f2.fetch_add(1, Ordering::SeqCst);
            Ok::<(), ()>(())
        })
        .unwrap();
        t.join().unwrap();
        assert_eq!(flushes.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn errors_reach_the_leader_and_later_waiters_retry() {
        let gc = GroupCommit::new();
        assert_eq!(gc.wait_durable(|| Err::<(), _>("disk")), Err("disk"));
        assert_eq!(gc.wait_durable(|| Ok::<(), &str>(())), Ok(()));
    }
}
