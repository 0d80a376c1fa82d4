//! The bodies of the gateway's fuzz targets: the envelope reader with WS-Addressing, and the
//! whole pipeline (Content-Type, guard, envelope, addressing, dispatch, mandate, XSD, register,
//! answer) against an in-memory register. cargo-fuzz runs them from `fuzz_targets/` (nightly,
//! libFuzzer); `tests/fuzz_smoke.rs` runs the very same functions on stable inside `cargo test`.
//! Each panics when a property breaks, so a finding is a crash in both.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use hyper::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use osp_gateway::{Direct, GatewayConfig, ModelValidator};
use osp_model::{Limits, Operation, DUO_OIN};
use osp_register::{Reference, Register, RegisterConfig};

/// The guard, then the envelope reader and the WS-Addressing checks, as the pipeline runs them:
/// never a panic; the body the reader cuts out of an accepted envelope is itself well-formed
/// (the validator and the register read it as a document of its own).
pub fn envelope(data: &[u8]) {
    if osp_model::check(data, &Limits::default()).is_err() {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        panic!("the guard accepted non-UTF-8");
    };
    let Ok(env) = osp_gateway::envelope::parse(text.trim_start_matches('\u{feff}'), 64) else {
        return;
    };
    if let Err(e) = osp_model::check(env.body_xml.as_bytes(), &Limits::default()) {
        panic!("the reader cut out a body that is not well-formed: {e}");
    }
    let _ = osp_gateway::wsa::check(&env.wsa, DUO_OIN);
}

/// Certificates the pipeline target connects with: the school itself, a mandated vendor, a
/// vendor without mandates, another school, and no valid OIN.
const CERTIFICATES: [&str; 5] = [
    "0000000700099AA00000",
    "00000003123456780000",
    "00000003876543210000",
    "0000000700099BB00000",
    "not-an-oin",
];

/// One pipeline over a throwaway register with the shipped reference data, for every input.
fn pipeline_instance() -> &'static Direct {
    static DIRECT: OnceLock<Direct> = OnceLock::new();
    DIRECT.get_or_init(|| {
        // The same file is compiled by the gateway's tests and by the fuzz crate one level down:
        // find the repository's fixtures from either.
        let reference_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|d| d.join("fixtures/reference"))
            .find(|d| d.is_dir())
            .expect("fixtures/reference above the crate");
        let reference = Reference::load(&reference_dir).expect("the shipped reference data loads");
        let dir = std::env::temp_dir().join(format!("osp-fuzz-pipeline-{}", std::process::id()));
        let register = Register::open(
            &dir,
            reference,
            RegisterConfig::wegwerp("2025-09-15".parse().ok()),
        )
        .expect("a throwaway register opens");
        let validator = ModelValidator::new().expect("the embedded schemas compile");
        let config = GatewayConfig::dev(Path::new("certs-dev"));
        Direct::new(config, Arc::new(register), Arc::new(validator))
    })
}

/// The whole pipeline: the first byte picks the certificate and whether the SOAPAction agrees
/// with the body; a bare body is wrapped in a correct envelope first. Never a panic; the answer
/// is 200 without a fault or 413/500 with one, and always a well-formed envelope.
pub fn pipeline(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let cert = CERTIFICATES[usize::from(pick) % CERTIFICATES.len()];
    let text = String::from_utf8_lossy(rest);
    let operation = Operation::ALL
        .iter()
        .copied()
        .find(|op| text.contains(&op.request_element()))
        .unwrap_or(Operation::AanleverenInschrijvingVO);
    let envelope = if text.contains("Envelope") {
        rest.to_vec()
    } else {
        let from = if cert == "not-an-oin" {
            CERTIFICATES[0]
        } else {
            cert
        };
        osp_gateway::envelope::request(
            &text,
            &operation.action(),
            from,
            DUO_OIN,
            "urn:uuid:00000000-0000-4000-8000-00000000f022",
        )
        .into_bytes()
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    let action = if pick & 0x80 == 0 {
        operation.action()
    } else {
        Operation::BevestigenBerichtenVO.action()
    };
    if let Ok(v) = HeaderValue::from_str(&format!("\"{action}\"")) {
        headers.insert("soapaction", v);
    }
    let answer = pipeline_instance().handle(cert, &headers, &envelope);
    match answer.status {
        200 => assert!(answer.fault.is_none(), "200 with a fault: {}", answer.body),
        413 | 500 => assert!(answer.fault.is_some(), "{} without a fault", answer.status),
        other => panic!("unexpected status {other}"),
    }
    if let Err(e) = osp_model::check(answer.body.as_bytes(), &Limits::default()) {
        panic!("the answer is not well-formed ({e}): {}", answer.body);
    }
}
