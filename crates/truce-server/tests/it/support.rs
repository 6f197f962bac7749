//! A test deal, its keys and signed events, and requests through
//! `app().oneshot()`.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use tower::ServiceExt;
use truce_ledger::{
    DealId, Draft, Event, Hash, KeyRing, PartyId, PartyKey, PartyRole, PersonId, PersonKey, Role,
    SignedEvent, keygen, sign_agreement,
};
use truce_server::{AppState, CreatedDeal, StateView};

pub use truce_test_support::scratch::unique;

/// The database URL tests run against: a fresh SQLite file, or PostgreSQL.
pub fn database_url() -> String {
    truce_test_support::database_url(cfg!(feature = "postgres-tests"), "truce-server-tests")
}

pub async fn test_app() -> Router {
    app_on(&database_url()).await
}

/// A server over the database at `url` (two on one URL are two replicas).
pub async fn app_on(url: &str) -> Router {
    let store = truce_store::Store::open(url).await.expect("store");
    truce_server::app(AppState::new(store, None))
}

/// The parties of the test deal: (id, role).
pub const PARTIES: [(&str, Role); 6] = [
    ("mediator", Role::Mediator),
    ("side-a", Role::Side),
    ("side-b", Role::Side),
    ("relief", Role::Intermediary),
    ("guarantor", Role::Guarantor),
    ("monitor", Role::Observer),
];

pub fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("party id")
}

/// Fixed keys (seeded), so snapshots are stable.
pub fn keys() -> Vec<PartyKey> {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    PARTIES
        .iter()
        .map(|(id, _)| keygen(party(id), &mut rng))
        .collect()
}

pub fn key_of<'a>(keys: &'a [PartyKey], id: &str) -> &'a PartyKey {
    keys.iter().find(|k| k.party().as_str() == id).expect("key")
}

/// A normalised deal JSON with `persons_per_side` persons per side
/// (`A-0001…`, `B-0001…`).
pub fn deal_json(persons_per_side: usize) -> serde_json::Value {
    let parties: Vec<_> = PARTIES
        .iter()
        .map(|(id, role)| serde_json::json!({"id": id, "role": role.as_str(), "capacity_per_day": null, "handovers_per_day": null}))
        .collect();
    let mut persons = Vec::new();
    for (holder, prefix, category) in [("side-a", "A", "child"), ("side-b", "B", "detainee-minor")]
    {
        for i in 1..=persons_per_side {
            persons.push(serde_json::json!({"id": format!("{prefix}-{i:04}"), "holder": holder, "category": category, "group": null}));
        }
    }
    serde_json::json!({
        "format_version": 1,
        "name": "Test pause",
        "parties": parties,
        "pause": {"days": 3, "extension": {"per_releases": 1, "by": "side-a", "max_days": 10}},
        "categories": [{"id": "child", "tier": 1}, {"id": "detainee-minor", "tier": 1}],
        "persons": persons,
        "release": {"priority": "tier", "keep_groups_together": true, "max_exposure": null, "via": "relief"}
    })
}

pub fn create_body(id: &str, persons_per_side: usize) -> serde_json::Value {
    let ring = KeyRing::of(&keys()).expect("ring");
    serde_json::json!({
        "id": id,
        "deal": deal_json(persons_per_side),
        "keys": serde_json::from_str::<serde_json::Value>(&ring.to_json()).expect("keys json"),
    })
}

/// A response: status, content type and body as JSON (or a JSON string
/// holding the text).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: serde_json::Value,
    pub text: String,
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::String(text.clone()));
    Reply {
        status,
        content_type,
        body,
        text,
    }
}

pub fn request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        r = r.header(header::CONTENT_TYPE, "application/json");
    }
    r.body(body.map_or_else(Body::empty, Body::from))
        .expect("request")
}

