//! rustls server configuration for the SOAP listener: one crypto provider (aws-lc-rs), TLS 1.2
//! and 1.3, client certificate required and verified against the configured roots and CRL.

use std::path::Path;
use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};

use crate::config::TlsPaths;
use crate::GatewayError;

/// The crypto provider used everywhere in osp (STACK.md: exactly one).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads every certificate of a PEM file.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, GatewayError> {
    let err = |detail: String| GatewayError::Certificate {
        path: path.to_path_buf(),
        detail,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("geen certificaat in bestand".into()));
    }
    Ok(certs)
}

/// Reads a private key (PKCS#8, PKCS#1 or SEC1) from a PEM file.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, GatewayError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| GatewayError::Certificate {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

fn load_crls(path: &Path) -> Result<Vec<CertificateRevocationListDer<'static>>, GatewayError> {
    let err = |detail: String| GatewayError::Certificate {
        path: path.to_path_buf(),
        detail,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    if bytes.starts_with(b"-----") {
        CertificateRevocationListDer::pem_slice_iter(&bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))
    } else {
        Ok(vec![CertificateRevocationListDer::from(bytes)])
    }
}

/// Builds the server configuration of the SOAP listener.
pub fn server_config(paths: &TlsPaths) -> Result<Arc<ServerConfig>, GatewayError> {
    let provider = provider();
    let mut roots = RootCertStore::empty();
    for cert in load_certs(&paths.client_roots)? {
        roots.add(cert).map_err(|e| GatewayError::Certificate {
            path: paths.client_roots.clone(),
            detail: e.to_string(),
        })?;
    }
    let mut verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if let Some(crl) = &paths.crl {
        // The dev PKI's CRL is issued by the services CA for its leaves; intermediates and
        // leaves of other issuers have no CRL here, so their status may be unknown.
        verifier = verifier
            .with_crls(load_crls(crl)?)
            .only_check_end_entity_revocation()
            .allow_unknown_revocation_status();
    }
    let verifier = verifier
        .build()
        .map_err(|e| GatewayError::Tls(e.to_string()))?;
    let chain = load_certs(&paths.server_cert)?;
    let key = load_key(&paths.server_key)?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| GatewayError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| GatewayError::Certificate {
            path: paths.server_key.clone(),
            detail: e.to_string(),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
