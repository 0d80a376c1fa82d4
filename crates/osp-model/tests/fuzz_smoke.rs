//! Stable smoke runs of the fuzz targets (`fuzz/targets.rs`, the same functions cargo-fuzz runs
//! on nightly): each target gets the seed corpus (the fixtures) and then mutations of it, for at
//! most `OSP_FUZZ_SMOKE_SECS` seconds (default 30) and `OSP_FUZZ_SMOKE_RUNS` inputs (default
//! 1,000,000). A panic fails the test and leaves the input in `target/fuzz-smoke/<target>/`; the
//! slowest input is printed (and kept when over a second), never asserted on. The mutations
//! are deterministic for a given `OSP_FUZZ_SEED`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The seed corpus: what `fuzz/seed-corpus.sh` copies for cargo-fuzz.
fn seeds() -> Vec<Vec<u8>> {
    let f = fixtures();
    let mut dirs = vec![
        f.join("samples"),
        f.join("samples/envelope"),
        f.join("samples/invalid"),
    ];
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(f.join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    scenarios.sort();
    dirs.extend(scenarios);
    let mut out = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.ends_with(".xml")
                    && (!dir.starts_with(f.join("scenarios")) || name.ends_with(".request.xml"))
            })
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|p| std::fs::read(p).unwrap()));
    }
    assert!(out.len() > 100, "seed corpus too small: {}", out.len());
    out
}

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Fragments that reach the parsers' interesting paths.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"</",
    b"&",
    b";",
    b"\"",
    b"'",
    b"=",
    b":",
    b"\0",
    b"\x01",
    b"\x0c",
    b"&amp;",
    b"&#0;",
    b"&#x1F;",
    b"&#xFFFE;",
    b"&#65;",
    b"&x;",
    b"&#x+41;",
    "\u{fffe}".as_bytes(),
    "\u{ffff}".as_bytes(),
    "\u{feff}".as_bytes(),
    b"\xff",
    b"\xc3",
    b"<!DOCTYPE a>",
    b"<!DOCTYPE a [<!ENTITY x \"y\">]>",
    b"<![CDATA[x]]>",
    b"]]>",
    b"<?pi x?>",
    b"<?xml version=\"1.0\"?>",
    b"<!-- c -->",
    b"--",
    b" xmlns:p=\"urn:x\"",
    b" xmlns=\"\"",
    b" a=\"1\"",
    b"<p:x/>",
    b"xsi:nil=\"true\"",
    b" xmlns:xi=\"http://www.w3.org/2001/XInclude\"",
    b"<xi:include href=\"x\"/>",
    b"2025-13-45",
    b"99AA",
    b"J",
    b"N",
    b"-1",
    b"99999999999999999999",
    b"\r\n",
    b"\t",
];

/// One to four random edits of a seed, sometimes spliced with another seed.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut d = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let len = d.len();
        let at = rng.below(len + 1);
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            1 => d.insert(at, rng.next() as u8),
            2 if len > 0 => {
                let end = (at + 1 + rng.below(64)).min(len);
                d.drain(at.min(end)..end);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(256)).min(len);
                let chunk = d[start..end].to_vec();
                let times = if rng.below(20) == 0 {
                    1 + rng.below(2000)
                } else {
                    1
                };
                for _ in 0..times {
                    d.splice(at..at, chunk.iter().copied());
                }
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(512)).min(other.len());
                d.splice(at..at, other[start..end].iter().copied());
            }
            5 => d.truncate(at),
            6 => {
                // An attribute bomb on the first start tag after `at`.
                if let Some(p) = d[at.min(len)..].iter().position(|b| *b == b'>') {
                    let n = 1 + rng.below(600);
                    let attrs: String = (0..n).map(|i| format!(" z{i}=\"v\"")).collect();
                    let p = at + p;
                    d.splice(p..p, attrs.into_bytes());
                }
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                d.splice(at..at, t.iter().copied());
            }
        }
    }
    d
}

/// Runs `target` over the seeds and then mutations until the time or count budget is spent.
fn smoke(name: &str, target: fn(&[u8])) {
    let secs = env_or("OSP_FUZZ_SMOKE_SECS", 30);
    let runs = env_or("OSP_FUZZ_SMOKE_RUNS", 1_000_000);
    let seed = env_or("OSP_FUZZ_SEED", 0x05b5_eed5) | 1;
    let corpus = seeds();
    let mut rng = Rng(seed ^ name.len() as u64);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("../fuzz-smoke")
        .join(name);
    let start = Instant::now();
    let budget = Duration::from_secs(secs);
    let mut executed = 0u64;
    let mut slowest = (Duration::ZERO, Vec::new());
    while executed < runs && (executed < corpus.len() as u64 || start.elapsed() < budget) {
        let input = match corpus.get(executed as usize) {
            Some(s) => s.clone(),
            None => mutate(&mut rng, &corpus),
        };
        let t = Instant::now();
        let result = std::panic::catch_unwind(|| target(&input));
        let took = t.elapsed();
        if result.is_err() {
            std::fs::create_dir_all(&out).unwrap();
            let file = out.join(format!("crash-{executed}"));
            std::fs::write(&file, &input).unwrap();
            panic!(
                "{name}: input {executed} panicked; kept in {}",
                file.display()
            );
        }
        if took > slowest.0 {
            slowest = (took, input);
        }
        executed += 1;
    }
    if slowest.0 > Duration::from_secs(1) {
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("slowest"), &slowest.1).unwrap();
    }
    eprintln!(
        "fuzz smoke {name}: {executed} inputs ({} seeds) in {:?}; slowest {:?} ({} bytes)",
        corpus.len(),
        start.elapsed(),
        slowest.0,
        slowest.1.len()
    );
    assert!(executed >= corpus.len() as u64);
}

#[test]
fn guard_smoke() {
    smoke("guard", targets::guard);
}

#[test]
fn validate_smoke() {
    smoke("validate", targets::validate);
}

#[test]
fn from_xml_smoke() {
    smoke("from_xml", targets::from_xml_requests);
}
