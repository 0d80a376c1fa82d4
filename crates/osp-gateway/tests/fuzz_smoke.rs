//! Stable smoke runs of the gateway's fuzz targets (`fuzz/targets.rs`, the same functions
//! cargo-fuzz runs on nightly) over the fixtures and mutations of them, bounded like osp-model's
//! (`OSP_FUZZ_SMOKE_SECS`, default 30 per target; `OSP_FUZZ_SMOKE_RUNS`; `OSP_FUZZ_SEED`). A
//! panicking input fails the test and is kept in `target/fuzz-smoke/<target>/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn corpus() -> Vec<Vec<u8>> {
    osp_fuzz::seeds(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
}

fn out() -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-smoke")
}

#[test]
fn envelope_smoke() {
    osp_fuzz::smoke("envelope", targets::envelope, &corpus(), &out());
}

#[test]
fn pipeline_smoke() {
    // The first byte picks the certificate: every seed once per certificate and SOAPAction mode.
    let seeds: Vec<Vec<u8>> = corpus()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let pick = [0u8, 1, 2, 3, 4, 0x80][i % 6];
            std::iter::once(pick).chain(s).collect()
        })
        .collect();
    osp_fuzz::smoke("pipeline", targets::pipeline, &seeds, &out());
}
