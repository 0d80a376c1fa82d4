//! Shared test fixtures: a dev PKI generated once per test binary, a register double behind
//! `Service`, and helpers to start a gateway on 127.0.0.1 and talk mTLS to it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use osp_gateway::client::{self, SoapConnection};
use osp_gateway::{Extras, Gateway, GatewayConfig, RunningGateway};
use osp_model::{Contract, Operation};
use osp_register::{Delivery, Reply, Service, ServiceError};

pub const SCHOOL_AA: &str = "0000000700099AA00000";
pub const SCHOOL_BB: &str = "0000000700099BB00000";
pub const SCHOOL_VV: &str = "0000000700099VV00000";
pub const VENDOR_B: &str = "00000003123456780000";
pub const VENDOR_OTHER: &str = "00000003876543210000";
pub const DUO: &str = "00000001800866472000";

/// The dev PKI, generated once into a temp dir that lives as long as the test binary.
pub fn certs() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        osp_pki::init(dir.path(), osp_pki::InitOptions::default()).unwrap();
        dir
    })
    .path()
}

/// One delivery as the double saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub sandbox: String,
    pub certificaat_oin: String,
    pub from_oin: String,
    pub message_id: String,
    pub operation: Operation,
    pub body: String,
}

/// Register double: knows TESTDATA's mandates, answers valid deliveries with a fixed
/// schema-shaped response, and fails on purpose for volgnummers `FAIL-INTERN` / `FAIL-BUSY`.
#[derive(Default)]
pub struct Double {
    pub seen: Mutex<Vec<Seen>>,
    pub flushed: Mutex<u32>,
}

