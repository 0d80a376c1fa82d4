//! The listeners and their lifecycle: mTLS accept loop with slot admission (see `slots`),
//! per-connection OIN, handshake deadline, keep-alive with header-read, idle and body-rate
//! timeouts, the in-flight body budget, the admin listener, and graceful shutdown that finishes
//! in-flight requests and flushes the register.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use osp_model::Contract;
use osp_register::Service;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::admin::{Admin, AdminExtension};
use crate::budget::Exceeded;
use crate::config::GatewayConfig;
use crate::fault::{Fault, FaultCode};
use crate::http::{plain, xml};
use crate::io::{Activity, BodyExpectation, Expiry, Timeouts, TrackedIo};
use crate::metrics::{Metrics, Shed};
use crate::pipeline::{self, PeerOin};
pub use crate::shared::SOAP_PREFIX;
use crate::shared::{stopped, Shared};
use crate::slots::{Refusal, Slot, SlotLimits, Slots};
use crate::validation::BodyValidator;
use crate::GatewayError;

/// Optional parts of a gateway beyond config and register.
#[derive(Default, Clone)]
pub struct Extras {
    /// Extra admin routes (register, outbox, inspector).
    pub admin_extensions: Vec<Arc<dyn AdminExtension>>,
}

/// Triggers graceful shutdown of a running gateway; cheap to clone (e.g. into a signal task).
#[derive(Clone, Debug)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Starts graceful shutdown: stop accepting, finish in-flight requests, flush, return.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

/// A started gateway: its bound addresses and the means to stop it.
pub struct RunningGateway {
    local_addr: SocketAddr,
    admin_addr: Option<SocketAddr>,
    shutdown: ShutdownHandle,
    metrics: Arc<Metrics>,
    task: tokio::task::JoinHandle<Result<(), GatewayError>>,
}

impl RunningGateway {
    /// Address of the SOAP (mTLS) listener, with the real port when 0 was configured.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Address of the admin listener, if enabled.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// Handle that triggers shutdown from elsewhere (signal handlers).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// The gateway's metrics (also served on `/metrics`).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Shuts down gracefully and waits until in-flight requests are done and the register is
    /// flushed.
    pub async fn shutdown(self) -> Result<(), GatewayError> {
        self.shutdown.trigger();
        self.wait().await
    }

    /// Waits until the gateway has stopped (after a [`ShutdownHandle::trigger`]).
    pub async fn wait(self) -> Result<(), GatewayError> {
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(GatewayError::Task(e.to_string())),
        }
    }
}

/// Entry point: binds the listeners and serves until shut down.
pub struct Gateway;

impl Gateway {
    /// Binds the SOAP and admin listeners and serves with osp-model's XSD validator.
    pub async fn start(
        config: GatewayConfig,
        service: Arc<dyn Service>,
    ) -> Result<RunningGateway, GatewayError> {
        Gateway::start_extended(config, service, Extras::default()).await
    }

    /// Like [`Gateway::start`], with extra admin routes.
    pub async fn start_extended(
        config: GatewayConfig,
        service: Arc<dyn Service>,
        extras: Extras,
    ) -> Result<RunningGateway, GatewayError> {
        let validator = crate::validation::ModelValidator::new()
            .map_err(|e| GatewayError::Schema(e.to_string()))?;
        Gateway::start_with(config, service, Arc::new(validator), extras).await
    }

    /// Binds the SOAP and admin listeners and starts serving with `validator` checking bodies.
    pub async fn start_with(
        config: GatewayConfig,
        service: Arc<dyn Service>,
        validator: Arc<dyn BodyValidator>,
        extras: Extras,
    ) -> Result<RunningGateway, GatewayError> {
        Gateway::start_inner(config, service, validator, extras, None).await
    }

