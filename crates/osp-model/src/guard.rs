//! Cheap pre-parse of untrusted XML (SPEC §1 limits, §3 DK0004/DK0009): refuses oversized,
//! non-UTF-8, malformed and DTD/entity/external-reference documents before libxml2 or the
//! generated deserialiser ever sees them.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// XInclude namespace; an `xi:include` would make a parser fetch another document.
const XINCLUDE_NS: &[u8] = b"http://www.w3.org/2001/XInclude";

/// Configurable input limits (SPEC §1: body ≤ 4 MiB, depth ≤ 64, attributes and names bounded).
///
/// The attribute and name limits exist because the cost of a start tag is not linear in its
/// size: quick-xml's and libxml2's duplicate-attribute checks compare every attribute with every
/// earlier one, and libxml2 raises one schema error per undeclared attribute. 100,000
/// attributes on one element cost minutes of CPU. The defaults are far above anything a DUO
/// message carries: the XSDs declare no attributes at all, so a real message has only namespace
/// declarations (at most 4 per element and per document in `fixtures/`, plus a few dozen for a
/// signed envelope); its longest qualified name has 52 bytes, its longest attribute value (a
/// namespace URI) 71 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted document in bytes.
    pub max_bytes: usize,
    /// Deepest accepted element nesting (the root element is depth 1).
    pub max_depth: usize,
    /// Most attributes (namespace declarations included) on one element.
    pub max_attributes_per_element: usize,
    /// Most attributes (namespace declarations included) in the whole document.
    pub max_attributes: usize,
    /// Longest element or attribute name, prefix included, in bytes.
    pub max_name_bytes: usize,
    /// Longest attribute value as written (before unescaping), in bytes.
    pub max_attribute_value_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_attributes_per_element: 256,
            max_attributes: 16 * 1024,
            max_name_bytes: 256,
            max_attribute_value_bytes: 4 * 1024,
        }
    }
}

/// Which of the attribute and name limits of [`Limits`] a document broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_attributes_per_element`].
    AttributesPerElement,
    /// [`Limits::max_attributes`].
    Attributes,
    /// [`Limits::max_name_bytes`] (an element or attribute name).
    NameBytes,
    /// [`Limits::max_attribute_value_bytes`].
    AttributeValueBytes,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Limit::AttributesPerElement => "number of attributes on one element",
            Limit::Attributes => "number of attributes in the document",
            Limit::NameBytes => "length of an element or attribute name in bytes",
            Limit::AttributeValueBytes => "length of an attribute value in bytes",
        })
    }
}

/// Why a document was refused before validation; each kind maps to its own SOAP fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The document exceeds `Limits::max_bytes` (HTTP 413 + DK0004).
    #[error("document of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the document.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Invalid UTF-8 bytes or a declaration naming another encoding (DK0009).
    #[error("not UTF-8 at line {regel}, column {kolom}: {melding}")]
    NotUtf8 {
        /// 1-based line.
        regel: u32,
        /// 1-based column (in bytes).
        kolom: u32,
        /// What was found.
        melding: String,
    },
    /// Not well-formed XML (incl. unbound namespace prefixes) (DK0004).
    #[error("malformed XML at line {regel}, column {kolom}: {melding}")]
    Malformed {
        /// 1-based line.
        regel: u32,
        /// 1-based column (in bytes).
        kolom: u32,
        /// What is wrong.
        melding: String,
    },
    /// A document type declaration (`<!DOCTYPE`) without external identifier (DK0004).
    #[error("DTD not allowed (line {regel}, column {kolom})")]
    Dtd {
        /// 1-based line.
        regel: u32,
        /// 1-based column.
        kolom: u32,
    },
    /// An entity declaration or a reference to a non-predefined entity (DK0004).
    #[error(
        "entity declaration or reference not allowed (line {regel}, column {kolom}): {melding}"
    )]
    Entity {
        /// 1-based line.
        regel: u32,
        /// 1-based column.
        kolom: u32,
        /// The entity involved.
        melding: String,
    },
    /// A reference to another resource: DOCTYPE SYSTEM/PUBLIC, `xi:include`, or a processing
    /// instruction (DK0004).
    #[error("external reference not allowed (line {regel}, column {kolom}): {melding}")]
    ExternalReference {
        /// 1-based line.
        regel: u32,
        /// 1-based column.
        kolom: u32,
        /// The reference found.
        melding: String,
    },
    /// An attribute count or a name or value length above its [`Limits`] bound (DK0004).
    #[error("{limit} exceeds {max} at line {regel}, column {kolom}")]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its configured value.
        max: usize,
        /// 1-based line of the start tag.
        regel: u32,
        /// 1-based column of the start tag.
        kolom: u32,
    },
    /// Elements nested deeper than `Limits::max_depth` (DK0004).
    #[error("nesting depth exceeds {limit} at line {regel}, column {kolom}")]
    TooDeep {
        /// The configured limit.
        limit: usize,
        /// 1-based line.
        regel: u32,
        /// 1-based column.
        kolom: u32,
    },
}

