//! Reading the SOAP 1.1 envelope (quick-xml `NsReader`) into WS-Addressing header values and a
//! standalone body document, and writing request/response envelopes (SPEC §1–3).

use osp_model::contracts::{SOAP11_NS, SOAP12_NS, WSA_ANONYMOUS, WSA_NS};
use osp_model::Operation;
use quick_xml::events::Event;
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::NsReader;

use crate::fault::{Fault, FaultCode, Locatie};
use crate::xml::{escape, line_col};

/// The raw WS-Addressing headers as found; checked by [`crate::wsa`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WsaHeaders {
    /// `wsa:To` text.
    pub to: Option<String>,
    /// `wsa:Action` text.
    pub action: Option<String>,
    /// `wsa:MessageID` text.
    pub message_id: Option<String>,
    /// `wsa:From` present; inner `wsa:Address` text if any.
    pub from: Option<Option<String>>,
    /// Local name of a WS-A header that occurred more than once.
    pub duplicate: Option<String>,
}

/// A parsed request envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// WS-Addressing headers.
    pub wsa: WsaHeaders,
    /// Namespace of the body root element.
    pub body_ns: String,
    /// Local name of the body root element.
    pub body_local: String,
    /// The body root as a standalone document: every namespace binding in scope is declared on
    /// the root, preceded by whitespace so its line and column match the envelope.
    pub body_xml: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    None,
    To,
    Action,
    MessageId,
    FromAddress,
}

