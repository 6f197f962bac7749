//! The router, request logging, the connection loop, and the ways to run
//! the service: [`run`] for `truce serve`, [`start_in_process`] for the demo
//! and tests.
//!
//! [`serve`] accepts connections itself (hyper's HTTP/1.1 server under
//! hyper-util, not `axum::serve`) so that every connection has a
//! header-read timeout ([`HEADER_READ_TIMEOUT`]: a client that sends its
//! request line and headers a byte at a time is cut off, as is a connection
//! that idles that long between requests), at most [`MAX_CONNECTIONS`] are
//! served at once (the rest wait in the listen backlog), and shutdown
//! finishes the requests in flight.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
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

/// The whole HTTP API over `state`, ready for [`serve`] or, in tests,
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
            "/deals/{deal}/plans",
            post(handlers::post_plan).layer(DefaultBodyLimit::max(MAX_DEAL_BODY)),
        )
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
        .merge(crate::room::router())
        .fallback(|| async { AppError::not_found() })
        .method_not_allowed_fallback(|| async { AppError::method_not_allowed() })
        // Bodies of routes without their own limit (GETs) stay small.
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn(deadline))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// How long a request may take, once its headers are in (those have
/// [`HEADER_READ_TIMEOUT`]), to arrive and be answered: a client that
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

/// How long a client has to send a request's line and headers, from the
/// moment the connection waits for them (also the longest a keep-alive
/// connection may idle between requests). The request deadline
/// ([`REQUEST_DEADLINE`]) starts only once the headers are in; without this
/// a client dripping its headers would hold a connection for ever.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Most connections served at once; further clients wait in the listen
/// backlog until one closes. Each connection costs a task and buffers, and
/// a deal's appends are serialised anyway.
pub const MAX_CONNECTIONS: usize = 1024;

/// How [`serve`] treats connections; tests shorten the timeout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serve `app(state)` on `listener` until `shutdown` resolves, then stop
/// accepting, let the requests in flight finish and close every
/// connection. Each connection is HTTP/1.1 with TCP_NODELAY and the
/// [`HEADER_READ_TIMEOUT`]; at most [`MAX_CONNECTIONS`] at once.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, app(state), Limits::default(), shutdown).await
}

/// The accept loop behind [`serve`], for any router.
pub(crate) async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A free slot first, then a connection: beyond the cap, clients
        // wait in the kernel's backlog rather than in our memory.
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
        };
        let stream = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: wait, retry.
                    tracing::error!(error = %e, "accept failed; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        // Small answers go out at once, not after Nagle's delay.
        let _ = stream.set_nodelay(true);
        let connection = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Errors are the client's (gone, too slow, malformed): the
            // connection ends; a request log line was written if a request
            // reached the router.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Errors of one incoming connection (not of the listener): skip it.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset | Interrupted
    )
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
        let task = tokio::spawn(serve_router(listener, router(), limits, async {
            let _ = stopped.await;
        }));
        (addr, stop, task)
    }

    fn limits(header_read_timeout_ms: u64, max_connections: usize) -> Limits {
        Limits {
            header_read_timeout: Duration::from_millis(header_read_timeout_ms),
            max_connections,
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
    async fn beyond_the_cap_a_client_waits_for_a_free_connection() {
        let (addr, stop, task) = start(limits(10_000, 1)).await;
        // The one slot, held by a connection that sends nothing.
        let holder = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut waiting = TcpStream::connect(addr).await.unwrap();
        get_on(&mut waiting, "/").await;
        let mut buf = [0u8; 64];
        let early = tokio::time::timeout(Duration::from_millis(300), waiting.read(&mut buf)).await;
        assert!(early.is_err(), "answered beyond the cap");
        drop(holder);
        let answer = String::from_utf8(until_closed(&mut waiting).await).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        let _ = stop.send(());
        task.await.unwrap().unwrap();
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
