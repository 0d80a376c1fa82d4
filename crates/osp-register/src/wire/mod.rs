//! The register's wire layer: reads a schema-valid request body into domain form and renders the
//! response body (SPEC §5, §5a). The gateway has validated the body against `xsd/` before the
//! register sees it, so this layer maps structure, and reports anything impossible as
//! `ServiceError::Intern` instead of panicking.

pub mod antwoord;
pub mod tree;
pub mod verzoek;

pub use antwoord::render;
pub use verzoek::parse_aanlevering;
