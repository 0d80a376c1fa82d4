//! `osp certs init` / `osp certs issue`: the dev PKI of TESTDATA.md, generated once into a
//! directory and reused on later runs, so vendors can point their LAS at osp with real mTLS.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rcgen::string::PrintableString;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, RsaKeySize, SanType,
    SerialNumber, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256,
};
use time::{Duration, OffsetDateTime};

use crate::oin::{Oin, OinError};

/// File name of the trust anchor clients and the server verify against.
pub const ROOT_CA: &str = "root-ca";
/// File name of the intermediate that signs every leaf.
pub const SERVICES_CA: &str = "services-ca";
/// File name of the server (DUO) certificate.
pub const SERVER: &str = "server";
/// Subdirectory with one client certificate per test OIN.
pub const CLIENTS_DIR: &str = "clients";
/// Subdirectory with certificates that must be refused.
pub const NEGATIVE_DIR: &str = "negative";
/// The negative certificates of TESTDATA.md, by file stem.
pub const NEGATIVE_NAMES: [&str; 5] = [
    "expired",
    "not-yet-valid",
    "wrong-root",
    "no-serialnumber",
    "bad-oin",
];

const ROOT_CN: &str = "osp Test Private Root CA - G1";
const SERVICES_CN: &str = "osp Test Private Services CA - G1";
const CA_ORG: &str = "osp Test PKI";
const DUO_ORG: &str = "Dienst Uitvoering Onderwijs (osp test)";
const DUO_OIN: &str = "00000001800866472000";
/// OIN carried by the negative certificates that fail on validity or chain, not on the OIN.
const NEGATIVE_OIN: &str = "0000000700099AA00000";
/// Serial-number value of the `bad-oin` certificate: present, but not an OIN.
const BAD_OIN_VALUE: &str = "OIN-12345";

/// One fixed test party of TESTDATA.md that gets a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestIdentity {
    /// The party's OIN (subject serialNumber and file name).
    pub oin: &'static str,
    /// Subject O.
    pub organisatie: &'static str,
    /// Subject CN.
    pub naam: &'static str,
}

/// Every OIN of TESTDATA.md except DUO's: the client certificates `init` creates.
pub const TEST_IDENTITIES: [TestIdentity; 7] = [
    TestIdentity {
        oin: "0000000700099AA00000",
        organisatie: "Testcollege Noord",
        naam: "Administratie 99AA",
    },
    TestIdentity {
        oin: "00000004000000099000",
        organisatie: "Testcollege Noord",
        naam: "Tweede administratie 99AA",
    },
    TestIdentity {
        oin: "0000000700099BB00000",
        organisatie: "Testlyceum Zuid",
        naam: "Administratie 99BB",
    },
    TestIdentity {
        oin: "0000000700099CC00000",
        organisatie: "Particuliere School West",
        naam: "Administratie 99CC",
    },
    TestIdentity {
        oin: "0000000700099VV00000",
        organisatie: "Test ROC (vavo)",
        naam: "Administratie 99VV",
    },
    TestIdentity {
        oin: "00000003123456780000",
        organisatie: "Test LAS Leverancier B.V.",
        naam: "Test LAS Leverancier B.V.",
    },
    TestIdentity {
        oin: "00000003876543210000",
        organisatie: "Andere Leverancier B.V.",
        naam: "Andere Leverancier B.V.",
    },
];

/// Why the dev PKI could not be created or extended.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// rcgen refused to build or parse a key or certificate.
    #[error("certificaat of sleutel {what}: {source}")]
    Rcgen {
        /// What was being built.
        what: String,
        /// The underlying error.
        source: rcgen::Error,
    },
    /// The OIN given to `issue` is not well-formed.
    #[error("ongeldig OIN: {0}")]
    Oin(#[from] OinError),
    /// `issue` would overwrite an existing key.
    #[error("{0} bestaat al; kies een ander OIN of verwijder het bestand")]
    Exists(PathBuf),
    /// An empty common name was asked for.
    #[error("lege CN")]
    EmptyCn,
}

