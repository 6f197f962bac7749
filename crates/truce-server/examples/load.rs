//! Load benchmark: signed events per second and latency percentiles,
//! through loopback HTTP into the in-process server and its database.
//!
//! ```text
//! cargo run --release -p truce-server --example load -- [DATABASE_URL] [DEALS] [EVENTS_PER_DEAL]
//! ```
//!
//! Defaults: a fresh SQLite file in the temp dir, 32 deals, 250 events per
//! deal (8,000 events). Each deal is driven by its own connection, one
//! event at a time (a chain is sequential); the deals run concurrently.
//! Every event is signed *before* the clock starts (the client can compute
//! each next `prev` itself), so the figure is the server's: parse, verify
//! the signature and lifecycle, commit durably, answer. Results go to
//! stdout; `BENCH-NOTES.md` records runs.

use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use truce_ledger::{
    CategoryId, DealId, Draft, Event, Hash, KeyRing, PartyId, PartyKey, PartyRole, PersonId,
    PersonKey, Role, keygen, sign_agreement,
};

use truce_server::client::Client;

const PARTIES: [(&str, Role); 4] = [
    ("mediator", Role::Mediator),
    ("side-a", Role::Side),
    ("side-b", Role::Side),
    ("relief", Role::Intermediary),
];

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("party id")
}

struct Deal {
    id: DealId,
    tokens: Vec<(String, String)>,
    lines: Vec<(String, String)>, // (author, signed line)
}

impl Deal {
    fn token(&self, party: &str) -> &str {
        &self
            .tokens
            .iter()
            .find(|(p, _)| p == party)
            .expect("token")
            .1
    }
}

/// Create a deal, then sign its whole chain: 5 events to `active`, then
/// `events` one-person handovers.
async fn prepare(client: &mut Client, keys: &[PartyKey], n: usize, events: usize) -> Deal {
    let id = format!("load-{n}-{}", std::process::id());
    let persons: Vec<_> = (1..=events)
        .map(|i| serde_json::json!({"id": format!("A-{i:05}"), "holder": "side-a", "category": "child", "group": null}))
        .collect();
    let deal_json = serde_json::json!({
        "name": "Load", "parties": PARTIES.iter().map(|(id, r)| serde_json::json!({"id": id, "role": r.as_str()})).collect::<Vec<_>>(),
        "pause": {"days": 10},
        "categories": [{"id": "child", "tier": 1}],
        "persons": persons,
        "release": {"priority": "strict", "keep_groups_together": true},
    });
    // The plan the handovers carry out: every person on day 1.
    let plan = serde_json::json!({
        "status": "optimal", "days_used": 1,
        "stages": [{"day": 1, "handovers": [{"from": "side-a", "via": "relief",
            "persons": (1..=events).map(|i| format!("A-{i:05}")).collect::<Vec<_>>()}]}],
    });
    let ring = KeyRing::of(keys).expect("ring");
    let body = serde_json::json!({"id": id, "deal": deal_json, "keys": serde_json::from_str::<serde_json::Value>(&ring.to_json()).expect("keys")});
    let (status, bytes) = client
        .call("POST", "/api/v1/deals", None, Some(body.to_string()))
        .await
        .expect("create");
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&bytes));
    let created: truce_server::CreatedDeal = serde_json::from_slice(&bytes).expect("created");
    let deal_id = created.deal.clone();
    let deal_hash = created.deal_hash;
    let person_key = PersonKey::from_hex(&created.person_key).expect("person key");
    let key = |p: &str| keys.iter().find(|k| k.party().as_str() == p).expect("key");
    let mediator_token = created
        .tokens
        .iter()
        .find(|t| t.party.as_str() == "mediator")
        .expect("mediator token")
        .token
        .clone();
    client
        .keep_plan(&deal_id, &mediator_token, &plan.to_string())
        .await
        .expect("keep the plan");
    let plan_hash = Hash::of_canonical(&plan).expect("plan hash");

    let parties = PARTIES
        .iter()
        .map(|(id, role)| PartyRole {
            id: party(id),
            role: *role,
        })
        .collect();
    let signatures = ["side-a", "side-b"]
        .map(|s| sign_agreement(key(s), &deal_id, &deal_hash))
        .to_vec();
    let mut chain: Vec<(&str, Event)> = vec![
        (
            "mediator",
            Event::DealCreated {
                name: "Load".to_owned(),
                parties,
            },
        ),
        ("mediator", Event::NegotiationStarted {}),
        (
            "mediator",
            Event::DealAgreed {
                deal_hash,
                signatures,
            },
        ),
        (
            "mediator",
            Event::PlanAdopted {
                days: 10,
                plan_hash,
            },
        ),
        ("mediator", Event::PauseStarted {}),
    ];
    for i in 1..=events {
        chain.push((
            "relief",
            Event::HandoverRecorded {
                counts: Some(
                    [(CategoryId::new("child").expect("category"), 1)]
                        .into_iter()
                        .collect(),
                ),
                day: 1,
                holder: party("side-a"),
                pseudonyms: vec![person_key.pseudonym(
                    &deal_id,
                    &PersonId::new(&format!("A-{i:05}")).expect("person"),
                )],
                to: party("side-b"),
            },
        ));
    }
    let mut prev = None;
    let mut lines = Vec::new();
    for (i, (author, event)) in chain.into_iter().enumerate() {
        let draft = Draft {
            deal: deal_id.clone(),
            seq: i as u64 + 1,
            prev,
            author: party(author),
            at_ms: 1_772_431_200_000 + i as u64,
            event,
        };
        let signed = draft.sign(key(author)).expect("sign");
        prev = Some(signed.hash().expect("hash"));
        lines.push((author.to_owned(), signed.to_line().expect("line")));
    }
    let tokens = created
        .tokens
        .into_iter()
        .map(|t| (t.party.to_string(), t.token))
        .collect();
    Deal {
        id: deal_id,
        tokens,
        lines,
    }
}

