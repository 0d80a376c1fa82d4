//! Step 5: the mandate (SPEC §2). A certificate OIN other than the From OIN must be mandated
//! by it for the contract (OSR emulation); otherwise DK0002.

use osp_model::Contract;
use osp_pki::Oin;

use crate::fault::{Fault, FaultCode};
use crate::shared::Shared;

/// `Ok` when the certificate may act for the From OIN on this contract.
pub(super) fn check(
    shared: &Shared,
    cert_oin: &Oin,
    from_oin: &Oin,
    contract: Contract,
) -> Result<(), Fault> {
    if cert_oin == from_oin
        || shared
            .service
            .mandated(cert_oin.as_str(), from_oin.as_str(), contract)
    {
        return Ok(());
    }
    Err(Fault::new(
        FaultCode::DK0002,
        format!(
            "{cert_oin} heeft geen machtiging van {from_oin} voor {}",
            contract.name()
        ),
    ))
}
