//! Infeasible deals: the smallest conflicting set of terms, with numbers and
//! the change of each term that alone resolves it.

use truce_plan::{PlanOptions, Status, plan};
use truce_spec::AgreedDeal;

use crate::deals::*;

/// The terms of every conflict the planner names for `deal`, which it must
/// prove infeasible under `opts`.
pub fn conflict_terms(deal: &AgreedDeal, opts: &PlanOptions) -> Vec<String> {
    let p = plan(deal, opts).expect("the planner answers");
    assert_eq!(p.status, Status::Infeasible);
    p.conflicts.into_iter().flat_map(|c| c.terms).collect()
}

/// Four days of at most 12 children a day, 50 of side-b's 60 guaranteed.
pub fn short_pause() -> AgreedDeal {
    B::new("short pause")
        .days(4)
        .category("child", 1)
        .side(
            "side-b",
            [None, Some(12), Some(50), None],
            &many("child", 60),
        )
        .agreed()
}

#[test]
fn four_days_of_twelve_cannot_release_a_guaranteed_fifty() {
    let deal = short_pause();
    let p = plan(&deal, &PlanOptions::default()).expect("the planner answers");
    assert_eq!(p.status, Status::Infeasible);
    insta::assert_json_snapshot!(p.conflicts);
}

#[test]
fn a_family_larger_than_a_day() {
    let family = [
        ("child", Some("f")),
        ("child", Some("f")),
        ("woman", Some("f")),
    ];
    let deal = B::new("family")
        .days(2)
        .category("child", 1)
        .category("woman", 2)
        .side("side-b", [None, Some(2), Some(1), None], &family)
        .agreed();
    let p = plan(&deal, &PlanOptions::default()).expect("the planner answers");
    assert_eq!(p.status, Status::Infeasible);
    insta::assert_json_snapshot!(p.conflicts);
}

/// Both sides guarantee everyone they hold, but one convoy on one day
/// carries one side: no plan. With a step budget too small for the exact
/// search, the repair search runs out of actions and so proves it, and the
/// conflict is still named (both guarantees and the one convoy a day).
#[test]
fn a_small_budget_still_proves_infeasibility() {
    let deal = B::new("one convoy, two guarantees")
        .days(1)
        .category("child", 1)
        .category("minor", 1)
        .via("relief", None, Some(1))
        .side("side-a", [None, None, Some(4), None], &many("minor", 4))
        .side("side-b", [None, None, Some(3), None], &many("child", 3))
        .weighted()
        .agreed();
    let opts = PlanOptions {
        step_budget: 20,
        ..PlanOptions::default()
    };
    let terms = conflict_terms(&deal, &opts);
    assert!(
        terms.iter().any(|t| t == "party.handovers_per_day"),
        "{terms:?}"
    );
    assert!(terms.iter().any(|t| t.ends_with("total_min")), "{terms:?}");
}
