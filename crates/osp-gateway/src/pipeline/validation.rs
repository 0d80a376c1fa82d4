//! Step 6: XSD validation of the body against `xsd/` (DK0004 with every violation, up to 50,
//! at its line, column and path).

use osp_model::Contract;

use crate::fault::{Fault, FaultCode};
use crate::shared::Shared;

/// `Ok` when the body is valid for the contract's schema.
pub(super) fn check(shared: &Shared, contract: Contract, body_xml: &str) -> Result<(), Fault> {
    shared
        .validator
        .validate(contract, body_xml)
        .map_err(|locaties| {
            Fault::new(FaultCode::DK0004, "het bericht voldoet niet aan het XSD")
                .with_locaties(locaties)
        })
}
