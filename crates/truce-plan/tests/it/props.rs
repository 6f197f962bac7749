//! Properties over random small deals:
//! * every plan the planner emits passes the independent checker;
//! * its figures are the optimum found by brute force over every assignment
//!   of persons to days, judged by the checker alone (no planner code);
//! * mutations of its plans are rejected with the right reason.

use proptest::prelude::*;
use serde_json::{Value, json};
use truce_plan::{
    PlanError, PlanOptions, Prefix, Status, ViolationKind as K, check_plan, plan, replan, to_json,
};
use truce_spec::AgreedDeal;

use crate::brute::{self, Figures};
use crate::deals::B;

const B_CATS: [&str; 3] = ["child", "woman", "man"];
const A_CATS: [&str; 2] = ["minor", "adult"];

#[derive(Debug, Clone)]
pub struct Spec {
    b: Vec<(usize, usize)>,
    a: Vec<(usize, usize)>,
    limits: [[Option<u32>; 4]; 2],
    exchange: Option<([bool; 3], u32)>,
    via: Option<(Option<u32>, u32)>,
    days: u32,
    extension: Option<(bool, u32)>,
    strict: bool,
    keep: bool,
    exposure: Option<u32>,
}

fn limits() -> impl Strategy<Value = [Option<u32>; 4]> {
    (
        proptest::option::weighted(0.3, 1u32..=2),
        proptest::option::weighted(0.5, 1u32..=3),
        proptest::option::weighted(0.3, 0u32..=3),
        proptest::option::weighted(0.3, 1u32..=4),
    )
        .prop_map(|(a, b, c, d)| [a, b, c, d])
}

pub fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::collection::vec((0usize..3, 0usize..3), 1..=3),
        proptest::collection::vec((0usize..2, 0usize..2), 0..=3),
        [limits(), limits()],
        proptest::option::weighted(0.6, (any::<[bool; 3]>(), 1u32..=2)),
        proptest::option::weighted(0.7, (proptest::option::of(2u32..=8), 1u32..=3)),
        1u32..=2,
        proptest::option::weighted(0.4, (any::<bool>(), 1u32..=2)),
        any::<bool>(),
        any::<bool>(),
        proptest::option::weighted(0.4, 1u32..=3),
    )
        .prop_map(
            |(b, a, limits, exchange, via, days, extension, strict, keep, exposure)| Spec {
                b,
                a,
                limits,
                exchange,
                via,
                days,
                extension,
                strict,
                keep,
                exposure,
            },
        )
}

pub fn deal_of(s: &Spec) -> AgreedDeal {
    let group = |g: usize, prefix: &str| (g > 0).then(|| format!("{prefix}{g}"));
    let b_groups: Vec<Option<String>> = s.b.iter().map(|&(_, g)| group(g, "g")).collect();
    let a_groups: Vec<Option<String>> = s.a.iter().map(|&(_, g)| group(g, "h")).collect();
    let b: Vec<(&str, Option<&str>)> =
        s.b.iter()
            .zip(&b_groups)
            .map(|(&(c, _), g)| (B_CATS[c], g.as_deref()))
            .collect();
    let a: Vec<(&str, Option<&str>)> =
        s.a.iter()
            .zip(&a_groups)
            .map(|(&(c, _), g)| (A_CATS[c], g.as_deref()))
            .collect();
    let mut d = B::new("random")
        .days(s.days)
        .category("child", 1)
        .category("woman", 2)
        .category("man", 3)
        .category("minor", 1)
        .category("adult", 2);
    if let Some((cap, h)) = s.via {
        d = d.via("relief", cap, Some(h));
    }
    d = d
        .side("side-a", s.limits[0], &a)
        .side("side-b", s.limits[1], &b);
    if let Some((mask, ratio)) = s.exchange {
        let gives: Vec<&str> = B_CATS
            .iter()
            .zip(mask)
            .filter(|(_, m)| *m)
            .map(|(c, _)| *c)
            .collect();
        if !gives.is_empty() {
            d = d.exchange(("side-b", &gives), ("side-a", &A_CATS), ratio);
        }
    }
    if let Some((by_b, per)) = s.extension {
        d = d.extension(if by_b { "side-b" } else { "side-a" }, per, 1);
    }
    if !s.strict {
        d = d.weighted();
    }
    if let Some(x) = s.exposure {
        d = d.max_exposure(x);
    }
    let mut deal = d.0;
    deal.release.keep_groups_together = s.keep;
    AgreedDeal::new(deal).expect("no open issues")
}

