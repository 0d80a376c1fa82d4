//! Push end to end against a test LAS receiver: an HTTPS server with a certificate from the dev
//! PKI that requires a client certificate, records what arrives and fails on command. Proves
//! delivery with DUO's client certificate and WS-Addressing, retry with backoff, survival of an osp
//! restart between retries (durable retry state), and refusal of a LAS certificate from a foreign
//! root.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use osp_model::Operation;
use osp_push::{Backoff, Callback, PushConfig, Pusher};
use osp_register::{Delivery, Reference, Register, RegisterConfig, Service};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

const AA: &str = "0000000700099AA00000";
const DUO: &str = "00000001800866472000";

/// One request as the LAS saw it.
#[derive(Debug, Clone)]
struct Ontvangen {
    client_oin: String,
    soap_action: String,
    body: String,
}

struct Las {
    port: u16,
    ontvangen: Arc<Mutex<Vec<Ontvangen>>>,
    fouten_te_gaan: Arc<AtomicUsize>,
    _task: tokio::task::JoinHandle<()>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Starts a LAS receiver on 127.0.0.1 with `cert`/`key`, requiring client certificates under
/// `root`; the first `fouten` requests get HTTP 503.
async fn start_las(cert: &Path, key: &Path, root: &Path, fouten: usize) -> Las {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(root).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let ontvangen = Arc::new(Mutex::new(Vec::new()));
    let fouten_te_gaan = Arc::new(AtomicUsize::new(fouten));
    let (o, f) = (ontvangen.clone(), fouten_te_gaan.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let (o, f) = (o.clone(), f.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let client_oin = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .and_then(|c| osp_pki::oin_from_certificate(c.as_ref()).ok())
                    .map(|o| o.as_str().to_string())
                    .unwrap_or_default();
                let service = hyper::service::service_fn(
                    move |req: Request<hyper::body::Incoming>| {
                        let (o, f, client_oin) = (o.clone(), f.clone(), client_oin.clone());
                        async move {
                            let soap_action = req
                                .headers()
                                .get("SOAPAction")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_string();
                            let body = String::from_utf8_lossy(
                                &req.into_body().collect().await?.to_bytes(),
                            )
                            .into_owned();
                            o.lock().unwrap().push(Ontvangen {
                                client_oin,
                                soap_action,
                                body,
                            });
                            let falen = f
                                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                                    n.checked_sub(1)
                                })
                                .is_ok();
                            let (status, tekst) = if falen {
                                (503, "tijdelijk niet beschikbaar".to_string())
                            } else {
                                (200, "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><obv:verstrekkenBekostigingVO_Response xmlns:obv=\"http://duo.nl/schema/DUO_VOInformatiediensten_OphalenBerichtenVO_V1\"/></s:Body></s:Envelope>".to_string())
                            };
                            Ok::<_, hyper::Error>(
                                Response::builder()
                                    .status(status)
                                    .header("Content-Type", "text/xml; charset=UTF-8")
                                    .body(Full::new(Bytes::from(tekst)))
                                    .unwrap(),
                            )
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Las {
        port,
        ontvangen,
        fouten_te_gaan,
        _task: task,
    }
}

struct Omgeving {
    _dir: tempfile::TempDir,
    certs: PathBuf,
    data: PathBuf,
}

fn omgeving() -> Omgeving {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs-dev");
    osp_pki::init(&certs, osp_pki::InitOptions::default()).unwrap();
    let data = dir.path().join("data");
    Omgeving {
        certs,
        data,
        _dir: dir,
    }
}

fn open_register(data: &Path) -> Arc<Register> {
    let reference = Reference::load(&osp_register::reference::standaard_map()).unwrap();
    let cfg = RegisterConfig {
        today: chrono::NaiveDate::from_ymd_opt(2025, 9, 15),
        ..RegisterConfig::default()
    };
    Arc::new(Register::open(&data.join("register"), reference, cfg).unwrap())
}

fn lever_inschrijving(r: &Register) {
    let body = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/samples/aanleverenInschrijvingVO_Request.xml"),
    )
    .unwrap();
    let reply = r
        .deliver(Delivery {
            sandbox: "default",
            certificaat_oin: AA,
            from_oin: AA,
            message_id: "urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01",
            operation: Operation::AanleverenInschrijvingVO,
            body: &body,
        })
        .unwrap();
    assert_eq!(reply.goedgekeurd, Some(true));
}

fn config(o: &Omgeving, callbacks: Vec<Callback>) -> PushConfig {
    let mut c = PushConfig::dev(&o.certs, &o.data);
    c.backoff = Backoff {
        basis: Duration::from_millis(200),
        max: Duration::from_millis(400),
    };
    c.poll = Duration::from_millis(20);
    c.timeout = Duration::from_secs(10);
    c.callbacks = callbacks;
    c
}

async fn wacht_tot_klaar(p: &Pusher) {
    if let Some(d) = p.volgende_poging_over() {
        tokio::time::sleep(d + Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_retries_and_survives_a_restart_between_retries() {
    let o = omgeving();
    let las = start_las(
        &o.certs.join("server.pem"),
        &o.certs.join("server.key"),
        &o.certs.join("root-ca.pem"),
        2,
    )
    .await;
    let url = format!("https://localhost:{}/las/duo", las.port);

    // osp, first life: one bekostigingsbericht for 99AA's administratie; the LAS fails.
    let register = open_register(&o.data);
    lever_inschrijving(&register);
    assert_eq!(register.outbox_read("default", AA, 0, 10).unwrap().len(), 1);
    let pusher = Pusher::new(
        register.clone(),
        config(
            &o,
            vec![Callback {
                oin: AA.into(),
                url: url.clone(),
                sandbox: "default".into(),
            }],
        ),
    )
    .unwrap();
    assert_eq!(pusher.ronde().await, 0);
    let s = pusher.status();
    assert_eq!(s.mislukt.len(), 1);
    assert_eq!(s.mislukt[0].1.pogingen, 1);
    assert_eq!(s.mislukt[0].1.laatste_fout, "HTTP 503");
    assert!(pusher
        .render_metrics()
        .contains("osp_push_attempts_total{outcome=\"failed\"} 1"));
    // Not due yet: a second round does not retry.
    assert_eq!(pusher.ronde().await, 0);
    assert_eq!(las.ontvangen.lock().unwrap().len(), 1);
    drop(pusher);
    drop(register);

    // osp, second life: callbacks and retry state come from the state file.
    let register = open_register(&o.data);
    let pusher = Pusher::new(register.clone(), config(&o, vec![])).unwrap();
    let s = pusher.status();
    assert_eq!(s.callbacks.len(), 1);
    assert_eq!(
        s.mislukt[0].1.pogingen, 1,
        "retry state survived the restart"
    );
    wacht_tot_klaar(&pusher).await;
    assert_eq!(pusher.ronde().await, 0);
    assert_eq!(
        pusher.status().mislukt[0].1.pogingen,
        2,
        "backoff continues where it was"
    );
    wacht_tot_klaar(&pusher).await;
    assert_eq!(pusher.ronde().await, 1);
    assert!(pusher.status().mislukt.is_empty());
    assert!(
        register
            .outbox_read("default", AA, 0, 10)
            .unwrap()
            .is_empty(),
        "delivered = acknowledged in the outbox"
    );
    assert!(pusher
        .render_metrics()
        .contains("osp_push_attempts_total{outcome=\"delivered\"} 1"));

    let ontvangen = las.ontvangen.lock().unwrap().clone();
    assert_eq!(ontvangen.len(), 3);
    for r in &ontvangen {
        assert_eq!(r.client_oin, DUO, "DUO's client certificate");
        assert_eq!(r.soap_action.trim_matches('"'), "http://duo.nl/contract/DUO_VOInformatiediensten_OphalenBerichtenVO_V1/verstrekkenBekostigingVO");
        assert!(r.body.contains(&format!(
            "<wsa:To>http://www.w3.org/2005/08/addressing/anonymous?oin={AA}</wsa:To>"
        )));
        assert!(r.body.contains(&format!(
            "<wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin={DUO}</wsa:Address>"
        )));
        assert!(r.body.contains(&format!(
            "<wsa:Action>{}</wsa:Action>",
            r.soap_action.trim_matches('"')
        )));
        assert!(r.body.contains("<obv:verstrekkenBekostigingVO_Request"));
    }
    // The same message each time (same identificatiecode), a new MessageID per attempt.
    let mids: std::collections::BTreeSet<_> = ontvangen
        .iter()
        .map(|r| {
            r.body
                .split("<wsa:MessageID>")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(mids.len(), 3);
    assert_eq!(las.fouten_te_gaan.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_loop_pushes_new_messages_and_stops() {
    let o = omgeving();
    let las = start_las(
        &o.certs.join("server.pem"),
        &o.certs.join("server.key"),
        &o.certs.join("root-ca.pem"),
        0,
    )
    .await;
    let register = open_register(&o.data);
    let pusher = Pusher::new(register.clone(), config(&o, vec![])).unwrap();
    // Callback set through the admin route.
    let admin = osp_push::PushAdmin {
        pusher: pusher.clone(),
    };
    use osp_gateway::{AdminExtension, AdminRequest};
    let put = AdminRequest {
        method: "PUT".into(),
        path: format!("/push/callbacks/{AA}"),
        query: None,
        body: Bytes::from(format!(
            "{{\"url\": \"https://localhost:{}/las\"}}",
            las.port
        )),
    };
    assert_eq!(admin.handle(&put).unwrap().status, 200);
    let bad = AdminRequest {
        body: Bytes::from_static(b"{\"url\": \"http://x\"}"),
        ..put.clone()
    };
    assert_eq!(admin.handle(&bad).unwrap().status, 400);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let taak = tokio::spawn(pusher.clone().run(stop_rx));
    lever_inschrijving(&register);
    pusher.wek();
    for _ in 0..200 {
        if !las.ontvangen.lock().unwrap().is_empty()
            && register
                .outbox_read("default", AA, 0, 1)
                .unwrap()
                .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(las.ontvangen.lock().unwrap().len(), 1);
    assert!(register
        .outbox_read("default", AA, 0, 1)
        .unwrap()
        .is_empty());
    let status = admin
        .handle(&AdminRequest {
            method: "GET".into(),
            path: "/push".into(),
            query: None,
            body: Bytes::new(),
        })
        .unwrap();
    assert!(String::from_utf8(status.body)
        .unwrap()
        .contains("\"afgeleverd\": 1"));
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), taak)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn las_certificate_from_a_foreign_root_is_refused() {
    let o = omgeving();
    let neg = o.certs.join("negative");
    let las = start_las(
        &neg.join("wrong-root.pem"),
        &neg.join("wrong-root.key"),
        &o.certs.join("root-ca.pem"),
        0,
    )
    .await;
    let register = open_register(&o.data);
    lever_inschrijving(&register);
    let url = format!("https://localhost:{}/las", las.port);
    let pusher = Pusher::new(
        register.clone(),
        config(
            &o,
            vec![Callback {
                oin: AA.into(),
                url,
                sandbox: "default".into(),
            }],
        ),
    )
    .unwrap();
    assert_eq!(pusher.ronde().await, 0);
    let s = pusher.status();
    assert_eq!(s.mislukt.len(), 1);
    assert!(
        s.mislukt[0].1.laatste_fout.contains("TLS"),
        "{}",
        s.mislukt[0].1.laatste_fout
    );
    assert!(las.ontvangen.lock().unwrap().is_empty());
    assert_eq!(
        register.outbox_read("default", AA, 0, 10).unwrap().len(),
        1,
        "still waiting in the outbox"
    );
}
