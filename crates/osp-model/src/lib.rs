//! DUO VO message model: the contract table, Rust types generated from `xsd/`, and the XSD
//! validator every inbound body passes before anything else reads it.

pub mod contracts;
pub mod files;
pub mod generated;
pub mod guard;
pub mod messages;
pub mod model;
pub mod validate;
pub mod xs;

pub use contracts::{Contract, Operation, DUO_OIN};
pub use guard::{check, InputError, Limits};

pub use validate::{Validator, ValidatorError, Violation};
pub use model::{from_xml, to_xml, Message, ModelError};
