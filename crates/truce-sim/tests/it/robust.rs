//! `robust`: the plan with the least expected loss among those releasing the most.

use truce_sim::{RiskModel, SimOptions, robust};

use crate::fixtures::{generated, humanitarian_pause, plan_of};

#[test]
fn without_risk_the_optimum_is_kept() {
    let deal = humanitarian_pause();
    let opts = SimOptions {
        runs: 200,
        seed: 1,
        threads: 1,
    };
    let c = robust(&deal, &RiskModel::none(), &opts, &|_| {}).unwrap();
    assert_eq!(c.chosen, 0);
    assert!(c.gave_up.is_empty());
    assert_eq!(c.plan, plan_of(&deal));
}

#[test]
fn every_candidate_is_a_valid_plan_releasing_the_most_and_the_choice_has_least_loss() {
    let deal = generated(75);
    let mut risk = RiskModel::none();
    // Collapse after a handover in proportion to exposure: a plan with a
    // smaller peak should lose less.
    risk.collapse.per_exposure = 0.02;
    let opts = SimOptions {
        runs: 4000,
        seed: 4,
        threads: 2,
    };
    let c = robust(&deal, &risk, &opts, &|_| {}).unwrap();
    assert!(c.candidates.len() > 1, "the variants give other plans");
    let best = plan_of(&deal).total_released();
    assert_eq!(c.plan.total_released(), best);
    let report = truce_plan::check_plan(&deal, &truce_plan::to_json(&c.plan));
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    let least = c
        .candidates
        .iter()
        .map(|k| k.expected_loss)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(c.candidates[c.chosen].expected_loss, least);
    if c.chosen != 0 {
        assert!(!c.gave_up.is_empty());
        assert!(c.plan.max_exposure <= c.candidates[0].max_exposure);
    }
}
