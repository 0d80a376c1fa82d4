//! `ophalenBerichtenVO` / `bevestigenBerichtenVO` (SPEC §7 pull): the outbox of the calling
//! administratie (`wsa:From`), read after a cursor and acknowledged by berichtId. Message bodies
//! are stored by their producers as standalone elements and embedded verbatim.

use osp_model::contracts::NS_BASIS_INFORMATIEDIENSTEN;
use osp_model::{Contract, Operation};
use quick_xml::escape::escape;

use crate::register::Register;
use crate::service::{Delivery, Reply, ServiceError};
use crate::store::records::OutboxBericht;
use crate::wire::antwoord::datum_tijd;
use crate::wire::lees;
use osp_model::messages::{BevestigenBerichtenVORequest, OphalenBerichtenVORequest};

/// Default and ceiling of `maximumAantal`.
const STANDAARD_AANTAL: usize = 100;
const MAX_AANTAL: usize = 1000;
/// High half of every berichtId: "osp" + version 4.
const BERICHT_ID_HOOG: u64 = 0x6f73_7000_0000_4000;
/// Variant bits of the low half.
const BERICHT_ID_VARIANT: u64 = 0x8000_0000_0000_0000;

/// The berichtId of an outbox message: a UUID that encodes its outbox id.
pub fn bericht_id(id: u64) -> String {
    uuid::Uuid::from_u64_pair(BERICHT_ID_HOOG, BERICHT_ID_VARIANT | (id & !(0b11 << 62)))
        .to_string()
}

/// The outbox id inside a berichtId, if it is one of ours.
pub fn outbox_id(bericht_id: &str) -> Option<u64> {
    let (hoog, laag) = uuid::Uuid::parse_str(bericht_id.trim()).ok()?.as_u64_pair();
    (hoog == BERICHT_ID_HOOG && laag & (0b11 << 62) == BERICHT_ID_VARIANT)
        .then_some(laag & !(0b11 << 62))
}

fn kop(out: &mut String, ontvanger: &str, register: &Register, sandbox: &str) {
    for (naam, waarde) in [
        (
            "identificatiecodeBedrijfsdocument",
            uuid::Uuid::new_v4().to_string(),
        ),
        ("verzendendeInstantie", "DUO".to_string()),
        ("ontvangendeInstantie", ontvanger.to_string()),
        (
            "datumTijdBedrijfsdocument",
            datum_tijd(&register.now(sandbox)),
        ),
    ] {
        out.push_str(&format!("<inf:{naam}>{}</inf:{naam}>", escape(&waarde)));
    }
}

fn bericht(out: &mut String, b: &OutboxBericht) {
    out.push_str("<obv:bericht>");
    out.push_str(&format!(
        "<obv:berichtId>{}</obv:berichtId>",
        bericht_id(b.id)
    ));
    out.push_str(&format!("<obv:volgnummer>{}</obv:volgnummer>", b.id));
    out.push_str(&format!(
        "<obv:aanmaakmoment>{}</obv:aanmaakmoment>",
        datum_tijd(&b.aangemaakt)
    ));
    out.push_str(&b.inhoud);
    out.push_str("</obv:bericht>");
}

/// What a pull or an acknowledgement asks, read from its generated request type.
enum Vraag {
    /// `ophalenBerichtenVO`: messages after `cursor`, at most `max`.
    Ophalen { cursor: u64, max: usize },
    /// `bevestigenBerichtenVO`: the outbox ids of the acknowledged berichtIds (foreign ids are
    /// ignored).
    Bevestigen { ids: Vec<u64> },
}

/// Reads the request: `(verzendendeInstantie, question)`.
fn lees_vraag(d: &Delivery<'_>) -> Result<(String, Vraag), ServiceError> {
    match d.operation {
        Operation::OphalenBerichtenVO => {
            let r = lees::<OphalenBerichtenVORequest>(d.body)?;
            let cursor = r.cursor.map_or(0, |c| u64::try_from(c).unwrap_or(u64::MAX));
            let max = r
                .maximum_aantal
                .map_or(STANDAARD_AANTAL, |m| m.0)
                .clamp(1, MAX_AANTAL);
            Ok((r.verzendende_instantie.0, Vraag::Ophalen { cursor, max }))
        }
        Operation::BevestigenBerichtenVO => {
            let r = lees::<BevestigenBerichtenVORequest>(d.body)?;
            let ids = r.bericht_id.iter().filter_map(|b| outbox_id(b)).collect();
            Ok((r.verzendende_instantie.0, Vraag::Bevestigen { ids }))
        }
        anders => Err(ServiceError::Intern(format!(
            "{} is geen ophaaloperatie",
            anders.name()
        ))),
    }
}

/// Answers a pull or an acknowledgement.
pub fn afhandelen(register: &Register, d: &Delivery<'_>) -> Result<Reply, ServiceError> {
    let (ontvanger, vraag) = lees_vraag(d)?;
    let contract = Contract::OphalenBerichtenVO;
    let element = d.operation.response_element();
    let mut out = format!(
        "<obv:{element} xmlns:obv=\"{}\" xmlns:inf=\"{NS_BASIS_INFORMATIEDIENSTEN}\">",
        contract.schema_ns()
    );
    kop(&mut out, &ontvanger, register, d.sandbox);
    match vraag {
        Vraag::Ophalen { cursor, max } => {
            let mut berichten = register.outbox_read(d.sandbox, d.from_oin, cursor, max + 1)?;
            let meer = berichten.len() > max;
            berichten.truncate(max);
            for b in &berichten {
                bericht(&mut out, b);
            }
            let nieuwe_cursor = berichten.last().map_or(cursor, |b| b.id);
            out.push_str(&format!("<obv:cursor>{nieuwe_cursor}</obv:cursor>"));
            out.push_str(&format!("<obv:meerBerichten>{meer}</obv:meerBerichten>"));
        }
        Vraag::Bevestigen { ids } => {
            let n = register.outbox_ack(d.sandbox, d.from_oin, &ids)?;
            out.push_str("<inf:ontvangstBevestiging>J</inf:ontvangstBevestiging>");
            out.push_str(&format!("<obv:aantalBevestigd>{n}</obv:aantalBevestigd>"));
        }
    }
    out.push_str(&format!("</obv:{element}>"));
    Ok(Reply {
        body: out,
        goedgekeurd: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bericht_id_round_trip() {
        for id in [1u64, 42, 1 << 40] {
            let b = bericht_id(id);
            assert_eq!(b.len(), 36);
            assert_eq!(outbox_id(&b), Some(id));
        }
        assert_eq!(outbox_id("c5d6e7f8-091a-4526-9798-b3c4d5e6f708"), None);
        assert_eq!(outbox_id("nonsense"), None);
    }
}
