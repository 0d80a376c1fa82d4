//! The judgement of the LAS's answer to a pushed message (the request itself is written by the
//! gateway's envelope writer, `osp_gateway::envelope::request`).

use osp_model::contracts::SOAP11_NS;
use quick_xml::events::Event;
use quick_xml::NsReader;

/// Why an answer does not count as delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Afwijzing {
    /// Not a 2xx status.
    #[error("HTTP {0}")]
    Status(u16),
    /// 2xx, but the body is no SOAP 1.1 envelope.
    #[error("antwoord is geen SOAP-envelope")]
    GeenEnvelope,
    /// 2xx with a SOAP Fault.
    #[error("SOAP Fault: {0}")]
    Fault(String),
}

/// Delivered iff the status is 2xx and the body is a SOAP 1.1 envelope whose Body holds no Fault.
pub fn beoordeel_antwoord(status: u16, body: &[u8]) -> Result<(), Afwijzing> {
    if !(200..300).contains(&status) {
        return Err(Afwijzing::Status(status));
    }
    let tekst = std::str::from_utf8(body).map_err(|_| Afwijzing::GeenEnvelope)?;
    let mut reader = NsReader::from_str(tekst);
    let mut diepte = 0usize;
    let mut envelope = false;
    let mut in_body = false;
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e))) => {
                let soap = matches!(ns, quick_xml::name::ResolveResult::Bound(n) if n.as_ref() == SOAP11_NS);
                let naam = e.local_name();
                match (diepte, soap, naam.as_ref()) {
                    (0, true, "Envelope") => envelope = true,
                    (0, _, _) => return Err(Afwijzing::GeenEnvelope),
                    (1, true, "Body") => in_body = true,
                    (2, true, "Fault") if in_body => {
                        let rest = reader
                            .read_text(e.name())
                            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
                        return Err(Afwijzing::Fault(rest.unwrap_or_default()));
                    }
                    _ => {}
                }
                diepte += 1;
            }
            Ok((ns, Event::Empty(e))) => {
                let soap = matches!(ns, quick_xml::name::ResolveResult::Bound(n) if n.as_ref() == SOAP11_NS);
                if diepte == 0 {
                    return Err(Afwijzing::GeenEnvelope);
                }
                if diepte == 2 && in_body && soap && e.local_name().as_ref() == "Fault" {
                    return Err(Afwijzing::Fault(String::new()));
                }
            }
            Ok((_, Event::End(_))) => {
                diepte = diepte.saturating_sub(1);
                if diepte == 1 {
                    in_body = false;
                }
            }
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
            Err(_) => return Err(Afwijzing::GeenEnvelope),
        }
    }
    if envelope {
        Ok(())
    } else {
        Err(Afwijzing::GeenEnvelope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><x:a xmlns:x=\"urn:x\"/></s:Body></s:Envelope>";

    #[test]
    fn judges_answers() {
        assert_eq!(beoordeel_antwoord(200, OK.as_bytes()), Ok(()));
        assert_eq!(beoordeel_antwoord(202, OK.as_bytes()), Ok(()));
        assert_eq!(
            beoordeel_antwoord(500, OK.as_bytes()),
            Err(Afwijzing::Status(500))
        );
        assert_eq!(beoordeel_antwoord(200, b"ok"), Err(Afwijzing::GeenEnvelope));
        assert_eq!(
            beoordeel_antwoord(200, b"<html/>"),
            Err(Afwijzing::GeenEnvelope)
        );
        let soap12 = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body/></s:Envelope>";
        assert_eq!(
            beoordeel_antwoord(200, soap12.as_bytes()),
            Err(Afwijzing::GeenEnvelope)
        );
        let fault = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>kapot</faultstring></s:Fault></s:Body></s:Envelope>";
        assert!(
            matches!(beoordeel_antwoord(200, fault.as_bytes()), Err(Afwijzing::Fault(t)) if t.contains("kapot"))
        );
    }

    #[test]
    fn the_pushed_request_carries_addressing_and_counts_as_an_envelope() {
        let e = osp_gateway::envelope::request(
            "<b/>",
            "urn:act",
            "00000001800866472000",
            "0000000700099AA00000",
            "1234",
        );
        assert!(e.contains("<wsa:To>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700099AA00000</wsa:To>"));
        assert!(e.contains("<wsa:MessageID>urn:uuid:1234</wsa:MessageID>"));
        assert!(e.contains("<soapenv:Body>\n<b/>\n</soapenv:Body>"));
        assert_eq!(beoordeel_antwoord(200, e.as_bytes()), Ok(()));
    }
}
