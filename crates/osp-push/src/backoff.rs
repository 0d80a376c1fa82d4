//! Exponential backoff with jitter: the n-th retry waits `basis · 2^(n-1)`, capped at `max`, of
//! which the upper half is random, so many administraties failing together do not retry in step.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Retry timing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Backoff {
    /// Wait after the first failure (before jitter).
    pub basis: Duration,
    /// Longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            basis: Duration::from_secs(1),
            max: Duration::from_secs(15 * 60),
        }
    }
}

impl Backoff {
    /// The wait after `pogingen` failed attempts (≥ 1), with `toeval` ∈ [0, 1) choosing the
    /// jitter: the result lies in [d/2, d) for the capped exponential d.
    pub fn wacht(&self, pogingen: u32, toeval: f64) -> Duration {
        let exp = pogingen.saturating_sub(1).min(30);
        let d = self.basis.saturating_mul(1u32 << exp).min(self.max);
        let toeval = if toeval.is_finite() {
            toeval.clamp(0.0, 1.0)
        } else {
            0.0
        };
        d / 2 + d.mul_f64(toeval / 2.0)
    }

    /// [`Backoff::wacht`] with fresh randomness.
    pub fn wacht_willekeurig(&self, pogingen: u32) -> Duration {
        // 53 random bits from a v4 UUID (getrandom) → [0, 1).
        let r = (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64;
        self.wacht(pogingen, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_caps_and_jitters() {
        let b = Backoff {
            basis: Duration::from_secs(2),
            max: Duration::from_secs(60),
        };
        assert_eq!(b.wacht(1, 0.0), Duration::from_secs(1));
        assert_eq!(
            b.wacht(1, 0.999_999),
            Duration::from_secs(2).mul_f64(0.999_999_5)
        );
        assert_eq!(b.wacht(2, 0.0), Duration::from_secs(2));
        assert_eq!(b.wacht(3, 0.0), Duration::from_secs(4));
        assert_eq!(b.wacht(10, 0.0), Duration::from_secs(30));
        assert_eq!(b.wacht(u32::MAX, 0.0), Duration::from_secs(30));
        assert_eq!(b.wacht(0, 0.0), Duration::from_secs(1));
        for n in 1..12 {
            let w = b.wacht_willekeurig(n);
            assert!(w >= b.wacht(n, 0.0) && w <= b.wacht(n, 1.0), "{n}: {w:?}");
        }
        assert_eq!(b.wacht(1, f64::NAN), Duration::from_secs(1));
    }
}
