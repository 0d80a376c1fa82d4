//! Criterion micro-benchmarks of each stage a delivery passes, so a regression can be located:
//! envelope parse, XSD validation, deserialisation (osp-model's generated types alone, and with
//! the register's mapping to domain types), rules, store write, terugkoppeling serialisation.
//! Run: `cargo bench -p osp-bench --bench micro`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use osp_bench::stand::{self, StandSpec};
use osp_model::{Contract, Operation};
use osp_register::domain::Antwoord;
use osp_register::domain::{Bericht, Stand, Terugkoppeling};
use osp_register::rules::{g02_inschrijving, g09_context, Context};
use osp_register::store::{Batch, SledStore, Store, Wacht};
use osp_register::Reference;

fn body(i: usize) -> String {
    let bsn = osp_bench::personen::BsnReeks::default()
        .reeks(i, 1)
        .remove(0);
    let b = stand::inschrijving(&StandSpec {
        bsn: &bsn,
        volgnummer: "M-1",
        identificatiecode: &stand::uuid(9, i as u64),
        datum_tijd: "2025-09-15T09:30:00+02:00",
        perioden: 3,
        variant: i,
    });
    osp_gateway::envelope::strip_declaration(&b).to_string()
}

fn stages(c: &mut Criterion) {
    let body = body(0);
    let envelope = stand::envelope(&body, "urn:uuid:0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10");
    let mut g = c.benchmark_group("delivery-stages");
    g.bench_function("envelope_parse", |b| {
        b.iter(|| osp_gateway::envelope::parse(black_box(&envelope), 64).is_ok())
    });
    let validator = osp_model::Validator::new().unwrap();
    g.bench_function("xsd_validation", |b| {
        b.iter(|| {
            validator
                .validate(Contract::InschrijvingVO, black_box(&body))
                .is_ok()
        })
    });
    g.bench_function("deserialise_osp_model", |b| {
        b.iter(|| {
            osp_model::from_xml::<osp_model::messages::AanleverenInschrijvingVORequest>(black_box(
                &body,
            ))
            .is_ok()
        })
    });
    g.bench_function("deserialise_register_wire", |b| {
        b.iter(|| {
            osp_register::wire::parse_aanlevering(
                Operation::AanleverenInschrijvingVO,
                black_box(&body),
            )
            .is_ok()
        })
    });

    let reference = Reference::load(&osp_register::reference::standaard_map()).unwrap();
    let aanlevering =
        osp_register::wire::parse_aanlevering(Operation::AanleverenInschrijvingVO, &body).unwrap();
    let Bericht::Inschrijving(ins) = &aanlevering.bericht else {
        panic!("not an inschrijving")
    };
    let ctx = Context {
        reference: &reference,
        vandaag: chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
        from_oin: osp_bench::AFZENDER_OIN,
        strikte_brp: true,
    };
    let bsn = osp_bench::personen::BsnReeks::default()
        .reeks(0, 1)
        .remove(0);
    let persoon = reference.brp_persoon(&bsn);
    assert!(persoon.is_some());
    g.bench_function("rules_inschrijving", |b| {
        b.iter(|| {
            let mut f = g09_context::controleer_inschrijving(black_box(ins), &ctx);
            f.extend(g02_inschrijving::controleer(ins, persoon, &ctx));
            f
        })
    });

    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let stand_bytes = vec![b'x'; 3000];
    let mut n = 0u64;
    let batch = |n: u64| {
        let mut b = Batch::default();
        b.put(
            format!("default\0stand\0{n:012}").into_bytes(),
            stand_bytes.clone(),
        );
        b.put(
            format!("default\0antwoord\0{n:012}").into_bytes(),
            vec![b'a'; 500],
        );
        b.put(
            format!("default\0historie\0{n:012}").into_bytes(),
            vec![b'h'; 100],
        );
        b
    };
    g.bench_function("store_write_apply", |b| {
        b.iter(|| {
            n += 1;
            store.commit(batch(n), Wacht::Toegepast).unwrap()
        })
    });
    g.bench_function("store_write_apply_durable", |b| {
        b.iter(|| {
            n += 1;
            store.commit(batch(n), Wacht::Duurzaam).unwrap()
        })
    });

    let mut tk =
        Terugkoppeling::uit_foutmeldingen("0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10", Vec::new());
    tk.stand = Some(Stand {
        volgnummer: 1,
        aanlevermoment: chrono::Utc::now(),
    });
    let antwoord = Antwoord {
        body_hash: "0".repeat(64),
        operatie: "aanleverenInschrijvingVO".into(),
        response_identificatiecode: "9a4e1f0c-7d33-4b8e-a2c1-55e0f3b9d7aa".into(),
        response_datum_tijd: chrono::Utc::now(),
        ontvangende_instantie: "99AA".into(),
        terugkoppeling: tk,
        terugkoppeling_in_antwoord: true,
    };
    g.bench_function("terugkoppeling_render", |b| {
        b.iter(|| {
            osp_register::wire::render(Operation::AanleverenInschrijvingVO, black_box(&antwoord))
        })
    });
    let rendered = osp_register::wire::render(Operation::AanleverenInschrijvingVO, &antwoord);
    g.bench_function("response_envelope_wrap", |b| {
        b.iter(|| osp_gateway::envelope::wrap_response(black_box(&rendered), None))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
