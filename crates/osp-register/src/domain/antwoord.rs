//! The answer osp gave to one delivery: the domain form of a response body. It is stored under the
//! delivery's identificatiecode (idempotency, rule 0001) so that a resend gets the identical
//! response, which is why it carries the response's own identificatiecode and moment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Terugkoppeling;

/// The answer to one delivery: enough to render the identical response again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Antwoord {
    /// SHA-256 (hex) of the request body bytes.
    pub body_hash: String,
    /// Operation wire name.
    pub operatie: String,
    /// `identificatiecodeBedrijfsdocument` of the response.
    pub response_identificatiecode: String,
    /// `datumTijdBedrijfsdocument` of the response.
    pub response_datum_tijd: DateTime<Utc>,
    /// `ontvangendeInstantie` of the response (= the request's verzendende).
    pub ontvangende_instantie: String,
    /// The terugkoppeling.
    pub terugkoppeling: Terugkoppeling,
    /// Whether the response carries the terugkoppeling (`terugkoppeling.mode` `sync` or `both`,
    /// fixed when first answered so a replayed answer stays identical).
    #[serde(default = "waar")]
    pub terugkoppeling_in_antwoord: bool,
}

/// Serde default of [`Antwoord::terugkoppeling_in_antwoord`] for records written before it existed.
fn waar() -> bool {
    true
}
