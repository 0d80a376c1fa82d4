//! Durable push state: the callbacks set through the admin API and, per administratie, the retry
//! state of the message at the head of its outbox. Written atomically (temp file, fsync, rename,
//! fsync of the directory) after every change, so a restart resumes the backoff where it was.
//! Delivered messages are not recorded here: they are acknowledged in the register's outbox.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Callback;

/// Retry state of the message an administratie is waiting for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poging {
    /// Sandbox of the outbox.
    pub sandbox: String,
    /// Outbox id of the message.
    pub bericht_id: u64,
    /// Failed attempts so far.
    pub pogingen: u32,
    /// First failure.
    pub eerste_fout: DateTime<Utc>,
    /// Not before this moment.
    pub volgende: DateTime<Utc>,
    /// Why the last attempt failed.
    pub laatste_fout: String,
}

/// Everything the push worker keeps across restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushState {
    /// Callbacks by administratie OIN.
    pub callbacks: BTreeMap<String, Callback>,
    /// Retry state by administratie OIN (absent = nothing failing).
    pub pogingen: BTreeMap<String, Poging>,
}

/// Reading or writing the state file failed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// I/O on the file or its directory.
    #[error("{pad}: {bron}")]
    Io {
        /// The file.
        pad: String,
        /// Cause.
        bron: std::io::Error,
    },
    /// The file is not valid state JSON.
    #[error("{pad}: onleesbare push-status: {melding}")]
    Json {
        /// The file.
        pad: String,
        /// Parser message.
        melding: String,
    },
}

fn io(pad: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
    move |bron| StateError::Io {
        pad: pad.display().to_string(),
        bron,
    }
}

impl PushState {
    /// Loads the state; a missing file is an empty state.
    pub fn load(pad: &Path) -> Result<PushState, StateError> {
        match std::fs::read(pad) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StateError::Json {
                pad: pad.display().to_string(),
                melding: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PushState::default()),
            Err(e) => Err(io(pad)(e)),
        }
    }

    /// Writes the state durably and atomically.
    pub fn save(&self, pad: &Path) -> Result<(), StateError> {
        let map = pad
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(map).map_err(io(map))?;
        let tmp = pad.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| StateError::Json {
            pad: pad.display().to_string(),
            melding: e.to_string(),
        })?;
        {
            let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(&bytes).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        std::fs::rename(&tmp, pad).map_err(io(pad))?;
        if let Ok(d) = std::fs::File::open(map) {
            d.sync_all().map_err(io(map))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_missing_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let pad = dir.path().join("sub/push-state.json");
        assert_eq!(PushState::load(&pad).unwrap(), PushState::default());
        let mut s = PushState::default();
        s.callbacks.insert(
            "0000000700099AA00000".into(),
            Callback {
                oin: "0000000700099AA00000".into(),
                url: "https://localhost:1/x".into(),
                sandbox: "default".into(),
            },
        );
        s.pogingen.insert(
            "0000000700099AA00000".into(),
            Poging {
                sandbox: "default".into(),
                bericht_id: 7,
                pogingen: 2,
                eerste_fout: Utc::now(),
                volgende: Utc::now(),
                laatste_fout: "HTTP 503".into(),
            },
        );
        s.save(&pad).unwrap();
        assert_eq!(PushState::load(&pad).unwrap(), s);
        std::fs::write(&pad, b"{").unwrap();
        assert!(matches!(
            PushState::load(&pad),
            Err(StateError::Json { .. })
        ));
    }
}
