//! 2,000 connections that finish the TLS handshake with a valid certificate and then send
//! nothing. Before: they held all 1,024 slots for the 60 s idle timeout and a good client's new
//! connection timed out. Now: when every slot is taken, the connection idle longest (≥ 1 s) is
//! reclaimed for the newcomer; a client between two requests is never the one picked.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

use crate::common::*;

const FLOOD: usize = 2000;
const ATTACK: Duration = Duration::from_secs(15);

#[derive(Debug, Default)]
struct Outcome {
    established: usize,
    closed_by_server: usize,
}

/// Keeps up to `n` idle mTLS connections until `attack` is over, reconnecting (after a pause)
/// when the server closes one; at most 32 handshakes at a time, so the attacker's own CPU use
/// stays bounded.
async fn flood(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    n: usize,
    attack: Duration,
) -> Outcome {
    let end = tokio::time::Instant::now() + attack;
    let handshakes = Arc::new(tokio::sync::Semaphore::new(32));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (config, handshakes) = (config.clone(), handshakes.clone());
            tokio::spawn(async move {
                let mut out = Outcome::default();
                while tokio::time::Instant::now() < end {
                    let permit = handshakes.acquire().await;
                    let connecting = async {
                        let tcp = tokio::net::TcpStream::connect(addr).await?;
                        let name = rustls_pki_types::ServerName::try_from("localhost")
                            .map_err(std::io::Error::other)?;
                        tokio_rustls::TlsConnector::from(config.clone())
                            .connect(name, tcp)
                            .await
                    };
                    let tls = tokio::time::timeout_at(end, connecting).await;
                    drop(permit);
                    if let Ok(Ok(mut tls)) = tls {
                        out.established += 1;
                        let mut b = [0u8; 1];
                        if tokio::time::timeout_at(end, tls.read(&mut b)).await.is_ok() {
                            out.closed_by_server += 1;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                out
            })
        })
        .collect();
    let mut total = Outcome::default();
    for t in tasks {
        if let Ok(o) = t.await {
            total.established += o.established;
            total.closed_by_server += o.closed_by_server;
        }
    }
    total
}

#[test]
fn idle_tls_flood_does_not_starve_a_good_client() {
    let _one_at_a_time = exclusive();
    let osp = Osp::start(OspOptions::default().limit("max_connections_per_address", 0));
    let good = GoodClient::start(
        &osp,
        GoodClientOptions {
            reconnect_every: 5,
            ..GoodClientOptions::default()
        },
    );
    std::thread::sleep(Duration::from_secs(1));
    let baseline = osp.rss_kib();
    let rt = attack_runtime();
    let started = Instant::now();
    let config = osp.client_config(VENDOR);
    let (outcome, peak) =
        with_peak_rss(&osp, || rt.block_on(flood(osp.soap, config, FLOOD, ATTACK)));
    eprintln!(
        "idle-TLS flood: {FLOOD} clients for {:?}: {} connections established, {} closed by the server",
        started.elapsed(),
        outcome.established,
        outcome.closed_by_server
    );
    std::thread::sleep(Duration::from_secs(1));
    let report = good.finish();
    drop(rt);
    std::thread::sleep(Duration::from_secs(1));
    let after = osp.rss_kib();
    report.print("idle-TLS flood");
    print_rss("idle-TLS flood", baseline, peak, after);
    eprintln!(
        "idle-TLS flood: idle connections reclaimed {:?}, refused (full) {:?}",
        osp.metric("osp_shed_total{reason=\"idle_reclaimed\"}"),
        osp.metric("osp_shed_total{reason=\"full\"}")
    );
    report.assert_served(20);
    assert!(
        outcome.established >= 1024,
        "the flood never filled the slots"
    );
    assert!(
        peak.saturating_sub(baseline) < 256 * 1024,
        "server RSS grew by {} KiB",
        peak - baseline
    );
}
