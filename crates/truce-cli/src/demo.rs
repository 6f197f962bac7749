//! `truce demo`: the story of the shipped example, needing nothing installed.
//!
//! The example is compiled into the binary, so the demo runs from any folder.

use truce_spec::{LoadOptions, ReadError};

use crate::cli::DemoArgs;
use crate::error::{CliError, Outcome};
use crate::files;

const DEAL: &str = include_str!("../../../examples/humanitarian-pause/deal.toml");
const SIDE_A: &str = include_str!("../../../examples/humanitarian-pause/rosters/side-a.csv");
const SIDE_B: &str = include_str!("../../../examples/humanitarian-pause/rosters/side-b.csv");

pub fn run(args: &DemoArgs) -> Result<Outcome, CliError> {
    let mut rosters = |path: &str, _max: u64| match path {
        "rosters/side-a.csv" => Ok(SIDE_A.as_bytes().to_vec()),
        "rosters/side-b.csv" => Ok(SIDE_B.as_bytes().to_vec()),
        _ => Err(ReadError::NotFound),
    };
    let loaded = truce_spec::load(
        "humanitarian-pause/deal.toml",
        DEAL.as_bytes(),
        &mut rosters,
        &LoadOptions::default(),
    );
    let Some(deal) = loaded.deal else {
        // The shipped example is checked by the test suite; reaching this is a bug.
        eprint!(
            "{}",
            truce_spec::render_text(&loaded.diagnostics, &loaded.sources)
        );
        return Err(CliError::Usage(
            "the shipped example deal is invalid".into(),
        ));
    };
    let report = crate::summary::full(&deal);
    println!("truce demo: the shipped example `humanitarian-pause` (synthetic persons only)\n");
    print!("{report}");
    println!("\nNext steps");
    println!(
        "  truce check examples/humanitarian-pause/deal.toml   validate a deal, every problem at once"
    );
    println!(
        "  truce check examples/humanitarian-pause --format json   the normalised deal for other tools"
    );
    println!(
        "  truce generate --persons 2000 --days 30 --out /tmp/big   a synthetic deal of any size"
    );

    if let Some(dir) = &args.out {
        let files = [
            ("deal.toml".to_owned(), DEAL.to_owned()),
            ("rosters/side-a.csv".to_owned(), SIDE_A.to_owned()),
            ("rosters/side-b.csv".to_owned(), SIDE_B.to_owned()),
            ("report.txt".to_owned(), report),
        ];
        files::write_tree(dir, &files, true)?;
        println!(
            "\nwrote the deal, its rosters and report.txt to {}",
            dir.display()
        );
    }
    Ok(Outcome::Success)
}
