//! The reliability suite: each attack of issue 17 replayed on loopback
//! against a server with the default limits, while a well-behaved probe
//! client (its own address, 127.0.0.2) opens a fresh connection every
//! 250 ms and asks for `/health`. The probe must be answered, within a
//! second, at least 95 % of the time. Bounded: every attack holds its
//! connections for a fixed number of probes, every wait is capped.
//!
//! The attackers come from several loopback addresses, each under the
//! per-peer cap, so that the global mechanisms (idle-longest eviction,
//! shorter deadlines under pressure, the body budget) are what keeps the
//! probe served, not only the per-peer cap. Linux routes all of 127/8 to
//! loopback.
//!
//! Each attack prints what it held (`cargo test -p truce-server --test it
//! attacks -- --nocapture`); SAFETY.md records the figures.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use truce_server::{AppState, Limits};

use crate::support::database_url;

/// Probes per attack (one every [`PROBE_EVERY`]).
const PROBES: usize = 40;
const PROBE_EVERY: Duration = Duration::from_millis(250);
/// A probe answered later than this counts as not served. The figures in
/// SAFETY.md (answered within 1 s) are measured on an idle machine; the
/// suite allows a loaded 2-core machine, where the test's own attackers and
/// the other tests share the cores, five times that.
const PROBE_PATIENCE: Duration = Duration::from_secs(5);
/// How long an attacker waits before reopening a connection the server
/// closed.
const REOPEN_AFTER: Duration = Duration::from_secs(1);

/// The service on its own runtime and thread (as a separate process would
/// be), with `limits`; its address and a stop switch.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(limits: Limits, admin_token: Option<String>) -> Server {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let store = truce_store::Store::open(&database_url())
                    .await
                    .expect("store");
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                ready_tx.send(listener.local_addr().expect("addr")).ok();
                let state = AppState::new(store, admin_token);
                truce_server::serve_with(listener, state, limits, async {
                    let _ = stopped.await;
                })
                .await
                .expect("serve");
            });
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("server started");
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A connection from `from` to `to`.
async fn connect_from(from: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(from), 0))?;
    socket.connect(to).await
}

/// The attacker's addresses: 127.0.0.10, .11, … (the probe is 127.0.0.2).
fn attacker(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, 10 + (i % 16) as u8)
}

/// Read one HTTP/1.1 response (head and a `content-length` body): its
/// status, or `None` if the connection ended first.
async fn read_response(stream: &mut TcpStream) -> Option<u16> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let status = head.split(' ').nth(1)?.parse().ok()?;
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(status);
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

const HEALTH: &[u8] = b"GET /api/v1/health HTTP/1.1\r\nHost: truce\r\n\r\n";

/// What the attackers did.
#[derive(Debug, Default)]
struct Attack {
    stop: AtomicBool,
    opened: AtomicU64,
    /// Requests the attacker got answered.
    answered: AtomicU64,
}

