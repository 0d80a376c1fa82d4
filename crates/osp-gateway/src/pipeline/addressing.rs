//! Step 3: WS-Addressing (SPEC §2): To carries DUO's OIN, From an OIN, MessageID a UUID, Action
//! present. The request's MessageID and From OIN go into the trace from here on.

use crate::envelope::Envelope;
use crate::fault::Fault;
use crate::shared::Shared;
use crate::wsa::{self, Addressing};

/// The checked addressing headers of `env`.
pub(super) fn check(shared: &Shared, env: &Envelope) -> Result<Addressing, Fault> {
    let addressing = wsa::check(&env.wsa, &shared.config.duo_oin)?;
    tracing::Span::current().record("message_id", addressing.message_id.as_str());
    tracing::Span::current().record("from_oin", addressing.from_oin.as_str());
    Ok(addressing)
}
