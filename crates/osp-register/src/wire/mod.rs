//! The register's wire layer: reads a schema-valid request body into domain form and renders the
//! response body (SPEC §5, §5a). The gateway has validated the body against `xsd/` before the
//! register sees it, so this layer maps structure, and reports anything impossible as
//! `ServiceError::Intern` instead of panicking.
//!
//! Why not osp-model's generated types here: the body is already XSD-valid when it arrives, and
//! the register needs domain types (Dutch wire nouns, chrono dates, serde for storage), not a
//! second wire representation; a 250-line namespace-aware reader maps it directly. The tests
//! check every response against `xsd/` with osp-model's `Validator` *and* read it back with the
//! generated model's `from_xml`, so both sides agree on the wire.

pub mod antwoord;
pub mod tree;
pub mod verzoek;

pub use antwoord::render;
pub use verzoek::parse_aanlevering;
