//! Integration tests of truce-spec: one binary, one module per feature.

mod agree;
mod bad;
mod examples;
mod generated;
mod limits;
mod normalised;
mod props;

use std::path::{Path, PathBuf};

use truce_spec::{LoadOptions, Loaded, ReadError, RosterReader};

/// The repository's root, from this crate's folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Reads rosters from a folder on disk and names them by their path in the
/// deal, so snapshots do not depend on where the repository is.
#[derive(Debug)]
pub struct DirReader(pub PathBuf);

impl RosterReader for DirReader {
    fn read(&mut self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        let full = self.0.join(path);
        if full.is_dir() {
            return Err(ReadError::Other("it is a folder, not a file".into()));
        }
        match std::fs::read(&full) {
            Ok(b) if b.len() as u64 > max_bytes => Err(ReadError::TooLarge { limit: max_bytes }),
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ReadError::NotFound),
            Err(e) => Err(ReadError::Other(e.to_string())),
        }
    }
}

/// Loads `deal.toml` from a folder.
pub fn load_dir(dir: &Path) -> Loaded {
    let bytes = std::fs::read(dir.join("deal.toml")).expect("fixture deal.toml");
    truce_spec::load(
        "deal.toml",
        &bytes,
        &mut DirReader(dir.to_owned()),
        &LoadOptions::default(),
    )
}

/// Loads a deal from memory, with rosters from a list of (path, text).
pub fn load_mem(deal: &[u8], rosters: &[(&str, &[u8])], opts: &LoadOptions) -> Loaded {
    truce_test_support::rosters::load(deal, rosters, opts)
}

/// The sub-folders of a folder, sorted, as (name, path).
pub fn subdirs(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                p,
            )
        })
        .collect();
    out.sort();
    out
}
