//! `truce demo`: the whole story of the shipped example, needing nothing
//! installed: the deal as drafted, its open terms negotiated
//! ([`rehearse`]), the agreed deal planned and checked, the plan executed
//! on the mediator service with every party's signed events
//! ([`execute`]), the ledger exported and verified, and a report.
//!
//! The example is compiled into the binary, so the demo runs from any
//! folder, and it is deterministic: the same ledger on every run.

mod execute;
mod rehearse;
mod run;
mod timeline;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use truce_plan::PlanOptions;
use truce_spec::{AgreedDeal, Deal, LoadOptions, ReadError};

use crate::cli::DemoArgs;
use crate::error::{CliError, Outcome};
use crate::files;

const DEAL: &str = include_str!("../../../../examples/humanitarian-pause/deal.toml");
const SIDE_A: &str = include_str!("../../../../examples/humanitarian-pause/rosters/side-a.csv");
const SIDE_B: &str = include_str!("../../../../examples/humanitarian-pause/rosters/side-b.csv");

/// The example's deal text, read with its embedded rosters.
fn load(name: &str, text: &str) -> Result<Deal, CliError> {
    let mut rosters = |path: &str, _max: u64| match path {
        "rosters/side-a.csv" => Ok(SIDE_A.as_bytes().to_vec()),
        "rosters/side-b.csv" => Ok(SIDE_B.as_bytes().to_vec()),
        _ => Err(ReadError::NotFound),
    };
    let loaded = truce_spec::load(name, text.as_bytes(), &mut rosters, &LoadOptions::default());
    loaded.deal.ok_or_else(|| {
        // The shipped example is checked by the test suite; reaching this is a bug.
        eprint!(
            "{}",
            truce_spec::render_text(&loaded.diagnostics, &loaded.sources)
        );
        CliError::DemoStep(format!("the demo's {name} is invalid"))
    })
}

/// The terminal and the report get the same story.
struct Story {
    report: String,
}

impl Story {
    fn section(&mut self, n: u32, title: &str) {
        let heading = format!("\n{n}. {title}\n");
        print!("{heading}");
        self.report.push_str(&heading);
    }

    fn text(&mut self, text: &str) {
        print!("{text}");
        self.report.push_str(text);
    }
}