impl Attack {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// One attacking connection, reopened [`REOPEN_AFTER`] after the server
/// closes it, doing `behave` on each, until the attack stops.
fn hold(
    attack: &Arc<Attack>,
    i: usize,
    to: SocketAddr,
    behave: Behave,
) -> tokio::task::JoinHandle<()> {
    let attack = attack.clone();
    tokio::spawn(async move {
        while !attack.stopped() {
            if let Ok(stream) = connect_from(attacker(i), to).await {
                attack.opened.fetch_add(1, Ordering::Relaxed);
                match behave {
                    Behave::KeepAlive => keep_alive(stream, &attack).await,
                    Behave::Slowloris => slowloris(stream, &attack).await,
                    Behave::Idle => idle(stream, &attack).await,
                    Behave::StalledBody => stalled_body(stream, &attack).await,
                }
            }
            tokio::time::sleep(REOPEN_AFTER).await;
        }
    })
}

/// What an attacking connection does.
#[derive(Debug, Clone, Copy)]
enum Behave {
    KeepAlive,
    Slowloris,
    Idle,
    StalledBody,
}

/// Keep-alive: a health request every 8 s, for ever.
async fn keep_alive(mut stream: TcpStream, attack: &Attack) {
    while !attack.stopped() {
        if stream.write_all(HEALTH).await.is_err() {
            return;
        }
        match read_response(&mut stream).await {
            Some(_) => attack.answered.fetch_add(1, Ordering::Relaxed),
            None => return,
        };
        tokio::time::sleep(Duration::from_secs(8)).await;
    }
}

/// Slowloris: a request's headers, one byte a second, never ending.
async fn slowloris(mut stream: TcpStream, attack: &Attack) {
    let head = b"GET /api/v1/health HTTP/1.1\r\nHost: truce\r\nX-Slow: ";
    for b in head.iter().chain(std::iter::repeat(&b'a')) {
        if attack.stopped() || stream.write_all(&[*b]).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Idle: connect, send nothing, wait to be closed.
async fn idle(mut stream: TcpStream, attack: &Attack) {
    let mut buf = [0u8; 64];
    while !attack.stopped() {
        let read = tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await;
        if let Ok(Ok(0) | Err(_)) = read {
            return;
        }
    }
}

/// A stalled upload: `POST /deals` declaring the largest body, a few bytes
/// of it, then nothing.
async fn stalled_body(mut stream: TcpStream, attack: &Attack) {
    let head = format!(
        "POST /api/v1/deals HTTP/1.1\r\nHost: truce\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{\"id\":",
        truce_server::MAX_DEAL_BODY
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    // The server answers (timeout, busy) or closes; until then, stall.
    while !attack.stopped() {
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return,
            Ok(Ok(_)) => attack.answered.fetch_add(1, Ordering::Relaxed),
            Err(_) => continue,
        };
    }
}

/// The probe: [`PROBES`] fresh connections from 127.0.0.2, one health
/// request each. How many were answered 200 within [`PROBE_PATIENCE`], and
/// the slowest answer.
async fn probe(to: SocketAddr) -> (usize, Duration) {
    let mut served = 0;
    let mut slowest = Duration::ZERO;
    for _ in 0..PROBES {
        let start = Instant::now();
        let answer = tokio::time::timeout(PROBE_PATIENCE, async {
            let mut stream = connect_from(Ipv4Addr::new(127, 0, 0, 2), to).await.ok()?;
            stream.write_all(HEALTH).await.ok()?;
            read_response(&mut stream).await
        })
        .await;
        if let Ok(Some(200)) = answer {
            served += 1;
            slowest = slowest.max(start.elapsed());
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
    (served, slowest)
}

/// Run `connections` attacking connections doing `behave`, let them build
/// up for `build_up`, probe, and check the probe was served.
async fn replay(name: &str, connections: usize, build_up: Duration, behave: Behave) {
    let server = Server::start(Limits::default(), None);
    let attack = Arc::new(Attack::default());
    let mut tasks = Vec::with_capacity(connections);
    for i in 0..connections {
        tasks.push(hold(&attack, i, server.addr, behave));
        if i % 64 == 63 {
            // Open them in waves, as a real flood ramps up.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    tokio::time::sleep(build_up).await;
    let (served, slowest) = probe(server.addr).await;
    attack.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.abort();
    }
    eprintln!(
        "attack {name}: {connections} connections held ({} opened, {} attacker requests answered); \
         probe served {served}/{PROBES} within {PROBE_PATIENCE:?}, slowest {slowest:?}; \
         test process (server and attackers) peak RSS {}",
        attack.opened.load(Ordering::Relaxed),
        attack.answered.load(Ordering::Relaxed),
        peak_rss(),
    );
    assert!(
        served * 100 >= PROBES * 95,
        "attack {name}: the probe was served {served} of {PROBES} times"
    );
    drop(server);
}

/// The process's peak resident memory, as Linux reports it.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Every attack in turn, in one test so that they never overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_well_behaved_client_is_served_during_each_attack() {
    replay(
        "1,100 keep-alive connections, a health request every 8 s",
        1_100,
        Duration::from_secs(3),
        Behave::KeepAlive,
    )
    .await;
    replay(
        "slowloris: 1,100 connections dripping headers a byte a second",
        1_100,
        Duration::from_secs(3),
        Behave::Slowloris,
    )
    .await;
    replay(
        "2,000 idle connections",
        2_000,
        Duration::from_secs(3),
        Behave::Idle,
    )
    .await;
    replay(
        "600 stalled 32 MiB uploads to POST /deals",
        600,
        Duration::from_secs(3),
        Behave::StalledBody,
    )
    .await;
}

/// Send `head` (a request without its body) and read the answer; the
/// server must answer without waiting for the body.
async fn answer_to_head(addr: SocketAddr, head: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(head.as_bytes()).await.ok()?;
    tokio::time::timeout(Duration::from_secs(10), read_response(&mut stream))
        .await
        .ok()?
}

#[tokio::test]
async fn a_body_is_refused_before_it_is_read() {
    let server = Server::start(Limits::default(), Some("admin-secret".to_owned()));
    // No admin token: 401 at once, although the body never comes.
    let head = format!(
        "POST /api/v1/deals HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        truce_server::MAX_DEAL_BODY
    );
    assert_eq!(answer_to_head(server.addr, &head).await, Some(401));
    // A declared length over the limit: 413 at once, token or not.
    for token in ["", "Authorization: Bearer admin-secret\r\n"] {
        let head = format!(
            "POST /api/v1/deals HTTP/1.1\r\nHost: t\r\n{token}Content-Type: application/json\r\nContent-Length: 9223372036854775808\r\n\r\n"
        );
        assert_eq!(answer_to_head(server.addr, &head).await, Some(413));
    }
    // An append with no token, or an unknown one: 401 before the body.
    for token in ["", "Authorization: Bearer truce_nobody\r\n"] {
        let head = format!(
            "POST /api/v1/deals/d/events HTTP/1.1\r\nHost: t\r\n{token}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        );
        assert_eq!(answer_to_head(server.addr, &head).await, Some(401));
    }
    // Other routes: over 64 KiB declared is 413 at once.
    let head = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n";
    assert_eq!(answer_to_head(server.addr, head).await, Some(413));
}

#[tokio::test]
async fn beyond_the_body_budget_a_sender_is_told_to_retry() {
    let server = Server::start(Limits::default(), None);
    // Two stalled uploads of the largest deal fill the budget of POST
    // /deals (their bodies never come). With `Expect: 100-continue` the
    // service says `100 Continue` once it has reserved a body's room and
    // starts reading it: the readiness signal, instead of a pause.
    let expecting = format!(
        "POST /api/v1/deals HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        truce_server::MAX_DEAL_BODY
    );
    let mut holders = Vec::new();
    for _ in 0..truce_server::BODY_BUDGET / truce_server::MAX_DEAL_BODY {
        let mut s = TcpStream::connect(server.addr).await.expect("connect");
        s.write_all(expecting.as_bytes()).await.expect("write");
        let mut interim = Vec::new();
        let mut byte = [0u8];
        while !interim.ends_with(b"\r\n\r\n") {
            match tokio::time::timeout(Duration::from_secs(10), s.read(&mut byte)).await {
                Ok(Ok(1)) => interim.push(byte[0]),
                _ => break,
            }
        }
        let interim = String::from_utf8_lossy(&interim);
        assert!(
            interim.starts_with("HTTP/1.1 100 Continue\r\n"),
            "{interim}"
        );
        holders.push(s);
    }
    let head = format!(
        "POST /api/v1/deals HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        truce_server::MAX_DEAL_BODY
    );
    let mut third = TcpStream::connect(server.addr).await.expect("connect");
    third.write_all(head.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), third.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    assert!(answer.contains("retry-after: 1\r\n"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // Appends have their own budget: a small body is still read (and
    // refused for its token, not for room).
    let head = "POST /api/v1/deals/d/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    assert_eq!(answer_to_head(server.addr, head).await, Some(401));
    // The health of the service is untouched.
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    s.write_all(HEALTH).await.expect("write");
    assert_eq!(read_response(&mut s).await, Some(200));
    drop(holders);
}
