//! End-to-end behaviour over real mTLS on 127.0.0.1: handshakes, identity, mandates, routing,
//! keep-alive, WSDL serving, admin listener, timeouts and graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use std::time::Duration;

use common::*;
use osp_gateway::client;
use osp_model::Operation;

#[tokio::test]
async fn valid_delivery_gets_register_reply_with_response_addressing() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let reply = c
        .post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            EXAMPLE.to_string(),
        )
        .await
        .unwrap();
    let text = reply.text();
    assert_eq!(reply.status, 200, "{text}");
    assert_eq!(
        reply.headers.get("content-type").unwrap(),
        "text/xml; charset=UTF-8"
    );
    assert_eq!(
        between(&text, "<wsa:To>", "</wsa:To>"),
        Some("http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700099AA00000")
    );
    assert_eq!(
        between(&text, "<wsa:Action>", "</wsa:Action>"),
        Some(INSCHRIJVING_ACTION)
    );
    assert_eq!(
        between(&text, "<wsa:RelatesTo>", "</wsa:RelatesTo>"),
        Some("urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01")
    );
    let mid = between(&text, "<wsa:MessageID>", "</wsa:MessageID>").unwrap();
    assert!(
        osp_gateway::wsa::is_message_uuid(mid)
            && mid.starts_with("urn:uuid:")
            && !mid.contains("6f1c2a5e")
    );
    assert!(text.contains("<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=00000001800866472000</wsa:Address></wsa:From>"));
    assert!(text.contains("<bas:ontvangstBevestiging>J</bas:ontvangstBevestiging>"));

    let seen = running.double.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let d = &seen[0];
    assert_eq!(
        (
            d.sandbox.as_str(),
            d.certificaat_oin.as_str(),
            d.from_oin.as_str()
        ),
        ("default", SCHOOL_AA, SCHOOL_AA)
    );
    assert_eq!(d.operation, Operation::AanleverenInschrijvingVO);
    assert_eq!(
        d.message_id,
        "urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01"
    );
    // the body is standalone: namespaces declared on the root, lines as in the envelope
    assert!(d
        .body
        .contains("xmlns:bas=\"http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1\""));
    let line = |s: &str| s.lines().position(|l| l.contains("<bas:brin>")).unwrap();
    assert_eq!(line(&d.body), line(EXAMPLE));
}

#[tokio::test]
async fn contract_path_and_identificatie_dispatch() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_BB).await;
    let action = Operation::AanleverenIdentificerenPersoonVO.action();
    let reply = c
        .post(
            "/vo-webservices/DUO_VOInformatiediensten_IdentificerenPersoonVO_V1",
            Some(&action),
            IDENT_EXAMPLE.to_string(),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = c
        .post(
            "/vo-webservices/Onbekend_V1",
            Some(&action),
            IDENT_EXAMPLE.to_string(),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 404);
    let seen = running.double.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].operation,
        Operation::AanleverenIdentificerenPersoonVO
    );
}