pub fn run(args: &DemoArgs) -> Result<Outcome, CliError> {
    let drafted = load("humanitarian-pause/deal.toml", DEAL)?;
    println!("truce demo: the shipped example `humanitarian-pause` (synthetic persons only)");
    let mut story = Story {
        report:
            "truce demo report: the shipped example `humanitarian-pause` (synthetic persons only)\n"
                .to_owned(),
    };

    story.section(1, "The deal as drafted");
    story.text(&crate::summary::full(&drafted));

    story.section(2, "Negotiation of the open terms");
    let rehearsal = rehearse::run(&drafted)?;
    story.text(&rehearsal.text);
    let pairs: Vec<(&str, &str)> = rehearsal
        .agreed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let agreed_text =
        truce_spec::fill_in_agreed(DEAL, &pairs).map_err(|source| CliError::Agree {
            context: "the demo's agreed deal".to_owned(),
            source,
        })?;
    let agreed = AgreedDeal::new(load("humanitarian-pause/deal.toml (agreed)", &agreed_text)?)
        .map_err(|e| CliError::demo("the demo's agreed deal", e.to_string()))?;
    story.text(&format!(
        "The agreed values are written into the deal text (comments kept): {}\n",
        crate::summary::one_line(&agreed)
    ));

    story.section(3, "The staged plan");
    let started = Instant::now();
    let plan = truce_plan::plan(&agreed, &PlanOptions::default()).map_err(CliError::Plan)?;
    let plan_ms = started.elapsed().as_secs_f64() * 1000.0;
    let plan_json = truce_plan::to_json(&plan);
    let check = truce_plan::check_plan(&agreed, &plan_json);
    let mut text = truce_plan::render_text(&agreed, &plan);
    let _ = writeln!(
        text,
        "Planned in {plan_ms:.1} ms. Independent check: {}.",
        if check.is_valid() {
            "the plan keeps every term".to_owned()
        } else {
            format!("{} violation(s)", check.violations.len())
        }
    );
    story.text(&text);
    if !check.is_valid() {
        return Err(CliError::NoPlan(
            "the demo's plan fails the independent check; this is a bug".to_owned(),
        ));
    }

    story.section(4, "Execution, recorded in the signed ledger");
    let (run, serving) = execute::run(
        &agreed,
        &plan,
        &plan_json,
        execute::RunOptions { serve: args.serve },
    )?;
    story.text(&run.text);

    story.section(5, "Verification");
    let v = &run.verified;
    let verdict = if v.intact {
        format!(
            "The ledger verifies offline with only the public keys: {} events, every signature valid, the chain unbroken, every lifecycle rule kept, all {} receipts honoured, and the service's signed checkpoint of seq {} matches ({:.1} ms).\n",
            v.events,
            run.receipts.len(),
            v.events,
            run.verify_seconds * 1000.0
        )
    } else {
        format!("The ledger does NOT verify:\n{}", v.render_text())
    };
    story.text(&verdict);
    story.text(&compliance_words(&run));

    let chart = match &args.out {
        Some(dir) => dir.join("plan.svg"),
        None => std::env::temp_dir().join("truce-demo").join("plan.svg"),
    };
    files::write_atomic(&chart, truce_plan::export_svg(&agreed, &plan).as_bytes())?;
    println!(
        "\nChart of releases and exposure per day: {}",
        chart.display()
    );

    match &args.out {
        Some(dir) => {
            write_out(dir, &agreed_text, &plan_json, &run, &story.report)?;
            next_steps(Some(dir));
        }
        None => next_steps(None),
    }
    if let Some(serving) = serving {
        serving.wait(&run.access)?;
    }
    Ok(if v.intact {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// Both compliance checks of the export in words: the guarantor's on the
/// signed counts, the mediator's person by person against the plan.
fn compliance_words(run: &execute::Execution) -> String {
    let mut out = String::new();
    for (who, how, findings) in [
        (
            "the guarantor",
            "with the terms it sees and the handovers' signed counts",
            &run.by_counts,
        ),
        (
            "the mediator",
            "person by person, with the roster, the person key and the adopted plan",
            &run.by_persons,
        ),
    ] {
        let open = findings.iter().filter(|f| f.is_open()).count();
        let ids: Vec<String> = findings
            .iter()
            .map(|f| match f.ruling {
                Some((seq, r)) => format!("{} ({} at seq {seq})", f.id, r.as_str()),
                None => format!("{} (open)", f.id),
            })
            .collect();
        let _ = writeln!(
            out,
            "Compliance, as {who} checks it {how}: {} deviation(s){}{}.",
            findings.len(),
            if ids.is_empty() {
                String::new()
            } else {
                format!(": {}", ids.join(", "))
            },
            if open == 0 {
                ", none left open".to_owned()
            } else {
                format!(", {open} open")
            }
        );
    }
    out
}

/// `--out DIR`: what the story leaves behind, every file a command of
/// `truce` reads.
fn write_out(
    dir: &Path,
    agreed_text: &str,
    plan_json: &str,
    run: &execute::Execution,
    report: &str,
) -> Result<(), CliError> {
    let receipts = serde_json::to_string_pretty(&run.receipts).map_err(CliError::Encoding)?;
    let files = [
        ("deal.toml".to_owned(), agreed_text.to_owned()),
        ("rosters/side-a.csv".to_owned(), SIDE_A.to_owned()),
        ("rosters/side-b.csv".to_owned(), SIDE_B.to_owned()),
        ("plan.json".to_owned(), plan_json.to_owned()),
        ("ledger.jsonl".to_owned(), run.ledger.clone()),
        ("keys.json".to_owned(), run.keys_json.clone()),
        ("receipts.json".to_owned(), receipts + "\n"),
        ("terms.json".to_owned(), run.terms_json.clone() + "\n"),
        ("checkpoint.txt".to_owned(), run.checkpoint.clone()),
        (
            "service-key.txt".to_owned(),
            run.service_vkey.clone() + "\n",
        ),
        (
            "person-key.txt".to_owned(),
            run.person_key_hex.clone() + "\n",
        ),
        ("report.txt".to_owned(), report.to_owned()),
    ];
    files::write_tree(dir, &files, true)?;
    println!(
        "Wrote the agreed deal (deal.toml, rosters/), plan.json, plan.svg, ledger.jsonl, keys.json (public keys), receipts.json, terms.json (the deal as the guarantor sees it), checkpoint.txt and service-key.txt (the service's signed head and its verifier key), person-key.txt (the deal's person key, for the roles that see persons) and report.txt to {}",
        dir.display()
    );
    Ok(())
}

fn next_steps(out: Option<&Path>) {
    let dir = out.map_or("DIR".to_owned(), |d| d.display().to_string());
    let mut steps: Vec<(String, &str)> = Vec::new();
    if out.is_none() {
        steps.push((
            "truce demo --out DIR".to_owned(),
            "keep the deal, plan, ledger, keys and report",
        ));
    }
    steps.extend([
        (
            format!(
                "truce verify {dir}/ledger.jsonl --keys {dir}/keys.json --receipts {dir}/receipts.json --deal {dir}/deal.toml --plan {dir}/plan.json --checkpoint {dir}/checkpoint.txt --service-key {dir}/service-key.txt"
            ),
            "verify the ledger yourself",
        ),
        (
            format!("truce check {dir}/deal.toml --plan {dir}/plan.json"),
            "check the plan against the deal",
        ),
        (
            "truce analyze examples/humanitarian-pause".to_owned(),
            "the negotiation's Pareto frontier",
        ),
        (
            "truce serve".to_owned(),
            "the mediator service; API explorer at /api/v1/explorer/",
        ),
    ]);
    println!("\nNext steps");
    for (command, what) in steps {
        println!("  {what}:\n    {command}");
    }
}
