//! The dev PKI creates exactly TESTDATA.md's layout, is idempotent and yields readable OINs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use std::fs;
use std::path::Path;

use osp_pki::{
    init, issue, oin_from_certificate, CertOinError, InitOptions, PkiError, TEST_IDENTITIES,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::*;

fn certs(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .unwrap()
        .map(|c| c.unwrap())
        .collect()
}

fn layout() -> Vec<String> {
    let mut v: Vec<String> = ["root-ca", "services-ca", "server"]
        .iter()
        .flat_map(|s| [format!("{s}.pem"), format!("{s}.key")])
        .collect();
    for id in TEST_IDENTITIES {
        v.push(format!("clients/{}.pem", id.oin));
        v.push(format!("clients/{}.key", id.oin));
    }
    for n in [
        "expired",
        "not-yet-valid",
        "wrong-root",
        "no-serialnumber",
        "bad-oin",
    ] {
        v.push(format!("negative/{n}.pem"));
        v.push(format!("negative/{n}.key"));
    }
    v
}

#[test]
fn init_creates_layout_with_private_keys() {
    let dir = tempfile::tempdir().unwrap();
    let report = init(dir.path(), InitOptions::default()).unwrap();
    assert!(report.kept.is_empty());
    for f in layout() {
        let p = dir.path().join(&f);
        assert!(p.exists(), "{f} missing");
        if f.ends_with(".key") {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(
                    fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                    0o600,
                    "{f}"
                );
            }
        }
    }
    assert_eq!(report.written.len(), layout().len());
    assert_eq!(TEST_IDENTITIES.len(), 7);
}

#[test]
fn subjects_chains_and_usages() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), InitOptions::default()).unwrap();
    let root = certs(&dir.path().join("root-ca.pem"));
    let services = certs(&dir.path().join("services-ca.pem"));
    let (_, root) = parse_x509_certificate(&root[0]).unwrap();
    let (_, services) = parse_x509_certificate(&services[0]).unwrap();
    assert_eq!(
        root.subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "osp Test Private Root CA - G1"
    );
    assert_eq!(services.issuer(), root.subject());
    assert!(services.is_ca());
    assert!(services.verify_signature(Some(root.public_key())).is_ok());

    let server = certs(&dir.path().join("server.pem"));
    assert_eq!(server.len(), 2, "server.pem holds leaf + intermediate");
    assert_eq!(
        oin_from_certificate(&server[0]).unwrap().as_str(),
        "00000001800866472000"
    );
    let (_, leaf) = parse_x509_certificate(&server[0]).unwrap();
    assert_eq!(
        leaf.subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "localhost"
    );
    assert_eq!(
        leaf.subject()
            .iter_organization()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "Dienst Uitvoering Onderwijs (osp test)"
    );
    let san = leaf.subject_alternative_name().unwrap().unwrap().value;
    let names: Vec<String> = san.general_names.iter().map(|g| format!("{g}")).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        leaf.extended_key_usage()
            .unwrap()
            .unwrap()
            .value
            .server_auth
    );
    assert!(leaf.verify_signature(Some(services.public_key())).is_ok());

    for id in TEST_IDENTITIES {
        let chain = certs(&dir.path().join("clients").join(format!("{}.pem", id.oin)));
        assert_eq!(chain.len(), 2);
        assert_eq!(oin_from_certificate(&chain[0]).unwrap().as_str(), id.oin);
        let (_, leaf) = parse_x509_certificate(&chain[0]).unwrap();
        let eku = leaf.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.client_auth && !eku.server_auth);
        assert!(leaf.key_usage().unwrap().unwrap().value.digital_signature());
        assert!(leaf.validity().is_valid());
        assert!(!leaf.is_ca());
        // the subject serialNumber is not the certificate serial
        assert_ne!(leaf.raw_serial_as_string().replace(':', ""), id.oin);
        assert_eq!(
            leaf.subject()
                .iter_country()
                .next()
                .unwrap()
                .as_str()
                .unwrap(),
            "NL"
        );
    }
}

