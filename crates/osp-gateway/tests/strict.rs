//! SPEC §3's refusals of what a lenient SOAP server would let through: Content-Type, SOAP 1.1
//! `mustUnderstand`/`actor`, repeated WS-Addressing headers, envelope structure, SOAPAction form,
//! and the cap on client input quoted in a fault. Each refusal has a near miss that is served.
//! Everything goes over real mTLS on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use bytes::Bytes;
use common::*;
use http_body_util::Full;
use osp_gateway::client::{HttpReply, SoapConnection};

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const HEADER_OPEN: &str = "<soapenv:Header>";
const TO_LINE: &str =
    "<wsa:To>http://www.w3.org/2005/08/addressing/anonymous?oin=00000001800866472000</wsa:To>";
const ACTION_LINE: &str =
    "<wsa:Action>http://duo.nl/contract/DUO_VOAanlevering_InschrijvingVO_V1/aanleverenInschrijvingVO</wsa:Action>";
const MID_LINE: &str =
    "<wsa:MessageID>urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01</wsa:MessageID>";
const FROM_ADDR: &str = "<wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700099AA00000</wsa:Address>";

/// POSTs `body` to the SOAP endpoint with each of `content_types` as a Content-Type header
/// (none when empty) and `soap_action` as the raw SOAPAction header values.
async fn send(
    c: &mut SoapConnection,
    content_types: &[&str],
    soap_actions: &[&str],
    body: impl Into<Bytes>,
) -> HttpReply {
    let mut req = hyper::Request::builder()
        .method("POST")
        .uri("/vo-webservices/");
    for ct in content_types {
        req = req.header("content-type", *ct);
    }
    for a in soap_actions {
        req = req.header("soapaction", *a);
    }
    c.send(req.body(Full::new(body.into())).unwrap())
        .await
        .unwrap()
}

/// POSTs an envelope the way a SOAP 1.1 client does.
async fn post(c: &mut SoapConnection, envelope: String) -> HttpReply {
    c.post("/vo-webservices/", Some(INSCHRIJVING_ACTION), envelope)
        .await
        .unwrap()
}

fn served(reply: &HttpReply) {
    let text = reply.text();
    assert_eq!(reply.status, 200, "{text}");
    assert!(text.contains("aanleverenInschrijvingVO_Response"), "{text}");
}

fn delivered(running: &Running) -> usize {
    running.double.seen.lock().unwrap().len()
}

fn omschrijving(reply: &HttpReply) -> String {
    between(&reply.text(), "<fout:omschrijving>", "</fout:omschrijving>")
        .unwrap_or_default()
        .to_string()
}

/// The spec example with `entry` added as the first header entry.
fn with_header(entry: &str) -> String {
    EXAMPLE.replacen(HEADER_OPEN, &format!("{HEADER_OPEN}\n    {entry}"), 1)
}

