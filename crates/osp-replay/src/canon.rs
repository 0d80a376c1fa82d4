//! Semantic XML comparison for replay: two documents are equal when they mean the same thing —
//! namespace prefixes, attribute order, comments and insignificant whitespace do not count, and
//! volatile values (SPEC §10) are masked before comparing.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use std::fmt::Write as _;

/// Text that replaces a masked value on both sides, so it shows up readably in diffs.
pub const MASK: &str = "~volatile~";

/// Why a document could not be put in canonical form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonError {
    /// The document is not well-formed XML.
    #[error("not well-formed XML at byte {position}: {message}")]
    Malformed {
        /// Byte offset the parser reported.
        position: u64,
        /// Parser message.
        message: String,
    },
    /// A prefix is used without a namespace declaration in scope.
    #[error("unbound namespace prefix {0:?}")]
    UnboundPrefix(String),
    /// The document has no root element.
    #[error("document has no root element")]
    Empty,
}

/// One element in canonical form: expanded name, sorted attributes, children, and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Namespace URI (empty for no namespace).
    pub ns: String,
    /// Local name.
    pub local: String,
    /// Attributes as (namespace, local, value), sorted; namespace declarations excluded.
    pub attrs: Vec<(String, String, String)>,
    /// Child elements in document order.
    pub children: Vec<Node>,
    /// Concatenated character content of this element with surrounding whitespace trimmed
    /// (mixed content does not occur in SOAP bodies).
    pub text: String,
}

/// Which values are volatile and masked before comparison.
#[derive(Debug, Clone)]
pub struct Masking {
    /// Local names whose text is masked wherever they appear.
    pub everywhere: Vec<String>,
    /// Local names masked only when they are direct children of the document's root: the
    /// response's own generated `identificatiecodeBedrijfsdocument`, while the one echoed inside
    /// `terugkoppeling` (the request's id) stays compared.
    pub root_children: Vec<String>,
}

