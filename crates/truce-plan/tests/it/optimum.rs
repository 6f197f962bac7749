//! Small deals whose optimum is derived on paper (the derivation is beside
//! each fixture); the planner must find it, prove it, and pass the checker.

use truce_plan::{Level, Method, Plan, PlanOptions, Status, check_plan, plan, to_json};
use truce_spec::AgreedDeal;

use crate::deals::*;

/// (status, released in all, days_used, max_exposure)
type Expect = (Status, u32, u32, f64);

/// Plans the deal, checks the plan independently and compares the figures.
pub fn check(deal: &AgreedDeal, expect: Expect) -> Plan {
    let p = plan(deal, &PlanOptions::default()).expect("the planner answers");
    let report = check_plan(deal, &to_json(&p));
    if p.status != Status::Infeasible {
        assert!(report.is_valid(), "{:#?}", report.violations);
    }
    let got = (p.status, p.total_released(), p.days_used, p.max_exposure);
    assert_eq!(got, expect, "{}", to_json(&p));
    p
}

/// 50 captives, 15 a day at most, capacity 60 = g + 3g so g ≤ 15 a day:
/// four days suffice (4 × 15 ≥ 50), three do not (45 < 50); spreading 50 over
/// four days makes the largest day at least 13 (⌈50/4⌉), and 13+13+12+12 fits
/// the groups. So: all 50 (and 150 counter-releases), 4 days, exposure 13.
#[test]
fn humanitarian_example() {
    check(&humanitarian(), (Status::Optimal, 200, 4, 13.0));
}

/// One holder, five persons, two a day, three days: ⌈5/2⌉ = 3 days; strict
/// priority puts the two tier-1 persons on day 1.
#[test]
fn five_persons_two_a_day() {
    let persons = [
        ("child", None),
        ("man", None),
        ("child", None),
        ("man", None),
        ("man", None),
    ];
    let deal = B::new("five")
        .days(3)
        .category("child", 1)
        .category("man", 2)
        .side("side-b", [None, Some(2), None, None], &persons)
        .agreed();
    let p = check(&deal, (Status::Optimal, 5, 3, 0.0));
    assert_eq!(p.stages[0].handovers[0].persons, ["B-0001", "B-0003"]);
}

/// Side-a releases free persons, at most 5 a day; side-b's 10 earn extension
/// days (5 each by side-b). Releasing side-b's 10 early (the greedy choice)
/// ends the pause after 2 days: 10 + 2 × 5 = 20. Releasing none of side-b on
/// the base days and 5 on each of the 2 extension days earns both: side-a
/// releases 5 × 4 = 20, side-b 10, all 30 persons; it cannot be more.
#[test]
fn fewer_per_day_earns_an_extension() {
    let deal = extension_earned_by_side_b();
    let p = check(&deal, (Status::Optimal, 30, 4, 0.0));
    let b_days: Vec<u32> = p
        .stages
        .iter()
        .filter(|s| s.handovers.iter().any(|h| h.from == "side-b"))
        .map(|s| s.day)
        .collect();
    assert_eq!(b_days, [3, 4]);
}

/// Four children at 1:3 through capacity 8 (g + 3g ≤ 8, so g ≤ 2 a day): two
/// days of 2 children and 6 detainees; exposure 2 (the day's paying release).
#[test]
fn ratio_through_capacity() {
    let deal = B::new("ratio")
        .days(3)
        .category("child", 1)
        .category("detainee", 1)
        .via("relief", Some(8), Some(2))
        .side("side-a", [None, None, None, None], &many("detainee", 12))
        .side("side-b", [None, None, None, None], &many("child", 4))
        .exchange(("side-b", &["child"]), ("side-a", &["detainee"]), 3)
        .agreed();
    check(&deal, (Status::Optimal, 16, 2, 2.0));
}

/// A family of three (a man with two children: tier 1 through its children)
/// and three single men, three a day: strict priority releases the family
/// first, whole, on day 1, then the men on day 2.
#[test]
fn family_goes_first_and_whole() {
    let persons = [
        ("man", None),
        ("man", Some("f")),
        ("child", Some("f")),
        ("man", None),
        ("child", Some("f")),
        ("man", None),
    ];
    let deal = B::new("family")
        .days(2)
        .category("child", 1)
        .category("man", 2)
        .side("side-b", [None, Some(3), None, None], &persons)
        .agreed();
    let p = check(&deal, (Status::Optimal, 6, 2, 0.0));
    assert_eq!(
        p.stages[0].handovers[0].persons,
        ["B-0002", "B-0003", "B-0005"]
    );
}

