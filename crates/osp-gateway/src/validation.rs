//! The XSD step of SPEC §3 behind a small trait, so the gateway validates every body before the
//! register sees it while the validator itself (libxml2 in osp-model) stays swappable.

use osp_model::Contract;

use crate::fault::Locatie;

/// Validates a standalone request body against its contract's XSDs.
pub trait BodyValidator: Send + Sync + 'static {
    /// `Ok` when valid, else every violation found (line, column, path, message).
    fn validate(&self, contract: Contract, body_xml: &str) -> Result<(), Vec<Locatie>>;
}