#[tokio::test]
async fn content_type_must_be_text_xml_in_utf8() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let action = format!("\"{INSCHRIJVING_ACTION}\"");
    let action = [action.as_str()];
    for ct in [
        "application/json",
        "application/xml",
        "text/plain; charset=UTF-8",
        "multipart/related; type=\"application/xop+xml\"; charset=UTF-8",
    ] {
        let reply = send(&mut c, &[ct], &action, EXAMPLE).await;
        assert_fault(
            &reply,
            "DK0001",
            "VersionMismatch",
            "Invalide envelope",
            500,
        );
        assert!(omschrijving(&reply).contains("geen text/xml"), "{ct}");
    }
    // no Content-Type at all, and two of them
    let reply = send(&mut c, &[], &action, EXAMPLE).await;
    assert_fault(
        &reply,
        "DK0001",
        "VersionMismatch",
        "Invalide envelope",
        500,
    );
    assert!(omschrijving(&reply).contains("ontbreekt"));
    let reply = send(
        &mut c,
        &["text/xml; charset=UTF-8", "application/json"],
        &action,
        EXAMPLE,
    )
    .await;
    assert_fault(
        &reply,
        "DK0001",
        "VersionMismatch",
        "Invalide envelope",
        500,
    );
    // SOAP 1.2's media type answers exactly like a SOAP 1.2 envelope
    let by_media_type = send(
        &mut c,
        &["application/soap+xml; charset=UTF-8"],
        &action,
        EXAMPLE,
    )
    .await;
    let by_envelope = send(
        &mut c,
        &["text/xml; charset=UTF-8"],
        &action,
        EXAMPLE.replace(SOAP11, SOAP12),
    )
    .await;
    for reply in [&by_media_type, &by_envelope] {
        assert_fault(reply, "DK0001", "VersionMismatch", "Invalide envelope", 500);
        assert!(omschrijving(reply).contains("SOAP 1.2"), "{}", reply.text());
    }
    // another charset, in any spelling
    for ct in [
        "text/xml; charset=UTF-16",
        "text/xml; charset=\"ISO-8859-1\"",
        "text/xml; charset=utf8",
    ] {
        let reply = send(&mut c, &[ct], &action, EXAMPLE).await;
        assert_fault(&reply, "DK0009", "Client", "Niet conform UTF-8", 500);
    }
    assert_eq!(
        delivered(&running),
        0,
        "a refused request reached the register"
    );
    // near misses: UTF-8 spelled, quoted or cased differently, or no charset (read as UTF-8)
    for ct in [
        "text/xml; charset=utf-8",
        "text/xml;charset=\"UTF-8\"",
        "TEXT/XML ; Charset=UTF-8",
        "text/xml",
    ] {
        let reply = send(&mut c, &[ct], &action, EXAMPLE).await;
        served(&reply);
    }
    assert_eq!(delivered(&running), 4);
}

#[tokio::test]
async fn must_understand_header_osp_does_not_process_is_refused() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let trace =
        |attrs: &str| format!("<x:Trace xmlns:x=\"urn:leverancier:trace\"{attrs}>42</x:Trace>");
    for attrs in [
        " soapenv:mustUnderstand=\"1\"",
        " soapenv:mustUnderstand=\"true\"",
        " soapenv:mustUnderstand=\" 1 \"",
        // explicitly addressed to the next node: osp
        " soapenv:actor=\"http://schemas.xmlsoap.org/soap/actor/next\" soapenv:mustUnderstand=\"1\"",
    ] {
        let reply = post(&mut c, with_header(&trace(attrs))).await;
        assert_fault(
            &reply,
            "DK0001",
            "MustUnderstand",
            "Invalide envelope",
            500,
        );
        assert!(
            omschrijving(&reply).contains("{urn:leverancier:trace}Trace"),
            "{}",
            reply.text()
        );
    }
    // WS-Addressing headers osp does not act on (it always answers on the HTTP response)
    let reply = post(
        &mut c,
        with_header("<wsa:ReplyTo soapenv:mustUnderstand=\"1\"><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>"),
    )
    .await;
    assert_fault(&reply, "DK0001", "MustUnderstand", "Invalide envelope", 500);
    // a Security header of another (pre-standard) namespace is not the one osp verifies
    let reply = post(
        &mut c,
        with_header("<o:Security xmlns:o=\"http://schemas.xmlsoap.org/ws/2002/07/secext\" soapenv:mustUnderstand=\"1\"/>"),
    )
    .await;
    assert_fault(&reply, "DK0001", "MustUnderstand", "Invalide envelope", 500);
    // a value outside 0/1/false/true makes the envelope invalid
    let reply = post(
        &mut c,
        with_header(&trace(" soapenv:mustUnderstand=\"ja\"")),
    )
    .await;
    assert_fault(
        &reply,
        "DK0001",
        "VersionMismatch",
        "Invalide envelope",
        500,
    );
    // a header entry must be namespace-qualified (SOAP 1.1 §4.2)
    let reply = post(&mut c, with_header("<Trace>42</Trace>")).await;
    assert_fault(
        &reply,
        "DK0001",
        "VersionMismatch",
        "Invalide envelope",
        500,
    );
    assert_eq!(
        delivered(&running),
        0,
        "a refused request reached the register"
    );

    // near misses: optional, absent, for another actor, or not the SOAP attribute
    for attrs in [
        " soapenv:mustUnderstand=\"0\"",
        " soapenv:mustUnderstand=\"false\"",
        "",
        " soapenv:actor=\"http://example.org/proxy\" soapenv:mustUnderstand=\"1\"",
        " mustUnderstand=\"1\"",
        " xmlns:s12=\"http://www.w3.org/2003/05/soap-envelope\" s12:mustUnderstand=\"true\"",
    ] {
        let reply = post(&mut c, with_header(&trace(attrs))).await;
        served(&reply);
    }
    // the headers osp understands, marked mustUnderstand as WCF does
    let env = EXAMPLE
        .replace("<wsa:To>", "<wsa:To soapenv:mustUnderstand=\"1\">")
        .replace("<wsa:Action>", "<wsa:Action soapenv:mustUnderstand=\"1\">")
        .replace(
            "<wsa:MessageID>",
            "<wsa:MessageID soapenv:mustUnderstand=\"1\">",
        )
        .replace("<wsa:From>", "<wsa:From soapenv:mustUnderstand=\"1\">");
    served(&post(&mut c, env).await);
    // wsse:Security of WS-Security 1.0 is understood: SPEC §11 verifies it
    let security = format!(
        "<wsse:Security xmlns:wsse=\"{WSSE}\" soapenv:mustUnderstand=\"1\"><wsse:BinarySecurityToken>AA==</wsse:BinarySecurityToken></wsse:Security>"
    );
    served(&post(&mut c, with_header(&security)).await);
    // a ReplyTo without mustUnderstand is ignored
    served(
        &post(
            &mut c,
            with_header("<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>"),
        )
        .await,
    );
    assert_eq!(delivered(&running), 9);
}

