//! End-to-end tests of the assembled binary: `osp serve` as a child process on loopback with a
//! generated dev PKI, spoken to over real mTLS by `osp send` and by the gateway's client; and the
//! crash test of SPEC §6: SIGKILL mid-stream, restart, every acknowledged stand is there whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OSP: &str = env!("CARGO_BIN_EXE_osp");
const SCHOOL: &str = "0000000700099AA00000";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    soap: u16,
    admin: u16,
}

impl Server {
    fn start(dir: &Path, soap: u16, admin: u16) -> Server {
        let child = Command::new(OSP)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{soap}"),
                "--admin-listen",
                &format!("127.0.0.1:{admin}"),
            ])
            .arg("--data")
            .arg(dir.join("data"))
            .arg("--certs")
            .arg(dir.join("certs"))
            .arg("--reference")
            .arg(repo().join("fixtures/reference"))
            .args(["--today", "2025-09-15"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut s = Server { child, soap, admin };
        s.wait_ready();
        s
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(body) = http_get(self.admin, "/healthz") {
                if body.contains("ok") {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("osp serve exited early: {status}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("osp serve did not become ready");
    }

    fn url(&self) -> String {
        format!("https://localhost:{}/vo-webservices/", self.soap)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Minimal HTTP/1.1 GET over loopback for the admin listener.
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

fn send(server: &Server, file: &Path, dir: &Path, as_oin: &str) -> (i32, String) {
    send_from(server, file, dir, as_oin, as_oin)
}

fn send_from(server: &Server, file: &Path, dir: &Path, as_oin: &str, from: &str) -> (i32, String) {
    let out = Command::new(OSP)
        .args(["send"])
        .arg(file)
        .args(["--as", as_oin, "--from", from, "--server", &server.url()])
        .arg("--certs")
        .arg(dir.join("certs"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn inschrijving(id: &str, volgnummer: &str, bsn: &str) -> String {
    format!(
        r#"<ins:aanleverenInschrijvingVO_Request xmlns:ins="http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1" xmlns:bas="http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1">
  <bas:identificatiecodeBedrijfsdocument>{id}</bas:identificatiecodeBedrijfsdocument>
  <bas:verzendendeInstantie>99AA</bas:verzendendeInstantie>
  <bas:ontvangendeInstantie>DUO</bas:ontvangendeInstantie>
  <bas:datumTijdBedrijfsdocument>2025-09-15T08:00:00Z</bas:datumTijdBedrijfsdocument>
  <bas:burgerservicenummer>{bsn}</bas:burgerservicenummer>
  <bas:brin>99AA</bas:brin>
  <bas:inschrijvingvolgnummer>{volgnummer}</bas:inschrijvingvolgnummer>
  <bas:datumInschrijving>2024-08-01</bas:datumInschrijving>
  <ins:inschrijvingPeriodeVO>
    <bas:datumBegin>2024-08-01</bas:datumBegin><bas:onderwijsaanbieder>100A001</bas:onderwijsaanbieder><bas:onderwijslocatie>100X001</bas:onderwijslocatie><bas:opleidingcode>3001</bas:opleidingcode>
    <ins:vestiging>99AA00</ins:vestiging><ins:leerjaar>1</ins:leerjaar><ins:indicatieBekostigbaar>true</ins:indicatieBekostigbaar>
  </ins:inschrijvingPeriodeVO>
  <ins:inschrijvingPeriodeVO>
    <bas:datumBegin>2025-08-01</bas:datumBegin><bas:onderwijsaanbieder>100A001</bas:onderwijsaanbieder><bas:onderwijslocatie>100X001</bas:onderwijslocatie><bas:opleidingcode>3001</bas:opleidingcode>
    <ins:vestiging>99AA00</ins:vestiging><ins:leerjaar>2</ins:leerjaar><ins:indicatieBekostigbaar>true</ins:indicatieBekostigbaar>
  </ins:inschrijvingPeriodeVO>
</ins:aanleverenInschrijvingVO_Request>"#
    )
}

#[test]
fn serve_send_goedgekeurd_afgekeurd_and_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), free_port(), free_port());
    let ok = dir.path().join("ok.xml");
    std::fs::write(
        &ok,
        inschrijving("7b0e4c7a-1111-4c4f-8e0b-2f6a9d1c7b10", "e2e-1", "999990007"),
    )
    .unwrap();
    let (code, out) = send(&server, &ok, dir.path(), SCHOOL);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>"),
        "{out}"
    );
    // Same id, same body: the stored answer again (still stand 1).
    let (code, again) = send(&server, &ok, dir.path(), SCHOOL);
    assert_eq!(code, 0);
    assert!(
        again.contains("<tk:volgnummer>1</tk:volgnummer>"),
        "{again}"
    );
    // 999990000 fails the elfproef: afgekeurd, exit 1.
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        inschrijving("7b0e4c7a-2222-4c4f-8e0b-2f6a9d1c7b10", "e2e-2", "999990000"),
    )
    .unwrap();
    let (code, out) = send(&server, &bad, dir.path(), SCHOOL);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("<tk:foutcode>0101</tk:foutcode>"), "{out}");
    // The unmandated vendor acting for 99AA gets fault DK0002: exit 1.
    let (code, out) = send_from(&server, &ok, dir.path(), "00000003876543210000", SCHOOL);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DK0002"), "{out}");
    // The mandated vendor acting for 99AA is accepted.
    let vendor = dir.path().join("vendor.xml");
    std::fs::write(
        &vendor,
        inschrijving("7b0e4c7a-3333-4c4f-8e0b-2f6a9d1c7b10", "e2e-3", "999990019"),
    )
    .unwrap();
    let (code, out) = send_from(&server, &vendor, dir.path(), "00000003123456780000", SCHOOL);
    assert_eq!(code, 0, "{out}");
    // No server: exit 2.
    let gone = Command::new(OSP)
        .args(["send"])
        .arg(&ok)
        .args([
            "--server",
            &format!("https://localhost:{}/vo-webservices/", free_port()),
        ])
        .arg("--certs")
        .arg(dir.path().join("certs"))
        .output()
        .unwrap();
    assert_eq!(gone.status.code(), Some(2));
    // The banner names the endpoint and a ready send command.
    let stdout = server.child.stdout.take().unwrap();
    let banner: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(6)
        .map(|l| l.unwrap())
        .collect();
    assert!(
        banner.iter().any(|l| l.contains(&server.url())),
        "{banner:?}"
    );
    assert!(
        banner.iter().any(|l| l.contains("osp-cli -- send")),
        "{banner:?}"
    );
    // SIGTERM: graceful stop, exit 0.
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn second_server_on_same_data_dir_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Server::start(dir.path(), free_port(), free_port());
    let out = Command::new(OSP)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
            "--admin-listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .arg("--data")
        .arg(dir.path().join("data"))
        .arg("--certs")
        .arg(dir.path().join("certs"))
        .arg("--reference")
        .arg(repo().join("fixtures/reference"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("data directory") && err.contains("another osp process"),
        "{err}"
    );
}

/// SPEC §6 durability: every stand acknowledged as goedgekeurd survives SIGKILL, whole.
#[test]
fn acknowledged_stands_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let (soap, admin) = (free_port(), free_port());
    let mut server = Server::start(dir.path(), soap, admin);
    let certs = dir.path().join("certs");
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = server.url();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (acked, sent, certs, url) =
                (acked.clone(), sent.clone(), certs.clone(), url.clone());
            runtime.spawn(async move {
                let config = osp_gateway::client::dev_client_config(&certs, SCHOOL).unwrap();
                let Ok((mut conn, path)) = osp_gateway::client::connect_url(&url, config).await
                else {
                    return;
                };
                for i in 0..10_000 {
                    let volgnummer = format!("crash-{w}-{i:05}");
                    let id = format!("{:08x}-0000-4000-8000-{:012x}", w, i);
                    let body = inschrijving(&id, &volgnummer, "999990007");
                    let env = osp_gateway::wrap_request(
                        &body,
                        osp_model::Operation::AanleverenInschrijvingVO,
                        SCHOOL,
                        osp_model::DUO_OIN,
                        &format!("urn:uuid:{id}"),
                    );
                    sent.fetch_add(1, Ordering::SeqCst);
                    match conn
                        .post(
                            &path,
                            Some(&osp_model::Operation::AanleverenInschrijvingVO.action()),
                            env,
                        )
                        .await
                    {
                        Ok(r)
                            if r.text().contains(
                                "<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>",
                            ) =>
                        {
                            acked.lock().unwrap().push(volgnummer);
                        }
                        Ok(r) => panic!("unexpected answer: {}", r.text()),
                        Err(_) => return, // the server died
                    }
                }
            })
        })
        .collect();
    // Kill once a good number of deliveries has been acknowledged, while more are in flight.
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.lock().unwrap().len() < 150 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for w in workers {
        let _ = runtime.block_on(w);
    }
    let acked: Vec<String> = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 150,
        "only {} acknowledged before the deadline",
        acked.len()
    );
    drop(server);

    let server = Server::start(dir.path(), soap, admin);
    let state = http_get(
        server.admin,
        "/sandboxes/default/burgerservicenummer/999990007",
    )
    .unwrap();
    let json = &state[state.find("\r\n\r\n").unwrap() + 4..];
    let json = if json.starts_with('{') {
        json.to_string()
    } else {
        dechunk(json)
    };
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let stored = value["inschrijvingen"].as_array().unwrap();
    let mut present = std::collections::HashMap::new();
    for s in stored {
        let text = s.to_string();
        let volg = find_string(s, "inschrijvingvolgnummer").unwrap_or_default();
        // A stand is whole: both periods, never one.
        assert_eq!(find_len(s, "perioden"), Some(2), "incomplete stand {text}");
        present.insert(volg, text);
    }
    for v in &acked {
        assert!(
            present.contains_key(v),
            "acknowledged stand {v} lost after SIGKILL ({} acked, {} present, {} sent)",
            acked.len(),
            present.len(),
            sent.load(Ordering::SeqCst)
        );
    }
}

