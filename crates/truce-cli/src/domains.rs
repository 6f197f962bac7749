//! Negotiation domains from disk: a GENIUS / GeniusWeb folder, or a deal's
//! open issues with the sides' preference profiles.

use std::path::{Path, PathBuf};

use truce_negotiate::{Domain, DomainFiles, Issue, ReadOptions, Reading};

use crate::cli::{DomainArgs, ReadingArg};
use crate::error::CliError;
use crate::files;

/// A domain, and the deal file it came from, if any.
#[derive(Debug)]
pub struct Loaded {
    pub domain: Domain,
    pub deal: Option<PathBuf>,
}

pub fn reading(r: ReadingArg) -> ReadOptions {
    ReadOptions {
        reading: match r {
            ReadingArg::Genius => Reading::Genius,
            ReadingArg::Raw => Reading::Raw,
        },
        ..ReadOptions::default()
    }
}

pub fn load(args: &DomainArgs) -> Result<Loaded, CliError> {
    load_path(&args.domain, args.preferences.as_deref(), args.reading)
}

pub fn load_path(
    path: &Path,
    preferences: Option<&Path>,
    r: ReadingArg,
) -> Result<Loaded, CliError> {
    let opts = reading(r);
    let is_deal = path.is_file() || path.join("deal.toml").is_file();
    if !is_deal {
        let domain = truce_negotiate::read_domain(&read_folder(path)?, &opts)
            .map_err(|e| in_folder(path, e))?;
        return Ok(Loaded { domain, deal: None });
    }
    let deal_path = files::deal_file(path)?;
    let deal = crate::files::load_valid(path)?;
    if deal.open_issues.is_empty() {
        return Err(CliError::Input(format!(
            "{}: the deal has no open issues to negotiate",
            path.display()
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
    let dir = match preferences {
        Some(d) => d.to_owned(),
        None => deal_path
            .parent()
            .map(Path::to_owned)
            .unwrap_or_default()
            .join("preferences"),
    };
    let domain = truce_negotiate::read_profiles(&deal.name, issues, &read_folder(&dir)?, &opts)
        .map_err(|e| in_folder(&dir, e))?;
    Ok(Loaded {
        domain,
        deal: Some(deal_path),
    })
}

/// The most files a domain folder may hold (GENIUS and ANAC folders hold a
/// domain and a handful of profiles), so the reading is bounded as every
/// file's size is.
const MAX_FOLDER_FILES: usize = 1024;

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
        .take(MAX_FOLDER_FILES + 1)
        .collect();
    if paths.len() > MAX_FOLDER_FILES {
        return Err(CliError::Input(format!(
            "{} holds more than {MAX_FOLDER_FILES} files: a domain folder holds a domain and its profiles",
            dir.display()
        )));
    }
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = crate::files::read_file(&path, crate::files::FileKind::Profile)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        match String::from_utf8(bytes) {
            Ok(text) => out.push((name, text)),
            // A profile or domain that is not UTF-8 text is an error naming
            // it, never a party silently left out.
            Err(_) if lower.ends_with(".xml") || lower.ends_with(".json") => {
                return Err(CliError::Input(format!(
                    "{}: not UTF-8 text, so it cannot be read as a domain or profile; \
                     convert it to UTF-8 or move it out of the folder",
                    path.display()
                )));
            }
            // A binary file (an archive, an image) is no domain file: skip it
            // as the readers skip other non-domain files.
            Err(_) => eprintln!("note: {} is not text; skipped", path.display()),
        }
    }
    Ok(DomainFiles { files: out })
}

/// A reader error with its file named by its path, not only its name.
fn in_folder(dir: &Path, source: truce_negotiate::ReadError) -> CliError {
    CliError::Domain {
        dir: dir.to_owned(),
        source,
    }
}
