//! Writing envelopes: a request with DUO's WS-Addressing headers (OINs in `To` and `From`), and
//! a response or fault with the response headers of SPEC §2.

use osp_model::contracts::{SOAP11_NS, WSA_ANONYMOUS, WSA_NS};
use osp_model::Operation;

use crate::xml::escape;

/// A request envelope around `body_xml` (with or without XML declaration): `To` and `From` carry
/// OINs (`…anonymous?oin=`), `Action` and `MessageID` (a bare UUID gets `urn:uuid:`) as given.
/// The one request writer: `osp send`, replay, tests and the push worker use it.
pub fn request(
    body_xml: &str,
    action: &str,
    from_oin: &str,
    to_oin: &str,
    message_id: &str,
) -> String {
    let body = strip_declaration(body_xml);
    let message_id = if message_id.starts_with("urn:uuid:") {
        message_id.to_string()
    } else {
        format!("urn:uuid:{message_id}")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"{SOAP11_NS}\" xmlns:wsa=\"{WSA_NS}\">\n<soapenv:Header>\n<wsa:To>{WSA_ANONYMOUS}?oin={to}</wsa:To>\n<wsa:Action>{action}</wsa:Action>\n<wsa:MessageID>{mid}</wsa:MessageID>\n<wsa:From><wsa:Address>{WSA_ANONYMOUS}?oin={from}</wsa:Address></wsa:From>\n</soapenv:Header>\n<soapenv:Body>\n{body}\n</soapenv:Body>\n</soapenv:Envelope>\n",
        to = escape(to_oin),
        action = escape(action),
        mid = escape(&message_id),
        from = escape(from_oin),
    )
}

/// Builds a correct request envelope for `operation` around `body_xml`; see [`request`].
pub fn wrap_request(
    body_xml: &str,
    operation: Operation,
    from_oin: &str,
    to_oin: &str,
    message_id: &str,
) -> String {
    request(body_xml, &operation.action(), from_oin, to_oin, message_id)
}

/// Response WS-Addressing values (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseAddressing {
    /// `wsa:To`: the requester's From address.
    pub to: String,
    /// `wsa:Action`.
    pub action: String,
    /// New `wsa:MessageID` (`urn:uuid:`…).
    pub message_id: String,
    /// `wsa:RelatesTo`: the request's MessageID.
    pub relates_to: String,
    /// `wsa:From/Address`: DUO's address.
    pub from: String,
}

/// Wraps a response body (or fault element) in a SOAP 1.1 envelope with response headers.
pub fn wrap_response(body_xml: &str, addressing: Option<&ResponseAddressing>) -> String {
    let body = strip_declaration(body_xml);
    let mut s = String::with_capacity(body.len() + 700);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"");
    s.push_str(SOAP11_NS);
    s.push('"');
    if let Some(a) = addressing {
        s.push_str(&format!(
            " xmlns:wsa=\"{WSA_NS}\"><soap:Header><wsa:To>{}</wsa:To><wsa:Action>{}</wsa:Action><wsa:MessageID>{}</wsa:MessageID><wsa:RelatesTo>{}</wsa:RelatesTo><wsa:From><wsa:Address>{}</wsa:Address></wsa:From></soap:Header>",
            escape(&a.to),
            escape(&a.action),
            escape(&a.message_id),
            escape(&a.relates_to),
            escape(&a.from)
        ));
    } else {
        s.push('>');
    }
    s.push_str("<soap:Body>");
    s.push_str(body);
    s.push_str("</soap:Body></soap:Envelope>");
    s
}

/// Removes a leading XML declaration (and a BOM) so a document can be embedded.
pub fn strip_declaration(xml: &str) -> &str {
    let t = xml.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("<?xml") {
        if let Some(end) = t.find("?>") {
            return t.get(end + 2..).unwrap_or_default().trim_start();
        }
    }
    t
}
