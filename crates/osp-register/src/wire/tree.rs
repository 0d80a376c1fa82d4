//! A small namespace-resolved element tree over quick-xml: bodies are ≤ 4 MiB and schema-valid,
//! so reading them whole keeps the mapping code plain.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Why a body could not be read; never shown to clients verbatim (mapped to DK0050).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WireError {
    /// The XML itself is broken (the gateway should have refused it).
    #[error("XML onleesbaar: {0}")]
    Xml(String),
    /// A required element is absent or has an impossible value.
    #[error("element {0}: {1}")]
    Inhoud(String, String),
}

/// One element: namespace, local name, text (concatenated, entities resolved) and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Namespace URI ("" when unbound).
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Character content directly inside this element.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Parses a document into its root element.
pub fn parse(xml: &str) -> Result<Element, WireError> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let err = |e: &dyn std::fmt::Display| WireError::Xml(e.to_string());
    loop {
        let (res, event) = reader.read_resolved_event().map_err(|e| err(&e))?;
        let ns = match res {
            ResolveResult::Bound(n) => n.0.to_string(),
            _ => String::new(),
        };
        match event {
            Event::Start(e) => stack.push(Element {
                ns,
                name: e.local_name().into_inner().to_string(),
                ..Element::default()
            }),
            Event::Empty(e) => {
                let el = Element {
                    ns,
                    name: e.local_name().into_inner().to_string(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| WireError::Xml("onverwacht eindelement".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let ch = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(|e| err(&e))?
                } else {
                    entity(&r)
                };
                let ch =
                    ch.ok_or_else(|| WireError::Xml(format!("onbekende entiteit &{};", &*r)))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push(ch);
                }
            }
            Event::DocType(_) => return Err(WireError::Xml("DTD niet toegestaan".into())),
            Event::Eof => return Err(WireError::Xml("document zonder wortelelement".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child with this name, if present.
    pub fn opt(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string())
    }

    /// Trimmed text of a required child.
    pub fn req(&self, name: &str) -> Result<String, WireError> {
        self.opt(name)
            .ok_or_else(|| WireError::Inhoud(name.into(), "ontbreekt".into()))
    }

    /// A required child element.
    pub fn req_el(&self, name: &str) -> Result<&Element, WireError> {
        self.child(name)
            .ok_or_else(|| WireError::Inhoud(name.into(), "ontbreekt".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_text_and_entities() {
        let t = parse(
            r#"<?xml version="1.0"?><a:r xmlns:a="urn:a" xmlns:b="urn:b"><b:x> 1 &amp; 2&#x41;</b:x><a:y/><!-- c --><a:y>z</a:y></a:r>"#,
        )
        .unwrap();
        assert_eq!((t.ns.as_str(), t.name.as_str()), ("urn:a", "r"));
        assert_eq!(t.child("x").unwrap().ns, "urn:b");
        assert_eq!(t.opt("x").unwrap(), "1 & 2A");
        assert_eq!(t.all("y").count(), 2);
        assert!(t.req("q").is_err());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
        assert!(parse(r#"<!DOCTYPE x [<!ENTITY e "v">]><x>&e;</x>"#).is_err());
    }
}
