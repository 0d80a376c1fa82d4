//! Storage failures against the real `osp serve` over mTLS: a full disk (the data dir on a small
//! tmpfs, filled by a filler file) and failing fsyncs (an `LD_PRELOAD` shim that makes fsync,
//! fdatasync and sync_file_range answer EIO while a flag file exists). While the disk fails every
//! delivery is answered goedgekeurd (made durable) or `Server.DK0051`, never anything else;
//! a delivery answered DK0051 leaves no stand; once the disk is usable again osp recovers without
//! a restart; after a SIGKILL and restart every goedgekeurde stand is there; and the failure and
//! the recovery are each logged once, not once per refused request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/bodies.rs"]
mod bodies;

const OSP: &str = env!("CARGO_BIN_EXE_osp");
const SCHOOL: &str = "0000000700099AA00000";
const BSN: &str = "999990007";

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
    log: PathBuf,
}

impl Server {
    /// `osp serve` on `data`, certificates in `dir/certs`, stderr (the log) in `log`.
    fn start(dir: &Path, data: &Path, log: &Path, env: &[(&str, &Path)]) -> Server {
        let (soap, admin) = (free_port(), free_port());
        let mut cmd = Command::new(OSP);
        cmd.args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{soap}"),
            "--admin-listen",
            &format!("127.0.0.1:{admin}"),
        ])
        .arg("--data")
        .arg(data)
        .arg("--certs")
        .arg(dir.join("certs"))
        .arg("--reference")
        .arg(repo().join("fixtures/reference"))
        .args(["--today", "2025-09-15"])
        .env("OSP_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut s = Server {
            child: cmd.spawn().unwrap(),
            soap,
            admin,
            log: log.to_path_buf(),
        };
        s.wait_ready();
        s
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if http_get(self.admin, "/healthz").is_ok_and(|b| b.contains("ok")) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "osp serve exited early: {status}\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("osp serve did not become ready");
    }

    fn url(&self) -> String {
        format!("https://localhost:{}/vo-webservices/", self.soap)
    }

    /// Log lines containing `text`.
    fn log_count(&self, text: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(text))
            .count()
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Uitkomst {
    Goedgekeurd,
    Dk0051,
}

/// One delivery over a fresh mTLS connection; anything but goedgekeurd or DK0051 fails the test.
fn deliver(rt: &tokio::runtime::Runtime, server: &Server, dir: &Path, n: u32) -> Uitkomst {
    let op = osp_model::Operation::AanleverenInschrijvingVO;
    let id = format!("00000000-0000-4000-8000-{n:012}");
    let env = osp_gateway::wrap_request(
        &bodies::inschrijving(&id, &volgnummer(n), BSN),
        op,
        SCHOOL,
        osp_model::DUO_OIN,
        &format!("urn:uuid:{id}"),
    );
    let config = osp_gateway::client::dev_client_config(&dir.join("certs"), SCHOOL).unwrap();
    let reply = rt
        .block_on(async {
            tokio::time::timeout(
                Duration::from_secs(60),
                osp_gateway::client::post_envelope(&server.url(), config, Some(&op.action()), env),
            )
            .await
        })
        .expect("no answer within 60 s")
        .unwrap();
    let text = reply.text();
    if text.contains("<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>") {
        Uitkomst::Goedgekeurd
    } else if text.contains("DK0051") && text.contains("Service niet beschikbaar") {
        Uitkomst::Dk0051
    } else {
        panic!("delivery {n}: neither goedgekeurd nor DK0051: {text}")
    }
}

fn volgnummer(n: u32) -> String {
    format!("F{n:05}")
}

