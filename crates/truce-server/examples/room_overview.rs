//! The room at scale: a deal of 100,000 persons (50,000 per side) with
//! 5,000 events; the overview and the timeline answered over loopback to a
//! signed-in mediator; then VIEWERS open live streams (the timeline's and
//! the overview's server-sent events) while LIVE more events are recorded,
//! and each event's delay from the start of its `record` to its arrival on
//! every stream is taken.
//!
//! ```text
//! cargo run --release -p truce-server --example room_overview -- [PERSONS_PER_SIDE] [EVENTS] [VIEWERS] [LIVE]
//! ```
//!
//! Prints each page's answer time (median, p95, max of 20), its size plain
//! and compressed, and the live delays (median, p99, max, missed). Bounded:
//! the streams are read for at most 20 s. All viewers come from 127.0.0.1,
//! so the service runs with a per-peer connection cap above VIEWERS (as an
//! operator behind a proxy would set `--max-connections-per-peer`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use truce_ledger::{DealId, Event, KeyRing, PartyId, PartyRole, Role, keygen, sign_agreement};
use truce_server::client::Client;

const PARTIES: [(&str, Role); 6] = [
    ("mediator", Role::Mediator),
    ("side-a", Role::Side),
    ("side-b", Role::Side),
    ("relief", Role::Intermediary),
    ("guarantor", Role::Guarantor),
    ("monitor", Role::Observer),
];

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("party id")
}

fn http(addr: SocketAddr, request: &str) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).expect("read");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let body = answer.get(split + 4..).unwrap_or_default().to_vec();
    (head, body)
}

/// One viewer's live stream: the arrival time of each event id it reads,
/// until `until`. Sends `()` on `ready` once the stream has opened.
async fn viewer(
    addr: SocketAddr,
    session: String,
    after: u64,
    ready: tokio::sync::mpsc::Sender<()>,
    until: Instant,
) -> Vec<(u64, Instant)> {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET /room/stream?after={after} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nCookie: truce_session={session}\r\n\r\n"
    );
    s.write_all(request.as_bytes()).await.expect("send");
    let mut lines = BufReader::new(s).lines();
    let mut seen = Vec::new();
    let mut opened = false;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let Ok(Ok(Some(line))) = tokio::time::timeout(left, lines.next_line()).await else {
            return seen;
        };
        if !opened && line.starts_with(": live") {
            opened = true;
            let _ = ready.send(()).await;
        }
        if let Some(id) = line
            .strip_prefix("id: ")
            .and_then(|i| i.trim().parse().ok())
        {
            seen.push((id, Instant::now()));
        }
    }
}

