//! `truce tournament`: every pairing on every domain, with a progress bar.

use std::str::FromStr;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use truce_agents::{AgentKind, Protocol, TournamentOptions};

use crate::cli::{Format, TournamentArgs};
use crate::error::{CliError, Outcome};
use crate::files;

pub fn run(args: &TournamentArgs) -> Result<Outcome, CliError> {
    let mut domains = Vec::with_capacity(args.domains.len());
    for path in &args.domains {
        domains.push(crate::domains::load_path(path, None, args.reading)?.domain);
    }
    let agents = match &args.agents {
        Some(list) => truce_agents::parse_agents(list)?,
        None => AgentKind::ALL.to_vec(),
    };
    let opts = TournamentOptions {
        domains,
        agents,
        repetitions: args.repetitions,
        rounds: args.rounds,
        protocol: Protocol::from_str(&args.protocol)?,
        seed: args.seed,
        threads: args.threads,
        mediator: truce_agents::MediatorKind::from_str(&args.mediator)?,
    };
    // Drawn on stderr only when it is a terminal, so pipes and files get
    // clean output.
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} sessions, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let results = truce_agents::run_tournament(&opts, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    if let Some(path) = &args.csv {
        files::write_atomic(path, results.to_csv().as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    match args.format {
        Format::Json => crate::print_json(&results)?,
        Format::Text => print!("{}", results.render_summary()),
    }
    Ok(Outcome::Success)
}