#[test]
fn negative_set_fails_for_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), InitOptions::default()).unwrap();
    let neg = |n: &str| certs(&dir.path().join("negative").join(format!("{n}.pem")));
    let exp = neg("expired");
    let (_, c) = parse_x509_certificate(&exp[0]).unwrap();
    assert!(c.validity().not_after.timestamp() < chrono_now());
    let nyv = neg("not-yet-valid");
    let (_, c) = parse_x509_certificate(&nyv[0]).unwrap();
    assert!(c.validity().not_before.timestamp() > chrono_now());
    assert_eq!(
        oin_from_certificate(&neg("no-serialnumber")[0]),
        Err(CertOinError::Ontbreekt)
    );
    assert!(matches!(
        oin_from_certificate(&neg("bad-oin")[0]),
        Err(CertOinError::Ongeldig(_))
    ));
    let wrong = neg("wrong-root");
    let root = certs(&dir.path().join("root-ca.pem"));
    let (_, w) = parse_x509_certificate(&wrong[0]).unwrap();
    let (_, r) = parse_x509_certificate(&root[0]).unwrap();
    assert_ne!(w.issuer(), r.subject());
    assert!(oin_from_certificate(&wrong[0]).is_ok());
    assert_eq!(
        oin_from_certificate(b"not der"),
        Err(CertOinError::GeenCertificaat)
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn init_is_idempotent_and_force_regenerates() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), InitOptions::default()).unwrap();
    let key = dir.path().join("clients/0000000700099AA00000.key");
    let pem = dir.path().join("clients/0000000700099AA00000.pem");
    let before = (fs::read(&key).unwrap(), fs::read(&pem).unwrap());
    let again = init(dir.path(), InitOptions::default()).unwrap();
    assert!(again.written.is_empty(), "{:?}", again.written);
    assert_eq!((fs::read(&key).unwrap(), fs::read(&pem).unwrap()), before);

    // a lost leaf is recreated without touching anything else
    fs::remove_file(&pem).unwrap();
    let partial = init(dir.path(), InitOptions::default()).unwrap();
    assert_eq!(partial.written, vec![pem.clone()]);
    assert_eq!(fs::read(&key).unwrap(), before.0);

    let forced = init(
        dir.path(),
        InitOptions {
            force: true,
            rsa: false,
        },
    )
    .unwrap();
    assert!(forced.kept.is_empty());
    assert_ne!(fs::read(&key).unwrap(), before.0);
}

#[test]
fn rsa_keys_on_request() {
    let dir = tempfile::tempdir().unwrap();
    init(
        dir.path(),
        InitOptions {
            force: false,
            rsa: true,
        },
    )
    .unwrap();
    let chain = certs(&dir.path().join("clients/00000003123456780000.pem"));
    let (_, leaf) = parse_x509_certificate(&chain[0]).unwrap();
    assert_eq!(
        leaf.public_key().algorithm.algorithm,
        x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION
    );
    assert!(fs::read_to_string(dir.path().join("server.key"))
        .unwrap()
        .contains("PRIVATE KEY"));
}

#[test]
fn issue_adds_one_client_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), InitOptions::default()).unwrap();
    let path = issue(dir.path(), "00000003555555550000", "Nieuwe Leverancier").unwrap();
    let chain = certs(&path);
    assert_eq!(chain.len(), 2);
    assert_eq!(
        oin_from_certificate(&chain[0]).unwrap().as_str(),
        "00000003555555550000"
    );
    let services = certs(&dir.path().join("services-ca.pem"));
    let (_, s) = parse_x509_certificate(&services[0]).unwrap();
    let (_, l) = parse_x509_certificate(&chain[0]).unwrap();
    assert!(l.verify_signature(Some(s.public_key())).is_ok());
    assert!(matches!(
        issue(dir.path(), "00000003555555550000", "x"),
        Err(PkiError::Exists(_))
    ));
    assert!(matches!(
        issue(dir.path(), "123", "x"),
        Err(PkiError::Oin(_))
    ));
    assert!(matches!(
        issue(dir.path(), "00000003555555560000", " "),
        Err(PkiError::EmptyCn)
    ));
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        issue(empty.path(), "00000003555555550000", "x"),
        Err(PkiError::Io { .. })
    ));
}

#[test]
fn revoke_accumulates_serials_in_a_signed_crl() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), InitOptions::default()).unwrap();
    let a = dir.path().join("clients/0000000700099AA00000.pem");
    let b = dir.path().join("clients/0000000700099BB00000.pem");
    osp_pki::revoke(dir.path(), &a).unwrap();
    let crl_path = osp_pki::revoke(dir.path(), &b).unwrap();
    assert_eq!(crl_path, dir.path().join(osp_pki::CRL_FILE));
    let crl_der = rustls_pki_types::CertificateRevocationListDer::from_pem_file(&crl_path).unwrap();
    let (_, crl) = parse_x509_crl(&crl_der).unwrap();
    let revoked: Vec<Vec<u8>> = crl
        .iter_revoked_certificates()
        .map(|r| r.raw_serial().to_vec())
        .collect();
    assert_eq!(revoked.len(), 2);
    for p in [&a, &b] {
        let chain = certs(p);
        let (_, c) = parse_x509_certificate(&chain[0]).unwrap();
        assert!(revoked.contains(&c.raw_serial().to_vec()));
    }
    let services = certs(&dir.path().join("services-ca.pem"));
    let (_, s) = parse_x509_certificate(&services[0]).unwrap();
    assert_eq!(crl.issuer(), s.subject());
    assert!(crl.verify_signature(s.public_key()).is_ok());
}
