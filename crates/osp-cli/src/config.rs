//! `osp serve` configuration: embedded defaults < `osp.toml` < `OSP_…` environment < flags.
//! Every key of the file has a flag and an environment variable of the same name.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Errors a user can fix from the message alone.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file named with `--config` (or `OSP_CONFIG`) is missing or unreadable.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML for osp.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Parser message with line and column.
        message: String,
    },
    /// A value has the wrong form.
    #[error("invalid value for {key}: {value:?} ({why})")]
    Value {
        /// Config key.
        key: &'static str,
        /// The value given.
        value: String,
        /// What was expected.
        why: &'static str,
    },
}

/// Contents of `osp.toml`; every field optional so a partial file overrides only what it names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// SOAP listener address.
    pub listen: Option<String>,
    /// Admin listener address.
    pub admin_listen: Option<String>,
    /// Data directory (sled).
    pub data: Option<PathBuf>,
    /// Dev PKI directory.
    pub certs: Option<PathBuf>,
    /// Reference data directory.
    pub reference: Option<PathBuf>,
    /// Pinned register date `YYYY-MM-DD`.
    pub today: Option<String>,
    /// Log format: `human` or `json`.
    pub log_format: Option<String>,
    /// Certificate OIN → sandbox name (SPEC §2 routing); others use `default`.
    #[serde(default)]
    pub sandboxes: BTreeMap<String, String>,
    /// Transport limits.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Terugkoppeling delivery.
    #[serde(default)]
    pub terugkoppeling: TerugkoppelingConfig,
    /// Push delivery of DUO→school messages (SPEC §7 (b)).
    #[serde(default)]
    pub push: PushFileConfig,
    /// Storage of the register.
    #[serde(default)]
    pub opslag: OpslagConfig,
    /// Access to the admin listener (SPEC §13).
    #[serde(default)]
    pub admin: AdminConfig,
}

/// `[admin]` of `osp.toml`: who may use the admin listener.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Bearer token for every route but `/healthz`. Without one, a listener off loopback uses
    /// (or creates) `data/admin-token`; on loopback none is needed.
    pub token: Option<String>,
    /// Host names the admin listener answers to besides `localhost`, `127.0.0.1` and `[::1]`.
    #[serde(default)]
    pub hosts: Vec<String>,
}

/// `[opslag]` of `osp.toml`: how the register is stored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpslagConfig {
    /// Also compress sled's log of a new data dir (default false): less disk per stand, ≈25% less
    /// throughput. An existing data dir keeps the setting it was created with.
    pub compressie: Option<bool>,
}

/// `[push]` of `osp.toml`: callbacks per administratie and the LAS trust roots.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushFileConfig {
    /// PEM file with the roots LAS server certificates must chain to (default: the dev root).
    pub roots: Option<PathBuf>,
    /// First retry wait in milliseconds (default 1000); doubles per failure, with jitter.
    pub backoff_basis_ms: Option<u64>,
    /// Longest retry wait in seconds (default 900).
    pub backoff_max_secs: Option<u64>,
    /// `[[push.callbacks]]`: `oin`, `url` (https), optional `sandbox` (default `default`).
    #[serde(default)]
    pub callbacks: Vec<osp_push::Callback>,
}

/// `[limits]` of `osp.toml` (SPEC §1).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest accepted request body in bytes (default 4 MiB).
    pub max_body_bytes: Option<usize>,
    /// Seconds allowed to read request headers (default 10).
    pub header_timeout_secs: Option<u64>,
    /// Seconds an idle keep-alive connection is kept (default 60).
    pub idle_timeout_secs: Option<u64>,
    /// Concurrent connections accepted (default 1024).
    pub max_connections: Option<usize>,
    /// Seconds allowed for the TLS handshake (default 3).
    pub handshake_timeout_secs: Option<u64>,
    /// Of `max_connections`, how many may be in the TLS handshake at once (default 256); the
    /// rest is reserved for clients that showed a certificate.
    pub max_handshakes: Option<usize>,
    /// Connections one source address may hold (default 256, 0 = no limit).
    pub max_connections_per_address: Option<usize>,
    /// Milliseconds without a request before a keep-alive connection may be reclaimed for a
    /// newcomer when all slots are taken (default 1000).
    pub reclaim_idle_after_ms: Option<u64>,
    /// Request-body bytes all connections may hold at once (default 128 MiB); beyond: 503.
    pub max_inflight_body_bytes: Option<usize>,
    /// Request-body bytes one connection may hold at once (default 4 MiB); beyond: 503.
    pub max_connection_body_bytes: Option<usize>,
    /// Slowest accepted body upload in bytes per second after the grace period (default 4096,
    /// 0 = none).
    pub min_body_rate: Option<u64>,
    /// Seconds a body may take before `min_body_rate` applies (default 5).
    pub body_rate_grace_secs: Option<u64>,
}

impl LimitsConfig {
    /// `self` with every value `over` sets taking precedence.
    fn overlay(self, over: LimitsConfig) -> LimitsConfig {
        LimitsConfig {
            max_body_bytes: over.max_body_bytes.or(self.max_body_bytes),
            header_timeout_secs: over.header_timeout_secs.or(self.header_timeout_secs),
            idle_timeout_secs: over.idle_timeout_secs.or(self.idle_timeout_secs),
            max_connections: over.max_connections.or(self.max_connections),
            handshake_timeout_secs: over.handshake_timeout_secs.or(self.handshake_timeout_secs),
            max_handshakes: over.max_handshakes.or(self.max_handshakes),
            max_connections_per_address: over
                .max_connections_per_address
                .or(self.max_connections_per_address),
            reclaim_idle_after_ms: over.reclaim_idle_after_ms.or(self.reclaim_idle_after_ms),
            max_inflight_body_bytes: over
                .max_inflight_body_bytes
                .or(self.max_inflight_body_bytes),
            max_connection_body_bytes: over
                .max_connection_body_bytes
                .or(self.max_connection_body_bytes),
            min_body_rate: over.min_body_rate.or(self.min_body_rate),
            body_rate_grace_secs: over.body_rate_grace_secs.or(self.body_rate_grace_secs),
        }
    }
}

