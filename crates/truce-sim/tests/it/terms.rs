//! The deal's terms the simulation must respect beyond the plan's stages:
//! deferred counter-releases (paid on a later day, the exposure carried
//! overnight) and the extension rule (the policy's extra days for days
//! lost never go beyond what the terms allow, and each must be earned).

use truce_plan::{Plan, PlanOptions, Stage, check_plan};
use truce_sim::{DraftReport, Replan, RiskModel, Schedule, SimOptions, simulate};
use truce_spec::AgreedDeal;

use crate::fixtures::load_files;

fn opts(runs: u64) -> SimOptions {
    SimOptions {
        runs,
        seed: 11,
        threads: 2,
    }
}

/// The CLI's `deferred` fixture deal with its `deal.toml` as `toml` (the
/// file, or a variant of it), and its rosters.
fn deferred_deal(toml: &str) -> AgreedDeal {
    load_files(&[
        ("deal.toml".into(), toml.into()),
        (
            "rosters/side-a.csv".into(),
            include_str!("../../../truce-cli/tests/fixtures/deferred/rosters/side-a.csv").into(),
        ),
        (
            "rosters/side-b.csv".into(),
            include_str!("../../../truce-cli/tests/fixtures/deferred/rosters/side-b.csv").into(),
        ),
    ])
}

/// The plan of the stages `text` writes (stages only, as `truce simulate
/// --plan` reads them), which the checker accepts: its figures are the
/// checker's.
fn written_plan(deal: &AgreedDeal, text: &str) -> Plan {
    let report = check_plan(deal, text);
    assert!(report.is_valid(), "{:?}", report.violations);
    #[derive(serde::Deserialize)]
    struct Written {
        stages: Vec<Stage>,
    }
    let written: Written = serde_json::from_str(text).unwrap();
    Plan::from_stages(deal, written.stages, Vec::new(), &report)
}

/// The CLI's fixture: one convoy a day, side-b's 2 children paid for by
/// side-a's 2 detainees the next day (`deferred_days = 1`), with its
/// hand-written plan (stages only).
fn deferred() -> (AgreedDeal, Plan) {
    let deal = deferred_deal(include_str!(
        "../../../truce-cli/tests/fixtures/deferred/deal.toml"
    ));
    let plan = written_plan(
        &deal,
        include_str!("../../../truce-cli/tests/fixtures/deferred/plan.json"),
    );
    (deal, plan)
}

fn holder_mean(d: &DraftReport, holder: &str) -> f64 {
    d.per_holder
        .iter()
        .find(|h| h.holder == holder)
        .map_or(f64::NAN, |h| h.released.mean)
}

#[test]
fn a_deferred_plan_pays_its_counter_releases_on_their_day() {
    let (deal, plan) = deferred();
    let s = Schedule::new("deferred", &deal, &plan).unwrap();
    let r = simulate(&[s], &RiskModel::none(), &opts(1000), &|_| {});
    let d = &r.drafts[0];
    assert_eq!(d.runs_completed, 1000);
    assert_eq!(
        (holder_mean(d, "side-b"), holder_mean(d, "side-a")),
        (2.0, 2.0)
    );
    // Paid on day 2, as written: every run ends on day 2.
    assert_eq!(d.days_used[2], 1000);
    // Side-b is owed 2 overnight, and the report says so.
    assert_eq!(d.planned_carried_exposure, 2.0);
    assert_eq!(d.planned_max_exposure, 2.0);
}

#[test]
fn a_collapse_before_the_deferred_payment_leaves_it_unpaid() {
    let (deal, plan) = deferred();
    let mut risk = RiskModel::none();
    risk.collapse.by_day = vec![0.0, 1.0];
    let s = Schedule::new("deferred", &deal, &plan).unwrap();
    let r = simulate(&[s], &risk, &opts(500), &|_| {});
    let d = &r.drafts[0];
    assert_eq!(d.runs_collapsed, 500);
    // Side-b's 2 are home; the 2 detainees owed for them are not released.
    assert_eq!(
        (holder_mean(d, "side-b"), holder_mean(d, "side-a")),
        (2.0, 0.0)
    );
    assert_eq!(d.expected_exposure_at_collapse, Some(2.0));
    assert_eq!(d.survival[1], 1.0);
    assert_eq!(d.survival[2], 0.0);
}

