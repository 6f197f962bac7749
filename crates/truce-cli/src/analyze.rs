//! `truce analyze`: the space of possible agreements of a research domain or
//! of a deal's open issues.

use std::time::Instant;

use truce_negotiate::{AnalyzeOptions, Disagreement};

use crate::cli::{AnalyzeArgs, DisagreementArg, Format};
use crate::error::{CliError, Outcome};
use crate::files;

pub fn run(args: &AnalyzeArgs) -> Result<Outcome, CliError> {
    let started = Instant::now();
    let domain = crate::domains::load(&args.source)?.domain;

    let analysis_opts = AnalyzeOptions {
        disagreement: match args.disagreement {
            DisagreementArg::Reservation => Disagreement::Reservation,
            DisagreementArg::Worst => Disagreement::ReservationOrWorst,
        },
        tolerance: args.tolerance,
        list_ties: args.list_ties,
        ..AnalyzeOptions::default()
    };
    if !(args.tolerance >= 0.0 && args.tolerance.is_finite()) {
        return Err(CliError::Usage(format!(
            "--tolerance {}: give a number of 0 or more",
            args.tolerance
        )));
    }
    let mut analysis = crate::progress::after_a_second("analysing the outcome space", || {
        truce_negotiate::analyze(&domain, &analysis_opts)
    });
    // The contract's `seconds` covers loading and analysis, measured here.
    analysis.seconds = started.elapsed().as_secs_f64();
    let dynamics = match &args.trace {
        Some(path) => Some(trace_dynamics(path, &domain, &analysis)?),
        None => None,
    };
    if let Some(path) = &args.svg {
        let cloud = truce_negotiate::outcome_cloud(&domain, 5_000);
        let svg = match &dynamics {
            Some(d) => truce_negotiate::render_trajectory_svg(&analysis, &cloud, d),
            None => truce_negotiate::render_svg(&analysis, &cloud),
        };
        files::write_atomic(path, svg.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    match (args.format, &dynamics) {
        (Format::Json, None) => crate::print_json(&analysis)?,
        (Format::Json, Some(d)) => crate::print_json(d)?,
        (Format::Text, None) => print!("{}", truce_negotiate::render_text(&analysis)),
        (Format::Text, Some(d)) => print!("{}", truce_negotiate::render_dynamics_text(d)),
    }
    Ok(Outcome::Success)
}

/// Reads a trace as `truce negotiate --format json` writes it and analyses
/// it on the domain.
fn trace_dynamics(
    path: &std::path::Path,
    domain: &truce_negotiate::Domain,
    analysis: &truce_negotiate::Analysis,
) -> Result<truce_negotiate::Dynamics, CliError> {
    let bytes = files::read_file(path, files::FileKind::Trace)?;
    let bad = |what: String| CliError::Input(format!("{}: {what}", path.display()));
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|source| CliError::Json {
        context: format!("{}: not JSON", path.display()),
        source,
    })?;
    let strings = |x: &serde_json::Value, what: &str| -> Result<Vec<String>, CliError> {
        x.as_array()
            .ok_or_else(|| bad(format!("{what} is not a list of values")))?
            .iter()
            .map(|s| match s {
                serde_json::Value::String(s) => Ok(s.clone()),
                serde_json::Value::Number(n) => Ok(n.to_string()),
                _ => Err(bad(format!("{what} holds a value that is not text"))),
            })
            .collect()
    };
    let entries = v["trace"]
        .as_array()
        .ok_or_else(|| bad("no `trace` list".into()))?;
    let mut steps = Vec::with_capacity(entries.len());
    for (k, e) in entries.iter().enumerate() {
        let proposer = e["proposer"]
            .as_str()
            .ok_or_else(|| bad(format!("trace[{k}] has no `proposer`")))?;
        let proposer = if proposer == "mediator" {
            None
        } else {
            Some(
                domain
                    .parties
                    .iter()
                    .position(|p| p.name == proposer)
                    .ok_or_else(|| {
                        bad(format!(
                            "trace[{k}]: proposer `{proposer}` is not a party of the domain ({})",
                            domain
                                .parties
                                .iter()
                                .map(|p| p.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?,
            )
        };
        let round = e["round"]
            .as_u64()
            .and_then(|r| u32::try_from(r).ok())
            .ok_or_else(|| bad(format!("trace[{k}] has no `round`")))?;
        steps.push(truce_negotiate::TraceStep {
            round,
            proposer,
            offer: strings(&e["offer"], &format!("trace[{k}].offer"))?,
        });
    }
    let agreement = match &v["agreement"] {
        serde_json::Value::Null => None,
        a => Some(strings(a, "agreement")?),
    };
    let rounds = v["rounds"]
        .as_u64()
        .and_then(|r| u32::try_from(r).ok())
        .or_else(|| steps.last().map(|s| s.round + 1))
        .unwrap_or(0);
    let trace = truce_negotiate::Trace {
        steps,
        agreement,
        rounds,
    };
    truce_negotiate::analyze_trace(domain, analysis, &trace).map_err(|source| CliError::Trace {
        context: path.display().to_string(),
        source,
    })
}