impl Service for Double {
    fn deliver(&self, d: Delivery<'_>) -> Result<Reply, ServiceError> {
        if d.body.contains(">SLOW<") {
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        if d.body.contains(">FAIL-INTERN<") {
            return Err(ServiceError::Intern("schijf kapot".into()));
        }
        if d.body.contains(">FAIL-BUSY<") {
            return Err(ServiceError::Onbeschikbaar(
                "opslag niet beschikbaar".into(),
            ));
        }
        if d.body.contains(">FAIL-WAARDE<") {
            return Err(ServiceError::OngeldigeWaarde {
                element: "verblijfsoort".into(),
                waarde: "XYZ".into(),
            });
        }
        self.seen.lock().unwrap().push(Seen {
            sandbox: d.sandbox.into(),
            certificaat_oin: d.certificaat_oin.into(),
            from_oin: d.from_oin.into(),
            message_id: d.message_id.into(),
            operation: d.operation,
            body: d.body.into(),
        });
        let ns = d.operation.contract().schema_ns();
        let el = d.operation.response_element();
        let body = format!(
            "<r:{el} xmlns:r=\"{ns}\" xmlns:bas=\"http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1\"><bas:identificatiecodeBedrijfsdocument>9a4e1f0c-7d33-4b8e-a2c1-55e0f3b9d7aa</bas:identificatiecodeBedrijfsdocument><bas:verzendendeInstantie>DUO</bas:verzendendeInstantie><bas:ontvangendeInstantie>99AA</bas:ontvangendeInstantie><bas:datumTijdBedrijfsdocument>2025-09-01T08:15:00.042Z</bas:datumTijdBedrijfsdocument><bas:ontvangstBevestiging>J</bas:ontvangstBevestiging></r:{el}>"
        );
        Ok(Reply {
            body,
            goedgekeurd: Some(true),
        })
    }

    fn mandated(&self, certificaat_oin: &str, from_oin: &str, _contract: Contract) -> bool {
        certificaat_oin == VENDOR_B
            && [
                "0000000700099AA00000",
                "0000000700099BB00000",
                "0000000700099CC00000",
            ]
            .contains(&from_oin)
    }

    fn flush(&self) -> Result<(), ServiceError> {
        *self.flushed.lock().unwrap() += 1;
        Ok(())
    }
}

/// A config for the shared PKI on 127.0.0.1 with free ports.
pub fn config() -> GatewayConfig {
    let mut c = GatewayConfig::dev(certs());
    c.listen = "127.0.0.1:0".parse().unwrap();
    c.admin = Some("127.0.0.1:0".parse().unwrap());
    c
}

pub struct Running {
    pub gateway: RunningGateway,
    pub double: Arc<Double>,
}

pub async fn start_with(config: GatewayConfig) -> Running {
    let double = Arc::new(Double::default());
    let gateway = Gateway::start_with(config, double.clone(), validator(), Extras::default())
        .await
        .unwrap();
    Running { gateway, double }
}

pub async fn start() -> Running {
    start_with(config()).await
}

pub fn validator() -> Arc<dyn osp_gateway::BodyValidator> {
    Arc::new(osp_gateway::ModelValidator::new().unwrap())
}

pub fn client_pem(stem: &str) -> (PathBuf, PathBuf) {
    let base = certs().join(stem);
    (base.with_extension("pem"), base.with_extension("key"))
}

/// Connects with `clients/{oin}` or `negative/{name}` (any stem under the certs dir).
pub async fn connect_as(
    running: &Running,
    stem: &str,
) -> Result<SoapConnection, client::ClientError> {
    let (pem, key) = client_pem(stem);
    let cfg = client::client_config(&pem, &key, &certs().join("root-ca.pem")).unwrap();
    client::connect(running.gateway.local_addr(), "localhost", cfg).await
}

pub async fn connect(running: &Running, oin: &str) -> SoapConnection {
    connect_as(running, &format!("clients/{oin}"))
        .await
        .unwrap()
}

pub const EXAMPLE: &str = include_str!("../data/aanleverenInschrijvingVO.envelope.xml");
pub const IDENT_EXAMPLE: &str =
    include_str!("../data/aanleverenIdentificerenPersoonVO.envelope.xml");
pub const INSCHRIJVING_ACTION: &str =
    "http://duo.nl/contract/DUO_VOAanlevering_InschrijvingVO_V1/aanleverenInschrijvingVO";

/// The spec example with its From replaced.
pub fn example_from(from_oin: &str) -> String {
    EXAMPLE.replace("oin=0000000700099AA00000", &format!("oin={from_oin}"))
}

/// The body of the spec example, without envelope.
pub fn example_body() -> String {
    let start = EXAMPLE
        .find("<ins:aanleverenInschrijvingVO_Request")
        .unwrap();
    let end = EXAMPLE.find("</soapenv:Body>").unwrap();
    EXAMPLE[start..end].trim_end().replace(
        "<ins:aanleverenInschrijvingVO_Request>",
        "<ins:aanleverenInschrijvingVO_Request xmlns:ins=\"http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1\" xmlns:bas=\"http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1\">",
    )
}

/// Extracts `<tag>text</tag>` (first occurrence) from a response.
pub fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let s = text.find(open)? + open.len();
    let e = text[s..].find(close)? + s;
    Some(&text[s..e])
}

/// Asserts a SOAP fault with the code, its faultstring and HTTP status.
pub fn assert_fault(
    reply: &client::HttpReply,
    code: &str,
    class: &str,
    faultstring: &str,
    status: u16,
) {
    let text = reply.text();
    assert_eq!(reply.status, status, "{text}");
    assert_eq!(
        between(&text, "<faultcode>", "</faultcode>"),
        Some(format!("soap:{class}.{code}").as_str()),
        "{text}"
    );
    assert_eq!(
        between(&text, "<faultstring>", "</faultstring>"),
        Some(faultstring),
        "{text}"
    );
    assert_eq!(
        between(&text, "<fout:code>", "</fout:code>"),
        Some(code),
        "{text}"
    );
    assert!(text.contains("xmlns:fout=\"urn:osp:schema:fout:v1\""));
    let plek = if class == "Server" {
        "server"
    } else {
        "client"
    };
    assert_eq!(between(&text, "<fout:plek>", "</fout:plek>"), Some(plek));
    assert_eq!(
        reply.headers.get("content-type").unwrap(),
        "text/xml; charset=UTF-8"
    );
}

pub fn sandboxes(map: &[(&str, &str)]) -> HashMap<String, String> {
    map.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}
