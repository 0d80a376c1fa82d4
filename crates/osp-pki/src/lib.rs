//! Dev PKI in the PKIoverheid style (root → services CA → leaf, OIN in the subject
//! serialNumber) and OIN extraction from certificates, shared by the gateway and the CLI.

#![warn(missing_docs)]

pub mod cert;
pub mod dev;
pub mod oin;

pub use cert::{common_name, oin_from_certificate, CertOinError};
pub use dev::{
    init, issue, revoke, InitOptions, InitReport, PkiError, TestIdentity, CRL_FILE, TEST_IDENTITIES,
};
pub use oin::{Oin, OinError, OinSoort};
