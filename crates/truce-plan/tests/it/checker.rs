//! The independent checker on mutated planner plans: each mutation breaks one
//! term and must be rejected with that reason (with its day and persons).

use serde_json::Value;
use truce_plan::{PlanOptions, ViolationKind as K, check_plan, plan, to_json};
use truce_spec::AgreedDeal;

use crate::deals::*;

pub fn planned(deal: &AgreedDeal) -> Value {
    let p = plan(deal, &PlanOptions::default()).expect("the planner answers");
    serde_json::from_str(&to_json(&p)).expect("plan JSON")
}

pub fn persons(v: &mut Value, stage: usize, handover: usize) -> &mut Vec<Value> {
    v["stages"][stage]["handovers"][handover]["persons"]
        .as_array_mut()
        .expect("persons")
}

/// Checks a mutated plan: `kind` must be among the violations, on `day`.
pub fn rejects(deal: &AgreedDeal, plan: &Value, kind: K, day: Option<u32>) {
    let report = check_plan(deal, &plan.to_string());
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.kind == kind && v.day == day),
        "expected {kind:?} on {day:?}, got {:#?}",
        report.violations
    );
}

#[test]
fn planner_plans_pass() {
    let deal = humanitarian();
    let report = check_plan(&deal, &planned(&deal).to_string());
    assert!(report.is_valid(), "{:#?}", report.violations);
    assert_eq!((report.days_used, report.max_exposure), (4, 13.0));
}

#[test]
fn a_person_moved_to_break_priority() {
    let deal = humanitarian();
    let mut p = planned(&deal);
    // Day 1's first child moves to the last day, after later tiers went.
    let child = persons(&mut p, 0, 0).remove(0);
    persons(&mut p, 3, 0).push(child.clone());
    let report = check_plan(&deal, &p.to_string());
    let v = report
        .violations
        .iter()
        .find(|v| v.kind == K::Priority)
        .expect("priority");
    // The first later-tier release while the moved child waits is reported.
    assert!(
        v.day.is_some_and(|d| d > 1) && !v.persons.is_empty(),
        "{v:#?}"
    );
}

#[test]
fn a_group_split() {
    let deal = B::new("family")
        .days(2)
        .category("child", 1)
        .side(
            "side-b",
            [None, None, None, None],
            &[("child", Some("f")), ("child", Some("f"))],
        )
        .agreed();
    let mut p = planned(&deal);
    let member = persons(&mut p, 0, 0).pop().expect("two members");
    let mut second = p["stages"][0]["handovers"][0].clone();
    second["persons"] = Value::Array(vec![member]);
    p["stages"][0]["handovers"]
        .as_array_mut()
        .expect("handovers")
        .push(second);
    let report = check_plan(&deal, &p.to_string());
    let v = report
        .violations
        .iter()
        .find(|v| v.kind == K::GroupSplit)
        .expect("group split");
    assert_eq!(v.persons, ["B-0001", "B-0002"]);
}

#[test]
fn a_counter_release_dropped() {
    let deal = humanitarian();
    let mut p = planned(&deal);
    persons(&mut p, 1, 1).pop();
    rejects(&deal, &p, K::MissingCounterRelease, Some(2));
    rejects(&deal, &p, K::FigureMismatch, None);
}

#[test]
fn a_counter_release_before_its_payment() {
    let deal = humanitarian();
    let mut p = planned(&deal);
    let day = p["stages"][0]["handovers"]
        .as_array_mut()
        .expect("handovers");
    day.swap(0, 1);
    rejects(&deal, &p, K::UnpaidCounterRelease, Some(1));
}

#[test]
fn a_day_over_capacity() {
    let deal = humanitarian();
    let mut p = planned(&deal);
    // Day 2's releases and payments move to day 1.
    for h in 0..2 {
        let moved: Vec<Value> = persons(&mut p, 1, h).drain(..).collect();
        persons(&mut p, 0, h).extend(moved);
    }
    rejects(&deal, &p, K::Capacity, Some(1));
    rejects(&deal, &p, K::MaxPerDay, Some(1));
    rejects(&deal, &p, K::EmptyHandover, Some(2));
}

#[test]
fn an_unearned_extension_day() {
    let deal = extension_earned_by_side_b();
    let mut p = planned(&deal);
    let stage = p["stages"][2]["handovers"].as_array_mut().expect("day 3");
    let b = stage
        .iter_mut()
        .find(|h| h["from"] == "side-b")
        .expect("side-b on day 3");
    b["persons"].as_array_mut().expect("persons").pop();
    rejects(&deal, &p, K::UnearnedExtension, Some(3));
}

#[test]
fn exposure_above_the_bound() {
    let deal = humanitarian();
    let mut p = planned(&deal);
    let moved: Vec<Value> = persons(&mut p, 1, 0).drain(..).collect();
    persons(&mut p, 0, 0).extend(moved);
    rejects(&deal, &p, K::ExposureBound, Some(1));
}

#[test]
fn malformed_text_is_a_violation() {
    let report = check_plan(&humanitarian(), "{ not json");
    assert_eq!(report.kinds(), [K::MalformedPlan]);
}

#[test]
fn unknown_and_twice_released_persons() {
    let deal = humanitarian();
    let mut p = planned(&deal);
    let first = persons(&mut p, 0, 0)[0].clone();
    persons(&mut p, 1, 0).push(first);
    persons(&mut p, 1, 0).push(Value::from("Z-9999"));
    rejects(&deal, &p, K::ReleasedTwice, Some(2));
    rejects(&deal, &p, K::UnknownPerson, Some(2));
}

mod never_panics {
    use proptest::prelude::*;
    use truce_plan::check_plan;

    use crate::deals::humanitarian;

    /// Any plan-shaped JSON with any ids, days and holders: a report, never a panic.
    fn stage() -> impl Strategy<Value = serde_json::Value> {
        let handover = (
            prop::sample::select(vec!["side-a", "side-b", "relief", "nobody"]),
            proptest::option::of(prop::sample::select(vec!["relief", "other"])),
            proptest::collection::vec(
                prop::sample::select(vec!["A-0001", "A-0150", "B-0001", "B-0015", "B-0016", "Z-1"]),
                0..6,
            ),
        )
            .prop_map(|(from, via, persons)| serde_json::json!({"from": from, "via": via, "persons": persons}));
        (0u32..14, proptest::collection::vec(handover, 0..4))
            .prop_map(|(day, handovers)| serde_json::json!({"day": day, "handovers": handovers}))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn on_any_plan(stages in proptest::collection::vec(stage(), 0..6), days_used in 0u32..20) {
            let plan = serde_json::json!({"format_version": 1, "days_used": days_used, "max_exposure": 1.5, "stages": stages});
            let report = check_plan(&humanitarian(), &plan.to_string());
            // An oracle independent of the checker: a handover that names a
            // person (`Z-1`) or a holder (`nobody`) the deal does not have
            // can never be part of a valid plan.
            let names_a_stranger = stages.iter().flat_map(|s| s["handovers"].as_array().into_iter().flatten()).any(|h| {
                h["from"] == "nobody" || h["persons"].as_array().is_some_and(|ps| ps.iter().any(|p| p == "Z-1"))
            });
            if names_a_stranger {
                prop_assert!(!report.is_valid(), "a plan naming a stranger passed: {plan}");
            }
            for v in &report.violations {
                prop_assert!(!v.message.is_empty(), "a violation without a message: {v:?}");
            }
        }

        #[test]
        fn on_any_text(text in ".{0,200}") {
            let _ = check_plan(&humanitarian(), &text);
        }
    }
}