/// `[terugkoppeling]` of `osp.toml` (SPEC §5, §7).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerugkoppelingConfig {
    /// `sync` (default), `async` or `both`.
    pub mode: Option<String>,
}

impl FileConfig {
    /// `self` with every value `over` sets taking precedence (flags and environment over file).
    pub fn overlay(self, over: FileConfig) -> FileConfig {
        let mut sandboxes = self.sandboxes;
        sandboxes.extend(over.sandboxes);
        FileConfig {
            listen: over.listen.or(self.listen),
            admin_listen: over.admin_listen.or(self.admin_listen),
            data: over.data.or(self.data),
            certs: over.certs.or(self.certs),
            reference: over.reference.or(self.reference),
            today: over.today.or(self.today),
            log_format: over.log_format.or(self.log_format),
            sandboxes,
            limits: self.limits.overlay(over.limits),
            terugkoppeling: TerugkoppelingConfig {
                mode: over.terugkoppeling.mode.or(self.terugkoppeling.mode),
            },
            // Push is configured in the file (or the admin API) only; flags never set it.
            push: self.push,
            // Storage is a property of the data dir: configured in the file only.
            opslag: self.opslag,
            admin: AdminConfig {
                token: over.admin.token.or(self.admin.token),
                hosts: if over.admin.hosts.is_empty() {
                    self.admin.hosts
                } else {
                    over.admin.hosts
                },
            },
        }
    }

    /// Reads `path`; a missing default `osp.toml` is not an error, a missing named file is.
    pub fn load(path: &Path, must_exist: bool) -> Result<FileConfig, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if !must_exist && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileConfig::default())
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
}

/// Parses a socket address with a message naming the key.
pub fn parse_addr(key: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| ConfigError::Value {
        key,
        value: value.to_string(),
        why: "expected HOST:PORT, e.g. 127.0.0.1:8443",
    })
}

/// Parses a `YYYY-MM-DD` date with a message naming the key.
pub fn parse_date(key: &'static str, value: &str) -> Result<chrono::NaiveDate, ConfigError> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| ConfigError::Value {
        key,
        value: value.to_string(),
        why: "expected a date YYYY-MM-DD",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_file_and_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("osp.toml");
        std::fs::write(&p, "listen = \"127.0.0.1:9443\"\n[sandboxes]\n\"00000003123456780000\" = \"vendor\"\n[limits]\nmax_body_bytes = 1024\n").unwrap();
        let c = FileConfig::load(&p, true).unwrap();
        assert_eq!(c.listen.as_deref(), Some("127.0.0.1:9443"));
        assert_eq!(
            c.sandboxes.get("00000003123456780000").map(String::as_str),
            Some("vendor")
        );
        assert_eq!(c.limits.max_body_bytes, Some(1024));
        assert_eq!(c.opslag.compressie, None);
        std::fs::write(
            &p,
            "[limits]\nhandshake_timeout_secs = 2\nmax_connections_per_address = 0\nmin_body_rate = 100\n",
        )
        .unwrap();
        let c = FileConfig::load(&p, true).unwrap();
        assert_eq!(c.limits.handshake_timeout_secs, Some(2));
        assert_eq!(c.limits.max_connections_per_address, Some(0));
        assert_eq!(c.limits.min_body_rate, Some(100));
        assert_eq!(c.limits.max_handshakes, None);
        std::fs::write(&p, "[opslag]\ncompressie = true\n").unwrap();
        let c = FileConfig::load(&p, true).unwrap();
        assert_eq!(
            c.overlay(FileConfig::default()).opslag.compressie,
            Some(true)
        );
        std::fs::write(&p, "[opslag]\ncompresie = true\n").unwrap();
        assert!(FileConfig::load(&p, true).is_err());
        std::fs::write(&p, "lisen = 1\n").unwrap();
        let e = FileConfig::load(&p, true).unwrap_err().to_string();
        assert!(e.contains("lisen"), "{e}");
        assert!(FileConfig::load(&dir.path().join("absent.toml"), false).is_ok());
        assert!(FileConfig::load(&dir.path().join("absent.toml"), true).is_err());
    }

    #[test]
    fn flags_override_file_values_they_set() {
        let file = FileConfig {
            listen: Some("a".into()),
            data: Some("d".into()),
            ..FileConfig::default()
        };
        let flags = FileConfig {
            listen: Some("b".into()),
            ..FileConfig::default()
        };
        let merged = file.overlay(flags);
        assert_eq!(merged.listen.as_deref(), Some("b"));
        assert_eq!(merged.data.as_deref(), Some(Path::new("d")));
    }

    #[test]
    fn values_are_checked() {
        assert!(parse_addr("listen", "nope").is_err());
        assert!(parse_date("today", "2025-13-01").is_err());
        assert_eq!(
            parse_date("today", "2025-10-01").unwrap().to_string(),
            "2025-10-01"
        );
    }
}
