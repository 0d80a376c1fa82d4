//! `cargo run -p osp-model-gen`: regenerates `crates/osp-model/src/generated/mod.rs` from `xsd/`.

fn main() -> std::process::ExitCode {
    let root = osp_model_gen::workspace_root();
    match osp_model_gen::generate(&root) {
        Ok(code) => {
            let out = root.join(osp_model_gen::OUTPUT);
            if let Some(dir) = out.parent() {
                if let Err(e) = std::fs::create_dir_all(dir) {
                    eprintln!("cannot create {}: {e}", dir.display());
                    return std::process::ExitCode::FAILURE;
                }
            }
            match std::fs::write(&out, code) {
                Ok(()) => {
                    println!("wrote {}", out.display());
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("cannot write {}: {e}", out.display());
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("generation failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
