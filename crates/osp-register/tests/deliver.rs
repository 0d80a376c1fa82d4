//! End to end through `Service::deliver` with real XML bodies (the repository's samples and the
//! spec example), checking every response validates against `xsd/` (osp-model's libxml2
//! validator, the one the gateway uses) and carries the terugkoppeling of SPEC §5.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use osp_model::validate::Validator;
use osp_model::{Contract, Operation};
use osp_register::domain::Pgn;
use osp_register::{Delivery, Register, Reply, Service, ServiceError};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(repo().join("fixtures/samples").join(name)).unwrap()
}

/// The model's libxml2 validator (the one the gateway uses), compiled once per test binary.
fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| Validator::new().unwrap())
}

/// Validates a response body against its contract XSD and checks its root element.
fn assert_valid(op: Operation, body: &str) {
    if let Err(v) = validator().validate_root(op.contract(), &op.response_element(), body) {
        panic!("response not XSD-valid: {v:?}\n{body}");
    }
}

fn deliver(
    r: &Register,
    sandbox: &str,
    from: &str,
    op: Operation,
    body: &str,
) -> Result<Reply, ServiceError> {
    r.deliver(Delivery {
        sandbox,
        certificaat_oin: from,
        from_oin: from,
        message_id: "urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01",
        operation: op,
        body,
    })
}

/// The generated model (what `osp send` and replay read) must read every response too, and
/// write it back to an equal, valid document.
fn assert_model_reads(body: &str) {
    common::model::rond_op_naam(body);
}

fn ok(r: &Register, sandbox: &str, from: &str, op: Operation, body: &str) -> Reply {
    let reply = deliver(r, sandbox, from, op, body).unwrap();
    assert_valid(op, &reply.body);
    assert_model_reads(&reply.body);
    reply
}

/// Text of the first element with this local name (any prefix).
fn text_of(xml: &str, local: &str) -> Option<String> {
    common::xml::eerste(xml, local)
}

#[test]
fn goedgekeurde_and_afgekeurde_inschrijving_validate_and_replay_identically() {
    let (_d, r) = register();
    let body = sample("aanleverenInschrijvingVO_Request.xml");
    let a = ok(&r, "s", AA, Operation::AanleverenInschrijvingVO, &body);
    assert_eq!(a.goedgekeurd, Some(true));
    assert!(a
        .body
        .contains("<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>"));
    assert!(a.body.contains("<tk:volgnummer>1</tk:volgnummer>"));
    assert!(a
        .body
        .contains("<tk:identificatiecodeBedrijfsdocument>0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10<"));
    assert!(a
        .body
        .contains("<bas:ontvangendeInstantie>99AA</bas:ontvangendeInstantie>"));
    assert!(!a.body.starts_with("<?xml"));
    // the check is real: a broken terugkoppeling does not validate
    let broken = a
        .body
        .replace("<tk:leveringGoedgekeurd>true", "<tk:leveringGoedgekeurd>ja");
    let op = Operation::AanleverenInschrijvingVO;
    assert!(validator()
        .validate_root(op.contract(), &op.response_element(), &broken)
        .is_err());
    // byte-identical body: the stored answer, byte for byte
    let b = ok(&r, "s", AA, Operation::AanleverenInschrijvingVO, &body);
    assert_eq!(a, b);

    let fout = body
        .replace(
            "0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10",
            "0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b11",
        )
        .replace("999990007", "999990000");
    let c = ok(&r, "s", AA, Operation::AanleverenInschrijvingVO, &fout);
    assert_eq!(c.goedgekeurd, Some(false));
    assert!(c.body.contains(
        "<tk:foutmelding><tk:foutcode>0101</tk:foutcode><tk:fouttekst>Burgerservicenummer voldoet niet aan de elfproef</tk:fouttekst><tk:ernst>AFKEURING</tk:ernst><tk:sleutelgegeven><tk:sleutelnaam>burgerservicenummer</tk:sleutelnaam><tk:sleutelwaarde>999990000</tk:sleutelwaarde></tk:sleutelgegeven></tk:foutmelding>"
    ), "{}", c.body);
    assert!(!c.body.contains("<tk:stand>"));

    // same identificatiecode, other body ⇒ 0001
    let ander = body.replace(
        "<ins:leerjaar>2</ins:leerjaar>",
        "<ins:leerjaar>3</ins:leerjaar>",
    );
    let d = ok(&r, "s", AA, Operation::AanleverenInschrijvingVO, &ander);
    assert_eq!(text_of(&d.body, "foutcode").as_deref(), Some("0001"));
}

