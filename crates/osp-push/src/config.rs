//! Push settings: DUO's client certificate, the roots that LAS server certificates must chain to,
//! the state file, timing, and the initial callbacks (more can be set through the admin API).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::backoff::Backoff;

/// Where one administratie wants its messages pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    /// The administratie OIN whose outbox is pushed (also the `wsa:To`).
    pub oin: String,
    /// `https://host[:port]/path` of the LAS's endpoint.
    pub url: String,
    /// Register sandbox whose outbox is read (default `default`).
    #[serde(default = "standaard_sandbox")]
    pub sandbox: String,
}

fn standaard_sandbox() -> String {
    "default".to_string()
}

/// Settings of the push worker.
#[derive(Debug, Clone)]
pub struct PushConfig {
    /// DUO's client certificate (leaf + intermediate) with clientAuth EKU.
    pub client_cert: PathBuf,
    /// Its private key.
    pub client_key: PathBuf,
    /// Trust roots for the LAS's server certificate (PEM).
    pub roots: PathBuf,
    /// Durable retry state and callbacks (JSON).
    pub state_file: PathBuf,
    /// Retry timing.
    pub backoff: Backoff,
    /// How often outboxes are looked at when idle.
    pub poll: Duration,
    /// Limit for one POST (connect + answer).
    pub timeout: Duration,
    /// The OIN osp sends as (`wsa:From`): DUO's.
    pub duo_oin: String,
    /// Callbacks from the configuration file; admin API changes are kept in the state file.
    pub callbacks: Vec<Callback>,
}

impl PushConfig {
    /// Defaults for the dev PKI in `certs` (DUO's dev server certificate carries clientAuth) and a
    /// state file under `data`.
    pub fn dev(certs: &Path, data: &Path) -> PushConfig {
        PushConfig {
            client_cert: certs.join("server.pem"),
            client_key: certs.join("server.key"),
            roots: certs.join("root-ca.pem"),
            state_file: data.join("push-state.json"),
            backoff: Backoff::default(),
            poll: Duration::from_millis(500),
            timeout: Duration::from_secs(30),
            duo_oin: osp_model::contracts::DUO_OIN.to_string(),
            callbacks: Vec::new(),
        }
    }
}
