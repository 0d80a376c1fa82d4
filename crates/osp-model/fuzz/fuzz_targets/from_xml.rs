//! The generated `from_xml` of every request root: see `targets::from_xml_requests`.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::from_xml_requests(data));
