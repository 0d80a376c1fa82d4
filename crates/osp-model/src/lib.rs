//! DUO VO message model: the contract table, Rust types generated from `xsd/`, and the XSD
//! validator every inbound body passes before anything else reads it.

pub mod contracts;

pub use contracts::{Contract, Operation, DUO_OIN};
