//! Helpers shared by the integration tests: sample discovery, xmllint, typed dispatch.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use osp_model::Contract;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `*.xml` files directly in `dir`, sorted.
pub fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    v.sort();
    v
}

/// (namespace, local name) of the root element.
pub fn root_element(xml: &str) -> (String, String) {
    use quick_xml::events::Event;
    let mut r = quick_xml::NsReader::from_str(xml);
    loop {
        match r.read_resolved_event().unwrap() {
            (ns, Event::Start(e) | Event::Empty(e)) => {
                let ns = match ns {
                    quick_xml::name::ResolveResult::Bound(n) => n.as_ref().to_string(),
                    _ => String::new(),
                };
                return (ns, e.local_name().as_ref().to_string());
            }
            (_, Event::Eof) => panic!("no root"),
            _ => {}
        }
    }
}

/// The contract whose namespace the root element is in (None: the fault detail).
pub fn contract_of(ns: &str) -> Option<Contract> {
    Contract::ALL.into_iter().find(|c| c.schema_ns() == ns)
}

/// The XSD file a document with root namespace `ns` validates against.
pub fn xsd_for(ns: &str) -> String {
    match contract_of(ns) {
        Some(c) => c.xsd_file(),
        None => "osp_fout_v1.xsd".into(),
    }
}

/// Runs `xmllint --noout [--schema xsd] file`; None when xmllint is not installed.
pub fn xmllint(schema: Option<&Path>, file: &Path) -> Option<(bool, String)> {
    let mut cmd = Command::new("xmllint");
    cmd.arg("--noout");
    if let Some(s) = schema {
        cmd.arg("--schema").arg(s);
    }
    cmd.arg(file);
    match cmd.output() {
        Ok(out) => Some((
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("xmllint: {e}"),
    }
}

pub fn xmllint_missing() -> bool {
    let missing = Command::new("xmllint").arg("--version").output().is_err();
    if missing {
        eprintln!("SKIPPED: xmllint not installed (apt-get install libxml2-utils)");
    }
    missing
}
