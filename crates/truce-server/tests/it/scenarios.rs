//! The execution scenarios of `tests/scenarios/` (see its README): each a
//! deal's life as events by party, with the service's expected answers,
//! the findings, the phase and the verdicts of offline verification. Every
//! scenario runs, and every mismatch of every scenario is reported.

use std::collections::BTreeMap;
use std::path::Path;

use axum::Router;
use axum::http::StatusCode;
use serde::Deserialize;
use truce_ledger::{CategoryId, Event, Hash, KeyRing, PersonId, sign_agreement};

use crate::support::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    description: String,
    #[serde(default)]
    to_active: bool,
    steps: Vec<Step>,
    findings: Vec<String>,
    open_findings: usize,
    phase: String,
    compliance_kept: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    party: String,
    event: serde_json::Value,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Expect {
    Created(u16),
    Refused { status: u16, kind: String },
}

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).expect(name)
}

/// The event a step means: shorthands completed (see the README).
fn event(deal: &TestDeal, terms: &serde_json::Value, mut v: serde_json::Value) -> Event {
    let categories: BTreeMap<String, String> = terms["persons"]
        .as_array()
        .expect("persons")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id").to_owned(),
                p["category"].as_str().expect("category").to_owned(),
            )
        })
        .collect();
    match v["type"].as_str().expect("a type") {
        "deal-created" if v.get("parties").is_none() => {
            v["name"] = terms["name"].clone();
            v["parties"] = serde_json::json!(
                PARTIES
                    .iter()
                    .map(|(id, role)| serde_json::json!({"id": id, "role": role.as_str()}))
                    .collect::<Vec<_>>()
            );
        }
        "deal-agreed" if v.get("signatures").is_none() => {
            v["deal_hash"] = deal.deal_hash.to_string().into();
            v["signatures"] = serde_json::to_value(
                ["side-a", "side-b"]
                    .map(|s| sign_agreement(key_of(&deal.keys, s), &deal.id, &deal.deal_hash)),
            )
            .expect("signatures");
        }
        "plan-adopted" if v.get("plan_hash").is_none() => {
            let plan: serde_json::Value = serde_json::from_str(&read("plan.json")).expect("plan");
            v["plan_hash"] = Hash::of_canonical(&plan).expect("hash").to_string().into();
        }
        "handover-recorded" => {
            let persons: Vec<String> =
                serde_json::from_value(v["persons"].take()).expect("persons");
            v.as_object_mut().expect("object").remove("persons");
            let mut counts = BTreeMap::<CategoryId, u32>::new();
            let mut pseudonyms = Vec::new();
            for p in &persons {
                let id = PersonId::new(p).expect("person id");
                pseudonyms.push(deal.person_key.pseudonym(&deal.id, &id).to_string());
                *counts
                    .entry(CategoryId::new(&categories[p]).expect("category"))
                    .or_insert(0) += 1;
            }
            v["pseudonyms"] = pseudonyms.into();
            if v.get("counts").is_none() {
                v["counts"] = serde_json::to_value(counts).expect("counts");
            }
        }
        _ => {}
    }
    serde_json::from_value(v).expect("a ledger event")
}

/// The documents a step names are kept on the service first, and the step
/// completed from its answer: `"plan":"FILE"` on a `plan-adopted`, and
/// `"amend":{…}` on a `deal-amended` (merged into `deal.json`, signed by
/// the sides in `"signed_by"`, every side by default).
async fn keep_documents(
    app: &Router,
    deal: &TestDeal,
    terms: &serde_json::Value,
    v: &mut serde_json::Value,
) -> Result<(), (u16, String, String)> {
    let refused = |reply: &Reply| {
        (
            reply.status.as_u16(),
            reply.body["kind"].as_str().unwrap_or_default().to_owned(),
            reply.text.clone(),
        )
    };
    let obj = v.as_object_mut().expect("object");
    if let Some(file) = obj.remove("plan") {
        let text = read(file.as_str().expect("a plan file name"));
        let uri = format!("/api/v1/deals/{}/plans", deal.id);
        let reply = send(
            app,
            request("POST", &uri, Some(deal.token("mediator")), Some(text)),
        )
        .await;
        if reply.status != StatusCode::CREATED {
            return Err(refused(&reply));
        }
        obj.insert("plan_hash".to_owned(), reply.body["plan_hash"].clone());
    }
    if let Some(patch) = obj.remove("amend") {
        let signed_by: Vec<String> = match obj.remove("signed_by") {
            Some(list) => serde_json::from_value(list).expect("signed_by: a list of sides"),
            None => vec!["side-a".to_owned(), "side-b".to_owned()],
        };
        let mut amended = terms.clone();
        merge(&mut amended, patch);
        let uri = format!("/api/v1/deals/{}/amendments", deal.id);
        let reply = send(
            app,
            request(
                "POST",
                &uri,
                Some(deal.token("mediator")),
                Some(amended.to_string()),
            ),
        )
        .await;
        if reply.status != StatusCode::CREATED {
            return Err(refused(&reply));
        }
        let kept: truce_server::AmendmentKept =
            serde_json::from_value(reply.body).expect("amendment kept");
        let replaces = kept.replaces.expect("an agreed deal");
        let signatures: Vec<_> = signed_by
            .iter()
            .map(|side| {
                truce_ledger::sign_amendment(
                    key_of(&deal.keys, side),
                    &deal.id,
                    kept.amendment,
                    &replaces,
                    &kept.deal_hash,
                )
            })
            .collect();
        obj.insert("amendment".to_owned(), kept.amendment.into());
        obj.insert("deal_hash".to_owned(), kept.deal_hash.to_string().into());
        obj.insert("replaces".to_owned(), replaces.to_string().into());
        obj.insert(
            "signatures".to_owned(),
            serde_json::to_value(signatures).expect("signatures"),
        );
    }
    Ok(())
}