#[test]
fn every_rule_answer_shape_validates_many_foutmeldingen() {
    let (_d, r) = register();
    // A delivery breaking many rules at once: all are reported together and the response is valid.
    let body = sample("aanleverenInschrijvingVO_Request.xml")
        .replace("<bas:datumInschrijving>2024-08-01</bas:datumInschrijving>",
                 "<bas:datumInschrijving>2024-08-01</bas:datumInschrijving><bas:datumUitschrijving>2024-07-01</bas:datumUitschrijving>")
        .replace("<ins:leerjaar>2</ins:leerjaar>", "<ins:leerjaar>8</ins:leerjaar>")
        .replace("<bas:opleidingcode>3001</bas:opleidingcode>", "<bas:opleidingcode>9999</bas:opleidingcode>")
        .replace("<ins:vestiging>99AA00</ins:vestiging>", "<ins:vestiging>99BB00</ins:vestiging>")
        .replace("<bas:inschrijvingvolgnummer>2025-0001</bas:inschrijvingvolgnummer>",
                 "<bas:inschrijvingvolgnummer>Lang volgnummer 2025</bas:inschrijvingvolgnummer>");
    let a = ok(&r, "s", AA, Operation::AanleverenInschrijvingVO, &body);
    for code in ["0201", "0202", "0205", "0206", "0903"] {
        assert!(
            a.body
                .contains(&format!("<tk:foutcode>{code}</tk:foutcode>")),
            "{code}: {}",
            a.body
        );
    }
    // the longest volgnummer the XSD allows (20) goes into the sleutelgegevens whole; longer
    // values (UUIDs) are shortened DUO's way (rule 0001, `domain::terugkoppeling` tests)
    assert!(
        a.body
            .contains("<tk:sleutelwaarde>Lang volgnummer 2025</tk:sleutelwaarde>"),
        "{}",
        a.body
    );
}

#[test]
fn identificatie_then_inschrijving_with_assigned_onderwijsnummer() {
    let (_d, r) = register();
    let a = ok(
        &r,
        "s",
        BB,
        Operation::AanleverenIdentificerenPersoonVO,
        &sample("aanleverenIdentificerenPersoonVO_Request.xml"),
    );
    assert_eq!(a.goedgekeurd, Some(true));
    let own = text_of(&a.body, "onderwijsnummer").unwrap();
    assert!(osp_register::checkdigit::onderwijsnummer_geldig(&own));
    let b = ok(
        &r,
        "s",
        BB,
        Operation::AanleverenIdentificerenPersoonVO,
        &sample("aanleverenIdentificerenPersoonVO_Request.buitenland.xml"),
    );
    assert_eq!(b.goedgekeurd, Some(true));
    // metPGN with a huidigOnderwijsnummer that was never issued here: 0104
    let met_pgn = sample("aanleverenIdentificerenPersoonVO_Request.metPGN.xml");
    let c = ok(
        &r,
        "s",
        BB,
        Operation::AanleverenIdentificerenPersoonVO,
        &met_pgn,
    );
    assert_eq!(text_of(&c.body, "foutcode").as_deref(), Some("0104"));
    // with the onderwijsnummer osp issued it confirms the BSN
    let met_pgn = met_pgn.replace("100000041", &own).replace(
        "3c4d5e6f-7081-4c9d-8e0f-2a3b4c5d6e7f",
        "3c4d5e6f-7081-4c9d-8e0f-2a3b4c5d6e70",
    );
    let c = ok(
        &r,
        "s",
        BB,
        Operation::AanleverenIdentificerenPersoonVO,
        &met_pgn,
    );
    assert_eq!(
        text_of(&c.body, "burgerservicenummer").as_deref(),
        Some("999990019"),
        "{}",
        c.body
    );

    let full = sample("aanleverenInschrijvingVO_Request.full.xml").replace("100000041", &own);
    let d = ok(&r, "s", AA, Operation::AanleverenInschrijvingVO, &full);
    assert_eq!(d.goedgekeurd, Some(true), "{}", d.body);
    let state = r.person_state("s", &Pgn::Onderwijsnummer(own)).unwrap();
    let stand = state.inschrijvingen[0].inhoud.as_ref().unwrap();
    assert_eq!(stand.verblijven_andere_instelling[0].verblijfsoort, "VAVO");
    assert_eq!(stand.perioden[0].experimenten, ["VERRIJKT_PROGRAMMA_VWO"]);
    assert_eq!(stand.perioden[0].aanvullende_opleidingen, ["1900"]);
    // the unassigned sample number is refused (0104)
    let e = ok(
        &r,
        "s",
        AA,
        Operation::AanleverenInschrijvingVO,
        &sample("aanleverenInschrijvingVO_Request.full.xml").replace(
            "5e0a7c1d-2b3f-4a6e-9c8d-7f1e2d3c4b5a",
            "5e0a7c1d-2b3f-4a6e-9c8d-7f1e2d3c4b5b",
        ),
    );
    assert_eq!(text_of(&e.body, "foutcode").as_deref(), Some("0104"));
}