/// With only the per-exposure hazard `p` per person: 2 owed right after
/// day 1's handover (2p), 2 owed through the night into day 2 (2p again),
/// nothing owed after day 2's payment: completion (1 − 2p)². Without the
/// night it would be 1 − 2p.
#[test]
fn the_exposure_carried_overnight_weighs_on_the_night() {
    let (deal, plan) = deferred();
    let mut risk = RiskModel::none();
    let p = 0.1;
    risk.collapse.per_exposure = p;
    let runs = 40_000;
    let s = Schedule::new("deferred", &deal, &plan).unwrap();
    let r = simulate(&[s], &risk, &opts(runs), &|_| {});
    let d = &r.drafts[0];
    let expected = (1.0 - 2.0 * p) * (1.0 - 2.0 * p);
    let se = (expected * (1.0 - expected) / runs as f64).sqrt();
    assert!(
        (d.completion.mean - expected).abs() < 3.0 * se,
        "completion {} against (1 − 2p)² = {expected} ± {}",
        d.completion.mean,
        3.0 * se
    );
    // Collapses on day 2 happen at its start, with 2 owed.
    assert_eq!(d.expected_exposure_at_collapse, Some(2.0));
}

/// Six persons, two a day over three base days, and the extension terms
/// given; the plan the planner makes of it.
fn six_in_three_days(extension: &str) -> (AgreedDeal, Plan) {
    let deal_text = format!(
        "format_version = 1\nname = \"six\"\n\
         [[party]]\nid = \"side-a\"\nrole = \"side\"\n\
         [[party]]\nid = \"side-b\"\nrole = \"side\"\n\
         [pause]\ndays = 3\n{extension}\n\
         [[category]]\nid = \"civilian\"\ntier = 1\n\
         [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\nmax_per_day = 2\n\
         [release]\npriority = \"strict\"\n"
    );
    let roster = "id,category\nB-1,civilian\nB-2,civilian\nB-3,civilian\n\
                  B-4,civilian\nB-5,civilian\nB-6,civilian\n";
    let deal = load_files(&[
        ("deal.toml".into(), deal_text),
        ("b.csv".into(), roster.into()),
    ]);
    let plan = truce_plan::plan(&deal, &PlanOptions::default()).unwrap();
    assert_eq!((plan.total_released(), plan.days_used), (6, 3));
    (deal, plan)
}

/// Days 1 and 2 certainly suspended, the plan followed one stage a day,
/// the policy asking for 2 extra days for the days lost.
fn suspended_two_days() -> RiskModel {
    let mut risk = RiskModel::none();
    risk.suspension.by_day = vec![1.0];
    risk.suspension.days_min = 2;
    risk.suspension.days_max = 2;
    risk.policy.replan = Replan::None;
    risk.policy.extend_lost_days = 2;
    risk
}

