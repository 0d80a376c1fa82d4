//! The transport's defences against hostile clients, in-process over real mTLS on 127.0.0.1:
//! handshake deadline, per-address limit, idle reclamation, in-flight body budget (503 +
//! DK0051) and minimum body rate. The floods themselves run against the real binary in
//! `tests/hostile/` at the repository root.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

mod common;

use std::time::{Duration, Instant};

use common::*;
use osp_gateway::metrics::Shed;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads until the server closes the stream (or `within` passes); true when it closed.
async fn closed_within<S: tokio::io::AsyncRead + Unpin>(s: &mut S, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

async fn tls_stream(
    running: &Running,
    oin: &str,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let (pem, key) = client_pem(&format!("clients/{oin}"));
    let cfg = osp_gateway::client::client_config(&pem, &key, &certs().join("root-ca.pem")).unwrap();
    let tcp = tokio::net::TcpStream::connect(running.gateway.local_addr())
        .await
        .unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(cfg)
        .connect(name, tcp)
        .await
        .unwrap()
}

fn soap_head(content_length: usize) -> String {
    format!(
        "POST /vo-webservices/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=UTF-8\r\nSOAPAction: \"{INSCHRIJVING_ACTION}\"\r\nContent-Length: {content_length}\r\n\r\n"
    )
}

#[tokio::test]
async fn silent_peer_loses_its_slot_at_the_handshake_deadline_not_the_header_timeout() {
    let mut cfg = config();
    cfg.limits.handshake_timeout = Duration::from_millis(300);
    cfg.limits.header_read_timeout = Duration::from_secs(30);
    let running = start_with(cfg).await;
    let started = Instant::now();
    let mut silent = tokio::net::TcpStream::connect(running.gateway.local_addr())
        .await
        .unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        running.gateway.metrics().shed_count(Shed::HandshakeTimeout),
        1
    );
    // Near miss: a client that does finish its handshake in time is served.
    let mut c = connect(&running, SCHOOL_AA).await;
    let r = c
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), EXAMPLE)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn one_address_gets_no_more_than_its_connections() {
    let mut cfg = config();
    cfg.limits.max_connections_per_address = 2;
    let running = start_with(cfg).await;
    let mut first = connect(&running, SCHOOL_AA).await;
    let _second = connect(&running, SCHOOL_AA).await; // near miss: exactly at the limit
    let third = connect_as(&running, &format!("clients/{SCHOOL_AA}")).await;
    let refused = match third {
        Err(_) => true,
        // TLS 1.3: the client may finish before it notices the server closed.
        Ok(mut c) => c
            .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), EXAMPLE)
            .await
            .is_err(),
    };
    assert!(refused, "third connection from one address was served");
    assert_eq!(running.gateway.metrics().shed_count(Shed::PerAddress), 1);
    let r = first
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), EXAMPLE)
        .await
        .unwrap();
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn idle_connection_gives_its_slot_to_a_newcomer_when_all_are_taken() {
    let mut cfg = config();
    cfg.limits.max_connections = 2;
    cfg.limits.max_handshakes = 1;
    cfg.limits.reclaim_idle_after = Duration::from_millis(200);
    let running = start_with(cfg).await;
    let mut idle = connect(&running, SCHOOL_AA).await;
    let mut busy = connect(&running, SCHOOL_BB).await;
    // Near miss: all slots taken and nobody idle long enough yet: the newcomer is refused.
    let early = connect_as(&running, &format!("clients/{SCHOOL_VV}")).await;
    let early_refused = match early {
        Err(_) => true,
        Ok(mut c) => c.get("/vo-webservices/xsd/none").await.is_err(),
    };
    assert!(early_refused);
    assert_eq!(running.gateway.metrics().shed_count(Shed::Full), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = busy
        .post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            example_from(SCHOOL_BB),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    // `idle` has been idle longest: it is closed for the newcomer, `busy` keeps its slot.
    let mut newcomer = connect(&running, SCHOOL_VV).await;
    let r = newcomer
        .get("/vo-webservices/DUO_VOAanlevering_InschrijvingVO_V1?wsdl")
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(running.gateway.metrics().shed_count(Shed::IdleReclaimed), 1);
    assert!(idle
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), EXAMPLE)
        .await
        .is_err());
    let r = busy
        .post(
            "/vo-webservices/",
            Some(INSCHRIJVING_ACTION),
            example_from(SCHOOL_BB),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn body_beyond_the_in_flight_budget_gets_503_dk0051() {
    let len = EXAMPLE.len();
    let mut cfg = config();
    cfg.limits.max_inflight_body_bytes = len - 1;
    let running = start_with(cfg).await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let r = c
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), EXAMPLE)
        .await
        .unwrap();
    assert_fault(&r, "DK0051", "Server", "Service niet beschikbaar", 503);
    assert_eq!(running.gateway.metrics().shed_count(Shed::BodyBudget), 1);

    let mut per_connection = config();
    per_connection.limits.max_connection_body_bytes = len - 1;
    let running = start_with(per_connection).await;
    let mut c = connect(&running, SCHOOL_AA).await;
    let r = c
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), EXAMPLE)
        .await
        .unwrap();
    assert_fault(&r, "DK0051", "Server", "Service niet beschikbaar", 503);

    // Near miss: a budget of exactly the body's size serves it, again and again (the room is
    // given back after each request).
    let mut exact = config();
    exact.limits.max_inflight_body_bytes = len;
    exact.limits.max_connection_body_bytes = len;
    let running = start_with(exact).await;
    let mut c = connect(&running, SCHOOL_AA).await;
    for _ in 0..3 {
        let r = c
            .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), EXAMPLE)
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

#[tokio::test]
async fn body_slower_than_the_minimum_rate_is_cut_off() {
    let mut cfg = config();
    cfg.limits.min_body_rate = 1000;
    cfg.limits.body_rate_grace = Duration::from_millis(300);
    let running = start_with(cfg).await;
    let mut slow = tls_stream(&running, SCHOOL_AA).await;
    slow.write_all(soap_head(100_000).as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut cut = false;
    while started.elapsed() < Duration::from_secs(5) {
        // 100 bytes/s: a tenth of the minimum.
        if slow.write_all(b"<").await.is_err() || slow.flush().await.is_err() {
            cut = true;
            break;
        }
        if closed_within(&mut slow, Duration::from_millis(10)).await {
            cut = true;
            break;
        }
    }
    assert!(cut, "a body at 100 B/s was not cut off");
    assert_eq!(running.gateway.metrics().shed_count(Shed::SlowBody), 1);

    // Near miss: a body that pauses within the grace period and then comes whole is served,
    // and so is a request whose processing takes longer than the grace period.
    let mut ok = tls_stream(&running, SCHOOL_AA).await;
    ok.write_all(soap_head(EXAMPLE.len()).as_bytes())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    ok.write_all(EXAMPLE.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 16];
    ok.read_exact(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    let mut c = connect(&running, SCHOOL_AA).await;
    // The register double takes 500 ms for a `SLOW…` volgnummer: longer than the grace.
    let slow_env = EXAMPLE.replace(
        "<bas:inschrijvingvolgnummer>2025-0001<",
        "<bas:inschrijvingvolgnummer>SLOW<",
    );
    let r = c
        .post("/vo-webservices/", Some(INSCHRIJVING_ACTION), slow_env)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(running.gateway.metrics().shed_count(Shed::SlowBody), 1);
}
