//! The router, request logging, the connection loop, and the ways to run
//! the service: [`run`] for `truce serve`, [`start_in_process`] for the demo
//! and tests.
//!
//! [`serve`] accepts connections itself (hyper's HTTP/1.1 server under
//! hyper-util, not `axum::serve`) so that it can be fair to every client
//! under attack (SAFETY.md has the figures):
//!
//! - a client has [`HEADER_READ_TIMEOUT`] to send a request's line and
//!   headers, and a keep-alive connection idle that long is closed; under
//!   pressure (three quarters of [`MAX_CONNECTIONS`] open) new connections
//!   get [`PRESSURED_HEADER_READ_TIMEOUT`] and requests
//!   [`PRESSURED_REQUEST_DEADLINE`] instead of [`REQUEST_DEADLINE`];
//! - at most [`MAX_CONNECTIONS`] are open, at most
//!   [`MAX_CONNECTIONS_PER_PEER`] from one peer (an IPv4 address, an IPv6
//!   /64). A new connection beyond either cap closes the connection of that
//!   scope that has been idle longest (no request in flight: keep-alive
//!   connections between requests, and clients still sending headers);
//!   only when every one is busy is the newcomer refused with a `503`;
//! - a connection serves at most [`MAX_REQUESTS_PER_CONNECTION`] requests
//!   and lives at most [`MAX_CONNECTION_LIFETIME`], then closes once its
//!   request in flight is answered;
//! - a request body is read only once its sender is authenticated (the
//!   admin token for `POST /deals` when the service has one, a party's token
//!   for appends), a declared `Content-Length` over the route's limit is
//!   answered `413` at once, and bodies in memory share a budget per route
//!   ([`BODY_BUDGET`]): beyond it, `503` with `Retry-After`;
//! - shutdown (SIGTERM, SIGINT, [`ServerHandle::shutdown`]) stops accepting,
//!   closes idle connections and lets the requests in flight finish.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::bearer;
use crate::error::AppError;
use crate::handlers::{self, MAX_DEAL_BODY, MAX_EVENT_BODY};
use crate::state::AppState;

/// How `truce serve` runs the service.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `sqlite://PATH` / a file path (created if missing), or
    /// `postgres://…`.
    pub database_url: String,
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// When set, `POST /api/v1/deals` requires `Authorization: Bearer
    /// <admin_token>`; otherwise anyone who can reach the service may create
    /// a deal (and receives only that deal's tokens), which [`run`] allows
    /// only on a loopback address.
    pub admin_token: Option<String>,
    /// The key that signs receipts' checkpoints; `None`: a fresh one for
    /// this run only.
    pub service_key: Option<truce_ledger::ServiceKey>,
    /// Serve HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Seal rosters (the deal JSON) and person keys at rest with these
    /// keys ([`truce_store::SealKeys`]).
    pub at_rest: Option<truce_store::SealKeys>,
    /// How connections are treated (caps, timeouts): [`Limits::default`]
    /// unless the operator sets its own (behind a proxy every client is
    /// one peer).
    pub limits: Limits,
}

/// A certificate chain and its private key, as PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The PEM certificate chain, the server's certificate first.
    pub cert: std::path::PathBuf,
    /// The PEM private key of the server's certificate (PKCS#8, PKCS#1 or
    /// SEC1).
    pub key: std::path::PathBuf,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            database_url: "truce.db".to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_token: None,
            service_key: None,
            tls: None,
            at_rest: None,
            limits: Limits::default(),
        }
    }
}

/// The service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database could not be opened or migrated.
    #[error("failed to open the database: {0}")]
    Store(#[from] truce_store::StoreError),
    /// The listening socket could not be set up (e.g. the address is in use).
    #[error("failed to listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error(
        "connection caps of {total} in all and {per_peer} per peer: both must be at least 1, and the cap per peer no larger than the total"
    )]
    /// The connection caps are inconsistent.
    Limits {
        /// The cap on connections in all.
        total: usize,
        /// The cap on connections per peer address.
        per_peer: usize,
    },
    /// The certificate or key could not be read or used.
    #[error("failed to set up TLS: {0}")]
    Tls(String),
    /// Listening beyond loopback without an admin token: anyone who could
    /// reach the service could create deals, and learn from `409` which
    /// deal ids exist.
    #[error(
        "refusing to serve on {0} without an admin token: anyone who reaches it could create deals and learn which deal ids exist; set one (truce serve reads TRUCE_ADMIN_TOKEN), or listen on a loopback address"
    )]
    OpenCreation(SocketAddr),
}

/// Bodies of routes without their own limit (the GETs, unknown routes).
const SMALL_BODY: usize = 64 * 1024;

/// Request bodies of one route held in memory at once, at most: the
/// budget of `POST /deals` and, separately, that of appends, so that
/// unauthenticated deal uploads (when the service has no admin token)
/// never starve the parties' appends.
pub const BODY_BUDGET: usize = 64 * 1024 * 1024;

/// How long a request waits for room in its route's [`BODY_BUDGET`]
/// before it is answered `503` with `Retry-After`.
const BUDGET_WAIT: Duration = Duration::from_secs(1);

