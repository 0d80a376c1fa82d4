//! Step 1: who is connecting. The OIN comes from the client certificate's subject serialNumber
//! (read once per connection, SPEC §2); a gateway that is shutting down admits no new work.

use osp_pki::Oin;

use super::PeerOin;
use crate::fault::{quote, Fault, FaultCode};
use crate::shared::Shared;

/// The certificate OIN, or EK0030 when the certificate carries none or a malformed one.
pub(super) fn certificate_oin(peer: &PeerOin) -> Result<Oin, Fault> {
    match peer {
        Ok(oin) => Ok(oin.clone()),
        Err(e) => Err(Fault::new(FaultCode::EK0030, quote(&e.to_string()))),
    }
}

/// DK0051 while shutting down: in-flight requests finish, new ones are refused.
pub(super) fn admitted(shared: &Shared) -> Result<(), Fault> {
    if shared.is_shutting_down() {
        return Err(Fault::new(FaultCode::DK0051, "osp wordt afgesloten"));
    }
    Ok(())
}
