//! Regression test for a libxml2 start-up race: many threads compiling schemas for the first
//! time in a fresh process once deadlocked in libxml2's lazy catalog initialisation. This test
//! binary is its own process, so its threads really are the first users.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use osp_model::{Contract, Validator};
use std::sync::{Arc, Barrier};

#[test]
fn many_threads_compile_and_validate_at_once_on_first_use() {
    let body = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/samples/aanleverenInschrijvingVO_Request.xml"),
    )
    .unwrap();
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (barrier, body) = (barrier.clone(), body.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let validator = Validator::new().unwrap();
                let contract = Contract::ALL[i % Contract::ALL.len()];
                // Every thread compiles a schema; those for the inschrijving contract validate.
                let result = validator.validate(Contract::InschrijvingVO, &body);
                let _ = validator.validate(contract, "<x/>");
                result
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap().is_ok());
    }
}

/// Threads validating at once on the one shared compiled schema judge every document as a single
/// thread does (the schema is only read; each thread has its own validation context).
#[test]
fn threads_sharing_one_compiled_schema_judge_like_one_thread() {
    let body = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/samples/aanleverenInschrijvingVO_Request.xml"),
    )
    .unwrap();
    let datum = body
        .find("<bas:datumInschrijving>")
        .expect("sample has datumInschrijving");
    let mut fout = body.clone();
    fout.replace_range(
        datum..datum + "<bas:datumInschrijving>".len() + 10,
        "<bas:datumInschrijving>2025-13-45",
    );
    let validator = Validator::new().unwrap();
    assert!(validator.validate(Contract::InschrijvingVO, &body).is_ok());
    let verwacht = validator
        .validate(Contract::InschrijvingVO, &fout)
        .unwrap_err();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (body, fout, verwacht) = (body.clone(), fout.clone(), verwacht.clone());
            std::thread::spawn(move || {
                let v = Validator::new().unwrap();
                for _ in 0..200 {
                    assert!(v.validate(Contract::InschrijvingVO, &body).is_ok());
                    assert_eq!(
                        v.validate(Contract::InschrijvingVO, &fout).unwrap_err(),
                        verwacht
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
