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
        handover(&x, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    record(
        &app,
        &x,
        "relief",
        handover(&x, "side-b", "side-a", &["B-0001"]),
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
    // role → (persons in the deal view, persons of the handover events,
    // holds the person key). Every role reads every signed event and may
    // export the ledger: it names persons by pseudonym only.
    let expect: [(&str, &[&str], bool, bool); 6] = [
        (
            "mediator",
            &["A-0001", "A-0002", "B-0001", "B-0002"],
            true,
            true,
        ),
        ("side-a", &["A-0001", "A-0002", "B-0001"], true, true),
        ("side-b", &["A-0001", "B-0001", "B-0002"], true, true),
        ("relief", &["A-0001", "B-0001"], true, true),
        ("guarantor", &[], false, false),
        ("monitor", &[], false, false),
    ];
    for (role, want_persons, handover_persons, person_key) in expect {
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
        let key = view.body["person_key"].as_str();
        assert_eq!(key.is_some(), person_key, "{role}: person key");
        assert!(person_key || view.body["person_key"].is_null(), "{role}");
        if let Some(key) = key {
            assert_eq!(key, x.person_key.to_hex(), "{role}");
        }

        let events = send(&app, get(format!("/api/v1/deals/{}/events", x.id))).await;
        assert_eq!(events.status, StatusCode::OK, "{role}");
        let listed = events.body["events"].as_array().unwrap();
        assert_eq!(listed.len(), 7, "{role}");
        for e in listed {
            let handover = e["type"] == "handover-recorded";
            assert!(e["signed"].is_object(), "{role}: event {}", e["seq"]);
            assert_eq!(e["signed"]["seq"], e["seq"], "{role}");
            // `persons` is there only on a handover the role may see.
            let persons = e.get("persons");
            assert_eq!(
                persons.is_some(),
                handover && handover_persons,
                "{role}: event {}",
                e["seq"]
            );
            if let Some(persons) = persons {
                let want = if e["signed"]["event"]["holder"] == "side-a" {
                    "A-0001"
                } else {
                    "B-0001"
                };
                assert_eq!(persons, &serde_json::json!([want]), "{role}");
            }
        }
        assert!(
            !events.text.contains("A-0001") || handover_persons,
            "{role}"
        );

        let ledger = send(&app, get(format!("/api/v1/deals/{}/ledger.jsonl", x.id))).await;
        assert_eq!(ledger.status, StatusCode::OK, "{role}: export");
        assert_eq!(ledger.text.lines().count(), 7, "{role}: export");

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
        (handover(&x, "side-a", "side-b", &["A-0002"]), "relief"),
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

/// The deal's whole roster, as the tests create it.
fn roster(persons_per_side: usize) -> Vec<String> {
    let ids = |prefix| (1..=persons_per_side).map(move |i| format!("{prefix}-{i:04}"));
    ids("A").chain(ids("B")).collect()
}

#[tokio::test]
async fn no_export_and_no_observer_answer_holds_a_person_id() {
    let (app, x, _) = two_deals().await;
    // More of the deal's life: the handovers confirmed, a breach reported.
    record(&app, &x, "side-b", Event::HandoverConfirmed { handover: 6 }).await;
    record(&app, &x, "side-a", Event::HandoverConfirmed { handover: 7 }).await;
    let breach = Event::BreachReported {
        against: party("side-b"),
        summary: "late convoy".to_owned(),
    };
    record(&app, &x, "monitor", breach).await;
    let roster = roster(2);
    let paths = ["", "/state", "/events", "/ledger.jsonl"];
    for role in ROLES {
        let ledger = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/deals/{}/ledger.jsonl", x.id),
                Some(x.token(role)),
                None,
            ),
        )
        .await;
        assert_eq!(ledger.status, StatusCode::OK, "{role}");
        assert_eq!(ledger.text.lines().count(), 10, "{role}");
        for line in ledger.text.lines() {
            for id in &roster {
                assert!(!line.contains(id.as_str()), "{role}: {id} in {line}");
            }
        }
    }
    for role in ["guarantor", "monitor"] {
        for path in paths {
            let uri = format!("/api/v1/deals/{}{path}", x.id);
            let reply = send(&app, request("GET", &uri, Some(x.token(role)), None)).await;
            assert_eq!(reply.status, StatusCode::OK, "{role} {path}");
            for id in &roster {
                assert!(!reply.text.contains(id.as_str()), "{role} {path}: {id}");
            }
            assert!(
                !reply.text.contains(&x.person_key.to_hex()),
                "{role} {path}: the person key"
            );
        }
    }
    // The handovers are in the export, by pseudonym: the one the mediator,
    // the sides and the intermediary compute with the key.
    let a1 = x
        .person_key
        .pseudonym(&x.id, &truce_ledger::PersonId::new("A-0001").unwrap());
    let ledger = send(
        &app,
        request(
            "GET",
            &format!("/api/v1/deals/{}/ledger.jsonl", x.id),
            Some(x.token("monitor")),
            None,
        ),
    )
    .await;
    assert!(ledger.text.contains(&a1.to_string()));
}
