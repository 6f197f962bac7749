//! Hostile and broken inputs end in diagnostics: no panic, no hang, no
//! unbounded allocation.

use truce_spec::LoadOptions;

use crate::{load_mem, repo};

fn codes(loaded: &truce_spec::Loaded) -> Vec<&'static str> {
    loaded.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn deeply_nested_arrays_are_an_error_not_a_stack_overflow() {
    for depth in [100, 10_000, 200_000] {
        let text = format!(
            "format_version = 1\nx = {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let loaded = load_mem(text.as_bytes(), &[], &LoadOptions::default());
        assert!(loaded.deal.is_none());
        assert!(loaded.diagnostics.has_errors(), "depth {depth}");
        let inline = format!(
            "format_version = 1\nx = {}1{}\n",
            "{a=".repeat(depth),
            "}".repeat(depth)
        );
        let loaded = load_mem(inline.as_bytes(), &[], &LoadOptions::default());
        assert!(loaded.diagnostics.has_errors(), "inline depth {depth}");
    }
}

#[test]
fn a_multi_megabyte_deal_file_is_refused_before_parsing() {
    let text = "# padding\n".repeat(300_000);
    let loaded = load_mem(text.as_bytes(), &[], &LoadOptions::default());
    assert!(loaded.unreadable);
    assert_eq!(codes(&loaded), ["file-too-large"]);
}

#[test]
fn a_deal_that_is_not_utf8_is_unreadable() {
    let loaded = load_mem(
        b"format_version = 1\nname = \"\xff\"\n",
        &[],
        &LoadOptions::default(),
    );
    assert!(loaded.unreadable);
    assert_eq!(codes(&loaded), ["not-utf8"]);
    let text = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
    assert!(
        text.starts_with("error: deal.toml:2:9: the deal file is not valid UTF-8"),
        "{text}"
    );
}

#[test]
fn an_empty_file_asks_for_the_format_version() {
    let loaded = load_mem(b"", &[], &LoadOptions::default());
    assert!(!loaded.unreadable);
    assert_eq!(codes(&loaded), ["missing-key"]);
}

#[test]
fn the_person_limit_stops_reading() {
    let dir = repo().join("examples/humanitarian-pause");
    let deal = std::fs::read(dir.join("deal.toml")).expect("deal");
    let a = std::fs::read(dir.join("rosters/side-a.csv")).expect("a");
    let b = std::fs::read(dir.join("rosters/side-b.csv")).expect("b");
    let opts = LoadOptions {
        max_persons: 60,
        ..LoadOptions::default()
    };
    let loaded = load_mem(
        &deal,
        &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)],
        &opts,
    );
    assert!(loaded.deal.is_none());
    assert!(
        codes(&loaded).contains(&"too-many-persons"),
        "{:?}",
        codes(&loaded)
    );
}

#[test]
fn a_flood_of_bad_lines_is_summarised() {
    let deal = std::fs::read(repo().join("examples/minimal/deal.toml")).expect("deal");
    let roster: String = std::iter::once("id,category\n".to_owned())
        .chain((0..5000).map(|i| format!("B-{i},nobody\n")))
        .collect();
    let loaded = load_mem(
        &deal,
        &[("rosters/side-b.csv", roster.as_bytes())],
        &LoadOptions::default(),
    );
    // 5,000 unknown categories; the roster's counts are then partial, so no
    // false "total cannot be met" follows them.
    assert_eq!(loaded.diagnostics.error_count(), 5000);
    assert!(loaded.diagnostics.iter().count() <= 25);
    let text = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
    assert!(
        text.contains("4980 more problems of the kind `unknown-category` not shown"),
        "{text}"
    );
}
