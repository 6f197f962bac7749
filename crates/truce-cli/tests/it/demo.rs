//! `truce demo --out`: the story's ledger, read back as a party would.

use std::path::Path;

use crate::support::{Scratch, truce};

fn demo(dir: &Path) -> String {
    let out = truce(&["demo", "--out", dir.to_str().expect("utf-8 path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join("ledger.jsonl")).expect("the demo wrote ledger.jsonl")
}

fn kinds(ledger: &str) -> Vec<String> {
    ledger
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a ledger line is JSON");
            v["event"]["type"]
                .as_str()
                .expect("an event type")
                .to_owned()
        })
        .collect()
}

#[test]
fn the_demo_ledger_tells_the_whole_story_and_is_the_same_on_every_run() {
    let (a, b) = (Scratch::new("demo-a"), Scratch::new("demo-b"));
    let ledger = demo(&a.0);
    assert_eq!(ledger, demo(&b.0), "seeded keys and the deal's calendar");

    let kinds = kinds(&ledger);
    let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
    assert_eq!(
        kinds[..5],
        [
            "deal-created",
            "negotiation-started",
            "deal-agreed",
            "plan-adopted",
            "pause-started"
        ]
    );
    assert_eq!(kinds.last().map(String::as_str), Some("completed"));
    // Every handover of the plan is recorded and confirmed by its receiver.
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.0.join("plan.json")).expect("plan.json"))
            .expect("plan JSON");
    let handovers: usize = plan["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["handovers"].as_array().expect("handovers").len())
        .sum();
    assert!(handovers > 0);
    // One convoy of the plan travelled in two: one handover more, a
    // deviation the mediator ruled on.
    assert_eq!(count("handover-recorded"), handovers + 1);
    assert_eq!(count("handover-confirmed"), handovers + 1);
    assert_eq!(count("finding-ruled"), 1);
    assert_eq!((count("breach-reported"), count("breach-resolved")), (1, 1));
    // The plan needs a day past the agreed pause: the earned extension.
    assert_eq!(count("extended"), 1);

    // No person id appears in the signed ledger, only pseudonyms.
    for roster in ["side-a.csv", "side-b.csv"] {
        let text = std::fs::read_to_string(a.0.join("rosters").join(roster)).expect("roster");
        for id in text.lines().skip(1).filter_map(|l| l.split(',').next()) {
            assert!(
                !ledger.contains(&format!("\"{id}\"")),
                "{id} appears in the ledger"
            );
        }
    }
    let report = std::fs::read_to_string(a.0.join("report.txt")).expect("report.txt");
    assert!(report.contains("The ledger verifies offline"), "{report}");
}

