//! Re-planning from the handovers already carried out.

use truce_plan::{
    PlanError, PlanOptions, Prefix, Stage, Status, check_plan, plan, replan, to_json,
};

use crate::deals::*;

fn prefix(stages: &[Stage], through_day: u32) -> Prefix {
    Prefix {
        through_day,
        stages: stages
            .iter()
            .filter(|s| s.day <= through_day)
            .cloned()
            .collect(),
    }
}

#[test]
fn following_the_plan_keeps_the_optimum() {
    let deal = humanitarian();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    let again = replan(&deal, &prefix(&p.stages, 2), &PlanOptions::default()).expect("replan");
    assert!(check_plan(&deal, &to_json(&again)).is_valid());
    let figures = |p: &truce_plan::Plan| {
        (
            p.status,
            p.total_released(),
            p.days_used,
            p.max_exposure,
            p.tier_weighted_days,
        )
    };
    assert_eq!(figures(&again), figures(&p));
    assert_eq!(again.stages[..2], p.stages[..2]);
}

/// Day 1 released 10 children (and their 30 counter-releases) instead of 13:
/// 40 remain for days 2–4, so the largest day is now ⌈40/3⌉ = 14.
#[test]
fn a_smaller_first_day_is_made_up_later() {
    let deal = humanitarian();
    let ids = |prefix: &str, n: usize| {
        (1..=n)
            .map(|i| format!("{prefix}-{i:04}"))
            .collect::<Vec<_>>()
    };
    let day1 = Stage {
        day: 1,
        handovers: vec![
            truce_plan::Handover {
                from: "side-b".into(),
                via: Some("relief".into()),
                persons: ids("B", 10),
            },
            truce_plan::Handover {
                from: "side-a".into(),
                via: Some("relief".into()),
                persons: ids("A", 30),
            },
        ],
    };
    let rest = replan(
        &deal,
        &Prefix {
            through_day: 1,
            stages: vec![day1.clone()],
        },
        &PlanOptions::default(),
    )
    .expect("replan");
    let report = check_plan(&deal, &to_json(&rest));
    assert!(report.is_valid(), "{:#?}", report.violations);
    assert_eq!(
        (
            rest.status,
            rest.total_released(),
            rest.days_used,
            rest.max_exposure
        ),
        (Status::Optimal, 200, 4, 14.0)
    );
    assert_eq!(rest.stages[0], day1);
}

#[test]
fn a_prefix_that_breaks_terms_is_refused() {
    let deal = humanitarian();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    let mut day1 = p.stages[0].clone();
    day1.handovers[1].persons.pop();
    let err = replan(
        &deal,
        &Prefix {
            through_day: 1,
            stages: vec![day1],
        },
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, PlanError::InvalidPrefix(problems) if problems.len() == 1),
        "{err}"
    );
}

/// The extension example after day 3 (side-b earned it with 5): day 4 can
/// still be earned, and the rest releases everyone.
#[test]
fn re_planning_inside_the_extension() {
    let deal = extension_earned_by_side_b();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    let rest = replan(&deal, &prefix(&p.stages, 3), &PlanOptions::default()).expect("replan");
    assert!(check_plan(&deal, &to_json(&rest)).is_valid());
    assert_eq!((rest.total_released(), rest.days_used), (30, 4));
}

/// A re-plan the step budget leaves unproven states its bound for the
/// whole plan, record included: no plan releases more than the bound, and
/// the proven re-plan (default budget) does not exceed it. The deal is
/// truce-cli's `unproven` fixture (a greedy plan misses side-b's guarantee
/// after day 1 falls one short).
#[test]
fn an_unproven_re_plan_bounds_the_whole_plan() {
    let deal = cli_fixture("unproven");
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    let mut day1 = p.stages[0].clone();
    day1.handovers[0].persons.pop();
    let short = prefix(&[day1], 1);
    let proven = replan(&deal, &short, &PlanOptions::default()).expect("replan");
    assert_eq!(proven.status, Status::Optimal);
    let unproven = [100, 50, 200, 400, 30, 1000, 3000]
        .into_iter()
        .map(|step_budget| {
            let opts = PlanOptions {
                step_budget,
                ..PlanOptions::default()
            };
            replan(&deal, &short, &opts).expect("replan")
        })
        .find(|r| r.status == Status::Feasible)
        .expect("some small step budget leaves this re-plan unproven");
    assert!(check_plan(&deal, &to_json(&unproven)).is_valid());
    assert_eq!(unproven.unproven, Some(truce_plan::Level::Released));
    let bound = unproven.bound.expect("a bound");
    let released = f64::from(unproven.total_released());
    assert!(
        bound >= released,
        "bound {bound} below the plan's {released}"
    );
    assert!(
        bound >= f64::from(proven.total_released()),
        "bound {bound} below the proven optimum's {}",
        proven.total_released()
    );
    let gap = unproven.gap.expect("a gap");
    assert!(
        (gap - (bound - released) / bound).abs() < 1e-12,
        "gap {gap}"
    );
}