#[tokio::test]
async fn header_entries_for_another_actor_are_not_processed() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    // the only wsa:To is addressed to an intermediary: for osp there is no To
    let to = TO_LINE.replace(
        "<wsa:To>",
        "<wsa:To soapenv:actor=\"http://example.org/proxy\">",
    );
    let reply = post(&mut c, EXAMPLE.replace(TO_LINE, &to)).await;
    assert_fault(&reply, "DK0005", "Client", "Wsa:To ontbreekt", 500);
    // a second To for an intermediary does not count as a duplicate
    let reply = post(
        &mut c,
        EXAMPLE.replace(TO_LINE, &format!("{to}\n{TO_LINE}")),
    )
    .await;
    served(&reply);
    assert_eq!(delivered(&running), 1);
}

#[tokio::test]
async fn repeated_or_nested_wsa_headers_are_dk0011() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let other_school = FROM_ADDR.replace("99AA", "99BB");
    let cases = [
        (
            FROM_ADDR.to_string(),
            format!("{FROM_ADDR}{other_school}"),
            "wsa:From/Address komt meer dan eens voor",
        ),
        (
            FROM_ADDR.to_string(),
            format!("{FROM_ADDR}{FROM_ADDR}"),
            "wsa:From/Address komt meer dan eens voor",
        ),
        (
            TO_LINE.to_string(),
            format!("{TO_LINE}{TO_LINE}"),
            "wsa:To komt meer dan eens voor",
        ),
        (
            ACTION_LINE.to_string(),
            format!("{ACTION_LINE}{ACTION_LINE}"),
            "wsa:Action komt meer dan eens voor",
        ),
        (
            MID_LINE.to_string(),
            format!(
                "{MID_LINE}{}",
                MID_LINE.replace("3c2d8e4f1a01", "3c2d8e4f1a02")
            ),
            "wsa:MessageID komt meer dan eens voor",
        ),
        (
            TO_LINE.to_string(),
            TO_LINE.replace("</wsa:To>", "<x:extra xmlns:x=\"urn:x\"/></wsa:To>"),
            "wsa:To mag alleen tekst bevatten",
        ),
    ];
    for (from, to, expected) in cases {
        let reply = post(&mut c, EXAMPLE.replace(&from, &to)).await;
        assert_fault(
            &reply,
            "DK0011",
            "Client",
            "Onjuiste waarde in wsa header",
            500,
        );
        assert!(
            omschrijving(&reply).starts_with(expected),
            "{}",
            reply.text()
        );
    }
    assert_eq!(
        delivered(&running),
        0,
        "a refused request reached the register"
    );
    // near miss: From with one Address and WS-A's optional ReferenceParameters
    let env = EXAMPLE.replace(
        FROM_ADDR,
        &format!("{FROM_ADDR}<wsa:ReferenceParameters><x:ref xmlns:x=\"urn:x\">1</x:ref></wsa:ReferenceParameters>"),
    );
    served(&post(&mut c, env).await);
    assert_eq!(delivered(&running), 1);
}

