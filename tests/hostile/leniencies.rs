//! What a strict DUO refuses, over the real listener: a JSON content type, an unknown header the
//! client says must be understood, two `wsa:From` addresses, a 100 KB SOAPAction (whose fault
//! must not echo it whole) and a raw NUL (not well-formed, before any XSD step).

use osp_gateway::client;
use osp_model::Operation;

use crate::common::*;

#[test]
fn leniencies_a_strict_duo_refuses_are_refused() {
    let _one = exclusive();
    let osp = Osp::start(OspOptions::default());
    let good = GoodClient::start(&osp, GoodClientOptions::default());
    let rt = attack_runtime();
    let op = Operation::AanleverenInschrijvingVO;
    let body = inschrijving(
        "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
        "streng-1",
        "999990019",
    );
    let env = osp_gateway::wrap_request(
        &body,
        op,
        SCHOOL,
        osp_model::DUO_OIN,
        "urn:uuid:5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
    );
    let send = |content_type: &str, action: &str, envelope: String| -> String {
        rt.block_on(async {
            let mut c = client::connect(osp.soap, "localhost", osp.client_config(SCHOOL))
                .await
                .unwrap();
            let req = hyper::Request::builder()
                .method("POST")
                .uri("/vo-webservices/")
                .header("host", "localhost")
                .header("content-type", content_type)
                .header("soapaction", format!("\"{action}\""))
                .body(http_body_util::Full::new(bytes::Bytes::from(envelope)))
                .unwrap();
            c.send(req).await.unwrap().text()
        })
    };
    let xml = "text/xml; charset=UTF-8";
    let action = op.action();
    // JSON is no SOAP 1.1 message
    assert!(send("application/json", &action, env.clone()).contains("DK0001"));
    // an unknown header marked mustUnderstand
    let mu = env.replacen(
        "<soapenv:Header>",
        "<soapenv:Header><x:Trace xmlns:x=\"urn:example\" soapenv:mustUnderstand=\"1\">1</x:Trace>",
        1,
    );
    assert!(send(xml, &action, mu).contains("MustUnderstand"));
    // two From addresses
    let two_from = env.replacen(
        "</wsa:Address></wsa:From>",
        "</wsa:Address><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700099BB00000</wsa:Address></wsa:From>",
        1,
    );
    assert!(send(xml, &action, two_from).contains("DK0011"));
    // a 100 KB SOAPAction is not echoed whole
    let long = format!("{action}{}", "x".repeat(100 * 1024));
    let answer = send(xml, &long, env.clone());
    assert!(
        answer.contains("DK0003") && answer.len() < 4096,
        "{} bytes",
        answer.len()
    );
    // a raw NUL is not well-formed
    let nul = env.replacen("streng-1", "streng\u{0}1", 1);
    let answer = send(xml, &action, nul);
    assert!(
        answer.contains("DK0004") && !answer.contains("voldoet niet aan het XSD"),
        "{answer}"
    );
    // near miss: the same delivery, as sent, is goedgekeurd
    assert!(
        send(xml, &action, env).contains("<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>")
    );
    let report = good.finish();
    report.print("strict SOAP refusals");
    report.assert_served(1);
}