#[tokio::test]
async fn mandated_vendor_succeeds_and_routes_to_its_sandbox() {
    let mut cfg = config();
    cfg.sandboxes = sandboxes(&[(VENDOR_B, "leverancier-b")]);
    let running = start_with(cfg).await;
    let mut c = connect(&running, VENDOR_B).await;
    for school in [SCHOOL_AA, SCHOOL_BB] {
        let reply = c
            .post(
                "/vo-webservices/",
                Some(INSCHRIJVING_ACTION),
                example_from(school),
            )
            .await
            .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let mut s = connect(&running, SCHOOL_AA).await;
    assert_eq!(
        s.post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            EXAMPLE.to_string()
        )
        .await
        .unwrap()
        .status,
        200
    );
    let seen = running.double.seen.lock().unwrap().clone();
    let got: Vec<(&str, &str, &str)> = seen
        .iter()
        .map(|d| {
            (
                d.sandbox.as_str(),
                d.certificaat_oin.as_str(),
                d.from_oin.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("leverancier-b", VENDOR_B, SCHOOL_AA),
            ("leverancier-b", VENDOR_B, SCHOOL_BB),
            ("default", SCHOOL_AA, SCHOOL_AA)
        ]
    );
}

#[tokio::test]
async fn several_requests_on_one_keep_alive_connection() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    for i in 0..5 {
        let reply = c
            .post(
                "/vo-webservices/",
                Some(INSCHRIJVING_ACTION),
                EXAMPLE.to_string(),
            )
            .await
            .unwrap();
        assert_eq!(reply.status, 200, "request {i}");
        // a fault does not end the connection either
        let reply = c
            .post("/vo-webservices/", None, EXAMPLE.to_string())
            .await
            .unwrap();
        assert_eq!(reply.status, 500);
    }
    assert_eq!(running.double.seen.lock().unwrap().len(), 5);
    let m = running.gateway.metrics();
    assert_eq!(
        m.requests("DUO_VOAanlevering_InschrijvingVO_V1", "goedgekeurd", ""),
        5
    );
    assert_eq!(m.requests("-", "fault", "DK0003"), 5);
    assert_eq!(m.render().matches("osp_connections_total 1").count(), 1);
}

async fn refused(running: &Running, stem: &str) {
    let result = connect_as(running, stem).await;
    // TLS 1.3: the client may finish its side before the server's alert arrives; the first
    // request then fails instead of the handshake.
    match result {
        Err(client::ClientError::Handshake(_)) => {}
        Err(e) => panic!("{stem}: unexpected error {e}"),
        Ok(mut c) => {
            let r = c
                .post(
                    "/vo-webservices/",
                    Some(INSCHRIJVING_ACTION),
                    EXAMPLE.to_string(),
                )
                .await;
            assert!(
                r.is_err(),
                "{stem}: request succeeded on a refused connection"
            );
        }
    }
}

#[tokio::test]
async fn handshake_refused_without_or_with_bad_client_certificate() {
    let running = start().await;
    let cfg = client::anonymous_client_config(&certs().join("root-ca.pem")).unwrap();
    match client::connect(running.gateway.local_addr(), "localhost", cfg).await {
        Err(_) => {}
        Ok(mut c) => assert!(c
            .post("/vo-webservices/", None, EXAMPLE.to_string())
            .await
            .is_err()),
    }
    for stem in [
        "negative/expired",
        "negative/not-yet-valid",
        "negative/wrong-root",
    ] {
        refused(&running, stem).await;
    }
    assert!(running.gateway.metrics().handshake_failures() >= 4);
    assert!(running.double.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn revoked_certificate_fails_the_handshake_when_a_crl_is_configured() {
    // a private PKI: revoking must not affect the shared one
    let dir = tempfile::tempdir().unwrap();
    osp_pki::init(dir.path(), osp_pki::InitOptions::default()).unwrap();
    let revoked = dir.path().join(format!("clients/{SCHOOL_BB}.pem"));
    let crl = osp_pki::revoke(dir.path(), &revoked).unwrap();
    let mut cfg = osp_gateway::GatewayConfig::dev(dir.path());
    cfg.listen = "127.0.0.1:0".parse().unwrap();
    cfg.admin = None;
    cfg.tls.crl = Some(crl);
    let running = Running {
        gateway: osp_gateway::Gateway::start_with(
            cfg,
            std::sync::Arc::new(Double::default()),
            validator(),
            Default::default(),
        )
        .await
        .unwrap(),
        double: std::sync::Arc::new(Double::default()),
    };
    let addr = running.gateway.local_addr();
    let ok = client::dev_client_config(dir.path(), SCHOOL_AA).unwrap();
    let mut c = client::connect(addr, "localhost", ok).await.unwrap();
    assert_eq!(
        c.post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            EXAMPLE.to_string()
        )
        .await
        .unwrap()
        .status,
        200
    );
    let bad = client::dev_client_config(dir.path(), SCHOOL_BB).unwrap();
    match client::connect(addr, "localhost", bad).await {
        Err(client::ClientError::Handshake(_)) => {}
        Err(e) => panic!("unexpected {e}"),
        Ok(mut c) => assert!(c
            .post(
                "/vo-webservices/",
                Some(INSCHRIJVING_ACTION),
                example_from(SCHOOL_BB)
            )
            .await
            .is_err()),
    }
    assert_eq!(running.gateway.metrics().handshake_failures(), 1);
}

#[tokio::test]
async fn tls12_and_tls13_both_work() {
    let running = start().await;
    let (pem, key) = client_pem(&format!("clients/{SCHOOL_AA}"));
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let chain = osp_gateway::tls::load_certs(&pem).unwrap();
        let k = osp_gateway::tls::load_key(&key).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for c in osp_gateway::tls::load_certs(&certs().join("root-ca.pem")).unwrap() {
            roots.add(c).unwrap();
        }
        let cfg = rustls::ClientConfig::builder_with_provider(osp_gateway::tls::provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, k)
            .unwrap();
        let mut c = client::connect(
            running.gateway.local_addr(),
            "localhost",
            std::sync::Arc::new(cfg),
        )
        .await
        .unwrap();
        let reply = c
            .post(
                "/vo-webservices/",
                Some(INSCHRIJVING_ACTION),
                EXAMPLE.to_string(),
            )
            .await
            .unwrap();
        assert_eq!(reply.status, 200);
    }
}

