//! `truce simulate` through the binary: the same JSON on one thread or
//! two, and the charts written where asked.

use crate::support::{Scratch, truce};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn simulate(args: &[&str]) -> std::process::Output {
    let deal = format!("{REPO}/examples/humanitarian-pause");
    let drafts = format!("{REPO}/crates/truce-cli/tests/fixtures/simulate/no-extension");
    let risk = format!("{REPO}/docs/risk.example.toml");
    let mut all = vec!["simulate", &deal, &drafts, "--as-drafted", "--risk", &risk];
    all.extend_from_slice(args);
    truce(&all)
}

#[test]
fn one_thread_and_two_print_the_same_json() {
    let one = simulate(&[
        "--runs",
        "30000",
        "--seed",
        "5",
        "--threads",
        "1",
        "--format",
        "json",
    ]);
    let two = simulate(&[
        "--runs",
        "30000",
        "--seed",
        "5",
        "--threads",
        "2",
        "--format",
        "json",
    ]);
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    let report: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(report["runs"], 30000);
    assert_eq!(report["comparisons"].as_array().unwrap().len(), 1);
}

#[test]
fn svg_writes_both_charts() {
    let dir = Scratch::new("simulate-svg");
    let out_dir = dir.0.join("charts");
    let out = simulate(&["--runs", "500", "--svg", out_dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["survival.svg", "released.svg"] {
        let svg = std::fs::read_to_string(out_dir.join(name)).unwrap();
        assert!(
            svg.starts_with("<svg ") && svg.contains("no-extension"),
            "{name}"
        );
    }
}
