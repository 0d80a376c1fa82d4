//! Whether the durable store can be trusted right now. A failed apply, flush or read (disk full,
//! EIO from fdatasync, sled poisoned by an I/O error in its own threads) turns it *failed*: every
//! read and commit is refused (the register answers DK0051) until the store has reopened its
//! engine, taken the failed groups back out and made that durable. Refusing reads too is what
//! keeps a resend from finding the stored answer of a delivery that was never made durable.
//! Each change of state is logged once, not once per refused request.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::StoreError;

/// Batch operations: `(key, Some(value))` = put, `(key, None)` = delete.
pub type Ops = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// Shared failure state of one durable store (committer, store and recovery thread).
#[derive(Debug, Default)]
pub struct Health {
    failed: AtomicBool,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The first error of the current failure.
    reason: Option<String>,
    /// Before-images of the groups that failed, oldest first.
    undo: Vec<Ops>,
}

impl Health {
    fn state(&self) -> MutexGuard<'_, State> {
        // Single assignments under the lock: a panic elsewhere cannot leave it half-changed.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the store is failed.
    pub fn is_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// The error to refuse a request with while failed.
    pub fn error(&self) -> Option<StoreError> {
        if !self.is_failed() {
            return None;
        }
        let reason = self.state().reason.clone().unwrap_or_default();
        Some(StoreError::Engine(format!(
            "opslag buiten dienst tot herstel ({reason})"
        )))
    }

    /// Records a failure and the before-images of the group it hit (empty when it hit no
    /// group). Returns whether this call turned the store failed.
    pub fn mark_failed(&self, reason: &str, undo: Ops) -> bool {
        let mut state = self.state();
        if !undo.is_empty() {
            state.undo.push(undo);
        }
        if self.failed.swap(true, Ordering::AcqRel) {
            return false;
        }
        state.reason = Some(reason.to_string());
        tracing::error!(
            error = reason,
            "storage failed: refusing deliveries with DK0051 until it recovers"
        );
        true
    }

    /// The batches that undo the failed groups, newest first (the order to apply them in).
    pub fn undo(&self) -> Vec<Ops> {
        self.state().undo.iter().rev().cloned().collect()
    }

    /// The store is trusted again: the undo batches are applied and durable.
    pub fn recovered(&self) {
        let mut state = self.state();
        let reason = state.reason.take().unwrap_or_default();
        state.undo.clear();
        if self.failed.swap(false, Ordering::AcqRel) {
            tracing::info!(was = %reason, "storage recovered: accepting deliveries again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_reported_once_and_keeps_every_undo_until_recovered() {
        let h = Health::default();
        assert!(h.error().is_none());
        assert!(h.mark_failed("schijf vol", vec![(b"a".to_vec(), None)]));
        assert!(!h.mark_failed("nog steeds vol", vec![(b"b".to_vec(), Some(b"1".to_vec()))]));
        let e = h.error().unwrap().to_string();
        assert!(e.contains("schijf vol") && !e.contains("nog steeds"), "{e}");
        let undo = h.undo();
        assert_eq!(undo.len(), 2);
        assert_eq!(undo[0][0].0, b"b", "newest first");
        h.recovered();
        assert!(h.error().is_none());
        assert!(h.undo().is_empty());
    }
}
