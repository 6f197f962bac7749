//! A deal's life through the API, and the export verifying offline.

use axum::http::StatusCode;
use truce_ledger::{Event, KeyRing, verify};

use crate::support::*;

#[tokio::test]
async fn a_deal_runs_to_completion_and_its_export_verifies() {
    let app = test_app().await;
    let deal = create_deal(&app, 4).await;
    activate(&app, &deal).await;
    let h = record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001", "A-0002"]),
    )
    .await;
    record(
        &app,
        &deal,
        "side-b",
        Event::HandoverConfirmed { handover: h.seq },
    )
    .await;
    let h = record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-b", "side-a", &["B-0001"]),
    )
    .await;
    record(
        &app,
        &deal,
        "side-a",
        Event::HandoverConfirmed { handover: h.seq },
    )
    .await;
    record(&app, &deal, "mediator", Event::Completed {}).await;

    let s = state(&app, &deal).await;
    assert_eq!((s.phase.as_str(), s.next_seq), ("completed", 11));

    let uri = format!("/api/v1/deals/{}/ledger.jsonl", deal.id);
    let reply = send(
        &app,
        request("GET", &uri, Some(deal.token("mediator")), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "application/x-ndjson");
    let report = verify(&reply.text, &KeyRing::of(&deal.keys).unwrap()).unwrap();
    assert!(report.intact, "{}", report.render_text());
    assert_eq!(report.events, 10);
}