/// Options of `osp certs init`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InitOptions {
    /// Regenerate everything, overwriting existing keys.
    pub force: bool,
    /// RSA 2048 keys instead of ECDSA P-256.
    pub rsa: bool,
}

/// What `init` did, so the CLI can tell the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitReport {
    /// Files written by this run.
    pub written: Vec<PathBuf>,
    /// Files that existed and were left untouched.
    pub kept: Vec<PathBuf>,
}

/// Creates (or completes) the dev PKI of TESTDATA.md in `dir`; existing keys are reused unless
/// `force`, and certificates are re-signed only when their issuer changed or they are missing.
pub fn init(dir: &Path, options: InitOptions) -> Result<InitReport, PkiError> {
    let mut run = Run {
        dir: dir.to_path_buf(),
        options,
        report: InitReport::default(),
    };
    mkdir(dir)?;
    mkdir(&dir.join(CLIENTS_DIR))?;
    mkdir(&dir.join(NEGATIVE_DIR))?;

    let root = run.ca(ROOT_CA, ca_params(ROOT_CN, None), None)?;
    let services = run.ca(
        SERVICES_CA,
        ca_params(SERVICES_CN, Some(0)),
        Some((&root.issuer, root.changed)),
    )?;
    let chain_changed = services.changed;
    let intermediate_pem = services.pem.clone();

    let server = leaf_params(
        "localhost",
        DUO_ORG,
        Some(DUO_OIN),
        LeafKind::Server,
        Validity::Normal,
        run.options.rsa,
    )?;
    run.leaf(
        &run.dir.join(SERVER),
        server,
        &services.issuer,
        chain_changed,
        Some(&intermediate_pem),
    )?;

    for id in TEST_IDENTITIES {
        let params = leaf_params(
            id.naam,
            id.organisatie,
            Some(id.oin),
            LeafKind::Client,
            Validity::Normal,
            run.options.rsa,
        )?;
        let stem = run.dir.join(CLIENTS_DIR).join(id.oin);
        run.leaf(
            &stem,
            params,
            &services.issuer,
            chain_changed,
            Some(&intermediate_pem),
        )?;
    }

    let neg = run.dir.join(NEGATIVE_DIR);
    let rsa = run.options.rsa;
    let p = leaf_params(
        "Verlopen certificaat",
        "Testcollege Noord",
        Some(NEGATIVE_OIN),
        LeafKind::Client,
        Validity::Expired,
        rsa,
    )?;
    run.leaf(
        &neg.join("expired"),
        p,
        &services.issuer,
        chain_changed,
        Some(&intermediate_pem),
    )?;
    let p = leaf_params(
        "Nog niet geldig certificaat",
        "Testcollege Noord",
        Some(NEGATIVE_OIN),
        LeafKind::Client,
        Validity::NotYetValid,
        rsa,
    )?;
    run.leaf(
        &neg.join("not-yet-valid"),
        p,
        &services.issuer,
        chain_changed,
        Some(&intermediate_pem),
    )?;
    let p = leaf_params(
        "Zonder serialNumber",
        "Testcollege Noord",
        None,
        LeafKind::Client,
        Validity::Normal,
        rsa,
    )?;
    run.leaf(
        &neg.join("no-serialnumber"),
        p,
        &services.issuer,
        chain_changed,
        Some(&intermediate_pem),
    )?;
    let mut p = leaf_params(
        "Ongeldig OIN",
        "Testcollege Noord",
        None,
        LeafKind::Client,
        Validity::Normal,
        rsa,
    )?;
    p.distinguished_name
        .push(serial_number_type(), printable(BAD_OIN_VALUE)?);
    run.leaf(
        &neg.join("bad-oin"),
        p,
        &services.issuer,
        chain_changed,
        Some(&intermediate_pem),
    )?;

    // wrong-root: a complete foreign chain, generated on the fly and never stored as a CA.
    let wrong_stem = neg.join("wrong-root");
    if run.options.force || !pem_path(&wrong_stem).exists() || !key_path(&wrong_stem).exists() {
        let foreign_key = run.generate_key("vreemde root")?;
        let foreign_params = ca_params("Vreemde Root CA - G1", None);
        let foreign = CertifiedIssuer::self_signed(foreign_params, foreign_key)
            .map_err(|e| rcgen_err("vreemde root", e))?;
        let foreign_pem = foreign.pem();
        let p = leaf_params(
            "Vreemde root",
            "Testcollege Noord",
            Some(NEGATIVE_OIN),
            LeafKind::Client,
            Validity::Normal,
            rsa,
        )?;
        run.leaf(&wrong_stem, p, &*foreign, true, Some(&foreign_pem))?;
    } else {
        run.report.kept.push(pem_path(&wrong_stem));
        run.report.kept.push(key_path(&wrong_stem));
    }
    tracing::info!(dir = %dir.display(), written = run.report.written.len(), kept = run.report.kept.len(), "dev PKI ready");
    Ok(run.report)
}

