//! `truce generate`: a synthetic deal of a given size.

use truce_spec::GenerateOptions;

use crate::cli::GenerateArgs;
use crate::error::{CliError, Outcome};
use crate::files;

pub fn run(args: &GenerateArgs) -> Result<Outcome, CliError> {
    let opts = GenerateOptions {
        persons: args.persons,
        days: args.days,
        tiers: args.tiers,
        ratio: args.ratio,
        family_share: args.family_share,
        extension: !args.no_extension,
        seed: args.seed,
    };
    let deal = truce_spec::generate(&opts).map_err(CliError::Generate)?;
    files::write_tree(&args.out, &deal.files, args.force)?;
    println!(
        "wrote {} ({} captives, {} detainees, {} days)",
        args.out.join("deal.toml").display(),
        args.persons,
        u64::from(args.persons) * u64::from(args.ratio),
        args.days
    );
    Ok(Outcome::Success)
}