/// (released, days_used, max_exposure, tier-weighted days) of the best plan
/// over every assignment of persons to days, with one handover per holder a
/// day (payer side-b first); validity and figures come from the checker.
fn brute_force(deal: &AgreedDeal) -> Option<Figures> {
    let days = deal.max_days();
    let n = deal.persons.len();
    let via = brute::via(deal);
    let everyone: Vec<usize> = (0..n).collect();
    let mut best = None;
    let mut assign = vec![0u32; n];
    loop {
        let mut stages = Vec::new();
        for day in 1..=days {
            let mut handovers = Vec::new();
            for holder in ["side-b", "side-a"] {
                let persons: Vec<&str> = (0..n)
                    .filter(|&i| assign[i] == day && deal.persons[i].holder.as_str() == holder)
                    .map(|i| deal.persons[i].id.as_str())
                    .collect();
                if !persons.is_empty() {
                    handovers.push(json!({"from": holder, "via": via, "persons": persons}));
                }
            }
            if !handovers.is_empty() {
                stages.push(json!({"day": day, "handovers": handovers}));
            }
        }
        brute::keep_best(&mut best, brute::judged(deal, &stages, &assign));
        if !brute::next_assignment(&mut assign, &everyone, 0, days) {
            break;
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn planner_plans_pass_the_checker_and_match_brute_force(s in spec()) {
        let deal = deal_of(&s);
        let outcome = plan(&deal, &PlanOptions::default());
        let brute = brute_force(&deal);
        let p = match outcome {
            Ok(p) => p,
            // Only a deal whose bound might be met by paying in chunks.
            Err(PlanError::SearchLimit(_)) => {
                prop_assert!(deal.release.via.is_none() && !deal.exchanges.is_empty());
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        if p.status == Status::Infeasible {
            prop_assert!(brute.is_none(), "planner says infeasible, brute force found {brute:?}");
            return Ok(());
        }
        let report = check_plan(&deal, &to_json(&p));
        prop_assert!(report.is_valid(), "{:#?}\n{}", report.violations, to_json(&p));
        let brute = brute.expect("a valid plan exists, so brute force finds one");
        prop_assert_eq!(p.status, Status::Optimal, "{}", to_json(&p));
        // Brute force tries one handover per holder a day; paying in
        // chunks can only do better.
        let chunks = !deal.exchanges.is_empty()
            && deal.intermediary().is_none_or(|v| v.handovers_per_day.unwrap_or(2) >= 4);
        brute::matches(&p, brute, chunks)?;
    }

    #[test]
    fn mutated_plans_are_rejected(s in spec(), pick in any::<prop::sample::Index>()) {
        let deal = deal_of(&s);
        let Ok(p) = plan(&deal, &PlanOptions::default()) else { return Ok(()) };
        if p.stages.is_empty() {
            return Ok(());
        }
        let v: Value = serde_json::from_str(&to_json(&p)).expect("json");
        let kinds = |m: &Value| check_plan(&deal, &m.to_string()).kinds();

        // A person of the last day's first handover listed twice in it.
        let mut m = v.clone();
        let last = m["stages"].as_array().map_or(0, |a| a.len() - 1);
        let persons = m["stages"][last]["handovers"][0]["persons"].as_array_mut().expect("persons");
        let again = pick.get(persons).clone();
        persons.push(again);
        prop_assert!(kinds(&m).contains(&K::ReleasedTwice));

        // A misreported figure.
        let mut m = v.clone();
        m["days_used"] = json!(p.days_used + 1);
        prop_assert!(kinds(&m).contains(&K::FigureMismatch));

        // The whole plan moved past the pause.
        let mut m = v.clone();
        m["stages"][last]["day"] = json!(deal.max_days() + 1);
        prop_assert!(kinds(&m).contains(&K::BeyondPause));

        // The day's last counter-release dropped.
        let mut m = v.clone();
        let paid = m["stages"][0]["handovers"].as_array_mut().expect("handovers").iter_mut().rev()
            .find(|h| h["from"] == "side-a" && !deal.exchanges.is_empty());
        if let Some(h) = paid {
            h["persons"].as_array_mut().expect("persons").pop();
            prop_assert!(kinds(&m).contains(&K::MissingCounterRelease), "{:?}", kinds(&m));
        }
    }

    /// Following an optimal plan for k days and re-planning gives the same
    /// figures: the rest of an optimal plan is an optimal rest.
    #[test]
    fn re_planning_a_followed_plan_changes_nothing(s in spec(), k in 0u32..=3) {
        let deal = deal_of(&s);
        let Ok(p) = plan(&deal, &PlanOptions::default()) else { return Ok(()) };
        if p.status != Status::Optimal {
            return Ok(());
        }
        let prefix = Prefix { through_day: k, stages: p.stages.iter().filter(|st| st.day <= k).cloned().collect() };
        let again = replan(&deal, &prefix, &PlanOptions::default()).expect("a followed plan re-plans");
        let report = check_plan(&deal, &to_json(&again));
        prop_assert!(report.is_valid(), "{:#?}", report.violations);
        let figures = |p: &truce_plan::Plan| (p.total_released(), p.days_used, p.max_exposure, p.tier_weighted_days);
        prop_assert_eq!(figures(&again), figures(&p));
    }
}

/// Deals where side-b pays side-a under three rules, one per category
/// (children for minors, women for adults, men for elders, ratios 1 or 2),
/// side-a's three categories in one tier or in three, groups mixing them,
/// one convoy each way a day: the payee's options of a day are enumerated
/// for the day's payment only, and its figures must be brute force's.
fn three_rule_deal() -> impl Strategy<Value = AgreedDeal> {
    (
        proptest::collection::vec((0usize..3, 0usize..3), 1..=3),
        proptest::collection::vec((0usize..3, 0usize..2), 0..=4),
        [1u32..=2, 1u32..=2, 1u32..=2],
        any::<bool>(),
        1u32..=2,
        any::<bool>(),
        any::<bool>(),
        proptest::option::weighted(0.4, 1u32..=2),
        proptest::option::weighted(0.3, 1u32..=2),
    )
        .prop_map(|(b, a, ratios, flat, days, strict, keep, exposure, most)| {
            const A: [&str; 3] = ["minor", "adult", "elder"];
            const B: [&str; 3] = ["child", "woman", "man"];
            let group = |g: usize, p: &str| (g > 0).then(|| format!("{p}{g}"));
            let a_groups: Vec<Option<String>> = a.iter().map(|&(_, g)| group(g, "h")).collect();
            let b_groups: Vec<Option<String>> = b.iter().map(|&(_, g)| group(g, "g")).collect();
            let a: Vec<(&str, Option<&str>)> = a
                .iter()
                .zip(&a_groups)
                .map(|(&(c, _), g)| (A[c], g.as_deref()))
                .collect();
            let b: Vec<(&str, Option<&str>)> = b
                .iter()
                .zip(&b_groups)
                .map(|(&(c, _), g)| (B[c], g.as_deref()))
                .collect();
            let mut d = B::new("three rules")
                .days(days)
                .category("child", 1)
                .category("woman", 2)
                .category("man", 3)
                .category("minor", 1)
                .category("adult", if flat { 1 } else { 2 })
                .category("elder", if flat { 1 } else { 3 })
                .via("relief", None, Some(2))
                .side("side-a", [None; 4], &a)
                .side("side-b", [None, most, None, None], &b);
            for i in 0..3 {
                d = d.exchange(("side-b", &[B[i]]), ("side-a", &[A[i]]), ratios[i]);
            }
            if !strict {
                d = d.weighted();
            }
            if let Some(x) = exposure {
                d = d.max_exposure(x);
            }
            let mut deal = d.0;
            deal.release.keep_groups_together = keep;
            AgreedDeal::new(deal).expect("no open issues")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn three_rules_match_brute_force(deal in three_rule_deal()) {
        let p = plan(&deal, &PlanOptions::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let brute = brute_force(&deal);
        if p.status == Status::Infeasible {
            prop_assert!(brute.is_none(), "planner says infeasible, brute force found {brute:?}");
            return Ok(());
        }
        prop_assert_eq!(p.status, Status::Optimal, "{}", to_json(&p));
        let report = check_plan(&deal, &to_json(&p));
        prop_assert!(report.is_valid(), "{:#?}\n{}", report.violations, to_json(&p));
        let got = (p.total_released(), p.days_used, p.max_exposure, p.tier_weighted_days);
        prop_assert_eq!(Some(got), brute, "{}", to_json(&p));
    }
}

/// Deals with an exchange cycle between the holders (side-b's children pay
/// for side-a's minors, side-a's adults pay for side-b's men), free
/// categories, and two to six handovers a day: every one gets a proven
/// answer (the CP-SAT oracle in CI checks its values; here, that it is
/// proven and that the independent checker accepts the plan).
fn cycle_deal() -> impl Strategy<Value = AgreedDeal> {
    (
        proptest::collection::vec(0usize..2, 1..=4),
        proptest::collection::vec(0usize..3, 1..=4),
        1u32..=2,
        1u32..=2,
        2u32..=6,
        1u32..=3,
        proptest::option::weighted(0.5, 1u32..=2),
        any::<bool>(),
    )
        .prop_map(|(a, b, r1, r2, handovers, days, exposure, strict)| {
            const A: [&str; 2] = ["minor", "adult"];
            const B: [&str; 3] = ["child", "man", "woman"];
            let a: Vec<(&str, Option<&str>)> = a.iter().map(|&c| (A[c], None)).collect();
            let b: Vec<(&str, Option<&str>)> = b.iter().map(|&c| (B[c], None)).collect();
            let mut d = B::new("cycle")
                .days(days)
                .category("child", 1)
                .category("man", 2)
                .category("woman", 1)
                .category("minor", 1)
                .category("adult", 2)
                .via("relief", None, Some(handovers))
                .side("side-a", [None; 4], &a)
                .side("side-b", [None; 4], &b)
                .exchange(("side-b", &["child"]), ("side-a", &["minor"]), r1)
                .exchange(("side-a", &["adult"]), ("side-b", &["man"]), r2);
            if !strict {
                d = d.weighted();
            }
            if let Some(x) = exposure {
                d = d.max_exposure(x);
            }
            d.agreed()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn cycles_and_chunks_get_a_proven_answer(deal in cycle_deal()) {
        let p = plan(&deal, &PlanOptions::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(p.status != Status::Feasible, "{}", to_json(&p));
        if p.status == Status::Optimal {
            let report = check_plan(&deal, &to_json(&p));
            prop_assert!(report.is_valid(), "{:#?}\n{}", report.violations, to_json(&p));
            prop_assert_eq!(report.max_exposure, p.max_exposure);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// With a step budget too small for the proof, the answer is still
    /// right: a plan the checker accepts whose unproven level's bound holds
    /// for the optimum, or `infeasible` exactly when the deal is.
    #[test]
    fn a_small_step_budget_still_answers_right(s in spec(), budget in 40u64..400) {
        let deal = deal_of(&s);
        let full = plan(&deal, &PlanOptions::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let opts = PlanOptions { step_budget: budget, method: truce_plan::Method::UnitSearch, ..PlanOptions::default() };
        let p = match plan(&deal, &opts) {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{e} on {s:?}"))),
        };
        prop_assert_eq!(p.status == Status::Infeasible, full.status == Status::Infeasible);
        if p.status == Status::Infeasible {
            return Ok(());
        }
        let report = check_plan(&deal, &to_json(&p));
        prop_assert!(report.is_valid(), "{:#?}\n{}", report.violations, to_json(&p));
        prop_assert!(p.total_released() <= full.total_released());
        if p.unproven == Some(truce_plan::Level::Released) {
            prop_assert!(f64::from(full.total_released()) <= p.bound.unwrap_or(-1.0));
        }
        if p.unproven == Some(truce_plan::Level::MaxExposure) {
            prop_assert!(full.max_exposure >= p.bound.unwrap_or(f64::MAX) - 1e-9);
        }
    }
}