#[tokio::test]
async fn health_names_the_database() {
    let app = test_app().await;
    let reply = send(&app, request("GET", "/api/v1/health", None, None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let want = if cfg!(feature = "postgres-tests") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(reply.body["database"], want);
}

#[tokio::test]
async fn a_restarted_server_continues_the_chain_from_the_database() {
    let url = database_url();
    let store = truce_store::Store::open(&url).await.unwrap();
    let app = truce_server::app(truce_server::AppState::new(store, None));
    let deal = create_deal(&app, 2).await;
    activate(&app, &deal).await;
    drop(app);
    let store = truce_store::Store::open(&url).await.unwrap();
    let app = truce_server::app(truce_server::AppState::new(store, None));
    record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    assert_eq!(state(&app, &deal).await.next_seq, 7);
}

#[tokio::test]
async fn deal_created_must_list_the_registered_parties_and_roles() {
    let app = test_app().await;
    let deal = create_deal(&app, 1).await;
    let (_, Event::DealCreated { name, mut parties }) = to_active(&deal).remove(0) else {
        unreachable!("the first event is deal-created")
    };
    parties[5].role = truce_ledger::Role::Guarantor; // monitor is an observer
    let ev = sign_next(
        &app,
        &deal,
        "mediator",
        Event::DealCreated { name, parties },
    )
    .await;
    let reply = post_event(&app, &deal, "mediator", &ev).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["kind"], "parties-mismatch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_server_answers_over_loopback() {
    let (addr, handle) = truce_server::start_in_process(&database_url())
        .await
        .unwrap();
    assert!(addr.ip().is_loopback());
    let mut client = truce_server::client::Client::connect(addr).await.unwrap();
    let (status, body) = client
        .call("GET", "/api/v1/health", None, None)
        .await
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    handle.shutdown().await;
}

/// Sixteen clients sign different events for the same seq at once: one is
/// stored, every other gets 409, and the chain has no fork.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_appends_to_one_seq_store_exactly_one() {
    let app = test_app().await;
    let deal = create_deal(&app, 1).await;
    activate(&app, &deal).await;
    let s = state(&app, &deal).await;
    let mut tasks = Vec::new();
    for days in 1..=16 {
        let ev = sign_at(
            &deal,
            "mediator",
            s.next_seq,
            s.head,
            Event::Extended { days },
        );
        let (app, deal) = (app.clone(), deal.clone());
        tasks.push(tokio::spawn(async move {
            post_event(&app, &deal, "mediator", &ev).await.status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap().as_u16());
    }
    statuses.sort();
    assert_eq!(statuses, [vec![201], vec![409; 15]].concat());
    assert_eq!(state(&app, &deal).await.next_seq, s.next_seq + 1);
}

/// Route limits override the 64 KiB default: a deal of 4,000 persons
/// (~400 KB) is created, and its view lists a side's own roster.
#[tokio::test]
async fn a_large_deal_fits_under_its_route_limit() {
    let app = test_app().await;
    let deal = create_deal(&app, 2000).await;
    let uri = format!("/api/v1/deals/{}", deal.id);
    let reply = send(&app, request("GET", &uri, Some(deal.token("side-a")), None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body["terms"]["persons"].as_array().unwrap().len(),
        2000
    );
}

/// Two servers on one database (PostgreSQL in deployment): what one
/// appends, the other's reads show, and a client signing against a stale
/// head gets 409, not a fork.
#[tokio::test]
async fn two_servers_on_one_database_agree() {
    let url = database_url();
    let node = |store| truce_server::app(truce_server::AppState::new(store, None));
    let a = node(truce_store::Store::open(&url).await.unwrap());
    let b = node(truce_store::Store::open(&url).await.unwrap());
    let deal = create_deal(&a, 1).await;
    activate(&a, &deal).await;
    let stale = state(&b, &deal).await; // b now holds the chain in memory
    record(&a, &deal, "mediator", Event::Extended { days: 1 }).await;
    assert_eq!(state(&b, &deal).await.next_seq, stale.next_seq + 1);

    let s = state(&a, &deal).await;
    let on_a = sign_at(
        &deal,
        "mediator",
        s.next_seq,
        s.head,
        Event::Extended { days: 2 },
    );
    let on_b = sign_at(
        &deal,
        "mediator",
        s.next_seq,
        s.head,
        Event::Extended { days: 3 },
    );
    assert_eq!(
        post_event(&a, &deal, "mediator", &on_a).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        post_event(&b, &deal, "mediator", &on_b).await.status,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn a_person_key_brought_by_the_mediator_is_the_deals() {
    let app = test_app().await;
    let id = unique("keyed");
    let mut body = create_body(&id, 2);
    let key = truce_ledger::PersonKey::from_bytes([3; 32]);
    body["person_key"] = key.to_hex().to_uppercase().into();
    let reply = send(
        &app,
        request("POST", "/api/v1/deals", None, Some(body.to_string())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let deal = TestDeal::from_created(serde_json::from_value(reply.body).unwrap());
    assert_eq!(deal.person_key, key);

    // Without one, each deal gets its own from the operating system.
    let (a, b) = (create_deal(&app, 1).await, create_deal(&app, 1).await);
    assert_ne!(a.person_key, b.person_key);

    let view = send(
        &app,
        request(
            "GET",
            &format!("/api/v1/deals/{}", deal.id),
            Some(deal.token("relief")),
            None,
        ),
    )
    .await;
    assert_eq!(view.body["person_key"], key.to_hex());
}

#[tokio::test]
async fn a_refused_handover_leaves_the_chain_as_it_was() {
    let app = test_app().await;
    let deal = create_deal(&app, 2).await;
    activate(&app, &deal).await;
    let s = state(&app, &deal).await;
    // B-0001 is side-b's: not side-a's to hand over.
    let wrong = sign_next(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001", "B-0001"]),
    )
    .await;
    let reply = post_event(&app, &deal, "relief", &wrong).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["kind"], "unknown-person");
    assert_eq!(state(&app, &deal).await.next_seq, s.next_seq);

    // The same seq takes a good handover, and A-0001 was not marked as
    // handed over by the refused one.
    record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001", "A-0002"]),
    )
    .await;
    let uri = format!("/api/v1/deals/{}/events?after={}", deal.id, s.next_seq - 1);
    let page = send(&app, request("GET", &uri, Some(deal.token("side-b")), None)).await;
    assert_eq!(
        page.body["events"][0]["persons"],
        serde_json::json!(["A-0001", "A-0002"])
    );
}

#[tokio::test]
async fn the_sides_must_agree_the_deal_that_was_stored() {
    let app = test_app().await;
    let deal = create_deal(&app, 1).await;
    keep_plan(&app, &deal).await;
    let mut steps = to_active(&deal);
    let rest = steps.split_off(2);
    for (author, event) in steps {
        record(&app, &deal, author, event).await;
    }
    // Both sides signed, validly, another text's hash.
    let other = truce_ledger::Hash::of(b"another deal text");
    let signatures = ["side-a", "side-b"]
        .map(|s| truce_ledger::sign_agreement(key_of(&deal.keys, s), &deal.id, &other))
        .to_vec();
    let ev = sign_next(
        &app,
        &deal,
        "mediator",
        Event::DealAgreed {
            deal_hash: other,
            signatures,
        },
    )
    .await;
    let reply = post_event(&app, &deal, "mediator", &ev).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.body["kind"], "wrong-deal-hash");
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("the sides signed a different deal than the one stored: "),
        "{detail}"
    );
    assert!(detail.contains(&deal.deal_hash.to_string()), "{detail}");
    assert_eq!(state(&app, &deal).await.phase, "negotiating");

    // The stored deal's hash is agreed.
    for (author, event) in rest {
        record(&app, &deal, author, event).await;
    }
    let s = state(&app, &deal).await;
    assert_eq!(s.phase, "active");
    assert_eq!(s.agreed_deal_hash, Some(deal.deal_hash));
}
