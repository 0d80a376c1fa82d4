//! Reading a request envelope: SOAP 1.1 only, header entries checked for `mustUnderstand`,
//! WS-Addressing values captured, the body's root cut out as a standalone document that keeps
//! every namespace binding in scope and its line/column position.

use osp_model::contracts::{SOAP11_NS, SOAP12_NS, WSA_NS};
use quick_xml::events::Event;
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::NsReader;

use super::{Envelope, WsaHeaders, SOAP11_ACTOR_NEXT, WSSE_NS};
use crate::fault::{quote, Fault, FaultCode, Locatie};
use crate::xml::{escape, line_col};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    None,
    To,
    Action,
    MessageId,
    FromAddress,
}

impl Capture {
    /// The header as a fault names it.
    const fn name(self) -> &'static str {
        match self {
            Capture::None => "",
            Capture::To => "To",
            Capture::Action => "Action",
            Capture::MessageId => "MessageID",
            Capture::FromAddress => "From/Address",
        }
    }
}

/// Parses a request envelope; `max_depth` limits element nesting (SPEC §1: 64).
pub fn parse(text: &str, max_depth: usize) -> Result<Envelope, Fault> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut envelope_done = false;
    let mut in_header = false;
    let mut in_body = false;
    let mut seen_header = false;
    let mut seen_body = false;
    let mut in_from = false;
    let mut from_address_seen = false;
    // a header entry addressed to another actor: osp neither processes nor checks it
    let mut skip_entry = false;
    let mut capture = Capture::None;
    let mut captured = String::new();
    let mut wsa = WsaHeaders::default();
    let mut not_understood: Option<String> = None;
    let mut body_bindings: Vec<(Option<String>, String)> = Vec::new();
    let mut root: Option<(String, String, usize, usize)> = None; // ns, local, start, tag end
    let mut root_end: Option<usize> = None;

    loop {
        let before = pos(&reader);
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (resolved(ns), event),
            Err(e) => return Err(malformed(text, pos_err(&reader), &e.to_string())),
        };
        let place = Place {
            depth,
            in_header,
            in_body,
        };
        match event {
            Event::Decl(decl) => {
                let version = decl
                    .version()
                    .map_err(|e| malformed(text, before, &e.to_string()))?;
                if version != "1.0" {
                    return Err(located(
                        FaultCode::DK0004,
                        text,
                        before,
                        &format!(
                            "XML-versie {} wordt niet ondersteund; gebruik 1.0",
                            quote(&version)
                        ),
                    ));
                }
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| malformed(text, before, &e.to_string()))?;
                    if !enc.eq_ignore_ascii_case("utf-8") {
                        return Err(Fault::new(
                            FaultCode::DK0009,
                            format!(
                                "XML-declaratie noemt encoding {}; alleen UTF-8 is toegestaan",
                                quote(&enc)
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
            Event::PI(_) => {
                // SOAP 1.1 §3: a SOAP message MUST NOT contain processing instructions
                return Err(located(
                    FaultCode::DK0004,
                    text,
                    before,
                    "processing instructions zijn niet toegestaan in een SOAP-bericht",
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
                } else {
                    stray_text(place, c.encode_utf8(&mut [0u8; 4]), text, before)?;
                }
            }
            Event::Text(t) => {
                if capture != Capture::None {
                    captured.push_str(&t.xml10_content());
                } else {
                    stray_text(place, &t.xml10_content(), text, before)?;
                }
            }
            Event::CData(c) => {
                if capture != Capture::None {
                    captured.push_str(&c.xml10_content());
                } else {
                    stray_text(place, &c.xml10_content(), text, before)?;
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
                        &format!("namespace-prefix {} is niet gedeclareerd", quote(&p)),
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
                if capture != Capture::None && wsa.invalid.is_none() {
                    wsa.invalid = Some(format!(
                        "wsa:{} mag alleen tekst bevatten, geen element {}",
                        capture.name(),
                        quote(&local)
                    ));
                }
                match level {
                    1 => {
                        if envelope_done {
                            return Err(malformed(text, before, "meer dan één root-element"));
                        }
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
                                format!("onverwacht element {} in soap:Envelope", quote(&local)),
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
                                    format!(
                                        "onverwacht element soap:{} in soap:Envelope",
                                        quote(&local)
                                    ),
                                ));
                            }
                        }
                    }
                    3 if in_header => {
                        let Some(entry_ns) = ns.as_deref() else {
                            return Err(located(
                                FaultCode::DK0001,
                                text,
                                before,
                                &format!("header-element {} heeft geen namespace", quote(&local)),
                            ));
                        };
                        let attrs = header_attributes(&reader, e, text, before)?;
                        if !attrs.for_osp {
                            skip_entry = !empty;
                        } else {
                            if attrs.must_understand
                                && !understood(entry_ns, &local)
                                && not_understood.is_none()
                            {
                                not_understood =
                                    Some(format!("{{{}}}{}", quote(entry_ns), quote(&local)));
                            }
                            if entry_ns == WSA_NS {
                                wsa_entry(
                                    &mut wsa,
                                    &local,
                                    empty,
                                    &mut capture,
                                    &mut captured,
                                    &mut in_from,
                                );
                                from_address_seen = false;
                            }
                        }
                    }
                    4 if in_from && ns.as_deref() == Some(WSA_NS) && local == "Address" => {
                        if from_address_seen && wsa.duplicate.is_none() {
                            wsa.duplicate = Some("From/Address".to_string());
                        }
                        from_address_seen = true;
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
                    1 => envelope_done = true,
                    2 => {
                        in_header = false;
                        in_body = false;
                    }
                    3 if in_header => {
                        if capture != Capture::None && !skip_entry {
                            store(&mut wsa, capture, std::mem::take(&mut captured));
                            capture = Capture::None;
                        }
                        in_from = false;
                        skip_entry = false;
                    }
                    3 if in_body => root_end = Some(pos(&reader)),
                    4 if capture == Capture::FromAddress => {
                        store(&mut wsa, capture, std::mem::take(&mut captured));
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
            Event::Comment(_) => {}
        }
    }
    if !seen_body {
        return Err(Fault::new(FaultCode::DK0001, "soap:Body ontbreekt"));
    }
    if let Some(name) = not_understood {
        return Err(Fault::new(
            FaultCode::MustUnderstand,
            format!("header {name} met soap:mustUnderstand=\"1\" wordt door osp niet verwerkt"),
        ));
    }
    let (Some((body_ns, body_local, start, tag_end)), Some(end)) = (root, root_end) else {
        return Err(Fault::new(
            FaultCode::DK0004,
            "soap:Body bevat geen element",
        ));
    };
    let body_xml = standalone_body(text, start, tag_end, end, &body_bindings)?;
    Ok(Envelope {
        wsa,
        body_ns,
        body_local,
        body_xml,
    })
}

/// Where the reader is, for judging character data outside any captured header.
#[derive(Clone, Copy)]
struct Place {
    depth: usize,
    in_header: bool,
    in_body: bool,
}

/// Character data where SOAP 1.1 allows only elements (and whitespace): before or after the
/// Envelope it is not XML at all, directly in Envelope or Header the envelope is invalid, directly
/// in Body there is no single body element.
fn stray_text(place: Place, content: &str, text: &str, at: usize) -> Result<(), Fault> {
    if content.trim().is_empty() {
        return Ok(());
    }
    match place.depth {
        0 => Err(malformed(text, at, "tekst buiten het root-element")),
        1 => Err(located(
            FaultCode::DK0001,
            text,
            at,
            "tekst direct in soap:Envelope",
        )),
        2 if place.in_header => Err(located(
            FaultCode::DK0001,
            text,
            at,
            "tekst direct in soap:Header",
        )),
        2 if place.in_body => Err(located(
            FaultCode::DK0004,
            text,
            at,
            "tekst direct in soap:Body",
        )),
        _ => Ok(()),
    }
}

/// Starts capturing a WS-Addressing header entry addressed to osp; notes a repeated one.
fn wsa_entry(
    wsa: &mut WsaHeaders,
    local: &str,
    empty: bool,
    capture: &mut Capture,
    captured: &mut String,
    in_from: &mut bool,
) {
    let (cap, dup) = match local {
        "To" => (Capture::To, wsa.to.is_some()),
        "Action" => (Capture::Action, wsa.action.is_some()),
        "MessageID" => (Capture::MessageId, wsa.message_id.is_some()),
        "From" => {
            let dup = wsa.from.is_some();
            if !dup {
                wsa.from = Some(None);
            }
            *in_from = !empty;
            if dup && wsa.duplicate.is_none() {
                wsa.duplicate = Some(local.to_string());
            }
            return;
        }
        _ => return,
    };
    if dup && wsa.duplicate.is_none() {
        wsa.duplicate = Some(local.to_string());
    }
    if empty {
        store(wsa, cap, String::new());
    } else {
        *capture = cap;
        captured.clear();
    }
}

/// The SOAP 1.1 attributes of a header entry that decide whether osp must process it.
struct HeaderAttributes {
    /// `soap:actor` absent, empty or `…/actor/next`: the entry is addressed to osp.
    for_osp: bool,
    /// `soap:mustUnderstand` is `1` (or `true`).
    must_understand: bool,
}

/// Reads `soap:actor` and `soap:mustUnderstand` (SOAP 1.1 §4.2.2–4.2.3) of a header entry.
/// Only the attributes in the SOAP 1.1 namespace count; a value other than 0/1/false/true makes
/// the envelope invalid (DK0001).
fn header_attributes<R>(
    reader: &NsReader<R>,
    e: &quick_xml::events::BytesStart<'_>,
    text: &str,
    at: usize,
) -> Result<HeaderAttributes, Fault> {
    let mut for_osp = true;
    let mut must_understand = false;
    for attr in e.attributes() {
        let attr = attr.map_err(|err| malformed(text, at, &err.to_string()))?;
        let (ns, local) = reader.resolver().resolve_attribute(attr.key);
        if !matches!(ns, ResolveResult::Bound(n) if n.as_ref() == SOAP11_NS) {
            continue;
        }
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| malformed(text, at, &err.to_string()))?;
        let value = value.trim();
        match local.as_ref() {
            "actor" => for_osp = value.is_empty() || value == SOAP11_ACTOR_NEXT,
            "mustUnderstand" => {
                must_understand = match value {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    other => {
                        return Err(located(
                            FaultCode::DK0001,
                            text,
                            at,
                            &format!(
                                "soap:mustUnderstand moet 0 of 1 zijn, niet {}",
                                quote(other)
                            ),
                        ))
                    }
                }
            }
            _ => {}
        }
    }
    Ok(HeaderAttributes {
        for_osp,
        must_understand,
    })
}

/// The header entries osp understands (SOAP 1.1 §4.2.3): the WS-Addressing headers it checks,
/// and `wsse:Security`, the header SPEC §11 verifies.
fn understood(ns: &str, local: &str) -> bool {
    (ns == WSA_NS && matches!(local, "To" | "Action" | "MessageID" | "From"))
        || (ns == WSSE_NS && local == "Security")
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
) -> Result<String, Fault> {
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
    // The carried declarations become attributes of the body root: the input guard's limit per
    // element holds for the document the validator and the register read, too (namespaces
    // declared on the Envelope and Header each within the limit could otherwise add up to
    // thousands on one element, the quadratic case of libxml2's attribute handling).
    let limit = osp_model::guard::Limits::default().max_attributes_per_element;
    let carried = extra.matches(" xmlns").count();
    if attribute_count(tag) + carried > limit {
        return Err(located(
            FaultCode::DK0004,
            text,
            start,
            &format!(
                "het body-element krijgt met de {carried} namespacedeclaraties in scope meer dan {limit} attributen"
            ),
        ));
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
    Ok(out)
}

/// Attributes (namespace declarations included) on a well-formed start tag: the `=` signs
/// outside quoted values.
fn attribute_count(tag: &str) -> usize {
    let mut quote = None;
    let mut n = 0;
    for c in tag.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '=') => n += 1,
            _ => {}
        }
    }
    n
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
        &format!("XML is niet welgevormd: {}", quote(detail)),
    );
    f.omschrijving = "XML is niet welgevormd".to_string();
    f
}