impl InputError {
    /// True when the refusal is about the character encoding (DK0009 rather than DK0004).
    pub fn is_encoding(&self) -> bool {
        matches!(self, InputError::NotUtf8 { .. })
    }
}

/// 1-based (line, column) of a byte offset; columns count bytes, like libxml2's.
pub fn line_column(xml: &[u8], offset: usize) -> (u32, u32) {
    let end = offset.min(xml.len());
    let before = &xml[..end];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let col = match before.iter().rposition(|b| *b == b'\n') {
        Some(nl) => end - nl,
        None => end + 1,
    };
    (clamp_u32(line), clamp_u32(col))
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Scans `xml` once and refuses it when it breaks a limit or is not plain, self-contained,
/// well-formed UTF-8 XML with exactly one root element.
pub fn check(xml: &[u8], limits: &Limits) -> Result<(), InputError> {
    if xml.len() > limits.max_bytes {
        return Err(InputError::TooLarge {
            size: xml.len(),
            limit: limits.max_bytes,
        });
    }
    if xml.starts_with(&[0xFE, 0xFF]) || xml.starts_with(&[0xFF, 0xFE]) {
        return Err(InputError::NotUtf8 {
            regel: 1,
            kolom: 1,
            melding: "UTF-16 byte order mark".into(),
        });
    }
    let text = match std::str::from_utf8(xml) {
        Ok(t) => t,
        Err(e) => {
            let (regel, kolom) = line_column(xml, e.valid_up_to());
            return Err(InputError::NotUtf8 {
                regel,
                kolom,
                melding: "invalid UTF-8 byte sequence".into(),
            });
        }
    };
    if let Some((offset, c)) = forbidden_char(text) {
        let (regel, kolom) = line_column(xml, offset);
        return Err(InputError::Malformed {
            regel,
            kolom,
            melding: format!("character U+{:04X} is not allowed in XML", u32::from(c)),
        });
    }
    // quick-xml reports a BOM as text; strip it (a UTF-8 BOM is allowed).
    let (text, skipped) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    Scan {
        xml,
        skipped,
        limits,
        attributes: std::cell::Cell::new(0),
    }
    .run(text)
}

/// XML 1.0 `Char`: tab, newline, carriage return, and U+0020 and up except U+FFFE and U+FFFF
/// (surrogates cannot occur in a Rust `char`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

/// Byte offset and value of the first character XML 1.0 forbids anywhere in a document (a raw
/// NUL, other C0 controls, U+FFFE, U+FFFF). quick-xml passes them through as text, and libxml2
/// would then report them as schema errors instead of as not well-formed.
fn forbidden_char(text: &str) -> Option<(usize, char)> {
    // Only bytes below 0x20 and the lead byte 0xEF of U+FFFE/U+FFFF can start a forbidden
    // character; skip everything else without decoding.
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(off) = bytes.get(i..)?.iter().position(|b| *b < 0x20 || *b == 0xEF) {
        let at = i + off;
        let c = text.get(at..)?.chars().next()?;
        if !is_xml_char(c) {
            return Some((at, c));
        }
        i = at + c.len_utf8();
    }
    None
}

/// State of one scan; positions are reported relative to the original bytes.
struct Scan<'a> {
    xml: &'a [u8],
    skipped: usize,
    limits: &'a Limits,
    /// Attributes seen so far in the document.
    attributes: std::cell::Cell<usize>,
}