/// Parses a request envelope; `max_depth` limits element nesting (SPEC §1: 64).
pub fn parse(text: &str, max_depth: usize) -> Result<Envelope, Fault> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut in_header = false;
    let mut in_body = false;
    let mut seen_header = false;
    let mut seen_body = false;
    let mut in_from = false;
    let mut capture = Capture::None;
    let mut captured = String::new();
    let mut wsa = WsaHeaders::default();
    let mut body_bindings: Vec<(Option<String>, String)> = Vec::new();
    let mut root: Option<(String, String, usize, usize)> = None; // ns, local, start, tag end
    let mut root_end: Option<usize> = None;

    loop {
        let before = pos(&reader);
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (resolved(ns), event),
            Err(e) => return Err(malformed(text, pos_err(&reader), &e.to_string())),
        };
        match event {
            Event::Decl(decl) => {
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| malformed(text, before, &e.to_string()))?;
                    if !enc.eq_ignore_ascii_case("utf-8") {
                        return Err(Fault::new(
                            FaultCode::DK0009,
                            format!(
                                "XML-declaratie noemt encoding {enc}; alleen UTF-8 is toegestaan"
                            ),
                        ));
                    }
                }
            }
            Event::DocType(_) => {
                return Err(located(
                    FaultCode::DK0004,
                    text,
                    before,
                    "DTD is niet toegestaan",
                ));
            }
            Event::GeneralRef(r) => {
                let resolved_char = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match &*r.into_inner() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        _ => None,
                    }
                };
                let Some(c) = resolved_char else {
                    return Err(located(
                        FaultCode::DK0004,
                        text,
                        before,
                        "onbekende entiteit of tekenverwijzing",
                    ));
                };
                if capture != Capture::None {
                    captured.push(c);
                }
            }
            Event::Text(t) => {
                if capture != Capture::None {
                    captured.push_str(&t.xml10_content());
                } else if in_body && depth == 2 && !t.xml10_content().trim().is_empty() {
                    return Err(located(
                        FaultCode::DK0004,
                        text,
                        before,
                        "tekst direct in soap:Body",
                    ));
                } else if depth <= 1 && !t.xml10_content().trim().is_empty() && depth == 1 {
                    return Err(located(
                        FaultCode::DK0001,
                        text,
                        before,
                        "tekst direct in soap:Envelope",
                    ));
                }
            }
            Event::CData(c) => {
                if capture != Capture::None {
                    captured.push_str(&c.xml10_content());
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name().as_ref().to_string();
                let ns = ns.map_err(|p| {
                    located(
                        FaultCode::DK0004,
                        text,
                        before,
                        &format!("namespace-prefix {p} is niet gedeclareerd"),
                    )
                })?;
                let level = depth + 1;
                if level > max_depth {
                    return Err(located(
                        FaultCode::DK0004,
                        text,
                        before,
                        &format!("XML is dieper genest dan {max_depth} niveaus"),
                    ));
                }
                match level {
                    1 => {
                        if ns.as_deref() == Some(SOAP12_NS) {
                            return Err(Fault::new(
                                FaultCode::DK0001,
                                "SOAP 1.2 wordt niet ondersteund; gebruik SOAP 1.1",
                            ));
                        }
                        if ns.as_deref() != Some(SOAP11_NS) || local != "Envelope" {
                            return Err(Fault::new(
                                FaultCode::DK0001,
                                "het document is geen SOAP 1.1-envelope",
                            ));
                        }
                    }
                    2 => {
                        if ns.as_deref() != Some(SOAP11_NS) {
                            return Err(Fault::new(
                                FaultCode::DK0001,
                                format!("onverwacht element {local} in soap:Envelope"),
                            ));
                        }
                        match local.as_str() {
                            "Header" if !seen_header && !seen_body => {
                                seen_header = true;
                                in_header = !empty;
                            }
                            "Body" if !seen_body => {
                                seen_body = true;
                                in_body = !empty;
                                body_bindings = reader
                                    .resolver()
                                    .bindings()
                                    .map(|(p, n)| {
                                        let p = match p {
                                            PrefixDeclaration::Default => None,
                                            PrefixDeclaration::Named(p) => Some(p.to_string()),
                                        };
                                        (p, n.as_ref().to_string())
                                    })
                                    .collect();
                            }
                            _ => {
                                return Err(Fault::new(
                                    FaultCode::DK0001,
                                    format!("onverwacht element soap:{local} in soap:Envelope"),
                                ));
                            }
                        }
                    }
                    3 if in_header && ns.as_deref() == Some(WSA_NS) => {
                        let target = match local.as_str() {
                            "To" => Some((Capture::To, wsa.to.is_some())),
                            "Action" => Some((Capture::Action, wsa.action.is_some())),
                            "MessageID" => Some((Capture::MessageId, wsa.message_id.is_some())),
                            "From" => {
                                let dup = wsa.from.is_some();
                                if !dup {
                                    wsa.from = Some(None);
                                }
                                in_from = !empty;
                                if dup && wsa.duplicate.is_none() {
                                    wsa.duplicate = Some(local.clone());
                                }
                                None
                            }
                            _ => None,
                        };
                        if let Some((cap, dup)) = target {
                            if dup && wsa.duplicate.is_none() {
                                wsa.duplicate = Some(local.clone());
                            }
                            if empty {
                                store(&mut wsa, cap, String::new());
                            } else {
                                capture = cap;
                                captured.clear();
                            }
                        }
                    }
                    4 if in_from && ns.as_deref() == Some(WSA_NS) && local == "Address" => {
                        if empty {
                            wsa.from = Some(Some(String::new()));
                        } else {
                            capture = Capture::FromAddress;
                            captured.clear();
                        }
                    }
                    3 if in_body => {
                        if root.is_some() {
                            return Err(located(
                                FaultCode::DK0004,
                                text,
                                before,
                                "soap:Body bevat meer dan één element",
                            ));
                        }
                        let tag_end = pos(&reader);
                        root = Some((ns.unwrap_or_default(), local, before, tag_end));
                        if empty {
                            root_end = Some(tag_end);
                        }
                    }
                    _ => {}
                }
                if !empty {
                    depth = level;
                }
            }
            Event::End(_) => {
                match depth {
                    2 => {
                        in_header = false;
                        in_body = false;
                    }
                    3 if in_header => {
                        if capture != Capture::None {
                            store(&mut wsa, capture, std::mem::take(&mut captured));
                            capture = Capture::None;
                        }
                        in_from = false;
                    }
                    3 if in_body => root_end = Some(pos(&reader)),
                    4 if capture == Capture::FromAddress => {
                        wsa.from = Some(Some(std::mem::take(&mut captured)));
                        capture = Capture::None;
                    }
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => {
                if depth != 0 {
                    return Err(malformed(
                        text,
                        before,
                        "document eindigt binnen een element",
                    ));
                }
                break;
            }
            Event::Comment(_) | Event::PI(_) => {}
        }
    }
    if !seen_body {
        return Err(Fault::new(FaultCode::DK0001, "soap:Body ontbreekt"));
    }
    let (Some((body_ns, body_local, start, tag_end)), Some(end)) = (root, root_end) else {
        return Err(Fault::new(
            FaultCode::DK0004,
            "soap:Body bevat geen element",
        ));
    };
    let body_xml = standalone_body(text, start, tag_end, end, &body_bindings);
    Ok(Envelope {
        wsa,
        body_ns,
        body_local,
        body_xml,
    })
}

fn store(wsa: &mut WsaHeaders, cap: Capture, value: String) {
    match cap {
        Capture::To => wsa.to = Some(value),
        Capture::Action => wsa.action = Some(value),
        Capture::MessageId => wsa.message_id = Some(value),
        Capture::FromAddress => wsa.from = Some(Some(value)),
        Capture::None => {}
    }
}