#[test]
fn the_policy_extends_the_pause_only_as_far_as_the_terms_allow() {
    let rule = "[pause.extension]\nper_releases = 2\nby = \"side-b\"\nmax_days = 2\n";
    let agreed_one = "[pause.extension]\nper_releases = 2\nby = \"side-b\"\nmax_days = 2\n\
                      by_agreement = true\nagreed_days = 1\n";
    let unearned = "[pause.extension]\nper_releases = 3\nby = \"side-b\"\nmax_days = 2\n";
    // (terms, the policy's days allowed, completed runs, persons released
    // in every run, why the policy is capped)
    let cases: [(&str, u32, u64, f64, Option<&str>); 4] = [
        // No extension rule: the pause ends on day 3, with stage 1 of 3.
        ("", 0, 0, 2.0, Some("no extension rule")),
        // A rule of 2 extra days, each earned by 2 releases: all of it.
        (rule, 2, 1000, 6.0, None),
        // Only one extra day agreed: stages 1 and 2.
        (agreed_one, 1, 0, 4.0, Some("1 are agreed")),
        // Day 4 releases 2 where the rule asks 3: not earned, the pause
        // ends with it.
        (unearned, 2, 0, 4.0, None),
    ];
    for (terms, allowed, completed, released, note) in cases {
        let (deal, plan) = six_in_three_days(terms);
        let s = Schedule::new("six", &deal, &plan).unwrap();
        let r = simulate(&[s], &suspended_two_days(), &opts(1000), &|_| {});
        let d = &r.drafts[0];
        assert_eq!(d.extension_days, allowed, "{terms}");
        assert_eq!(d.runs_completed, completed, "{terms}");
        assert_eq!(
            (d.released.min, d.released.mean),
            (released as u64, released),
            "{terms}"
        );
        match note {
            Some(n) => assert!(
                d.extension_note.as_deref().is_some_and(|t| t.contains(n)),
                "{terms}: {:?}",
                d.extension_note
            ),
            None => assert_eq!(d.extension_note, None, "{terms}"),
        }
    }
}

/// The CLI's fixture as a draft of 4 days with payments deferred 2 days,
/// and a plan of one person a day: side-b's B-0001 on day 1, paid by
/// side-a's A-0001 on day 2; B-0002 on day 3, paid by A-0002 on day 4.
fn deferred_two_days() -> (AgreedDeal, Plan) {
    let deal = deferred_deal(
        &include_str!("../../../truce-cli/tests/fixtures/deferred/deal.toml")
            .replace("days = 3", "days = 4")
            .replace("deferred_days = 1", "deferred_days = 2"),
    );
    let stages = serde_json::json!([
        {"day": 1, "handovers": [{"from": "side-b", "via": "relief", "persons": ["B-0001"]}]},
        {"day": 2, "handovers": [{"from": "side-a", "via": "relief", "persons": ["A-0001"]}]},
        {"day": 3, "handovers": [{"from": "side-b", "via": "relief", "persons": ["B-0002"]}]},
        {"day": 4, "handovers": [{"from": "side-a", "via": "relief", "persons": ["A-0002"]}]},
    ]);
    let text = serde_json::json!({"format_version": 1, "stages": stages}).to_string();
    let plan = written_plan(&deal, &text);
    (deal, plan)
}

/// Day 2 suspended after day 1 carried out: side-a owes B-0001's payment
/// by the end of day 3. The exact policy re-plans from that debt: one
/// convoy a day, so day 3 is side-a's paying A-0001 (it may not pay ahead),
/// and day 4 could only be side-b's B-0002, owed past the pause's last day
/// with no convoy left to pay it: 2 released, the run ends on day 3.
/// Catch-up merges only stages of the same holders, so it runs the plan a
/// day late: A-0001 on day 3, B-0002 on day 4, whose payment A-0002 the
/// pause has no day for (3 released, one counter-release left owed at
/// its end). Before re-plans carried the debt over, `"exact"` fell back
/// to catch-up here.
#[test]
fn an_exact_re_plan_of_a_deferred_deal_starts_from_what_is_owed() {
    let (deal, plan) = deferred_two_days();
    let sim = |replan| {
        let mut risk = RiskModel::none();
        risk.suspension.by_day = vec![0.0, 1.0];
        risk.suspension.days_min = 1;
        risk.suspension.days_max = 1;
        risk.policy.replan = replan;
        let s = Schedule::new("deferred", &deal, &plan).unwrap();
        simulate(&[s], &risk, &opts(200), &|_| {}).drafts.remove(0)
    };
    let exact = sim(Replan::Exact);
    assert_eq!(
        (holder_mean(&exact, "side-b"), holder_mean(&exact, "side-a")),
        (1.0, 1.0)
    );
    assert_eq!(exact.days_used[3], 200);
    let catch_up = sim(Replan::CatchUp);
    assert_eq!(
        (
            holder_mean(&catch_up, "side-b"),
            holder_mean(&catch_up, "side-a")
        ),
        (2.0, 1.0)
    );
    assert_eq!(catch_up.days_used[4], 200);
}
