//! Extension point for DUO→school follow-up messages (SPEC §7): bekostiging (RULES 07) and the
//! digitaal in-/uitschrijfbewijs are producers that see each registered change of an inschrijving
//! and return outbox messages, which the register appends in the same atomic batch as the stand.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{Inschrijving, Pgn};
use crate::rules::Context;
use crate::service::ServiceError;
use crate::store::records::StandRecord;

/// A message a producer wants delivered to one administratie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NieuwBericht {
    /// Recipient administratie OIN.
    pub ontvanger_oin: String,
    /// Message kind, e.g. `verstrekkenBekostigingVO`.
    pub soort: String,
    /// The message body (XML).
    pub inhoud: String,
}

/// Read access to register state a producer may need (other inschrijvingen of the person).
/// Deliveries are serialised per person, so what a producer reads is consistent with the change.
pub trait RegisterLezer {
    /// Every current inschrijving of a person in the sandbox.
    fn inschrijvingen_van(
        &self,
        sandbox: &str,
        pgn: &Pgn,
    ) -> Result<Vec<StandRecord<Inschrijving>>, ServiceError>;
}

/// What happened to one inschrijving key.
#[derive(Debug, Clone, Copy)]
pub struct Inschrijvingswijziging<'a> {
    /// Sandbox.
    pub sandbox: &'a str,
    /// The stand before (`None` = the key was new).
    pub oud: Option<&'a Inschrijving>,
    /// The stand after (`None` = removed).
    pub nieuw: Option<&'a Inschrijving>,
    /// `identificatiecodeBedrijfsdocument` of the delivery that caused the change (unique per
    /// sandbox): producers derive their messages' identificatiecodes from it.
    pub identificatiecode: &'a str,
    /// The register moment of the change (the messages' `datumTijdBedrijfsdocument`).
    pub nu: DateTime<Utc>,
}

/// A producer of follow-up messages.
pub trait Vervolgberichten: Send + Sync + 'static {
    /// Messages caused by a registered inschrijving change.
    fn na_inschrijving(
        &self,
        lezer: &dyn RegisterLezer,
        wijziging: Inschrijvingswijziging<'_>,
        ctx: &Context<'_>,
    ) -> Result<Vec<NieuwBericht>, ServiceError>;
}
