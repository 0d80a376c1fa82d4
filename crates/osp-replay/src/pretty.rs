//! Writes a canonical tree back as indented XML for `--record`, with the prefixes a vendor knows
//! from DUO's examples (`ins`, `bas`, `tk`, …) declared once on the root.

use crate::canon::Node;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Conventional prefix for a namespace; unknown namespaces get `ns1`, `ns2`, ….
fn conventional(ns: &str) -> Option<&'static str> {
    Some(match ns {
        "http://schemas.xmlsoap.org/soap/envelope/" => "soap",
        "http://www.w3.org/2005/08/addressing" => "wsa",
        "http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1" => "bas",
        "http://duo.nl/schema/DUO_VOBasisschema_Informatiediensten_V1" => "inf",
        "http://duo.nl/schema/DUO_VOBasisschema_Terugkoppeling_V1" => "tk",
        "http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1" => "ins",
        "http://duo.nl/schema/DUO_VOInformatiediensten_IdentificerenPersoonVO_V1" => "idp",
        "http://duo.nl/schema/DUO_VOAanlevering_ExamenresultaatVO_V1" => "exa",
        "http://duo.nl/schema/DUO_VOInformatiediensten_OphalenBerichtenVO_V1" => "obv",
        "urn:osp:schema:fout:v1" => "fout",
        _ => return None,
    })
}

fn collect(node: &Node, out: &mut Vec<String>) {
    if !node.ns.is_empty() && !out.contains(&node.ns) {
        out.push(node.ns.clone());
    }
    for (ns, _, _) in &node.attrs {
        if !ns.is_empty() && !out.contains(ns) {
            out.push(ns.clone());
        }
    }
    for c in &node.children {
        collect(c, out);
    }
}

/// Serialises `node` as an indented standalone document (no XML declaration).
pub fn to_xml(node: &Node) -> String {
    let mut nss = Vec::new();
    collect(node, &mut nss);
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    let mut n = 0;
    for ns in &nss {
        let p = match conventional(ns) {
            Some(p) if !prefixes.values().any(|v| v == p) => p.to_string(),
            _ => {
                n += 1;
                format!("ns{n}")
            }
        };
        prefixes.insert(ns.clone(), p);
    }
    let mut out = String::new();
    write_node(node, 0, &prefixes, true, &mut out);
    out
}

fn qname(ns: &str, local: &str, prefixes: &BTreeMap<String, String>) -> String {
    match prefixes.get(ns) {
        Some(p) => format!("{p}:{local}"),
        None => local.to_string(),
    }
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn write_node(
    node: &Node,
    depth: usize,
    prefixes: &BTreeMap<String, String>,
    root: bool,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    let name = qname(&node.ns, &node.local, prefixes);
    let _ = write!(out, "{indent}<{name}");
    if root {
        for (ns, p) in prefixes {
            let _ = write!(out, "\n{indent}    xmlns:{p}=\"{}\"", esc(ns));
        }
    }
    for (ns, local, value) in &node.attrs {
        let _ = write!(out, " {}=\"{}\"", qname(ns, local, prefixes), esc(value));
    }
    if node.children.is_empty() {
        if node.text.is_empty() {
            out.push_str("/>\n");
        } else {
            let _ = writeln!(out, ">{}</{name}>", esc(&node.text));
        }
        return;
    }
    out.push_str(">\n");
    if !node.text.is_empty() {
        let _ = writeln!(out, "{indent}  {}", esc(&node.text));
    }
    for c in &node.children {
        write_node(c, depth + 1, prefixes, false, out);
    }
    let _ = writeln!(out, "{indent}</{name}>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canon::parse;

    #[test]
    fn round_trips_by_meaning() {
        let src = r#"<a:r xmlns:a="http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1" xmlns:x="urn:other" x:at="1 &amp; 2"><a:c>v &lt; w</a:c><x:e/><a:t>  </a:t></a:r>"#;
        let node = parse(src, None).unwrap();
        let xml = to_xml(&node);
        assert!(xml.starts_with("<ins:r"), "{xml}");
        assert_eq!(parse(&xml, None).unwrap(), node);
    }
}
