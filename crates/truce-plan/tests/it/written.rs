//! `Plan::from_stages`: a plan of stages written outside the planner,
//! every figure the independent checker's. The checker is the oracle: the
//! plan built passes it exactly as the written stages do (the same
//! violations, no figure of its own to mismatch), and a planner plan's
//! stages written out and built again keep the planner's figures.

use proptest::prelude::*;
use serde_json::{Value, json};
use truce_plan::{
    Plan, PlanOptions, PlannedFlow, Proof, Stage, Status, ViolationKind as K, check_plan, plan,
    to_json,
};
use truce_spec::AgreedDeal;

use crate::checker::{persons, planned};
use crate::deals::*;

/// The plan `text` writes (its `stages` and `flows`, figures ignored),
/// judged by the checker and built by `from_stages`, with the checker's
/// violations of the text. The plan built breaks the same terms, except
/// that no figure it states mismatches.
fn built(deal: &AgreedDeal, text: &Value) -> (Plan, Vec<truce_plan::Violation>) {
    let report = check_plan(deal, &text.to_string());
    let stages: Vec<Stage> = serde_json::from_value(text["stages"].clone()).expect("stages");
    let flows: Vec<PlannedFlow> = match text.get("flows") {
        Some(f) => serde_json::from_value(f.clone()).expect("flows"),
        None => Vec::new(),
    };
    let p = Plan::from_stages(deal, stages, flows, &report);
    let mut terms = report.violations.clone();
    terms.retain(|v| v.kind != K::FigureMismatch);
    assert_eq!(
        check_plan(deal, &to_json(&p)).violations,
        terms,
        "the plan built is judged as its stages\n{}",
        to_json(&p)
    );
    (p, report.violations)
}

/// Only what a person writes by hand: the stages and flows of `p`.
fn stages_only(p: &Plan) -> Value {
    let flows = serde_json::to_value(&p.flows).expect("flows");
    json!({"format_version": 1, "stages": p.stages, "flows": flows})
}

/// A planner plan's stages built again: the checker accepts the plan, the
/// figures are the planner's, the stages and flows are as written, and it
/// claims no proof.
fn rebuilds(deal: &AgreedDeal, p: &Plan) {
    let (q, violations) = built(deal, &stages_only(p));
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(
        (&q.released, q.days_used, q.max_exposure),
        (&p.released, p.days_used, p.max_exposure),
        "{}",
        to_json(&q)
    );
    assert_eq!((&q.stages, &q.flows), (&p.stages, &p.flows));
    assert_eq!(q.deal, deal.name);
    assert_eq!(
        (q.status, q.gap, q.proof, q.unproven, q.bound),
        (Status::Feasible, None, Proof::default(), None, None)
    );
}

fn planned_rebuilds(deal: &AgreedDeal) {
    rebuilds(
        deal,
        &plan(deal, &PlanOptions::default()).expect("the planner answers"),
    );
}

#[test]
fn planner_plans_of_the_examples_rebuild_with_the_same_figures() {
    for name in ["humanitarian-pause", "phased-ceasefire"] {
        planned_rebuilds(&example(name));
    }
}

#[test]
fn a_deferred_plan_rebuilds_with_the_exposure_carried_overnight() {
    planned_rebuilds(&crate::deferred::convoy_a_day(1, None));
}

#[test]
fn a_plan_with_flows_keeps_them_as_written() {
    planned_rebuilds(&crate::terms::with_aid());
}

/// A plan that breaks a term is built as written, with the checker's
/// figures: it breaks the same term, and nothing more (no figure the
/// writer stated survives to mismatch).
#[test]
fn a_plan_that_breaks_a_term_is_built_as_written() {
    let deal = humanitarian();
    let mut v = planned(&deal);
    // Day 1's first child moves to the last day, after later tiers went.
    let child = persons(&mut v, 0, 0).remove(0);
    persons(&mut v, 3, 0).push(child);
    // A figure written wrong, which the plan built does not keep.
    v["days_used"] = json!(1);
    let (p, violations) = built(&deal, &v);
    let kinds: Vec<K> = violations.iter().map(|v| v.kind).collect();
    assert!(kinds.contains(&K::Priority), "{kinds:?}");
    assert!(kinds.contains(&K::FigureMismatch), "{kinds:?}");
    assert_eq!(
        p.stages,
        serde_json::from_value::<Vec<Stage>>(v["stages"].clone()).expect("stages")
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Over random small deals: any planner plan's stages rebuild into a
    /// plan the checker accepts, with the planner's figures.
    #[test]
    fn random_planner_plans_rebuild_with_the_same_figures(s in crate::props::spec()) {
        let deal = crate::props::deal_of(&s);
        let Ok(p) = plan(&deal, &PlanOptions::default()) else { return Ok(()) };
        if p.status == Status::Infeasible {
            return Ok(());
        }
        rebuilds(&deal, &p);
    }
}
