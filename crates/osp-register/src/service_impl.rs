//! `impl Service for Register`: the gateway's entry point. Reads the body, processes it and
//! renders the answer; pull/ack of DUO→school messages belongs to the outbox operations.

use osp_model::{Contract, Operation};

use crate::register::verwerking::body_hash;
use crate::register::{Aanleververzoek, Register};
use crate::service::{Delivery, Reply, Service, ServiceError};
use crate::wire;

impl Service for Register {
    fn deliver(&self, d: Delivery<'_>) -> Result<Reply, ServiceError> {
        match d.operation {
            Operation::OphalenBerichtenVO | Operation::BevestigenBerichtenVO => {
                crate::register::outbox::ophalen::afhandelen(self, &d)
            }
            _ => {
                let aanlevering = wire::parse_aanlevering(d.operation, d.body)?;
                let span = tracing::info_span!(
                    "levering",
                    sandbox = d.sandbox,
                    operatie = d.operation.name(),
                    identificatiecode = %aanlevering.kop.identificatiecode,
                    message_id = d.message_id,
                );
                let _e = span.enter();
                let antwoord = self.verwerk(&Aanleververzoek {
                    sandbox: d.sandbox,
                    certificaat_oin: d.certificaat_oin,
                    from_oin: d.from_oin,
                    message_id: d.message_id,
                    body_hash: body_hash(d.body.as_bytes()),
                    aanlevering,
                })?;
                let goedgekeurd = antwoord.terugkoppeling.levering_goedgekeurd;
                tracing::info!(
                    goedgekeurd,
                    foutmeldingen = antwoord.terugkoppeling.foutmeldingen.len(),
                    "verwerkt"
                );
                Ok(Reply {
                    body: wire::render(d.operation, &antwoord),
                    goedgekeurd: Some(goedgekeurd),
                })
            }
        }
    }

    fn mandated(&self, certificaat_oin: &str, from_oin: &str, contract: Contract) -> bool {
        self.reference()
            .gemandateerd(certificaat_oin, from_oin, contract)
    }

    fn flush(&self) -> Result<(), ServiceError> {
        Ok(Register::flush(self)?)
    }
}
