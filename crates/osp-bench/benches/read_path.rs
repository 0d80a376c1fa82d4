//! Criterion benchmark of the register's read path for every aanleveren kind: XSD validation
//! (libxml2) followed by reading the body into the domain `Aanlevering`
//! (`osp_register::wire::parse_aanlevering`), plus each half alone so a change to one side can be
//! told apart. The body is the standalone request element as the gateway hands it over (no XML
//! declaration). Run: `cargo bench -p osp-bench --bench read_path`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use osp_model::{Operation, Validator};

/// (sample file in `fixtures/samples/`, operation) for every aanleveren kind, the larger
/// inschrijving sample too.
const SAMPLES: &[(&str, Operation)] = &[
    (
        "aanleverenInschrijvingVO_Request.xml",
        Operation::AanleverenInschrijvingVO,
    ),
    (
        "aanleverenInschrijvingVO_Request.full.xml",
        Operation::AanleverenInschrijvingVO,
    ),
    (
        "aanleverenVerwijderingInschrijvingVO_Request.xml",
        Operation::AanleverenVerwijderingInschrijvingVO,
    ),
    (
        "aanleverenIdentificerenPersoonVO_Request.buitenland.xml",
        Operation::AanleverenIdentificerenPersoonVO,
    ),
    (
        "aanleverenExamenresultaatVO_Request.xml",
        Operation::AanleverenExamenresultaatVO,
    ),
    (
        "aanleverenVerwijderingExamenresultaatVO_Request.xml",
        Operation::AanleverenVerwijderingExamenresultaatVO,
    ),
];

fn body(name: &str) -> String {
    let pad = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/samples")
        .join(name);
    let tekst = std::fs::read_to_string(&pad).unwrap();
    osp_gateway::envelope::strip_declaration(&tekst).to_string()
}

fn read_path(c: &mut Criterion) {
    let validator = Validator::new().unwrap();
    let mut g = c.benchmark_group("read-path");
    for (name, op) in SAMPLES {
        let body = body(name);
        let kort = name.trim_end_matches(".xml").replace("_Request", "");
        // Guard against measuring an error path.
        validator.validate(op.contract(), &body).unwrap();
        osp_register::wire::parse_aanlevering(*op, &body).unwrap();
        g.bench_function(format!("{kort}/validate+read"), |b| {
            b.iter(|| {
                validator.validate(op.contract(), black_box(&body)).is_ok()
                    && osp_register::wire::parse_aanlevering(*op, black_box(&body)).is_ok()
            })
        });
        g.bench_function(format!("{kort}/read"), |b| {
            b.iter(|| osp_register::wire::parse_aanlevering(*op, black_box(&body)).is_ok())
        });
    }
    g.finish();
}

criterion_group!(benches, read_path);
criterion_main!(benches);
