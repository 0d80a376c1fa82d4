//! The OSP gateway: HTTPS with a required PKIoverheid-style client certificate, the client's OIN
//! from that certificate, Edukoppeling/WS-Addressing checks in DUO's order, dispatch to the
//! operation, routing to the OIN's sandbox, and DUO's SOAP faults for everything that is wrong
//! before the register is reached (SPEC §1–3, §9).

#![warn(missing_docs)]

pub mod admin;
mod budget;
pub mod client;
pub mod config;
mod direct;
mod documents;
pub mod envelope;
pub mod fault;
mod http;
pub mod io;
pub mod metrics;
mod pipeline;
mod server;
mod shared;
mod slots;
pub mod tls;
pub mod validation;
pub mod wsa;
mod xml;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use admin::access::AdminAccess;
pub use admin::{AdminExtension, AdminRequest, AdminResponse};
pub use config::{GatewayConfig, Limits, TlsPaths, DEFAULT_SANDBOX};
pub use direct::{Direct, DirectAnswer};
pub use envelope::wrap_request;
pub use fault::{Fault, FaultCode, Locatie};
pub use pipeline::WSA_FAULT_ACTION;
pub use server::{Extras, Gateway, RunningGateway, ShutdownHandle, SOAP_PREFIX};
pub use validation::{BodyValidator, ModelValidator};

/// Why the gateway could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// A listener address could not be bound (port busy, no permission).
    #[error("kan niet luisteren op {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A certificate, key, root or CRL file is unreadable or unusable.
    #[error("certificaat {path}: {detail}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// rustls rejected the configuration.
    #[error("TLS-configuratie: {0}")]
    Tls(String),
    /// Flushing the register on shutdown failed.
    #[error("register flush bij afsluiten: {0}")]
    Flush(osp_register::ServiceError),
    /// The embedded XSDs do not compile (a build defect, not input).
    #[error("XSD's laden: {0}")]
    Schema(String),
    /// The admin listener is bound off loopback without a bearer token (SPEC §13).
    #[error("admin listener {0} is not on loopback and has no token: set [admin] token")]
    AdminToken(SocketAddr),
    /// An internal task panicked or was cancelled.
    #[error("interne taak: {0}")]
    Task(String),
}
