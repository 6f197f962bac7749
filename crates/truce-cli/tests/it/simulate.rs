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

/// The "done when": the November 2023 pause as it was extended
/// (three extra days agreed one by one) against the same deal without the
/// extension rule, on the replay's illustrative risk model — which is
/// safer and by how much, in text, JSON and charts, with the aid, fuel and
/// foreign nationals released outside the exchange counted.
#[test]
fn the_november_2023_pause_against_a_draft_without_the_extension_rule() {
    let drafts = format!("{REPO}/examples/november-2023-pause/drafts");
    let extended = format!("{drafts}/as-extended");
    let plain = format!("{drafts}/no-extension");
    let risk = format!("{REPO}/examples/replays/nov-2023-pause/risk.toml");
    let dir = Scratch::new("simulate-nov-2023");
    let charts = dir.0.join("charts");
    let run = |format: &str| {
        let out = truce(&[
            "simulate",
            &extended,
            &plain,
            "--risk",
            &risk,
            "--runs",
            "20000",
            "--seed",
            "2023",
            "--format",
            format,
            "--svg",
            charts.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let report: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let (a, b) = (&report["drafts"][0], &report["drafts"][1]);
    // The extra days let the plan release more persons, over more days.
    assert!(a["planned_released"].as_u64() > b["planned_released"].as_u64());
    assert!(a["planned_days"].as_u64() > b["planned_days"].as_u64());
    // Fewer days under the same hazards: the draft without the rule
    // completes more often, by an interval that excludes zero.
    let points = &report["comparisons"][0]["completion_points"];
    let (mean, ci) = (
        points["mean"].as_f64().unwrap(),
        points["ci95"].as_f64().unwrap(),
    );
    assert!(mean - ci > 0.0, "{points}");
    // Aid, fuel and gas per day, and the foreign nationals outside the
    // exchange, are counted for both drafts, never above the plan.
    for d in [a, b] {
        let flows = d["flows"].as_array().unwrap();
        assert_eq!(flows.len(), 3, "{d}");
        for f in flows {
            let (mean, planned) = (f["mean"].as_f64().unwrap(), f["planned"].as_f64().unwrap());
            assert!(mean > 0.0 && mean <= planned, "{f}");
        }
        let channel = &d["channels"][0];
        assert_eq!(channel["via"], "separate-arrangement");
        assert!(channel["mean"].as_f64().unwrap() <= channel["planned"].as_f64().unwrap());
    }
    assert!(a["flows"][0]["planned"].as_u64() > b["flows"][0]["planned"].as_u64());
    let text = run("text");
    assert!(
        text.contains("no-extension completes")
            && text.contains("points more often than as-extended"),
        "{text}"
    );
    assert!(text.contains("aid-trucks") && text.contains("released outside the exchange"));
    for name in ["survival.svg", "released.svg", "delivered.svg"] {
        let svg = std::fs::read_to_string(charts.join(name)).unwrap();
        assert!(svg.contains("as-extended"), "{name}");
    }
}