/// The whole HTTP API over `state`, ready for [`serve`] or, in tests,
/// `tower::ServiceExt::oneshot`.
pub fn app(state: AppState) -> Router {
    state.follow_other_servers();
    let api = Router::new()
        .route("/health", get(handlers::health))
        .route(
            "/deals",
            post(handlers::create_deal).layer(DefaultBodyLimit::max(MAX_DEAL_BODY)),
        )
        .route("/deals/{deal}", get(handlers::get_deal))
        .route("/deals/{deal}/state", get(handlers::get_state))
        .route("/deals/{deal}/checkpoint", get(handlers::checkpoint))
        .route("/service-key", get(handlers::service_key))
        .route(
            "/deals/{deal}/plans",
            post(handlers::post_plan).layer(DefaultBodyLimit::max(MAX_DEAL_BODY)),
        )
        .route("/deals/{deal}/plans/{plan}", get(handlers::get_plan))
        .route(
            "/deals/{deal}/amendments",
            post(handlers::post_amendment).layer(DefaultBodyLimit::max(MAX_DEAL_BODY)),
        )
        .route(
            "/deals/{deal}/events",
            post(handlers::append_event)
                .layer(DefaultBodyLimit::max(MAX_EVENT_BODY))
                .get(handlers::list_events),
        )
        .route("/deals/{deal}/ledger.jsonl", get(handlers::export_ledger))
        .route(
            "/deals/{deal}/texts",
            get(crate::texts::list_texts).post(crate::texts::post_text),
        )
        .route("/deals/{deal}/texts/next", post(crate::texts::next_text))
        .route(
            "/deals/{deal}/texts/{round}/votes",
            post(crate::texts::post_vote),
        )
        .route(
            "/deals/{deal}/texts/{round}/withdraw",
            post(crate::texts::withdraw_text),
        );
    let metrics = Arc::new(Metrics::default());
    let guard = BodyGuard {
        state: state.clone(),
        deals: Arc::new(Semaphore::new(BODY_BUDGET)),
        events: Arc::new(Semaphore::new(BODY_BUDGET)),
    };
    Router::new()
        .nest("/api/v1", api)
        .merge(SwaggerUi::new("/api/v1/explorer").url("/api/v1/openapi.json", crate::openapi()))
        .route("/metrics", get(metrics_text))
        .merge(crate::room::router())
        .fallback(|| async { AppError::not_found() })
        .method_not_allowed_fallback(|| async { AppError::method_not_allowed() })
        // Bodies of routes without their own limit (GETs) stay small.
        .layer(DefaultBodyLimit::max(SMALL_BODY))
        .layer(middleware::from_fn_with_state(guard, guard_body))
        .layer(middleware::from_fn(problem_bodies))
        // gzip or brotli as the client accepts, for answers over 32 bytes;
        // tower-http's default predicate never compresses
        // `text/event-stream` (the room's live updates must reach the
        // browser event by event, not when a compressor's buffer fills),
        // images or gRPC. Headers (the CSP among them) pass unchanged.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(middleware::from_fn(deadline))
        .layer(middleware::from_fn_with_state(metrics.clone(), log_request))
        .layer(axum::Extension(metrics))
        .with_state(state)
}

/// What [`guard_body`] needs: the state (tokens) and the two budgets.
#[derive(Debug, Clone)]
struct BodyGuard {
    state: AppState,
    deals: Arc<Semaphore>,
    events: Arc<Semaphore>,
}

/// The routes that read a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyRoute {
    CreateDeal,
    Append,
    Other,
}

fn body_route(method: &Method, path: Option<&str>) -> BodyRoute {
    match (method, path) {
        (&Method::POST, Some("/api/v1/deals")) => BodyRoute::CreateDeal,
        (&Method::POST, Some("/api/v1/deals/{deal}/events")) => BodyRoute::Append,
        _ => BodyRoute::Other,
    }
}

