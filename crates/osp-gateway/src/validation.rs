//! The input guard and XSD step of SPEC §3: osp-model's guard refuses oversized, non-UTF-8,
//! malformed and DTD/entity/external-reference input; the XSD step sits behind a small trait so
//! the gateway validates every body before the register sees it while the validator (libxml2
//! in osp-model) stays swappable.

use osp_model::guard::{self, InputError};
use osp_model::Contract;

use crate::config::Limits;
use crate::fault::{Fault, FaultCode, Locatie};

/// Validates a standalone request body against its contract's XSDs.
pub trait BodyValidator: Send + Sync + 'static {
    /// `Ok` when valid, else every violation found (line, column, path, message).
    fn validate(&self, contract: Contract, body_xml: &str) -> Result<(), Vec<Locatie>>;
}

/// The libxml2 validator of osp-model over the embedded `xsd/` files.
#[derive(Debug, Clone, Copy)]
pub struct ModelValidator(osp_model::Validator);

impl ModelValidator {
    /// Compiles the embedded schemas (fails only if they are broken: a bug, not input).
    pub fn new() -> Result<ModelValidator, osp_model::ValidatorError> {
        Ok(ModelValidator(osp_model::Validator::new()?))
    }
}

impl BodyValidator for ModelValidator {
    fn validate(&self, contract: Contract, body_xml: &str) -> Result<(), Vec<Locatie>> {
        self.0.validate(contract, body_xml).map_err(|violations| {
            violations
                .into_iter()
                .map(|v| Locatie {
                    regel: v.regel,
                    kolom: v.kolom,
                    pad: v.pad,
                    melding: v.melding,
                })
                .collect()
        })
    }
}

/// Runs osp-model's input guard over the raw request bytes. `Err((fault, oversized))`.
pub fn guard(bytes: &[u8], limits: &Limits) -> Result<(), (Fault, bool)> {
    let g = guard::Limits {
        max_bytes: limits.max_body_bytes,
        max_depth: limits.max_depth,
        ..guard::Limits::default()
    };
    let Err(e) = guard::check(bytes, &g) else {
        return Ok(());
    };
    // The fault's omschrijving is Dutch like every other fault text; the parser's own (English)
    // detail stays available in the locatie's melding.
    let at = |regel: u32, kolom: u32, melding: String| {
        vec![Locatie {
            regel,
            kolom,
            pad: String::new(),
            melding,
        }]
    };
    Err(match e {
        InputError::TooLarge { size, limit } => (
            Fault::new(
                FaultCode::DK0004,
                format!("Bericht van {size} bytes is groter dan toegestaan ({limit} bytes)"),
            ),
            true,
        ),
        InputError::NotUtf8 {
            regel,
            kolom,
            melding,
        } => (
            Fault::new(FaultCode::DK0009, "Bericht is geen geldige UTF-8")
                .with_locaties(at(regel, kolom, melding)),
            false,
        ),
        InputError::Malformed {
            regel,
            kolom,
            melding,
        } => (
            Fault::new(FaultCode::DK0004, "XML is niet welgevormd")
                .with_locaties(at(regel, kolom, melding)),
            false,
        ),
        InputError::Entity {
            regel,
            kolom,
            melding,
        } => (
            Fault::new(
                FaultCode::DK0004,
                "Entiteitdeclaraties en -verwijzingen zijn niet toegestaan",
            )
            .with_locaties(at(regel, kolom, melding)),
            false,
        ),
        InputError::ExternalReference {
            regel,
            kolom,
            melding,
        } => (
            Fault::new(
                FaultCode::DK0004,
                "Externe verwijzingen zijn niet toegestaan",
            )
            .with_locaties(at(regel, kolom, melding)),
            false,
        ),
        InputError::Dtd { regel, kolom } => (
            Fault::new(FaultCode::DK0004, "DTD is niet toegestaan").with_locaties(at(
                regel,
                kolom,
                "DOCTYPE".into(),
            )),
            false,
        ),
        InputError::LimitExceeded {
            limit,
            max,
            regel,
            kolom,
        } => (
            Fault::new(
                FaultCode::DK0004,
                "XML overschrijdt een limiet voor attributen of namen",
            )
            .with_locaties(at(regel, kolom, format!("{limit} exceeds {max}"))),
            false,
        ),
        InputError::TooDeep {
            regel,
            kolom,
            limit,
        } => (
            Fault::new(
                FaultCode::DK0004,
                format!("XML is dieper genest dan {limit} niveaus"),
            )
            .with_locaties(at(regel, kolom, format!("dieper genest dan {limit}"))),
            false,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_maps_to_fault_codes() {
        let limits = Limits::default();
        assert!(guard(b"<a/>", &limits).is_ok());
        let (f, big) = guard(b"<a>\xff</a>", &limits).unwrap_err();
        assert_eq!((f.code, big), (FaultCode::DK0009, false));
        let (f, _) = guard(b"<!DOCTYPE a><a/>", &limits).unwrap_err();
        assert_eq!(f.code, FaultCode::DK0004);
        let (f, _) = guard(b"<a>\n<b></a>", &limits).unwrap_err();
        assert_eq!((f.code, f.locaties.len()), (FaultCode::DK0004, 1));
        let small = Limits {
            max_body_bytes: 3,
            ..Limits::default()
        };
        let (f, big) = guard(b"<a/>", &small).unwrap_err();
        assert_eq!((f.code, big), (FaultCode::DK0004, true));
    }

    #[test]
    fn model_validator_reports_lines_and_paths() {
        let v = ModelValidator::new().unwrap();
        let body = "\n\n<ins:aanleverenVerwijderingInschrijvingVO_Request xmlns:ins=\"http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1\"/>";
        let errs = v.validate(Contract::InschrijvingVO, body).unwrap_err();
        assert_eq!(errs[0].regel, 3);
        assert!(!errs[0].melding.is_empty());
    }
}
