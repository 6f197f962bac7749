//! What the brute forces of `props` and `deferred` share: the assignments
//! of persons to days they walk, each candidate's figures judged by the
//! independent checker alone (no planner code), the objective's order, and
//! the comparison of a planner plan with the best candidate.

use std::cmp::Reverse;

use proptest::prelude::*;
use serde_json::{Value, json};
use truce_plan::{Plan, check_plan, to_json};
use truce_spec::AgreedDeal;

/// (released, days_used, max_exposure, tier-weighted days).
pub type Figures = (u32, u32, f64, u64);

/// The objective's order: more released, then fewer days, a smaller
/// largest exposure, a smaller tier-weighted day sum; a larger key is a
/// better plan.
pub fn key(v: &Figures) -> (u32, Reverse<u32>, f64, Reverse<u64>) {
    (v.0, Reverse(v.1), -v.2, Reverse(v.3))
}

/// The intermediary a candidate's handovers name (the deal's, if any).
pub fn via(deal: &AgreedDeal) -> Option<String> {
    deal.release.via.as_ref().map(|v| v.0.clone())
}

/// Σ over persons of (max tier + 1 − tier) × the day `assign` gives them
/// (0 = never, counted as the day after the last possible one); a person
/// of a family kept together takes the family's best tier.
fn tier_weighted_days(deal: &AgreedDeal, assign: &[u32]) -> u64 {
    let days = deal.max_days();
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    let own = |q: &truce_spec::Person| deal.tier(&q.category).unwrap_or(max_tier);
    let tier = |p: &truce_spec::Person| match (&p.group, deal.release.keep_groups_together) {
        (Some(g), true) => deal
            .persons
            .iter()
            .filter(|q| q.holder == p.holder && q.group.as_ref() == Some(g))
            .map(own)
            .min()
            .unwrap_or(max_tier),
        _ => own(p),
    };
    deal.persons
        .iter()
        .zip(assign)
        .map(|(p, &day)| {
            u64::from(max_tier + 1 - tier(p)) * u64::from(if day == 0 { days + 1 } else { day })
        })
        .sum()
}

/// The figures of the candidate plan `stages`, whose persons go on the
/// days `assign` says, when the checker accepts it.
pub fn judged(deal: &AgreedDeal, stages: &[Value], assign: &[u32]) -> Option<Figures> {
    let report = check_plan(
        deal,
        &json!({"format_version": 1, "stages": stages}).to_string(),
    );
    report.is_valid().then(|| {
        (
            report.released.values().sum(),
            report.days_used,
            report.max_exposure,
            tier_weighted_days(deal, assign),
        )
    })
}

/// Keeps the better of `best` and `candidate`.
pub fn keep_best(best: &mut Option<Figures>, candidate: Option<Figures>) {
    if let Some(c) = candidate
        && best.as_ref().is_none_or(|b| key(&c) > key(b))
    {
        *best = Some(c);
    }
}

/// The next assignment of the persons `free` (indices into `assign`): each
/// never (0) or on a day after `through` up to `days`, counted like an
/// odometer; false when every one has been walked.
pub fn next_assignment(assign: &mut [u32], free: &[usize], through: u32, days: u32) -> bool {
    let mut j = 0;
    while j < free.len() && assign[free[j]] == days {
        assign[free[j]] = 0;
        j += 1;
    }
    if j == free.len() {
        return false;
    }
    let a = &mut assign[free[j]];
    *a = if *a == 0 { through + 1 } else { *a + 1 };
    *a <= days
}

/// The planner's plan `p` against the brute force's best: the same
/// figures, or at least as good where the planner may use orders of
/// handovers the brute force does not try (`wider`).
pub fn matches(p: &Plan, brute: Figures, wider: bool) -> Result<(), TestCaseError> {
    let got = (
        p.total_released(),
        p.days_used,
        p.max_exposure,
        p.tier_weighted_days,
    );
    if wider {
        prop_assert!(
            key(&got) >= key(&brute),
            "{got:?} worse than {brute:?}\n{}",
            to_json(p)
        );
    } else {
        prop_assert_eq!(got, brute, "{}", to_json(p));
    }
    Ok(())
}
