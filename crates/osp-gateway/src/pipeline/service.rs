//! Step 7: the register. The delivery runs in the sandbox the certificate OIN is routed to; the
//! register's own failures become DK0050 (nothing stored) or DK0051 (storage unavailable).

use osp_model::Operation;
use osp_pki::Oin;
use osp_register::{Delivery, Reply, ServiceError};

use crate::fault::{Fault, FaultCode};
use crate::shared::Shared;
use crate::wsa::Addressing;

/// Hands the validated body to the register.
pub(super) fn deliver(
    shared: &Shared,
    cert_oin: &Oin,
    addressing: &Addressing,
    operation: Operation,
    body_xml: &str,
) -> Result<Reply, Fault> {
    let delivery = Delivery {
        sandbox: shared.config.sandbox_for(cert_oin.as_str()),
        certificaat_oin: cert_oin.as_str(),
        from_oin: addressing.from_oin.as_str(),
        message_id: &addressing.message_id,
        operation,
        body: body_xml,
    };
    shared.service.deliver(delivery).map_err(service_fault)
}

/// The blocking task itself failed (a panic in the register): DK0050.
pub(super) fn task_failed(e: tokio::task::JoinError) -> Fault {
    tracing::error!(error = %e, "delivery task failed");
    Fault::new(FaultCode::DK0050, "interne fout bij de afhandeling")
}

fn service_fault(e: ServiceError) -> Fault {
    match e {
        ServiceError::OngeldigeWaarde { .. } => {
            let text = e.to_string();
            let mut f = Fault::new(FaultCode::DK0050, text.clone());
            f.faultstring = Some(text);
            f
        }
        ServiceError::Intern(detail) => {
            tracing::error!(%detail, "register failed");
            Fault::new(
                FaultCode::DK0050,
                "interne fout bij de afhandeling; er is niets opgeslagen",
            )
        }
        ServiceError::Onbeschikbaar(detail) => Fault::new(FaultCode::DK0051, detail),
    }
}