/// `patch` merged into `into`: objects key by key, anything else replaced.
fn merge(into: &mut serde_json::Value, patch: serde_json::Value) {
    match (into, patch) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Run one scenario; the mismatches it found.
async fn run(name: &str, app: &Router) -> Vec<String> {
    let scenario: Scenario =
        serde_json::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut wrong = Vec::new();
    let terms: serde_json::Value = serde_json::from_str(&read("deal.json")).expect("deal.json");
    let ring = KeyRing::of(&keys()).expect("ring");
    let body = serde_json::json!({
        "id": unique("scenario"),
        "deal": terms,
        "keys": serde_json::from_str::<serde_json::Value>(&ring.to_json()).expect("keys"),
    });
    let reply = send(
        app,
        request("POST", "/api/v1/deals", None, Some(body.to_string())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{name}: {}", reply.text);
    let deal = TestDeal::from_created(serde_json::from_value(reply.body).expect("created"));
    // The plan is kept before anything is adopted.
    let uri = format!("/api/v1/deals/{}/plans", deal.id);
    let reply = send(
        app,
        request(
            "POST",
            &uri,
            Some(deal.token("mediator")),
            Some(read("plan.json")),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{name}: {}", reply.text);

    let mut steps: Vec<Step> = Vec::new();
    if scenario.to_active {
        for t in [
            "deal-created",
            "negotiation-started",
            "deal-agreed",
            "plan-adopted",
            "pause-started",
        ] {
            let mut event = serde_json::json!({"type": t});
            if t == "plan-adopted" {
                event["days"] = terms["pause"]["days"].clone();
            }
            steps.push(Step {
                party: "mediator".to_owned(),
                event,
                expect: Expect::Created(201),
            });
        }
    }
    steps.extend(scenario.steps);
    for (n, mut step) in steps.into_iter().enumerate() {
        if let Err((status, kind, text)) = keep_documents(app, &deal, &terms, &mut step.event).await
        {
            // A document the service refuses: the step's expected answer.
            let expected = matches!(&step.expect, Expect::Refused { status: s, kind: k } if *s == status && *k == kind);
            if !expected {
                wrong.push(format!("{name}: step {}: {status} {text}", n + 1));
            }
            continue;
        }
        let ev = sign_next(app, &deal, &step.party, event(&deal, &terms, step.event)).await;
        let reply = post_event(app, &deal, &step.party, &ev).await;
        let got = (
            reply.status.as_u16(),
            reply.body["kind"].as_str().unwrap_or(""),
        );
        let ok = match &step.expect {
            Expect::Created(s) => got.0 == *s,
            Expect::Refused { status, kind } => got == (*status, kind.as_str()),
        };
        if !ok {
            wrong.push(format!(
                "{name}: step {}: got {} {}",
                n + 1,
                got.0,
                reply.text
            ));
        }
    }

    let s = state(app, &deal).await;
    let mut found: Vec<String> = s.execution.findings.iter().map(|f| f.id.clone()).collect();
    let mut expected = scenario.findings.clone();
    found.sort();
    expected.sort();
    if found != expected {
        wrong.push(format!("{name}: findings {found:?}, expected {expected:?}"));
    }
    if s.execution.open_findings != scenario.open_findings {
        wrong.push(format!(
            "{name}: {} open findings, expected {}",
            s.execution.open_findings, scenario.open_findings
        ));
    }
    if s.phase != scenario.phase {
        wrong.push(format!(
            "{name}: phase {}, expected {}",
            s.phase, scenario.phase
        ));
    }
    // No finding names a person.
    for f in &s.execution.findings {
        if f.message.contains("A-0") || f.message.contains("B-0") {
            wrong.push(format!("{name}: finding {} names a person", f.id));
        }
    }

    // Offline: the guarantor's export verifies, and compliance on the
    // signed counts with the terms as the guarantor sees them agrees.
    let uri = format!("/api/v1/deals/{}/ledger.jsonl", deal.id);
    let ledger = send(
        app,
        request("GET", &uri, Some(deal.token("guarantor")), None),
    )
    .await;
    let report = truce_ledger::verify(&ledger.text, &ring).expect("readable");
    if !report.intact {
        wrong.push(format!(
            "{name}: ledger not intact: {}",
            report.render_text()
        ));
    }
    let view = send(
        app,
        request(
            "GET",
            &format!("/api/v1/deals/{}", deal.id),
            Some(deal.token("guarantor")),
            None,
        ),
    )
    .await;
    let seen = truce_exec::Terms::from_party_view(&view.body).expect("the guarantor's terms");
    let events: Vec<truce_ledger::SignedEvent> = ledger
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("line"))
        .collect();
    let earlier =
        truce_exec::Terms::superseded_from_party_view(&view.body).expect("the earlier terms");
    let by_counts = truce_exec::Execution::replay(None, &events).findings(truce_exec::Context {
        terms: &seen,
        roster: None,
        plan: None,
        superseded: truce_exec::Superseded {
            terms: &earlier,
            plans: &[],
        },
    });
    let kept = by_counts.iter().all(|f| !f.is_open());
    if kept != scenario.compliance_kept {
        wrong.push(format!(
            "{name}: compliance on counts kept = {kept}, expected {} ({by_counts:#?})",
            scenario.compliance_kept
        ));
    }
    if scenario.description.is_empty() {
        wrong.push(format!("{name}: say what the scenario is"));
    }
    wrong
}

#[tokio::test]
async fn every_execution_scenario_runs_as_written() {
    let app = test_app().await;
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("scenarios")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".scenario.json"))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    let mut wrong = Vec::new();
    for name in &names {
        wrong.extend(run(name, &app).await);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
