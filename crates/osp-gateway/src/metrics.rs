//! Prometheus-text metrics of the gateway (SPEC §1, §9): requests by contract/outcome/fault
//! code, latency histogram, open connections and handshake failures.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Counters shared by the listeners; cheap to update from every request.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Labels are the static names of contracts, outcomes and fault codes: no allocation per
    /// request (the issue 7 profile counted three `String`s per request here).
    requests: Mutex<BTreeMap<(&'static str, &'static str, &'static str), u64>>,
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    open_connections: AtomicI64,
    connections_total: AtomicU64,
    handshake_failures: AtomicU64,
    shed: [AtomicU64; Shed::ALL.len()],
}

/// Why the gateway refused or cut a connection or request to protect itself (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shed {
    /// The source address held `max_connections_per_address` connections.
    PerAddress,
    /// Every slot was taken by busy or recently active connections.
    Full,
    /// An unfinished handshake was dropped for a newcomer (handshake pool full).
    HandshakeEvicted,
    /// The TLS handshake took longer than `handshake_timeout`.
    HandshakeTimeout,
    /// An idle keep-alive connection was closed for a newcomer.
    IdleReclaimed,
    /// A request body arrived slower than `min_body_rate`.
    SlowBody,
    /// A request body did not fit the in-flight body budget (503).
    BodyBudget,
}

impl Shed {
    const ALL: [Shed; 7] = [
        Shed::PerAddress,
        Shed::Full,
        Shed::HandshakeEvicted,
        Shed::HandshakeTimeout,
        Shed::IdleReclaimed,
        Shed::SlowBody,
        Shed::BodyBudget,
    ];

    /// The `reason` label.
    pub const fn label(self) -> &'static str {
        match self {
            Shed::PerAddress => "per_address",
            Shed::Full => "full",
            Shed::HandshakeEvicted => "handshake_evicted",
            Shed::HandshakeTimeout => "handshake_timeout",
            Shed::IdleReclaimed => "idle_reclaimed",
            Shed::SlowBody => "slow_body",
            Shed::BodyBudget => "body_budget",
        }
    }
}

impl Metrics {
    /// Records one SOAP request: contract (or `-`), outcome and fault code (or empty).
    pub fn request(
        &self,
        contract: &'static str,
        outcome: &'static str,
        fault: &'static str,
        elapsed: Duration,
    ) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((contract, outcome, fault)).or_insert(0) += 1;
        }
        let secs = elapsed.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// A TLS connection was established.
    pub fn connection_opened(&self) {
        self.open_connections.fetch_add(1, Ordering::Relaxed);
        self.connections_total.fetch_add(1, Ordering::Relaxed);
    }

    /// A TLS connection ended.
    pub fn connection_closed(&self) {
        self.open_connections.fetch_sub(1, Ordering::Relaxed);
    }

    /// A TLS handshake failed (no/invalid client certificate, timeout, protocol error).
    pub fn handshake_failed(&self) {
        self.handshake_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one refusal or cut-off.
    pub fn shed(&self, why: Shed) {
        self.shed[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Refusals and cut-offs for `why` so far.
    pub fn shed_count(&self, why: Shed) -> u64 {
        self.shed[why as usize].load(Ordering::Relaxed)
    }

    /// Connections currently open.
    pub fn open_connections(&self) -> i64 {
        self.open_connections.load(Ordering::Relaxed)
    }

    /// Handshake failures so far.
    pub fn handshake_failures(&self) -> u64 {
        self.handshake_failures.load(Ordering::Relaxed)
    }

    /// Requests counted for (contract, outcome, fault).
    pub fn requests(&self, contract: &str, outcome: &str, fault: &str) -> u64 {
        self.requests
            .lock()
            .ok()
            .and_then(|m| {
                m.iter()
                    .find(|((c, o, f), _)| (*c, *o, *f) == (contract, outcome, fault))
                    .map(|(_, n)| *n)
            })
            .unwrap_or(0)
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(2048);
        s.push_str("# HELP osp_requests_total SOAP requests by contract, outcome and fault code.\n# TYPE osp_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((contract, outcome, fault), n) in map.iter() {
                let _ = writeln!(
                    s,
                    "osp_requests_total{{contract=\"{}\",outcome=\"{}\",fault=\"{}\"}} {n}",
                    label(contract),
                    label(outcome),
                    label(fault)
                );
            }
        }
        s.push_str("# HELP osp_request_duration_seconds SOAP request latency.\n# TYPE osp_request_duration_seconds histogram\n");
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "osp_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "osp_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(s, "osp_request_duration_seconds_sum {sum}");
        let _ = writeln!(s, "osp_request_duration_seconds_count {count}");
        let _ = writeln!(s, "# HELP osp_open_connections TLS connections currently open.\n# TYPE osp_open_connections gauge\nosp_open_connections {}", self.open_connections());
        let _ = writeln!(s, "# HELP osp_connections_total TLS connections accepted.\n# TYPE osp_connections_total counter\nosp_connections_total {}", self.connections_total.load(Ordering::Relaxed));
        let _ = writeln!(s, "# HELP osp_tls_handshake_failures_total Failed TLS handshakes.\n# TYPE osp_tls_handshake_failures_total counter\nosp_tls_handshake_failures_total {}", self.handshake_failures());
        s.push_str("# HELP osp_shed_total Connections and requests refused or cut off to protect the gateway.\n# TYPE osp_shed_total counter\n");
        for why in Shed::ALL {
            let _ = writeln!(
                s,
                "osp_shed_total{{reason=\"{}\"}} {}",
                why.label(),
                self.shed_count(why)
            );
        }
        s
    }
}

fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histogram() {
        let m = Metrics::default();
        m.request(
            "DUO_VOAanlevering_InschrijvingVO_V1",
            "fault",
            "DK0004",
            Duration::from_millis(3),
        );
        m.request(
            "DUO_VOAanlevering_InschrijvingVO_V1",
            "fault",
            "DK0004",
            Duration::from_secs(9),
        );
        m.connection_opened();
        m.handshake_failed();
        m.shed(Shed::SlowBody);
        let t = m.render();
        assert!(t.contains("osp_shed_total{reason=\"slow_body\"} 1"));
        assert!(t.contains("osp_shed_total{reason=\"full\"} 0"));
        assert!(t.contains("osp_requests_total{contract=\"DUO_VOAanlevering_InschrijvingVO_V1\",outcome=\"fault\",fault=\"DK0004\"} 2"));
        assert!(t.contains("osp_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(t.contains("osp_request_duration_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(t.contains("osp_open_connections 1"));
        assert!(t.contains("osp_tls_handshake_failures_total 1"));
        assert_eq!(
            m.requests("DUO_VOAanlevering_InschrijvingVO_V1", "fault", "DK0004"),
            2
        );
    }
}
