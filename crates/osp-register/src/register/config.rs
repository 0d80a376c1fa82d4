//! The register's settings and the errors of its own API (not of a delivery).

use chrono::NaiveDate;

use crate::berichten::terugkoppeling::TerugkoppelingModus;
use crate::service::ServiceError;
use crate::store::{Duurzaamheid, StoreError};

/// Settings of the register (from `osp.toml` / CLI flags).
#[derive(Debug, Clone)]
pub struct RegisterConfig {
    /// Global pinned register date (`--today`); `None` = real time.
    pub today: Option<NaiveDate>,
    /// Rule 0103 strict mode: a BSN must be in the proef-BRP (default true).
    pub strikte_brp: bool,
    /// Number of lock stripes serialising deliveries per person.
    pub lock_stripes: usize,
    /// `terugkoppeling.mode` (SPEC §7): answer, outbox message, or both.
    pub terugkoppeling: TerugkoppelingModus,
    /// Register DUO's follow-up producers (bewijzen, bekostiging) on open (default true; tests
    /// of the seam itself switch them off).
    pub vervolgberichten: bool,
    /// Durable answers (`osp serve`), or a throwaway register that never fsyncs (replay).
    pub duurzaamheid: Duurzaamheid,
    /// Compress a new durable data dir (`[opslag] compressie`; see store/sled_store.rs for the
    /// measured trade-off). An existing data dir keeps its own setting.
    pub compressie: bool,
}

impl Default for RegisterConfig {
    fn default() -> Self {
        RegisterConfig {
            today: None,
            strikte_brp: true,
            lock_stripes: 1024,
            terugkoppeling: TerugkoppelingModus::Sync,
            vervolgberichten: true,
            duurzaamheid: Duurzaamheid::Schijf,
            compressie: false,
        }
    }
}

impl RegisterConfig {
    /// The register `osp replay` gives each scenario: pinned to `today`, in a temporary directory
    /// that is deleted afterwards, so it never fsyncs ([`Duurzaamheid::Wegwerp`]).
    pub fn wegwerp(today: Option<NaiveDate>) -> RegisterConfig {
        RegisterConfig {
            today,
            duurzaamheid: Duurzaamheid::Wegwerp,
            ..RegisterConfig::default()
        }
    }
}

/// Failures of the register's own API (not of a delivery).
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Storage failed or the data dir is held by another process.
    #[error(transparent)]
    Opslag(#[from] StoreError),
    /// Sandbox names must be non-empty and free of NUL (they prefix every key).
    #[error("ongeldige sandboxnaam {0:?}")]
    Sandbox(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Decodeer { .. } => ServiceError::Intern(e.to_string()),
            _ => ServiceError::Onbeschikbaar(e.to_string()),
        }
    }
}

impl From<RegisterError> for ServiceError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Opslag(s) => s.into(),
            RegisterError::Sandbox(_) => ServiceError::Intern(e.to_string()),
        }
    }
}
