//! Simulation benchmarks (not tests): issue 15's goals are 100,000 runs of a
//! 7-day, 300-person deal in ≤ 1 s and 10,000 runs of the 100,000-person
//! generated deal in ≤ 10 s, on 2 cores. Numbers and the machine are in
//! `BENCHMARKS.md`.

use truce_plan::{PlanOptions, plan};
use truce_sim::{RiskModel, Schedule, SimOptions, simulate};
use truce_spec::{GenerateOptions, generate};

fn main() {
    divan::main();
}

/// `truce generate`: `captives` × 4 persons, 4 base days plus up to 3
/// extension days (a 7-day horizon).
fn schedule(captives: u32) -> Schedule {
    let opts = GenerateOptions {
        persons: captives,
        days: 4,
        ..GenerateOptions::default()
    };
    let files = generate(&opts).expect("valid options").files;
    let deal = truce_test_support::rosters::drafted(&files);
    let p = plan(&deal, &PlanOptions::default()).expect("plans");
    Schedule::new("generated", &deal, &p).expect("compiles")
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The illustrative default risk model (every risk in play).
#[divan::bench(sample_count = 10)]
fn runs_100000_of_300_persons_7_days(bencher: divan::Bencher) {
    let s = [schedule(75)];
    let risk = RiskModel::default();
    let opts = SimOptions {
        runs: 100_000,
        seed: 1,
        threads: threads(),
    };
    bencher.bench(|| simulate(&s, &risk, &opts, &|_| {}));
}

/// The default model but a hazard per person of exposure scaled to the
/// deal (the default, 0.001, would end every run after day 1's first
/// handover at an exposure of 6,250, which measures nothing): most runs
/// go the whole way, the costly case.
#[divan::bench(sample_count = 5)]
fn runs_10000_of_100000_persons(bencher: divan::Bencher) {
    let s = [schedule(25_000)];
    let mut risk = RiskModel::default();
    risk.collapse.per_exposure = 0.000_01;
    let report = simulate(
        &s,
        &risk,
        &SimOptions {
            runs: 1000,
            seed: 1,
            threads: 1,
        },
        &|_| {},
    );
    assert!(
        report.drafts[0].completion.mean > 0.3,
        "runs go the whole way"
    );
    let opts = SimOptions {
        runs: 10_000,
        seed: 1,
        threads: threads(),
    };
    bencher.bench(|| simulate(&s, &risk, &opts, &|_| {}));
}

/// Two drafts on common random numbers: twice the work of one.
#[divan::bench(sample_count = 10)]
fn runs_100000_of_two_300_person_drafts(bencher: divan::Bencher) {
    let s = [schedule(75), schedule(75)];
    let risk = RiskModel::default();
    let opts = SimOptions {
        runs: 100_000,
        seed: 1,
        threads: threads(),
    };
    bencher.bench(|| simulate(&s, &risk, &opts, &|_| {}));
}
