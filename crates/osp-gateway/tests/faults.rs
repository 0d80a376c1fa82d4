//! One end-to-end test per SOAP fault of SPEC §3, over real mTLS on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use common::*;

const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

async fn post(
    running: &Running,
    oin: &str,
    action: Option<&str>,
    envelope: String,
) -> osp_gateway::client::HttpReply {
    let mut c = connect(running, oin).await;
    c.post("/vo-webservices/", action, envelope).await.unwrap()
}

async fn post_example(envelope: String) -> (Running, osp_gateway::client::HttpReply) {
    let running = start().await;
    let reply = post(&running, SCHOOL_AA, Some(INSCHRIJVING_ACTION), envelope).await;
    (running, reply)
}

fn nothing_delivered(running: &Running) {
    assert!(
        running.double.seen.lock().unwrap().is_empty(),
        "a faulty request reached the register"
    );
}

#[tokio::test]
async fn dk0001_soap12_envelope() {
    let env = EXAMPLE.replace("http://schemas.xmlsoap.org/soap/envelope/", SOAP12);
    let (r, reply) = post_example(env).await;
    assert_fault(
        &reply,
        "DK0001",
        "VersionMismatch",
        "Invalide envelope",
        500,
    );
    nothing_delivered(&r);
}

#[tokio::test]
async fn dk0001_not_an_envelope() {
    let (_r, reply) = post_example(example_body()).await;
    assert_fault(
        &reply,
        "DK0001",
        "VersionMismatch",
        "Invalide envelope",
        500,
    );
}

#[tokio::test]
async fn dk0002_vendor_without_mandate() {
    let running = start().await;
    let reply = post(
        &running,
        VENDOR_OTHER,
        Some(INSCHRIJVING_ACTION),
        EXAMPLE.to_string(),
    )
    .await;
    assert_fault(&reply, "DK0002", "Client", "Niet geautoriseerd", 500);
    // the mandated vendor acting for an administratie that did not mandate it
    let reply = post(
        &running,
        VENDOR_B,
        Some(INSCHRIJVING_ACTION),
        example_from(SCHOOL_VV),
    )
    .await;
    assert_fault(&reply, "DK0002", "Client", "Niet geautoriseerd", 500);
    nothing_delivered(&running);
}

#[tokio::test]
async fn dk0003_soap_action_missing_different_unknown_or_wrong_contract() {
    let running = start().await;
    let reply = post(&running, SCHOOL_AA, None, EXAMPLE.to_string()).await;
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    let other = "http://duo.nl/contract/DUO_VOAanlevering_InschrijvingVO_V1/aanleverenVerwijderingInschrijvingVO";
    let reply = post(&running, SCHOOL_AA, Some(other), EXAMPLE.to_string()).await;
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    // SOAPAction = wsa:Action, but the body belongs to another operation
    let env = EXAMPLE.replace(INSCHRIJVING_ACTION, other);
    let reply = post(&running, SCHOOL_AA, Some(other), env).await;
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    // unknown action
    let unknown = "http://duo.nl/contract/DUO_VOAanlevering_InschrijvingVO_V1/bestaatNiet";
    let reply = post(
        &running,
        SCHOOL_AA,
        Some(unknown),
        EXAMPLE.replace(INSCHRIJVING_ACTION, unknown),
    )
    .await;
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    // right operation posted to another contract's endpoint
    let mut c = connect(&running, SCHOOL_AA).await;
    let reply = c
        .post(
            "/vo-webservices/DUO_VOInformatiediensten_IdentificerenPersoonVO_V1",
            Some(INSCHRIJVING_ACTION),
            EXAMPLE.to_string(),
        )
        .await
        .unwrap();
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    nothing_delivered(&running);
}

