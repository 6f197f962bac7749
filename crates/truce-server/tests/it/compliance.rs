//! Execution bound to the agreed terms and the adopted plan: the plan kept
//! and hash-bound, declarations the terms forbid refused, deviations
//! recorded and derived as findings the mediator rules on, free text
//! without person ids.

use axum::http::StatusCode;
use truce_ledger::{Event, Hash, Ruling};

use crate::support::*;

async fn refused(app: &axum::Router, deal: &TestDeal, author: &str, event: Event) -> Reply {
    let ev = sign_next(app, deal, author, event).await;
    let reply = post_event(app, deal, author, &ev).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    reply
}

#[tokio::test]
async fn a_plan_is_adopted_only_once_kept_and_for_the_agreed_pause() {
    let app = test_app().await;
    let deal = create_deal(&app, 2).await;
    let steps = to_active(&deal);
    for (author, event) in steps.iter().take(3).cloned() {
        record(&app, &deal, author, event).await;
    }
    // Not kept yet.
    let adopt = |days, plan_hash| Event::PlanAdopted { days, plan_hash };
    let reply = refused(&app, &deal, "mediator", adopt(3, plan_hash())).await;
    assert_eq!(reply.body["kind"], "unknown-plan");
    keep_plan(&app, &deal).await;
    // Kept, but typed for another pause than the terms agree (3 days).
    let reply = refused(&app, &deal, "mediator", adopt(1, plan_hash())).await;
    assert_eq!(reply.body["kind"], "plan-days");
    record(&app, &deal, "mediator", adopt(3, plan_hash())).await;

    // Only the mediator keeps plans; a plan must name the deal's persons.
    let uri = format!("/api/v1/deals/{}/plans", deal.id);
    let body = Some(test_plan().to_string());
    let reply = send(
        &app,
        request("POST", &uri, Some(deal.token("side-a")), body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    let mut other = test_plan();
    other["stages"][0]["handovers"][0]["persons"][0] = "B-0002".into();
    let reply = send(
        &app,
        request(
            "POST",
            &uri,
            Some(deal.token("mediator")),
            Some(other.to_string()),
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.body["kind"], "plan-mismatch");
    assert!(!reply.text.contains("B-0002"), "{}", reply.text);

    // The mediator reads the kept plan back under its hash (what `truce
    // replan` compares the record with); it lists persons, so no one else.
    let uri = format!("/api/v1/deals/{}/plans/{}", deal.id, plan_hash());
    let reply = send(
        &app,
        request("GET", &uri, Some(deal.token("mediator")), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body, test_plan());
    let reply = send(&app, request("GET", &uri, Some(deal.token("side-a")), None)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    let unknown = format!(
        "/api/v1/deals/{}/plans/{}",
        deal.id,
        Hash::of_canonical(&"another plan").expect("hash")
    );
    let reply = send(
        &app,
        request("GET", &unknown, Some(deal.token("mediator")), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    assert_eq!(reply.body["kind"], "no-such-plan");
}

#[tokio::test]
async fn a_deviation_is_recorded_found_and_ruled_on() {
    let app = test_app().await;
    let deal = create_deal(&app, 4).await;
    activate(&app, &deal).await;
    // A-0003 is not in the plan: the handover happened, so it is recorded.
    record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001", "A-0003"]),
    )
    .await;
    let s = state(&app, &deal).await;
    let findings = &s.execution.findings;
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.rule, "plan-deviation");
    assert_eq!(f.id, "plan-deviation@day-1@side-a");
    assert!(
        f.message.contains("1 person not in the plan"),
        "{}",
        f.message
    );
    assert_eq!(s.execution.open_findings, 1);
    let side_a = s
        .execution
        .released
        .iter()
        .find(|r| r.holder.as_str() == "side-a")
        .expect("side-a");
    assert_eq!((side_a.released, side_a.planned), (2, Some(1)));

    // Every role reads the same findings, and none names a person.
    let observer = send(
        &app,
        request(
            "GET",
            &format!("/api/v1/deals/{}/state", deal.id),
            Some(deal.token("monitor")),
            None,
        ),
    )
    .await;
    assert_eq!(
        observer.body["execution"]["findings"][0]["id"],
        f.id.as_str()
    );
    assert!(!observer.text.contains("A-000"), "{}", observer.text);

    // A ruling names a finding that exists.
    let reply = refused(
        &app,
        &deal,
        "mediator",
        Event::FindingRuled {
            finding: "daily-max@day-9@side-a".to_owned(),
            reason: "No such day.".to_owned(),
            ruling: Ruling::Upheld,
        },
    )
    .await;
    assert_eq!(reply.body["kind"], "no-such-finding");
    let ruling = record(
        &app,
        &deal,
        "mediator",
        Event::FindingRuled {
            finding: f.id.clone(),
            reason: "Both sides agreed the substitution at the crossing.".to_owned(),
            ruling: Ruling::Excused,
        },
    )
    .await;
    let s = state(&app, &deal).await;
    assert_eq!(s.execution.open_findings, 0);
    assert_eq!(s.execution.findings[0].ruling.as_deref(), Some("excused"));
    assert_eq!(s.execution.findings[0].ruled_at, Some(ruling.seq));
}

#[tokio::test]
async fn declarations_the_terms_forbid_are_refused_with_the_rule() {
    let app = test_app().await;
    let deal = create_deal(&app, 4).await;
    activate(&app, &deal).await;
    // The extension rule allows 10 extra days.
    let reply = refused(&app, &deal, "mediator", Event::Extended { days: 40 }).await;
    assert_eq!(reply.body["kind"], "extension-limit");
    // The plan releases 3 persons; none is released yet.
    let reply = refused(&app, &deal, "mediator", Event::Completed {}).await;
    assert_eq!(reply.body["kind"], "plan-unfinished");
    // A handover's counts must be those of its persons, and present.
    let mut wrong = handover(&deal, "side-a", "side-b", &["A-0001"]);
    if let Event::HandoverRecorded { counts, .. } = &mut wrong {
        *counts = Some(
            [(truce_ledger::CategoryId::new("detainee-minor").unwrap(), 1)]
                .into_iter()
                .collect(),
        );
    }
    let reply = refused(&app, &deal, "relief", wrong).await;
    assert_eq!(reply.body["kind"], "counts-mismatch");
    let mut none = handover(&deal, "side-a", "side-b", &["A-0001"]);
    if let Event::HandoverRecorded { counts, .. } = &mut none {
        *counts = None;
    }
    let reply = refused(&app, &deal, "relief", none).await;
    assert_eq!(reply.body["kind"], "counts-required");
    // Nothing refused reached the chain.
    assert_eq!(state(&app, &deal).await.next_seq, 6);
}

#[tokio::test]
async fn a_person_id_in_free_text_is_refused() {
    let app = test_app().await;
    let deal = create_deal(&app, 4).await;
    activate(&app, &deal).await;
    for summary in ["B-0002 was not released", "not released: b-0002."] {
        let reply = refused(
            &app,
            &deal,
            "guarantor",
            Event::BreachReported {
                against: party("side-b"),
                summary: summary.to_owned(),
            },
        )
        .await;
        assert_eq!(reply.body["kind"], "person-id-in-text");
        assert!(
            !reply.text.to_lowercase().contains("b-0002"),
            "{}",
            reply.text
        );
    }
    record(
        &app,
        &deal,
        "guarantor",
        Event::BreachReported {
            against: party("side-b"),
            summary: "One person planned for day 1 was not released.".to_owned(),
        },
    )
    .await;
}

#[tokio::test]
async fn talks_can_break_down_and_a_breach_open_at_collapse_is_ruled_on() {
    let app = test_app().await;
    let deal = create_deal(&app, 2).await;
    let steps = to_active(&deal);
    for (author, event) in steps.iter().take(2).cloned() {
        record(&app, &deal, author, event).await;
    }
    // Negotiating: talks break down, an outcome the ledger records.
    record(
        &app,
        &deal,
        "side-a",
        Event::Collapsed {
            reason: "Talks broke down over the ratio.".to_owned(),
        },
    )
    .await;
    assert_eq!(state(&app, &deal).await.phase, "collapsed");

    let deal = create_deal(&app, 2).await;
    activate(&app, &deal).await;
    let breach = record(
        &app,
        &deal,
        "guarantor",
        Event::BreachReported {
            against: party("side-b"),
            summary: "Fire was reported near the crossing.".to_owned(),
        },
    )
    .await;
    record(
        &app,
        &deal,
        "side-b",
        Event::Collapsed {
            reason: "The pause broke down.".to_owned(),
        },
    )
    .await;
    record(
        &app,
        &deal,
        "mediator",
        Event::BreachResolved {
            breach: breach.seq,
            finding: truce_ledger::Finding::Upheld,
        },
    )
    .await;
    let s = state(&app, &deal).await;
    assert_eq!(s.phase, "collapsed");
    assert_eq!(s.execution.ended.as_deref(), Some("collapsed"));
    assert!(s.execution.open_breaches.is_empty());
}

#[tokio::test]
async fn every_receipt_carries_a_checkpoint_the_service_signed() {
    let app = test_app().await;
    let deal = create_deal(&app, 2).await;
    activate(&app, &deal).await;
    let ev = sign_next(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    let reply = post_event(&app, &deal, "relief", &ev).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let key = send(&app, request("GET", "/api/v1/service-key", None, None)).await;
    let verifier = truce_ledger::ServiceVerifier::from_vkey(
        key.body["verifier_key"].as_str().expect("verifier key"),
    )
    .expect("a verifier key");
    let note = reply.body["checkpoint"].as_str().expect("checkpoint");
    let signed = verifier.open(note).expect("signed by the service");
    assert_eq!(signed.seq, ev.seq);
    assert_eq!(
        signed.head.to_string(),
        reply.body["hash"].as_str().unwrap()
    );
    // The head's checkpoint, for any party of the deal.
    let uri = format!("/api/v1/deals/{}/checkpoint", deal.id);
    let head = send(
        &app,
        request("GET", &uri, Some(deal.token("monitor")), None),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(verifier.open(&head.text).expect("signed"), signed);
    let none = send(&app, request("GET", &uri, None, None)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}

/// The test deal with 200 aid trucks a day through `relief`, let in by
/// side-a, and lists the night before each release day.
async fn create_deal_with_flows_and_lists(app: &axum::Router) -> TestDeal {
    let id = unique("deal");
    let mut body = create_body(&id, 2);
    body["deal"]["flows"] = serde_json::json!([{
        "id": "aid-trucks", "unit": "truck", "by": "side-a", "min_per_day": 200,
        "max_per_day": null, "via": "relief"
    }]);
    body["deal"]["release"]["lists_night_before"] = true.into();
    let reply = send(
        app,
        request("POST", "/api/v1/deals", None, Some(body.to_string())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    TestDeal::from_created(serde_json::from_value(reply.body).expect("created"))
}

fn delivered(day: u32, flow: &str, quantity: u32) -> Event {
    Event::FlowRecorded {
        day,
        flow: flow.into(),
        quantity,
    }
}

#[tokio::test]
async fn flows_are_recorded_by_their_crossing_or_side_and_judged_by_day() {
    let app = test_app().await;
    let deal = create_deal_with_flows_and_lists(&app).await;
    activate(&app, &deal).await;
    let reply = refused(&app, &deal, "relief", delivered(1, "fuel", 10)).await;
    assert_eq!(reply.body["kind"], "unknown-flow");
    assert!(reply.text.contains("aid-trucks"), "{}", reply.text);
    let reply = refused(&app, &deal, "side-b", delivered(1, "aid-trucks", 10)).await;
    assert_eq!(reply.body["kind"], "flow-recorder");
    record(&app, &deal, "relief", delivered(1, "aid-trucks", 150)).await;
    // (Day 1's planned handovers are not recorded here: plan findings
    // beside these.)
    let open = |s: &truce_server::StateView| -> Vec<String> {
        s.execution
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("flow-"))
            .map(|f| f.id.clone())
            .collect()
    };
    assert_eq!(open(&state(&app, &deal).await), Vec::<String>::new());
    record(&app, &deal, "side-a", delivered(2, "aid-trucks", 200)).await;
    let s = state(&app, &deal).await;
    assert_eq!(open(&s), ["flow-min@day-1@aid-trucks"]);
    let f = s
        .execution
        .findings
        .iter()
        .find(|f| f.rule == "flow-min")
        .unwrap();
    assert_eq!(
        (f.party.as_ref().map(|p| p.as_str()), f.day),
        (Some("side-a"), Some(1))
    );
    assert_eq!(s.execution.flows.len(), 1);
    assert_eq!(s.execution.flows[0].per_day, [150, 200]);
    assert_eq!(s.execution.flows[0].delivered, 350);
}

#[tokio::test]
async fn a_nights_list_is_a_count_and_a_commitment_and_handovers_are_held_to_it() {
    let app = test_app().await;
    let deal = create_deal_with_flows_and_lists(&app).await;
    keep_plan(&app, &deal).await;
    let steps = to_active(&deal);
    let (pause, before) = steps.split_last().expect("steps");
    for (author, event) in before.iter().cloned() {
        record(&app, &deal, author, event).await;
    }
    // The night before day 1: side-b lists B-0001 for side-a.
    let listed = [deal
        .person_key
        .pseudonym(&deal.id, &truce_ledger::PersonId::new("B-0001").unwrap())];
    let list = record(
        &app,
        &deal,
        "side-b",
        Event::ListsExchanged {
            commitment: truce_ledger::list_commitment(&listed),
            count: 1,
            day: 1,
            to: party("side-a"),
        },
    )
    .await;
    let ack = Event::ListAcknowledged { list: list.seq };
    let reply = refused(&app, &deal, "side-b", ack.clone()).await;
    assert_eq!(reply.body["kind"], "not-allowed");
    record(&app, &deal, "side-a", ack).await;
    record(&app, &deal, pause.0, pause.1.clone()).await;
    // side-a lists nobody; side-b hands over someone else than it listed.
    record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-b", "side-a", &["B-0002"]),
    )
    .await;
    let s = state(&app, &deal).await;
    let ids: Vec<&str> = s
        .execution
        .findings
        .iter()
        .filter(|f| f.rule == "list-missing" || f.rule == "unlisted")
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(ids, ["list-missing@day-1@side-a", "unlisted@day-1@side-b"]);
    assert_eq!(s.execution.lists.len(), 1);
    let l = &s.execution.lists[0];
    assert_eq!((l.day, l.count, l.acknowledged), (1, 1, true));
    // The ledger line holds no person id and no pseudonym of the list.
    assert!(!list.to_line().unwrap().contains(&listed[0].to_string()));
}
