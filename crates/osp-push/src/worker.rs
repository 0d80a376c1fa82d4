//! The push loop: per callback, the oldest unacknowledged outbox message is POSTed until the LAS
//! accepts it; then it is acknowledged in the outbox and the next one follows (order per
//! administratie is kept: a failing message holds back the later ones).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::Utc;
use osp_gateway::client;
use osp_register::berichten::Berichtsoort;
use osp_register::OutboxBericht;
use osp_register::Register;
use serde::Serialize;
use tokio::sync::{watch, Notify};

use crate::config::{Callback, PushConfig};
use crate::envelope::beoordeel_antwoord;
use crate::metrics::PushMetrics;
use crate::state::{Poging, PushState, StateError};

/// Most messages delivered to one administratie in one round before the others get their turn.
const PER_RONDE: usize = 100;

/// Why the push worker could not start or change its settings.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// DUO's client certificate, its key or the roots could not be used.
    #[error("push-certificaten: {0}")]
    Tls(String),
    /// The state file could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// A callback URL is not `https://host[:port]/path`.
    #[error("ongeldige callback-URL {0}")]
    Url(String),
}

/// What `GET /push` shows.
#[derive(Debug, Clone, Serialize)]
pub struct PushStatus {
    /// Configured callbacks.
    pub callbacks: Vec<Callback>,
    /// Administraties whose oldest message is failing, with the retry state.
    pub mislukt: Vec<(String, Poging)>,
    /// Messages delivered since start.
    pub afgeleverd: u64,
    /// Failed attempts since start.
    pub pogingen_mislukt: u64,
}

/// The push worker.
pub struct Pusher {
    register: Arc<Register>,
    config: PushConfig,
    tls: Arc<rustls::ClientConfig>,
    state: Mutex<PushState>,
    metrics: PushMetrics,
    wek: Notify,
}

impl std::fmt::Debug for Pusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pusher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

enum Uitkomst {
    Leeg,
    Afgeleverd,
    Mislukt,
    Wacht,
}

