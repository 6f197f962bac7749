//! `truce analyze`: the space of possible agreements of a research domain or
//! of a deal's open issues.

use std::path::{Path, PathBuf};
use std::time::Instant;

use truce_negotiate::{AnalyzeOptions, Disagreement, DomainFiles, Issue, ReadOptions, Reading};

use crate::cli::{AnalyzeArgs, DisagreementArg, Format, ReadingArg};
use crate::error::{CliError, Outcome};
use crate::files;

/// Largest domain or profile file read (the largest shared domain file is
/// well under 1 MiB).
const MAX_FILE_BYTES: u64 = 64 << 20;

pub fn run(args: &AnalyzeArgs) -> Result<Outcome, CliError> {
    let started = Instant::now();
    let opts = ReadOptions {
        reading: match args.reading {
            ReadingArg::Genius => Reading::Genius,
            ReadingArg::Raw => Reading::Raw,
        },
        ..ReadOptions::default()
    };
    let is_deal = args.domain.is_file() || args.domain.join("deal.toml").is_file();
    let domain = if is_deal {
        let deal = crate::plan::load_valid(&args.domain)?;
        if deal.open_issues.is_empty() {
            return Err(CliError::Usage(format!(
                "{}: the deal has no open issues to analyse",
                args.domain.display()
            )));
        }
        let issues = deal
            .open_issues
            .iter()
            .map(|i| Issue {
                name: i.id.as_str().to_owned(),
                values: i.options.clone(),
            })
            .collect();
        let dir = match &args.preferences {
            Some(d) => d.clone(),
            None => files::deal_file(&args.domain)?
                .parent()
                .map(Path::to_owned)
                .unwrap_or_default()
                .join("preferences"),
        };
        let profiles = read_folder(&dir)?;
        truce_negotiate::read_profiles(&deal.name, issues, &profiles, &opts)
    } else {
        truce_negotiate::read_domain(&read_folder(&args.domain)?, &opts)
    }
    .map_err(|e| CliError::Usage(format!("{e}")))?;

    let analysis_opts = AnalyzeOptions {
        disagreement: match args.disagreement {
            DisagreementArg::Reservation => Disagreement::Reservation,
            DisagreementArg::Worst => Disagreement::ReservationOrWorst,
        },
        ..AnalyzeOptions::default()
    };
    let mut analysis = truce_negotiate::analyze(&domain, &analysis_opts);
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
        Format::Json => {
            let text = serde_json::to_string_pretty(&analysis)
                .map_err(|e| CliError::Output(e.to_string()))?;
            println!("{text}");
        }
        Format::Text => print!("{}", truce_negotiate::render_text(&analysis)),
    }
    Ok(Outcome::Success)
}

/// Every regular file of a folder as (name, text), sorted by name: the
/// readers tell domains from profiles by content and order parties by name.
fn read_folder(dir: &Path) -> Result<DomainFiles, CliError> {
    let read_err = |source| CliError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len > MAX_FILE_BYTES {
            return Err(CliError::Usage(format!(
                "{} is larger than {MAX_FILE_BYTES} bytes",
                path.display()
            )));
        }
        let bytes = std::fs::read(&path).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match String::from_utf8(bytes) {
            Ok(text) => out.push((name, text)),
            // A binary file (an archive, an image) is no domain file: skip it
            // as the readers skip other non-domain files.
            Err(_) => eprintln!("note: {} is not text; skipped", path.display()),
        }
    }
    Ok(DomainFiles { files: out })
}