    /// Benchmark baseline: the same TLS listener, connection handling and HTTP
    /// stack, but every SOAP POST body is read and answered with `response` — no envelope
    /// parsing, validation or register — so the transport's own limit can be measured.
    pub async fn start_echo(
        config: GatewayConfig,
        response: Bytes,
    ) -> Result<RunningGateway, GatewayError> {
        Gateway::start_inner(
            config,
            Arc::new(NoService),
            Arc::new(NoValidator),
            Extras::default(),
            Some(response),
        )
        .await
    }

    async fn start_inner(
        config: GatewayConfig,
        service: Arc<dyn Service>,
        validator: Arc<dyn BodyValidator>,
        extras: Extras,
        echo: Option<Bytes>,
    ) -> Result<RunningGateway, GatewayError> {
        let guard = crate::admin::access::Guard::new(
            config.admin.is_none_or(|a| a.ip().is_loopback()),
            config.admin_access.clone(),
        );
        if let Some(addr) = config.admin.filter(|_| guard.token_required_but_missing()) {
            return Err(GatewayError::AdminToken(addr));
        }
        let tls = crate::tls::server_config(&config.tls)?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| GatewayError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| GatewayError::Bind {
            addr: config.listen,
            source,
        })?;
        let admin_listener = match config.admin {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| GatewayError::Bind { addr, source })?,
            ),
            None => None,
        };
        let admin_addr = match &admin_listener {
            Some(l) => Some(l.local_addr().map_err(|source| GatewayError::Bind {
                addr: local_addr,
                source,
            })?),
            None => None,
        };
        let metrics = Arc::new(Metrics::default());
        let (tx, rx) = watch::channel(false);
        let shared = Arc::new(Shared::new(
            config,
            service,
            validator,
            metrics.clone(),
            echo,
        ));
        let admin = Arc::new(Admin {
            metrics: metrics.clone(),
            extensions: extras.admin_extensions,
            guard,
        });
        tracing::info!(%local_addr, admin = ?admin_addr, "gateway listening");
        let task = tokio::spawn(run(
            shared,
            listener,
            TlsAcceptor::from(tls),
            admin_listener,
            admin,
            rx,
        ));
        Ok(RunningGateway {
            local_addr,
            admin_addr,
            shutdown: ShutdownHandle(Arc::new(tx)),
            metrics,
            task,
        })
    }
}

async fn run(
    shared: Arc<Shared>,
    listener: TcpListener,
    acceptor: TlsAcceptor,
    admin_listener: Option<TcpListener>,
    admin: Arc<Admin>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), GatewayError> {
    let admin_task = admin_listener
        .map(|l| tokio::spawn(crate::admin::listener::serve(l, admin, shutdown.clone())));
    let limits = shared.config.limits;
    let slots = Slots::new(SlotLimits::from_limits(&limits));
    let mut conns = JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopped(&mut shutdown) => break,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let slot = match slots.admit(peer.ip()) {
            Ok((slot, displaced)) => {
                if displaced.handshake_evicted {
                    shared.metrics.shed(Shed::HandshakeEvicted);
                }
                if displaced.idle_reclaimed {
                    shared.metrics.shed(Shed::IdleReclaimed);
                }
                slot
            }
            Err(refusal) => {
                let why = match refusal {
                    Refusal::PerAddress => Shed::PerAddress,
                    Refusal::Full => Shed::Full,
                };
                shared.metrics.shed(why);
                tracing::debug!(%peer, reason = why.label(), "connection refused");
                drop(tcp);
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let shared = shared.clone();
        let acceptor = acceptor.clone();
        let rx = shutdown.clone();
        conns.spawn(serve_connection(shared, acceptor, tcp, peer, slot, rx));
    }
    drop(listener);
    shared.shutting_down.store(true, Ordering::Relaxed);
    tracing::info!(
        open = conns.len(),
        "gateway shutting down; finishing in-flight requests"
    );
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("shutdown grace period over; closing remaining connections");
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    }
    if let Some(t) = admin_task {
        let _ = t.await;
    }
    let service = shared.service.clone();
    let flushed = tokio::task::spawn_blocking(move || service.flush())
        .await
        .map_err(|e| GatewayError::Task(e.to_string()))?;
    flushed.map_err(GatewayError::Flush)?;
    tracing::info!("gateway stopped");
    Ok(())
}