impl Scan<'_> {
    fn at(&self, pos: u64) -> (u32, u32) {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .saturating_add(self.skipped);
        line_column(self.xml, pos)
    }

    fn malformed(&self, pos: u64, melding: impl Into<String>) -> InputError {
        let (regel, kolom) = self.at(pos);
        InputError::Malformed {
            regel,
            kolom,
            melding: melding.into(),
        }
    }

    fn over(&self, pos: u64, limit: Limit, max: usize) -> InputError {
        let (regel, kolom) = self.at(pos);
        InputError::LimitExceeded {
            limit,
            max,
            regel,
            kolom,
        }
    }

    fn run(&self, text: &str) -> Result<(), InputError> {
        let mut reader = NsReader::from_str(text);
        reader.config_mut().check_comments = true;
        let mut depth = 0usize;
        let mut roots = 0usize;
        let mut first_event = true;
        loop {
            let start = reader.buffer_position();
            let (ns, event) = match reader.read_resolved_event() {
                Ok((ns, ev)) => (owned_ns(&ns), ev),
                Err(e) => return Err(self.classify(reader.error_position(), &e)),
            };
            let is_first = std::mem::replace(&mut first_event, false);
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    if depth == 0 {
                        roots += 1;
                        if roots > 1 {
                            return Err(self.malformed(start, "more than one root element"));
                        }
                    }
                    self.check_element(start, &ns, e, reader.resolver())?;
                    if matches!(event, Event::Start(_)) {
                        depth += 1;
                        if depth > self.limits.max_depth {
                            let (regel, kolom) = self.at(start);
                            return Err(InputError::TooDeep {
                                limit: self.limits.max_depth,
                                regel,
                                kolom,
                            });
                        }
                    } else if depth + 1 > self.limits.max_depth {
                        let (regel, kolom) = self.at(start);
                        return Err(InputError::TooDeep {
                            limit: self.limits.max_depth,
                            regel,
                            kolom,
                        });
                    }
                }
                Event::End(_) => depth = depth.saturating_sub(1),
                Event::Text(ref t) => {
                    if t.as_ref().contains("]]>") {
                        return Err(self.malformed(start, "']]>' in text"));
                    }
                    if depth == 0 && !t.as_ref().chars().all(|c| c.is_ascii_whitespace()) {
                        return Err(self.malformed(start, "text outside the root element"));
                    }
                }
                Event::CData(_) => {
                    if depth == 0 {
                        return Err(self.malformed(start, "CDATA outside the root element"));
                    }
                }
                Event::GeneralRef(ref r) => {
                    if depth == 0 {
                        return Err(self.malformed(start, "reference outside the root element"));
                    }
                    self.check_reference(start, r)?;
                }
                Event::Comment(_) => {}
                Event::Decl(ref d) => {
                    if !is_first {
                        return Err(self.malformed(start, "XML declaration not at the start"));
                    }
                    check_decl(d).map_err(|m| self.malformed(start, m))?;
                    if let Some(enc) = d.encoding() {
                        let enc = enc.map_err(|e| self.malformed(start, e.to_string()))?;
                        if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
                            let (regel, kolom) = self.at(start);
                            return Err(InputError::NotUtf8 {
                                regel,
                                kolom,
                                melding: format!("declared encoding {enc}"),
                            });
                        }
                    }
                }
                Event::PI(ref pi) => {
                    let (regel, kolom) = self.at(start);
                    return Err(InputError::ExternalReference {
                        regel,
                        kolom,
                        melding: format!("processing instruction <?{}", pi.target()),
                    });
                }
                Event::DocType(ref d) => return Err(self.doctype(start, d)),
                Event::Eof => break,
            }
        }
        if depth > 0 {
            return Err(self.malformed(
                reader.buffer_position(),
                "unclosed element at end of document",
            ));
        }
        if roots == 0 {
            return Err(self.malformed(reader.buffer_position(), "no root element"));
        }
        Ok(())
    }

    fn check_element(
        &self,
        pos: u64,
        ns: &Option<Vec<u8>>,
        e: &quick_xml::events::BytesStart<'_>,
        resolver: &quick_xml::name::NamespaceResolver,
    ) -> Result<(), InputError> {
        if let Some(uri) = ns {
            if uri.as_slice() == XINCLUDE_NS {
                let (regel, kolom) = self.at(pos);
                return Err(InputError::ExternalReference {
                    regel,
                    kolom,
                    melding: "XInclude element".into(),
                });
            }
        } else if e.name().prefix().is_some() {
            return Err(self.malformed(pos, "unbound namespace prefix"));
        }
        let limits = self.limits;
        if e.name().as_ref().len() > limits.max_name_bytes {
            return Err(self.over(pos, Limit::NameBytes, limits.max_name_bytes));
        }
        if !is_qname(e.name().as_ref()) {
            return Err(self.malformed(pos, "invalid element name"));
        }
        // quick-xml resolves the reserved prefix `xmlns` on an element; Namespaces in XML forbid it.
        if e.name().as_ref().starts_with("xmlns:") {
            return Err(self.malformed(pos, "element with the prefix xmlns"));
        }
        if !attributes_separated(e.as_ref()) {
            return Err(self.malformed(pos, "attributes not separated by white space"));
        }
        // Counted while iterating: quick-xml's duplicate check makes each further attribute
        // cost more than the last, so the scan stops at the first one over the limit.
        for (n, attr) in e.attributes().enumerate() {
            if n >= limits.max_attributes_per_element {
                return Err(self.over(
                    pos,
                    Limit::AttributesPerElement,
                    limits.max_attributes_per_element,
                ));
            }
            let total = self.attributes.get() + 1;
            if total > limits.max_attributes {
                return Err(self.over(pos, Limit::Attributes, limits.max_attributes));
            }
            self.attributes.set(total);
            let attr = attr.map_err(|err| self.malformed(pos, err.to_string()))?;
            if attr.key.as_ref().len() > limits.max_name_bytes {
                return Err(self.over(pos, Limit::NameBytes, limits.max_name_bytes));
            }
            if !is_qname(attr.key.as_ref()) {
                return Err(self.malformed(pos, "invalid attribute name"));
            }
            let declaration =
                attr.key.as_ref() == "xmlns" || attr.key.as_ref().starts_with("xmlns:");
            if declaration {
                check_declaration(attr.key.as_ref(), attr.value.as_ref())
                    .map_err(|m| self.malformed(pos, m))?;
            }
            if !declaration
                && attr.key.prefix().is_some()
                && !matches!(
                    resolver.resolve_attribute(attr.key).0,
                    ResolveResult::Bound(_)
                )
            {
                return Err(self.malformed(pos, "unbound namespace prefix on an attribute"));
            }
            if attr.value.len() > limits.max_attribute_value_bytes {
                return Err(self.over(
                    pos,
                    Limit::AttributeValueBytes,
                    limits.max_attribute_value_bytes,
                ));
            }
            let value: &str = attr.value.as_ref();
            // quick-xml reads up to the closing quote; XML forbids a raw `<` before it.
            if value.contains('<') {
                return Err(self.malformed(pos, "'<' in an attribute value"));
            }
            // Attribute values may hold only predefined entity and character references.
            let mut rest = value;
            while let Some(amp) = rest.find('&') {
                let tail = &rest[amp + 1..];
                let Some(semi) = tail.find(';') else {
                    return Err(self.malformed(pos, "unterminated reference in attribute"));
                };
                let name = tail[..semi].to_string();
                if name.starts_with('#') {
                    check_char_ref(&name).map_err(|m| self.malformed(pos, m))?;
                } else {
                    check_ref_name(&name).map_err(|m| self.entity(pos, m))?;
                }
                rest = &tail[semi + 1..];
            }
        }
        Ok(())
    }

    fn check_reference(
        &self,
        pos: u64,
        r: &quick_xml::events::BytesRef<'_>,
    ) -> Result<(), InputError> {
        if r.is_char_ref() {
            return match r.resolve_char_ref() {
                Ok(Some(c)) if is_xml_char(c) => Ok(()),
                _ => Err(self.malformed(pos, "invalid character reference")),
            };
        }
        let name: String = r.as_ref().to_string();
        check_ref_name(&name).map_err(|m| self.entity(pos, m))
    }

    fn entity(&self, pos: u64, melding: String) -> InputError {
        let (regel, kolom) = self.at(pos);
        InputError::Entity {
            regel,
            kolom,
            melding,
        }
    }

    fn doctype(&self, pos: u64, d: &quick_xml::events::BytesText<'_>) -> InputError {
        let (regel, kolom) = self.at(pos);
        let body: String = d.as_ref().to_string();
        if body.contains("<!ENTITY") {
            return InputError::Entity {
                regel,
                kolom,
                melding: "entity declaration".into(),
            };
        }
        let head = body.split('[').next().unwrap_or_default();
        if head
            .split_ascii_whitespace()
            .any(|w| w == "SYSTEM" || w == "PUBLIC")
        {
            return InputError::ExternalReference {
                regel,
                kolom,
                melding: "DOCTYPE with external identifier".into(),
            };
        }
        InputError::Dtd { regel, kolom }
    }

    fn classify(&self, pos: u64, e: &quick_xml::Error) -> InputError {
        use quick_xml::errors::{Error, SyntaxError};
        match e {
            Error::Syntax(SyntaxError::UnclosedDoctype) => {
                let (regel, kolom) = self.at(pos);
                InputError::Dtd { regel, kolom }
            }
            Error::Escape(_) => self.entity(pos, e.to_string()),
            _ => self.malformed(pos, e.to_string()),
        }
    }
}

