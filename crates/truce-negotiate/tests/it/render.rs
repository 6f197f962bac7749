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