/// Cuts the body root out, declares the inherited bindings on it and pads it so positions match.
fn standalone_body(
    text: &str,
    start: usize,
    tag_end: usize,
    end: usize,
    bindings: &[(Option<String>, String)],
) -> String {
    let tag = text.get(start..tag_end).unwrap_or_default();
    let rest = text.get(tag_end..end).unwrap_or_default();
    let before = text.get(..start).unwrap_or_default();
    let newlines = before.bytes().filter(|b| *b == b'\n').count();
    let col = before
        .rsplit('\n')
        .next()
        .map(|s| s.chars().count())
        .unwrap_or(0);
    let own = declared_prefixes(tag);
    let mut extra = String::new();
    for (prefix, ns) in bindings {
        if own.contains(prefix) {
            continue;
        }
        match prefix {
            Some(p) => extra.push_str(&format!(" xmlns:{p}=\"{}\"", escape(ns))),
            None => extra.push_str(&format!(" xmlns=\"{}\"", escape(ns))),
        }
    }
    let close = if tag.ends_with("/>") {
        tag.len() - 2
    } else {
        tag.len().saturating_sub(1)
    };
    let mut out = String::with_capacity(newlines + col + tag.len() + extra.len() + rest.len());
    out.extend(std::iter::repeat_n('\n', newlines));
    out.extend(std::iter::repeat_n(' ', col));
    out.push_str(tag.get(..close).unwrap_or_default());
    out.push_str(&extra);
    out.push_str(tag.get(close..).unwrap_or_default());
    out.push_str(rest);
    out
}

/// Prefixes (None = default) declared by `xmlns` attributes on a start tag.
fn declared_prefixes(tag: &str) -> Vec<Option<String>> {
    let name_len = tag
        .trim_start_matches('<')
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(0);
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let start = quick_xml::events::BytesStart::from_content(inner, name_len);
    start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .filter_map(|a| {
            let key = a.key.as_ref();
            if key == "xmlns" {
                Some(None)
            } else {
                key.strip_prefix("xmlns:").map(|p| Some(p.to_string()))
            }
        })
        .collect()
}

