//! State every connection and every pipeline step shares: configuration, the register behind
//! the [`Service`] seam, the XSD validator, metrics, the body budget and the shutdown flag. It
//! lives apart from the listener so the pipeline does not depend on the server that calls it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use osp_register::Service;

use crate::budget::BodyBudget;
use crate::config::GatewayConfig;
use crate::metrics::Metrics;
use crate::validation::BodyValidator;

/// Path prefix of the SOAP endpoint (SPEC §1).
pub const SOAP_PREFIX: &str = "/vo-webservices";

/// State shared by every connection.
pub(crate) struct Shared {
    pub config: GatewayConfig,
    pub service: Arc<dyn Service>,
    pub validator: Arc<dyn BodyValidator>,
    pub metrics: Arc<Metrics>,
    /// Room for request bodies in flight.
    pub budget: Arc<BodyBudget>,
    /// Fixed answer to every SOAP POST (benchmark echo mode): no XML work, no register.
    pub echo: Option<Bytes>,
    pub shutting_down: AtomicBool,
}

impl Shared {
    /// Shared state for a listener (`echo` for the benchmark baseline) or an in-process pipeline.
    pub(crate) fn new(
        config: GatewayConfig,
        service: Arc<dyn Service>,
        validator: Arc<dyn BodyValidator>,
        metrics: Arc<Metrics>,
        echo: Option<Bytes>,
    ) -> Shared {
        let budget = BodyBudget::new(
            config.limits.max_inflight_body_bytes,
            config.limits.max_connection_body_bytes,
        );
        Shared {
            budget,
            config,
            service,
            validator,
            metrics,
            echo,
            shutting_down: AtomicBool::new(false),
        }
    }

    /// Set once shutdown begins: new requests get DK0051.
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }
}

/// Resolves once `rx` says the gateway is stopping.
pub(crate) async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