/// A created deal seen from the tests: its id, hash, person key and
/// tokens by party.
#[derive(Debug, Clone)]
pub struct TestDeal {
    pub id: DealId,
    pub deal_hash: Hash,
    pub person_key: PersonKey,
    pub tokens: Vec<(String, String)>,
    pub keys: Vec<PartyKey>,
}

impl TestDeal {
    /// The deal as `POST /deals` answered it.
    pub fn from_created(created: CreatedDeal) -> TestDeal {
        TestDeal {
            id: created.deal,
            deal_hash: created.deal_hash,
            person_key: PersonKey::from_hex(&created.person_key).expect("person key"),
            tokens: created
                .tokens
                .into_iter()
                .map(|t| (t.party.to_string(), t.token))
                .collect(),
            keys: keys(),
        }
    }
}

impl TestDeal {
    pub fn token(&self, party: &str) -> &str {
        &self
            .tokens
            .iter()
            .find(|(p, _)| p == party)
            .expect("token")
            .1
    }
}

pub async fn create_deal(app: &Router, persons_per_side: usize) -> TestDeal {
    let id = unique("deal");
    let body = create_body(&id, persons_per_side).to_string();
    let reply = send(app, request("POST", "/api/v1/deals", None, Some(body))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let created: CreatedDeal = serde_json::from_value(reply.body).expect("created");
    TestDeal::from_created(created)
}

pub async fn state(app: &Router, deal: &TestDeal) -> StateView {
    let uri = format!("/api/v1/deals/{}/state", deal.id);
    let reply = send(
        app,
        request("GET", &uri, Some(deal.token("mediator")), None),
    )
    .await;
    serde_json::from_value(reply.body).expect("state")
}

/// `event` by `author`, signed against the deal's current head.
pub async fn sign_next(app: &Router, deal: &TestDeal, author: &str, event: Event) -> SignedEvent {
    let s = state(app, deal).await;
    sign_at(deal, author, s.next_seq, s.head, event)
}

pub fn sign_at(
    deal: &TestDeal,
    author: &str,
    seq: u64,
    head: Option<Hash>,
    event: Event,
) -> SignedEvent {
    let draft = Draft {
        deal: deal.id.clone(),
        seq,
        prev: head,
        author: party(author),
        at_ms: 1_772_431_200_000 + seq * 1000,
        event,
    };
    draft.sign(key_of(&deal.keys, author)).expect("sign")
}

pub async fn post_event(app: &Router, deal: &TestDeal, token_of: &str, ev: &SignedEvent) -> Reply {
    let uri = format!("/api/v1/deals/{}/events", deal.id);
    let body = ev.to_line().expect("line");
    send(
        app,
        request("POST", &uri, Some(deal.token(token_of)), Some(body)),
    )
    .await
}

/// Sign and append as `author`, expecting success.
pub async fn record(app: &Router, deal: &TestDeal, author: &str, event: Event) -> SignedEvent {
    let ev = sign_next(app, deal, author, event).await;
    let reply = post_event(app, deal, author, &ev).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    ev
}

/// The events that take a created deal to `active`.
pub fn to_active(deal: &TestDeal) -> Vec<(&'static str, Event)> {
    let parties = PARTIES
        .iter()
        .map(|(id, role)| PartyRole {
            id: party(id),
            role: *role,
        })
        .collect();
    let signatures = ["side-a", "side-b"]
        .map(|s| sign_agreement(key_of(&deal.keys, s), &deal.id, &deal.deal_hash))
        .to_vec();
    vec![
        (
            "mediator",
            Event::DealCreated {
                name: "Test pause".to_owned(),
                parties,
            },
        ),
        ("mediator", Event::NegotiationStarted {}),
        (
            "mediator",
            Event::DealAgreed {
                deal_hash: deal.deal_hash,
                signatures,
            },
        ),
        (
            "mediator",
            Event::PlanAdopted {
                days: 3,
                plan_hash: plan_hash(),
            },
        ),
        ("mediator", Event::PauseStarted {}),
    ]
}

/// The test deal's plan: on day 1, side-a releases A-0001 and side-b
/// releases B-0001 (every test deal has them).
pub fn test_plan() -> serde_json::Value {
    serde_json::json!({
        "format_version": 1,
        "deal": "Test pause",
        "status": "optimal",
        "gap": 0.0,
        "released": {"side-a": 1, "side-b": 1},
        "days_used": 1,
        "max_exposure": 0.0,
        "stages": [{"day": 1, "handovers": [
            {"from": "side-a", "via": "relief", "persons": ["A-0001"]},
            {"from": "side-b", "via": "relief", "persons": ["B-0001"]}
        ]}]
    })
}

/// A plan for the test deal amended to a four-day pause: day 1 as
/// [`test_plan`], then A-0002 and B-0002 on day 2 (a day the first plan
/// did not have).
pub fn replanned_plan() -> serde_json::Value {
    serde_json::json!({
        "format_version": 1,
        "deal": "Test pause",
        "status": "optimal",
        "gap": 0.0,
        "released": {"side-a": 2, "side-b": 2},
        "days_used": 2,
        "max_exposure": 0.0,
        "stages": [
            {"day": 1, "handovers": [
                {"from": "side-a", "via": "relief", "persons": ["A-0001"]},
                {"from": "side-b", "via": "relief", "persons": ["B-0001"]}
            ]},
            {"day": 2, "handovers": [
                {"from": "side-a", "via": "relief", "persons": ["A-0002"]},
                {"from": "side-b", "via": "relief", "persons": ["B-0002"]}
            ]}
        ]
    })
}

/// The canonical hash the service keeps the test plan under.
pub fn plan_hash() -> Hash {
    Hash::of_canonical(&test_plan()).expect("plan hash")
}

/// The mediator hands the test plan to the service to keep.
pub async fn keep_plan(app: &Router, deal: &TestDeal) {
    let uri = format!("/api/v1/deals/{}/plans", deal.id);
    let reply = send(
        app,
        request(
            "POST",
            &uri,
            Some(deal.token("mediator")),
            Some(test_plan().to_string()),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["plan_hash"], plan_hash().to_string());
}

/// Create a deal through a real connection, keep its plan and take it to
/// `active`, each party signing its own events.
pub async fn active_over(
    client: &mut truce_server::client::Client,
    prefix: &str,
    persons_per_side: usize,
) -> TestDeal {
    let created = client
        .create_deal(&create_body(&unique(prefix), persons_per_side), None)
        .await
        .expect("created");
    let deal = TestDeal::from_created(created);
    client
        .keep_plan(&deal.id, deal.token("mediator"), &test_plan().to_string())
        .await
        .expect("the plan kept");
    for (author, event) in to_active(&deal) {
        client
            .record(
                &deal.id,
                deal.token(author),
                key_of(&deal.keys, author),
                0,
                event,
            )
            .await
            .expect("recorded");
    }
    deal
}

pub async fn activate(app: &Router, deal: &TestDeal) {
    keep_plan(app, deal).await;
    for (author, event) in to_active(deal) {
        record(app, deal, author, event).await;
    }
}

/// A day-1 handover of these persons of `deal`, named by pseudonym under
/// the deal's person key.
pub fn handover(deal: &TestDeal, holder: &str, to: &str, persons: &[&str]) -> Event {
    // The test deal's categories: side-a holds children, side-b detainees.
    let mut counts = std::collections::BTreeMap::new();
    for p in persons {
        let category = if p.starts_with('A') {
            "child"
        } else {
            "detainee-minor"
        };
        *counts
            .entry(truce_ledger::CategoryId::new(category).expect("category"))
            .or_insert(0u32) += 1;
    }
    Event::HandoverRecorded {
        counts: Some(counts),
        day: 1,
        holder: party(holder),
        pseudonyms: persons
            .iter()
            .map(|p| {
                deal.person_key
                    .pseudonym(&deal.id, &PersonId::new(p).expect("person"))
            })
            .collect(),
        to: party(to),
    }
}
