//! Results as JSON (for RESULTS.md generation and comparison) and as a readable text line.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::load::Modus;
use crate::proces::Geheugen;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latentie {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest seen.
    pub max: f64,
}

/// Outcome of one load run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadResult {
    /// Target label.
    pub doel: String,
    /// Transport mode.
    pub modus: Modus,
    /// Workers / connections.
    pub verbindingen: usize,
    /// Offered rate, `None` for flat out.
    pub aangeboden_rate: Option<f64>,
    /// Run time.
    pub seconden: f64,
    /// HTTP 200 responses.
    pub ok: u64,
    /// Successful messages per second.
    pub msg_per_s: f64,
    /// Latency percentiles.
    pub latentie_ms: Latentie,
    /// Failures by kind (connect, handshake, http-NNN, niet-goedgekeurd, …).
    pub fouten: BTreeMap<String, u64>,
    /// Responses checked for approval.
    pub gecontroleerd: u64,
    /// Of those, approved.
    pub goedgekeurd: u64,
    /// Server memory before the run.
    pub geheugen_voor: Option<Geheugen>,
    /// Server memory after the run.
    pub geheugen_na: Option<Geheugen>,
}

impl LoadResult {
    /// One human-readable line.
    pub fn tekst(&self) -> String {
        let rate = self
            .aangeboden_rate
            .map(|r| format!("{r:.0}/s"))
            .unwrap_or_else(|| "max".into());
        let rss = self
            .geheugen_na
            .map(|g| format!("{:.1} MiB", g.rss_kib as f64 / 1024.0))
            .unwrap_or_else(|| "-".into());
        let fouten = if self.fouten.is_empty() {
            "geen".to_string()
        } else {
            self.fouten
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "{:<5} {:<17} c={:<3} rate={:<7} {:>9.0} msg/s  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ok={} fouten={} goedgekeurd={}/{} rss={}",
            self.doel,
            format!("{:?}", self.modus),
            self.verbindingen,
            rate,
            self.msg_per_s,
            self.latentie_ms.p50,
            self.latentie_ms.p90,
            self.latentie_ms.p99,
            self.latentie_ms.max,
            self.ok,
            fouten,
            self.goedgekeurd,
            self.gecontroleerd,
            rss
        )
    }
}