/// The inschrijvingvolgnummers stored for [`BSN`], read over the admin API.
fn stored(server: &Server) -> BTreeSet<String> {
    let state = http_get(
        server.admin,
        &format!("/sandboxes/default/burgerservicenummer/{BSN}"),
    )
    .unwrap();
    let body = &state[state.find("\r\n\r\n").unwrap() + 4..];
    let json = if body.starts_with('{') {
        body.to_string()
    } else {
        dechunk(body)
    };
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["inschrijvingen"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| find_string(s, "inschrijvingvolgnummer"))
        .collect()
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Delivers new deliveries until one is goedgekeurd (at most 30 s); returns how many were sent.
fn until_goedgekeurd(
    rt: &tokio::runtime::Runtime,
    server: &Server,
    dir: &Path,
    next: &mut u32,
    goedgekeurd: &mut Vec<u32>,
) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut sent = 0;
    loop {
        let n = *next;
        *next += 1;
        sent += 1;
        if deliver(rt, server, dir, n) == Uitkomst::Goedgekeurd {
            goedgekeurd.push(n);
            return sent;
        }
        assert!(Instant::now() < deadline, "osp did not recover within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A tmpfs of `mb` MiB mounted on `path`, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(path: &Path, mb: u32) -> Tmpfs {
        std::fs::create_dir_all(path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "disk-full test needs `mount -t tmpfs` (run as root): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Tmpfs(path.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros into `path` until the filesystem is full; returns the bytes written.
fn fill(path: &Path) -> u64 {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(28), "expected ENOSPC: {e}");
                break;
            }
        }
    }
    written
}

/// Disk full: the data dir on an 8 MiB tmpfs, filled up by a filler file.
#[test]
fn a_full_disk_answers_dk0051_and_osp_recovers_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    let _tmpfs = Tmpfs::mount(&mnt, 8);
    let data = mnt.join("data");
    let server = Server::start(dir.path(), &data, &dir.path().join("osp.log"), &[]);
    let rt = runtime();
    let mut goedgekeurd = Vec::new();
    let mut next = 1;
    assert_eq!(
        deliver(&rt, &server, dir.path(), next),
        Uitkomst::Goedgekeurd
    );
    goedgekeurd.push(next);
    next += 1;

    let filler = mnt.join("filler");
    let bytes = fill(&filler);
    eprintln!("filler: {} KiB", bytes / 1024);
    // sled may still have room in the log segment it writes; deliver until the disk says no.
    let mut refused = Vec::new();
    for _ in 0..400 {
        let n = next;
        next += 1;
        match deliver(&rt, &server, dir.path(), n) {
            Uitkomst::Goedgekeurd => goedgekeurd.push(n),
            Uitkomst::Dk0051 => {
                refused.push(n);
                break;
            }
        }
    }
    assert!(
        !refused.is_empty(),
        "no DK0051 after {} deliveries on a full disk",
        next - 1
    );
    eprintln!(
        "full disk: {} goedgekeurd after filling, then DK0051",
        goedgekeurd.len() - 1
    );
    // Still full: refused again, promptly, with the failure logged once.
    for _ in 0..5 {
        let n = next;
        next += 1;
        assert_eq!(deliver(&rt, &server, dir.path(), n), Uitkomst::Dk0051);
        refused.push(n);
    }
    assert_eq!(server.log_count("storage failed"), 1);

    std::fs::remove_file(&filler).unwrap();
    let started = Instant::now();
    let tries = until_goedgekeurd(&rt, &server, dir.path(), &mut next, &mut goedgekeurd);
    eprintln!(
        "recovered after the filler was removed: {tries} deliveries, {:?}",
        started.elapsed()
    );
    assert_eq!(server.log_count("storage recovered"), 1);
    assert_eq!(server.log_count("storage failed"), 1);
    // A refused delivery left no stand; sent again it is goedgekeurd.
    let now = stored(&server);
    for n in &refused {
        assert!(!now.contains(&volgnummer(*n)), "refused {n} was stored");
    }
    assert_eq!(
        deliver(&rt, &server, dir.path(), refused[0]),
        Uitkomst::Goedgekeurd
    );
    goedgekeurd.push(refused[0]);

    // Every goedgekeurde stand survives a SIGKILL.
    server.kill();
    let server = Server::start(dir.path(), &data, &dir.path().join("osp2.log"), &[]);
    let na = stored(&server);
    for n in &goedgekeurd {
        assert!(na.contains(&volgnummer(*n)), "goedgekeurd {n} lost");
    }
}