/// Before a byte of a body is read: `413` if the declared length is over
/// the route's limit, `401` if the sender is not who the route needs, and
/// room in the route's [`BODY_BUDGET`] (the declared length, or the whole
/// limit for a chunked body), else `503` with `Retry-After`. The handlers
/// check the token again (from the cache); this is the gate that keeps an
/// unauthenticated or oversized body off the heap.
async fn guard_body(State(guard): State<BodyGuard>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    if declared.unwrap_or(0) == 0 && !chunked {
        return next.run(request).await;
    }
    let route = body_route(
        request.method(),
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let (limit, budget) = match route {
        BodyRoute::CreateDeal => (MAX_DEAL_BODY, Some(&guard.deals)),
        BodyRoute::Append => (MAX_EVENT_BODY, Some(&guard.events)),
        BodyRoute::Other => (SMALL_BODY, None),
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return AppError::too_large(limit).into_response();
    }
    let Some(budget) = budget else {
        // No handler reads these bodies beyond the small limit.
        return next.run(request).await;
    };
    if let Err(e) = authenticate(&guard.state, route, request.headers()).await {
        return e.into_response();
    }
    let need = declared.map_or(limit, |n| usize::try_from(n).unwrap_or(limit));
    let Some(permit) = reserve(budget, need).await else {
        return busy("the service holds as many request bodies as it may; retry in a second");
    };
    let response = next.run(request).await;
    drop(permit);
    response
}

/// The sender a body route needs: the admin token for `POST /deals` when
/// the service has one, any party's token for appends (the handler then
/// checks the deal and the author).
async fn authenticate(
    state: &AppState,
    route: BodyRoute,
    headers: &axum::http::HeaderMap,
) -> Result<(), AppError> {
    match route {
        BodyRoute::CreateDeal => match &state.inner.admin_token {
            None => Ok(()),
            Some(admin) => {
                // Compare hashes, not the tokens, so timing says nothing.
                let given = bearer(headers).map(truce_store::token_hash);
                if given.as_deref() == Some(truce_store::token_hash(admin).as_str()) {
                    Ok(())
                } else {
                    Err(AppError::unauthorized())
                }
            }
        },
        BodyRoute::Append => {
            let token = bearer(headers).ok_or_else(AppError::unauthorized)?;
            match state.caller(token).await? {
                Some(_) => Ok(()),
                None => Err(AppError::unauthorized()),
            }
        }
        BodyRoute::Other => Ok(()),
    }
}

/// `need` bytes of `budget`, waiting at most [`BUDGET_WAIT`].
async fn reserve(budget: &Arc<Semaphore>, need: usize) -> Option<OwnedSemaphorePermit> {
    let need = u32::try_from(need).ok()?;
    tokio::time::timeout(BUDGET_WAIT, budget.clone().acquire_many_owned(need))
        .await
        .ok()?
        .ok()
}

/// `503` with `Retry-After: 1`: the service is busy, nothing was done.
fn busy(detail: &'static str) -> Response {
    // Every 503 carries `Retry-After` (`AppError::into_response`).
    AppError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", detail).into_response()
}

/// Every error answer as `application/problem+json`, including those of
/// the framework and the explorer's routes (a path that is no file of the
/// explorer, a query axum could not parse): the body is rebuilt from the
/// status alone, so it never quotes the request.
async fn problem_bodies(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .starts_with(crate::error::PROBLEM_JSON.as_bytes())
        });
    if problem {
        return response;
    }
    let kind = match status.as_u16() {
        400 => "bad-request",
        401 => "unauthorized",
        404 => "not-found",
        405 => "method-not-allowed",
        408 => "request-timeout",
        413 => "body-too-large",
        415 => "unsupported-media-type",
        422 => "unprocessable",
        _ if status.is_server_error() => "internal",
        _ => "refused",
    };
    let mut rebuilt = AppError::new(
        status,
        kind,
        "the request was refused as this status says; the API is described at /api/v1/openapi.json",
    )
    .into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = response.headers().get(&name) {
            rebuilt.headers_mut().insert(name, value.clone());
        }
    }
    rebuilt
}

/// How long a request may take, once its headers are in (those have
/// [`HEADER_READ_TIMEOUT`]), to arrive and be answered: a client that
/// drips its body cannot hold a handler (and, for appends, a deal's lock
/// waiting on it) for ever. An append already verified runs on in its own
/// task and is committed or not as usual; the client reads `/state`.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// The request deadline while the service is under pressure (three
/// quarters of its connections open): a stalled body lets go of its
/// connection and its share of the body budget six times sooner.
pub const PRESSURED_REQUEST_DEADLINE: Duration = Duration::from_secs(5);

/// The request's deadline, checked every 250 ms against the service's
/// pressure at that moment: a request that began in calm times is cut at
/// [`PRESSURED_REQUEST_DEADLINE`] if an attack starts while it drips.
async fn deadline(request: Request, next: Next) -> Response {
    let load = request.extensions().get::<Load>().cloned();
    let start = Instant::now();
    let mut run = std::pin::pin!(next.run(request));
    loop {
        let limit = match &load {
            Some(load) if load.pressured() => PRESSURED_REQUEST_DEADLINE,
            _ => REQUEST_DEADLINE,
        };
        let left = limit.saturating_sub(start.elapsed());
        if left.is_zero() {
            return AppError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request-timeout",
                "the request took longer than the service's deadline to arrive and be answered \
                 (30 s, 5 s while the service is under load); if it was an event, read /state \
                 before sending it again",
            )
            .into_response();
        }
        tokio::select! {
            response = &mut run => return response,
            () = tokio::time::sleep(left.min(Duration::from_millis(250))) => {}
        }
    }
}

/// Upper bounds (seconds) of the request latency histogram.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// What `GET /metrics` reports: counters since start, by route template
/// and status, refusals by problem kind, and the latency histogram.
#[derive(Debug, Default)]
struct Metrics {
    requests: Mutex<std::collections::BTreeMap<(String, String, u16), u64>>,
    refusals: Mutex<std::collections::BTreeMap<&'static str, u64>>,
    /// Per bucket of [`LATENCY_BUCKETS`], then `+Inf`.
    latency: [AtomicU64Slot; 13],
    latency_sum_us: std::sync::atomic::AtomicU64,
}

type AtomicU64Slot = std::sync::atomic::AtomicU64;

