//! Reading identity out of certificates: the OIN in the subject serialNumber (OID 2.5.4.5),
//! which is what the gateway trusts as "who connected" (SPEC §2).

use crate::oin::{Oin, OinError};
use x509_parser::oid_registry::OID_X509_SERIALNUMBER;

/// Why no OIN could be taken from a certificate; every variant is fault EK0030 at the gateway.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertOinError {
    /// The bytes are not a DER X.509 certificate.
    #[error("geen geldig X.509-certificaat")]
    GeenCertificaat,
    /// The subject has no serialNumber attribute.
    #[error("subject serialNumber ontbreekt")]
    Ontbreekt,
    /// The subject has more than one serialNumber attribute.
    #[error("subject serialNumber komt meer dan eens voor")]
    Meervoudig,
    /// The serialNumber is not a string or not a well-formed OIN.
    #[error("subject serialNumber is geen geldig OIN: {0}")]
    Ongeldig(#[from] OinError),
    /// The serialNumber is not a readable string type.
    #[error("subject serialNumber is geen tekst")]
    GeenTekst,
}

/// Takes the OIN from a DER certificate's subject serialNumber — not the certificate serial.
pub fn oin_from_certificate(der: &[u8]) -> Result<Oin, CertOinError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|_| CertOinError::GeenCertificaat)?;
    let mut values = cert.subject().iter_by_oid(&OID_X509_SERIALNUMBER);
    let first = values.next().ok_or(CertOinError::Ontbreekt)?;
    if values.next().is_some() {
        return Err(CertOinError::Meervoudig);
    }
    let text = first.as_str().map_err(|_| CertOinError::GeenTekst)?;
    Ok(Oin::parse(text)?)
}

/// The subject common name of a DER certificate, for logs and listings.
pub fn common_name(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let cn = cert
        .subject()
        .iter_common_name()
        .next()?
        .as_str()
        .ok()?
        .to_string();
    Some(cn)
}
