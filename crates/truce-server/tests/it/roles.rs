//! Every role × endpoint × deal: a party reads and writes only what its
//! role allows, and nothing at all of another deal.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use truce_ledger::Event;

use crate::support::*;

const ROLES: [&str; 6] = [
    "mediator",
    "side-a",
    "side-b",
    "relief",
    "guarantor",
    "monitor",
];

/// Two active deals; `x` has a handover each way, confirmed.
async fn two_deals() -> (axum::Router, TestDeal, TestDeal) {
    let app = test_app().await;
    let x = create_deal(&app, 2).await;
    let y = create_deal(&app, 2).await;
    for deal in [&x, &y] {
        activate(&app, deal).await;
    }
    record(
        &app,
        &x,
        "relief",
        handover("side-a", "side-b", &["A-0001"]),
    )
    .await;
    record(
        &app,
        &x,
        "relief",
        handover("side-b", "side-a", &["B-0001"]),
    )
    .await;
    (app, x, y)
}

fn persons(view: &serde_json::Value) -> BTreeSet<String> {
    view["terms"]["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_role_reads_what_it_may_and_no_other_deal() {
    let (app, x, y) = two_deals().await;
    // role → (persons in the deal view, full handover events, export status)
    let expect: [(&str, &[&str], bool, StatusCode); 6] = [
        (
            "mediator",
            &["A-0001", "A-0002", "B-0001", "B-0002"],
            true,
            StatusCode::OK,
        ),
        (
            "side-a",
            &["A-0001", "A-0002", "B-0001"],
            true,
            StatusCode::OK,
        ),
        (
            "side-b",
            &["A-0001", "B-0001", "B-0002"],
            true,
            StatusCode::OK,
        ),
        ("relief", &["A-0001", "B-0001"], true, StatusCode::OK),
        ("guarantor", &[], false, StatusCode::FORBIDDEN),
        ("monitor", &[], false, StatusCode::FORBIDDEN),
    ];
    for (role, want_persons, full_handovers, export) in expect {
        let token = Some(x.token(role));
        let get = |path: String| request("GET", &path, token, None);

        let view = send(&app, get(format!("/api/v1/deals/{}", x.id))).await;
        assert_eq!(view.status, StatusCode::OK, "{role}");
        let want: BTreeSet<String> = want_persons.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            persons(&view.body),
            want,
            "{role}: persons in the deal view"
        );
        assert_eq!(
            view.body["aggregates"].as_array().unwrap().len(),
            2,
            "{role}"
        );

        let events = send(&app, get(format!("/api/v1/deals/{}/events", x.id))).await;
        assert_eq!(events.status, StatusCode::OK, "{role}");
        for e in events.body["events"].as_array().unwrap() {
            let handover = e["type"] == "handover-recorded";
            let full = !e["signed"].is_null();
            assert_eq!(
                full,
                !handover || full_handovers,
                "{role}: event {}",
                e["seq"]
            );
            assert_eq!(e["redacted"].is_null(), full, "{role}: event {}", e["seq"]);
        }
        assert!(!events.text.contains("A-0001") || full_handovers, "{role}");

        let ledger = send(&app, get(format!("/api/v1/deals/{}/ledger.jsonl", x.id))).await;
        assert_eq!(ledger.status, export, "{role}: export");

        let s = send(&app, get(format!("/api/v1/deals/{}/state", x.id))).await;
        assert_eq!(s.status, StatusCode::OK, "{role}");

        // The same token on the other deal, on every endpoint: 404, as if
        // the deal did not exist.
        for path in ["", "/state", "/events", "/ledger.jsonl"] {
            let reply = send(&app, get(format!("/api/v1/deals/{}{path}", y.id))).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{role} on deal y{path}"
            );
            assert!(!reply.text.contains("B-0001"), "{role}");
        }
        let ev = sign_next(&app, &y, role, Event::Resumed {}).await;
        let uri = format!("/api/v1/deals/{}/events", y.id);
        let reply = send(
            &app,
            request("POST", &uri, token, Some(ev.to_line().unwrap())),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{role} writing to deal y"
        );
    }
}

#[tokio::test]
async fn each_role_writes_only_the_events_its_role_may_author() {
    let (app, x, _) = two_deals().await;
    // (event, the one role that may author it now)
    let cases: Vec<(Event, &str)> = vec![
        (handover("side-a", "side-b", &["A-0002"]), "relief"),
        (Event::HandoverConfirmed { handover: 6 }, "side-b"),
        (Event::Extended { days: 1 }, "mediator"),
    ];
    for (event, allowed) in cases {
        for role in ROLES.into_iter().filter(|r| *r != allowed) {
            let ev = sign_next(&app, &x, role, event.clone()).await;
            let reply = post_event(&app, &x, role, &ev).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{role}: {}",
                event.kind()
            );
            assert_eq!(reply.content_type, truce_server::PROBLEM_JSON);
        }
        record(&app, &x, allowed, event).await;
    }
    // A party's token cannot carry another party's event.
    for role in ROLES {
        let ev = sign_next(&app, &x, "mediator", Event::Extended { days: 1 }).await;
        if role != "mediator" {
            let reply = post_event(&app, &x, role, &ev).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{role} posting the mediator's event"
            );
        }
    }
}

#[tokio::test]
async fn no_token_or_a_wrong_token_is_unauthorized_everywhere() {
    let (app, x, _) = two_deals().await;
    let paths = ["", "/state", "/events", "/ledger.jsonl"];
    for token in [None, Some("truce_0000"), Some("")] {
        for path in paths {
            let uri = format!("/api/v1/deals/{}{path}", x.id);
            let reply = send(&app, request("GET", &uri, token, None)).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?} {path}");
        }
        let uri = format!("/api/v1/deals/{}/events", x.id);
        let reply = send(&app, request("POST", &uri, token, Some("{}".to_owned()))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?} append");
    }
}
