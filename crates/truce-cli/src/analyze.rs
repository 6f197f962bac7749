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
        ..AnalyzeOptions::default()
    };
    let mut analysis = crate::progress::after_a_second("analysing the outcome space", || {
        truce_negotiate::analyze(&domain, &analysis_opts)
    });
    // The contract's `seconds` covers loading and analysis, measured here.
    analysis.seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &args.svg {
        let cloud = truce_negotiate::outcome_cloud(&domain, 5_000);
        files::write_atomic(
            path,
            truce_negotiate::render_svg(&analysis, &cloud).as_bytes(),
        )?;
        eprintln!("wrote {}", path.display());
    }
    match args.format {
        Format::Json => crate::print_json(&analysis)?,
        Format::Text => print!("{}", truce_negotiate::render_text(&analysis)),
    }
    Ok(Outcome::Success)
}
