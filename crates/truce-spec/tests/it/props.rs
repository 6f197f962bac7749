//! Property tests: any bytes, and any mutation of a valid deal, give either
//! a deal or diagnostics that point inside their files; never a panic.

use proptest::prelude::*;
use truce_spec::{LoadOptions, Loaded};

use crate::{load_mem, repo};

fn example() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let dir = repo().join("examples/humanitarian-pause");
    let read = |p: &str| std::fs::read(dir.join(p)).expect("example file");
    (
        read("deal.toml"),
        read("rosters/side-a.csv"),
        read("rosters/side-b.csv"),
    )
}

/// What every load must satisfy, whatever the input.
fn assert_coherent(loaded: &Loaded) {
    assert_eq!(loaded.deal.is_some(), !loaded.diagnostics.has_errors());
    if loaded.unreadable {
        assert!(loaded.deal.is_none());
    }
    for d in loaded.diagnostics.iter() {
        let len = loaded.sources.get(d.span.file).text.len();
        assert!(
            d.span.range.start <= d.span.range.end + 1 && d.span.range.start <= len + 1,
            "{d:?}"
        );
        assert!(d.help.is_some(), "{d:?}");
    }
    // Rendering must not panic either.
    let _ = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
    let _ = truce_spec::to_json(&loaded.diagnostics, &loaded.sources);
}

/// An edit of a deal file: overwrite a byte, delete a line, repeat a line.
#[derive(Debug, Clone)]
enum Edit {
    Byte(usize, u8),
    DeleteLine(usize),
    RepeatLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::RepeatLine),
    ]
}

fn apply(text: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for e in edits {
        match *e {
            Edit::Byte(i, b) => {
                let n = bytes.len();
                if n > 0 {
                    bytes[i % n] = b;
                }
            }
            Edit::DeleteLine(i) | Edit::RepeatLine(i) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let k = i % lines.len();
                if matches!(e, Edit::DeleteLine(_)) {
                    lines.remove(k);
                } else {
                    let line = lines[k].clone();
                    lines.insert(k, line);
                }
                bytes = lines.join(&b'\n');
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(deal in proptest::collection::vec(any::<u8>(), 0..2048),
                                roster in proptest::collection::vec(any::<u8>(), 0..512)) {
        let loaded = load_mem(&deal, &[("rosters/side-b.csv", &roster)], &LoadOptions::default());
        assert_coherent(&loaded);
        prop_assert!(loaded.deal.is_none() || !deal.is_empty());
    }

    #[test]
    fn mutated_deals_give_a_deal_or_diagnostics(edits in proptest::collection::vec(edit(), 1..6)) {
        let (deal, a, b) = example();
        let mutated = apply(&deal, &edits);
        let loaded = load_mem(&mutated, &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)], &LoadOptions::default());
        assert_coherent(&loaded);
    }

    #[test]
    fn mutated_rosters_give_a_deal_or_diagnostics(edits in proptest::collection::vec(edit(), 1..6)) {
        let (deal, a, b) = example();
        let b = apply(&b, &edits);
        let loaded = load_mem(&deal, &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)], &LoadOptions::default());
        assert_coherent(&loaded);
    }
}

#[test]
fn the_unmutated_example_is_valid() {
    let (deal, a, b) = example();
    let loaded = load_mem(
        &deal,
        &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)],
        &LoadOptions::default(),
    );
    assert!(loaded.deal.is_some());
    assert_eq!(apply(&deal, &[]), deal);
}
