//! DUO VO message model: the contract table, Rust types generated from `xsd/`, and the XSD
//! validator every inbound body passes before anything else reads it.

pub mod contracts;
pub mod files;
pub mod guard;
pub mod validate;

pub use contracts::{Contract, Operation, DUO_OIN};
pub use guard::{check, InputError, Limits};

pub use validate::{Validator, ValidatorError, Violation};
