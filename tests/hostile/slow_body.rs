//! Ten connections announce `Content-Length: 4000000` and send the body one byte per
//! millisecond. Before: each one-byte read became its own body chunk pinning hyper's 8 KiB read
//! buffer (+65 MB RSS per connection; 10 connections: 101 → 750 MB, 550 MB still held after).
//! Now: small reads of a trickling body are gathered into 8 KiB pieces, a body slower than the
//! minimum rate (4 KiB/s after a 5 s grace) is cut off, and the memory is returned.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

const CONNECTIONS: usize = 10;
const ATTACK: Duration = Duration::from_secs(12);

#[derive(Debug, Default, Clone, Copy)]
struct Trickle {
    sent: usize,
    cut_by_server: bool,
}

/// Announces 4 MB and sends one byte per millisecond until `attack` is over or the server
/// closes the connection.
async fn trickle(addr: SocketAddr, config: Arc<rustls::ClientConfig>, attack: Duration) -> Trickle {
    let end = tokio::time::Instant::now() + attack;
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .unwrap();
    let (mut rd, mut wr) = tokio::io::split(tls);
    let head = format!(
        "POST /vo-webservices/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=UTF-8\r\nSOAPAction: \"{}\"\r\nContent-Length: 4000000\r\n\r\n",
        osp_model::Operation::AanleverenInschrijvingVO.action()
    );
    wr.write_all(head.as_bytes()).await.unwrap();
    let closed = tokio::spawn(async move {
        let mut sink = Vec::new();
        let _ = rd.read_to_end(&mut sink).await;
    });
    let mut out = Trickle::default();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    while tokio::time::Instant::now() < end {
        tick.tick().await;
        if closed.is_finished() || wr.write_all(b" ").await.is_err() || wr.flush().await.is_err() {
            out.cut_by_server = true;
            break;
        }
        out.sent += 1;
    }
    out
}

#[test]
fn trickled_bodies_do_not_grow_memory_and_are_cut_off() {
    let _one_at_a_time = exclusive();
    let osp = Osp::start(OspOptions::default());
    let good = GoodClient::start(&osp, GoodClientOptions::default());
    std::thread::sleep(Duration::from_secs(1));
    let baseline = osp.rss_kib();
    let rt = attack_runtime();
    let config = osp.client_config(VENDOR);
    let started = Instant::now();
    let (trickles, peak) = with_peak_rss(&osp, || {
        rt.block_on(async {
            let tasks: Vec<_> = (0..CONNECTIONS)
                .map(|_| tokio::spawn(trickle(osp.soap, config.clone(), ATTACK)))
                .collect();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap());
            }
            out
        })
    });
    let attack_time = started.elapsed();
    let report = good.finish();
    drop(rt);
    std::thread::sleep(Duration::from_secs(2));
    let after = osp.rss_kib();
    let cut = trickles.iter().filter(|t| t.cut_by_server).count();
    let sent: Vec<usize> = trickles.iter().map(|t| t.sent).collect();
    eprintln!(
        "slow body: {CONNECTIONS} connections for {attack_time:?}, {cut} cut off by the server, bytes sent {sent:?}"
    );
    report.print("slow body");
    print_rss("slow body", baseline, peak, after);
    report.assert_served(20);
    assert_eq!(cut, CONNECTIONS, "every trickling body is cut off");
    assert!(
        peak.saturating_sub(baseline) < 64 * 1024,
        "server RSS grew by {} KiB during the attack",
        peak - baseline
    );
    assert!(
        after.saturating_sub(baseline) < 32 * 1024,
        "server RSS {} KiB above its baseline after the attack",
        after - baseline
    );
    assert_eq!(
        osp.metric("osp_shed_total{reason=\"slow_body\"}"),
        Some(CONNECTIONS as f64)
    );
}
