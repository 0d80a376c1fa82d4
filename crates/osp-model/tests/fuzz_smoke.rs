//! Stable smoke runs of the fuzz targets (`fuzz/targets.rs`, the same functions cargo-fuzz runs
//! on nightly): each target gets the seed corpus (the fixtures) and then mutations of it, for at
//! most `OSP_FUZZ_SMOKE_SECS` seconds (default 30) and `OSP_FUZZ_SMOKE_RUNS` inputs (default
//! 1,000,000). A panic fails the test and leaves the input in `target/fuzz-smoke/<target>/`; the
//! slowest input is printed (and kept when over a second), never asserted on. The mutations
//! are deterministic for a given `OSP_FUZZ_SEED`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn smoke(name: &str, target: fn(&[u8])) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let corpus = osp_fuzz::seeds(&fixtures);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-smoke");
    osp_fuzz::smoke(name, target, &corpus, &out);
}

#[test]
fn guard_smoke() {
    smoke("guard", targets::guard);
}

#[test]
fn validate_smoke() {
    smoke("validate", targets::validate);
}

#[test]
fn from_xml_smoke() {
    smoke("from_xml", targets::from_xml_requests);
}