async fn post(client: &mut Client, deal: &Deal, author: &str, line: String) -> Duration {
    let path = format!("/api/v1/deals/{}/events", deal.id);
    let start = Instant::now();
    let (status, body) = client
        .call("POST", &path, Some(deal.token(author)), Some(line))
        .await
        .expect("post");
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    start.elapsed()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let default_db = std::env::temp_dir().join(format!("truce-load-{}.db", std::process::id()));
    let url = args
        .first()
        .cloned()
        .unwrap_or_else(|| default_db.display().to_string());
    let deals: usize = args.get(1).map_or(32, |s| s.parse().expect("DEALS"));
    let events: usize = args
        .get(2)
        .map_or(250, |s| s.parse().expect("EVENTS_PER_DEAL"));

    let (addr, handle) = truce_server::start_in_process(&url).await.expect("server");
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let keys: Vec<PartyKey> = PARTIES
        .iter()
        .map(|(id, _)| keygen(party(id), &mut rng))
        .collect();
    let mut setup = Client::connect(addr).await.expect("connect");
    let mut prepared = Vec::new();
    for n in 0..deals {
        let mut deal = prepare(&mut setup, &keys, n, events).await;
        let load = deal.lines.split_off(5);
        for (author, line) in std::mem::take(&mut deal.lines) {
            post(&mut setup, &deal, &author, line).await;
        }
        deal.lines = load;
        prepared.push(deal);
    }

    let start = Instant::now();
    let mut tasks = Vec::new();
    for mut deal in prepared {
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(addr).await.expect("connect");
            let mut latencies = Vec::with_capacity(deal.lines.len());
            for (author, line) in std::mem::take(&mut deal.lines) {
                latencies.push(post(&mut client, &deal, &author, line).await);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("task"));
    }
    let elapsed = start.elapsed();
    handle.shutdown().await;

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let backend = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    println!(
        "{backend}: {} events from {deals} concurrent deals in {:.2} s: {:.0} events/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*latencies.last().expect("events")),
    );
}