#[tokio::test]
async fn client_input_quoted_in_a_fault_is_capped() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    // a 100 KB SOAPAction
    let huge = format!("{INSCHRIJVING_ACTION}/{}", "x".repeat(100 * 1024));
    let quoted = format!("\"{huge}\"");
    let reply = send(&mut c, &["text/xml; charset=UTF-8"], &[&quoted], EXAMPLE).await;
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    let text = reply.text();
    eprintln!("fault answering a 100 KB SOAPAction: {} bytes", text.len());
    assert!(text.len() < 3000, "{} bytes", text.len());
    let shown: String = huge.chars().take(256).collect();
    assert!(
        omschrijving(&reply).contains(&format!("SOAPAction {shown}… is niet gelijk")),
        "{text}"
    );
    // 100 KB in wsa:To and in wsa:MessageID (headers quoted by EK0022 / EK0023)
    let long_to = TO_LINE.replace(
        "?oin=",
        &format!("?pad={}&amp;oin=", "y".repeat(100 * 1024)),
    );
    let long_to = long_to.replace("00000001800866472000", "DUO");
    let reply = post(&mut c, EXAMPLE.replace(TO_LINE, &long_to)).await;
    assert_fault(&reply, "EK0022", "Client", "To bevat geen geldig OIN", 500);
    assert!(reply.text().len() < 3000, "{}", reply.text().len());
    assert!(omschrijving(&reply).ends_with("y…"), "{}", reply.text());
    let long_mid = MID_LINE.replace("urn:uuid:", &"z".repeat(100 * 1024));
    let reply = post(&mut c, EXAMPLE.replace(MID_LINE, &long_mid)).await;
    assert_fault(&reply, "EK0023", "Client", "MessageID is geen UUID", 500);
    assert!(reply.text().len() < 3000, "{}", reply.text().len());
    // an unknown element where the body root belongs: DK0003 names it; a 100 KB name never
    // gets that far, the input guard's name limit (256 bytes) refuses it first
    let body_start = EXAMPLE
        .find("<ins:aanleverenInschrijvingVO_Request")
        .unwrap();
    let body_end = EXAMPLE.find("</soapenv:Body>").unwrap();
    let with_root = |name: &str| {
        format!(
            "{}<ins:{name}/>\n  {}",
            &EXAMPLE[..body_start],
            &EXAMPLE[body_end..]
        )
    };
    let reply = post(&mut c, with_root(&format!("n{}", "q".repeat(249)))).await;
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    assert!(reply.text().len() < 3000, "{}", reply.text().len());
    let reply = post(&mut c, with_root(&format!("n{}", "q".repeat(100 * 1024)))).await;
    assert_fault(&reply, "DK0004", "Client", "Niet conform XSD", 500);
    assert!(reply.text().len() < 3000, "{}", reply.text().len());
    // a 100 KB value in the body: the XSD violation that quotes it stays small (libxml2 cuts
    // its own messages; the fault caps whatever a validator quotes)
    let env = EXAMPLE.replace(
        "<bas:brin>99AA</bas:brin>",
        &format!("<bas:brin>{}</bas:brin>", "B".repeat(100 * 1024)),
    );
    let reply = post(&mut c, env).await;
    assert_fault(&reply, "DK0004", "Client", "Niet conform XSD", 500);
    eprintln!(
        "fault answering a 100 KB brin: {} bytes",
        reply.text().len()
    );
    assert!(reply.text().len() < 4000, "{} bytes", reply.text().len());
    // a From address of 100 KB would come back whole as the answer's wsa:To: refused
    let long_from =
        |pad: usize| FROM_ADDR.replace("?oin=", &format!("?pad={}&amp;oin=", "f".repeat(pad)));
    let reply = post(&mut c, EXAMPLE.replace(FROM_ADDR, &long_from(100 * 1024))).await;
    assert_fault(
        &reply,
        "DK0011",
        "Client",
        "Onjuiste waarde in wsa header",
        500,
    );
    assert!(reply.text().len() < 3000, "{}", reply.text().len());
    // near miss: a From address of exactly 1024 characters is served and answered to
    let base = "http://www.w3.org/2005/08/addressing/anonymous?pad=&oin=0000000700099AA00000".len();
    let env = EXAMPLE.replace(FROM_ADDR, &long_from(1024 - base));
    let reply = post(&mut c, env).await;
    served(&reply);
    let to = between(&reply.text(), "<wsa:To>", "</wsa:To>")
        .unwrap()
        .to_string();
    assert_eq!(to.replace("&amp;", "&").chars().count(), 1024);
    assert_eq!(delivered(&running), 1);
    // near miss: a value of exactly 256 characters is quoted whole, without an ellipsis
    let exact = format!("urn:{}", "a".repeat(252));
    assert_eq!(exact.chars().count(), 256);
    let reply = send(
        &mut c,
        &["text/xml; charset=UTF-8"],
        &[&format!("\"{exact}\"")],
        EXAMPLE,
    )
    .await;
    assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    assert!(
        omschrijving(&reply).contains(&format!("SOAPAction {exact} is niet gelijk")),
        "{}",
        reply.text()
    );
    assert!(!reply.text().contains('…'));
    assert_eq!(delivered(&running), 1);
}

