//! `osp send FILE`: one request to a running osp (or DUO-like endpoint) with a dev certificate,
//! the response pretty-printed, and an exit code a script can test.

use osp_gateway::client::{self, ClientError};
use osp_replay::request::{prepare, Identity};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `osp send` concluded, mapped onto exit codes 0/1/2.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `leveringGoedgekeurd` true, or a non-aanleveren operation answered without fault.
    Goedgekeurd,
    /// Afgekeurd or a SOAP fault.
    Afgekeurd,
}

/// Options of one send.
pub struct SendOptions<'a> {
    /// Request file.
    pub file: &'a Path,
    /// OIN of the dev certificate.
    pub as_oin: &'a str,
    /// OIN of `wsa:From` for a bare body.
    pub from_oin: &'a str,
    /// Server URL.
    pub server: &'a str,
    /// Dev PKI directory.
    pub certs: &'a Path,
    /// Skip server certificate verification.
    pub insecure: bool,
}

/// Why nothing could be judged (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The request file could not be read.
    #[error("{0}: {1}")]
    Read(PathBuf, std::io::Error),
    /// The request could not be prepared.
    #[error(transparent)]
    Prepare(#[from] osp_replay::request::RequestError),
    /// Certificates, connection or HTTP failed.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// Accepts any server certificate: for `--insecure-skip-verify` against servers whose chain the
/// dev PKI does not cover. The client certificate is still presented.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Client configuration for `identity`, optionally without server verification.
pub fn client_config(
    certs: &Path,
    identity: &Identity,
    insecure: bool,
) -> Result<Arc<rustls::ClientConfig>, ClientError> {
    let config = client::client_config(&identity.cert, &identity.key, &certs.join("root-ca.pem"))?;
    if !insecure {
        return Ok(config);
    }
    let mut config = (*config).clone();
    let provider = Arc::new(osp_gateway::tls::provider().as_ref().clone());
    config
        .dangerous()
        .set_certificate_verifier(Arc::new(NoVerify(provider)));
    Ok(Arc::new(config))
}

/// Judges a response envelope: fault or `leveringGoedgekeurd` false ⇒ afgekeurd.
pub fn verdict(status: u16, body: &str) -> Verdict {
    match osp_replay::canon::parse(body, None) {
        Ok(doc) => {
            let child = osp_replay::runner::body_child(doc);
            if child.local == "Fault" || status >= 400 {
                return Verdict::Afgekeurd;
            }
            match find(&child, "leveringGoedgekeurd") {
                Some(v) if v == "true" || v == "1" => Verdict::Goedgekeurd,
                Some(_) => Verdict::Afgekeurd,
                None => Verdict::Goedgekeurd,
            }
        }
        Err(_) => Verdict::Afgekeurd,
    }
}

fn find<'a>(node: &'a osp_replay::canon::Node, local: &str) -> Option<&'a str> {
    if node.local == local {
        return Some(node.text.as_str());
    }
    node.children.iter().find_map(|c| find(c, local))
}

/// Sends the file and prints the response; returns the verdict.
pub fn run(opts: &SendOptions<'_>) -> Result<Verdict, SendError> {
    let raw = std::fs::read(opts.file).map_err(|e| SendError::Read(opts.file.to_path_buf(), e))?;
    let prepared = prepare(&raw, opts.from_oin, None)?;
    let identity = Identity::resolve(opts.certs, Some(opts.as_oin), None);
    let config = client_config(opts.certs, &identity, opts.insecure)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SendError::Client(ClientError::Request(e.to_string())))?;
    let reply = runtime.block_on(client::post_envelope(
        opts.server,
        config,
        prepared.soap_action.as_deref(),
        prepared.envelope,
    ))?;
    let text = reply.text();
    match osp_replay::canon::parse(&text, None) {
        Ok(doc) => print!("{}", osp_replay::pretty::to_xml(&doc)),
        Err(_) => println!("{text}"),
    }
    eprintln!("HTTP {}", reply.status);
    Ok(verdict(reply.status, &text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        let env = |inner: &str| {
            format!("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>{inner}</s:Body></s:Envelope>")
        };
        assert_eq!(
            verdict(
                200,
                &env("<r><t><leveringGoedgekeurd>true</leveringGoedgekeurd></t></r>")
            ),
            Verdict::Goedgekeurd
        );
        assert_eq!(
            verdict(
                200,
                &env("<r><t><leveringGoedgekeurd>false</leveringGoedgekeurd></t></r>")
            ),
            Verdict::Afgekeurd
        );
        assert_eq!(
            verdict(
                500,
                &env("<s:Fault xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>")
            ),
            Verdict::Afgekeurd
        );
        assert_eq!(
            verdict(200, &env("<r><cursor>0</cursor></r>")),
            Verdict::Goedgekeurd
        );
        assert_eq!(verdict(200, "garbage"), Verdict::Afgekeurd);
    }
}
