//! `truce simulate`: Monte-Carlo execution of one or more drafts' plans
//! under a risk model (`truce_sim`), their differences, and `--robust`.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use truce_plan::PlanOptions;
use truce_sim::{Report, RiskModel, Schedule, SimOptions};
use truce_spec::AgreedDeal;

use crate::cli::{Format, SimulateArgs};
use crate::error::{CliError, Outcome};
use crate::files::{self, FileKind};

pub fn run(args: &SimulateArgs) -> Result<Outcome, CliError> {
    if !args.plan.is_empty() && args.plan.len() != args.deals.len() {
        return Err(CliError::Usage(format!(
            "{} plan(s) for {} deal(s): give one --plan per deal, in the same order, or none",
            args.plan.len(),
            args.deals.len()
        )));
    }
    if args.robust && args.deals.len() != 1 {
        return Err(CliError::Usage(
            "--robust chooses a plan for one deal: name exactly one".into(),
        ));
    }
    let risk = load_risk(args)?;
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let opts = SimOptions {
        runs: args.runs,
        seed: args.seed,
        threads,
    };
    let labels = labels(&args.deals, &args.plan);
    if args.robust {
        let deal = agreed(&args.deals[0], args.as_drafted)?;
        let bar = progress_bar(args.runs);
        let choice = match truce_sim::robust(&deal, &risk, &opts, &|done| bar.set_position(done)) {
            Ok(c) => c,
            Err(truce_sim::RobustError::Schedule(truce_sim::ScheduleError::Infeasible)) => {
                bar.finish_and_clear();
                eprintln!(
                    "error: {}: no plan meets every term, so there is nothing to choose; \
                     `truce plan` says which terms conflict",
                    labels[0]
                );
                return Ok(Outcome::Negative);
            }
            Err(e) => return Err(CliError::NoPlan(e.to_string())),
        };
        bar.finish_and_clear();
        if let Some(out) = &args.out {
            files::write_atomic(out, truce_plan::to_json(&choice.plan).as_bytes())?;
            eprintln!("wrote {}", out.display());
        }
        write_svg(args, &choice.report)?;
        match args.format {
            Format::Json => crate::print_json(&choice)?,
            Format::Text => print!("{}", robust_text(&choice)),
        }
        return Ok(Outcome::Success);
    }
    let mut schedules = Vec::with_capacity(args.deals.len());
    for (i, path) in args.deals.iter().enumerate() {
        let deal = agreed(path, args.as_drafted)?;
        let (plan, warning) = match args.plan.get(i) {
            Some(p) => read_plan(p, &deal, &labels[i])?,
            None => (
                truce_plan::plan(&deal, &PlanOptions::default())
                    .map_err(crate::plan::plan_error)?,
                None,
            ),
        };
        if plan.status == truce_plan::Status::Infeasible {
            // A valid deal with a negative answer (exit 1), as `truce plan` says.
            eprintln!(
                "error: {}: no plan meets every term, so there is nothing to simulate; \
                 `truce plan` says which terms conflict",
                labels[i]
            );
            return Ok(Outcome::Negative);
        }
        let schedule = Schedule::new(&labels[i], &deal, &plan).map_err(|e| {
            CliError::Usage(format!(
                "{}: cannot simulate {}: {e}",
                args.plan.get(i).unwrap_or(path).display(),
                labels[i]
            ))
        })?;
        if let Some(w) = warning {
            eprintln!("{w}");
        }
        schedules.push(schedule);
    }
    let bar = progress_bar(args.runs);
    let report = truce_sim::simulate(&schedules, &risk, &opts, &|done| bar.set_position(done));
    bar.finish_and_clear();
    write_svg(args, &report)?;
    match args.format {
        Format::Json => crate::print_json(&report)?,
        Format::Text => print!("{}", truce_sim::render_text(&report)),
    }
    Ok(Outcome::Success)
}

/// `--risk`, else `risk.toml` beside the first deal, else the illustrative defaults.
fn load_risk(args: &SimulateArgs) -> Result<RiskModel, CliError> {
    let path = match &args.risk {
        Some(p) => Some(p.clone()),
        None => {
            let deal = files::deal_file(&args.deals[0])?;
            let beside = deal
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("risk.toml");
            beside.is_file().then_some(beside)
        }
    };
    let Some(path) = path else {
        eprintln!(
            "note: no risk model (--risk, or risk.toml beside the deal): using the illustrative \
             defaults of docs/risk.example.toml, which are assumptions, not data"
        );
        return Ok(RiskModel::default());
    };
    let text = files::read_text(&path, FileKind::Deal)?;
    truce_sim::parse_risk(&path.display().to_string(), &text)
        .map_err(|e| CliError::Usage(format!("invalid risk model: {e}")))
}

fn agreed(path: &Path, as_drafted: bool) -> Result<AgreedDeal, CliError> {
    let deal = crate::files::load_valid(path)?;
    match AgreedDeal::new(deal) {
        Ok(a) => Ok(a),
        Err(e) if as_drafted => Ok(AgreedDeal::as_drafted(*e.deal)),
        Err(e) => Err(CliError::NotAgreed(e.open.join(", "))),
    }
}

