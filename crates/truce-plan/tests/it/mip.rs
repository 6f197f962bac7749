//! Cross-check of the exact planner against a MIP solved by HiGHS (feature
//! `highs`): every level of the lexicographic optimum must agree.

use proptest::prelude::*;
use truce_plan::mip::{MipObjective, solve};
use truce_plan::{PlanOptions, Status, plan};
use truce_spec::AgreedDeal;

use crate::deals::*;
use crate::props::{deal_of, spec};

fn round(v: f64) -> u64 {
    v.round() as u64
}

/// Asserts the planner's figures are the MIP's optimum, level by level.
fn cross_check(deal: &AgreedDeal) -> Result<(), TestCaseError> {
    let chunks_possible = !deal.exchanges.is_empty()
        && deal
            .intermediary()
            .is_none_or(|v| v.handovers_per_day.unwrap_or(2) >= 4);
    let Ok(p) = plan(deal, &PlanOptions::default()) else {
        return Ok(());
    };
    if chunks_possible {
        return Ok(());
    }
    let bound = deal.release.max_exposure;
    let best = solve(deal, deal.max_days(), bound, MipObjective::Released);
    if p.status == Status::Infeasible {
        prop_assert!(best.is_none(), "MIP found {best:?}");
        return Ok(());
    }
    let released = p.total_released();
    prop_assert_eq!(best.map(round), Some(u64::from(released)), "released");
    if p.days_used > 0 {
        let fewer = solve(deal, p.days_used - 1, bound, MipObjective::Released);
        prop_assert!(
            fewer.is_none_or(|v| round(v) < u64::from(released)),
            "days: {fewer:?}"
        );
    }
    let exposure = p.max_exposure as u32;
    let x = if deal.exchanges.is_empty() {
        bound
    } else {
        if exposure > 0 {
            let lower = solve(
                deal,
                p.days_used,
                Some(exposure - 1),
                MipObjective::Released,
            );
            prop_assert!(
                lower.is_none_or(|v| round(v) < u64::from(released)),
                "exposure: {lower:?}"
            );
        }
        Some(exposure)
    };
    if p.days_used == 0 {
        // Nothing can be released: there is no day, so no order to compare.
        return Ok(());
    }
    let w = solve(deal, p.days_used, x, MipObjective::TierOrder { released });
    prop_assert_eq!(w.map(round), Some(p.tier_weighted_days), "tier order");
    Ok(())
}

#[test]
fn humanitarian_example_agrees() {
    cross_check(&humanitarian()).expect("agrees");
}

#[test]
fn generated_deals_agree() {
    for seed in 1..=3 {
        cross_check(&generated(30, 3, seed)).expect("agrees");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_deals_agree(s in spec()) {
        cross_check(&deal_of(&s))?;
    }
}
