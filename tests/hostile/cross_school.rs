//! One school's administratie asking for another's answers. Before: 99BB, with its own
//! certificate and From, re-sent 99AA's exact body (brin 99AA) and received 99AA's stored
//! goedgekeurde answer; a different body under that identificatiecode told it the id existed
//! (0001). Now authorisation comes first (0901 alone) and stored answers belong to their sender.

use osp_gateway::client;
use osp_model::Operation;

use crate::common::*;

const SCHOOL_BB: &str = "0000000700099BB00000";

fn deliver(osp: &Osp, oin: &str, body: &str, message: u32) -> String {
    let op = Operation::AanleverenInschrijvingVO;
    let env = osp_gateway::wrap_request(
        body,
        op,
        oin,
        osp_model::DUO_OIN,
        &format!("urn:uuid:5b4c7a10-0000-4000-8000-{message:012}"),
    );
    let rt = attack_runtime();
    rt.block_on(async {
        let mut c = client::connect(osp.soap, "localhost", osp.client_config(oin))
            .await
            .unwrap();
        c.post("/vo-webservices/", Some(&op.action()), env)
            .await
            .unwrap()
            .text()
    })
}

#[test]
fn another_administratie_gets_0901_never_a_stored_answer_or_a_0001() {
    let _one = exclusive();
    let osp = Osp::start(OspOptions::default());
    let good = GoodClient::start(&osp, GoodClientOptions::default());
    let id = "2f1e0d9c-8b7a-4c6d-9e5f-0a1b2c3d4e5f";
    let body = inschrijving(id, "aa-geheim-1", "999990019");

    let a = deliver(&osp, SCHOOL, &body, 1);
    assert!(
        a.contains("<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>"),
        "{a}"
    );
    // The attack: 99BB re-sends 99AA's exact body.
    let b = deliver(&osp, SCHOOL_BB, &body, 2);
    assert!(b.contains("<tk:foutcode>0901</tk:foutcode>"), "{b}");
    assert!(
        !b.contains("<tk:volgnummer>") && !b.contains("999990019</tk:"),
        "{b}"
    );
    assert_eq!(b.matches("<tk:foutcode>").count(), 1, "0901 alone: {b}");
    // A different body under that identificatiecode: still 0901, never 0001.
    let other = inschrijving(id, "aa-geheim-2", "999990019");
    let c = deliver(&osp, SCHOOL_BB, &other, 3);
    assert!(
        c.contains("<tk:foutcode>0901</tk:foutcode>") && !c.contains("<tk:foutcode>0001<"),
        "{c}"
    );
    // 99AA's own resend still gets its stored answer.
    let again = deliver(&osp, SCHOOL, &body, 4);
    assert!(
        again.contains("<tk:volgnummer>1</tk:volgnummer>"),
        "{again}"
    );

    std::thread::sleep(std::time::Duration::from_millis(500));
    let report = good.finish();
    report.print("cross-school replay");
    report.assert_served(3);
}