async fn serve_connection(
    shared: Arc<Shared>,
    acceptor: TlsAcceptor,
    tcp: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    mut shutdown: watch::Receiver<bool>,
) {
    let limits = shared.config.limits;
    let handshake = tokio::select! {
        h = tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp)) => h,
        _ = slot.revoked() => {
            tracing::debug!(%peer, "unfinished TLS handshake dropped for a newcomer");
            return;
        }
    };
    let tls = match handshake {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            shared.metrics.handshake_failed();
            tracing::debug!(%peer, error = %e, "TLS handshake failed");
            return;
        }
        Err(_) => {
            shared.metrics.handshake_failed();
            shared.metrics.shed(Shed::HandshakeTimeout);
            tracing::debug!(%peer, "TLS handshake timed out");
            return;
        }
    };
    let activity = Arc::new(Mutex::new(Activity::new()));
    if !slot.established(activity.clone()) {
        tracing::debug!(%peer, "slot taken away during the TLS handshake");
        return;
    }
    let oin: PeerOin = match tls.get_ref().1.peer_certificates().and_then(|c| c.first()) {
        Some(cert) => osp_pki::oin_from_certificate(cert.as_ref()),
        None => Err(osp_pki::CertOinError::GeenCertificaat),
    };
    if let Err(e) = &oin {
        tracing::info!(%peer, error = %e, "client certificate without valid OIN");
    }
    let oin = Arc::new(oin);
    shared.metrics.connection_opened();
    let wake = Arc::new(tokio::sync::Notify::new());
    let io = TokioIo::new(TrackedIo::new(tls, activity.clone(), wake.clone()));
    let svc_shared = shared.clone();
    let svc_activity = activity.clone();
    let svc_wake = wake.clone();
    let svc = service_fn(move |req: Request<Incoming>| {
        let shared = svc_shared.clone();
        let oin = oin.clone();
        let activity = svc_activity.clone();
        Activity::begin(&activity, BodyExpectation::of(&req));
        // The body-rate deadline starts now: let the watchdog re-arm.
        svc_wake.notify_one();
        async move {
            let resp = route(shared, oin, req).await;
            Activity::end(&activity);
            Ok::<_, Infallible>(resp)
        }
    });
    let timeouts = Timeouts {
        header: limits.header_read_timeout,
        idle: limits.idle_timeout,
        min_body_rate: limits.min_body_rate,
        body_rate_grace: limits.body_rate_grace,
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(None);
    let conn = builder.serve_connection(io, svc);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        let deadline = if closing {
            None
        } else {
            Activity::deadline(&activity, &timeouts)
        };
        tokio::select! {
            res = conn.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(%peer, error = %e, "connection ended with error");
                }
                break;
            }
            _ = stopped(&mut shutdown), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = slot.revoked(), if !closing => {
                tracing::debug!(%peer, "idle connection reclaimed for a newcomer");
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = wake.notified(), if !closing => {}
            _ = sleep_until(deadline), if deadline.is_some() && !closing => {
                match Activity::expired(&activity, &timeouts) {
                    Some(Expiry::HeaderTimeout) => {
                        tracing::debug!(%peer, "request header not received in time; closing");
                        break;
                    }
                    Some(Expiry::SlowBody) => {
                        shared.metrics.shed(Shed::SlowBody);
                        tracing::info!(
                            %peer,
                            min_body_rate = limits.min_body_rate,
                            "request body arrives slower than the minimum body rate; closing"
                        );
                        break;
                    }
                    Some(Expiry::Idle) => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    None => {}
                }
            }
        }
    }
    shared.metrics.connection_closed();
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
        None => std::future::pending().await,
    }
}