fn resolved(ns: ResolveResult<'_>) -> Result<Option<String>, String> {
    match ns {
        ResolveResult::Bound(n) => Ok(Some(n.as_ref().to_string())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(p),
    }
}

fn pos<R>(reader: &NsReader<R>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn pos_err<R>(reader: &NsReader<R>) -> usize {
    usize::try_from(reader.error_position()).unwrap_or(usize::MAX)
}

fn located(code: FaultCode, text: &str, offset: usize, melding: &str) -> Fault {
    let (regel, kolom) = line_col(text, offset);
    Fault::new(code, melding).with_locaties(vec![Locatie {
        regel,
        kolom,
        pad: String::new(),
        melding: melding.to_string(),
    }])
}

fn malformed(text: &str, offset: usize, detail: &str) -> Fault {
    let mut f = located(
        FaultCode::DK0004,
        text,
        offset,
        &format!("XML is niet welgevormd: {detail}"),
    );
    f.omschrijving = "XML is niet welgevormd".to_string();
    f
}

/// Builds a correct request envelope around `body_xml` (with or without XML declaration) with
/// the WS-Addressing headers DUO requires; used by `osp send`, replay and tests.
pub fn wrap_request(
    body_xml: &str,
    operation: Operation,
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
        action = operation.action(),
        mid = escape(&message_id),
        from = escape(from_oin),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../tests/data/aanleverenInschrijvingVO.envelope.xml");

    #[test]
    fn parses_the_spec_example() {
        let env = parse(EXAMPLE, 64).unwrap();
        assert_eq!(
            env.wsa.to.as_deref(),
            Some("http://www.w3.org/2005/08/addressing/anonymous?oin=00000001800866472000")
        );
        assert_eq!(
            env.wsa.message_id.as_deref(),
            Some("urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01")
        );
        assert_eq!(
            env.wsa.from,
            Some(Some(
                "http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700099AA00000".into()
            ))
        );
        assert_eq!(env.body_local, "aanleverenInschrijvingVO_Request");
        assert_eq!(
            env.body_ns,
            "http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1"
        );
        // line numbers match: the root starts on the same line and column as in the envelope
        let root_line = EXAMPLE
            .lines()
            .position(|l| l.contains("<ins:aanleverenInschrijvingVO_Request"))
            .unwrap();
        let body_line = env
            .body_xml
            .lines()
            .position(|l| l.contains("<ins:aanleverenInschrijvingVO_Request"))
            .unwrap();
        assert_eq!(root_line, body_line);
        let brin_env = EXAMPLE
            .lines()
            .position(|l| l.contains("<bas:brin>"))
            .unwrap();
        let brin_body = env
            .body_xml
            .lines()
            .position(|l| l.contains("<bas:brin>"))
            .unwrap();
        assert_eq!(brin_env, brin_body);
        assert_eq!(
            EXAMPLE.lines().nth(root_line).unwrap().find('<'),
            env.body_xml.lines().nth(body_line).unwrap().find('<')
        );
        // every binding in scope is declared on the root, and the body is a well-formed document
        for ns in ["xmlns:ins=", "xmlns:bas=", "xmlns:soapenv=", "xmlns:wsa="] {
            assert!(env.body_xml.contains(ns), "{ns}");
        }
        let mut r = NsReader::from_str(&env.body_xml);
        loop {
            match r.read_resolved_event().unwrap() {
                (ResolveResult::Unknown(p), _) => panic!("unbound {p}"),
                (_, Event::Eof) => break,
                _ => {}
            }
        }
        assert!(env
            .body_xml
            .trim_end()
            .ends_with("</ins:aanleverenInschrijvingVO_Request>"));
    }

    fn env(header: &str, body: &str) -> String {
        format!(
            "<s:Envelope xmlns:s=\"{SOAP11_NS}\" xmlns:a=\"{WSA_NS}\"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
        )
    }

    #[test]
    fn envelope_errors() {
        let code = |t: &str| parse(t, 64).unwrap_err().code;
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP12_NS}\"><s:Body/></s:Envelope>"
            )),
            FaultCode::DK0001
        );
        assert_eq!(code("<Envelope><Body/></Envelope>"), FaultCode::DK0001);
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Header/></s:Envelope>"
            )),
            FaultCode::DK0001
        );
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><a/></s:Body>"
            )),
            FaultCode::DK0004
        );
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><a></b></s:Body></s:Envelope>"
            )),
            FaultCode::DK0004
        );
        assert_eq!(code(&format!("<!DOCTYPE x [<!ENTITY e \"x\">]><s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><a/></s:Body></s:Envelope>")), FaultCode::DK0004);
        assert_eq!(code(&env("", "<a>&e;</a>")), FaultCode::DK0004);
        assert_eq!(code(&env("", "<a/><b/>")), FaultCode::DK0004);
        assert_eq!(code(&env("", "")), FaultCode::DK0004);
        assert_eq!(code(&env("", "<p:a/>")), FaultCode::DK0004);
        assert_eq!(
            code(&format!(
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{}",
                env("", "<a/>")
            )),
            FaultCode::DK0009
        );
        let deep = format!("{}{}", "<x>".repeat(70), "</x>".repeat(70));
        let f = parse(&env("", &deep), 64).unwrap_err();
        assert_eq!(f.code, FaultCode::DK0004);
        assert_eq!(f.locaties[0].regel, 1);
    }

    #[test]
    fn headers_and_entities() {
        let e = parse(
            &env("<a:To>x?oin=1&amp;y</a:To><a:MessageID>m</a:MessageID><a:MessageID>n</a:MessageID><a:From/>", "<b xmlns=\"urn:b\"/>"),
            64,
        )
        .unwrap();
        assert_eq!(e.wsa.to.as_deref(), Some("x?oin=1&y"));
        assert_eq!(e.wsa.duplicate.as_deref(), Some("MessageID"));
        assert_eq!(e.wsa.from, Some(None));
        assert_eq!(e.wsa.action, None);
        assert_eq!(e.body_ns, "urn:b");
        assert!(e.body_xml.contains("xmlns:a="), "{}", e.body_xml);
        assert!(e.body_xml.ends_with("/>"));
    }

    #[test]
    fn wrap_request_round_trips() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x:r xmlns:x=\"urn:x\"/>";
        let text = wrap_request(
            body,
            Operation::AanleverenInschrijvingVO,
            "0000000700099AA00000",
            osp_model::DUO_OIN,
            "6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01",
        );
        let e = parse(&text, 64).unwrap();
        assert_eq!(
            e.wsa.action.as_deref(),
            Some(Operation::AanleverenInschrijvingVO.action().as_str())
        );
        assert_eq!(
            e.wsa.message_id.as_deref(),
            Some("urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01")
        );
        assert_eq!(e.body_local, "r");
        let resp = wrap_response("<?xml version=\"1.0\"?><r/>", None);
        assert!(resp.contains("<soap:Body><r/></soap:Body>"));
    }
}
