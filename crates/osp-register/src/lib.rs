//! ROD-VO register core: keeps every inschrijving and examenresultaat as a stand, applies DUO's
//! checks and answers each delivery synchronously with a terugkoppeling.
//!
//! Layers, one concern each:
//! - [`domain`]: wire-named types (Inschrijving, Periode, Examenresultaat, Terugkoppeling, …);
//! - [`reference`]: RIO, administraties, mandates, codetabellen, proef-BRP (`fixtures/reference/`);
//! - [`rules`]: RULES.md groups 00, 01, 02, 03, 05, 09, one module per group;
//! - [`store`]: the byte-level [`store::Store`] trait, its sled engine and group commit;
//! - [`register`]: [`Register`] — sandboxes, clock, processing, history, outbox;
//! - [`berichten`]: DUO→school messages (bewijzen, bekostiging, terugkoppeling as message);
//! - [`wire`]: request bodies → domain, domain answer → response body;
//! - `impl Service for Register`: the gateway seam of [`service`].
//!
//! Typical use (CLI): `Register::open(data_dir, Reference::load(dir)?, RegisterConfig { today, ..
//! Default::default() })?`, then hand `Arc<Register>` to the gateway as its `Service`.

#![warn(missing_docs)]

pub mod berichten;
pub mod checkdigit;
pub mod domain;
pub mod reference;
pub mod register;
pub mod rules;
pub mod service;
mod service_impl;
pub mod store;
pub mod wire;

pub use reference::{Reference, ReferenceError};
pub use register::outbox::OutboxBericht;
pub use register::{
    Aanleververzoek, Historie, PersoonState, Register, RegisterConfig, RegisterError, StandSleutel,
};
pub use service::{Delivery, Reply, Service, ServiceError};
pub use store::Duurzaamheid;