/// XML 1.0 (fifth edition) `NameStartChar`, without the colon.
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 (fifth edition) `NameChar`, without the colon.
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// A namespace-aware qualified name: `NCName` or `NCName:NCName`. quick-xml takes whatever
/// sits between `<` and white space as a name; libxml2 refuses anything else.
fn is_qname(name: &str) -> bool {
    let ncname = |n: &str| {
        let mut chars = n.chars();
        chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
    };
    match name.split_once(':') {
        Some((prefix, local)) => ncname(prefix) && ncname(local),
        None => ncname(name),
    }
}

/// True when every attribute value in a start tag's content is followed by white space, `/`
/// or the end: quick-xml also reads `a="1"b="2"`, which XML does not allow.
fn attributes_separated(tag: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut closed = false;
    for c in tag.chars() {
        if closed && !(is_s(c) || c == '/') {
            return false;
        }
        closed = false;
        match quote {
            Some(q) if c == q => {
                quote = None;
                closed = true;
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    true
}

/// The rules Namespaces in XML 1.0 set on declarations (`xmlns` / `xmlns:p`, value as written),
/// which libxml2 enforces and quick-xml does not.
fn check_declaration(key: &str, value: &str) -> Result<(), &'static str> {
    const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
    const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
    match key.strip_prefix("xmlns:") {
        Some("xmlns") => Err("the prefix xmlns cannot be declared"),
        Some("xml") if value != XML_NS => Err("the prefix xml bound to another namespace"),
        Some(p) if p != "xml" && value == XML_NS => {
            Err("the XML namespace bound to another prefix")
        }
        Some(_) if value.is_empty() => Err("a prefix cannot be bound to the empty namespace"),
        None if value == XML_NS => Err("the XML namespace as the default namespace"),
        _ if value == XMLNS_NS => Err("the xmlns namespace cannot be declared"),
        _ => Ok(()),
    }
}

/// XML 1.0 white space.
fn is_s(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Checks an XML declaration's content (between `<?` and `?>`) against XML 1.0 `XMLDecl`:
/// `version`, then optionally `encoding` and `standalone`, in that order, each after white
/// space. quick-xml reads the pseudo-attributes leniently; libxml2 does not.
fn check_decl(content: &str) -> Result<(), &'static str> {
    const NAMES: [&str; 3] = ["version", "encoding", "standalone"];
    let mut rest = content
        .strip_prefix("xml")
        .ok_or("malformed XML declaration")?;
    let mut next = 0;
    loop {
        let trimmed = rest.trim_start_matches(is_s);
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err("white space expected in the XML declaration");
        }
        let name_end = trimmed
            .find(|c: char| c == '=' || is_s(c))
            .ok_or("'=' expected in the XML declaration")?;
        let name = &trimmed[..name_end];
        let index = NAMES
            .iter()
            .position(|n| *n == name)
            .filter(|i| *i >= next && (next > 0 || *i == 0))
            .ok_or("unexpected pseudo-attribute in the XML declaration")?;
        next = index + 1;
        let after = trimmed[name_end..]
            .trim_start_matches(is_s)
            .strip_prefix('=')
            .ok_or("'=' expected in the XML declaration")?
            .trim_start_matches(is_s);
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or("quoted value expected in the XML declaration")?;
        let body = &after[1..];
        let close = body
            .find(quote)
            .ok_or("unterminated value in the XML declaration")?;
        let value = &body[..close];
        let ok = match index {
            0 => value
                .strip_prefix("1.")
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())),
            1 => {
                let mut b = value.bytes();
                b.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
            }
            _ => value == "yes" || value == "no",
        };
        if !ok {
            return Err("invalid value in the XML declaration");
        }
        rest = &body[close + 1..];
    }
    if next == 0 {
        return Err("version missing in the XML declaration");
    }
    Ok(())
}

