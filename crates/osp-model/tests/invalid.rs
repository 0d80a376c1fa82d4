//! Negative samples (`fixtures/samples/invalid/`): each facet kind fails validation with the
//! path recorded in `expected.toml`, and xmllint rejects each one too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use std::collections::BTreeMap;

use common::*;
use osp_model::{Contract, Validator};

#[derive(serde::Deserialize)]
struct Case {
    contract: String,
    pad: String,
    melding: String,
}

fn cases() -> BTreeMap<String, Case> {
    let text =
        std::fs::read_to_string(root().join("fixtures/samples/invalid/expected.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

fn contract(name: &str) -> Contract {
    Contract::ALL
        .into_iter()
        .find(|c| format!("{c:?}") == name)
        .unwrap_or_else(|| panic!("unknown contract {name}"))
}

#[test]
fn every_negative_sample_fails_with_its_path() {
    let v = Validator::new().unwrap();
    let cases = cases();
    let files = xml_files(&root().join("fixtures/samples/invalid"));
    assert_eq!(
        files.len(),
        cases.len(),
        "every invalid sample has an expected.toml entry"
    );
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let case = cases
            .get(&name)
            .unwrap_or_else(|| panic!("{name} missing in expected.toml"));
        let xml = std::fs::read_to_string(&file).unwrap();
        osp_model::check(xml.as_bytes(), &osp_model::Limits::default()).unwrap();
        let errs = v
            .validate(contract(&case.contract), &xml)
            .expect_err(&format!("{name} must not validate"));
        assert!(
            errs.iter()
                .any(|e| e.pad == case.pad && e.melding.contains(&case.melding) && e.regel > 0),
            "{name}: expected {} ({}), got {errs:#?}",
            case.pad,
            case.melding
        );
    }
}

#[test]
fn the_kinds_the_issue_names_are_covered() {
    let cases = cases();
    for kind in [
        "pattern",
        "length",
        "enumeration",
        "minoccurs",
        "maxoccurs",
        "choice",
        "wrong-namespace",
        "unknown-element",
        "invalid-date",
    ] {
        assert!(
            cases.keys().any(|k| k.starts_with(kind)),
            "no negative sample for {kind}"
        );
    }
}

#[test]
fn xmllint_rejects_every_negative_sample() {
    if xmllint_missing() {
        return;
    }
    let cases = cases();
    for file in xml_files(&root().join("fixtures/samples/invalid")) {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let c = contract(&cases[&name].contract);
        let (ok, _) = xmllint(Some(&root().join("xsd").join(c.xsd_file())), &file).unwrap();
        assert!(!ok, "xmllint accepted {name}");
    }
}

#[test]
fn the_model_refuses_what_its_strict_types_cannot_hold() {
    use osp_model::messages::AanleverenInschrijvingVORequest;
    let xml =
        std::fs::read_to_string(root().join("fixtures/samples/invalid/invalid-date.xml")).unwrap();
    assert!(osp_model::from_xml::<AanleverenInschrijvingVORequest>(&xml).is_err());
    let xml = std::fs::read_to_string(root().join("fixtures/samples/invalid/invalid-boolean.xml"))
        .unwrap();
    assert!(osp_model::from_xml::<AanleverenInschrijvingVORequest>(&xml).is_err());
    let xml =
        std::fs::read_to_string(root().join("fixtures/samples/invalid/wrong-namespace-root.xml"))
            .unwrap();
    assert!(matches!(
        osp_model::from_xml::<AanleverenInschrijvingVORequest>(&xml),
        Err(osp_model::ModelError::WrongRoot { .. })
    ));
}
