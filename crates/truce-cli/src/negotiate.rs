//! `truce negotiate`: one rehearsal between automated agents.

use std::str::FromStr;
use std::time::Instant;

use truce_agents::{Protocol, SessionOptions};

use serde::Serialize;
use truce_negotiate::{Analysis, AnalyzeOptions, Domain, Dynamics, Trace, TraceStep};

use crate::cli::{Format, NegotiateArgs};
use crate::error::{CliError, Outcome};
use crate::print_json;

pub fn run(args: &NegotiateArgs) -> Result<Outcome, CliError> {
    let loaded = crate::domains::load(&args.source)?;
    if args.out.is_some() && loaded.deal.is_none() {
        return Err(CliError::Usage(
            "--out needs a deal: it writes the deal with the agreed values".into(),
        ));
    }
    let opts = SessionOptions {
        agents: truce_agents::parse_agents(&args.agents)?,
        protocol: Protocol::from_str(&args.protocol)?,
        rounds: args.rounds,
        time_limit: None,
        seed: args.seed,
        mediator: truce_agents::MediatorKind::from_str(&args.mediator)?,
    };
    let want_moves = args.moves || args.trajectory.is_some();
    let session = match args.repeat {
        Some(k) => {
            let start = Instant::now();
            let repeated = truce_agents::run_repeated(&loaded.domain, &opts, k, &|| {
                start.elapsed().as_secs_f64()
            })?;
            match args.format {
                Format::Json => print_json(&repeated)?,
                Format::Text => {
                    print!("{}", truce_agents::render_trace_text(&repeated.session));
                    println!(
                        "{} negotiations: {:.0} per second",
                        repeated.repeat, repeated.negotiations_per_second
                    );
                }
            }
            repeated.session
        }
        None => {
            let session = truce_agents::run_session(&loaded.domain, &opts)?;
            let moves = if want_moves {
                Some(moves_of(&loaded.domain, &session)?)
            } else {
                None
            };
            match args.format {
                Format::Json => print_json(&WithMoves {
                    session: &session,
                    moves: moves.as_ref().filter(|_| args.moves).map(|m| &m.1),
                })?,
                Format::Text => {
                    print!("{}", truce_agents::render_trace_text(&session));
                    if let Some((_, d)) = moves.as_ref().filter(|_| args.moves) {
                        print!("{}", truce_negotiate::render_dynamics_text(d));
                    }
                }
            }
            if let (Some(path), Some((analysis, d))) = (&args.trajectory, &moves) {
                let cloud = truce_negotiate::outcome_cloud(&loaded.domain, 5_000);
                crate::files::write_atomic(
                    path,
                    truce_negotiate::render_trajectory_svg(analysis, &cloud, d).as_bytes(),
                )?;
                eprintln!("wrote {}", path.display());
            }
            session
        }
    };
    let Some(agreement) = &session.agreement else {
        return Ok(Outcome::Negative);
    };
    if let (Some(out), Some(deal)) = (&args.out, &loaded.deal) {
        let pairs: Vec<(&str, &str)> = session
            .issues
            .iter()
            .map(String::as_str)
            .zip(agreement.iter().map(String::as_str))
            .collect();
        return crate::agree::write_agreed(deal, &pairs, out, args.force);
    }
    Ok(Outcome::Success)
}

/// `truce negotiate --format json --moves`: the session's fields and the
/// analysis beside them.
#[derive(Serialize)]
struct WithMoves<'a> {
    #[serde(flatten)]
    session: &'a truce_agents::Session,
    #[serde(skip_serializing_if = "Option::is_none")]
    moves: Option<&'a Dynamics>,
}

/// The domain's analysis and the session's trace analysed against it.
fn moves_of(
    domain: &Domain,
    session: &truce_agents::Session,
) -> Result<(Analysis, Dynamics), CliError> {
    let analysis = truce_negotiate::analyze(domain, &AnalyzeOptions::default());
    let steps = session
        .trace
        .iter()
        .map(|t| TraceStep {
            round: t.round,
            proposer: session.parties.iter().position(|p| *p == t.proposer),
            offer: t.offer.values(),
        })
        .collect();
    let trace = Trace {
        steps,
        agreement: session.agreement.clone(),
        rounds: session.rounds,
    };
    let d = truce_negotiate::analyze_trace(domain, &analysis, &trace)
        .map_err(CliError::SessionTrace)?;
    Ok((analysis, d))
}
