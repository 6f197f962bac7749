//! Deals and plans the tests simulate: a shipped example (vendored by
//! `include_str!`) and generated deals.

use std::collections::{BTreeMap, HashMap};

use truce_plan::{Plan, PlanOptions};
use truce_spec::{AgreedDeal, GenerateOptions};

/// Loads a deal from in-memory files (`deal.toml` and its rosters),
/// planned as drafted.
pub fn load_files(files: &[(String, String)]) -> AgreedDeal {
    truce_test_support::rosters::drafted(files)
}

/// The shipped four-day example (60 persons, exchange 1:3, extension rule).
pub fn humanitarian_pause() -> AgreedDeal {
    load_files(&[
        (
            "deal.toml".into(),
            include_str!("../../../../examples/humanitarian-pause/deal.toml").into(),
        ),
        (
            "rosters/side-a.csv".into(),
            include_str!("../../../../examples/humanitarian-pause/rosters/side-a.csv").into(),
        ),
        (
            "rosters/side-b.csv".into(),
            include_str!("../../../../examples/humanitarian-pause/rosters/side-b.csv").into(),
        ),
    ])
}

/// `truce generate`: `captives` × 4 persons, 4 base days (a 7-day horizon).
pub fn generated(captives: u32) -> AgreedDeal {
    let opts = GenerateOptions {
        persons: captives,
        days: 4,
        ..GenerateOptions::default()
    };
    load_files(&truce_spec::generate(&opts).expect("valid options").files)
}

pub fn plan_of(deal: &AgreedDeal) -> Plan {
    truce_plan::plan(deal, &PlanOptions::default()).expect("the fixture plans")
}

/// Persons per (holder, category) in the plan's stages before `day`,
/// counted from the plan and the deal's rosters directly.
pub fn prefix_counts(
    deal: &AgreedDeal,
    plan: &Plan,
    before_day: u32,
) -> BTreeMap<(String, String), u64> {
    let category: HashMap<&str, (&str, &str)> = deal
        .persons
        .iter()
        .map(|p| {
            (
                p.id.0.as_str(),
                (p.holder.0.as_str(), p.category.0.as_str()),
            )
        })
        .collect();
    let mut out = BTreeMap::new();
    for stage in plan.stages.iter().filter(|s| s.day < before_day) {
        for h in &stage.handovers {
            for id in &h.persons {
                let (holder, cat) = category[id.as_str()];
                *out.entry((holder.to_owned(), cat.to_owned())).or_insert(0) += 1;
            }
        }
    }
    out
}

/// The shipped November 2023 pause: aid and fuel flows, foreign nationals
/// released outside the exchange through a channel, extra days agreed one
/// by one.
pub fn november_2023() -> AgreedDeal {
    load_files(&[
        (
            "deal.toml".into(),
            include_str!("../../../../examples/november-2023-pause/deal.toml").into(),
        ),
        (
            "rosters/side-a.csv".into(),
            include_str!("../../../../examples/november-2023-pause/rosters/side-a.csv").into(),
        ),
        (
            "rosters/side-b.csv".into(),
            include_str!("../../../../examples/november-2023-pause/rosters/side-b.csv").into(),
        ),
    ])
}
