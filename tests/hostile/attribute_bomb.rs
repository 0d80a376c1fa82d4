//! Quadratic CPU on attributes. Before: N attributes on the body root (any valid certificate,
//! even an unmandated vendor with From = itself) cost 0.37 s at 10k, 19 s at 40k and over two
//! minutes at 100k of one core inside libxml2's error reporting. Now the input guard refuses more
//! than 256 attributes on an element (and 16,384 in a document) before libxml2 sees the body.

use std::time::{Duration, Instant};

use osp_gateway::client;
use osp_model::Operation;

use crate::common::*;

fn bomb(attributes: usize) -> String {
    let attrs: String = (0..attributes).map(|i| format!(" a{i}=\"v\"")).collect();
    inschrijving("7c1e2d3f-4a5b-4c6d-8e7f-000000000b0b", "bomb", "999990007").replacen(
        "<ins:aanleverenInschrijvingVO_Request ",
        &format!("<ins:aanleverenInschrijvingVO_Request{attrs} "),
        1,
    )
}

#[test]
fn an_attribute_bomb_is_refused_before_it_costs_cpu() {
    let _one = exclusive();
    let osp = Osp::start(OspOptions::default());
    let good = GoodClient::start(&osp, GoodClientOptions::default());
    let rt = attack_runtime();
    let op = Operation::AanleverenInschrijvingVO;
    let mut c = rt
        .block_on(client::connect(
            osp.soap,
            "localhost",
            osp.client_config(VENDOR),
        ))
        .unwrap();
    for (n, expect) in [(100_000, "DK0004"), (10_000, "DK0004"), (257, "DK0004")] {
        let env = osp_gateway::wrap_request(
            &bomb(n),
            op,
            VENDOR,
            osp_model::DUO_OIN,
            "urn:uuid:7c1e2d3f-4a5b-4c6d-8e7f-00000000b0b0",
        );
        let started = Instant::now();
        let reply = rt
            .block_on(c.post("/vo-webservices/", Some(&op.action()), env))
            .unwrap();
        eprintln!(
            "{n} attributes on the body root: {} in {:?}",
            reply.status,
            started.elapsed()
        );
        let text = reply.text();
        assert!(text.contains(expect), "{n}: {text}");
        assert!(text.contains("limiet voor attributen"), "{n}: {text}");
    }
    // Near miss: 254 attributes and the root's 2 namespace declarations (256) pass the guard and reach
    // the next step (the unmandated vendor
    // acting for itself has no administratie for 99AA, but that is decided later).
    let env = osp_gateway::wrap_request(
        &bomb(254),
        op,
        VENDOR,
        osp_model::DUO_OIN,
        "urn:uuid:7c1e2d3f-4a5b-4c6d-8e7f-00000000b0b1",
    );
    let reply = rt
        .block_on(c.post("/vo-webservices/", Some(&op.action()), env))
        .unwrap();
    assert!(
        !reply.text().contains("limiet voor attributen"),
        "{}",
        reply.text()
    );
    std::thread::sleep(Duration::from_millis(300));
    let report = good.finish();
    report.print("attribute bomb");
    report.assert_served(3);
}
