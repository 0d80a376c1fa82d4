//! Push delivery of DUO→school messages (SPEC §7 (b)): for every administratie with a callback URL,
//! osp POSTs each outbox message, oldest first, as a SOAP 1.1 request with WS-Addressing and DUO's
//! client certificate, verifies the LAS's server certificate against configured roots, and retries
//! with exponential backoff and jitter until the LAS answers 2xx with a SOAP envelope that is not a
//! Fault. Delivered messages are acknowledged in the register's outbox (so they are never pushed
//! again and pull no longer returns them); the retry state (attempts, next attempt, last error) and
//! the callbacks live in a small JSON file written atomically, so a restart continues where it was.
//!
//! Use: [`Pusher::new`] with a [`PushConfig`], spawn [`Pusher::run`], and add [`PushAdmin`] to the
//! gateway's admin extensions (`GET /push`, `GET /push/metrics`, `PUT|DELETE /push/callbacks/{oin}`).

#![warn(missing_docs)]

pub mod admin;
pub mod backoff;
pub mod config;
pub mod envelope;
pub mod metrics;
pub mod state;
pub mod worker;

pub use admin::PushAdmin;
pub use backoff::Backoff;
pub use config::{Callback, PushConfig};
pub use metrics::PushMetrics;
pub use state::{Poging, PushState};
pub use worker::{PushError, PushStatus, Pusher};