fn find_string(v: &serde_json::Value, key: &str) -> Option<String> {
    match v {
        serde_json::Value::Object(m) => m
            .get(key)
            .and_then(|x| x.as_str().map(String::from))
            .or_else(|| m.values().find_map(|x| find_string(x, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|x| find_string(x, key)),
        _ => None,
    }
}

fn find_len(v: &serde_json::Value, key: &str) -> Option<usize> {
    match v {
        serde_json::Value::Object(m) => m
            .get(key)
            .and_then(|x| x.as_array().map(Vec::len))
            .or_else(|| m.values().find_map(|x| find_len(x, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|x| find_len(x, key)),
        _ => None,
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    out
}

/// Issue "done when": a goedgekeurde and an afgekeurde delivery over the real gateway return the
/// terugkoppeling of SPEC §5, and the response body validates against `xsd/`.
#[test]
fn terugkoppeling_over_the_wire_validates_against_xsd() {
    use osp_model::{Contract, Operation};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), free_port(), free_port());
    let validator = osp_model::Validator::new().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let op = Operation::AanleverenInschrijvingVO;
    let cases = [
        ("9a4e1f0c-0001-4b8e-a2c1-55e0f3b9d7aa", "999990007", "true"),
        ("9a4e1f0c-0002-4b8e-a2c1-55e0f3b9d7aa", "999990147", "false"), // valid but unknown: 0103
    ];
    for (id, bsn, goedgekeurd) in cases {
        let body = inschrijving(id, &format!("xsd-{bsn}"), bsn);
        let env = osp_gateway::wrap_request(
            &body,
            op,
            SCHOOL,
            osp_model::DUO_OIN,
            &format!("urn:uuid:{id}"),
        );
        let config =
            osp_gateway::client::dev_client_config(&dir.path().join("certs"), SCHOOL).unwrap();
        let reply = runtime
            .block_on(osp_gateway::client::post_envelope(
                &server.url(),
                config,
                Some(&op.action()),
                env,
            ))
            .unwrap();
        let text = reply.text();
        assert_eq!(reply.status, 200, "{text}");
        assert!(
            text.contains(&format!("leveringGoedgekeurd>{goedgekeurd}<")),
            "{text}"
        );
        validator
            .validate_envelope_body(
                Contract::InschrijvingVO,
                Some(&op.response_element()),
                &text,
            )
            .unwrap_or_else(|v| panic!("response does not validate: {v:?}\n{text}"));
    }
}
