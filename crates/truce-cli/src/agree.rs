//! `truce agree`: write the agreed values of open issues into a new deal
//! file, validated before it is written.

use std::path::Path;

use truce_spec::fill_in_agreed;

use crate::cli::AgreeArgs;
use crate::error::{CliError, Outcome};
use crate::files;

pub fn run(args: &AgreeArgs) -> Result<Outcome, CliError> {
    let mut pairs = Vec::with_capacity(args.values.len());
    for v in &args.values {
        let Some((issue, value)) = v.split_once('=') else {
            return Err(CliError::Usage(format!("`{v}` is not ISSUE=VALUE")));
        };
        pairs.push((issue.trim(), value.trim()));
    }
    write_agreed(&args.deal, &pairs, &args.out, args.force)
}

/// Writes the deal with agreed values filled in, beside it, after checking
/// that the result is a valid deal.
pub fn write_agreed(
    deal: &Path,
    pairs: &[(&str, &str)],
    out: &Path,
    force: bool,
) -> Result<Outcome, CliError> {
    let deal_path = files::deal_file(deal)?;
    let dir = deal_path.parent().map(Path::to_owned).unwrap_or_default();
    // Rosters are named relative to the deal and may not use `..`: the
    // agreed deal must live beside them.
    let out = if out.components().count() == 1 {
        dir.join(out)
    } else {
        out.to_owned()
    };
    if out.parent().map(Path::to_owned).unwrap_or_default() != dir {
        return Err(CliError::Usage(format!(
            "write the agreed deal beside the deal and its rosters, in {}",
            if dir.as_os_str().is_empty() {
                ".".into()
            } else {
                dir.display().to_string()
            }
        )));
    }
    if out.exists() && !force {
        return Err(CliError::WouldOverwrite(out));
    }
    let text = files::read_text(&deal_path, files::FileKind::Deal)?;
    let agreed = fill_in_agreed(&text, pairs).map_err(|source| CliError::Agree {
        context: deal_path.display().to_string(),
        source,
    })?;
    let loaded = files::load_text(&out, agreed.as_bytes());
    eprint!(
        "{}",
        truce_spec::render_text(&loaded.diagnostics, &loaded.sources)
    );
    let Some(deal) = loaded.deal else {
        eprintln!("error: the agreed values make the deal invalid; nothing was written");
        return Ok(Outcome::Negative);
    };
    files::write_atomic(&out, agreed.as_bytes())?;
    println!(
        "wrote {}: {}",
        out.display(),
        crate::summary::one_line(&deal)
    );
    if deal.open_issues.is_empty() {
        println!(
            "every issue is agreed: `truce plan {}` plans it",
            out.display()
        );
    } else {
        let ids: Vec<&str> = deal.open_issues.iter().map(|i| i.id.as_str()).collect();
        println!("still open: {}", ids.join(", "));
    }
    Ok(Outcome::Success)
}
