//! The input guard: see `targets::guard`. Run with `cargo +nightly fuzz run guard` (README).
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::guard(data));
