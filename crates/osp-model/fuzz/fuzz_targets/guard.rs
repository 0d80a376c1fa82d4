//! `cargo +nightly fuzz run guard`: the input guard must never panic, and whatever it accepts
//! must be parseable by libxml2 without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use osp_model::{check, Contract, Limits, Validator};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 64 * 1024, max_depth: 64 };
    if check(data, &limits).is_ok() {
        if let (Ok(text), Ok(v)) = (std::str::from_utf8(data), Validator::new()) {
            let _ = v.validate(Contract::InschrijvingVO, text);
        }
    }
});
