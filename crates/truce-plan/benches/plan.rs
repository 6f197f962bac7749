//! Planner benchmarks (not tests): the shipped humanitarian-pause example and
//! generated deals of 2,000 and 100,000 captives. Numbers and the machine are
//! in `BENCH-NOTES.md`.

use std::collections::HashMap;

use truce_plan::{PlanOptions, plan};
use truce_spec::{AgreedDeal, GenerateOptions, LoadOptions, ReadError, generate, load};

fn main() {
    divan::main();
}

fn load_files(files: &[(String, String)]) -> AgreedDeal {
    let by_path: HashMap<&str, &str> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut rosters = |path: &str, _max: u64| {
        by_path
            .get(path)
            .map(|t| t.as_bytes().to_vec())
            .ok_or(ReadError::NotFound)
    };
    let deal_text = by_path.get("deal.toml").copied().unwrap_or_default();
    let loaded = load(
        "deal.toml",
        deal_text.as_bytes(),
        &mut rosters,
        &LoadOptions::default(),
    );
    // Benchmarks plan the deal as drafted: open issues keep their written values.
    AgreedDeal::as_drafted(loaded.deal.expect("the deal loads"))
}

fn example() -> AgreedDeal {
    load_files(&[
        (
            "deal.toml".into(),
            include_str!("../../../examples/humanitarian-pause/deal.toml").into(),
        ),
        (
            "rosters/side-a.csv".into(),
            include_str!("../../../examples/humanitarian-pause/rosters/side-a.csv").into(),
        ),
        (
            "rosters/side-b.csv".into(),
            include_str!("../../../examples/humanitarian-pause/rosters/side-b.csv").into(),
        ),
    ])
}

pub fn generated(persons: u32, days: u32) -> AgreedDeal {
    let opts = GenerateOptions {
        persons,
        days,
        tiers: 4,
        ratio: 3,
        family_share: 0.3,
        extension: true,
        seed: 1,
    };
    load_files(&generate(&opts).expect("valid options").files)
}

#[divan::bench(sample_count = 10)]
fn humanitarian_pause(bencher: divan::Bencher) {
    let deal = example();
    bencher.bench(|| plan(&deal, &PlanOptions::default()));
}

#[divan::bench(sample_count = 3)]
fn generated_2000_persons_30_days(bencher: divan::Bencher) {
    let deal = generated(2_000, 30);
    bencher.bench(|| plan(&deal, &PlanOptions::default()));
}

#[divan::bench(sample_count = 1)]
fn generated_100000_persons_30_days(bencher: divan::Bencher) {
    let deal = generated(100_000, 30);
    bencher.bench(|| plan(&deal, &PlanOptions::default()));
}