impl Metrics {
    fn record(
        &self,
        method: &str,
        route: &str,
        status: u16,
        kind: Option<&'static str>,
        elapsed: Duration,
    ) {
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((method.to_owned(), route.to_owned(), status))
            .or_insert(0) += 1;
        if let Some(kind) = kind {
            *self
                .refusals
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(kind)
                .or_insert(0) += 1;
        }
        let seconds = elapsed.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|le| seconds <= *le)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The Prometheus text exposition (version 0.0.4).
    fn render(&self, queue_depth: usize, connections: Option<usize>) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let _ = writeln!(
            out,
            "# HELP truce_requests_total Requests answered, by method, route template and status."
        );
        let _ = writeln!(out, "# TYPE truce_requests_total counter");
        let mut appended = 0;
        for ((method, route, status), n) in &requests {
            let _ = writeln!(
                out,
                "truce_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
            if method == "POST" && route == "/api/v1/deals/{deal}/events" && *status == 201 {
                appended += n;
            }
        }
        let _ = writeln!(
            out,
            "# HELP truce_events_appended_total Events stored durably (201 on POST /api/v1/deals/{{deal}}/events)."
        );
        let _ = writeln!(out, "# TYPE truce_events_appended_total counter");
        let _ = writeln!(out, "truce_events_appended_total {appended}");
        let _ = writeln!(
            out,
            "# HELP truce_refusals_total Error answers, by problem kind."
        );
        let _ = writeln!(out, "# TYPE truce_refusals_total counter");
        for (kind, n) in self
            .refusals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(out, "truce_refusals_total{{kind=\"{kind}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP truce_request_duration_seconds Time from a request's headers to its answer."
        );
        let _ = writeln!(out, "# TYPE truce_request_duration_seconds histogram");
        let mut cumulative = 0;
        for (i, slot) in self.latency.iter().enumerate() {
            cumulative += slot.load(Ordering::Relaxed);
            let le = LATENCY_BUCKETS
                .get(i)
                .map_or("+Inf".to_owned(), f64::to_string);
            let _ = writeln!(
                out,
                "truce_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "truce_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "truce_request_duration_seconds_count {cumulative}");
        let _ = writeln!(
            out,
            "# HELP truce_append_queue_depth Appends waiting for the store's writer."
        );
        let _ = writeln!(out, "# TYPE truce_append_queue_depth gauge");
        let _ = writeln!(out, "truce_append_queue_depth {queue_depth}");
        if let Some(open) = connections {
            let _ = writeln!(out, "# HELP truce_connections_open Connections open now.");
            let _ = writeln!(out, "# TYPE truce_connections_open gauge");
            let _ = writeln!(out, "truce_connections_open {open}");
        }
        out
    }
}

/// `GET /metrics`: Prometheus text. With an admin token configured, only
/// for it (`Authorization: Bearer`); counts only, never a deal or person.
async fn metrics_text(
    State(state): State<AppState>,
    axum::Extension(metrics): axum::Extension<Arc<Metrics>>,
    load: Option<axum::Extension<Load>>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Err(e) = authenticate(&state, BodyRoute::CreateDeal, &headers).await {
        return e.into_response();
    }
    let connections = load.map(|axum::Extension(Load(c))| c.open.load(Ordering::Relaxed));
    let mut response = metrics
        .render(state.store().queue_depth(), connections)
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// One line per request: method, route template, status, latency. Never
/// bodies, query strings or headers (tokens, rosters). Counted in the
/// metrics too.
async fn log_request(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |p| p.as_str())
        .to_owned();
    let response = next.run(request).await;
    let kind = response
        .extensions()
        .get::<crate::error::ProblemKind>()
        .map(|k| k.0);
    metrics.record(
        method.as_str(),
        &route,
        response.status().as_u16(),
        kind,
        start.elapsed(),
    );
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        latency_us = start.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// How long a client has to send a request's line and headers, from the
/// moment the connection waits for them (also the longest a keep-alive
/// connection may idle between requests). The request deadline
/// ([`REQUEST_DEADLINE`]) starts only once the headers are in; without this
/// a client dripping its headers would hold a connection for ever.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The header-read timeout of connections accepted under pressure.
pub const PRESSURED_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(2);

/// Most connections open at once. Each costs a task and buffers, and a
/// deal's appends are serialised anyway.
pub const MAX_CONNECTIONS: usize = 1024;

/// Most connections open at once from one peer (an IPv4 address or an
/// IPv6 /64): one host cannot take more than an eighth of the service.
pub const MAX_CONNECTIONS_PER_PEER: usize = 128;

/// Requests one connection serves before it closes (as nginx's
/// `keepalive_requests`): no client keeps a connection, and its place in
/// the table, for ever.
pub const MAX_REQUESTS_PER_CONNECTION: u32 = 1000;

/// The longest a connection stays open, however busy.
pub const MAX_CONNECTION_LIFETIME: Duration = Duration::from_secs(600);

/// How long a connection closed to make room may take to finish writing
/// an answer already on its way.
const EVICTION_GRACE: Duration = Duration::from_secs(5);

/// How long shutdown waits for requests in flight: their deadline, and a
/// little more to write the answer.
const DRAIN_LIMIT: Duration = Duration::from_secs(35);

/// How [`serve_with`] treats connections. [`Limits::default`] holds the
/// documented constants; tests and operators with other needs set their
/// own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// [`HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// [`PRESSURED_HEADER_READ_TIMEOUT`].
    pub pressured_header_read_timeout: Duration,
    /// [`MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// [`MAX_CONNECTIONS_PER_PEER`].
    pub max_connections_per_peer: usize,
    /// [`MAX_REQUESTS_PER_CONNECTION`].
    pub max_requests_per_connection: u32,
    /// [`MAX_CONNECTION_LIFETIME`].
    pub max_connection_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read_timeout: HEADER_READ_TIMEOUT,
            pressured_header_read_timeout: PRESSURED_HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            max_connections_per_peer: MAX_CONNECTIONS_PER_PEER,
            max_requests_per_connection: MAX_REQUESTS_PER_CONNECTION,
            max_connection_lifetime: MAX_CONNECTION_LIFETIME,
        }
    }
}

/// Who a connection comes from, for the per-peer cap: an IPv4 address, or
/// an IPv6 address's /64 (one host usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Peer(IpAddr);

