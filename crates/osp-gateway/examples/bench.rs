//! Quick throughput measurement of the gateway on loopback: full mTLS handshakes per second
//! (new connection + one trivial request) and keep-alive requests per second (trivial GET and a
//! SOAP POST through the whole pipeline). Run: `cargo run --release -p osp-gateway --example bench`
//! (`-- --rsa` for RSA-2048 keys, `-- --serve SECS` to only serve for manual checks).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a measuring tool, not a server: it stops on the first failure

use std::sync::Arc;
use std::time::{Duration, Instant};

use osp_gateway::client;
use osp_gateway::{BodyValidator, Extras, Gateway, GatewayConfig, Locatie};
use osp_model::Contract;
use osp_register::{Delivery, Reply, Service, ServiceError};

/// Register stand-in answering every delivery with a small fixed body.
struct Fixed;
impl Service for Fixed {
    fn deliver(&self, d: Delivery<'_>) -> Result<Reply, ServiceError> {
        let el = d.operation.response_element();
        Ok(Reply {
            body: format!(
                "<r:{el} xmlns:r=\"{}\"/>",
                d.operation.contract().schema_ns()
            ),
            goedgekeurd: Some(true),
        })
    }
    fn mandated(&self, _: &str, _: &str, _: Contract) -> bool {
        true
    }
    fn flush(&self) -> Result<(), ServiceError> {
        Ok(())
    }
}

/// Validation is measured separately in osp-model; the bench isolates the gateway.
struct NoXsd;
impl BodyValidator for NoXsd {
    fn validate(&self, _: Contract, _: &str) -> Result<(), Vec<Locatie>> {
        Ok(())
    }
}

const ENVELOPE: &str = include_str!("../tests/data/aanleverenInschrijvingVO.envelope.xml");
const ACTION: &str =
    "http://duo.nl/contract/DUO_VOAanlevering_InschrijvingVO_V1/aanleverenInschrijvingVO";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rsa = std::env::args().any(|a| a == "--rsa");
    let dir = tempfile::tempdir()?;
    osp_pki::init(dir.path(), osp_pki::InitOptions { force: false, rsa })?;
    let mut config = GatewayConfig::dev(dir.path());
    config.listen = "127.0.0.1:0".parse()?;
    config.admin = None;
    let gw =
        Gateway::start_with(config, Arc::new(Fixed), Arc::new(NoXsd), Extras::default()).await?;
    let addr = gw.local_addr();
    // `--serve SECS`: no benchmark, just serve for manual checks (curl, SoapUI).
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let secs: u64 = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(60);
        println!(
            "serving on https://{addr}/vo-webservices/ with certificates in {} for {secs}s",
            dir.path().display()
        );
        tokio::time::sleep(Duration::from_secs(secs)).await;
        gw.shutdown().await?;
        return Ok(());
    }
    let cfg = client::dev_client_config(dir.path(), "0000000700099AA00000")?;
    let tasks = 4;
    let window = Duration::from_secs(5);

    // handshakes: each iteration = new TCP + full mTLS handshake + one trivial GET
    let start = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let cfg = cfg.clone();
        handles.push(tokio::spawn(async move {
            let mut n = 0u64;
            while start.elapsed() < window {
                let mut c = client::connect(addr, "localhost", cfg.clone())
                    .await
                    .expect("connect");
                c.get("/vo-webservices/xsd/none.xsd").await.expect("get");
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await?;
    }
    let hs = total as f64 / start.elapsed().as_secs_f64();
    println!(
        "handshakes ({}): {hs:.0}/s (new connection + 1 GET, {tasks} clients)",
        if rsa { "RSA-2048" } else { "ECDSA P-256" }
    );

    for (label, soap) in [
        ("trivial GET", false),
        ("SOAP POST (example envelope, no XSD)", true),
    ] {
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..tasks {
            let cfg = cfg.clone();
            handles.push(tokio::spawn(async move {
                let mut c = client::connect(addr, "localhost", cfg)
                    .await
                    .expect("connect");
                let mut n = 0u64;
                while start.elapsed() < window {
                    let r = if soap {
                        c.post("/vo-webservices/", Some(ACTION), ENVELOPE)
                            .await
                            .expect("post")
                    } else {
                        c.get("/vo-webservices/xsd/none.xsd").await.expect("get")
                    };
                    assert!(r.status == 200 || r.status == 404);
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for h in handles {
            total += h.await?;
        }
        println!(
            "keep-alive {label}: {:.0} req/s ({tasks} connections)",
            total as f64 / start.elapsed().as_secs_f64()
        );
    }
    gw.shutdown().await?;
    Ok(())
}
