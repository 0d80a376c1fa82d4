//! The SOAP pipeline without a socket: one request, as if it had arrived over mTLS from a given
//! certificate OIN, through the same steps as the listener (Content-Type, input guard, envelope,
//! WS-Addressing, dispatch, mandate, XSD, register, answer). For fuzzing the whole pipeline
//! against an in-memory register, and for tools that want osp's answer in-process. TLS,
//! connection slots and body budgets are the listener's and are not run here.

use std::sync::Arc;

use hyper::header::HeaderMap;
use osp_pki::Oin;
use osp_register::Service;

use crate::config::GatewayConfig;
use crate::metrics::Metrics;
use crate::pipeline::{self, envelope::content_type_fault, Rejection};
use crate::shared::Shared;
use crate::validation::BodyValidator;

/// A gateway pipeline in-process.
pub struct Direct {
    shared: Arc<Shared>,
}

/// What the pipeline answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectAnswer {
    /// HTTP status: 200, 413 (too large) or 500 (a SOAP fault).
    pub status: u16,
    /// The SOAP envelope.
    pub body: String,
    /// The fault code (e.g. `DK0004`) when the answer is a fault.
    pub fault: Option<&'static str>,
}

impl Direct {
    /// A pipeline with `config`'s limits, routing and DUO OIN in front of `service`.
    pub fn new(
        config: GatewayConfig,
        service: Arc<dyn Service>,
        validator: Arc<dyn BodyValidator>,
    ) -> Direct {
        Direct {
            shared: Arc::new(Shared::new(
                config,
                service,
                validator,
                Arc::new(Metrics::default()),
                None,
            )),
        }
    }

    /// Handles `body` POSTed to `/vo-webservices/` with `headers` by a client whose certificate
    /// carries `certificaat_oin` (an invalid OIN is EK0030, as from a certificate).
    pub fn handle(&self, certificaat_oin: &str, headers: &HeaderMap, body: &[u8]) -> DirectAnswer {
        let outcome = Oin::parse(certificaat_oin)
            .map_err(|e| {
                Rejection::new(
                    crate::fault::Fault::new(crate::fault::FaultCode::EK0030, e.to_string()),
                    None,
                )
            })
            .and_then(|oin| match content_type_fault(headers) {
                Some(f) => Err(Rejection::new(f, None)),
                None => pipeline::handle(&self.shared, oin, None, headers, body),
            })
            .unwrap_or_else(Rejection::into_outcome);
        DirectAnswer {
            status: outcome.status.as_u16(),
            body: String::from_utf8_lossy(&outcome.body).into_owned(),
            fault: outcome.fault.map(crate::fault::FaultCode::code),
        }
    }
}
