//! Infeasible deals: the smallest conflicting set of terms, with numbers and
//! the change of each term that alone resolves it.

use truce_plan::{PlanOptions, Status, plan};

use crate::deals::*;

#[test]
fn four_days_of_twelve_cannot_release_a_guaranteed_fifty() {
    let deal = B::new("short pause")
        .days(4)
        .category("child", 1)
        .side(
            "side-b",
            [None, Some(12), Some(50), None],
            &many("child", 60),
        )
        .agreed();
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