const SHIM: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/types.h>

static int failing(void) {
    const char *flag = getenv("OSP_FAIL_FSYNC_FLAG");
    return flag && access(flag, F_OK) == 0;
}

int fsync(int fd) {
    if (failing()) { errno = EIO; return -1; }
    int (*real)(int) = dlsym(RTLD_NEXT, "fsync");
    return real(fd);
}

int fdatasync(int fd) {
    if (failing()) { errno = EIO; return -1; }
    int (*real)(int) = dlsym(RTLD_NEXT, "fdatasync");
    return real(fd);
}

int sync_file_range(int fd, off_t off, off_t n, unsigned int flags) {
    if (failing()) { errno = EIO; return -1; }
    int (*real)(int, off_t, off_t, unsigned int) = dlsym(RTLD_NEXT, "sync_file_range");
    return real(fd, off, n, flags);
}
"#;

/// Builds the shim with the system C compiler.
fn build_shim(dir: &Path) -> PathBuf {
    let src = dir.join("failfsync.c");
    let so = dir.join("failfsync.so");
    std::fs::write(&src, SHIM).unwrap();
    let out = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&so)
        .arg(&src)
        .arg("-ldl")
        .output()
        .expect("fsync test needs a C compiler (cc)");
    assert!(
        out.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    so
}

/// Failing fsync: the real binary with fsync/fdatasync/sync_file_range answering EIO on demand.
#[test]
fn a_failing_fsync_answers_dk0051_and_osp_recovers_when_it_works_again() {
    let dir = tempfile::tempdir().unwrap();
    let shim = build_shim(dir.path());
    let flag = dir.path().join("fail-fsync");
    let data = dir.path().join("data");
    let env = [
        ("LD_PRELOAD", shim.as_path()),
        ("OSP_FAIL_FSYNC_FLAG", flag.as_path()),
    ];
    let server = Server::start(dir.path(), &data, &dir.path().join("osp.log"), &env);
    let rt = runtime();
    let mut goedgekeurd = Vec::new();
    let mut next = 1;
    for _ in 0..3 {
        assert_eq!(
            deliver(&rt, &server, dir.path(), next),
            Uitkomst::Goedgekeurd
        );
        goedgekeurd.push(next);
        next += 1;
    }

    std::fs::write(&flag, b"").unwrap();
    let mut refused = Vec::new();
    for _ in 0..5 {
        let n = next;
        next += 1;
        assert_eq!(deliver(&rt, &server, dir.path(), n), Uitkomst::Dk0051);
        refused.push(n);
    }
    // Recovery is attempted meanwhile and fails; the failure is still logged once.
    std::thread::sleep(Duration::from_secs(1));
    let n = next;
    next += 1;
    assert_eq!(deliver(&rt, &server, dir.path(), n), Uitkomst::Dk0051);
    refused.push(n);
    assert_eq!(server.log_count("storage failed"), 1);
    assert_eq!(server.log_count("storage recovered"), 0);

    std::fs::remove_file(&flag).unwrap();
    let started = Instant::now();
    let tries = until_goedgekeurd(&rt, &server, dir.path(), &mut next, &mut goedgekeurd);
    eprintln!(
        "recovered after fsync worked again: {tries} deliveries, {:?}",
        started.elapsed()
    );
    assert_eq!(server.log_count("storage recovered"), 1);
    let now = stored(&server);
    for n in &refused {
        assert!(!now.contains(&volgnummer(*n)), "refused {n} was stored");
    }
    assert_eq!(
        deliver(&rt, &server, dir.path(), refused[0]),
        Uitkomst::Goedgekeurd
    );
    goedgekeurd.push(refused[0]);

    server.kill();
    let server = Server::start(dir.path(), &data, &dir.path().join("osp2.log"), &[]);
    let na = stored(&server);
    for n in &goedgekeurd {
        assert!(na.contains(&volgnummer(*n)), "goedgekeurd {n} lost");
    }
    // Near miss: without the flag the shim changes nothing (the deliveries before it were fine).
    assert_eq!(goedgekeurd.len(), 5);
}
