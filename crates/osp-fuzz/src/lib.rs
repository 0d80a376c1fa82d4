//! Stable smoke runs of osp's fuzz targets, shared by every crate with a `fuzz/` folder: the seed
//! corpus from `fixtures/`, deterministic mutations (bit flips, splices, truncation, repeats,
//! attribute bombs, tokens that reach the parsers' edge cases) and a run loop bounded by
//! `OSP_FUZZ_SMOKE_SECS` (default 30) and `OSP_FUZZ_SMOKE_RUNS` (default 1,000,000) that keeps a
//! panicking input. cargo-fuzz runs the same target functions on nightly with libFuzzer; this is
//! what `cargo test` runs on stable.
// Test support: a finding must fail the calling test, so this crate panics on purpose.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The number in environment variable `name`, else `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The seed corpus of every target: the samples and every scenario request under `fixtures`
/// (what `fuzz/seed-corpus.sh` copies for cargo-fuzz).
pub fn seeds(fixtures: &Path) -> Vec<Vec<u8>> {
    let f = fixtures.to_path_buf();
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
pub struct Rng(pub u64);

impl Rng {
    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
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
pub fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut d = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let len = d.len();
        let at = rng.below(len + 1);
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            1 => d.insert(at, rng.next_u64() as u8),
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

/// Runs `target` over the seeds and then mutations until the time or count budget is spent;
/// a panicking input fails the calling test and is kept under `out/<name>/`.
pub fn smoke(name: &str, target: fn(&[u8]), corpus: &[Vec<u8>], out: &Path) {
    let secs = env_or("OSP_FUZZ_SMOKE_SECS", 30);
    let runs = env_or("OSP_FUZZ_SMOKE_RUNS", 1_000_000);
    let seed = env_or("OSP_FUZZ_SEED", 0x05b5_eed5) | 1;
    let mut rng = Rng(seed ^ name.len() as u64);
    let out = out.join(name);
    let start = Instant::now();
    let budget = Duration::from_secs(secs);
    let mut executed = 0u64;
    let mut slowest = (Duration::ZERO, Vec::new());
    while executed < runs && (executed < corpus.len() as u64 || start.elapsed() < budget) {
        let input = match corpus.get(executed as usize) {
            Some(s) => s.clone(),
            None => mutate(&mut rng, corpus),
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