/// Weighted priority with a cap of 2 in all: the two tier-1 persons go (level 4
/// counts the unreleased), on day 1 together.
#[test]
fn weighted_prefers_better_tiers_under_a_cap() {
    let persons = [
        ("man", None),
        ("child", None),
        ("man", None),
        ("child", None),
    ];
    let deal = B::new("weighted")
        .days(2)
        .weighted()
        .category("child", 1)
        .category("man", 2)
        .side("side-b", [None, None, None, Some(2)], &persons)
        .agreed();
    let p = check(&deal, (Status::Optimal, 2, 1, 0.0));
    assert_eq!(p.stages[0].handovers[0].persons, ["B-0002", "B-0004"]);
}

/// The exposure bound of 1 with two handovers a day forces one paying
/// release a day: 3 children need 3 days.
#[test]
fn exposure_bound_spreads_releases() {
    let deal = B::new("exposure")
        .days(5)
        .category("child", 1)
        .category("detainee", 1)
        .via("relief", None, Some(2))
        .side("side-a", [None, None, None, None], &many("detainee", 3))
        .side("side-b", [None, None, None, None], &many("child", 3))
        .exchange(("side-b", &["child"]), ("side-a", &["detainee"]), 1)
        .max_exposure(1)
        .agreed();
    check(&deal, (Status::Optimal, 6, 3, 1.0));
}

/// Four paying releases 1:1 on one day, four handovers, exposure ≤ 2: in one
/// payer handover the exposure would reach 4, but two rounds (2 paid, 2
/// counter-released, 2 paid, 2 counter-released) peak at 2. All 8 on day 1.
#[test]
fn paying_in_two_chunks_meets_the_bound_in_one_day() {
    let deal = B::new("chunks")
        .days(1)
        .category("child", 1)
        .category("detainee", 1)
        .via("relief", None, Some(4))
        .side("side-a", [None, None, None, None], &many("detainee", 4))
        .side("side-b", [None, None, None, None], &many("child", 4))
        .exchange(("side-b", &["child"]), ("side-a", &["detainee"]), 1)
        .max_exposure(2)
        .agreed();
    let p = check(&deal, (Status::Optimal, 8, 1, 2.0));
    assert_eq!(p.stages[0].handovers.len(), 4);
}

/// A cycle between holders: side-a's soldier pays for side-b's child and
/// side-b's elder pays for side-a's detainee, 1:1. One day releasing all four
/// needs side-a, then side-b (the child paid, the elder paying), then side-a
/// (the detainee paid): three handovers, peak 1 (each payment alone before its
/// counter-release). With two handovers a day the day cannot close both
/// rules, so it takes two days (soldier then child; elder then detainee).
#[test]
fn an_exchange_cycle_between_holders() {
    let deal = |handovers: u32| {
        B::new("cycle")
            .days(2)
            .category("soldier", 1)
            .category("detainee", 1)
            .category("child", 1)
            .category("elder", 1)
            .via("relief", None, Some(handovers))
            .side(
                "side-a",
                [None, None, None, None],
                &[("soldier", None), ("detainee", None)],
            )
            .side(
                "side-b",
                [None, None, None, None],
                &[("child", None), ("elder", None)],
            )
            .exchange(("side-a", &["soldier"]), ("side-b", &["child"]), 1)
            .exchange(("side-b", &["elder"]), ("side-a", &["detainee"]), 1)
            .agreed()
    };
    let p = check(&deal(3), (Status::Optimal, 4, 1, 1.0));
    let from: Vec<&str> = p.stages[0]
        .handovers
        .iter()
        .map(|h| h.from.as_str())
        .collect();
    assert_eq!(from, ["side-a", "side-b", "side-a"]);
    check(&deal(2), (Status::Optimal, 4, 2, 1.0));
}

