//! Planner benchmarks (not tests): the three shipped examples, generated
//! deals of 2,000, 8,000, 40,000 and 400,000 persons, and deals with three
//! exchange rules (the January 2025 replay and its terms at larger scales).
//! Numbers, the machine and the CP-SAT peer measured in the same run are in
//! `BENCHMARKS.md`.

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

/// The same with 50 and 100 captives: proven since the tier order's branch
/// and bound (before it, the step budget ran out and the answer was
/// `feasible`), still seconds at 100, so few samples.
#[divan::bench(sample_count = 3)]
fn generated_deferred_50_captives_7_day_horizon(bencher: divan::Bencher) {
    bench_plan(bencher, &deferred(50));
}

#[divan::bench(sample_count = 1)]
fn generated_deferred_100_captives_7_day_horizon(bencher: divan::Bencher) {
    bench_plan(bencher, &deferred(100));
}

fn deferred(captives: u32) -> AgreedDeal {
    let mut deal = generated(captives, 4).into_inner();
    for e in &mut deal.exchanges {
        e.deferred_days = 1;
    }
    AgreedDeal::new(deal).expect("no open issues")
}

/// The January 2025 replay of days 1–21: three exchange rules (30, 50 and
/// 61 per person) between two holders, a channel and a flow (the unit
/// search: the fast path takes one rule only).
#[divan::bench(sample_count = 10)]
fn replay_jan_2025_days_1_to_21(bencher: divan::Bencher) {
    bench_plan(
        bencher,
        &shipped!(
            "replays/jan-2025-phase-one-days-1-to-21",
            ["hamas.csv", "israel.csv"]
        ),
    );
}

/// The replay's three rules at `scale` × its persons: `5s` civilians (tier
/// 1, 30 each), `5s` soldiers (tier 2, 50 each), `6s` men (tier 3, 61
/// each) for `150s + 250s + 366s` prisoners, at most `4s` hostages a day,
/// release days 1, 7, 12, 14 and 21 of 42, one convoy each way a day. The
/// CP-SAT peer plans the same deals (`cpsat_bench.py --three-rules`).
#[divan::bench(args = [1, 4, 16], sample_count = 10)]
fn three_rules_scaled(bencher: divan::Bencher, scale: u32) {
    bench_plan(bencher, &three_rules(scale));
}

fn three_rules(s: u32) -> AgreedDeal {
    let rules = [
        ("civilian", 1, 5 * s, 30),
        ("soldier", 2, 5 * s, 50),
        ("man", 3, 6 * s, 61),
    ];
    let mut deal = format!(
        "format_version = 1\nname = \"three rules x{s}\"\n\n\
         [[party]]\nid = \"side-b\"\nrole = \"side\"\n\n\
         [[party]]\nid = \"side-a\"\nrole = \"side\"\n\n\
         [[party]]\nid = \"relief\"\nrole = \"intermediary\"\n\n\
         [pause]\ndays = 42\n\n"
    );
    let (mut b, mut a) = (String::from("id,category\n"), String::from("id,category\n"));
    let (mut nb, mut na) = (0, 0);
    for (cat, tier, n, ratio) in rules {
        deal += &format!(
            "[[category]]\nid = \"{cat}\"\ntier = {tier}\n\n\
             [[category]]\nid = \"for-{cat}\"\ntier = 1\n\n"
        );
        for _ in 0..n {
            nb += 1;
            b += &format!("B-{nb:05},{cat}\n");
        }
        for _ in 0..n * ratio {
            na += 1;
            a += &format!("A-{na:06},for-{cat}\n");
        }
    }
    deal += &format!(
        "[[roster]]\nholder = \"side-b\"\nfile = \"rosters/side-b.csv\"\nmax_per_day = {}\n\n\
         [[roster]]\nholder = \"side-a\"\nfile = \"rosters/side-a.csv\"\n\n",
        4 * s
    );
    for (cat, _, _, ratio) in rules {
        deal += &format!(
            "[[exchange]]\ngives = {{ holder = \"side-b\", categories = [\"{cat}\"] }}\n\
             receives = {{ holder = \"side-a\", categories = [\"for-{cat}\"] }}\nratio = {ratio}\n\n"
        );
    }
    deal +=
        "[release]\npriority = \"strict\"\nvia = \"relief\"\nrelease_days = [1, 7, 12, 14, 21]\n";
    load_files(&[
        ("deal.toml".into(), deal),
        ("rosters/side-b.csv".into(), b),
        ("rosters/side-a.csv".into(), a),
    ])
}
