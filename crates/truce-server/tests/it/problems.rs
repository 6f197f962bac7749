//! Bad requests get clear 4xx problem+json answers (snapshots), never a 500,
//! and never quote what was sent.

use axum::http::StatusCode;
use truce_ledger::{Event, Hash};

use crate::support::*;

/// One bad request and its answer, as the snapshot shows it.
#[derive(serde::Serialize)]
struct Case {
    case: &'static str,
    status: u16,
    content_type: String,
    body: serde_json::Value,
}

async fn case(
    app: &axum::Router,
    name: &'static str,
    deal: &TestDeal,
    req: axum::http::Request<axum::body::Body>,
) -> Case {
    let reply = send(app, req).await;
    // Deal ids are unique per run; the snapshot shows a placeholder.
    let text = serde_json::to_string(&reply.body)
        .unwrap()
        .replace(deal.id.as_str(), "DEAL");
    Case {
        case: name,
        status: reply.status.as_u16(),
        content_type: reply.content_type,
        body: serde_json::from_str(&text).unwrap(),
    }
}

#[tokio::test]
async fn bad_requests_get_problem_json() {
    let app = test_app().await;
    let deal = create_deal(&app, 2).await;
    activate(&app, &deal).await;
    let events = format!("/api/v1/deals/{}/events", deal.id);
    let med = Some(deal.token("mediator"));
    let post =
        |uri: &str, token: Option<&str>, body: String| request("POST", uri, token, Some(body));

    let mut with_name = create_body("named", 1);
    with_name["deal"]["persons"][0]["id"] = "Alice Smith".into();
    let mut missing_key = create_body("keyless", 1);
    missing_key["keys"]["parties"].as_array_mut().unwrap().pop();
    let mut dup = create_body(deal.id.as_str(), 1);
    dup["id"] = deal.id.as_str().into();
    let mut bad_person_key = create_body("bad-person-key", 1);
    bad_person_key["person_key"] = "Alice Smith".into();
    let mut twice = create_body("twice", 2);
    twice["deal"]["persons"][1]["id"] = "A-0001".into();

    let s = state(&app, &deal).await;
    let head = s.head;
    let zeros = Hash::from_hex(&"00".repeat(32)).expect("a hash");
    let stale = sign_at(
        &deal,
        "mediator",
        s.next_seq,
        Some(zeros),
        Event::Extended { days: 1 },
    );
    let mut forged = sign_at(
        &deal,
        "side-a",
        s.next_seq,
        head,
        Event::Extended { days: 1 },
    );
    forged.author = party("mediator");
    let ahead = sign_at(
        &deal,
        "mediator",
        s.next_seq + 5,
        head,
        Event::Extended { days: 1 },
    );
    let wrong_phase = sign_at(
        &deal,
        "mediator",
        s.next_seq,
        head,
        Event::NegotiationStarted {},
    );
    let mut other_deal = sign_at(
        &deal,
        "mediator",
        s.next_seq,
        head,
        Event::Extended { days: 1 },
    );
    other_deal.deal = truce_ledger::DealId::new("another-deal").unwrap();
    // Handovers naming persons by pseudonyms the deal does not know: one
    // made under another key, one of a person side-b holds, sent as side-a's.
    let relief = Some(deal.token("relief"));
    let mut stranger = deal.clone();
    stranger.person_key = truce_ledger::PersonKey::from_bytes([7; 32]);
    let unknown = sign_at(
        &deal,
        "relief",
        s.next_seq,
        head,
        handover(&stranger, "side-a", "side-b", &["A-0001"]),
    );
    let not_held = sign_at(
        &deal,
        "relief",
        s.next_seq,
        head,
        handover(&deal, "side-a", "side-b", &["A-0001", "B-0001"]),
    );
    let replay = {
        let all = send(&app, request("GET", &events, med, None)).await;
        all.body["events"][4]["signed"].to_string()
    };

    let cases = vec![
        case(
            &app,
            "unknown path",
            &deal,
            request("GET", "/api/v1/nothing", None, None),
        )
        .await,
        case(
            &app,
            "wrong method",
            &deal,
            request("DELETE", "/api/v1/deals", None, None),
        )
        .await,
        case(
            &app,
            "no content type",
            &deal,
            axum::http::Request::post("/api/v1/deals")
                .body("{}".into())
                .unwrap(),
        )
        .await,
        case(
            &app,
            "not json",
            &deal,
            post("/api/v1/deals", None, "{\"id\": ".to_owned()),
        )
        .await,
        case(
            &app,
            "wrong shape",
            &deal,
            post(
                "/api/v1/deals",
                None,
                r#"{"id":"x","deal":{},"keys":{},"extra":"Alice Smith"}"#.to_owned(),
            ),
        )
        .await,
        case(
            &app,
            "a name where a person id belongs",
            &deal,
            post("/api/v1/deals", None, with_name.to_string()),
        )
        .await,
        case(
            &app,
            "a party without a key",
            &deal,
            post("/api/v1/deals", None, missing_key.to_string()),
        )
        .await,
        case(
            &app,
            "an existing deal id",
            &deal,
            post("/api/v1/deals", None, dup.to_string()),
        )
        .await,
        case(
            &app,
            "a malformed person key",
            &deal,
            post("/api/v1/deals", None, bad_person_key.to_string()),
        )
        .await,
        case(
            &app,
            "a person id listed twice",
            &deal,
            post("/api/v1/deals", None, twice.to_string()),
        )
        .await,
        case(&app, "no token", &deal, request("GET", &events, None, None)).await,
        case(
            &app,
            "a pseudonym of no person of the deal",
            &deal,
            post(&events, relief, unknown.to_line().unwrap()),
        )
        .await,
        case(
            &app,
            "a pseudonym of a person the holder does not hold",
            &deal,
            post(&events, relief, not_held.to_line().unwrap()),
        )
        .await,
        case(
            &app,
            "malformed event",
            &deal,
            post(&events, med, r#"{"seq":"Alice Smith"}"#.to_owned()),
        )
        .await,
        case(&app, "replayed event", &deal, post(&events, med, replay)).await,
        case(
            &app,
            "forged signature",
            &deal,
            post(&events, med, forged.to_line().unwrap()),
        )
        .await,
        case(
            &app,
            "out of order",
            &deal,
            post(&events, med, ahead.to_line().unwrap()),
        )
        .await,
        case(
            &app,
            "stale prev",
            &deal,
            post(&events, med, stale.to_line().unwrap()),
        )
        .await,
        case(
            &app,
            "lifecycle refuses",
            &deal,
            post(&events, med, wrong_phase.to_line().unwrap()),
        )
        .await,
        case(
            &app,
            "event of another deal",
            &deal,
            post(&events, med, other_deal.to_line().unwrap()),
        )
        .await,
        case(
            &app,
            "bad query",
            &deal,
            request("GET", &format!("{events}?after=-1"), med, None),
        )
        .await,
    ];
    for c in &cases {
        assert!((400..500).contains(&c.status), "{}: {}", c.case, c.status);
        assert_eq!(c.content_type, truce_server::PROBLEM_JSON, "{}", c.case);
        assert!(
            !c.body.to_string().contains("Alice"),
            "{} quotes the input",
            c.case
        );
        for person in ["A-0001", "B-0001"] {
            assert!(
                !c.body.to_string().contains(person),
                "{} names a person",
                c.case
            );
        }
    }
    insta::assert_json_snapshot!(cases);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = test_app().await;
    let deal = create_deal(&app, 1).await;
    let big = |n: usize| format!("{{\"pad\":\"{}\"}}", "x".repeat(n));
    let cases = [
        ("/api/v1/deals".to_owned(), truce_server::MAX_DEAL_BODY),
        (
            format!("/api/v1/deals/{}/events", deal.id),
            truce_server::MAX_EVENT_BODY,
        ),
    ];
    for (uri, limit) in cases {
        let reply = send(
            &app,
            request("POST", &uri, Some(deal.token("mediator")), Some(big(limit))),
        )
        .await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
        assert_eq!(reply.body["kind"], "body-too-large");
    }
}

/// Every byte of a valid event flipped in turn (bounded): each answer is a
/// 4xx or, when the flip is harmless, a 201; never a 5xx, and the chain
/// stays intact.
#[tokio::test]
async fn flipped_bytes_never_get_a_server_error() {
    let app = test_app().await;
    let deal = create_deal(&app, 1).await;
    activate(&app, &deal).await;
    let ev = sign_next(&app, &deal, "mediator", Event::Extended { days: 1 }).await;
    let line = ev.to_line().unwrap().into_bytes();
    let step = (line.len() / 200).max(1);
    for i in (0..line.len()).step_by(step) {
        let mut bad = line.clone();
        bad[i] ^= 0x01;
        let body = String::from_utf8_lossy(&bad).into_owned();
        let uri = format!("/api/v1/deals/{}/events", deal.id);
        let reply = send(
            &app,
            request("POST", &uri, Some(deal.token("mediator")), Some(body)),
        )
        .await;
        assert!(
            reply.status.is_client_error(),
            "byte {i}: {} {}",
            reply.status,
            reply.text
        );
    }
    assert_eq!(state(&app, &deal).await.next_seq, 6);
    let reply = post_event(&app, &deal, "mediator", &ev).await;
    assert_eq!(reply.status, StatusCode::CREATED);
}
