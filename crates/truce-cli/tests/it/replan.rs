//! `truce replan` against a real `truce serve`: a day falls behind, the
//! mediator re-plans the rest from the service's ledger and adopts it in
//! one command; a stale head is refused by the service, a dry run changes
//! nothing, and a plan that still holds is not replaced.

use std::collections::BTreeSet;
use std::path::Path;

use crate::service::{Server, ok};
use crate::support::truce;

const PARTIES: [&str; 4] = ["side-a", "side-b", "mediator", "relief"];

/// A deal registered, agreed, planned, started and one handover short on
/// day 1: side-b released one person where the plan says two.
struct Behind {
    s: Server,
    deal: String,
    /// The person released on day 1.
    released: String,
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_str()
        .expect("utf-8")
        .to_owned()
}

fn id(s: &Server) -> Vec<String> {
    ["--service", &s.url, "--deal-id", "behind"]
        .map(str::to_owned)
        .to_vec()
}

fn record(s: &Server, party: &str, event: &str, extra: &[&str]) {
    let key = s.path(&format!("{party}.key"));
    let token = s.path(&format!("t/{party}.token"));
    let id = id(s);
    let mut args: Vec<&str> = vec!["record", event];
    args.extend(id.iter().map(String::as_str));
    args.extend(["--key", &key, "--token-file", &token]);
    args.extend(extra);
    ok(&args);
}

impl Behind {
    fn start(name: &str) -> Behind {
        Behind::start_with(name, "behind")
    }