#[tokio::test]
async fn dk0004_xsd_violation_lists_line_column_and_path() {
    let env = EXAMPLE
        .replace("<bas:brin>99AA</bas:brin>", "<bas:brin>99aa</bas:brin>")
        .replace(
            "<ins:leerjaar>2</ins:leerjaar>",
            "<ins:leerjaar>twee</ins:leerjaar>",
        );
    let (r, reply) = post_example(env.clone()).await;
    assert_fault(&reply, "DK0004", "Client", "Niet conform XSD", 500);
    let text = reply.text();
    let brin_line = env.lines().position(|l| l.contains("<bas:brin>")).unwrap() + 1;
    let leerjaar_line = env.lines().position(|l| l.contains("twee")).unwrap() + 1;
    let regels: Vec<u32> = text
        .split("<fout:regel>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(
        regels,
        vec![brin_line as u32, leerjaar_line as u32],
        "{text}"
    );
    let kolommen: Vec<u32> = text
        .split("<fout:kolom>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].parse().unwrap())
        .collect();
    let brin_col = env
        .lines()
        .nth(brin_line - 1)
        .unwrap()
        .find("<bas:brin>")
        .unwrap() as u32
        + 1;
    assert_eq!(kolommen[0], brin_col, "{text}");
    let paden: Vec<&str> = text
        .split("<fout:pad>")
        .skip(1)
        .map(|s| &s[..s.find('<').unwrap()])
        .collect();
    assert!(paden[0].ends_with("brin"), "{paden:?}");
    assert!(
        paden[1].contains("inschrijvingPeriodeVO") && paden[1].ends_with("leerjaar"),
        "{paden:?}"
    );
    nothing_delivered(&r);
}

#[tokio::test]
async fn dk0004_malformed_dtd_and_depth() {
    let running = start().await;
    let malformed = EXAMPLE.replace("</bas:brin>", "</bas:brinn>");
    let reply = post(&running, SCHOOL_AA, Some(INSCHRIJVING_ACTION), malformed).await;
    assert_fault(&reply, "DK0004", "Client", "Niet conform XSD", 500);
    assert!(reply.text().contains("<fout:regel>"));

    let dtd = EXAMPLE.replacen(
        "<soapenv:Envelope",
        "<!DOCTYPE soapenv:Envelope [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<soapenv:Envelope",
        1,
    );
    let reply = post(&running, SCHOOL_AA, Some(INSCHRIJVING_ACTION), dtd).await;
    assert_fault(&reply, "DK0004", "Client", "Niet conform XSD", 500);

    let deep = format!("{}{}", "<bas:x>".repeat(70), "</bas:x>".repeat(70));
    let env = EXAMPLE.replace(
        "<bas:brin>99AA</bas:brin>",
        &format!("<bas:brin>99AA</bas:brin>{deep}"),
    );
    let reply = post(&running, SCHOOL_AA, Some(INSCHRIJVING_ACTION), env).await;
    assert_fault(&reply, "DK0004", "Client", "Niet conform XSD", 500);
    nothing_delivered(&running);
}

#[tokio::test]
async fn dk0004_oversized_body_is_413() {
    let mut cfg = config();
    cfg.limits.max_body_bytes = 8 * 1024;
    let running = start_with(cfg).await;
    let padding = format!("<!--{}-->", "x".repeat(9 * 1024));
    let env = EXAMPLE.replace("<soapenv:Body>", &format!("<soapenv:Body>{padding}"));
    let reply = post(&running, SCHOOL_AA, Some(INSCHRIJVING_ACTION), env).await;
    assert_fault(&reply, "DK0004", "Client", "Niet conform XSD", 413);
    // the example itself still fits
    let reply = post(
        &running,
        SCHOOL_AA,
        Some(INSCHRIJVING_ACTION),
        EXAMPLE.to_string(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

async fn wsa_fault(from: &str, to: &str, code: &str, class: &str, text: &str) {
    let env = EXAMPLE.replace(from, to);
    let (r, reply) = post_example(env).await;
    assert_fault(&reply, code, class, text, 500);
    nothing_delivered(&r);
}

const TO_LINE: &str =
    "<wsa:To>http://www.w3.org/2005/08/addressing/anonymous?oin=00000001800866472000</wsa:To>";
const MID_LINE: &str =
    "<wsa:MessageID>urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01</wsa:MessageID>";
const ACTION_LINE: &str =
    "<wsa:Action>http://duo.nl/contract/DUO_VOAanlevering_InschrijvingVO_V1/aanleverenInschrijvingVO</wsa:Action>";
const FROM_ADDR: &str = "<wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700099AA00000</wsa:Address>";

#[tokio::test]
async fn dk0005_to_missing() {
    wsa_fault(TO_LINE, "", "DK0005", "Client", "Wsa:To ontbreekt").await;
}

#[tokio::test]
async fn dk0006_action_missing() {
    wsa_fault(ACTION_LINE, "", "DK0006", "Client", "Wsa:Action ontbreekt").await;
}

#[tokio::test]
async fn dk0007_message_id_missing() {
    wsa_fault(MID_LINE, "", "DK0007", "Client", "Wsa:MessageID ontbreekt").await;
}

#[tokio::test]
async fn dk0009_not_utf8() {
    // Latin-1 bytes in the body
    let running = start().await;
    let mut bytes = EXAMPLE.replace("2025-0001", "2025-0001-X").into_bytes();
    let pos = bytes.windows(5).position(|w| w == b"-X</b").unwrap() + 1;
    bytes[pos] = 0xE9;
    let mut c = connect(&running, SCHOOL_AA).await;
    let reply = c
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), bytes)
        .await
        .unwrap();
    assert_fault(&reply, "DK0009", "Client", "Niet conform UTF-8", 500);
    // a declaration naming another encoding
    let env = EXAMPLE.replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
    let reply = c
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), env)
        .await
        .unwrap();
    assert_fault(&reply, "DK0009", "Client", "Niet conform UTF-8", 500);
    // a Content-Type charset other than UTF-8
    let req = hyper::Request::builder()
        .method("POST")
        .uri("/vo-webservices/")
        .header("content-type", "text/xml; charset=ISO-8859-1")
        .header("soapaction", INSCHRIJVING_ACTION)
        .body(http_body_util::Full::new(bytes::Bytes::from(EXAMPLE)))
        .unwrap();
    let reply = c.send(req).await.unwrap();
    assert_fault(&reply, "DK0009", "Client", "Niet conform UTF-8", 500);
    nothing_delivered(&running);
}

