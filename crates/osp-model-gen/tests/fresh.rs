//! Fails when `crates/osp-model/src/generated/mod.rs` is not what the generator makes from `xsd/`
//! today: run `cargo run -p osp-model-gen` and commit the result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

#[test]
fn generated_model_is_fresh() {
    let root = osp_model_gen::workspace_root();
    let expected = osp_model_gen::generate(&root).expect("generation succeeds");
    let actual = std::fs::read_to_string(root.join(osp_model_gen::OUTPUT)).unwrap_or_default();
    assert!(
        expected == actual,
        "{} is stale: run `cargo run -p osp-model-gen` and commit the result",
        osp_model_gen::OUTPUT
    );
}
