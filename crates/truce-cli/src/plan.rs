//! `truce plan`: the optimal staged plan of a deal, and its exports.

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
    let deal = files::load_valid(&args.deal)?;
    let agreed = match AgreedDeal::new(deal) {
        Ok(a) => a,
        Err(e) if args.as_drafted => AgreedDeal::as_drafted(*e.deal),
        Err(e) => return Err(CliError::NotAgreed(e.open.join(", "))),
    };
    let opts = PlanOptions {
        step_budget: args.step_budget,
        ..PlanOptions::default()
    };
    if args.through_day.is_some() && args.carried_out.is_none() && args.from_ledger.is_none() {
        return Err(CliError::Usage(
            "--through-day goes with --carried-out or --from-ledger".into(),
        ));
    }
    let plan = match (&args.carried_out, &args.from_ledger) {
        (_, Some(ledger)) => {
            let key = args
                .person_key
                .as_deref()
                .ok_or_else(|| CliError::Usage("--from-ledger needs --person-key".into()))?;
            let prefix = crate::replan::prefix_from_ledger(&agreed, ledger, key, args.through_day)?;
            truce_plan::replan_record(&agreed, &prefix, &opts)
        }
        (None, None) => truce_plan::plan(&agreed, &opts),
        (Some(path), None) => {
            let text = crate::files::read_text(path, crate::files::FileKind::Plan)?;
            let done = truce_plan::from_json(&text).map_err(|e| CliError::Json {
                context: format!("{}:{}:{}: not a plan", path.display(), e.line(), e.column()),
                source: e,
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
    .map_err(plan_error)?;

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
    match export {
        Export::Csv => truce_plan::export_csv(deal, plan).map_err(CliError::Export),
        Export::Ics => truce_plan::export_ics(deal, plan).map_err(CliError::Export),
        Export::Svg => Ok(truce_plan::export_svg(deal, plan)),
    }
}

/// The CLI error of a planner failure: exit 3 when the planner could not
/// decide (its step budget, a term it does not model), else 2.
pub(crate) fn plan_error(e: truce_plan::PlanError) -> CliError {
    match e {
        truce_plan::PlanError::SearchLimit(_) => CliError::Undecided(e.to_string()),
        e => CliError::Plan(e),
    }
}
