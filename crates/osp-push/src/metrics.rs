//! Push counters for `/push/metrics` (Prometheus text) and the status JSON.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of the push worker.
#[derive(Debug, Default)]
pub struct PushMetrics {
    afgeleverd: AtomicU64,
    mislukt: AtomicU64,
}

impl PushMetrics {
    /// A message was delivered (2xx SOAP answer).
    pub fn afgeleverd(&self) {
        self.afgeleverd.fetch_add(1, Ordering::Relaxed);
    }

    /// An attempt failed.
    pub fn mislukt(&self) {
        self.mislukt.fetch_add(1, Ordering::Relaxed);
    }

    /// Delivered messages since start.
    pub fn aantal_afgeleverd(&self) -> u64 {
        self.afgeleverd.load(Ordering::Relaxed)
    }

    /// Failed attempts since start.
    pub fn aantal_mislukt(&self) -> u64 {
        self.mislukt.load(Ordering::Relaxed)
    }

    /// Prometheus text; `wachtend` = administraties whose head message is being retried.
    pub fn render(&self, wachtend: usize) -> String {
        format!(
            "# HELP osp_push_attempts_total Push attempts of DUO→school messages by outcome.\n\
# TYPE osp_push_attempts_total counter\n\
osp_push_attempts_total{{outcome=\"delivered\"}} {}\n\
osp_push_attempts_total{{outcome=\"failed\"}} {}\n\
# HELP osp_push_retrying Administraties whose oldest message is waiting for a retry.\n\
# TYPE osp_push_retrying gauge\n\
osp_push_retrying {wachtend}\n",
            self.aantal_afgeleverd(),
            self.aantal_mislukt()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts() {
        let m = PushMetrics::default();
        m.afgeleverd();
        m.mislukt();
        m.mislukt();
        let t = m.render(1);
        assert!(t.contains("osp_push_attempts_total{outcome=\"delivered\"} 1\n"));
        assert!(t.contains("osp_push_attempts_total{outcome=\"failed\"} 2\n"));
        assert!(t.contains("osp_push_retrying 1\n"));
    }
}
