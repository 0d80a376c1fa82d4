//! Every valid sample: validates (osp's Validator and, independently, xmllint), round-trips
//! through the generated model (parse → serialise → parse gives equal values) and the
//! serialised document validates again. Also checks every XSD and WSDL with xmllint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use common::*;
use osp_model::messages::*;
use osp_model::{from_xml, to_xml, Message, Validator};

/// Parses, serialises and re-parses `xml` as the message type whose root element is `element`;
/// returns the serialised text.
fn round_trip(element: &str, xml: &str) -> String {
    macro_rules! dispatch {
        ($($t:ty,)*) => {
            $(
                if <$t as Message>::ELEMENT == element {
                    let first: $t = from_xml(xml).unwrap_or_else(|e| panic!("{element}: {e}"));
                    let text = to_xml(&first).unwrap();
                    let second: $t = from_xml(&text).unwrap_or_else(|e| panic!("{element} again: {e}\n{text}"));
                    assert_eq!(first, second, "{element}: round trip changed the value");
                    return text;
                }
            )*
        };
    }
    dispatch! {
        AanleverenInschrijvingVORequest,
        AanleverenInschrijvingVOResponse,
        AanleverenVerwijderingInschrijvingVORequest,
        AanleverenVerwijderingInschrijvingVOResponse,
        AanleverenIdentificerenPersoonVORequest,
        AanleverenIdentificerenPersoonVOResponse,
        AanleverenExamenresultaatVORequest,
        AanleverenExamenresultaatVOResponse,
        AanleverenVerwijderingExamenresultaatVORequest,
        AanleverenVerwijderingExamenresultaatVOResponse,
        OphalenBerichtenVORequest,
        OphalenBerichtenVOResponse,
        BevestigenBerichtenVORequest,
        BevestigenBerichtenVOResponse,
        VerstrekkenDigitaalInUitschrijfbewijsVORequest,
        VerstrekkenDigitaalInUitschrijfbewijsVOResponse,
        VerstrekkenBekostigingVORequest,
        VerstrekkenBekostigingVOResponse,
        TerugkoppelingInschrijvingVORequest,
        TerugkoppelingInschrijvingVOResponse,
        TerugkoppelingExamenresultaatVORequest,
        TerugkoppelingExamenresultaatVOResponse,
        TerugkoppelingIdentificerenPersoonVORequest,
        TerugkoppelingIdentificerenPersoonVOResponse,
        Fout,
    }
    panic!("no message type for root element {element}");
}

fn validate(v: &Validator, ns: &str, xml: &str) -> Result<(), Vec<osp_model::Violation>> {
    match contract_of(ns) {
        Some(c) => v.validate(c, xml),
        None => v.validate_fout(xml),
    }
}

#[test]
fn every_sample_validates_and_round_trips() {
    let v = Validator::new().unwrap();
    let dir = root().join("fixtures/samples");
    let files = xml_files(&dir);
    assert!(files.len() >= 29, "samples missing: {}", files.len());
    let mut seen = std::collections::BTreeSet::new();
    for file in files {
        let xml = std::fs::read_to_string(&file).unwrap();
        osp_model::check(xml.as_bytes(), &osp_model::Limits::default()).unwrap();
        let (ns, element) = root_element(&xml);
        if let Err(e) = validate(&v, &ns, &xml) {
            panic!("{}: {e:#?}", file.display());
        }
        let text = round_trip(&element, &xml);
        assert!(!text.starts_with("<?xml"), "no XML declaration");
        assert!(!text.contains("\n"), "compact output");
        if let Err(e) = validate(&v, &ns, &text) {
            panic!(
                "{} serialised does not validate: {e:#?}\n{text}",
                file.display()
            );
        }
        seen.insert(element);
    }
    // Every root element of every contract has a sample.
    for (_, _, element) in ALL_ROOTS {
        assert!(seen.contains(*element), "no sample for {element}");
    }
    assert!(seen.contains("fout"));
}

#[test]
fn xmllint_agrees_on_every_sample() {
    if xmllint_missing() {
        return;
    }
    let xsd = root().join("xsd");
    for file in xml_files(&root().join("fixtures/samples")) {
        let xml = std::fs::read_to_string(&file).unwrap();
        let (ns, _) = root_element(&xml);
        let (ok, err) = xmllint(Some(&xsd.join(xsd_for(&ns))), &file).unwrap();
        assert!(ok, "{}: {err}", file.display());
    }
}

#[test]
fn xmllint_accepts_every_xsd_and_wsdl() {
    if xmllint_missing() {
        return;
    }
    let root = root();
    for dir in ["xsd", "wsdl"] {
        let mut n = 0;
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                let (ok, err) = xmllint(None, &p).unwrap();
                assert!(ok, "{}: {err}", p.display());
                n += 1;
            }
        }
        assert!(n >= 4, "{dir}");
    }
    // Every XSD compiles as a schema on its own (imports resolved relative to the file).
    let empty = std::env::temp_dir().join(format!("osp-empty-{}.xml", std::process::id()));
    std::fs::write(&empty, "<x/>").unwrap();
    for e in std::fs::read_dir(root.join("xsd")).unwrap() {
        let p = e.unwrap().path();
        let (_, err) = xmllint(Some(&p), &empty).unwrap();
        assert!(!err.contains("failed to compile"), "{}: {err}", p.display());
    }
    let _ = std::fs::remove_file(&empty);
}