/// Issues one more client certificate `clients/{oin}.pem` + `.key` signed by the services CA of
/// an existing dev PKI in `dir` (created by `init`). Refuses to overwrite an existing key.
pub fn issue(dir: &Path, oin: &str, cn: &str) -> Result<PathBuf, PkiError> {
    let oin = Oin::parse(oin)?;
    if cn.trim().is_empty() {
        return Err(PkiError::EmptyCn);
    }
    let stem = dir.join(CLIENTS_DIR).join(oin.as_str());
    if key_path(&stem).exists() {
        return Err(PkiError::Exists(key_path(&stem)));
    }
    let ca_stem = dir.join(SERVICES_CA);
    let ca_pem = read(&pem_path(&ca_stem))?;
    let ca_key = KeyPair::from_pem(&read(&key_path(&ca_stem))?)
        .map_err(|e| rcgen_err("services-ca.key", e))?;
    let rsa = !ca_key.is_compatible(&PKCS_ECDSA_P256_SHA256);
    let issuer =
        Issuer::from_ca_cert_pem(&ca_pem, ca_key).map_err(|e| rcgen_err("services-ca.pem", e))?;
    let params = leaf_params(
        cn,
        cn,
        Some(oin.as_str()),
        LeafKind::Client,
        Validity::Normal,
        rsa,
    )?;
    mkdir(&dir.join(CLIENTS_DIR))?;
    let mut run = Run {
        dir: dir.to_path_buf(),
        options: InitOptions { force: false, rsa },
        report: InitReport::default(),
    };
    run.leaf(&stem, params, &issuer, true, Some(&ca_pem))?;
    tracing::info!(oin = %oin, cn, "client certificate issued");
    Ok(pem_path(&stem))
}

/// File name of the CRL `revoke` maintains (issued by the services CA); give it to the gateway
/// as `tls.crl` to make revoked client certificates fail the handshake.
pub const CRL_FILE: &str = "services-ca.crl.pem";

