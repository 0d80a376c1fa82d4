//! Step 8: the answer. The register's reply or the fault goes into a SOAP 1.1 envelope with the
//! response's WS-Addressing headers (SPEC §2): To = the requester's From, RelatesTo = its
//! MessageID, From = DUO. Faults before the addressing was read carry no headers.

use bytes::Bytes;
use hyper::StatusCode;
use osp_model::Contract;
use osp_register::Reply;

use crate::envelope::{self as soap, ResponseAddressing};
use crate::fault::{Fault, FaultCode};
use crate::shared::Shared;
use crate::wsa::{self, Addressing};

/// WS-Addressing action of fault responses (WS-Addressing 1.0 SOAP binding).
pub const WSA_FAULT_ACTION: &str = "http://www.w3.org/2005/08/addressing/fault";

/// What a processed request turned into, for the response, metrics and the trace.
pub(crate) struct Outcome {
    pub status: StatusCode,
    pub body: Bytes,
    pub contract: Option<Contract>,
    pub label: &'static str,
    pub fault: Option<FaultCode>,
}

/// A step's refusal: the fault and what is known of the request when it failed (boxed: it
/// travels through every step's `Result`, which should stay small).
pub(crate) struct Rejection(Box<Refused>);

struct Refused {
    fault: Fault,
    contract: Option<Contract>,
    addressing: Option<ResponseAddressing>,
    oversized: bool,
}

impl Rejection {
    pub(crate) fn new(fault: Fault, contract: Option<Contract>) -> Rejection {
        Rejection(Box::new(Refused {
            fault,
            contract,
            addressing: None,
            oversized: false,
        }))
    }

    /// Answered with response headers (the request's addressing was read).
    pub(super) fn addressed(mut self, addressing: ResponseAddressing) -> Rejection {
        self.0.addressing = Some(addressing);
        self
    }

    /// Refused for its size (HTTP 413).
    pub(super) fn oversized(mut self, oversized: bool) -> Rejection {
        self.0.oversized = oversized;
        self
    }

    pub(crate) fn into_outcome(self) -> Outcome {
        let r = *self.0;
        let fault = r.fault;
        tracing::debug!(code = fault.code.code(), omschrijving = %fault.omschrijving, "fault");
        let status = StatusCode::from_u16(fault.http_status(r.oversized))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Outcome {
            status,
            body: Bytes::from(soap::wrap_response(&fault.to_xml(), r.addressing.as_ref())),
            contract: r.contract,
            label: "fault",
            fault: Some(fault.code),
        }
    }
}

/// The response headers to a request (`action` = the request's, or the fault action).
pub(super) fn addressing(shared: &Shared, a: &Addressing, action: &str) -> ResponseAddressing {
    ResponseAddressing {
        to: a.from_address.clone(),
        action: action.to_string(),
        message_id: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        relates_to: a.message_id.clone(),
        from: wsa::address_for(&shared.config.duo_oin),
    }
}

/// The register's reply as a 200 answer.
pub(super) fn ok(shared: &Shared, a: &Addressing, contract: Contract, reply: Reply) -> Outcome {
    let headers = addressing(shared, a, &a.action);
    Outcome {
        status: StatusCode::OK,
        body: Bytes::from(soap::wrap_response(&reply.body, Some(&headers))),
        contract: Some(contract),
        label: match reply.goedgekeurd {
            Some(true) => "goedgekeurd",
            Some(false) => "afgekeurd",
            None => "ok",
        },
        fault: None,
    }
}