async fn route(
    shared: Arc<Shared>,
    oin: Arc<PeerOin>,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let _reservation = if req.method() == Method::POST {
        let declared = BodyExpectation::of(&req);
        let declared = if declared.chunked {
            None
        } else {
            Some(declared.content_length.unwrap_or(0))
        };
        match shared
            .budget
            .reserve(declared, shared.config.limits.max_body_bytes)
        {
            Ok(r) => Some(r),
            Err(e) => return over_budget(&shared, e),
        }
    } else {
        None
    };
    if let (Some(fixed), &Method::POST) = (&shared.echo, req.method()) {
        return echo(&shared, fixed.clone(), req.into_body()).await;
    }
    let path = req.uri().path().to_string();
    let rest = path.strip_prefix(SOAP_PREFIX);
    match (req.method(), rest) {
        (&Method::POST, Some("" | "/")) => {
            let (parts, body) = req.into_parts();
            pipeline::soap(shared, oin, None, parts.headers, body).await
        }
        (&Method::POST, Some(r)) => {
            match Contract::from_name(r.trim_start_matches('/').trim_end_matches('/')) {
                Some(c) => {
                    let (parts, body) = req.into_parts();
                    pipeline::soap(shared, oin, Some(c), parts.headers, body).await
                }
                None => plain(StatusCode::NOT_FOUND, "onbekend contract\n"),
            }
        }
        (&Method::GET, _) => crate::documents::get(&req),
        _ => plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "alleen POST (SOAP) en GET (WSDL/XSD)\n",
        ),
    }
}

/// 503 + Server.DK0051: the body does not fit the in-flight body budget now; it is not read.
fn over_budget(shared: &Shared, e: Exceeded) -> Response<Full<Bytes>> {
    shared.metrics.shed(Shed::BodyBudget);
    let reason = match e {
        Exceeded::Connection => "het bericht is groter dan één verbinding tegelijk mag aanleveren",
        Exceeded::Global => {
            "osp ontvangt op dit moment te veel berichten tegelijk; probeer het later opnieuw"
        }
    };
    tracing::info!(reason, "request body refused: in-flight body budget");
    let fault = Fault::new(FaultCode::DK0051, reason);
    let mut r = xml(StatusCode::SERVICE_UNAVAILABLE, fault.to_envelope());
    r.headers_mut().insert(
        hyper::header::RETRY_AFTER,
        hyper::header::HeaderValue::from_static("1"),
    );
    r
}

/// Echo mode: reads the whole body (bounded like a SOAP request) and answers `fixed`.
async fn echo(shared: &Shared, fixed: Bytes, body: Incoming) -> Response<Full<Bytes>> {
    use http_body_util::{BodyExt, Limited};
    let started = Instant::now();
    if Limited::new(body, shared.config.limits.max_body_bytes)
        .collect()
        .await
        .is_err()
    {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "te groot\n");
    }
    shared.metrics.request("-", "echo", "", started.elapsed());
    xml(StatusCode::OK, fixed)
}

/// Register stand-in of echo mode: never asked to deliver (echo answers first).
struct NoService;

impl Service for NoService {
    fn deliver(
        &self,
        _: osp_register::Delivery<'_>,
    ) -> Result<osp_register::Reply, osp_register::ServiceError> {
        Err(osp_register::ServiceError::Onbeschikbaar(
            "echo-modus".into(),
        ))
    }
    fn mandated(&self, _: &str, _: &str, _: Contract) -> bool {
        false
    }
    fn flush(&self) -> Result<(), osp_register::ServiceError> {
        Ok(())
    }
}

/// Validator stand-in of echo mode (echo answers before validation).
struct NoValidator;

impl BodyValidator for NoValidator {
    fn validate(&self, _: Contract, _: &str) -> Result<(), Vec<crate::Locatie>> {
        Ok(())
    }
}