#[test]
fn waardenlijst_value_is_a_fault() {
    let (_d, r) = register();
    let body = sample("aanleverenInschrijvingVO_Request.full.xml")
        .replace(">VAVO</ins:verblijfsoort>", ">OPDX</ins:verblijfsoort>");
    let e = deliver(&r, "s", AA, Operation::AanleverenInschrijvingVO, &body).unwrap_err();
    assert_eq!(e.to_string(), "Ongeldige waarde voor verblijfsoort: OPDX");
}

#[test]
fn verwijdering_inschrijving_over_the_wire() {
    let (_d, r) = register();
    let w = sample("aanleverenVerwijderingInschrijvingVO_Request.xml");
    let a = ok(
        &r,
        "s",
        AA,
        Operation::AanleverenVerwijderingInschrijvingVO,
        &w,
    );
    assert_eq!(text_of(&a.body, "foutcode").as_deref(), Some("0301"));
    ok(
        &r,
        "s",
        AA,
        Operation::AanleverenInschrijvingVO,
        &sample("aanleverenInschrijvingVO_Request.xml"),
    );
    let w2 = w.replace(
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e",
    );
    let b = ok(
        &r,
        "s",
        AA,
        Operation::AanleverenVerwijderingInschrijvingVO,
        &w2,
    );
    assert_eq!(b.goedgekeurd, Some(true), "{}", b.body);
    assert!(b.body.contains("<tk:volgnummer>2</tk:volgnummer>"));
}

#[test]
fn examenresultaat_and_verwijdering_over_the_wire() {
    let (_d, r) = register();
    r.set_today("s", Some(date("2026-07-10")));
    let a = ok(
        &r,
        "s",
        AA,
        Operation::AanleverenExamenresultaatVO,
        &sample("aanleverenExamenresultaatVO_Request.xml"),
    );
    assert_eq!(a.goedgekeurd, Some(true), "{}", a.body);
    // 0551 MELDING keeps the delivery goedgekeurd: CE grades 40 in every diplomavak
    let melding = sample("aanleverenExamenresultaatVO_Request.xml")
        .replace(
            "6f708192-a3b4-4fc0-b132-5d6e7f8091a2",
            "6f708192-a3b4-4fc0-b132-5d6e7f8091a3",
        )
        .replace("<exr:cijfer>71</exr:cijfer>", "<exr:cijfer>40</exr:cijfer>");
    let b = ok(
        &r,
        "s",
        AA,
        Operation::AanleverenExamenresultaatVO,
        &melding,
    );
    assert_eq!(b.goedgekeurd, Some(true));
    assert!(
        b.body.contains("<tk:foutcode>0551</tk:foutcode>")
            && b.body.contains("<tk:ernst>MELDING</tk:ernst>"),
        "{}",
        b.body
    );
    assert!(b.body.contains("<tk:volgnummer>2</tk:volgnummer>"));

    // the verwijdering sample names an onderwijsnummer: first give it Finn's BSN
    let w = sample("aanleverenVerwijderingExamenresultaatVO_Request.xml").replace(
        "<exr:onderwijsnummer>100000041</exr:onderwijsnummer>",
        "<exr:burgerservicenummer>999990068</exr:burgerservicenummer>",
    );
    let c = ok(
        &r,
        "s",
        AA,
        Operation::AanleverenVerwijderingExamenresultaatVO,
        &w,
    );
    assert_eq!(c.goedgekeurd, Some(true), "{}", c.body);
    let d = ok(
        &r,
        "s",
        AA,
        Operation::AanleverenVerwijderingExamenresultaatVO,
        &w.replace(
            "8192a3b4-c5d6-41e2-9354-7f8091a2b3c4",
            "8192a3b4-c5d6-41e2-9354-7f8091a2b3c5",
        ),
    );
    assert_eq!(text_of(&d.body, "foutcode").as_deref(), Some("0301"));
}

