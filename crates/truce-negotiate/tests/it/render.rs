//! Output: the text report of every shared domain (but 10issues, whose
//! frontier is checked against GENIUS in `analytics`) and the JSON contract.

use truce_negotiate::{AnalyzeOptions, Reading, analyze, render_text};

use crate::common::{domain_names, load};

#[test]
fn text_reports() {
    for name in domain_names() {
        if name == "10issues" {
            continue;
        }
        let a = analyze(&load(&name, Reading::Genius), &AnalyzeOptions::default());
        insta::assert_snapshot!(format!("text-{name}"), render_text(&a));
    }
}

#[test]
fn json_contract() {
    let a = analyze(&load("Laptop", Reading::Genius), &AnalyzeOptions::default());
    let mut v = serde_json::to_value(&a).expect("serialisable");
    // The contract fields, with types outside tools rely on.
    assert!(v["outcomes"].is_u64());
    assert!(v["seconds"].is_f64());
    for key in ["nash", "kalai", "max_welfare"] {
        assert!(
            v[key]["outcome"].is_array() && v[key]["utilities"].is_array(),
            "{key}"
        );
    }
    assert!(v["pareto"][0]["outcome"][0].is_string());
    v["seconds"] = serde_json::json!(0.0);
    insta::assert_json_snapshot!(v);
}

#[test]
fn svg_charts() {
    use truce_negotiate::{outcome_cloud, render_svg};
    for (name, cap) in [("Laptop", 1000), ("Party", 200)] {
        let d = load(name, Reading::Genius);
        let a = analyze(&d, &AnalyzeOptions::default());
        let cloud = outcome_cloud(&d, cap);
        assert_eq!(cloud.sampled, a.outcomes > cap as u128);
        let svg = render_svg(&a, &cloud);
        roxmltree::Document::parse(&svg).expect("well-formed SVG");
        insta::assert_snapshot!(format!("svg-{name}"), svg);
    }
}

/// Small fixtures for what the shared domains lack: real-valued GENIUS
/// issues, GeniusWeb number ranges and utilities, three parties. The text
/// report of each reading is the expectation.
#[test]
fn good_fixtures() {
    use std::path::PathBuf;
    const GOOD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/good");
    let mut cases: Vec<String> = std::fs::read_dir(GOOD)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    for case in cases {
        let files = crate::common::files_of(&PathBuf::from(GOOD).join(&case));
        let mut report = String::new();
        for reading in [Reading::Genius, Reading::Raw] {
            let opts = truce_negotiate::ReadOptions {
                reading,
                ..Default::default()
            };
            let d = truce_negotiate::read_domain(&files, &opts).unwrap_or_else(|e| panic!("{e}"));
            report.push_str(&render_text(&analyze(&d, &AnalyzeOptions::default())));
        }
        insta::assert_snapshot!(format!("good-{case}"), report);
    }
}