/// The shipped example: 50 captives, 10 to 12 a day, 4 days: 4 × 12 = 48 < 50,
/// so one extension day must be earned (10 releases by side-b that day). Over
/// 5 days the largest day is at least ⌈50/5⌉ = 10, and 10 a day earns day 5.
#[test]
fn shipped_humanitarian_example() {
    check(
        &example("humanitarian-pause"),
        (Status::Optimal, 200, 5, 10.0),
    );
}

/// Weekly releases (days 7, 14, …, 42), two ratios, four handovers a day.
/// side-b's 33 (total_min 33) at most 8 a day: ⌈33/8⌉ = 5 release days, so
/// day 35 at the earliest. Over 5 days the largest day pays at least
/// ⌈33/5⌉ = 7, and four handovers hold at most two paying chunks (each must
/// be followed by its payment), so some chunk is ⌈7/2⌉ = 4 or more:
/// exposure 4 at best, and 7+7+7+6+6 in chunks of 4 and 3 reaches it
/// (capacity 500 ≥ 8 × 51). All 33 and their 1,090 counter-releases go.
#[test]
fn shipped_phased_ceasefire() {
    check(
        &example("phased-ceasefire"),
        (Status::Optimal, 1123, 35, 4.0),
    );
}

/// The fast path (day-count sequence) and the unit search agree on
/// generated deals with families and four tiers, and both pass the checker.
#[test]
fn fast_path_agrees_with_the_unit_search() {
    for seed in 1..=4 {
        let deal = generated(24, 3, seed);
        let fast = plan(&deal, &PlanOptions::default()).expect("fast");
        let slow = plan(
            &deal,
            &PlanOptions {
                method: Method::UnitSearch,
                ..PlanOptions::default()
            },
        )
        .expect("slow");
        for p in [&fast, &slow] {
            let report = check_plan(&deal, &to_json(p));
            assert!(report.is_valid(), "{:#?}", report.violations);
        }
        let figures = |p: &Plan| {
            (
                p.status,
                p.total_released(),
                p.days_used,
                p.max_exposure,
                p.tier_weighted_days,
            )
        };
        assert_eq!(figures(&fast), figures(&slow), "seed {seed}");
    }
}

/// A generated 2,000-captive, 30-day deal with families and four tiers: the
/// fast path proves it optimal and the checker agrees with every figure.
#[test]
fn generated_two_thousand() {
    let deal = generated(2_000, 30, 7);
    let p = plan(&deal, &PlanOptions::default()).expect("the planner answers");
    let report = check_plan(&deal, &to_json(&p));
    assert!(
        report.is_valid(),
        "{:#?}",
        &report.violations[..report.violations.len().min(5)]
    );
    assert_eq!(p.status, Status::Optimal);
    assert_eq!(
        (report.days_used, report.max_exposure),
        (p.days_used, p.max_exposure)
    );
}

/// Four handovers a day let a day pay in two chunks (children, detainees,
/// children, detainees). Six children within an exposure of 2 then need two
/// days (a day holds at most 2 × 2 = 4), and no day can keep every chunk
/// below ⌈3/2⌉ = 2, so exposure 2 is optimal.
#[test]
fn paying_in_chunks() {
    let deal = B::new("chunks")
        .days(3)
        .category("child", 1)
        .category("detainee", 1)
        .via("relief", None, Some(4))
        .side("side-a", [None, None, None, None], &many("detainee", 6))
        .side("side-b", [None, None, None, None], &many("child", 6))
        .exchange(("side-b", &["child"]), ("side-a", &["detainee"]), 1)
        .max_exposure(2)
        .agreed();
    let p = check(&deal, (Status::Optimal, 12, 2, 2.0));
    assert_eq!(p.stages[0].handovers.len(), 4);
}

