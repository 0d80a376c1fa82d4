//! The admin API driven from elsewhere. Before: no authentication and no Origin/Host check, so a
//! web page in a browser on the same machine could move a sandbox's clock or reset it (a
//! cross-site POST, or DNS rebinding: `Host: evil.example` resolving to 127.0.0.1). Now a
//! loopback listener refuses a foreign Host (421) and a foreign Origin (403), the CLI and curl
//! (no Origin) keep working, and a configured token is required on every route but /healthz.

use std::time::Duration;

use crate::common::*;

fn status(answer: &str) -> u16 {
    answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[test]
fn admin_api_refuses_foreign_hosts_and_origins_and_needs_its_token() {
    let _one = exclusive();
    let osp = Osp::start(OspOptions::default());
    let good = GoodClient::start(&osp, GoodClientOptions::default());
    let own_host = format!("Host: 127.0.0.1:{}\r\n", osp.admin);
    let clock = "/sandboxes/default/clock";
    let move_clock = r#"{"today":"2031-01-01"}"#;

    // DNS rebinding: the browser sends the attacker's name.
    for host in ["Host: evil.example\r\n", "Host: evil.example:8444\r\n", ""] {
        let a = osp.admin_request("PUT", clock, host, move_clock).unwrap();
        assert_eq!(status(&a), 421, "{host:?}: {a}");
        let a = osp
            .admin_request("POST", "/sandboxes/default/reset", host, "")
            .unwrap();
        assert_eq!(status(&a), 421, "{host:?}: {a}");
    }
    // A page on another origin posting a form (a "simple" request needs no preflight).
    let cross = format!("{own_host}Origin: http://evil.example\r\nContent-Type: text/plain\r\n");
    assert_eq!(
        status(&osp.admin_request("PUT", clock, &cross, move_clock).unwrap()),
        403
    );
    let null_origin = format!("{own_host}Origin: null\r\n");
    assert_eq!(
        status(
            &osp.admin_request("POST", "/sandboxes/default/reset", &null_origin, "")
                .unwrap()
        ),
        403
    );
    // Nothing moved: the pinned date is still the one osp was started with.
    let now = osp.admin_request("GET", clock, &own_host, "").unwrap();
    assert!(now.contains("2025-09-15"), "{now}");

    std::thread::sleep(Duration::from_millis(500));
    let report = good.finish();
    report.print("admin API from a hostile page");
    report.assert_served(3);
    // The good client's stands survived every reset attempt.
    let person = osp
        .admin_request(
            "GET",
            "/sandboxes/default/burgerservicenummer/999990007",
            &own_host,
            "",
        )
        .unwrap();
    assert!(
        person.contains("inschrijvingen") && person.contains("good-"),
        "{person}"
    );
    // curl and the CLI: loopback Host, no Origin.
    assert_eq!(
        status(
            &osp.admin_request("PUT", clock, &own_host, move_clock)
                .unwrap()
        ),
        200
    );
    let same_origin = format!("{own_host}Origin: http://127.0.0.1:{}\r\n", osp.admin);
    assert_eq!(
        status(&osp.admin_request("GET", clock, &same_origin, "").unwrap()),
        200
    );
    drop(osp);

    // With a token: every route but /healthz needs it.
    let osp = Osp::start(OspOptions::default().args(&["--admin-token", "s3cret-token"]));
    let h = "Host: localhost\r\n";
    let a = osp.admin_request("GET", "/metrics", h, "").unwrap();
    assert_eq!(status(&a), 401, "{a}");
    assert!(
        a.contains("WWW-Authenticate: Bearer") || a.contains("www-authenticate: Bearer"),
        "{a}"
    );
    let wrong = format!("{h}Authorization: Bearer s3cret-tokeN\r\n");
    assert_eq!(
        status(&osp.admin_request("PUT", clock, &wrong, move_clock).unwrap()),
        401
    );
    let right = format!("{h}Authorization: Bearer s3cret-token\r\n");
    assert_eq!(
        status(&osp.admin_request("PUT", clock, &right, move_clock).unwrap()),
        200
    );
    assert_eq!(
        status(&osp.admin_request("GET", "/healthz", h, "").unwrap()),
        200
    );
}
