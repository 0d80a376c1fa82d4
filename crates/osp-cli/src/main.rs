//! `osp`: the thin binary that assembles the gateway and the register.

fn main() {
    eprintln!("osp: not yet assembled");
    std::process::exit(2);
}
