//! The in-flight request-body budget: how many body bytes the gateway lets clients make it hold
//! at once, in total and per connection. A request reserves its declared length (or, for a
//! chunked body of unknown length, the most one connection may hold) before its body is read;
//! what does not fit is answered with 503 + Server.DK0051 without reading the body. The
//! reservation is returned when the request is answered or its connection is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Why a body gets no room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// More than one connection may hold.
    Connection,
    /// All in-flight bodies together would exceed the global budget.
    Global,
}

/// The shared budget of one gateway.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    global: usize,
    per_connection: usize,
    in_use: AtomicUsize,
}

impl BodyBudget {
    pub(crate) fn new(global: usize, per_connection: usize) -> Arc<BodyBudget> {
        Arc::new(BodyBudget {
            global,
            per_connection,
            in_use: AtomicUsize::new(0),
        })
    }

    /// Reserves room for a body announced as `declared` bytes (`None`: chunked, unknown);
    /// `max_body` caps the reservation (larger bodies are refused with 413 elsewhere).
    pub(crate) fn reserve(
        self: &Arc<Self>,
        declared: Option<u64>,
        max_body: usize,
    ) -> Result<Reservation, Exceeded> {
        let wanted = match declared {
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX).min(max_body),
            None => self.per_connection.min(max_body),
        };
        if wanted > self.per_connection {
            return Err(Exceeded::Connection);
        }
        let mut current = self.in_use.load(Ordering::Relaxed);
        loop {
            let next = current.checked_add(wanted).ok_or(Exceeded::Global)?;
            if next > self.global {
                return Err(Exceeded::Global);
            }
            match self.in_use.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Ok(Reservation {
                        budget: self.clone(),
                        bytes: wanted,
                    })
                }
                Err(now) => current = now,
            }
        }
    }

    /// Bytes reserved right now.
    #[cfg(test)]
    pub(crate) fn in_use(&self) -> usize {
        self.in_use.load(Ordering::Relaxed)
    }
}

/// Room held for one request body; given back on drop.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<BodyBudget>,
    bytes: usize,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.in_use.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_budget_refuses_what_does_not_fit_and_returns_on_drop() {
        let b = BodyBudget::new(1000, 1000);
        let first = b.reserve(Some(600), 4096).unwrap();
        let near_miss = b.reserve(Some(400), 4096).unwrap(); // exactly full
        assert_eq!(b.in_use(), 1000);
        assert_eq!(b.reserve(Some(1), 4096).unwrap_err(), Exceeded::Global);
        drop(first);
        assert_eq!(b.in_use(), 400);
        assert!(b.reserve(Some(600), 4096).is_ok());
        drop(near_miss);
        assert_eq!(b.in_use(), 0);
    }

    #[test]
    fn per_connection_budget_and_unknown_lengths() {
        let b = BodyBudget::new(10_000, 500);
        assert_eq!(
            b.reserve(Some(501), 4096).unwrap_err(),
            Exceeded::Connection
        );
        let at_limit = b.reserve(Some(500), 4096).unwrap(); // near miss
                                                            // Chunked: the most one connection may hold.
        let chunked = b.reserve(None, 4096).unwrap();
        assert_eq!(b.in_use(), 1000);
        // Declared lengths beyond max_body reserve only max_body (they get 413 unread).
        drop((at_limit, chunked));
        let capped = b.reserve(Some(u64::MAX), 300).unwrap();
        assert_eq!(b.in_use(), 300);
        drop(capped);
        let empty = b.reserve(Some(0), 4096).unwrap();
        assert_eq!(b.in_use(), 0);
        drop(empty);
    }
}