fn peer_of(addr: SocketAddr) -> Peer {
    match addr.ip() {
        IpAddr::V4(v4) => Peer(IpAddr::V4(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Peer(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                Peer(IpAddr::V6(Ipv6Addr::new(
                    s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                )))
            }
        },
    }
}

/// One open connection, as the table sees it.
#[derive(Debug)]
struct Entry {
    peer: Peer,
    /// Requests of this connection inside the router now.
    in_flight: u32,
    /// When its last request was answered (or it was accepted).
    idle_since: Instant,
    /// Told when the connection must close to make room.
    evict: Arc<Notify>,
}

#[derive(Debug, Default)]
struct Table {
    next_id: u64,
    entries: HashMap<u64, Entry>,
    per_peer: HashMap<Peer, usize>,
}

impl Table {
    /// The connection of `scope` idle longest, if one is idle.
    fn longest_idle(&self, scope: impl Fn(&Entry) -> bool) -> Option<u64> {
        self.entries
            .iter()
            .filter(|(_, e)| e.in_flight == 0 && scope(e))
            .min_by_key(|(_, e)| e.idle_since)
            .map(|(id, _)| *id)
    }

    fn remove(&mut self, id: u64) -> Option<Entry> {
        let entry = self.entries.remove(&id)?;
        if let Some(n) = self.per_peer.get_mut(&entry.peer) {
            *n -= 1;
            if *n == 0 {
                self.per_peer.remove(&entry.peer);
            }
        }
        Some(entry)
    }

    /// Close `id` to make room: out of the table now, its task closes it.
    fn evict(&mut self, id: u64) {
        if let Some(entry) = self.remove(id) {
            entry.evict.notify_one();
        }
    }
}

/// The open connections, shared by the accept loop, every connection's
/// task and the request deadline (through [`Load`]).
#[derive(Debug)]
struct Connections {
    limits: Limits,
    table: Mutex<Table>,
    /// `table.entries.len()`, readable without the lock.
    open: AtomicUsize,
}

impl Connections {
    fn new(limits: Limits) -> Connections {
        Connections {
            limits,
            table: Mutex::new(Table::default()),
            open: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Three quarters of the connections are open.
    fn pressured(&self) -> bool {
        self.open.load(Ordering::Relaxed) * 4 >= self.limits.max_connections * 3
    }

    /// Room for a connection from `peer`: beyond the peer's cap, its
    /// connection idle longest closes; beyond the global cap, the one idle
    /// longest of all. `None` when every connection in the way is busy.
    fn admit(&self, peer: Peer) -> Option<(u64, Arc<Notify>)> {
        let mut table = self.lock();
        if table.per_peer.get(&peer).copied().unwrap_or(0) >= self.limits.max_connections_per_peer {
            let victim = table.longest_idle(|e| e.peer == peer)?;
            table.evict(victim);
        }
        if table.entries.len() >= self.limits.max_connections {
            let victim = table.longest_idle(|_| true)?;
            table.evict(victim);
        }
        let id = table.next_id;
        table.next_id += 1;
        let evict = Arc::new(Notify::new());
        table.entries.insert(
            id,
            Entry {
                peer,
                in_flight: 0,
                idle_since: Instant::now(),
                evict: evict.clone(),
            },
        );
        *table.per_peer.entry(peer).or_insert(0) += 1;
        self.open.store(table.entries.len(), Ordering::Relaxed);
        Some((id, evict))
    }

    fn started(&self, id: u64) {
        if let Some(e) = self.lock().entries.get_mut(&id) {
            e.in_flight += 1;
        }
    }

    fn finished(&self, id: u64) {
        if let Some(e) = self.lock().entries.get_mut(&id) {
            e.in_flight = e.in_flight.saturating_sub(1);
            e.idle_since = Instant::now();
        }
    }

    fn closed(&self, id: u64) {
        let mut table = self.lock();
        table.remove(id);
        self.open.store(table.entries.len(), Ordering::Relaxed);
    }
}

/// The connection table as a request extension: the deadline asks it
/// whether the service is under pressure.
#[derive(Debug, Clone)]
struct Load(Arc<Connections>);

impl Load {
    fn pressured(&self) -> bool {
        self.0.pressured()
    }
}

/// One connection's service: the router, with the request counted in and
/// out of the connection table, and the connection retired after its
/// last allowed request.
#[derive(Debug, Clone)]
struct ConnectionService {
    router: TowerToHyperService<Router>,
    connections: Arc<Connections>,
    id: u64,
    served: Arc<AtomicU32>,
}

/// Marks a request answered even if its future is dropped.
struct InFlight {
    connections: Arc<Connections>,
    id: u64,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.connections.finished(self.id);
    }
}

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        let served = self.served.fetch_add(1, Ordering::Relaxed) + 1;
        // The last request's answer says `Connection: close`, and hyper
        // closes the connection once it is written.
        let last = served >= self.connections.limits.max_requests_per_connection;
        self.connections.started(self.id);
        let in_flight = InFlight {
            connections: self.connections.clone(),
            id: self.id,
        };
        request
            .extensions_mut()
            .insert(Load(self.connections.clone()));
        let answer = self.router.call(request);
        Box::pin(async move {
            let mut response = answer.await;
            drop(in_flight);
            if last && let Ok(response) = &mut response {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            response
        })
    }
}

/// The answer to a connection refused because every connection in its way
/// is busy, written without waiting (a client that does not read it just
/// loses it).
fn refuse(stream: TcpStream) {
    let body = AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too-many-connections",
        "every connection is busy; retry in a second",
    )
    .problem();
    let body = serde_json::to_string(&body).unwrap_or_default();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {}\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        crate::error::PROBLEM_JSON,
        body.len()
    );
    let _ = stream.try_write(answer.as_bytes());
}