/// With too small a step budget for a proof, the planner still answers: a
/// greedy plan, `feasible`, naming its first unproven level with a bound
/// that the true optimum (found with the full budget) respects, and a gap
/// measured against that bound; the plan passes the checker.
#[test]
fn out_of_budget_gives_a_feasible_plan_with_a_gap() {
    let deal = humanitarian();
    let opts = PlanOptions {
        step_budget: 3_000,
        method: Method::UnitSearch,
        ..PlanOptions::default()
    };
    let p = plan(&deal, &opts).expect("a greedy plan");
    assert_eq!(p.status, Status::Feasible);
    assert!(
        p.gap.is_some_and(|g| (0.0..=1.0).contains(&g)),
        "{:?}",
        p.gap
    );
    let report = check_plan(&deal, &to_json(&p));
    assert!(report.is_valid(), "{:#?}", report.violations);
    let best = plan(&deal, &PlanOptions::default()).expect("optimal");
    let bound = p.bound.expect("a bound");
    let (value, optimum, gap) = match p.unproven.expect("a level") {
        Level::Released => {
            let v = f64::from(p.total_released());
            assert!(f64::from(best.total_released()) <= bound);
            (v, bound, (bound - v) / bound)
        }
        Level::DaysUsed => {
            assert!(f64::from(best.days_used) >= bound);
            (
                f64::from(p.days_used),
                bound,
                (f64::from(p.days_used) - bound) / f64::from(p.days_used),
            )
        }
        Level::MaxExposure => {
            assert!(best.max_exposure >= bound);
            (
                p.max_exposure,
                bound,
                (p.max_exposure - bound) / p.max_exposure,
            )
        }
        Level::TierWeightedDays => {
            assert!(best.tier_weighted_days as f64 >= bound);
            let v = p.tier_weighted_days as f64;
            (v, bound, (v - bound) / v)
        }
    };
    assert!(
        (p.gap.unwrap_or(-1.0) - gap).abs() < 1e-9,
        "{value} vs {optimum}"
    );
}

/// `crates/truce-cli/tests/fixtures/one-convoy`: one handover on one day, so
/// one side hands over; side-b guarantees its three, so every plan releases
/// side-b's three children on day 1 (no exchange: exposure 0). The greedy
/// day takes side-a's four and misses the guarantee; with a step budget too
/// small for the proof, the repair search still finds the plan, `feasible`
/// with `released` unproven against the bound 4 (one handover a day carries
/// at most one holder's four), and the checker accepts it. With the full
/// budget, the same plan is proven optimal.
#[test]
fn a_greedy_plan_that_misses_a_guarantee_is_repaired() {
    let deal = cli_fixture("one-convoy");
    let opts = PlanOptions {
        step_budget: 20,
        ..PlanOptions::default()
    };
    let p = plan(&deal, &opts).expect("a repaired plan, not an error");
    let report = check_plan(&deal, &to_json(&p));
    assert!(report.is_valid(), "{:#?}", report.violations);
    assert_eq!(
        (p.status, p.total_released(), p.days_used, p.max_exposure),
        (Status::Feasible, 3, 1, 0.0)
    );
    assert_eq!(p.released["side-b"], 3);
    assert_eq!((p.unproven, p.bound), (Some(Level::Released), Some(4.0)));
    check(&deal, (Status::Optimal, 3, 1, 0.0));
}

/// Three exchange rules (the January 2025 replay of days 1–21): 5 civilians
/// at 30, 5 soldiers at 50 and 6 men at 61 for 150 + 250 + 366 prisoners,
/// strict tiers 1, 2, 3, release days 1, 7, 12, 14 and 21 of 42, one
/// convoy each way a day and no capacity: everyone can go on day 1 (16
/// hostages in one handover, tier order within it, then their 766
/// prisoners), and the 5 foreign nationals through their channel on day 1
/// too; so 787 persons on day 1. One convoy each way means each rule's
/// payers all go before any of its payment: the peak is the largest rule's
/// payers, the 6 men (in persons of the payer); releasing fewer on day 1
/// would need a later day.
#[test]
fn three_rules_on_one_day() {
    check(&jan_2025_days_1_to_21(), (Status::Optimal, 787, 1, 6.0));
}

/// The same deal with `deferred_days = 1` on its three rules: a deferral
/// only allows later counter-releases, so paying on the day is still a
/// plan, and nothing pays before its payer: the same figures. Release days
/// a week apart make every partial payment of day 1 a dead end (what it
/// leaves owed falls due on day 2, with no handover), which the day's
/// enumeration must not list one by one.
#[test]
fn three_deferred_rules_on_one_day() {
    let mut deal = jan_2025_days_1_to_21().into_inner();
    for e in &mut deal.exchanges {
        e.deferred_days = 1;
    }
    let deal = AgreedDeal::new(deal).expect("no open issues");
    check(&deal, (Status::Optimal, 787, 1, 6.0));
}
