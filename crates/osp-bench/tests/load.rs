//! The load generator against the echo baseline and against a real in-process osp: every
//! message answered, and osp approves every generated stand (keep-alive and new-connection).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use osp_bench::load::{run, LoadSpec, Modus};
use osp_bench::personen::BsnReeks;
use osp_gateway::{Gateway, GatewayConfig};
use osp_register::{Reference, Register, RegisterConfig};

fn spec(
    certs: &std::path::Path,
    addr: SocketAddr,
    modus: Modus,
    vanaf: usize,
    n: usize,
    run: u32,
) -> LoadSpec {
    LoadSpec {
        doel: "test".into(),
        addr,
        server_name: "localhost".into(),
        pad: "/vo-webservices/".into(),
        client: osp_gateway::client::dev_client_config(certs, osp_bench::AFZENDER_OIN).unwrap(),
        modus,
        verbindingen: 2,
        rate: None,
        duur: Duration::from_secs(60),
        bsns: Arc::new(BsnReeks::default().reeks(vanaf, n)),
        run,
        controleer_elke: 1,
        pid: Some(std::process::id()),
    }
}

fn config(certs: &std::path::Path) -> GatewayConfig {
    let mut c = GatewayConfig::dev(certs);
    c.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    c.admin = None;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_answers_every_message_with_its_fixed_body() {
    let certs = tempfile::tempdir().unwrap();
    osp_pki::init(certs.path(), osp_pki::InitOptions::default()).unwrap();
    let antwoord = osp_gateway::envelope::wrap_response(osp_bench::ECHO_ANTWOORD, None);
    let gw = Gateway::start_echo(config(certs.path()), bytes::Bytes::from(antwoord))
        .await
        .unwrap();
    let r = run(spec(
        certs.path(),
        gw.local_addr(),
        Modus::KeepAlive,
        0,
        30,
        1,
    ))
    .await;
    assert_eq!(r.ok, 30, "{r:?}");
    assert!(r.fouten.is_empty(), "{r:?}");
    // the fixed body reports approval, so the sampled check passes without a register
    assert_eq!(r.goedgekeurd, 30);
    assert!(r.latentie_ms.max >= r.latentie_ms.p50 && r.latentie_ms.p50 > 0.0);
    assert!(r.geheugen_na.unwrap().rss_kib > 0);
    assert_eq!(gw.metrics().requests("-", "echo", ""), 30);
    gw.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn osp_approves_every_generated_stand_in_both_modes() {
    let certs = tempfile::tempdir().unwrap();
    osp_pki::init(certs.path(), osp_pki::InitOptions::default()).unwrap();
    let data = tempfile::tempdir().unwrap();
    let reference = Reference::load(&osp_register::reference::standaard_map()).unwrap();
    let today = chrono::NaiveDate::parse_from_str(osp_bench::BENCH_VANDAAG, "%Y-%m-%d").unwrap();
    let register = Arc::new(
        Register::open(
            data.path(),
            reference,
            RegisterConfig {
                today: Some(today),
                ..Default::default()
            },
        )
        .unwrap(),
    );
    let gw = Gateway::start(config(certs.path()), register)
        .await
        .unwrap();
    let a = run(spec(
        certs.path(),
        gw.local_addr(),
        Modus::KeepAlive,
        0,
        24,
        1,
    ))
    .await;
    assert_eq!(
        (a.ok, a.goedgekeurd, a.gecontroleerd),
        (24, 24, 24),
        "{a:?}"
    );
    let b = run(spec(
        certs.path(),
        gw.local_addr(),
        Modus::NieuweVerbinding,
        24,
        8,
        2,
    ))
    .await;
    assert_eq!((b.ok, b.goedgekeurd), (8, 8), "{b:?}");
    assert!(b.fouten.is_empty());
    gw.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_rate_is_respected_and_the_run_is_bounded() {
    let certs = tempfile::tempdir().unwrap();
    osp_pki::init(certs.path(), osp_pki::InitOptions::default()).unwrap();
    let gw = Gateway::start_echo(config(certs.path()), bytes::Bytes::from_static(b"<x/>"))
        .await
        .unwrap();
    let mut s = spec(certs.path(), gw.local_addr(), Modus::KeepAlive, 0, 1000, 3);
    s.rate = Some(40.0);
    s.duur = Duration::from_millis(500);
    s.controleer_elke = 0;
    let r = run(s).await;
    // 40/s for 0.5 s schedules 20 messages (bounded by time, not by the 1000 persons)
    assert!((15..=21).contains(&r.ok), "{r:?}");
    gw.shutdown().await.unwrap();
}
