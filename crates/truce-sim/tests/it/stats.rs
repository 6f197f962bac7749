//! The statistical tests of issue 15, with fixed seeds and stated tolerances.

use std::collections::BTreeMap;

use truce_sim::{DraftReport, RiskModel, Schedule, SimOptions, simulate};

use crate::fixtures::{generated, humanitarian_pause, november_2023, plan_of, prefix_counts};

fn opts(runs: u64, seed: u64, threads: usize) -> SimOptions {
    SimOptions {
        runs,
        seed,
        threads,
    }
}

/// Mean persons released per (holder, category) in a draft's report.
fn means(d: &DraftReport) -> BTreeMap<(String, String), f64> {
    d.per_category
        .iter()
        .filter(|c| c.released.mean > 0.0)
        .map(|c| ((c.holder.clone(), c.category.clone()), c.released.mean))
        .collect()
}

fn as_f64(m: BTreeMap<(String, String), u64>) -> BTreeMap<(String, String), f64> {
    m.into_iter().map(|(k, v)| (k, v as f64)).collect()
}

#[test]
fn with_all_risks_zero_every_run_completes_as_planned() {
    for deal in [humanitarian_pause(), generated(75)] {
        let plan = plan_of(&deal);
        let s = Schedule::new("a", &deal, &plan).unwrap();
        let r = simulate(&[s], &RiskModel::none(), &opts(2000, 1, 2), &|_| {});
        let d = &r.drafts[0];
        assert_eq!(d.runs_completed, 2000);
        assert_eq!(d.completion.mean, 1.0);
        assert_eq!(
            (d.released.min, d.released.max),
            (
                u64::from(plan.total_released()),
                u64::from(plan.total_released())
            )
        );
        // Every run ends on the plan's last day, with the plan's counts.
        assert_eq!(d.days_used.iter().sum::<u64>(), 2000);
        assert_eq!(d.days_used[plan.days_used as usize], 2000);
        assert_eq!(means(d), as_f64(prefix_counts(&deal, &plan, u32::MAX)));
        for c in &d.per_category {
            assert_eq!(
                (c.released.min, c.released.max),
                (c.released.planned, c.released.planned)
            );
        }
    }
}

#[test]
fn a_certain_collapse_on_day_k_releases_the_plans_prefix() {
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    assert!(plan.days_used >= 3, "the fixture spans several days");
    for k in 1..=plan.days_used {
        let mut risk = RiskModel::none();
        risk.collapse.by_day = vec![0.0; k as usize];
        risk.collapse.by_day[k as usize - 1] = 1.0;
        let s = Schedule::new("a", &deal, &plan).unwrap();
        let r = simulate(&[s], &risk, &opts(500, 3, 2), &|_| {});
        let d = &r.drafts[0];
        assert_eq!(d.runs_collapsed, 500, "day {k}");
        assert_eq!(d.survival[k as usize - 1], 1.0);
        assert_eq!(d.survival[k as usize], 0.0);
        assert_eq!(means(d), as_f64(prefix_counts(&deal, &plan, k)), "day {k}");
        for c in &d.per_category {
            assert_eq!(c.released.min, c.released.max, "every run the same");
        }
        // Every day ends paid in full: exposure at the start of a day is 0.
        assert_eq!(d.expected_exposure_at_collapse, Some(0.0));
    }
}

#[test]
fn independent_daily_collapse_matches_the_closed_form_within_three_standard_errors() {
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    for (p, seed) in [(0.05, 11), (0.2, 12), (0.5, 13)] {
        let mut risk = RiskModel::none();
        risk.collapse.daily = p;
        let runs = 40_000u64;
        let s = Schedule::new("a", &deal, &plan).unwrap();
        let r = simulate(&[s], &risk, &opts(runs, seed, 2), &|_| {});
        let expected = (1.0f64 - p).powi(plan.days_used as i32);
        let se = (expected * (1.0 - expected) / runs as f64).sqrt();
        let got = r.drafts[0].completion.mean;
        assert!(
            (got - expected).abs() <= 3.0 * se,
            "p = {p}: completion {got}, closed form {expected}, 3 SE = {}",
            3.0 * se
        );
        // Survival after day d is (1 − p)^d for every day of the plan.
        for day in 1..=plan.days_used {
            let e = (1.0f64 - p).powi(day as i32);
            let se = (e * (1.0 - e) / runs as f64).sqrt();
            let got = r.drafts[0].survival[day as usize];
            assert!(
                (got - e).abs() <= 3.0 * se,
                "p = {p}, day {day}: {got} vs {e}"
            );
        }
    }
}

