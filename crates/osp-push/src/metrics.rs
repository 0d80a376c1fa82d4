//! Push counters for `/push/metrics` (Prometheus text) and the status JSON.

use std::sync::atomic::{AtomicU64, Ordering};

use osp_gateway::metrics::Exposition;

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
        let mut e = Exposition::default();
        let name = "osp_push_attempts_total";
        e.family(
            name,
            "counter",
            "Push attempts of DUO→school messages by outcome.",
        );
        e.sample(name, &[("outcome", "delivered")], self.aantal_afgeleverd());
        e.sample(name, &[("outcome", "failed")], self.aantal_mislukt());
        e.single(
            "osp_push_retrying",
            "gauge",
            "Administraties whose oldest message is waiting for a retry.",
            wachtend,
        );
        e.finish()
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
