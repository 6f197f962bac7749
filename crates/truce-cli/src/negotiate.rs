//! `truce negotiate`: one rehearsal between automated agents.

use std::str::FromStr;
use std::time::Instant;

use truce_agents::{Protocol, SessionOptions};

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
    let usage = |e: truce_agents::SessionError| CliError::Usage(e.to_string());
    let opts = SessionOptions {
        agents: truce_agents::parse_agents(&args.agents).map_err(usage)?,
        protocol: Protocol::from_str(&args.protocol).map_err(usage)?,
        rounds: args.rounds,
        time_limit: None,
        seed: args.seed,
    };
    let session = match args.repeat {
        Some(k) => {
            let start = Instant::now();
            let repeated = truce_agents::run_repeated(&loaded.domain, &opts, k, &|| {
                start.elapsed().as_secs_f64()
            })
            .map_err(usage)?;
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
            let session = truce_agents::run_session(&loaded.domain, &opts).map_err(usage)?;
            match args.format {
                Format::Json => print_json(&session)?,
                Format::Text => print!("{}", truce_agents::render_trace_text(&session)),
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