fn busy_risk() -> RiskModel {
    let mut risk = RiskModel::default();
    risk.collapse.per_exposure = 0.01;
    risk
}

#[test]
fn identical_drafts_give_identical_results_under_common_random_numbers() {
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    let a = Schedule::new("A", &deal, &plan).unwrap();
    let b = Schedule::new("B", &deal, &plan).unwrap();
    let r = simulate(&[a, b], &busy_risk(), &opts(5000, 5, 2), &|_| {});
    let (mut x, y) = (r.drafts[0].clone(), &r.drafts[1]);
    assert!(
        x.runs_collapsed > 0 && x.runs_completed > 0,
        "the risk model does something"
    );
    x.label = "B".into();
    assert_eq!(&x, y);
    let c = &r.comparisons[0];
    assert_eq!(
        (c.completion_points.mean, c.completion_points.ci95),
        (0.0, 0.0)
    );
    assert_eq!((c.released.mean, c.released.ci95), (0.0, 0.0));
    assert_eq!(
        (c.runs_only_draft_completed, c.runs_only_baseline_completed),
        (0, 0)
    );
}

#[test]
fn one_thread_and_many_give_the_same_report() {
    let deal = generated(75);
    let plan = plan_of(&deal);
    let s = || Schedule::new("A", &deal, &plan).unwrap();
    let one = simulate(&[s(), s()], &busy_risk(), &opts(7000, 9, 1), &|_| {});
    let many = simulate(&[s(), s()], &busy_risk(), &opts(7000, 9, 3), &|_| {});
    assert_eq!(one, many);
    // Another seed gives another sample.
    let other = simulate(&[s(), s()], &busy_risk(), &opts(7000, 10, 3), &|_| {});
    assert_ne!(
        one.drafts[0].released_histogram,
        other.drafts[0].released_histogram
    );
}

#[test]
fn a_comparison_sees_a_riskier_draft_and_its_interval_covers_the_difference() {
    // Draft B is A with one more day: under a daily hazard p it completes
    // (1 − p)^D − (1 − p)^(D + 1) less often. B's extra day is an
    // extension day; the test is about the hazard, so any release earns it.
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    let mut terms = deal.clone().into_inner();
    if let Some(x) = terms.pause.extension.as_mut() {
        x.per_releases = 0;
    }
    let deal = truce_spec::AgreedDeal::as_drafted(terms);
    let mut longer = plan.clone();
    for s in &mut longer.stages {
        if s.day == plan.days_used {
            s.day += 1;
        }
    }
    longer.days_used += 1;
    let p = 0.1;
    let mut risk = RiskModel::none();
    risk.collapse.daily = p;
    let a = Schedule::new("A", &deal, &plan).unwrap();
    let b = Schedule::new("B", &deal, &longer).unwrap();
    let r = simulate(&[a, b], &risk, &opts(20_000, 21, 2), &|_| {});
    let d = plan.days_used as i32;
    let expected = 100.0 * ((1.0f64 - p).powi(d + 1) - (1.0f64 - p).powi(d));
    let c = &r.comparisons[0];
    assert!(
        (c.completion_points.mean - expected).abs() <= 1.5 * c.completion_points.ci95,
        "{} ± {} vs {expected}",
        c.completion_points.mean,
        c.completion_points.ci95
    );
    // Under common random numbers B never completes where A did not.
    assert_eq!(c.runs_only_draft_completed, 0);
    assert!(
        c.completion_points.ci95 < 0.6,
        "paired differences are precise"
    );
}

#[test]
fn delays_and_partial_handovers_never_release_more_than_planned() {
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    let mut risk = RiskModel::none();
    risk.handover.delay = 0.3;
    risk.handover.partial = 0.3;
    risk.policy.extend_lost_days = 1;
    let s = Schedule::new("a", &deal, &plan).unwrap();
    let r = simulate(&[s], &risk, &opts(3000, 2, 2), &|_| {});
    let d = &r.drafts[0];
    assert_eq!(d.runs_collapsed, 0);
    assert!(d.runs_expired > 0 && d.runs_completed > 0);
    for c in &d.per_category {
        assert!(c.released.max <= c.released.planned);
    }
    // Partial handovers leave exposure, which a hazard on it turns into collapses.
    risk.collapse.per_exposure = 0.05;
    let s = Schedule::new("a", &deal, &plan).unwrap();
    let r = simulate(&[s], &risk, &opts(3000, 2, 2), &|_| {});
    let d = &r.drafts[0];
    assert!(d.runs_collapsed > 0);
    assert!(d.expected_exposure_at_collapse.unwrap() > 0.0);
}

