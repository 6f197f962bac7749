//! The router, request logging, and the ways to run the service: [`run`]
//! for `truce serve`, [`start_in_process`] for the demo and tests.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::AppError;
use crate::handlers::{self, MAX_DEAL_BODY, MAX_EVENT_BODY};
use crate::state::AppState;

/// How `truce serve` runs the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    /// `sqlite://PATH` / a file path (created if missing), or
    /// `postgres://…`.
    pub database_url: String,
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// When set, `POST /api/v1/deals` requires `Authorization: Bearer
    /// <admin_token>`; otherwise anyone who can reach the service may create
    /// a deal (and receives only that deal's tokens).
    pub admin_token: Option<String>,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            database_url: "truce.db".to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_token: None,
        }
    }
}

/// The service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("failed to open the database: {0}")]
    Store(#[from] truce_store::StoreError),
    #[error("failed to listen: {0}")]
    Listen(#[from] std::io::Error),
}

/// The whole HTTP API over `state`, ready for `axum::serve` or, in tests,
/// `tower::ServiceExt::oneshot`.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(handlers::health))
        .route(
            "/deals",
            post(handlers::create_deal).layer(DefaultBodyLimit::max(MAX_DEAL_BODY)),
        )
        .route("/deals/{deal}", get(handlers::get_deal))
        .route("/deals/{deal}/state", get(handlers::get_state))
        .route(
            "/deals/{deal}/events",
            post(handlers::append_event)
                .layer(DefaultBodyLimit::max(MAX_EVENT_BODY))
                .get(handlers::list_events),
        )
        .route("/deals/{deal}/ledger.jsonl", get(handlers::export_ledger));
    Router::new()
        .nest("/api/v1", api)
        .merge(SwaggerUi::new("/api/v1/explorer").url("/api/v1/openapi.json", crate::openapi()))
        .fallback(|| async { AppError::not_found() })
        .method_not_allowed_fallback(|| async { AppError::method_not_allowed() })
        // Bodies of routes without their own limit (GETs) stay small.
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn(deadline))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// How long a request may take to arrive and be answered: a client that
/// drips its body cannot hold a handler (and, for appends, a deal's lock
/// waiting on it) for ever. An append already verified runs on in its own
/// task and is committed or not as usual; the client reads `/state`.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

async fn deadline(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::new(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "the request took longer than 30 s to arrive and be answered; if it was an event, read /state before sending it again",
        )
        .into_response(),
    }
}

/// One line per request: method, route template, status, latency. Never
/// bodies, query strings or headers (tokens, rosters).
async fn log_request(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |p| p.as_str())
        .to_owned();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        latency_us = start.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Serve `app(state)` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Log requests to stderr (`tracing` at info level, no colours) unless the
/// caller installed its own subscriber.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

/// `truce serve`: open the database (running migrations), listen, and serve
/// until Ctrl-C.
pub async fn run(opts: ServeOptions) -> Result<(), ServeError> {
    init_logging();
    let store = truce_store::Store::open(&opts.database_url).await?;
    let listener = TcpListener::bind(opts.listen).await?;
    let addr = listener.local_addr()?;
    let durability = store.durability().await?;
    tracing::info!(
        database = durability,
        "listening on http://{addr}/api/v1 (explorer: http://{addr}/api/v1/explorer/)"
    );
    let state = AppState::new(store, opts.admin_token);
    serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
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
    let store = truce_store::Store::open(database_url).await?;
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let state = AppState::new(store, None);
    let task = tokio::spawn(serve(listener, state, async {
        let _ = stopped.await;
    }));
    Ok((addr, ServerHandle { stop, task }))
}
