//! The register: sandboxes of ROD-VO state in a [`Store`], the clock, reference data and the
//! processing of deliveries (see [`verwerking`]). This is the public API the gateway (through
//! [`Service`](crate::Service)), the CLI and the admin API use. One file per concern: settings and
//! errors ([`config`]), keys and sandbox names ([`keys`]), opening and closing ([`lifecycle`]),
//! history reads ([`history`]), the outbox ([`outbox`]), the processing of one delivery
//! ([`verwerking`]) and the follow-up seam ([`vervolg`]).

mod clock;
pub mod config;
pub mod history;
mod identificatie;
pub mod keys;
mod lifecycle;
mod locks;
pub mod outbox;
pub mod vervolg;
pub mod verwerking;

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use chrono::NaiveDate;

use crate::reference::Reference;
use crate::store::Store;

pub use clock::Klok;
pub use config::{RegisterConfig, RegisterError};
pub use history::{Historie, PersoonState};
pub use keys::StandSleutel;
pub use vervolg::{Inschrijvingswijziging, NieuwBericht, RegisterLezer, Vervolgberichten};
pub use verwerking::Aanleververzoek;

use keys::sandbox_ok;
use outbox::Uitgifte;

/// The ROD-VO register.
pub struct Register {
    store: Arc<dyn Store>,
    reference: RwLock<Arc<Reference>>,
    config: RegisterConfig,
    klok: Klok,
    locks: locks::Stripes,
    producenten: RwLock<Vec<Arc<dyn Vervolgberichten>>>,
    /// Outbox ids handed out to batches that are not committed yet.
    uitgifte: Arc<Uitgifte>,
    /// The durable sled data dir [`Register::sluiten`] folds into a start snapshot (`None` for
    /// a throwaway register or another engine).
    checkpoint_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Register {
    /// The settings the register runs with.
    pub fn config(&self) -> &RegisterConfig {
        &self.config
    }

    /// The reference data in use.
    pub fn reference(&self) -> Arc<Reference> {
        self.reference
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the reference data (admin API); deliveries in flight finish on the old data.
    pub fn set_reference(&self, reference: Reference) {
        *self
            .reference
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(reference);
    }

    /// Registers a follow-up message producer (bekostiging, bewijzen).
    pub fn add_producer(&self, producer: Arc<dyn Vervolgberichten>) {
        self.producenten
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(producer);
    }

    /// Pins (`Some`) or unpins (`None`) the register date of a sandbox.
    pub fn set_today(&self, sandbox: &str, today: Option<NaiveDate>) {
        self.klok.zet(sandbox, today);
    }

    /// The register date of a sandbox.
    pub fn today(&self, sandbox: &str) -> NaiveDate {
        self.klok.vandaag(sandbox)
    }

    /// The register moment of a sandbox (real time, on the pinned date when one is set).
    pub fn now(&self, sandbox: &str) -> chrono::DateTime<chrono::Utc> {
        self.klok.nu(sandbox)
    }
}
