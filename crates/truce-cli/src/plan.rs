//! `truce plan`: the optimal staged plan of a deal, and its exports.

use std::path::{Path, PathBuf};

use truce_plan::{PlanOptions, Status};
use truce_spec::{AgreedDeal, Deal};

use crate::cli::{Export, Format, PlanArgs};
use crate::error::{CliError, Outcome};
use crate::files;

pub fn run(args: &PlanArgs) -> Result<Outcome, CliError> {
    if args.out.is_none() && args.export.len() > 1 {
        return Err(CliError::Usage(
            "several exports need --out PLAN, to be written beside it".into(),
        ));
    }
    let deal = load_valid(&args.deal)?;
    let agreed = match AgreedDeal::new(deal) {
        Ok(a) => a,
        Err(e) if args.as_drafted => AgreedDeal::as_drafted(*e.deal),
        Err(e) => return Err(CliError::NotAgreed(e.open.join(", "))),
    };
    let opts = PlanOptions {
        step_budget: args.step_budget,
        ..PlanOptions::default()
    };
    let plan = match &args.carried_out {
        None => truce_plan::plan(&agreed, &opts),
        Some(path) => {
            let text = crate::files::read_text(path, crate::files::FileKind::Plan)?;
            let done = truce_plan::from_json(&text).map_err(|e| {
                CliError::Usage(format!(
                    "{}:{}:{}: not a plan: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                ))
            })?;
            let last = done.stages.iter().map(|s| s.day).max().unwrap_or(0);
            let through_day = args.through_day.unwrap_or(last);
            let stages = done
                .stages
                .into_iter()
                .filter(|s| s.day <= through_day)
                .collect();
            let prefix = truce_plan::Prefix {
                through_day,
                stages,
            };
            truce_plan::replan(&agreed, &prefix, &opts)
        }
    }
    .map_err(|e| match e {
        truce_plan::PlanError::SearchLimit(_) => CliError::Undecided(e.to_string()),
        e => CliError::Plan(e.to_string()),
    })?;

    if let Some(out) = &args.out {
        files::write_atomic(out, truce_plan::to_json(&plan).as_bytes())?;
        for export in &args.export {
            let path = out.with_extension(export.extension());
            files::write_atomic(&path, render_export(&agreed, &plan, *export)?.as_bytes())?;
            eprintln!("wrote {}", path.display());
        }
        eprintln!("wrote {}", out.display());
    }
    match (args.format, args.export.first(), &args.out) {
        (_, Some(export), None) => print!("{}", render_export(&agreed, &plan, *export)?),
        (Format::Json, _, _) => println!("{}", truce_plan::to_json(&plan)),
        (Format::Text, _, _) => print!("{}", truce_plan::render_text(&agreed, &plan)),
    }
    Ok(match plan.status {
        Status::Infeasible => Outcome::Negative,
        Status::Optimal | Status::Feasible => Outcome::Success,
    })
}

pub fn render_export(
    deal: &Deal,
    plan: &truce_plan::Plan,
    export: Export,
) -> Result<String, CliError> {
    let failed =
        |e: truce_plan::ExportError| CliError::Usage(format!("cannot export the plan: {e}"));
    match export {
        Export::Csv => truce_plan::export_csv(deal, plan).map_err(failed),
        Export::Ics => truce_plan::export_ics(deal, plan).map_err(failed),
        Export::Svg => Ok(truce_plan::export_svg(deal, plan)),
    }
}

/// Loads a deal that must be valid; its diagnostics go to stderr if not.
pub fn load_valid(path: &Path) -> Result<Deal, CliError> {
    let loaded = files::load_deal(path)?;
    eprint!(
        "{}",
        truce_spec::render_text(&loaded.diagnostics, &loaded.sources)
    );
    loaded
        .deal
        .ok_or_else(|| CliError::InvalidDeal(PathBuf::from(path)))
}