#[tokio::test]
async fn dk0011_to_is_not_duo() {
    let to = TO_LINE.replace(DUO, SCHOOL_BB);
    wsa_fault(
        TO_LINE,
        &to,
        "DK0011",
        "Client",
        "Onjuiste waarde in wsa header",
    )
    .await;
}

#[tokio::test]
async fn ek0020_from_missing() {
    let start = EXAMPLE.find("<wsa:From>").unwrap();
    let end = EXAMPLE.find("</wsa:From>").unwrap() + "</wsa:From>".len();
    wsa_fault(
        &EXAMPLE[start..end],
        "",
        "EK0020",
        "Client",
        "Wsa:From ontbreekt",
    )
    .await;
}

#[tokio::test]
async fn ek0021_from_without_valid_oin() {
    let bad = FROM_ADDR.replace(SCHOOL_AA, "0000000700099AA");
    wsa_fault(
        FROM_ADDR,
        &bad,
        "EK0021",
        "Client",
        "From bevat geen geldig OIN",
    )
    .await;
}

#[tokio::test]
async fn ek0022_to_without_valid_oin() {
    let bad = TO_LINE.replace("?oin=00000001800866472000", "");
    wsa_fault(
        TO_LINE,
        &bad,
        "EK0022",
        "Client",
        "To bevat geen geldig OIN",
    )
    .await;
}

#[tokio::test]
async fn ek0023_message_id_not_uuid() {
    let bad = "<wsa:MessageID>urn:uuid:bericht-1</wsa:MessageID>";
    wsa_fault(MID_LINE, bad, "EK0023", "Client", "MessageID is geen UUID").await;
}

#[tokio::test]
async fn ek0030_certificate_without_serial_number_or_with_bad_oin() {
    let running = start().await;
    for stem in ["negative/no-serialnumber", "negative/bad-oin"] {
        let mut c = connect_as(&running, stem)
            .await
            .expect("handshake completes");
        let reply = c
            .post(
                "/vo-webservices/",
                Some(INSCHRIJVING_ACTION),
                EXAMPLE.to_string(),
            )
            .await
            .unwrap();
        assert_fault(
            &reply,
            "EK0030",
            "Client",
            "OIN in TLS-certificaat ontbreekt of is ongeldig",
            500,
        );
    }
    nothing_delivered(&running);
}

fn with_volgnummer(v: &str) -> String {
    EXAMPLE.replace(
        "<bas:inschrijvingvolgnummer>2025-0001<",
        &format!("<bas:inschrijvingvolgnummer>{v}<"),
    )
}

#[tokio::test]
async fn dk0050_internal_failure() {
    let (_r, reply) = post_example(with_volgnummer("FAIL-INTERN")).await;
    assert_fault(
        &reply,
        "DK0050",
        "Server",
        "Service-afhandeling geeft fout",
        500,
    );
    assert!(
        !reply.text().contains("schijf kapot"),
        "internal detail must not leak"
    );
    let (_r, reply) = post_example(with_volgnummer("FAIL-WAARDE")).await;
    assert_fault(
        &reply,
        "DK0050",
        "Server",
        "Ongeldige waarde voor verblijfsoort: XYZ",
        500,
    );
}

#[tokio::test]
async fn dk0051_service_unavailable() {
    let (_r, reply) = post_example(with_volgnummer("FAIL-BUSY")).await;
    assert_fault(&reply, "DK0051", "Server", "Service niet beschikbaar", 500);
    // faults after addressing carry response addressing
    let text = reply.text();
    assert_eq!(
        between(&text, "<wsa:RelatesTo>", "</wsa:RelatesTo>"),
        Some("urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01")
    );
    assert_eq!(
        between(&text, "<wsa:Action>", "</wsa:Action>"),
        Some(osp_gateway::WSA_FAULT_ACTION)
    );
}