#[tokio::test]
async fn envelope_structure_is_strict() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let body_start = EXAMPLE.find("<soapenv:Body>").unwrap();
    let body_end = EXAMPLE.find("</soapenv:Body>").unwrap() + "</soapenv:Body>".len();
    let body = &EXAMPLE[body_start..body_end];
    let header_start = EXAMPLE.find(HEADER_OPEN).unwrap();
    let header_end = EXAMPLE.find("</soapenv:Header>").unwrap() + "</soapenv:Header>".len();
    let header = &EXAMPLE[header_start..header_end];
    let dk1 =
        |r: &HttpReply| assert_fault(r, "DK0001", "VersionMismatch", "Invalide envelope", 500);
    let dk4 = |r: &HttpReply| assert_fault(r, "DK0004", "Client", "Niet conform XSD", 500);
    // a second Body
    dk1(&post(&mut c, EXAMPLE.replace(body, &format!("{body}{body}"))).await);
    // the Header after the Body
    let swapped = EXAMPLE
        .replace(header, "")
        .replace("</soapenv:Body>", &format!("</soapenv:Body>{header}"));
    dk1(&post(&mut c, swapped).await);
    // text directly in the Header or the Envelope
    dk1(&post(
        &mut c,
        EXAMPLE.replace(HEADER_OPEN, "<soapenv:Header>tekst"),
    )
    .await);
    dk1(&post(
        &mut c,
        EXAMPLE.replace(HEADER_OPEN, &format!("tekst{HEADER_OPEN}")),
    )
    .await);
    // an element after the Body (WS-I BP R1011)
    dk1(&post(
        &mut c,
        EXAMPLE.replace(
            "</soapenv:Body>",
            "</soapenv:Body><x:na xmlns:x=\"urn:x\"/>",
        ),
    )
    .await);
    // two body elements, text beside the body element (also as a character reference)
    dk4(&post(
        &mut c,
        EXAMPLE.replace(
            "</soapenv:Body>",
            "<x:tweede xmlns:x=\"urn:x\"/></soapenv:Body>",
        ),
    )
    .await);
    dk4(&post(
        &mut c,
        EXAMPLE.replace("<soapenv:Body>", "<soapenv:Body>tekst"),
    )
    .await);
    dk4(&post(
        &mut c,
        EXAMPLE.replace("</soapenv:Body>", "&#65;</soapenv:Body>"),
    )
    .await);
    // a processing instruction (SOAP 1.1 §3), text or a second root outside the Envelope
    dk4(&post(
        &mut c,
        EXAMPLE.replace("<soapenv:Body>", "<soapenv:Body><?pi x?>"),
    )
    .await);
    dk4(&post(&mut c, format!("{EXAMPLE}<?pi x?>")).await);
    dk4(&post(&mut c, format!("{EXAMPLE}tekst")).await);
    dk4(&post(
        &mut c,
        format!("{EXAMPLE}<soapenv:Envelope xmlns:soapenv=\"{SOAP11}\"/>"),
    )
    .await);
    dk4(&post(&mut c, EXAMPLE.replacen("<!--", "tekst<!--", 1)).await);
    // XML 1.1
    dk4(&post(
        &mut c,
        EXAMPLE.replace("version=\"1.0\"", "version=\"1.1\""),
    )
    .await);
    assert_eq!(
        delivered(&running),
        0,
        "a refused request reached the register"
    );
    // near misses: comments and whitespace everywhere, and whitespace as character references
    let env = EXAMPLE
        .replace(HEADER_OPEN, "<!-- a --> <soapenv:Header> <!-- b -->")
        .replace("<soapenv:Body>", "<soapenv:Body>&#32;<!-- c -->&#10;")
        .replace("</soapenv:Body>", "<!-- d --></soapenv:Body>");
    served(&post(&mut c, format!("{env}\n<!-- e -->\n")).await);
    assert_eq!(delivered(&running), 1);
}

