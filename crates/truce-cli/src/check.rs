//! `truce check`: validate a deal, report every problem.

use truce_spec::Loaded;

use crate::cli::{CheckArgs, Format};
use crate::error::{CliError, Outcome};
use crate::files;
use crate::print_json;

pub fn run(args: &CheckArgs) -> Result<Outcome, CliError> {
    if let Some(plan) = &args.plan {
        return check_plan(args, plan);
    }
    let loaded = files::load_deal(&args.deal)?;
    let rendered = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
    let deal_name = loaded
        .sources
        .files()
        .next()
        .map_or(String::new(), |(_, f)| f.name.clone());
    eprint!("{rendered}");
    match (&loaded.deal, args.format) {
        (Some(deal), Format::Json) => print_json(deal)?,
        (Some(deal), Format::Text) => {
            println!("ok: {deal_name}: {}", crate::summary::one_line(deal));
            if !deal.open_issues.is_empty() {
                let ids: Vec<&str> = deal.open_issues.iter().map(|i| i.id.as_str()).collect();
                println!(
                    "note: {} open issue(s) still to agree: {}",
                    ids.len(),
                    ids.join(", ")
                );
            }
        }
        (None, Format::Json) => print_json(&diagnostics_json(&loaded))?,
        (None, Format::Text) => {}
    }
    let d = &loaded.diagnostics;
    if loaded.deal.is_none() && !loaded.unreadable {
        eprintln!(
            "error: {deal_name}: {} error(s), {} warning(s); the deal is not valid",
            d.error_count(),
            d.warning_count()
        );
    } else if d.warning_count() > 0 {
        eprintln!("warning: {deal_name}: {} warning(s)", d.warning_count());
    }
    Ok(match (loaded.unreadable, loaded.deal.is_some()) {
        (true, _) => {
            return Err(CliError::Input(format!(
                "{deal_name} cannot be parsed as a deal"
            )));
        }
        (false, true) => Outcome::Success,
        (false, false) => Outcome::Negative,
    })
}

fn diagnostics_json(loaded: &Loaded) -> serde_json::Value {
    let items = truce_spec::to_json(&loaded.diagnostics, &loaded.sources);
    serde_json::json!({
        "valid": false,
        "errors": loaded.diagnostics.error_count(),
        "warnings": loaded.diagnostics.warning_count(),
        "diagnostics": items,
    })
}

/// `truce check DEAL --plan PLAN`: the independent checker, every violation.
fn check_plan(args: &CheckArgs, plan_path: &std::path::Path) -> Result<Outcome, CliError> {
    let deal = crate::files::load_valid(&args.deal)?;
    let bytes = crate::files::read_file(plan_path, crate::files::FileKind::Plan)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Input(format!("{} is not UTF-8 JSON", plan_path.display())))?;
    let report = truce_plan::check_plan(&deal, &text);
    let name = plan_path.display();
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Text => {
            for v in &report.violations {
                let day = v.day.map_or(String::new(), |d| format!("day {d}: "));
                let persons = if v.persons.is_empty() {
                    String::new()
                } else {
                    format!(" (persons: {})", v.persons.join(", "))
                };
                eprintln!("error: {name}: {day}{}{persons}", v.message);
            }
            if report.is_valid() {
                let released: Vec<String> = report
                    .released
                    .iter()
                    .map(|(h, n)| format!("{h} {n}"))
                    .collect();
                println!(
                    "ok: {name} keeps every term of the deal: released {}; {} day(s) used; max exposure {}",
                    released.join(", "),
                    report.days_used,
                    report.max_exposure
                );
            } else {
                eprintln!(
                    "error: {name}: {} violation(s) of the deal's terms",
                    report.violations.len()
                );
            }
        }
    }
    Ok(if report.is_valid() {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}
