//! 2,000 TCP connections that never start TLS. Before: each held one of the 1,024 slots for the
//! 10 s header timeout and new clients queued behind them in the accept backlog (a good client
//! waited 69 s). Now: a handshake has 3 s, at most 256 connections may be in the handshake at
//! once and the oldest is dropped for a newcomer, and established connections keep their slots.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

use crate::common::*;

const FLOOD: usize = 2000;
const ATTACK: Duration = Duration::from_secs(12);

/// Holds `n` silent TCP connections until `attack` is over, reconnecting (after a pause) when
/// the server closes one. Returns how many connections the server closed.
async fn flood(addr: SocketAddr, n: usize, attack: Duration) -> usize {
    let end = tokio::time::Instant::now() + attack;
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            tokio::spawn(async move {
                let mut closed = 0;
                while tokio::time::Instant::now() < end {
                    let connecting = tokio::net::TcpStream::connect(addr);
                    if let Ok(Ok(mut s)) = tokio::time::timeout_at(end, connecting).await {
                        let mut b = [0u8; 1];
                        if let Ok(Ok(_)) = tokio::time::timeout_at(end, s.read(&mut b)).await {
                            closed += 1;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                closed
            })
        })
        .collect();
    let mut closed = 0;
    for t in tasks {
        closed += t.await.unwrap_or(0);
    }
    closed
}

#[test]
fn silent_tcp_flood_does_not_starve_a_good_client() {
    let _one_at_a_time = exclusive();
    // One address for everyone on loopback: the per-address limit is lifted so the handshake
    // deadline and the handshake pool are what protect the good client.
    let osp = Osp::start(OspOptions::default().limit("max_connections_per_address", 0));
    let good = GoodClient::start(
        &osp,
        GoodClientOptions {
            reconnect_every: 1,
            ..GoodClientOptions::default()
        },
    );
    std::thread::sleep(Duration::from_secs(1));
    let baseline = osp.rss_kib();
    let rt = attack_runtime();
    let started = Instant::now();
    let (closed, peak) = with_peak_rss(&osp, || rt.block_on(flood(osp.soap, FLOOD, ATTACK)));
    eprintln!(
        "no-TLS flood: {FLOOD} connections for {:?}, {closed} closed by the server",
        started.elapsed()
    );
    std::thread::sleep(Duration::from_secs(1));
    let report = good.finish();
    drop(rt);
    std::thread::sleep(Duration::from_secs(1));
    let after = osp.rss_kib();
    report.print("no-TLS flood");
    print_rss("no-TLS flood", baseline, peak, after);
    eprintln!(
        "no-TLS flood: handshakes timed out {:?}, evicted {:?}",
        osp.metric("osp_shed_total{reason=\"handshake_timeout\"}"),
        osp.metric("osp_shed_total{reason=\"handshake_evicted\"}")
    );
    report.assert_served(20);
    assert!(closed > 0, "the server never closed a silent connection");
    assert!(
        peak.saturating_sub(baseline) < 256 * 1024,
        "server RSS grew by {} KiB",
        peak - baseline
    );
}
