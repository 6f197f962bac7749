//! The file system edge: reading deals and rosters, writing outputs whole.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use truce_spec::{LoadOptions, Loaded, ReadError, RosterReader};

use crate::error::CliError;

/// Loads a deal file (or the `deal.toml` of a folder) and its rosters.
pub fn load_deal(path: &Path) -> Result<Loaded, CliError> {
    let path = deal_file(path)?;
    let opts = LoadOptions::default();
    // One byte over the limit is enough for the loader to say it is too large.
    let bytes =
        read_limited(&path, opts.max_deal_bytes as u64 + 1).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
    Ok(load_text(&path, &bytes))
}

/// Loads deal text as if it were the file `path` (its rosters beside it).
pub fn load_text(path: &Path, bytes: &[u8]) -> Loaded {
    let base = path.parent().map(Path::to_owned).unwrap_or_default();
    let mut rosters = DiskRosters { base };
    truce_spec::load(
        &path.display().to_string(),
        bytes,
        &mut rosters,
        &LoadOptions::default(),
    )
}

/// The deal file a path names: itself, or the `deal.toml` of a folder.
pub fn deal_file(path: &Path) -> Result<PathBuf, CliError> {
    Ok(if path.is_dir() {
        let inner = path.join("deal.toml");
        if !inner.is_file() {
            return Err(CliError::NoDealInFolder(path.to_owned()));
        }
        inner
    } else {
        path.to_owned()
    })
}

/// Roster files beside the deal file.
struct DiskRosters {
    base: PathBuf,
}

impl RosterReader for DiskRosters {
    fn read(&mut self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        let full = self.base.join(path);
        let meta = fs::metadata(&full).map_err(|e| io_error(&e))?;
        if meta.is_dir() {
            return Err(ReadError::Other("it is a folder, not a file".into()));
        }
        if meta.len() > max_bytes {
            return Err(ReadError::TooLarge { limit: max_bytes });
        }
        read_limited(&full, max_bytes + 1)
            .map_err(|e| io_error(&e))
            .and_then(|b| {
                if b.len() as u64 > max_bytes {
                    Err(ReadError::TooLarge { limit: max_bytes })
                } else {
                    Ok(b)
                }
            })
    }

    fn display_name(&self, path: &str) -> String {
        self.base.join(path).display().to_string()
    }
}

fn io_error(e: &io::Error) -> ReadError {
    match e.kind() {
        io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Other(e.to_string()),
    }
}

/// Reads at most `limit` bytes, so a huge or endless file (a FIFO, /dev/zero)
/// cannot exhaust memory.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::other("it is a folder, not a file"));
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Writes a file whole or not at all: a temporary file beside it, flushed to
/// disk, then renamed over the target.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), CliError> {
    write_atomic_mode(path, contents, 0o644)
}

/// Like [`write_atomic`], for a file only its owner may read (secret keys):
/// the permissions are set when the file is created, so the secret is never
/// readable by others, not even for a moment.
pub fn write_secret(path: &Path, contents: &[u8]) -> Result<(), CliError> {
    write_atomic_mode(path, contents, 0o600)
}

fn write_atomic_mode(path: &Path, contents: &[u8], mode: u32) -> Result<(), CliError> {
    let err = |source| CliError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(err)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = options.open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Writes `files` (paths relative to `dir`), refusing to replace a deal
/// already there unless `force`.
pub fn write_tree(dir: &Path, files: &[(String, String)], force: bool) -> Result<(), CliError> {
    if !force {
        for (name, _) in files {
            let p = dir.join(name);
            if p.exists() {
                return Err(CliError::WouldOverwrite(p));
            }
        }
    }
    for (name, text) in files {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}
