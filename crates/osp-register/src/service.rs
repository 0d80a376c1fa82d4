//! The one seam between the gateway and the register: the gateway hands over a body that has
//! already passed envelope, addressing, mandate and XSD checks; the register answers it.

use osp_model::{Contract, Operation};

/// Everything the register needs to know about one validated delivery.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// Register sandbox chosen by the certificate OIN (SPEC §2 routing).
    pub sandbox: &'a str,
    /// OIN from the client certificate's subject serialNumber: who connected.
    pub certificaat_oin: &'a str,
    /// OIN from `wsa:From`: the administratie on whose behalf the delivery is made.
    pub from_oin: &'a str,
    /// `wsa:MessageID` of the request, for tracing and history.
    pub message_id: &'a str,
    /// Operation agreed by SOAPAction, `wsa:Action` and the body root element.
    pub operation: Operation,
    /// The body's root element as a standalone, XSD-valid XML document: every namespace
    /// binding in scope in the envelope is declared on the root. Byte-identical bodies are what
    /// idempotency (RULES 0001) compares.
    pub body: &'a str,
}

/// The register's answer to a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The response body element (`{operation}_Response`) as standalone XML, without XML
    /// declaration; the gateway wraps it in the SOAP envelope.
    pub body: String,
    /// `Some(leveringGoedgekeurd)` for aanleveren operations, `None` for pull/ack, so metrics and
    /// `osp send` can report the outcome without parsing XML.
    pub goedgekeurd: Option<bool>,
}

/// Failures the register reports as SOAP faults rather than foutmeldingen (SPEC §3).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// A waardenlijst value unknown to osp's tables: `Server.DK0050` with faultstring
    /// `Ongeldige waarde voor {element}: {waarde}` (RULES.md, value lists).
    #[error("Ongeldige waarde voor {element}: {waarde}")]
    OngeldigeWaarde {
        /// Local element name, e.g. `verblijfsoort`.
        element: String,
        /// The offending value as received.
        waarde: String,
    },
    /// Internal failure; nothing was half-stored: `Server.DK0050`.
    #[error("interne fout: {0}")]
    Intern(String),
    /// Storage unavailable or shutting down: `Server.DK0051`.
    #[error("service niet beschikbaar: {0}")]
    Onbeschikbaar(String),
}

/// What the gateway calls. Implemented by the register; tests may put a double behind it.
/// Methods are blocking (they wait for durable group commit); the gateway calls them from a
/// blocking-capable thread.
pub trait Service: Send + Sync + 'static {
    /// Applies one validated delivery and returns the synchronous response body.
    fn deliver(&self, delivery: Delivery<'_>) -> Result<Reply, ServiceError>;

    /// Whether `certificaat_oin` may act for `from_oin` on `contract` (OSR mandate, SPEC §2).
    /// Equal OINs are always allowed by the gateway before this is asked.
    fn mandated(&self, certificaat_oin: &str, from_oin: &str, contract: Contract) -> bool;

    /// Flushes storage to disk; called on graceful shutdown.
    fn flush(&self) -> Result<(), ServiceError>;
}