#[test]
fn charts_are_svg_documents_naming_every_draft() {
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    let s = || Schedule::new("draft <A>", &deal, &plan).unwrap();
    let r = simulate(&[s(), s()], &busy_risk(), &opts(500, 1, 1), &|_| {});
    for svg in [truce_sim::survival_svg(&r), truce_sim::released_svg(&r)] {
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("draft &lt;A&gt;").count(), 2);
        assert!(!svg.contains("NaN"));
    }
    let text = truce_sim::render_text(&r);
    assert!(text.contains("completes 0.0 ± 0.0 points"));
}

#[test]
fn a_plan_outside_the_pause_or_of_other_persons_is_refused() {
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    let mut late = plan.clone();
    late.stages.last_mut().unwrap().day = 4_000_000_000;
    assert_eq!(
        Schedule::new("a", &deal, &late).unwrap_err(),
        truce_sim::ScheduleError::OutsidePause {
            day: 4_000_000_000,
            last: 10
        }
    );
    let mut twice = plan.clone();
    let first = twice.stages[0].handovers[0].persons[0].clone();
    twice.stages[1].handovers[0].persons.push(first.clone());
    assert_eq!(
        Schedule::new("a", &deal, &twice).unwrap_err(),
        truce_sim::ScheduleError::Repeated(first)
    );
    let other = plan_of(&generated(75));
    assert!(matches!(
        Schedule::new("a", &deal, &other).unwrap_err(),
        truce_sim::ScheduleError::UnknownPerson(_) | truce_sim::ScheduleError::WrongHolder { .. }
    ));
}

/// A one-day suspension on day 1, nothing else: the plan falls a day behind.
fn suspended_on_day_one(replan: truce_sim::Replan) -> RiskModel {
    let mut risk = RiskModel::none();
    risk.suspension.by_day = vec![1.0];
    risk.suspension.days_min = 1;
    risk.suspension.days_max = 1;
    risk.policy.replan = replan;
    risk
}

#[test]
fn after_a_lost_day_the_policies_differ_as_the_planner_says() {
    use truce_sim::Replan;
    // The example's plan: 10 + 30 a day for five days (the fifth an
    // extension day), of a pause of at most 4 + 6 days.
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    assert_eq!(plan.days_used, 5);
    let sim = |replan| {
        let s = Schedule::new("a", &deal, &plan).unwrap();
        simulate(
            &[s],
            &suspended_on_day_one(replan),
            &opts(50, 1, 2),
            &|_| {},
        )
        .drafts
        .remove(0)
    };
    // Without re-planning, day 1's stage runs on day 2 … and the pause ends
    // on day 5 with the plan's last stage undone.
    let none = sim(Replan::None);
    assert_eq!(none.runs_expired, 50);
    assert_eq!(none.released.min, u64::from(plan.total_released()) - 40);
    // The exact planner re-plans the rest from day 2: the planner's own
    // answer for what is left (`truce plan --carried-out` with nothing done
    // through day 1).
    let prefix = truce_plan::Prefix {
        through_day: 1,
        stages: Vec::new(),
    };
    let rest = truce_plan::replan(&deal, &prefix, &truce_plan::PlanOptions::default()).unwrap();
    let exact = sim(Replan::Exact);
    assert_eq!(exact.released.min, u64::from(rest.total_released()));
    assert_eq!(exact.released.max, u64::from(rest.total_released()));
    assert_eq!(exact.days_used[rest.days_used as usize], 50);
    if rest.total_released() == plan.total_released() {
        assert_eq!(exact.runs_completed, 50);
    }
}

#[test]
fn exact_re_planning_is_the_same_on_one_thread_or_many() {
    let deal = humanitarian_pause();
    let plan = plan_of(&deal);
    let mut risk = busy_risk();
    risk.policy.replan = truce_sim::Replan::Exact;
    risk.handover.partial = 0.0;
    let s = || Schedule::new("a", &deal, &plan).unwrap();
    let one = simulate(&[s()], &risk, &opts(3000, 4, 1), &|_| {});
    let two = simulate(&[s()], &risk, &opts(3000, 4, 2), &|_| {});
    assert_eq!(one, two);
    for c in &one.drafts[0].per_category {
        assert!(c.released.max <= c.released.planned);
    }
}