/// Serve `app(state)` on `listener` until `shutdown` resolves, then stop
/// accepting, let the requests in flight finish and close every
/// connection, with the default [`Limits`].
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Limits::default(), shutdown).await
}

/// [`serve`] with other [`Limits`].
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, app(state), limits, None, shutdown).await
}

/// [`serve_with`] over TLS: every connection is a TLS handshake first
/// (within the header-read timeout), then HTTP/1.1.
pub async fn serve_tls(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    tls: Tls,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, app(state), limits, Some(tls), shutdown).await
}

/// The accept loop behind [`serve`], for any router.
pub(crate) async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    tls: Option<Tls>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Connections::new(limits));
    let http = |header_read_timeout| {
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout);
        http
    };
    let calm = http(limits.header_read_timeout);
    let pressured = http(limits.pressured_header_read_timeout);
    let router = TowerToHyperService::new(router);
    // Every connection task holds a sender: when all are gone, the drain
    // is over.
    let (running, mut drained) = mpsc::channel::<()>(1);
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: wait, retry.
                    tracing::error!(error = %e, "accept failed; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        let Some((id, evict)) = connections.admit(peer_of(addr)) else {
            refuse(stream);
            continue;
        };
        // Small answers go out at once, not after Nagle's delay.
        let _ = stream.set_nodelay(true);
        let (http, handshake_timeout) = if connections.pressured() {
            (pressured.clone(), limits.pressured_header_read_timeout)
        } else {
            (calm.clone(), limits.header_read_timeout)
        };
        let service = ConnectionService {
            router: router.clone(),
            connections: connections.clone(),
            id,
            served: Arc::new(AtomicU32::new(0)),
        };
        let connections = connections.clone();
        let mut stopping = stopping.clone();
        let running = running.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _running = running;
            let ends = Ends {
                evict,
                stopping: stopping.clone(),
                lifetime: limits.max_connection_lifetime,
            };
            match tls {
                None => drive(http.serve_connection(TokioIo::new(stream), service), ends).await,
                Some(tls) => {
                    // The handshake counts as sending headers: the same
                    // timeout, and the connection is idle (evictable) until
                    // a request arrives.
                    let handshake = tokio::select! {
                        done = tokio::time::timeout(handshake_timeout, tls.0.accept(stream)) => done.ok().and_then(Result::ok),
                        () = ends.evict.notified() => None,
                        _ = stopping.wait_for(|stop| *stop) => None,
                    };
                    if let Some(stream) = handshake {
                        drive(http.serve_connection(TokioIo::new(stream), service), ends).await;
                    }
                }
            }
            connections.closed(id);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(running);
    let _ = tokio::time::timeout(DRAIN_LIMIT + Duration::from_secs(1), drained.recv()).await;
    Ok(())
}

/// What ends a connection other than its client: eviction, its lifetime,
/// shutdown.
struct Ends {
    evict: Arc<Notify>,
    stopping: watch::Receiver<bool>,
    lifetime: Duration,
}

/// Serve one connection until its client ends it, or [`Ends`] does: then
/// close it at once if idle, or once its request in flight is answered
/// (within a grace period).
async fn drive<I>(connection: http1::Connection<TokioIo<I>, ConnectionService>, mut ends: Ends)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut connection = std::pin::pin!(connection);
    // Errors are the client's (gone, too slow, malformed): the connection
    // ends; a request log line was written if a request reached the router.
    let grace = tokio::select! {
        _ = connection.as_mut() => None,
        () = ends.evict.notified() => Some(EVICTION_GRACE),
        () = tokio::time::sleep(ends.lifetime) => Some(DRAIN_LIMIT),
        _ = ends.stopping.wait_for(|stop| *stop) => Some(DRAIN_LIMIT),
    };
    if let Some(grace) = grace {
        connection.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(grace, connection).await;
    }
}

/// A server's TLS: its certificate chain and key, ready to accept
/// connections (rustls, TLS 1.2 and 1.3, HTTP/1.1).
#[derive(Clone)]
pub struct Tls(tokio_rustls::TlsAcceptor);

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls")
    }
}

impl Tls {
    /// From PEM files: the certificate chain (the server's certificate
    /// first) and its private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(cert_chain: &Path, key: &Path) -> Result<Tls, ServeError> {
        use tokio_rustls::rustls::pki_types::pem::PemObject;
        use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let bad = |what: &Path, e: &dyn std::fmt::Display| {
            ServeError::Tls(format!("{}: {e}", what.display()))
        };
        let certs = CertificateDer::pem_file_iter(cert_chain)
            .map_err(|e| bad(cert_chain, &e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(cert_chain, &e))?;
        if certs.is_empty() {
            return Err(bad(cert_chain, &"no certificate in the file"));
        }
        let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, &e))?;
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ServeError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key_der)
            .map_err(|e| bad(key, &e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
    }
}

/// Errors of one incoming connection (not of the listener): skip it.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset | Interrupted
    )
}

