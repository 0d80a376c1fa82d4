//! ROD-VO register core: keeps every inschrijving and examenresultaat as a stand, applies DUO's
//! checks and answers each delivery synchronously with a terugkoppeling.

pub mod checkdigit;
pub mod domain;
pub mod reference;
pub mod register;
pub mod rules;
pub mod service;
pub mod store;
pub mod wire;
mod ophalen;
mod service_impl;

pub use reference::{Reference, ReferenceError};
pub use service::{Delivery, Reply, Service, ServiceError};
pub use register::{
    Aanleververzoek, Historie, PersoonState, Register, RegisterConfig, RegisterError, StandSleutel,
};