#[test]
fn spec_example_envelope_body_is_accepted() {
    let (_d, r) = register();
    let env =
        std::fs::read_to_string(repo().join("docs/examples/aanleverenInschrijvingVO.envelope.xml"))
            .unwrap();
    // Cut the Body child and declare the envelope's bindings on it, as the gateway does.
    let start = env.find("<ins:aanleverenInschrijvingVO_Request").unwrap();
    let end = env.find("</ins:aanleverenInschrijvingVO_Request>").unwrap()
        + "</ins:aanleverenInschrijvingVO_Request>".len();
    let body = env[start..end].replacen(
        "<ins:aanleverenInschrijvingVO_Request",
        "<ins:aanleverenInschrijvingVO_Request xmlns:ins=\"http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1\" xmlns:bas=\"http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1\"",
        1,
    );
    let a = ok(&r, "s", AA, Operation::AanleverenInschrijvingVO, &body);
    assert_eq!(a.goedgekeurd, Some(true), "{}", a.body);
}

#[test]
fn wrong_root_for_operation_is_an_internal_fault() {
    let (_d, r) = register();
    let e = deliver(
        &r,
        "s",
        AA,
        Operation::AanleverenExamenresultaatVO,
        &sample("aanleverenInschrijvingVO_Request.xml"),
    );
    assert!(matches!(e, Err(ServiceError::Intern(_))));
    let e = deliver(&r, "s", AA, Operation::AanleverenInschrijvingVO, "<niet-af");
    assert!(matches!(e, Err(ServiceError::Intern(_))));
}

#[test]
fn mandated_answers_from_reference() {
    let (_d, r) = register();
    assert!(r.mandated(
        "00000003123456780000",
        "0000000700099AA00000",
        Contract::InschrijvingVO
    ));
    assert!(!r.mandated(
        "00000003876543210000",
        "0000000700099AA00000",
        Contract::InschrijvingVO
    ));
    assert!(!r.mandated(
        "00000003123456780000",
        "0000000700099VV00000",
        Contract::ExamenresultaatVO
    ));
    Service::flush(&*r).unwrap();
}

#[test]
fn ophalen_and_bevestigen_over_the_wire() {
    // The default producers (bekostiging) fill the outbox; no test double needed.
    let (_d, r) = register();
    ok(
        &r,
        "s",
        AA,
        Operation::AanleverenInschrijvingVO,
        &sample("aanleverenInschrijvingVO_Request.xml"),
    );
    let ophalen = sample("ophalenBerichtenVO_Request.xml");
    let a = ok(&r, "s", AA, Operation::OphalenBerichtenVO, &ophalen);
    assert_eq!(a.goedgekeurd, None);
    assert!(
        a.body.contains("<obv:verstrekkenBekostigingVO_Request"),
        "{}",
        a.body
    );
    assert!(a
        .body
        .contains("<obv:meerBerichten>false</obv:meerBerichten>"));
    let id = text_of(&a.body, "berichtId").unwrap();
    let bevestig = sample("bevestigenBerichtenVO_Request.xml")
        .replace("c5d6e7f8-091a-4526-9798-b3c4d5e6f708", &id);
    let b = ok(&r, "s", AA, Operation::BevestigenBerichtenVO, &bevestig);
    assert_eq!(text_of(&b.body, "aantalBevestigd").as_deref(), Some("1"));
    let c = ok(&r, "s", AA, Operation::OphalenBerichtenVO, &ophalen);
    assert!(!c.body.contains("<obv:bericht>"));
    // another administratie sees nothing
    let d = ok(&r, "s", BB, Operation::OphalenBerichtenVO, &ophalen);
    assert!(!d.body.contains("<obv:bericht>"));
}