/// Log to stderr unless the caller installed its own subscriber: one line
/// per event, plain text, or one JSON object per line when
/// `TRUCE_LOG_FORMAT=json`; filtered by `RUST_LOG` (`info` when unset or
/// not a filter).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_env_filter(filter);
    let json = std::env::var("TRUCE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Resolves at the first SIGINT (Ctrl-C) or SIGTERM (what `docker stop`,
/// systemd and Kubernetes send).
pub async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `truce serve`: open the database (running migrations), listen, and serve
/// until SIGINT or SIGTERM, then drain the requests in flight and return.
/// Beyond loopback an admin token is required ([`ServeError::OpenCreation`]):
/// deal creation is never open to the network.
pub async fn run(opts: ServeOptions) -> Result<(), ServeError> {
    if opts.admin_token.is_none() && !opts.listen.ip().is_loopback() {
        return Err(ServeError::OpenCreation(opts.listen));
    }
    let limits = opts.limits;
    if limits.max_connections == 0
        || limits.max_connections_per_peer == 0
        || limits.max_connections_per_peer > limits.max_connections
    {
        return Err(ServeError::Limits {
            total: limits.max_connections,
            per_peer: limits.max_connections_per_peer,
        });
    }
    let tls = match &opts.tls {
        Some(files) => Some(Tls::from_pem_files(&files.cert, &files.key)?),
        None => None,
    };
    init_logging();
    let store = truce_store::Store::open_sealed(&opts.database_url, opts.at_rest.clone()).await?;
    let listener = TcpListener::bind(opts.listen).await?;
    let addr = listener.local_addr()?;
    let durability = store.durability().await?;
    let transport = store.transport().await?;
    let at_rest = opts.at_rest.as_ref().map_or("clear".to_owned(), |k| {
        format!("sealed with key {}", k.current().id())
    });
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(
        database = durability,
        transport,
        at_rest,
        max_connections = limits.max_connections,
        max_connections_per_peer = limits.max_connections_per_peer,
        "listening on {scheme}://{addr}/api/v1 (explorer: {scheme}://{addr}/api/v1/explorer/)"
    );
    let state = match opts.service_key {
        Some(key) => AppState::with_service_key(store, opts.admin_token, key),
        None => {
            tracing::warn!(
                "the service key is this run's only: checkpoints it signs cannot be verified after a restart; keep one with --service-key FILE"
            );
            AppState::new(store, opts.admin_token)
        }
    };
    tracing::info!(
        verifier_key = state.inner.service_key.verifier().to_vkey(),
        "checkpoints are signed by this key"
    );
    let shutdown = async {
        termination().await;
        tracing::info!("stopping: no new connections; finishing the requests in flight");
    };
    serve_router(listener, app(state), opts.limits, tls, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// A running in-process server.
#[derive(Debug)]
pub struct ServerHandle {
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl ServerHandle {
    /// Stop accepting, finish requests in flight, and wait.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Start the service on `127.0.0.1:0` in this process (for `truce demo`
/// and tests): the address it listens on, and the handle that stops it.
pub async fn start_in_process(
    database_url: &str,
) -> Result<(SocketAddr, ServerHandle), ServeError> {
    start_in_process_with_key(database_url, None).await
}

/// The same, signing checkpoints with `service_key` (a fresh key if
/// `None`).
pub async fn start_in_process_with_key(
    database_url: &str,
    service_key: Option<truce_ledger::ServiceKey>,
) -> Result<(SocketAddr, ServerHandle), ServeError> {
    let store = truce_store::Store::open(database_url).await?;
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let state = match service_key {
        Some(key) => AppState::with_service_key(store, None, key),
        None => AppState::new(store, None),
    };
    let task = tokio::spawn(serve(listener, state, async {
        let _ = stopped.await;
    }));
    Ok((addr, ServerHandle { stop, task }))
}

#[cfg(test)]
mod tests {
    //! The accept loop over raw TCP: slow headers are cut off, the cap
    //! holds, and shutdown lets a request in flight finish.

    use std::time::Duration;

    use axum::Router;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::oneshot;

    use super::{Limits, serve_router};

    /// Long enough that a test never waits on it by accident.
    const PATIENCE: Duration = Duration::from_secs(10);

    fn router() -> Router {
        Router::new().route("/", get(|| async { "ok" })).route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                "slow ok"
            }),
        )
    }

    /// A server with these limits; its address, its stop and its task.
    async fn start(
        limits: Limits,
    ) -> (
        std::net::SocketAddr,
        oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_router(listener, router(), limits, None, async {
            let _ = stopped.await;
        }));
        (addr, stop, task)
    }

    fn limits(header_read_timeout_ms: u64, max_connections: usize) -> Limits {
        Limits {
            header_read_timeout: Duration::from_millis(header_read_timeout_ms),
            pressured_header_read_timeout: Duration::from_millis(header_read_timeout_ms),
            max_connections,
            max_connections_per_peer: max_connections,
            ..Limits::default()
        }
    }

    /// Read until the server closes the connection (EOF or reset); what
    /// it sent. Panics if it is still open after [`PATIENCE`].
    async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
        let mut out = Vec::new();
        let read = async {
            let mut buf = [0u8; 1024];
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                }
            }
        };
        tokio::time::timeout(PATIENCE, read)
            .await
            .expect("the server should have closed the connection");
        out
    }

    async fn get_on(stream: &mut TcpStream, path: &str) {
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
    }

    #[tokio::test]
    async fn half_a_request_line_is_cut_off_after_the_header_timeout() {
        let (addr, stop, task) = start(limits(200, 16)).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET / HT").await.unwrap();
        let answer = until_closed(&mut stream).await;
        assert!(!String::from_utf8_lossy(&answer).contains("ok"));
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn headers_dripped_a_byte_at_a_time_are_cut_off() {
        let (addr, stop, task) = start(limits(200, 16)).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        // A byte every 20 ms, for ever: each one arrives well within any
        // per-read timeout, but the headers never end.
        let drip = tokio::spawn(async move {
            let head = b"GET / HTTP/1.1\r\nHost: test\r\nX-Slow: ";
            for b in head.iter().chain(std::iter::repeat(&b'a')) {
                if write.write_all(&[*b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        let closed = tokio::time::timeout(PATIENCE, async {
            let mut buf = [0u8; 256];
            loop {
                match read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "the dripping connection stayed open");
        drip.abort();
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_whole_request_is_answered() {
        let (addr, stop, task) = start(limits(200, 16)).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        assert!(stream.nodelay().is_ok());
        get_on(&mut stream, "/").await;
        let answer = String::from_utf8(until_closed(&mut stream).await).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("ok"), "{answer}");
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
        let (addr, stop, task) = start(limits(200, 16)).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        // The answer, then nothing more until the server closes.
        let answer = String::from_utf8(until_closed(&mut stream).await).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("ok"), "{answer}");
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn beyond_the_cap_the_connection_idle_longest_makes_room() {
        let (addr, stop, task) = start(limits(10_000, 2)).await;
        // Two connections that send nothing: the first is idle longest.
        let mut oldest = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _younger = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut newcomer = TcpStream::connect(addr).await.unwrap();
        get_on(&mut newcomer, "/").await;
        let answer = String::from_utf8(until_closed(&mut newcomer).await).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        // The oldest idle connection was closed to make room.
        assert!(until_closed(&mut oldest).await.is_empty());
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn beyond_the_cap_with_every_connection_busy_a_newcomer_is_refused_with_503() {
        let (addr, stop, task) = start(limits(10_000, 1)).await;
        let mut busy = TcpStream::connect(addr).await.unwrap();
        get_on(&mut busy, "/slow").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut refused = TcpStream::connect(addr).await.unwrap();
        let answer = String::from_utf8(until_closed(&mut refused).await).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{answer}"
        );
        assert!(answer.contains("retry-after: 1\r\n"), "{answer}");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let length = format!("content-length: {}", body.len());
        assert!(head.lines().any(|l| l == length), "{answer}");
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 503);
        // The busy request is answered all the same.
        let answer = String::from_utf8(until_closed(&mut busy).await).unwrap();
        assert!(answer.ends_with("slow ok"), "{answer}");
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn one_peer_beyond_its_cap_closes_its_own_idle_connection_not_anothers() {
        let mut l = limits(10_000, 16);
        l.max_connections_per_peer = 1;
        let (addr, stop, task) = start(l).await;
        // 127.0.0.2's connection, then two of 127.0.0.1's.
        let other = tokio::net::TcpSocket::new_v4().unwrap();
        other.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        let mut other = other.connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut first = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut second = TcpStream::connect(addr).await.unwrap();
        assert!(until_closed(&mut first).await.is_empty());
        get_on(&mut second, "/").await;
        assert!(
            String::from_utf8(until_closed(&mut second).await)
                .unwrap()
                .ends_with("ok")
        );
        // The other peer's connection, idle longer than both, is still open.
        get_on(&mut other, "/").await;
        assert!(
            String::from_utf8(until_closed(&mut other).await)
                .unwrap()
                .ends_with("ok")
        );
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_connection_closes_after_its_last_allowed_request() {
        let mut l = limits(10_000, 16);
        l.max_requests_per_connection = 3;
        let (addr, stop, task) = start(l).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        for _ in 0..5 {
            if stream
                .write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                .await
                .is_err()
            {
                break;
            }
        }
        let answer = String::from_utf8(until_closed(&mut stream).await).unwrap();
        assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 3, "{answer}");
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_connection_closes_at_the_end_of_its_lifetime() {
        let mut l = limits(10_000, 16);
        l.max_connection_lifetime = Duration::from_millis(300);
        let (addr, stop, task) = start(l).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        // Well inside the 10 s header timeout, the lifetime closes it.
        let answer = String::from_utf8(until_closed(&mut stream).await).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        let _ = stop.send(());
        task.await.unwrap().unwrap();
    }

    #[test]
    fn an_ipv6_peer_is_its_slash_64_and_a_mapped_ipv4_its_address() {
        let a: std::net::SocketAddr = "[2001:db8:1:2:aaaa::1]:1".parse().unwrap();
        let b: std::net::SocketAddr = "[2001:db8:1:2:bbbb::9]:2".parse().unwrap();
        let c: std::net::SocketAddr = "[2001:db8:1:3::1]:1".parse().unwrap();
        assert_eq!(super::peer_of(a), super::peer_of(b));
        assert_ne!(super::peer_of(a), super::peer_of(c));
        let mapped: std::net::SocketAddr = "[::ffff:10.0.0.1]:1".parse().unwrap();
        let plain: std::net::SocketAddr = "10.0.0.1:2".parse().unwrap();
        assert_eq!(super::peer_of(mapped), super::peer_of(plain));
    }

    #[tokio::test]
    async fn shutdown_finishes_the_request_in_flight() {
        let (addr, stop, task) = start(limits(200, 16)).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        get_on(&mut stream, "/slow").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = stop.send(());
        let answer = String::from_utf8(until_closed(&mut stream).await).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("slow ok"), "{answer}");
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("serve returns after shutdown")
            .unwrap()
            .unwrap();
        // Nobody listens any more.
        assert!(TcpStream::connect(addr).await.is_err());
    }
}