#[test]
fn verify_tells_integrity_and_compliance_apart() {
    let dir = Scratch::new("demo-compliance");
    demo(&dir.0);
    let path = |name: &str| dir.0.join(name).to_str().expect("utf-8").to_owned();
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify".to_owned(),
            path("ledger.jsonl"),
            "--keys".to_owned(),
            path("keys.json"),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        truce(&args)
    };
    // The guarantor's check: the terms as the service showed it, the
    // handovers' signed counts. The split convoy is found, and excused.
    let out = verify(&["--terms", &path("terms.json")]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 deviation(s) found, 1 ruled on by the mediator, 0 open"),
        "{stdout}"
    );
    assert!(
        stdout.contains("handovers-per-day@day-2@relief (excused at seq 18)"),
        "{stdout}"
    );
    // With the ruling cut off the end (and its receipt not given), the
    // ledger is still intact, but the deviation is open: exit 1, unless
    // only reported.
    let ledger = std::fs::read_to_string(path("ledger.jsonl")).expect("ledger");
    let kept: Vec<&str> = ledger.lines().take(17).collect();
    std::fs::write(path("ledger.jsonl"), kept.join("\n") + "\n").expect("write");
    let out = verify(&["--deal", &path("deal.toml")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ledger intact: 17 events"), "{stdout}");
    assert!(
        stdout.contains("handovers-per-day@day-2@relief (open)"),
        "{stdout}"
    );
    let out = verify(&["--deal", &path("deal.toml"), "--report-only"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn verify_names_a_deal_or_plan_file_other_than_the_ones_recorded() {
    let dir = Scratch::new("demo-files");
    demo(&dir.0);
    let path = |name: &str| dir.0.join(name).to_str().expect("utf-8").to_owned();
    let verify = |flag: &str, file: &str| {
        truce(&[
            "verify",
            &path("ledger.jsonl"),
            "--keys",
            &path("keys.json"),
            flag,
            &path(file),
        ])
    };
    // Re-indented, the plan is still the adopted one: the hash is canonical.
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("plan.json")).expect("plan.json"))
            .expect("plan JSON");
    std::fs::write(path("compact.json"), plan.to_string()).expect("write");
    assert_eq!(verify("--plan", "compact.json").status.code(), Some(0));

    let edit = |file: &str, from: &str, to: &str| {
        let text = std::fs::read_to_string(path(file)).expect("read");
        let changed = text.replacen(from, to, 1);
        assert_ne!(text, changed, "{file} holds {from}");
        std::fs::write(path(file), changed).expect("write");
    };
    edit("deal.toml", "max_exposure = 15", "max_exposure = 16");
    edit("plan.json", "\"B-0001\"", "\"B-0003\"");
    for (flag, file, says) in [
        ("--deal", "deal.toml", "the sides signed other terms"),
        ("--plan", "plan.json", "another plan was adopted"),
    ] {
        let out = verify(flag, file);
        assert_eq!(out.status.code(), Some(1), "{flag}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn verify_rejects_a_ledger_cut_short_by_the_receipts() {
    let dir = Scratch::new("demo-cut");
    let ledger = demo(&dir.0);
    let lines: Vec<&str> = ledger.lines().collect();
    let cut = lines[..lines.len() - 1].join("\n") + "\n";
    std::fs::write(dir.0.join("ledger.jsonl"), cut).expect("write ledger");
    let path = |name: &str| dir.0.join(name).to_str().expect("utf-8").to_owned();
    let without = truce(&[
        "verify",
        &path("ledger.jsonl"),
        "--keys",
        &path("keys.json"),
    ]);
    assert_eq!(without.status.code(), Some(0), "a shorter chain is intact");
    let with = truce(&[
        "verify",
        &path("ledger.jsonl"),
        "--keys",
        &path("keys.json"),
        "--receipts",
        &path("receipts.json"),
    ]);
    assert_eq!(with.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&with.stderr);
    assert!(stderr.contains(&format!("{}", lines.len())), "{stderr}");
}

#[test]
fn the_services_checkpoint_catches_a_cut_off_completion() {
    let dir = Scratch::new("demo-checkpoint");
    let ledger = demo(&dir.0);
    let path = |name: &str| dir.0.join(name).to_str().expect("utf-8").to_owned();
    // The last event, `completed`, removed: the chain is still intact, and
    // no side's receipt need cover it; the service's checkpoint does.
    let lines: Vec<&str> = ledger.lines().collect();
    assert!(lines[lines.len() - 1].contains("\"type\":\"completed\""));
    std::fs::write(
        path("cut.jsonl"),
        lines[..lines.len() - 1].join("\n") + "\n",
    )
    .expect("write");
    let verify = |ledger: &str| {
        truce(&[
            "verify",
            &path(ledger),
            "--keys",
            &path("keys.json"),
            "--checkpoint",
            &path("checkpoint.txt"),
            "--service-key",
            &path("service-key.txt"),
        ])
    };
    assert_eq!(verify("ledger.jsonl").status.code(), Some(0));
    let out = verify("cut.jsonl");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("events were cut off"), "{stderr}");
    // A checkpoint under another key is refused as input, not trusted.
    std::fs::write(
        path("other.key"),
        "truce-demo+00000000+AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n",
    )
    .expect("write");
    let out = truce(&[
        "verify",
        &path("ledger.jsonl"),
        "--keys",
        &path("keys.json"),
        "--checkpoint",
        &path("checkpoint.txt"),
        "--service-key",
        &path("other.key"),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// A missed counter-release, re-planned from the ledger: the demo's ledger
/// cut after day 1's first convoy (side-b's releases, before side-a's
/// counter-releases) is a record that broke the ratio. The re-plan keeps
/// day 1 as it was, makes good what side-a owes first on day 2, and the
/// independent checker finds nothing wrong but the record's own breach and
/// the lateness of the debt it pays.
#[test]
fn a_missed_counter_release_is_made_good_first_by_a_replan_from_the_ledger() {
    let dir = Scratch::new("demo-replan");
    let ledger = demo(&dir.0);
    let path = |name: &str| dir.0.join(name).to_str().expect("utf-8").to_owned();
    // Through the first handover of day 1 and its confirmation.
    let first = ledger
        .lines()
        .position(|l| l.contains("\"type\":\"handover-recorded\""))
        .expect("a handover");
    let cut: Vec<&str> = ledger.lines().take(first + 2).collect();
    std::fs::write(path("cut.jsonl"), cut.join("\n") + "\n").expect("write");
    let handover: serde_json::Value = serde_json::from_str(cut[first]).expect("json");
    let released = handover["event"]["pseudonyms"]
        .as_array()
        .expect("list")
        .len();
    assert_eq!(handover["event"]["holder"], "side-b");

    let out = truce(&[
        "plan",
        &path("deal.toml"),
        "--from-ledger",
        &path("cut.jsonl"),
        "--person-key",
        &path("person-key.txt"),
        "--through-day",
        "1",
        "--out",
        &path("replan.json"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("day 1 (*) is what was carried out"),
        "{stdout}"
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("replan.json")).expect("plan"))
            .expect("plan json");
    let deal = std::fs::read_to_string(path("deal.toml")).expect("deal");
    let ratio: usize = deal
        .lines()
        .find_map(|l| l.trim().strip_prefix("ratio = "))
        .expect("the demo's exchange ratio")
        .parse()
        .expect("a number");
    let owed = ratio * released;
    assert_eq!(plan["replanned"]["carried_out_through"], 1);
    assert_eq!(
        plan["replanned"]["made_good"],
        serde_json::json!([{"rule": 1, "holder": "side-a", "persons": owed, "day": 2}])
    );
    // Day 1 is the record, unchanged; day 2 opens with the make-good.
    let stages = plan["stages"].as_array().expect("stages");
    assert_eq!(stages[0]["day"], 1);
    assert_eq!(stages[0]["handovers"].as_array().expect("h").len(), 1);
    assert_eq!(stages[1]["day"], 2);
    let opening = &stages[1]["handovers"][0];
    assert_eq!(opening["from"], "side-a");
    assert_eq!(opening["persons"].as_array().expect("p").len(), owed);

    // The independent checker on the whole plan.
    let out = truce(&[
        "check",
        &path("deal.toml"),
        "--plan",
        &path("replan.json"),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check json");
    let made_good: std::collections::BTreeSet<&str> = opening["persons"]
        .as_array()
        .expect("p")
        .iter()
        .map(|p| p.as_str().expect("id"))
        .collect();
    for v in report["violations"].as_array().expect("violations") {
        let record = v["day"] == 1 && v["kind"] == "missing-counter-release";
        let late_debt = v["day"] == 2
            && v["kind"] == "unpaid-counter-release"
            && v["persons"]
                .as_array()
                .expect("persons")
                .iter()
                .all(|p| made_good.contains(p.as_str().expect("id")));
        assert!(record || late_debt, "the re-plan breaks a term: {v}");
    }
    // Without the person key, the pseudonyms cannot be read.
    let out = truce(&[
        "plan",
        &path("deal.toml"),
        "--from-ledger",
        &path("cut.jsonl"),
    ]);
    assert_eq!(out.status.code(), Some(2));
}
