//! Guard, then the XSD validator, as the gateway runs them: see `targets::validate`.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::validate(data));