#[tokio::test]
async fn wsdl_over_mtls_parses_and_its_schema_locations_resolve() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    for contract in osp_model::Contract::ALL {
        let reply = c
            .get(&format!("/vo-webservices/{}?wsdl", contract.name()))
            .await
            .unwrap();
        assert_eq!(reply.status, 200, "{}", contract.name());
        let wsdl = reply.text();
        let locations = schema_locations(&wsdl);
        assert!(!locations.is_empty());
        let port = running.gateway.local_addr().port();
        assert!(wsdl.contains(&format!(
            "location=\"https://localhost:{port}/vo-webservices/{}\"",
            contract.name()
        )));
        // resolve every schemaLocation relative to the WSDL URL, recursively
        let mut todo: Vec<String> = locations
            .iter()
            .map(|l| format!("/vo-webservices/{l}"))
            .collect();
        let mut done = std::collections::HashSet::new();
        while let Some(path) = todo.pop() {
            if !done.insert(path.clone()) {
                continue;
            }
            let reply = c.get(&path).await.unwrap();
            assert_eq!(reply.status, 200, "{path}");
            let xsd = reply.text();
            assert!(xsd.contains("schema"), "{path}");
            let dir = &path[..path.rfind('/').unwrap() + 1];
            for l in schema_locations(&xsd) {
                todo.push(format!("{dir}{l}"));
            }
        }
        assert!(done.len() >= 2);
    }
    assert_eq!(
        c.get("/vo-webservices/xsd/bestaat-niet.xsd")
            .await
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        c.get("/vo-webservices/Onbekend?wsdl").await.unwrap().status,
        404
    );
}

/// Every `schemaLocation` in a document, checked for well-formedness on the way.
fn schema_locations(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                for a in e.attributes() {
                    let a = a.unwrap();
                    if a.key.as_ref() == "schemaLocation" {
                        out.push(
                            a.normalized_value(quick_xml::XmlVersion::default())
                                .unwrap()
                                .to_string(),
                        );
                    }
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

async fn admin_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    admin_request(addr, "GET", path, "Host: localhost\r\n").await
}

/// One admin request with `headers` (each ending in CRLF) over a fresh connection.
async fn admin_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "{method} {path} HTTP/1.1\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    let status = buf[9..12].parse().unwrap();
    let body = buf[buf.find("\r\n\r\n").unwrap() + 4..].to_string();
    (status, body)
}

struct Echo;
impl osp_gateway::AdminExtension for Echo {
    fn handle(&self, r: &osp_gateway::AdminRequest) -> Option<osp_gateway::AdminResponse> {
        (r.path == "/echo").then(|| {
            osp_gateway::AdminResponse::json(
                200,
                format!("{{\"query\":\"{}\"}}", r.query.clone().unwrap_or_default()),
            )
        })
    }
}

