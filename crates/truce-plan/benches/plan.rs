//! Planner benchmarks (not tests): the three shipped examples and generated
//! deals of 2,000, 8,000, 40,000 and 400,000 persons. Numbers, the machine
//! and the CP-SAT peer measured in the same run are in `BENCHMARKS.md`.

use truce_plan::{PlanOptions, plan};
use truce_spec::{AgreedDeal, GenerateOptions, generate};

fn main() {
    divan::main();
}

fn load_files(files: &[(String, String)]) -> AgreedDeal {
    // Benchmarks plan the deal as drafted: open issues keep their written values.
    truce_test_support::rosters::drafted(files)
}

macro_rules! shipped {
    ($name:literal, [$($roster:literal),*]) => {
        load_files(&[
            (
                "deal.toml".into(),
                include_str!(concat!("../../../examples/", $name, "/deal.toml")).into(),
            ),
            $((
                concat!("rosters/", $roster).into(),
                include_str!(concat!("../../../examples/", $name, "/rosters/", $roster)).into(),
            ),)*
        ])
    };
}

/// A deal from `truce generate` with `captives` captives over `days` days.
pub fn generated(captives: u32, days: u32) -> AgreedDeal {
    let opts = GenerateOptions {
        persons: captives,
        days,
        tiers: 4,
        ratio: 3,
        family_share: 0.3,
        extension: true,
        seed: 1,
    };
    load_files(&generate(&opts).expect("valid options").files)
}

fn bench_plan(bencher: divan::Bencher, deal: &AgreedDeal) {
    bencher.bench(|| plan(deal, &PlanOptions::default()));
}

#[divan::bench(sample_count = 20)]
fn example_minimal(bencher: divan::Bencher) {
    bench_plan(bencher, &shipped!("minimal", ["side-b.csv"]));
}

#[divan::bench(sample_count = 20)]
fn example_humanitarian_pause(bencher: divan::Bencher) {
    bench_plan(
        bencher,
        &shipped!("humanitarian-pause", ["side-a.csv", "side-b.csv"]),
    );
}

#[divan::bench(sample_count = 20)]
fn example_phased_ceasefire(bencher: divan::Bencher) {
    bench_plan(
        bencher,
        &shipped!("phased-ceasefire", ["side-a.csv", "side-b.csv"]),
    );
}

/// `truce generate` deals: captives × 4 persons; base days 4 (7-day
/// horizon with the extension) or 30 (46 days). The CP-SAT peer runs on the
/// same deals (`benches/baseline/cpsat_bench.py`).
#[divan::bench(args = [500, 2_000, 10_000], sample_count = 10)]
fn generated_7_day_horizon(bencher: divan::Bencher, captives: u32) {
    bench_plan(bencher, &generated(captives, 4));
}

#[divan::bench(args = [500, 2_000, 10_000], sample_count = 10)]
fn generated_46_day_horizon(bencher: divan::Bencher, captives: u32) {
    bench_plan(bencher, &generated(captives, 30));
}

#[divan::bench(sample_count = 1)]
fn generated_100000_captives_46_day_horizon(bencher: divan::Bencher) {
    bench_plan(bencher, &generated(100_000, 30));
}

/// A `truce generate` deal (base days 4, 7-day horizon) whose exchange rule
/// defers its counter-releases by one day (`deferred_days = 1`): the unit
/// search on the state with what is owed (the fast path declines it). The
/// CP-SAT peer runs on the same deals (`cpsat_bench.py --deferred`).
#[divan::bench(args = [5, 10, 20], sample_count = 10)]
fn generated_deferred_7_day_horizon(bencher: divan::Bencher, captives: u32) {
    bench_plan(bencher, &deferred(captives));
}

/// The same with 50 captives: beyond the search's step budget (the answer is
/// `feasible`), so one sample.
#[divan::bench(sample_count = 1)]
fn generated_deferred_50_captives_7_day_horizon(bencher: divan::Bencher) {
    bench_plan(bencher, &deferred(50));
}

fn deferred(captives: u32) -> AgreedDeal {
    let mut deal = generated(captives, 4).into_inner();
    for e in &mut deal.exchanges {
        e.deferred_days = 1;
    }
    AgreedDeal::new(deal).expect("no open issues")
}