    /// On the deal in `tests/fixtures/{folder}`.
    fn start_with(name: &str, folder: &str) -> Behind {
        let s = Server::start(name);
        let p = |name: &str| s.path(name);
        let deal = fixture(&format!("{folder}/deal.toml"));
        ok(&["plan", &deal, "--out", &p("plan.json")]);
        let mut keygen = vec!["keygen", "--out", s.dir.0.to_str().expect("utf-8")];
        for party in PARTIES {
            keygen.extend(["--party", party]);
        }
        ok(&keygen);
        let id = id(&s);
        let id: Vec<&str> = id.iter().map(String::as_str).collect();
        ok(&[
            &[
                "register",
                &deal,
                "--keys",
                &p("keys.json"),
                "--out",
                &p("t"),
            ][..],
            &id,
        ]
        .concat());
        for side in ["side-a", "side-b"] {
            let sig = ok(&[
                "sign-agreement",
                &deal,
                "--deal-id",
                "behind",
                "--key",
                &p(&format!("{side}.key")),
            ]);
            std::fs::write(p(&format!("{side}.sig")), sig).expect("write signature");
        }
        record(&s, "mediator", r#"{"type":"deal-created"}"#, &[]);
        record(&s, "mediator", r#"{"type":"negotiation-started"}"#, &[]);
        record(
            &s,
            "mediator",
            r#"{"type":"deal-agreed"}"#,
            &[
                "--agreement",
                &p("side-a.sig"),
                "--agreement",
                &p("side-b.sig"),
            ],
        );
        record(
            &s,
            "mediator",
            r#"{"type":"plan-adopted"}"#,
            &["--plan", &p("plan.json")],
        );
        record(&s, "mediator", r#"{"type":"pause-started"}"#, &[]);
        // The plan's first person of day 1, and not the second: a shortfall.
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p("plan.json")).expect("plan"))
                .expect("plan json");
        let day1 = &plan["stages"][0];
        assert_eq!(day1["day"], 1);
        let planned: Vec<&str> = day1["handovers"]
            .as_array()
            .expect("handovers")
            .iter()
            .flat_map(|h| h["persons"].as_array().expect("persons"))
            .map(|p| p.as_str().expect("id"))
            .collect();
        assert_eq!(planned.len(), 2, "the plan releases two on day 1");
        let released = planned[0].to_owned();
        record(
            &s,
            "relief",
            &format!(
                r#"{{"type":"handover-recorded","day":1,"holder":"side-b","to":"side-a","persons":["{released}"]}}"#
            ),
            &["--person-key", &p("t/person.key"), "--deal", &deal],
        );
        Behind { s, deal, released }
    }

    fn p(&self, name: &str) -> String {
        self.s.path(name)
    }

    /// `truce replan` as `party`, with `extra` flags.
    fn replan(&self, party: &str, extra: &[&str]) -> std::process::Output {
        let id = id(&self.s);
        let key = self.p(&format!("{party}.key"));
        let token = self.p(&format!("t/{party}.token"));
        let keys = self.p("keys.json");
        let mut args: Vec<&str> = vec!["replan", &self.deal];
        args.extend(id.iter().map(String::as_str));
        args.extend(["--key", &key, "--token-file", &token, "--keys", &keys]);
        args.extend(extra);
        truce(&args)
    }

    fn ledger_lines(&self, name: &str) -> usize {
        let token = self.p("t/side-a.token");
        let out = self.p(name);
        let id = id(&self.s);
        let mut args: Vec<&str> = vec!["export"];
        args.extend(id.iter().map(String::as_str));
        args.extend(["--token-file", &token, "--out", &out]);
        ok(&args);
        std::fs::read_to_string(&out)
            .expect("ledger")
            .lines()
            .count()
    }
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The roster's person ids, read from the CSV itself.
fn roster() -> BTreeSet<String> {
    std::fs::read_to_string(fixture("behind/rosters/side-b.csv"))
        .expect("roster")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_day_behind_is_replanned_and_adopted_in_one_command() {
    let b = Behind::start("replan-adopt");
    let before = b.ledger_lines("before.jsonl");

    // A dry run says what changes and records nothing.
    let dry = b.replan("mediator", &["--dry-run", "--format", "json"]);
    assert_eq!(
        dry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let dry = json(&dry);
    assert_eq!(dry["outcome"], "dry-run");
    assert_eq!(dry["carried_out_through"], 1);
    assert_eq!(dry["deviating_days"], serde_json::json!([1]));
    assert_eq!(dry["head_seq"], u64::try_from(before).expect("count"));
    assert_eq!(b.ledger_lines("after-dry.jsonl"), before);

    // Only the mediator adopts plans.
    let side = b.replan("side-a", &[]);
    assert_eq!(side.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&side.stderr);
    assert!(
        stderr.contains("only the mediator adopts plans"),
        "{stderr}"
    );

    // Adopted: the plan kept, `plan-adopted` recorded after the head read.
    let adopted = b.replan(
        "mediator",
        &["--out", &b.p("adopted.json"), "--format", "json"],
    );
    assert_eq!(
        adopted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&adopted.stderr)
    );
    let adopted = json(&adopted);
    assert_eq!(adopted["outcome"], "adopted");
    assert_eq!(
        adopted["adopted_at"],
        dry["head_seq"].as_u64().expect("seq") + 1
    );
    assert_eq!(adopted["plan_hash"], dry["plan_hash"]);
    assert_eq!(b.ledger_lines("ledger.jsonl"), before + 1);

    // The independent checker: the adopted plan keeps every term, and with
    // the day carried out it releases the whole roster, each person once.
    let report = ok(&[
        "check",
        &b.deal,
        "--plan",
        &b.p("adopted.json"),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&report).expect("report");
    assert_eq!(report["violations"], serde_json::json!([]));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.p("adopted.json")).expect("plan"))
            .expect("plan json");
    let mut seen = Vec::new();
    for stage in plan["stages"].as_array().expect("stages") {
        for h in stage["handovers"].as_array().expect("handovers") {
            for p in h["persons"].as_array().expect("persons") {
                seen.push((
                    stage["day"].as_u64().expect("day"),
                    p.as_str().expect("id").to_owned(),
                ));
            }
        }
    }
    assert_eq!(
        seen.iter()
            .filter(|(d, _)| *d == 1)
            .map(|(_, p)| p.clone())
            .collect::<Vec<_>>(),
        vec![b.released.clone()],
        "day 1 is the record"
    );
    let all: BTreeSet<String> = seen.iter().map(|(_, p)| p.clone()).collect();
    assert_eq!(all.len(), seen.len(), "each person once");
    assert_eq!(all, roster());

    // The ledger verifies, and names the adopted plan.
    let verified = ok(&[
        "verify",
        &b.p("ledger.jsonl"),
        "--keys",
        &b.p("keys.json"),
        "--deal",
        &b.deal,
        "--plan",
        &b.p("adopted.json"),
    ]);
    assert!(
        verified.contains("is the plan the mediator adopted"),
        "{verified}"
    );

    // Run again: the record now follows the plan in force.
    let again = b.replan("mediator", &[]);
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("it still holds, nothing to re-plan"),
        "{stderr}"
    );
    assert_eq!(b.ledger_lines("ledger-again.jsonl"), before + 1);
}

#[test]
fn a_plan_from_a_stale_head_is_never_adopted() {
    let b = Behind::start("replan-stale");
    // The mediator reviews a dry run...
    let dry = b.replan("mediator", &["--dry-run", "--format", "json"]);
    assert_eq!(dry.status.code(), Some(0));
    let dry = json(&dry);
    let head = dry["head"].as_str().expect("head").to_owned();
    let seq = dry["head_seq"].as_u64().expect("seq");
    // ...meanwhile side-a confirms the handover...
    record(
        &b.s,
        "side-a",
        &format!(r#"{{"type":"handover-confirmed","handover":{seq}}}"#),
        &[],
    );
    let before = b.ledger_lines("before.jsonl");
    // ...and adopting what was reviewed is refused by the service.
    let stale = b.replan("mediator", &["--head", &head, "--format", "json"]);
    assert_eq!(stale.status.code(), Some(1));
    let report = json(&stale);
    assert_eq!(report["outcome"], "stale-head");
    assert_eq!(report["head"], head.as_str());
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.contains(&format!("another event was recorded after seq {seq}"))
            && stderr.contains("run `truce replan` again"),
        "{stderr}"
    );
    assert_eq!(b.ledger_lines("after.jsonl"), before, "nothing adopted");

    // Run again from the new head: adopted.
    let out = b.replan("mediator", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("adopted plan"), "{stdout}");
    assert_eq!(b.ledger_lines("adopted.jsonl"), before + 1);
}

#[test]
fn a_plan_that_cannot_keep_the_terms_is_not_adopted() {
    // Three days, all six guaranteed, two a day: day 1 one short leaves
    // five for two days.
    let b = Behind::start_with("replan-tight", "behind-tight");
    let before = b.ledger_lines("before.jsonl");
    let out = b.replan("mediator", &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["outcome"], "infeasible");
    assert_eq!(report["status"], "infeasible");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no plan keeps every term from day 2 on")
            && stderr.contains("adoption needs a human decision"),
        "{stderr}"
    );
    assert_eq!(b.ledger_lines("after.jsonl"), before, "nothing adopted");
}
