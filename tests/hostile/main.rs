//! Hostile clients against the real `osp serve` binary: each file reproduces one attack (bounded
//! in connections and time), while a good client keeps delivering; each asserts the good client
//! was served and the server's memory stayed bounded, and prints the figures. Run with
//! `cargo test -p osp-cli --test hostile -- --nocapture` to see them. The harness is in
//! `common.rs`; add an attack as a new file and a `mod` line here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

mod admin_api;
mod attribute_bomb;
mod cross_school;
mod idle_tls_flood;
mod leniencies;
mod no_tls_flood;
mod slow_body;