fn cookie(head: &str, name: &str) -> String {
    head.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        .expect("cookie")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let per_side: usize = args
        .next()
        .map_or(50_000, |a| a.parse().expect("persons per side"));
    let events: usize = args.next().map_or(5_000, |a| a.parse().expect("events"));
    let viewers: usize = args.next().map_or(200, |a| a.parse().expect("viewers"));
    let live: usize = args.next().map_or(30, |a| a.parse().expect("live events"));
    let db = std::env::temp_dir().join(format!("truce-room-bench-{}.db", std::process::id()));
    let store = truce_store::Store::open(&db.display().to_string())
        .await
        .expect("store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = truce_server::Limits {
        max_connections_per_peer: truce_server::MAX_CONNECTIONS,
        ..truce_server::Limits::default()
    };
    let server = tokio::spawn(truce_server::serve_with(
        listener,
        truce_server::AppState::new(store, None),
        limits,
        async {
            let _ = stopped.await;
        },
    ));
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let keys: Vec<_> = PARTIES
        .iter()
        .map(|(p, _)| keygen(party(p), &mut rng))
        .collect();
    let key = |p: &str| keys.iter().find(|k| k.party().as_str() == p).expect("key");
    let ring = KeyRing::of(&keys).expect("ring");
    let mut persons = Vec::new();
    for (holder, prefix, category) in [("side-a", "A", "child"), ("side-b", "B", "detainee-minor")]
    {
        for i in 1..=per_side {
            persons.push(serde_json::json!({"id": format!("{prefix}-{i:06}"), "holder": holder, "category": category, "group": null}));
        }
    }
    let parties: Vec<_> = PARTIES
        .iter()
        .map(|(id, role)| serde_json::json!({"id": id, "role": role.as_str(), "capacity_per_day": null, "handovers_per_day": null}))
        .collect();
    let deal = serde_json::json!({
        "format_version": 1, "name": "Bench pause", "parties": parties,
        "pause": {"days": 3, "extension": null},
        "categories": [{"id": "child", "tier": 1}, {"id": "detainee-minor", "tier": 1}],
        "persons": persons,
        "release": {"priority": "tier", "keep_groups_together": true, "max_exposure": null, "via": "relief"}
    });
    let mut client = Client::connect(addr).await.expect("client");
    let created = client
        .create_deal(
            &serde_json::json!({"id": "bench", "deal": deal,
                "keys": serde_json::from_str::<serde_json::Value>(&ring.to_json()).expect("keys")}),
            None,
        )
        .await
        .expect("deal");
    let token = |p: &str| {
        created
            .tokens
            .iter()
            .find(|t| t.party.as_str() == p)
            .expect("token")
            .token
            .clone()
    };
    let id = DealId::new("bench").expect("id");
    let deal_hash = created.deal_hash;
    let plan = serde_json::json!({"format_version": 1, "deal": "Bench pause", "status": "optimal", "gap": 0.0,
        "released": {"side-a": 1, "side-b": 1}, "days_used": 1, "max_exposure": 0.0,
        "stages": [{"day": 1, "handovers": [
            {"from": "side-a", "via": "relief", "persons": ["A-000001"]},
            {"from": "side-b", "via": "relief", "persons": ["B-000001"]}]}]});
    let kept = client
        .keep_plan(&id, &token("mediator"), &plan.to_string())
        .await
        .expect("plan");
    let signatures = ["side-a", "side-b"]
        .map(|s| sign_agreement(key(s), &id, &deal_hash))
        .to_vec();
    let setup = vec![
        Event::DealCreated {
            name: "Bench pause".to_owned(),
            parties: PARTIES
                .iter()
                .map(|(p, r)| PartyRole {
                    id: party(p),
                    role: *r,
                })
                .collect(),
        },
        Event::NegotiationStarted {},
        Event::DealAgreed {
            deal_hash,
            signatures,
        },
        Event::PlanAdopted {
            days: 3,
            plan_hash: kept.plan_hash,
        },
        Event::PauseStarted {},
    ];
    let n_setup = setup.len();
    for event in setup {
        client
            .record(&id, &token("mediator"), key("mediator"), 1, event)
            .await
            .expect("setup");
    }
    let started = Instant::now();
    for i in n_setup..events {
        let ev = Event::BreachReported {
            against: party("side-a"),
            summary: format!("report {i}"),
        };
        client
            .record(&id, &token("guarantor"), key("guarantor"), 2, ev)
            .await
            .expect("event");
    }
    eprintln!(
        "{events} events recorded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (_, code) = client
        .call("POST", "/room/signin-codes", Some(&token("mediator")), None)
        .await
        .expect("code");
    let code: serde_json::Value = serde_json::from_slice(&code).expect("json");
    let code = code["code"].as_str().expect("code");
    let (head, _) = http(
        addr,
        "GET /room/signin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let pre = cookie(&head, "truce_signin");
    let body = format!("csrf={pre}&code={code}");
    let (head, _) = http(
        addr,
        &format!(
            "POST /room/signin HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: truce_signin={pre}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    let session = cookie(&head, "truce_session");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    // The timeline comes in pages of 100: the newest, and one in the middle.
    let middle = format!("timeline?before={}", events / 2);
    for view in ["overview", "timeline", middle.as_str()] {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..20 {
            let t = Instant::now();
            let (_, page) = http(
                addr,
                &format!(
                    "GET /room/{view} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: truce_session={session}\r\n\r\n"
                ),
            );
            times.push(t.elapsed());
            size = page.len();
        }
        times.sort();
        let mut compressed = Vec::new();
        for encoding in ["gzip", "br"] {
            let (head, page) = http(
                addr,
                &format!(
                    "GET /room/{view} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept-Encoding: {encoding}\r\nCookie: truce_session={session}\r\n\r\n"
                ),
            );
            assert!(
                head.contains(&format!("content-encoding: {encoding}")),
                "{head}"
            );
            compressed.push(format!("{} bytes {encoding}", page.len()));
        }
        println!(
            "{view}: {} persons, {events} events: median {:.1} ms, p95 {:.1} ms, max {:.1} ms, {size} bytes ({})",
            2 * per_side,
            ms(times[10]),
            ms(times[18]),
            ms(times[19]),
            compressed.join(", ")
        );
    }

    // Live: VIEWERS streams open, then LIVE events, one every 250 ms.
    let head = events as u64;
    let until = Instant::now() + Duration::from_secs(20);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(viewers.max(1));
    let mut streams = Vec::new();
    for _ in 0..viewers {
        streams.push(tokio::spawn(viewer(
            addr,
            session.clone(),
            head,
            ready_tx.clone(),
            until,
        )));
    }
    drop(ready_tx);
    let mut open = 0;
    while open < viewers && ready_rx.recv().await.is_some() {
        open += 1;
    }
    let mut sent = Vec::new();
    let live_started = Instant::now();
    for i in 0..live {
        let t = Instant::now();
        let (signed, _) = client
            .record(
                &id,
                &token("guarantor"),
                key("guarantor"),
                2,
                Event::BreachReported {
                    against: party("side-b"),
                    summary: format!("live report {i}"),
                },
            )
            .await
            .expect("live event");
        sent.push((signed.seq, t));
        tokio::time::sleep(Duration::from_millis(250).saturating_sub(t.elapsed())).await;
    }
    let live_took = live_started.elapsed();
    let mut delays = Vec::new();
    let mut missed = 0;
    // Every stream is read until it ends (the service closes a stream
    // after 15 s; the browser reconnects) or `until`.
    let mut results = Vec::new();
    for stream in streams {
        let deadline = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(deadline + Duration::from_secs(1), stream).await {
            Ok(Ok(seen)) => results.push(seen),
            _ => results.push(Vec::new()),
        }
    }
    for seen in &results {
        for (seq, t) in &sent {
            match seen.iter().find(|(s, _)| s == seq) {
                Some((_, at)) => delays.push(at.saturating_duration_since(*t)),
                None => missed += 1,
            }
        }
    }
    delays.sort();
    let pick = |q: f64| {
        delays
            .get(((delays.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "live: {open} of {viewers} streams open, {live} events in {:.1} s: from record to each stream median {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} arrivals, {missed} missed)",
        live_took.as_secs_f64(),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(delays.last().copied().unwrap_or_default()),
        delays.len()
    );
    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_file(&db);
}