impl Pusher {
    /// Loads the TLS identity and the durable state; callbacks from the configuration override
    /// stored ones for the same OIN.
    pub fn new(register: Arc<Register>, config: PushConfig) -> Result<Arc<Pusher>, PushError> {
        let tls = client::client_config(&config.client_cert, &config.client_key, &config.roots)
            .map_err(|e| PushError::Tls(e.to_string()))?;
        let mut state = PushState::load(&config.state_file)?;
        for cb in &config.callbacks {
            client::parse_url(&cb.url).map_err(|_| PushError::Url(cb.url.clone()))?;
            state.callbacks.insert(cb.oin.clone(), cb.clone());
        }
        state.save(&config.state_file)?;
        Ok(Arc::new(Pusher {
            register,
            config,
            tls,
            state: Mutex::new(state),
            metrics: PushMetrics::default(),
            wek: Notify::new(),
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PushState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets (or replaces) the callback of an administratie, durably, and wakes the worker.
    pub fn set_callback(&self, cb: Callback) -> Result<(), PushError> {
        client::parse_url(&cb.url).map_err(|_| PushError::Url(cb.url.clone()))?;
        let mut s = self.state();
        s.callbacks.insert(cb.oin.clone(), cb);
        s.save(&self.config.state_file)?;
        drop(s);
        self.wek.notify_one();
        Ok(())
    }

    /// Removes an administratie's callback (its messages stay in the outbox for pull).
    pub fn remove_callback(&self, oin: &str) -> Result<bool, PushError> {
        let mut s = self.state();
        let weg = s.callbacks.remove(oin).is_some();
        s.pogingen.remove(oin);
        s.save(&self.config.state_file)?;
        Ok(weg)
    }

    /// Current callbacks, failures and counters.
    pub fn status(&self) -> PushStatus {
        let s = self.state();
        PushStatus {
            callbacks: s.callbacks.values().cloned().collect(),
            mislukt: s
                .pogingen
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            afgeleverd: self.metrics.aantal_afgeleverd(),
            pogingen_mislukt: self.metrics.aantal_mislukt(),
        }
    }

    /// Counters.
    pub fn metrics(&self) -> &PushMetrics {
        &self.metrics
    }

    /// Prometheus text of the counters.
    pub fn render_metrics(&self) -> String {
        let wachtend = self.state().pogingen.len();
        self.metrics.render(wachtend)
    }

    /// Wakes the worker (e.g. after new messages were produced).
    pub fn wek(&self) {
        self.wek.notify_one();
    }

    /// Runs rounds until `stop` turns true.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        tracing::info!(callbacks = self.state().callbacks.len(), "push gestart");
        loop {
            if *stop.borrow() {
                break;
            }
            self.ronde().await;
            tokio::select! {
                _ = stop.changed() => {},
                _ = self.wek.notified() => {},
                _ = tokio::time::sleep(self.config.poll) => {},
            }
        }
        tracing::info!("push gestopt");
    }

    /// One pass over every callback; returns the number of messages delivered.
    pub async fn ronde(&self) -> usize {
        let callbacks: Vec<Callback> = self.state().callbacks.values().cloned().collect();
        let mut afgeleverd = 0;
        for cb in callbacks {
            for _ in 0..PER_RONDE {
                match self.volgende(&cb).await {
                    Uitkomst::Afgeleverd => afgeleverd += 1,
                    Uitkomst::Leeg | Uitkomst::Mislukt | Uitkomst::Wacht => break,
                }
            }
        }
        afgeleverd
    }

    /// Tries the oldest unacknowledged message of one administratie.
    async fn volgende(&self, cb: &Callback) -> Uitkomst {
        let nu = Utc::now();
        if self
            .state()
            .pogingen
            .get(&cb.oin)
            .is_some_and(|p| p.sandbox == cb.sandbox && p.volgende > nu)
        {
            return Uitkomst::Wacht;
        }
        let bericht = match self.register.outbox_read(&cb.sandbox, &cb.oin, 0, 1) {
            Ok(mut v) if !v.is_empty() => v.remove(0),
            Ok(_) => {
                self.wis_poging(&cb.oin);
                return Uitkomst::Leeg;
            }
            Err(e) => {
                tracing::warn!(oin = %cb.oin, fout = %e, "outbox onleesbaar");
                return Uitkomst::Wacht;
            }
        };
        match self.stuur(cb, &bericht).await {
            Ok(()) => {
                if let Err(e) = self
                    .register
                    .outbox_ack(&cb.sandbox, &cb.oin, &[bericht.id])
                {
                    tracing::warn!(oin = %cb.oin, fout = %e, "bevestigen in outbox mislukt");
                    return Uitkomst::Wacht;
                }
                self.metrics.afgeleverd();
                self.wis_poging(&cb.oin);
                tracing::info!(oin = %cb.oin, bericht = bericht.id, soort = %bericht.soort, "bericht afgeleverd");
                Uitkomst::Afgeleverd
            }
            Err(fout) => {
                self.metrics.mislukt();
                self.noteer_fout(cb, &bericht, fout);
                Uitkomst::Mislukt
            }
        }
    }

    async fn stuur(&self, cb: &Callback, b: &OutboxBericht) -> Result<(), String> {
        let action = Berichtsoort::uit_naam(&b.soort)
            .map(Berichtsoort::action)
            .ok_or_else(|| format!("onbekende berichtsoort {}", b.soort))?;
        let env = osp_gateway::envelope::request(
            &b.inhoud,
            &action,
            &self.config.duo_oin,
            &cb.oin,
            &uuid::Uuid::new_v4().to_string(),
        );
        let post = client::post_envelope(&cb.url, self.tls.clone(), Some(&action), env);
        let antwoord = tokio::time::timeout(self.config.timeout, post)
            .await
            .map_err(|_| format!("geen antwoord binnen {:?}", self.config.timeout))?
            .map_err(|e| e.to_string())?;
        beoordeel_antwoord(antwoord.status, &antwoord.body).map_err(|e| e.to_string())
    }

    fn wis_poging(&self, oin: &str) {
        let mut s = self.state();
        if s.pogingen.remove(oin).is_some() {
            if let Err(e) = s.save(&self.config.state_file) {
                tracing::warn!(fout = %e, "push-status niet opgeslagen");
            }
        }
    }

    fn noteer_fout(&self, cb: &Callback, b: &OutboxBericht, fout: String) {
        let nu = Utc::now();
        let mut s = self.state();
        let vorige = s
            .pogingen
            .get(&cb.oin)
            .filter(|p| p.bericht_id == b.id && p.sandbox == cb.sandbox)
            .cloned();
        let pogingen = vorige.as_ref().map_or(0, |p| p.pogingen).saturating_add(1);
        let wacht = self.config.backoff.wacht_willekeurig(pogingen);
        let volgende = nu + chrono::Duration::from_std(wacht).unwrap_or(chrono::Duration::MAX);
        tracing::warn!(oin = %cb.oin, bericht = b.id, pogingen, wacht_ms = wacht.as_millis() as u64, %fout, "push mislukt");
        s.pogingen.insert(
            cb.oin.clone(),
            Poging {
                sandbox: cb.sandbox.clone(),
                bericht_id: b.id,
                pogingen,
                eerste_fout: vorige.map_or(nu, |p| p.eerste_fout),
                volgende,
                laatste_fout: fout,
            },
        );
        if let Err(e) = s.save(&self.config.state_file) {
            tracing::warn!(fout = %e, "push-status niet opgeslagen");
        }
    }

    /// Time until the earliest retry is due (`None`: nothing failing); for tests and tools.
    pub fn volgende_poging_over(&self) -> Option<Duration> {
        let nu = Utc::now();
        self.state()
            .pogingen
            .values()
            .map(|p| (p.volgende - nu).to_std().unwrap_or(Duration::ZERO))
            .min()
    }
}
