//! The room's overview at scale: a deal of 100,000 persons (50,000 per
//! side) with 5,000 events, the overview and the timeline answered over
//! loopback to a signed-in mediator.
//!
//! ```text
//! cargo run --release -p truce-server --example room_overview -- [PERSONS_PER_SIDE] [EVENTS]
//! ```
//!
//! Prints each page's answer time (median, p95, max of 20) and size.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

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

fn http(addr: SocketAddr, request: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (head.to_owned(), body.to_owned())
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
    let db = std::env::temp_dir().join(format!("truce-room-bench-{}.db", std::process::id()));
    let (addr, handle) = truce_server::start_in_process(&db.display().to_string())
        .await
        .expect("service");
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
    for view in ["overview", "timeline"] {
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
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{view}: {} persons, {events} events: median {:.1} ms, p95 {:.1} ms, max {:.1} ms, {size} bytes",
            2 * per_side,
            ms(times[10]),
            ms(times[18]),
            ms(times[19])
        );
    }
    handle.shutdown().await;
    let _ = std::fs::remove_file(&db);
}
