//! `generate` gives valid deals of every shape, the same for the same seed.

use truce_spec::{GenerateOptions, generate};

fn load_generated(opts: &GenerateOptions) -> truce_spec::Loaded {
    truce_test_support::rosters::load_files(&generate(opts).expect("valid options").files)
}

#[test]
fn generated_deals_of_many_shapes_load_without_errors() {
    for persons in [1, 2, 7, 50, 501] {
        for days in [1, 4, 30] {
            for (tiers, ratio, family_share, extension) in
                [(1, 1, 0.0, false), (4, 3, 0.3, true), (9, 7, 1.0, true)]
            {
                let opts = GenerateOptions {
                    persons,
                    days,
                    tiers,
                    ratio,
                    family_share,
                    extension,
                    seed: u64::from(persons * days),
                };
                let loaded = load_generated(&opts);
                let text = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
                let deal = loaded.deal.unwrap_or_else(|| panic!("{opts:?}:\n{text}"));
                assert_eq!(loaded.diagnostics.error_count(), 0);
                assert_eq!(loaded.diagnostics.warning_count(), 0, "{opts:?}:\n{text}");
                let captives = deal
                    .persons
                    .iter()
                    .filter(|p| p.holder.as_str() == "side-b")
                    .count();
                assert_eq!(captives as u32, persons, "{opts:?}");
                assert_eq!(deal.persons.len() as u32, persons * (ratio + 1), "{opts:?}");
                assert_eq!(deal.pause.days, days);
                assert_eq!(deal.pause.extension.is_some(), extension);
                let max_tier = deal.categories.iter().map(|c| c.tier).max();
                // 6 named categories plus one per tier above 4.
                if persons >= 11 {
                    assert_eq!(max_tier, Some(tiers), "{opts:?}");
                }
                if (f64::from(persons) * family_share) as u32 >= 2 {
                    assert!(
                        deal.persons.iter().any(|p| p.group.is_some()),
                        "{opts:?}: families"
                    );
                }
            }
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_files() {
    let opts = GenerateOptions {
        persons: 300,
        seed: 42,
        ..GenerateOptions::default()
    };
    assert_eq!(generate(&opts), generate(&opts));
    let other = GenerateOptions {
        seed: 43,
        ..opts.clone()
    };
    assert_ne!(
        generate(&opts).expect("ok").files[1],
        generate(&other).expect("ok").files[1]
    );
}

#[test]
fn a_hundred_thousand_persons_load() {
    let opts = GenerateOptions {
        persons: 50_000,
        days: 30,
        ratio: 1,
        ..GenerateOptions::default()
    };
    let loaded = load_generated(&opts);
    assert_eq!(loaded.deal.map(|d| d.persons.len()), Some(100_000));
}

#[test]
fn bad_options_are_refused() {
    let base = GenerateOptions::default();
    for (opts, err) in [
        (
            GenerateOptions {
                persons: 0,
                ..base.clone()
            },
            "persons",
        ),
        (
            GenerateOptions {
                days: 0,
                ..base.clone()
            },
            "days",
        ),
        (
            GenerateOptions {
                tiers: 10,
                ..base.clone()
            },
            "tiers",
        ),
        (
            GenerateOptions {
                ratio: 0,
                ..base.clone()
            },
            "ratio",
        ),
        (
            GenerateOptions {
                family_share: 1.5,
                ..base.clone()
            },
            "family",
        ),
        (
            GenerateOptions {
                family_share: f64::NAN,
                ..base.clone()
            },
            "family",
        ),
    ] {
        let e = generate(&opts).expect_err("refused");
        assert!(e.to_string().starts_with(err), "{e}");
    }
}