impl Default for Masking {
    fn default() -> Self {
        Masking {
            everywhere: [
                "MessageID",
                "RelatesTo",
                "datumTijdBedrijfsdocument",
                "aanlevermoment",
                "aanmaakmoment",
                "berichtId",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            root_children: vec!["identificatiecodeBedrijfsdocument".to_string()],
        }
    }
}

/// Parses `xml` into canonical form; `None` masking compares every value.
pub fn parse(xml: &str, masking: Option<&Masking>) -> Result<Node, CanonError> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let position = reader.buffer_position();
        let (resolved, event) =
            reader
                .read_resolved_event()
                .map_err(|e| CanonError::Malformed {
                    position,
                    message: e.to_string(),
                })?;
        match event {
            Event::Start(start) => {
                let ns = namespace_of(resolved, start.name().as_ref())?;
                let node = open_node(&reader, ns, &start, position)?;
                stack.push(node);
            }
            Event::Empty(start) => {
                let ns = namespace_of(resolved, start.name().as_ref())?;
                let node = open_node(&reader, ns, &start, position)?;
                close(node, &mut stack, &mut root, masking);
            }
            Event::End(_) => {
                if let Some(mut node) = stack.pop() {
                    node.text = node.text.trim().to_string();
                    close(node, &mut stack, &mut root, masking);
                }
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    let raw = text.into_inner();
                    let unescaped =
                        quick_xml::escape::unescape(&raw).map_err(|e| CanonError::Malformed {
                            position,
                            message: e.to_string(),
                        })?;
                    top.text.push_str(&unescaped);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let entity = format!("&{};", r.into_inner());
                    let unescaped = quick_xml::escape::unescape(&entity).map_err(|e| {
                        CanonError::Malformed {
                            position,
                            message: e.to_string(),
                        }
                    })?;
                    top.text.push_str(&unescaped);
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data.into_inner());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    root.ok_or(CanonError::Empty)
}

fn open_node(
    reader: &NsReader<&[u8]>,
    ns: String,
    start: &quick_xml::events::BytesStart<'_>,
    position: u64,
) -> Result<Node, CanonError> {
    let malformed = |message: String| CanonError::Malformed { position, message };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(e.to_string()))?;
        let key = attr.key;
        let raw_key: &str = key.as_ref();
        if raw_key == "xmlns" || raw_key.starts_with("xmlns:") {
            continue;
        }
        let (ans, alocal) = reader.resolver().resolve_attribute(key);
        let ans = match ans {
            ResolveResult::Bound(n) => n.0.to_string(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(p) => return Err(CanonError::UnboundPrefix(p)),
        };
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| malformed(e.to_string()))?;
        attrs.push((ans, alocal.as_ref().to_string(), value.into_owned()));
    }
    attrs.sort();
    Ok(Node {
        ns,
        local: start.local_name().as_ref().to_string(),
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

fn namespace_of(resolved: ResolveResult<'_>, qname: &str) -> Result<String, CanonError> {
    match resolved {
        ResolveResult::Bound(n) => Ok(n.0.to_string()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(_) => Err(CanonError::UnboundPrefix(
            qname.split(':').next().unwrap_or_default().to_string(),
        )),
    }
}

fn close(mut node: Node, stack: &mut [Node], root: &mut Option<Node>, masking: Option<&Masking>) {
    if let Some(m) = masking {
        let is_root_child = stack.len() == 1;
        if !node.text.is_empty()
            && (m.everywhere.contains(&node.local)
                || (is_root_child && m.root_children.contains(&node.local)))
        {
            node.text = MASK.to_string();
        }
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

/// Renders a canonical tree as indented text with `{namespace}` shown once per change, so a
/// line diff of two renderings reads like the XML itself.
pub fn render(node: &Node) -> String {
    let mut out = String::new();
    render_into(node, 0, "", &mut out);
    out
}

fn render_into(node: &Node, depth: usize, parent_ns: &str, out: &mut String) {
    let indent = "  ".repeat(depth);
    let name = if node.ns == parent_ns || node.ns.is_empty() {
        node.local.clone()
    } else {
        format!("{{{}}}{}", node.ns, node.local)
    };
    let mut attrs = String::new();
    for (ns, local, value) in &node.attrs {
        if ns.is_empty() {
            let _ = write!(attrs, " {local}=\"{value}\"");
        } else {
            let _ = write!(attrs, " {{{ns}}}{local}=\"{value}\"");
        }
    }
    if node.children.is_empty() {
        let _ = writeln!(out, "{indent}<{name}{attrs}>{}</{}>", node.text, node.local);
    } else {
        let _ = writeln!(out, "{indent}<{name}{attrs}>");
        if !node.text.is_empty() {
            let _ = writeln!(out, "{indent}  {}", node.text);
        }
        for child in &node.children {
            render_into(child, depth + 1, &node.ns, out);
        }
        let _ = writeln!(out, "{indent}</{}>", node.local);
    }
}

/// Masks volatile values in `node`, treating `node` itself as the document root — call it on the
/// body child of an envelope so "direct children of the root" means the response's own header
/// fields, not the envelope's.
pub fn mask(node: &mut Node, m: &Masking) {
    fn walk(node: &mut Node, m: &Masking, is_root_child: bool) {
        if !node.text.is_empty()
            && (m.everywhere.contains(&node.local)
                || (is_root_child && m.root_children.contains(&node.local)))
        {
            node.text = MASK.to_string();
        }
        for c in &mut node.children {
            walk(c, m, false);
        }
    }
    for c in &mut node.children {
        walk(c, m, true);
    }
    if !node.text.is_empty() && m.everywhere.contains(&node.local) {
        node.text = MASK.to_string();
    }
}

/// A unified diff of the renderings of `expected` and `actual`, or `None` when they are equal.
pub fn diff(expected: &Node, actual: &Node) -> Option<String> {
    if expected == actual {
        return None;
    }
    let e = render(expected);
    let a = render(actual);
    let text = similar::TextDiff::from_lines(&e, &a)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_attribute_order_and_whitespace_do_not_count() {
        let a =
            r#"<a:r xmlns:a="urn:x" xmlns:b="urn:y" b:k="1" z="2"><a:c> v </a:c><!-- c --></a:r>"#;
        let b = "<r xmlns=\"urn:x\" z=\"2\" xmlns:q=\"urn:y\" q:k=\"1\">\n  <c>v</c>\n</r>";
        assert_eq!(parse(a, None).unwrap(), parse(b, None).unwrap());
    }

    #[test]
    fn namespace_differences_count() {
        let a = r#"<r xmlns="urn:x"><c>v</c></r>"#;
        let b = r#"<r xmlns="urn:x"><c xmlns="urn:z">v</c></r>"#;
        let d = diff(&parse(a, None).unwrap(), &parse(b, None).unwrap()).unwrap();
        assert!(d.contains("{urn:z}c"), "{d}");
    }

    #[test]
    fn values_and_order_count() {
        let a = r#"<r><c>1</c><d/></r>"#;
        let b = r#"<r><d/><c>1</c></r>"#;
        assert!(diff(&parse(a, None).unwrap(), &parse(b, None).unwrap()).is_some());
        let c = r#"<r><c>2</c><d/></r>"#;
        assert!(diff(&parse(a, None).unwrap(), &parse(c, None).unwrap()).is_some());
    }

    #[test]
    fn entities_are_resolved() {
        let a = r#"<r><c>a &amp; b &#65;</c></r>"#;
        let b = r#"<r><c><![CDATA[a & b A]]></c></r>"#;
        assert_eq!(parse(a, None).unwrap(), parse(b, None).unwrap());
    }

    #[test]
    fn volatile_values_are_masked_by_rule() {
        let m = Masking::default();
        let a = r#"<r><identificatiecodeBedrijfsdocument>x</identificatiecodeBedrijfsdocument><tk><identificatiecodeBedrijfsdocument>req-1</identificatiecodeBedrijfsdocument><aanlevermoment>2025-01-01T00:00:00Z</aanlevermoment></tk></r>"#;
        let b = r#"<r><identificatiecodeBedrijfsdocument>y</identificatiecodeBedrijfsdocument><tk><identificatiecodeBedrijfsdocument>req-1</identificatiecodeBedrijfsdocument><aanlevermoment>2026-01-01T00:00:00Z</aanlevermoment></tk></r>"#;
        assert_eq!(parse(a, Some(&m)).unwrap(), parse(b, Some(&m)).unwrap());
        // The same rule applied to a body cut out of an envelope (replay's path).
        let env =
            |x: &str| format!("<e:Envelope xmlns:e=\"urn:e\"><e:Body>{x}</e:Body></e:Envelope>");
        let mut ea = crate::runner::body_child(parse(&env(a), None).unwrap());
        let mut eb = crate::runner::body_child(parse(&env(b), None).unwrap());
        assert_ne!(ea, eb);
        mask(&mut ea, &m);
        mask(&mut eb, &m);
        assert_eq!(ea, eb);
        let c = b.replace("req-1", "req-2");
        assert_ne!(parse(a, Some(&m)).unwrap(), parse(&c, Some(&m)).unwrap());
        assert_ne!(parse(a, None).unwrap(), parse(b, None).unwrap());
    }

    #[test]
    fn malformed_and_unbound_are_errors() {
        assert!(matches!(
            parse("<r><c></r>", None),
            Err(CanonError::Malformed { .. })
        ));
        assert!(matches!(
            parse("<p:r/>", None),
            Err(CanonError::UnboundPrefix(_))
        ));
        assert_eq!(parse("  ", None), Err(CanonError::Empty));
    }
}