/// Accepts the five predefined entities.
fn check_ref_name(name: &str) -> Result<(), String> {
    match name {
        "lt" | "gt" | "amp" | "apos" | "quot" => Ok(()),
        _ => Err(format!("undeclared entity &{name};")),
    }
}

/// Accepts a character reference (`#65`, `#x41`) to a character XML 1.0 allows.
fn check_char_ref(name: &str) -> Result<(), String> {
    // `from_str_radix` and `parse` also accept a leading `+`, which XML does not.
    let code = if let Some(hex) = name.strip_prefix("#x") {
        hex.bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(hex, 16).ok())
            .flatten()
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| dec.parse::<u32>().ok())
            .flatten()
    } else {
        None
    };
    match code.and_then(char::from_u32) {
        Some(c) if is_xml_char(c) => Ok(()),
        _ => Err(format!("invalid character reference &{name};")),
    }
}

fn owned_ns(ns: &ResolveResult<'_>) -> Option<Vec<u8>> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().as_bytes().to_vec()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chk(s: &str) -> Result<(), InputError> {
        check(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn accepts_plain_documents() {
        chk("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:x\"><b c=\"&amp;&#65;\">x &lt; y &#x41;</b><!-- c --></a>\n").unwrap();
        chk("\n\n  <p:a xmlns:p=\"urn:x\"><p:b/></p:a>").unwrap();
        chk("\u{feff}<a/>").unwrap();
        chk("<?xml version='1.0' encoding = 'utf-8'\nstandalone=\"yes\" ?><a/>").unwrap();
        chk("<?xml version=\"1.1\"?><a/>").unwrap();
        chk("<a b=\"]]>\">]]&gt;]]</a>").unwrap();
        chk("<a xmlns:p=\"urn:x\"><b p:c=\"1\" xml:lang=\"nl\"/></a>").unwrap();
        chk("<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\" xmlns=\"\"/>").unwrap();
        chk("<xml:a/>").unwrap();
        chk("<_a.b-c\u{B7}d\u{E9} x\u{300}=\"1\" _:y=\"2\" xmlns:_=\"urn:x\"/>").unwrap();
    }

    #[test]
    fn refuses_size() {
        let l = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            check(b"<a>0123456789</a>", &l),
            Err(InputError::TooLarge {
                size: 17,
                limit: 10
            })
        ));
    }

    #[test]
    fn refuses_non_utf8() {
        let e = check(b"<a>\n\xff</a>", &Limits::default()).unwrap_err();
        assert_eq!(
            e,
            InputError::NotUtf8 {
                regel: 2,
                kolom: 1,
                melding: "invalid UTF-8 byte sequence".into()
            }
        );
        assert!(e.is_encoding());
        let e = chk("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>").unwrap_err();
        assert!(matches!(e, InputError::NotUtf8 { .. }), "{e:?}");
        assert!(matches!(
            check(&[0xFF, 0xFE, b'<', 0], &Limits::default()),
            Err(InputError::NotUtf8 { .. })
        ));
    }

    #[test]
    fn refuses_malformed() {
        for s in [
            "<a><b></a>",
            "<a>",
            "",
            "   ",
            "<a/><b/>",
            "x<a/>",
            "<a/>x",
            "<a b=\"1\" b=\"2\"/>",
            "<p:a/>",
            "<a><p:b/></a>",
            "<a>&</a>",
            "<a><!-- x -- y --></a>",
            "<a/><?xml version=\"1.0\"?>",
            "<a b=\"<\"/>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"&amp;?><a/>",
            "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>",
            "<?xml encoding=\"UTF-8\" version=\"1.0\"?><a/>",
            "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
            "<?xml version=\"2.0\"?><a/>",
            "<?xml version='1.0\"?><a/>",
            "<?xml?><a/>",
            "<a>x]]>y</a>",
            "<a 1b=\"v\"/>",
            "<a b-=\"v\" 2025-13-45z=\"v\"/>",
            "<1a/>",
            "<a:b:c xmlns:a=\"urn:x\"/>",
            "<a xmlns:=\"urn:x\"/>",
            "<\u{B7}a/>",
            "<a b=\"1\"c=\"2\"/>",
            "<m lxmlns:idp=''/>",
            "<a><b p:c=\"1\"/></a>",
            "<a><b xmlns:p=\"urn:x\"/><c p:d=\"1\"/></a>",
            "<xmlns:insob/>",
            "<a xmlns:xmlns=\"urn:x\"/>",
            "<a xmlns:xml=\"urn:x\"/>",
            "<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>",
            "<a xmlns=\"http://www.w3.org/XML/1998/namespace\"/>",
            "<a xmlns:p=\"http://www.w3.org/2000/xmlns/\"/>",
            "<a xmlns=\"http://www.w3.org/2000/xmlns/\"/>",
            "<a xmlns:p=\"\"/>",
            "<a b='1'c='2'></a>",
            "<a b='x<y'></a>",
        ] {
            let e = chk(s).unwrap_err();
            assert!(matches!(e, InputError::Malformed { .. }), "{s}: {e:?}");
        }
        let e = chk("<a>\n  <b></c>\n</a>").unwrap_err();
        let InputError::Malformed { regel, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(regel, 2);
    }

    #[test]
    fn refuses_dtd_entities_and_external_references() {
        assert!(matches!(
            chk("<!DOCTYPE a><a/>"),
            Err(InputError::Dtd { regel: 1, kolom: 1 })
        ));
        assert!(matches!(
            chk("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
            Err(InputError::Entity { .. })
        ));
        assert!(matches!(chk("<a>&x;</a>"), Err(InputError::Entity { .. })));
        assert!(matches!(
            chk("<a b=\"&x;\"/>"),
            Err(InputError::Entity { .. })
        ));
        assert!(matches!(
            chk("<a>&#0;</a>"),
            Err(InputError::Malformed { .. })
        ));
        assert!(matches!(
            chk("<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>"),
            Err(InputError::ExternalReference { .. })
        ));
        assert!(matches!(
            chk("<!DOCTYPE a PUBLIC \"-//x\" \"http://x\"><a/>"),
            Err(InputError::ExternalReference { .. })
        ));
        assert!(matches!(
            chk("<a xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"/etc/passwd\"/></a>"),
            Err(InputError::ExternalReference { .. })
        ));
        assert!(matches!(
            chk("<?xml-stylesheet href=\"x\"?><a/>"),
            Err(InputError::ExternalReference { .. })
        ));
    }

    #[test]
    fn refuses_depth() {
        let l = Limits {
            max_bytes: 1 << 20,
            max_depth: 3,
            ..Limits::default()
        };
        check(b"<a><b><c/></b></a>", &l).unwrap();
        check(b"<a><b><c></c></b></a>", &l).unwrap();
        assert!(matches!(
            check(b"<a><b><c><d/></c></b></a>", &l),
            Err(InputError::TooDeep { limit: 3, .. })
        ));
        assert!(matches!(
            check(b"<a><b><c><d></d></c></b></a>", &l),
            Err(InputError::TooDeep { limit: 3, .. })
        ));
        let deep = format!("{}{}", "<a>".repeat(65), "</a>".repeat(65));
        assert!(matches!(
            chk(&deep),
            Err(InputError::TooDeep { limit: 64, .. })
        ));
    }

    /// `<r a0="v" a1="v" …/>` with `n` attributes.
    fn with_attributes(n: usize) -> String {
        let attrs: String = (0..n).map(|i| format!(" a{i}=\"v\"")).collect();
        format!("<r{attrs}/>")
    }

    fn over(r: Result<(), InputError>) -> Option<(Limit, usize)> {
        match r {
            Err(InputError::LimitExceeded { limit, max, .. }) => Some((limit, max)),
            _ => None,
        }
    }

    #[test]
    fn attributes_per_element_at_and_over_the_limit() {
        let max = Limits::default().max_attributes_per_element;
        chk(&with_attributes(max)).unwrap();
        assert_eq!(
            over(chk(&with_attributes(max + 1))),
            Some((Limit::AttributesPerElement, max))
        );
        // Namespace declarations count as attributes.
        let l = Limits {
            max_attributes_per_element: 2,
            ..Limits::default()
        };
        check(
            b"<p:r xmlns:p=\"urn:x\" p:a=\"1\"><s b=\"1\" c=\"2\"/></p:r>",
            &l,
        )
        .unwrap();
        assert_eq!(
            over(check(b"<p:r xmlns:p=\"urn:x\" p:a=\"1\" b=\"2\"/>", &l)),
            Some((Limit::AttributesPerElement, 2))
        );
    }

    #[test]
    fn attributes_per_document_at_and_over_the_limit() {
        let l = Limits {
            max_attributes: 4,
            ..Limits::default()
        };
        let ok = b"<r a=\"1\" b=\"2\"><s c=\"3\"/><s d=\"4\"></s></r>";
        check(ok, &l).unwrap();
        let e = check(
            b"<r a=\"1\" b=\"2\"><s c=\"3\"/><s d=\"4\"/>\n<s e=\"5\"/></r>",
            &l,
        )
        .unwrap_err();
        assert_eq!(
            e,
            InputError::LimitExceeded {
                limit: Limit::Attributes,
                max: 4,
                regel: 2,
                kolom: 1
            }
        );
        // The default: spread over elements, within each element's own limit.
        let max = Limits::default().max_attributes;
        let per = Limits::default().max_attributes_per_element;
        let doc = |n: usize| {
            let full = with_attributes(per).replace("<r", "<s");
            let rest = with_attributes(n % per).replace("<r", "<s");
            format!("<r>{}{rest}</r>", full.repeat(n / per))
        };
        chk(&doc(max)).unwrap();
        assert_eq!(over(chk(&doc(max + 1))), Some((Limit::Attributes, max)));
    }

    #[test]
    fn name_lengths_at_and_over_the_limit() {
        let max = Limits::default().max_name_bytes;
        let name = |n: usize| "n".repeat(n);
        chk(&format!("<{0}></{0}>", name(max))).unwrap();
        assert_eq!(
            over(chk(&format!("<{0}></{0}>", name(max + 1)))),
            Some((Limit::NameBytes, max))
        );
        // The prefix counts.
        chk(&format!("<p:{0} xmlns:p=\"urn:x\"/>", name(max - 2))).unwrap();
        assert_eq!(
            over(chk(&format!("<p:{0} xmlns:p=\"urn:x\"/>", name(max - 1)))),
            Some((Limit::NameBytes, max))
        );
        chk(&format!("<r {}=\"v\"/>", name(max))).unwrap();
        assert_eq!(
            over(chk(&format!("<r {}=\"v\"/>", name(max + 1)))),
            Some((Limit::NameBytes, max))
        );
    }

    #[test]
    fn attribute_value_length_at_and_over_the_limit() {
        let max = Limits::default().max_attribute_value_bytes;
        chk(&format!("<r a=\"{}\"/>", "v".repeat(max))).unwrap();
        assert_eq!(
            over(chk(&format!("<r a=\"{}\"/>", "v".repeat(max + 1)))),
            Some((Limit::AttributeValueBytes, max))
        );
        // As written: an escaped character counts with its reference.
        chk(&format!("<r a=\"{}&amp;\"/>", "v".repeat(max - 5))).unwrap();
        assert!(over(chk(&format!("<r a=\"{}&amp;\"/>", "v".repeat(max - 4)))).is_some());
    }

    #[test]
    fn hundred_thousand_attributes_are_refused_early() {
        let doc = with_attributes(100_000);
        let t = std::time::Instant::now();
        let r = chk(&doc);
        eprintln!(
            "guard refused {} bytes with 100000 attributes in {:?}",
            doc.len(),
            t.elapsed()
        );
        assert_eq!(
            r,
            Err(InputError::LimitExceeded {
                limit: Limit::AttributesPerElement,
                max: 256,
                regel: 1,
                kolom: 1
            })
        );
    }

    #[test]
    fn refuses_characters_xml_forbids() {
        let mut forbidden: Vec<char> = (0u8..0x20)
            .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'))
            .map(char::from)
            .collect();
        forbidden.extend(['\u{fffe}', '\u{ffff}']);
        for c in forbidden {
            for doc in [
                format!("<a>\n x{c}</a>"),
                format!("<a>\n <b c=\"{c}\"/></a>"),
            ] {
                let e = chk(&doc).unwrap_err();
                let InputError::Malformed { regel, kolom, .. } = e else {
                    panic!("U+{:04X}: {e:?}", u32::from(c))
                };
                let col = if doc.contains("<b") { 8 } else { 3 };
                assert_eq!((regel, kolom), (2, col), "U+{:04X}", u32::from(c));
            }
        }
        // A raw NUL after a BOM: the column counts the BOM's bytes, like libxml2's.
        assert!(matches!(
            check(b"\xEF\xBB\xBF<a>\0</a>", &Limits::default()),
            Err(InputError::Malformed {
                regel: 1,
                kolom: 7,
                ..
            })
        ));
        // Near misses: every other character is allowed, including C1 controls and U+FFFD.
        for c in [
            '\t',
            '\r',
            ' ',
            '\u{7f}',
            '\u{85}',
            '\u{d7ff}',
            '\u{e000}',
            '\u{fffd}',
            '\u{10000}',
            '\u{10ffff}',
            '\u{efbf}',
        ] {
            chk(&format!("<a b=\"{c}\">{c}</a>")).unwrap();
        }
    }

    #[test]
    fn refuses_references_to_characters_xml_forbids() {
        for r in [
            "&#1;", "&#x1F;", "&#xFFFE;", "&#65535;", "&#x+41;", "&#+65;", "&#xD800;",
        ] {
            for doc in [format!("<a>{r}</a>"), format!("<a b=\"{r}\"/>")] {
                let e = chk(&doc).unwrap_err();
                assert!(matches!(e, InputError::Malformed { .. }), "{doc}: {e:?}");
            }
        }
        for r in ["&#9;", "&#xA;", "&#13;", "&#32;", "&#xFFFD;", "&#x10FFFF;"] {
            chk(&format!("<a b=\"{r}\">{r}</a>")).unwrap();
        }
    }

    #[test]
    fn line_columns() {
        assert_eq!(line_column(b"ab\ncd", 0), (1, 1));
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column(b"ab", 99), (1, 3));
    }
}
