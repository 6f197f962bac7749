//! `truce demo`: the story of the shipped example, needing nothing installed.
//!
//! The example is compiled into the binary, so the demo runs from any folder.

use truce_plan::PlanOptions;
use truce_spec::{AgreedDeal, LoadOptions, ReadError};

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
    let mut report = crate::summary::full(&deal);
    println!("truce demo: the shipped example `humanitarian-pause` (synthetic persons only)\n");
    print!("{report}");

    // The open issues are still on the table: rehearse the plan of the text
    // as drafted, as a mediator would before the sides agree.
    let drafted = AgreedDeal::as_drafted(deal);
    let started = std::time::Instant::now();
    let plan = truce_plan::plan(&drafted, &PlanOptions::default())
        .map_err(|e| CliError::Plan(e.to_string()))?;
    let seconds = started.elapsed().as_secs_f64();
    let table = truce_plan::render_text(&drafted, &plan);
    println!(
        "\nThe plan, if the text were agreed as drafted (planned in {:.0} ms)",
        seconds * 1000.0
    );
    print!("{table}");
    let check = truce_plan::check_plan(&drafted, &truce_plan::to_json(&plan));
    println!(
        "independent check: {}",
        if check.is_valid() {
            "the plan keeps every term".to_owned()
        } else {
            format!("{} violation(s)", check.violations.len())
        }
    );
    report.push_str("\nThe plan, if the text were agreed as drafted\n");
    report.push_str(&table);
    let svg = truce_plan::export_svg(&drafted, &plan);
    let chart = match &args.out {
        Some(dir) => dir.join("plan.svg"),
        None => std::env::temp_dir().join("truce-demo").join("plan.svg"),
    };
    files::write_atomic(&chart, svg.as_bytes())?;
    println!(
        "chart of releases and exposure per day: {}",
        chart.display()
    );

    println!("\nNext steps");
    for (command, what) in [
        (
            "truce check examples/humanitarian-pause",
            "validate a deal, every problem at once",
        ),
        (
            "truce check examples/humanitarian-pause --format json",
            "the normalised deal, for tools",
        ),
        (
            "truce plan examples/minimal --out plan.json --export csv",
            "plan an agreed deal, with exports",
        ),
        (
            "truce generate --persons 2000 --days 30 --out /tmp/big",
            "a synthetic deal of any size",
        ),
    ] {
        println!("  {command:<58} {what}");
    }

    if let Some(dir) = &args.out {
        let files = [
            ("deal.toml".to_owned(), DEAL.to_owned()),
            ("rosters/side-a.csv".to_owned(), SIDE_A.to_owned()),
            ("rosters/side-b.csv".to_owned(), SIDE_B.to_owned()),
            ("report.txt".to_owned(), report),
            ("plan.json".to_owned(), truce_plan::to_json(&plan)),
        ];
        files::write_tree(dir, &files, true)?;
        println!(
            "\nwrote the deal, its rosters, plan.json, plan.svg and report.txt to {}",
            dir.display()
        );
    }
    Ok(Outcome::Success)
}
