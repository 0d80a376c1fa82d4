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
    /// request (the benchmark profile counted three `String`s per request here).
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
        let mut e = Exposition::default();
        e.family(
            "osp_requests_total",
            "counter",
            "SOAP requests by contract, outcome and fault code.",
        );
        if let Ok(map) = self.requests.lock() {
            for ((contract, outcome, fault), n) in map.iter() {
                e.sample(
                    "osp_requests_total",
                    &[
                        ("contract", contract),
                        ("outcome", outcome),
                        ("fault", fault),
                    ],
                    n,
                );
            }
        }
        let name = "osp_request_duration_seconds";
        e.family(name, "histogram", "SOAP request latency.");
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            let le = bound.to_string();
            let n = self.buckets[i].load(Ordering::Relaxed);
            e.sample("osp_request_duration_seconds_bucket", &[("le", &le)], n);
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        e.sample(
            "osp_request_duration_seconds_bucket",
            &[("le", "+Inf")],
            count,
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        e.sample("osp_request_duration_seconds_sum", &[], sum);
        e.sample("osp_request_duration_seconds_count", &[], count);
        e.single(
            "osp_open_connections",
            "gauge",
            "TLS connections currently open.",
            self.open_connections(),
        );
        e.single(
            "osp_connections_total",
            "counter",
            "TLS connections accepted.",
            self.connections_total.load(Ordering::Relaxed),
        );
        e.single(
            "osp_tls_handshake_failures_total",
            "counter",
            "Failed TLS handshakes.",
            self.handshake_failures(),
        );
        e.family(
            "osp_shed_total",
            "counter",
            "Connections and requests refused or cut off to protect the gateway.",
        );
        for why in Shed::ALL {
            e.sample(
                "osp_shed_total",
                &[("reason", why.label())],
                self.shed_count(why),
            );
        }
        e.finish()
    }
}

/// Writes the Prometheus text exposition format: a `# HELP`/`# TYPE` header per metric family,
/// then its samples with escaped label values. Every osp metrics page (gateway, push) uses it, so
/// the format is written once.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    /// Starts a metric family; `kind` is `counter`, `gauge` or `histogram`.
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    /// One sample of the current family.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{k}=\"{}\"", label(v));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
    }

    /// A family with one unlabelled sample.
    pub fn single(&mut self, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }

    /// The text.
    pub fn finish(self) -> String {
        self.text
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
