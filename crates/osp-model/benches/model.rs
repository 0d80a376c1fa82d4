//! Per-sample cost of the inbound path: guard + libxml2 validation, and generated deserialise,
//! plus serialise, for representative request bodies (results quoted in the crate README).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use osp_model::messages::*;
use osp_model::{check, from_xml, to_xml, Contract, Limits, Validator};

const INSCHRIJVING: &str =
    include_str!("../../../fixtures/samples/aanleverenInschrijvingVO_Request.xml");
const INSCHRIJVING_FULL: &str =
    include_str!("../../../fixtures/samples/aanleverenInschrijvingVO_Request.full.xml");
const EXAMEN: &str =
    include_str!("../../../fixtures/samples/aanleverenExamenresultaatVO_Request.xml");
const RESPONSE: &str =
    include_str!("../../../fixtures/samples/aanleverenInschrijvingVO_Response.afgekeurd.xml");

fn bench(c: &mut Criterion) {
    let v = Validator::new().expect("schemas compile");
    let limits = Limits::default();
    let cases: [(&str, Contract, &str); 3] = [
        ("inschrijving", Contract::InschrijvingVO, INSCHRIJVING),
        (
            "inschrijving_full",
            Contract::InschrijvingVO,
            INSCHRIJVING_FULL,
        ),
        ("examenresultaat", Contract::ExamenresultaatVO, EXAMEN),
    ];
    for (name, contract, xml) in cases {
        c.bench_function(&format!("guard/{name}"), |b| {
            b.iter(|| check(black_box(xml.as_bytes()), &limits))
        });
        c.bench_function(&format!("validate/{name}"), |b| {
            b.iter(|| v.validate(contract, black_box(xml)))
        });
    }
    c.bench_function("deserialise/inschrijving", |b| {
        b.iter(|| from_xml::<AanleverenInschrijvingVORequest>(black_box(INSCHRIJVING)))
    });
    c.bench_function("deserialise/inschrijving_full", |b| {
        b.iter(|| from_xml::<AanleverenInschrijvingVORequest>(black_box(INSCHRIJVING_FULL)))
    });
    c.bench_function("deserialise/examenresultaat", |b| {
        b.iter(|| from_xml::<AanleverenExamenresultaatVORequest>(black_box(EXAMEN)))
    });
    let response: AanleverenInschrijvingVOResponse = from_xml(RESPONSE).expect("sample parses");
    c.bench_function("serialise/response_afgekeurd", |b| {
        b.iter(|| to_xml(black_box(&response)))
    });
    c.bench_function("validate+deserialise/inschrijving", |b| {
        b.iter(|| {
            check(INSCHRIJVING.as_bytes(), &limits).ok();
            v.validate(Contract::InschrijvingVO, black_box(INSCHRIJVING))
                .ok();
            from_xml::<AanleverenInschrijvingVORequest>(black_box(INSCHRIJVING)).ok()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