/// Revokes the leaf certificate in `cert_pem` (issued by the services CA of the dev PKI in
/// `dir`): adds its serial to `dir/services-ca.crl.pem`, keeping earlier revocations, and
/// returns the CRL's path.
pub fn revoke(dir: &Path, cert_pem: &Path) -> Result<PathBuf, PkiError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};
    let bad = |path: &Path, detail: String| PkiError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, detail),
    };
    let leaf = CertificateDer::from_pem_file(cert_pem).map_err(|e| bad(cert_pem, e.to_string()))?;
    let (_, parsed) =
        x509_parser::parse_x509_certificate(&leaf).map_err(|e| bad(cert_pem, e.to_string()))?;
    let mut serials: Vec<Vec<u8>> = vec![parsed.raw_serial().to_vec()];
    let crl_path = dir.join(CRL_FILE);
    if crl_path.exists() {
        let old = CertificateRevocationListDer::from_pem_file(&crl_path)
            .map_err(|e| bad(&crl_path, e.to_string()))?;
        let (_, crl) =
            x509_parser::parse_x509_crl(&old).map_err(|e| bad(&crl_path, e.to_string()))?;
        for r in crl.iter_revoked_certificates() {
            if !serials.iter().any(|s| s.as_slice() == r.raw_serial()) {
                serials.push(r.raw_serial().to_vec());
            }
        }
    }
    let ca_stem = dir.join(SERVICES_CA);
    let ca_key = KeyPair::from_pem(&read(&key_path(&ca_stem))?)
        .map_err(|e| rcgen_err("services-ca.key", e))?;
    let issuer = Issuer::from_ca_cert_pem(&read(&pem_path(&ca_stem))?, ca_key)
        .map_err(|e| rcgen_err("services-ca.pem", e))?;
    let now = OffsetDateTime::now_utc();
    let params = rcgen::CertificateRevocationListParams {
        this_update: now - Duration::minutes(5),
        next_update: now + Duration::days(30),
        crl_number: fresh_serial(),
        issuing_distribution_point: None,
        revoked_certs: serials
            .into_iter()
            .map(|s| rcgen::RevokedCertParams {
                serial_number: SerialNumber::from_slice(&s),
                revocation_time: now - Duration::minutes(5),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    };
    let crl = params.signed_by(&issuer).map_err(|e| rcgen_err("CRL", e))?;
    let text = crl.pem().map_err(|e| rcgen_err("CRL", e))?;
    write_public(&crl_path, text.as_bytes())?;
    tracing::info!(cert = %cert_pem.display(), crl = %crl_path.display(), "certificate revoked");
    Ok(crl_path)
}

struct Run {
    dir: PathBuf,
    options: InitOptions,
    report: InitReport,
}

struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
    changed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LeafKind {
    Server,
    Client,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Validity {
    Normal,
    Expired,
    NotYetValid,
}

impl Run {
    fn generate_key(&self, what: &str) -> Result<KeyPair, PkiError> {
        let key = if self.options.rsa {
            KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)
        } else {
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
        };
        key.map_err(|e| rcgen_err(what, e))
    }

    /// Loads the key at `stem.key` unless forced; otherwise generates and writes a new one.
    /// Returns the key and whether it is new.
    fn key(&mut self, stem: &Path) -> Result<(KeyPair, bool), PkiError> {
        let path = key_path(stem);
        if !self.options.force && path.exists() {
            let key = KeyPair::from_pem(&read(&path)?)
                .map_err(|e| rcgen_err(&path.display().to_string(), e))?;
            self.report.kept.push(path);
            return Ok((key, false));
        }
        let key = self.generate_key(&path.display().to_string())?;
        write_private(&path, key.serialize_pem().as_bytes())?;
        self.report.written.push(path);
        Ok((key, true))
    }

    fn ca(
        &mut self,
        name: &str,
        params: CertificateParams,
        parent: Option<(&Issuer<'static, KeyPair>, bool)>,
    ) -> Result<Ca, PkiError> {
        let stem = self.dir.join(name);
        let pem = pem_path(&stem);
        let (key, new_key) = self.key(&stem)?;
        let parent_changed = parent.map(|(_, c)| c).unwrap_or(false);
        if !new_key && !parent_changed && pem.exists() {
            let text = read(&pem)?;
            let issuer = Issuer::from_ca_cert_pem(&text, key).map_err(|e| rcgen_err(name, e))?;
            self.report.kept.push(pem);
            return Ok(Ca {
                issuer,
                pem: text,
                changed: false,
            });
        }
        let cert = match parent {
            None => params.self_signed(&key),
            Some((p, _)) => params.signed_by(&key, p),
        }
        .map_err(|e| rcgen_err(name, e))?;
        let text = cert.pem();
        write_public(&pem, text.as_bytes())?;
        self.report.written.push(pem);
        let issuer = Issuer::new(params, key);
        Ok(Ca {
            issuer,
            pem: text,
            changed: true,
        })
    }

    fn leaf(
        &mut self,
        stem: &Path,
        params: CertificateParams,
        issuer: &Issuer<'_, impl rcgen::SigningKey>,
        issuer_changed: bool,
        chain_pem: Option<&str>,
    ) -> Result<(), PkiError> {
        let (key, new_key) = self.key(stem)?;
        let pem = pem_path(stem);
        if !new_key && !issuer_changed && pem.exists() {
            self.report.kept.push(pem);
            return Ok(());
        }
        let cert = params
            .signed_by(&key, issuer)
            .map_err(|e| rcgen_err(&pem.display().to_string(), e))?;
        let mut text = cert.pem();
        if let Some(chain) = chain_pem {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(chain);
        }
        write_public(&pem, text.as_bytes())?;
        self.report.written.push(pem);
        Ok(())
    }
}

fn ca_params(cn: &str, path_len: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CountryName, "NL");
    params
        .distinguished_name
        .push(DnType::OrganizationName, CA_ORG);
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    params.serial_number = Some(fresh_serial());
    params.use_authority_key_identifier_extension = path_len.is_some();
    params
}

fn leaf_params(
    cn: &str,
    org: &str,
    oin: Option<&str>,
    kind: LeafKind,
    validity: Validity,
    rsa: bool,
) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CountryName, "NL");
    params
        .distinguished_name
        .push(DnType::OrganizationName, org);
    params.distinguished_name.push(DnType::CommonName, cn);
    if let Some(oin) = oin {
        params
            .distinguished_name
            .push(serial_number_type(), printable(oin)?);
    }
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if rsa {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    params.extended_key_usages = match kind {
        // DUO's certificate also signs osp's push deliveries as a client (SPEC §7).
        LeafKind::Server => vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ],
        LeafKind::Client => vec![ExtendedKeyUsagePurpose::ClientAuth],
    };
    if kind == LeafKind::Server {
        params.subject_alt_names = vec![
            SanType::DnsName("localhost".try_into().map_err(|e| rcgen_err("SAN", e))?),
            SanType::IpAddress(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
            SanType::IpAddress(std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)),
        ];
    }
    let now = OffsetDateTime::now_utc();
    (params.not_before, params.not_after) = match validity {
        Validity::Normal => (now - Duration::days(1), now + Duration::days(825)),
        Validity::Expired => (now - Duration::days(400), now - Duration::days(30)),
        Validity::NotYetValid => (now + Duration::days(30), now + Duration::days(400)),
    };
    params.serial_number = Some(fresh_serial());
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

