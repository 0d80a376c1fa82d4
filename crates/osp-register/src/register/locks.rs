//! Striped locks: deliveries for one person (and so for one key) are serialised, other persons
//! proceed in parallel, with a fixed memory cost however many persons exist.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A fixed set of mutexes addressed by key hash.
#[derive(Debug)]
pub struct Stripes {
    locks: Vec<Mutex<()>>,
}

impl Stripes {
    /// `n` stripes (at least one).
    pub fn new(n: usize) -> Stripes {
        Stripes {
            locks: (0..n.max(1)).map(|_| Mutex::new(())).collect(),
        }
    }

    fn index(&self, key: &[u8]) -> usize {
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        (h.finish() % self.locks.len() as u64) as usize
    }

    /// Locks the stripes of all `keys` in index order (so two callers never deadlock).
    pub fn lock(&self, keys: &[&[u8]]) -> Vec<MutexGuard<'_, ()>> {
        let mut idx: Vec<usize> = keys.iter().map(|k| self.index(k)).collect();
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter()
            .filter_map(|i| self.locks.get(i))
            .map(|m| m.lock().unwrap_or_else(PoisonError::into_inner))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_key_sets_do_not_deadlock() {
        let s = std::sync::Arc::new(Stripes::new(4));
        let ts: Vec<_> = (0..8)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for i in 0..200u32 {
                        let a = (i + t).to_be_bytes();
                        let b = (i * 7).to_be_bytes();
                        let _g = if t % 2 == 0 {
                            s.lock(&[&a, &b])
                        } else {
                            s.lock(&[&b, &a])
                        };
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        let same = s.lock(&[b"x", b"x"]);
        assert_eq!(same.len(), 1);
    }
}