/// Persons of the deal's channels (outside the exchange) in the plan's
/// stages before `day`, from the plan and the rosters directly.
fn channel_prefix(deal: &truce_spec::AgreedDeal, plan: &truce_plan::Plan, day: u32) -> u64 {
    prefix_counts(deal, plan, day)
        .iter()
        .filter(|((holder, category), _)| {
            deal.channels
                .iter()
                .any(|ch| ch.holder.0 == *holder && ch.categories.iter().any(|c| c.0 == *category))
        })
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn a_certain_collapse_on_day_k_delivers_the_plans_prefix_of_aid_and_outside_releases() {
    let deal = november_2023();
    let plan = plan_of(&deal);
    assert!(plan.flows.len() >= 2 && !deal.channels.is_empty());
    assert!(
        channel_prefix(&deal, &plan, u32::MAX) > 0,
        "the plan uses the channel"
    );
    // k = days_used + 1: no collapse within the plan, everything delivered.
    for k in 1..=plan.days_used + 1 {
        let mut risk = RiskModel::none();
        risk.collapse.by_day = vec![0.0; k as usize];
        risk.collapse.by_day[k as usize - 1] = 1.0;
        let s = Schedule::new("a", &deal, &plan).unwrap();
        let r = simulate(&[s], &risk, &opts(300, 5, 2), &|_| {});
        let d = &r.drafts[0];
        assert_eq!(d.flows.len(), plan.flows.len());
        for (got, planned) in d.flows.iter().zip(&plan.flows) {
            assert_eq!(got.flow, planned.id);
            let days_before = planned.days.iter().filter(|&&day| day < k).count() as u64;
            let expected = u64::from(planned.per_day) * days_before;
            assert_eq!(
                (got.delivered.min, got.delivered.max),
                (expected, expected),
                "{} with a collapse on day {k}",
                got.flow
            );
            assert_eq!(
                got.delivered.planned,
                u64::from(planned.per_day) * planned.days.len() as u64
            );
        }
        let outside = channel_prefix(&deal, &plan, k);
        let c = &d.channels[0];
        assert_eq!(
            (c.released.min, c.released.max),
            (outside, outside),
            "day {k}"
        );
        assert_eq!(c.released.planned, channel_prefix(&deal, &plan, u32::MAX));
    }
}

#[test]
fn aid_delivered_under_independent_daily_collapse_matches_the_closed_form() {
    let deal = november_2023();
    let plan = plan_of(&deal);
    let last = *plan.flows[0].days.iter().max().unwrap();
    assert_eq!(last, plan.days_used, "aid is due on the plan's days");
    let p = 0.15;
    let runs = 20_000u64;
    let mut risk = RiskModel::none();
    risk.collapse.daily = p;
    let s = Schedule::new("a", &deal, &plan).unwrap();
    let r = simulate(&[s], &risk, &opts(runs, 21, 2), &|_| {});
    for (got, planned) in r.drafts[0].flows.iter().zip(&plan.flows) {
        // Day d's aid comes in when the pause survived the start of days
        // 1..=d: probability (1 − p)^d.
        let per_day = f64::from(planned.per_day);
        let expected: f64 = planned
            .days
            .iter()
            .map(|&d| per_day * (1.0 - p).powi(d as i32))
            .sum();
        // A bounded amount's standard deviation is at most half its range.
        let se = per_day * planned.days.len() as f64 / 2.0 / (runs as f64).sqrt();
        let mean = got.delivered.mean;
        assert!(
            (mean - expected).abs() <= 3.0 * se,
            "{}: {mean} vs closed form {expected} (3 SE bound {})",
            got.flow,
            3.0 * se
        );
    }
}

#[test]
fn the_delivered_chart_names_each_flow_and_channel_only_when_there_are_some() {
    let nov = november_2023();
    let s = Schedule::new("as agreed", &nov, &plan_of(&nov)).unwrap();
    let r = simulate(&[s], &RiskModel::none(), &opts(50, 1, 1), &|_| {});
    let svg = truce_sim::delivered_svg(&r).expect("the deal has flows");
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    for name in [
        "aid-trucks",
        "diesel",
        "gas-trucks",
        "side-b via separate-arrangement",
    ] {
        assert!(svg.contains(name), "{name}");
    }
    let text = truce_sim::render_text(&r);
    assert!(text.contains("aid-trucks") && text.contains("released outside the exchange"));
    let deal = humanitarian_pause();
    let s = Schedule::new("a", &deal, &plan_of(&deal)).unwrap();
    let r = simulate(&[s], &RiskModel::none(), &opts(50, 1, 1), &|_| {});
    assert_eq!(truce_sim::delivered_svg(&r), None);
    assert!(r.drafts[0].flows.is_empty() && r.drafts[0].channels.is_empty());
}