fn serial_number_type() -> DnType {
    DnType::CustomDnType(vec![2, 5, 4, 5])
}

fn printable(text: &str) -> Result<DnValue, PkiError> {
    let s = PrintableString::try_from(text).map_err(|e| rcgen_err("serialNumber", e))?;
    Ok(DnValue::PrintableString(s))
}

/// A positive serial unique per process run: nanoseconds since the epoch plus a counter.
fn fresh_serial() -> SerialNumber {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos() as u128;
    let n = nanos.wrapping_add(u128::from(COUNTER.fetch_add(1, Ordering::Relaxed)));
    let mut bytes = n.to_be_bytes().to_vec();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

fn pem_path(stem: &Path) -> PathBuf {
    stem.with_extension("pem")
}

fn key_path(stem: &Path) -> PathBuf {
    stem.with_extension("key")
}

fn rcgen_err(what: &str, source: rcgen::Error) -> PkiError {
    PkiError::Rcgen {
        what: what.to_string(),
        source,
    }
}

fn mkdir(dir: &Path) -> Result<(), PkiError> {
    fs::create_dir_all(dir).map_err(|source| PkiError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

fn read(path: &Path) -> Result<String, PkiError> {
    fs::read_to_string(path).map_err(|source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write_public(path: &Path, data: &[u8]) -> Result<(), PkiError> {
    fs::write(path, data).map_err(|source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes a private key readable by the owner only (mode 0600 on Unix), also when replacing.
fn write_private(path: &Path, data: &[u8]) -> Result<(), PkiError> {
    let io = |source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path).map_err(io)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        file.write_all(data).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path).map_err(io)?;
        file.write_all(data).map_err(io)?;
    }
    Ok(())
}