#[tokio::test]
async fn admin_listener_health_metrics_and_extensions() {
    let double = std::sync::Arc::new(Double::default());
    let extras = osp_gateway::Extras {
        admin_extensions: vec![std::sync::Arc::new(Echo)],
    };
    let gw = osp_gateway::Gateway::start_with(config(), double, validator(), extras)
        .await
        .unwrap();
    let admin = gw.admin_addr().unwrap();
    assert!(admin.ip().is_loopback());
    assert_eq!(
        admin_get(admin, "/healthz").await,
        (200, "ok\n".to_string())
    );
    let running = Running {
        gateway: gw,
        double: std::sync::Arc::new(Double::default()),
    };
    let mut c = connect(&running, SCHOOL_AA).await;
    c.post("/vo-webservices/", None, EXAMPLE.to_string())
        .await
        .unwrap();
    let (status, metrics) = admin_get(admin, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains("osp_requests_total{contract=\"-\",outcome=\"fault\",fault=\"DK0003\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("osp_open_connections 1"), "{metrics}");
    assert!(metrics.contains("osp_request_duration_seconds_count 1"));
    assert_eq!(
        admin_get(admin, "/echo?a=1").await,
        (200, "{\"query\":\"a=1\"}".to_string())
    );
    assert_eq!(admin_get(admin, "/nope").await.0, 404);
}

#[tokio::test]
async fn admin_listener_refuses_foreign_host_origin_and_missing_token() {
    let extras = || osp_gateway::Extras {
        admin_extensions: vec![std::sync::Arc::new(Echo)],
    };
    let double = std::sync::Arc::new(Double::default());
    let gw = osp_gateway::Gateway::start_with(config(), double.clone(), validator(), extras())
        .await
        .unwrap();
    let admin = gw.admin_addr().unwrap();
    let own = format!("Host: 127.0.0.1:{}\r\n", admin.port());
    // curl and the CLI: a loopback Host, no Origin
    assert_eq!(admin_request(admin, "POST", "/echo", &own).await.0, 200);
    // DNS rebinding: a hostile name that resolves to 127.0.0.1
    let (status, body) = admin_request(admin, "POST", "/echo", "Host: evil.example\r\n").await;
    assert_eq!(
        (status, body.as_str()),
        (421, "Host niet toegestaan voor de admin-API\n")
    );
    assert_eq!(
        admin_request(admin, "GET", "/healthz", "Host: evil.example:8444\r\n")
            .await
            .0,
        421
    );
    assert_eq!(
        admin_request(admin, "GET", "/echo", "").await.0,
        421,
        "no Host"
    );
    // a page in a browser on this machine: cross-site POST
    let cross = format!("{own}Origin: http://evil.example\r\n");
    assert_eq!(admin_request(admin, "POST", "/echo", &cross).await.0, 403);
    let same = format!("{own}Origin: http://127.0.0.1:{}\r\n", admin.port());
    assert_eq!(admin_request(admin, "POST", "/echo", &same).await.0, 200);

    // A configured token is required on every route but /healthz.
    let mut cfg = config();
    cfg.admin_access.token = Some("s3cret".into());
    let gw2 = osp_gateway::Gateway::start_with(cfg, double, validator(), extras())
        .await
        .unwrap();
    let admin = gw2.admin_addr().unwrap();
    assert_eq!(
        admin_request(admin, "GET", "/metrics", "Host: localhost\r\n")
            .await
            .0,
        401
    );
    assert_eq!(
        admin_request(
            admin,
            "GET",
            "/echo",
            "Host: localhost\r\nAuthorization: Bearer wrong\r\n"
        )
        .await
        .0,
        401
    );
    assert_eq!(
        admin_request(
            admin,
            "GET",
            "/echo",
            "Host: localhost\r\nAuthorization: Bearer s3cret\r\n"
        )
        .await
        .0,
        200
    );
    assert_eq!(admin_get(admin, "/healthz").await.0, 200);

    // Off loopback without a token the gateway does not start (checked before binding).
    let mut open = config();
    open.admin = Some("0.0.0.0:0".parse().unwrap());
    let double = std::sync::Arc::new(Double::default());
    let refused = osp_gateway::Gateway::start_with(open, double, validator(), extras()).await;
    assert!(matches!(
        refused,
        Err(osp_gateway::GatewayError::AdminToken(_))
    ));
}

#[tokio::test]
async fn idle_connections_close_and_busy_port_is_a_clear_error() {
    let mut cfg = config();
    cfg.limits.idle_timeout = Duration::from_millis(300);
    let running = start_with(cfg.clone()).await;
    let mut c = connect(&running, SCHOOL_AA).await;
    assert_eq!(
        c.post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            EXAMPLE.to_string()
        )
        .await
        .unwrap()
        .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(c
        .post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            EXAMPLE.to_string()
        )
        .await
        .is_err());
    assert_eq!(running.gateway.metrics().open_connections(), 0);

    cfg.listen = running.gateway.local_addr();
    let err = osp_gateway::Gateway::start_with(
        cfg,
        std::sync::Arc::new(Double::default()),
        validator(),
        Default::default(),
    )
    .await
    .err()
    .unwrap();
    assert!(
        matches!(err, osp_gateway::GatewayError::Bind { .. }),
        "{err}"
    );

    let mut bad = config();
    bad.tls.server_key = certs().join("does-not-exist.key");
    let err = osp_gateway::Gateway::start_with(
        bad,
        std::sync::Arc::new(Double::default()),
        validator(),
        Default::default(),
    )
    .await
    .err()
    .unwrap();
    assert!(
        matches!(err, osp_gateway::GatewayError::Certificate { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn slow_request_headers_are_cut_off() {
    use tokio::io::AsyncWriteExt;
    let mut cfg = config();
    cfg.limits.header_read_timeout = Duration::from_millis(300);
    let running = start_with(cfg).await;
    let (pem, key) = client_pem(&format!("clients/{SCHOOL_AA}"));
    let ccfg = client::client_config(&pem, &key, &certs().join("root-ca.pem")).unwrap();
    let tcp = tokio::net::TcpStream::connect(running.gateway.local_addr())
        .await
        .unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(ccfg)
        .connect(name, tcp)
        .await
        .unwrap();
    tls.write_all(b"POST /vo-webservices/ HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(900)).await;
    let mut buf = [0u8; 16];
    use tokio::io::AsyncReadExt;
    let n = tls.read(&mut buf).await.unwrap_or(0);
    assert_eq!(n, 0, "connection should be closed");
}

#[tokio::test]
async fn graceful_shutdown_finishes_and_flushes() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    assert_eq!(
        c.post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            EXAMPLE.to_string()
        )
        .await
        .unwrap()
        .status,
        200
    );
    let addr = running.gateway.local_addr();
    let handle = running.gateway.shutdown_handle();
    let waiter = tokio::spawn(running.gateway.wait());
    handle.trigger();
    tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(*running.double.flushed.lock().unwrap(), 1);
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "listener still accepting"
    );
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_request_finish_before_flushing() {
    let running = start().await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let slow = EXAMPLE.replace(
        "<bas:inschrijvingvolgnummer>2025-0001<",
        "<bas:inschrijvingvolgnummer>SLOW<",
    );
    let request = tokio::spawn(async move {
        c.post("/vo-webservices/", Some(INSCHRIJVING_ACTION), slow)
            .await
    });
    // wait until the request is inside the register double
    tokio::time::sleep(Duration::from_millis(200)).await;
    let double = running.double.clone();
    running.gateway.shutdown().await.unwrap();
    let reply = request.await.unwrap().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(double.seen.lock().unwrap().len(), 1);
    assert_eq!(*double.flushed.lock().unwrap(), 1);
}