/// A plan written by hand or by another tool: its stages (and flows), the
/// figures left for the checker to recompute, as `truce check --plan` reads it.
#[derive(serde::Deserialize)]
struct WrittenPlan {
    stages: Vec<truce_plan::Stage>,
    #[serde(default)]
    flows: Vec<truce_plan::PlannedFlow>,
}

/// Reads `--plan`: a plan `truce plan` wrote, or one written by hand with
/// only its stages (the independent checker recomputes its figures). Either
/// way the checker judges it against the deal, and a plan that breaks a
/// term is simulated as written, with a warning.
fn read_plan(
    path: &Path,
    deal: &AgreedDeal,
    label: &str,
) -> Result<(truce_plan::Plan, Option<String>), CliError> {
    let text = files::read_text(path, FileKind::Plan)?;
    let report = truce_plan::check_plan(deal, &text);
    let plan = match truce_plan::from_json(&text) {
        Ok(plan) => plan,
        Err(full) => {
            let written: WrittenPlan = serde_json::from_str(&text).map_err(|e| {
                // Name the error of the lenient reading when the text is
                // JSON with no stages, else the parser's own.
                let e = if full.is_data() { e } else { full };
                CliError::Usage(format!(
                    "{}:{}:{}: not a plan: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                ))
            })?;
            truce_plan::Plan::from_stages(deal, written.stages, written.flows, &report)
        }
    };
    let mut warning = None;
    if !report.is_valid() {
        let kinds: Vec<String> = report
            .kinds()
            .iter()
            .map(|k| {
                serde_json::to_value(k).map_or_else(
                    |_| format!("{k:?}"),
                    |v| v.as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        warning = Some(format!(
            "warning: {}: the plan breaks {} term(s) of {label} ({}): simulated as written; \
             `truce check DEAL --plan PLAN` says where",
            path.display(),
            report.violations.len(),
            kinds.join(", ")
        ));
    }
    Ok((plan, warning))
}

/// Each draft's name in the report: its folder (for `deal.toml`) or file
/// stem, with its plan's file stem when plans are given; the paths as given
/// when two would read the same.
fn labels(deals: &[PathBuf], plans: &[PathBuf]) -> Vec<String> {
    let short = |p: &PathBuf| -> String {
        let p = if p.file_name().is_some_and(|n| n == "deal.toml") {
            p.parent().unwrap_or(p)
        } else {
            p.as_path()
        };
        let name = if p.extension().is_some_and(|e| e == "toml") {
            p.file_stem()
        } else {
            p.file_name()
        };
        name.map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
    };
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
    };
    let names: Vec<String> = deals
        .iter()
        .enumerate()
        .map(|(i, d)| match plans.get(i) {
            Some(p) => format!("{} ({})", short(d), stem(p)),
            None => short(d),
        })
        .collect();
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if names.iter().filter(|m| *m == n).count() > 1 {
                match plans.get(i) {
                    Some(p) => format!("{} ({})", deals[i].display(), p.display()),
                    None => deals[i].display().to_string(),
                }
            } else {
                n.clone()
            }
        })
        .collect()
}

/// A bar on stderr, drawn only when it is a terminal.
fn progress_bar(runs: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn write_svg(args: &SimulateArgs, report: &Report) -> Result<(), CliError> {
    let Some(dir) = &args.svg else { return Ok(()) };
    std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
        path: dir.clone(),
        source,
    })?;
    let charts = [
        ("survival.svg", Some(truce_sim::survival_svg(report))),
        ("released.svg", Some(truce_sim::released_svg(report))),
        // Aid, fuel and releases outside the exchange, when a draft has them.
        ("delivered.svg", truce_sim::delivered_svg(report)),
    ];
    for (name, svg) in charts {
        let Some(svg) = svg else { continue };
        let path = dir.join(name);
        files::write_atomic(&path, svg.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn robust_text(c: &truce_sim::RobustChoice) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} candidate plans releasing {} persons, simulated {} times each (seed {}):",
        c.candidates.len(),
        c.released,
        c.report.runs,
        c.report.seed
    );
    let _ = writeln!(
        s,
        "      days  peak exposure  completion  expected loss  plan"
    );
    for (i, k) in c.candidates.iter().enumerate() {
        let mark = if i == c.chosen { "→" } else { " " };
        let _ = writeln!(
            s,
            "  {mark} {:>6} {:>14} {:>10.1}% {:>14.2}  {}",
            k.days_used,
            k.max_exposure,
            100.0 * k.completion,
            k.expected_loss,
            k.how
        );
    }
    if c.chosen == 0 {
        let _ = writeln!(
            s,
            "\nThe planner's optimum is also the most robust under this risk model."
        );
    } else {
        let (o, k) = (&c.candidates[0], &c.candidates[c.chosen]);
        let _ = writeln!(
            s,
            "\nChosen: {} — expected loss {:.2} instead of {:.2} persons.",
            k.how, k.expected_loss, o.expected_loss
        );
        let _ = writeln!(s, "It gives up: {}.", c.gave_up.join("; "));
    }
    let _ = writeln!(
        s,
        "Expected loss: planned persons not released, on average under the risk model (an assumption, not data)."
    );
    s
}