#[tokio::test]
async fn soap_action_header_form() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let ct = ["text/xml; charset=UTF-8"];
    let quoted = format!("\"{INSCHRIJVING_ACTION}\"");
    for actions in [
        vec![format!("\"{INSCHRIJVING_ACTION}")],
        vec![format!("{INSCHRIJVING_ACTION}\"")],
        vec![format!("\"{INSCHRIJVING_ACTION}\"\"")],
        vec!["\"\"".to_string()],
        vec![quoted.clone(), quoted.clone()],
    ] {
        let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
        let reply = send(&mut c, &ct, &actions, EXAMPLE).await;
        assert_fault(&reply, "DK0003", "Client", "Invalide soap-action", 500);
    }
    assert_eq!(delivered(&running), 0);
    // near misses: quoted (SOAP 1.1 §6.1.1), unquoted, with surrounding spaces
    for action in [
        quoted.clone(),
        INSCHRIJVING_ACTION.to_string(),
        format!(" \" {INSCHRIJVING_ACTION} \" "),
    ] {
        served(&send(&mut c, &ct, &[&action], EXAMPLE).await);
    }
    assert_eq!(delivered(&running), 3);
}

#[tokio::test]
async fn other_methods_on_the_soap_path_are_405() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let reply = c.get("/vo-webservices/").await.unwrap();
    assert_eq!(reply.status, 405, "{}", reply.text());
    assert_eq!(reply.headers.get("allow").unwrap(), "POST");
    let reply = c
        .get("/vo-webservices/DUO_VOAanlevering_InschrijvingVO_V1")
        .await
        .unwrap();
    assert_eq!(reply.status, 405, "{}", reply.text());
    assert_eq!(reply.headers.get("allow").unwrap(), "GET, POST");
    for method in ["PUT", "DELETE", "PATCH"] {
        let req = hyper::Request::builder()
            .method(method)
            .uri("/vo-webservices/")
            .header("content-type", "text/xml; charset=UTF-8")
            .header("soapaction", INSCHRIJVING_ACTION)
            .body(Full::new(Bytes::from(EXAMPLE)))
            .unwrap();
        let reply = c.send(req).await.unwrap();
        assert_eq!(reply.status, 405, "{method}");
    }
    assert_eq!(delivered(&running), 0);
    // near misses: the WSDL by GET, the request by POST
    let reply = c
        .get("/vo-webservices/DUO_VOAanlevering_InschrijvingVO_V1?wsdl")
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    served(&post(&mut c, EXAMPLE.to_string()).await);
}
