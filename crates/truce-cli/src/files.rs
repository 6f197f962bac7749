//! The file system edge: reading deals and rosters, writing outputs whole.
//!
//! Every file truce reads goes through [`read_file`] with its [`FileKind`]:
//! it must be a regular file (a folder, a FIFO, a device such as
//! `/dev/zero` is refused before it is opened, so nothing hangs), no larger
//! than its kind's cap (checked on the size the file system reports, then
//! again while reading, so a huge sparse file or a growing one costs
//! nothing). Roster paths are resolved (symlinks followed) and must stay
//! inside the deal's folder.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use truce_spec::{LoadOptions, Loaded, ReadError, RosterReader};

use crate::error::CliError;

/// The kinds of files truce reads, each with its own size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A deal file (`deal.toml`): the loader's own cap, 1 MiB.
    Deal,
    /// An exported ledger (`ledger.jsonl`): 1 GiB.
    Ledger,
    /// Public keys (`keys.json`): 1 MiB.
    Keys,
    /// Receipts kept by `truce record` (`receipts.jsonl`): 64 MiB.
    Receipts,
    /// A plan (`truce plan --out`), also as carried out: 256 MiB.
    Plan,
    /// A negotiation domain or preference profile: 64 MiB.
    Profile,
    /// A signed event, a signature, a token or a secret key file: 4 MiB (a
    /// handover of the most persons the ledger allows fits).
    Event,
    /// Certificates (PEM), such as `--ca-cert`: 1 MiB.
    Certificate,
    /// A negotiation trace (`truce negotiate --format json`): 256 MiB.
    Trace,
    /// The deal's terms as a party sees them (`truce export --terms`):
    /// 256 MiB.
    Terms,
    /// The service's secret key file or a verifier key: 64 KiB.
    ServiceKey,
}

impl FileKind {
    /// The most bytes a file of this kind may hold.
    pub fn limit(self) -> u64 {
        match self {
            FileKind::Deal => LoadOptions::default().max_deal_bytes as u64,
            FileKind::Ledger => 1 << 30,
            FileKind::Keys => 1 << 20,
            FileKind::Receipts => 64 << 20,
            FileKind::Plan => 256 << 20,
            FileKind::Profile => 64 << 20,
            FileKind::Event => 4 << 20,
            FileKind::Certificate => 1 << 20,
            FileKind::Trace => 256 << 20,
            FileKind::Terms => 256 << 20,
            FileKind::ServiceKey => 64 << 10,
        }
    }

    /// What the file is, in an error message.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Deal => "deal file",
            FileKind::Ledger => "ledger",
            FileKind::Keys => "key file",
            FileKind::Receipts => "receipts file",
            FileKind::Plan => "plan file",
            FileKind::Profile => "domain or profile file",
            FileKind::Event => "event, signature, token or key file",
            FileKind::Certificate => "certificate file",
            FileKind::Trace => "negotiation trace",
            FileKind::Terms => "terms file",
            FileKind::ServiceKey => "service key file",
        }
    }
}

/// The bytes of the file at `path`, a regular file of at most
/// `kind.limit()` bytes.
pub fn read_file(path: &Path, kind: FileKind) -> Result<Vec<u8>, CliError> {
    let read_err = |source| CliError::Read {
        path: path.to_owned(),
        source,
    };
    let limit = kind.limit();
    let too_large = || CliError::TooLarge {
        path: path.to_owned(),
        kind: kind.name(),
        limit,
    };
    regular(path).map_err(read_err)?;
    let file = fs::File::open(path).map_err(read_err)?;
    // Checked again on what was opened (the path may have changed since).
    let meta = file.metadata().map_err(read_err)?;
    if !meta.is_file() {
        return Err(read_err(not_regular()));
    }
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The file at `path` as UTF-8 text (see [`read_file`]).
/// The deal's person key (64 hex digits, as `truce register` writes it).
pub fn read_person_key(path: &Path) -> Result<truce_ledger::PersonKey, CliError> {
    truce_ledger::PersonKey::from_hex(read_text(path, FileKind::Event)?.trim())
        .map_err(|e| CliError::Input(format!("{}: not a person key: {e}", path.display())))
}

pub fn read_text(path: &Path, kind: FileKind) -> Result<String, CliError> {
    String::from_utf8(read_file(path, kind)?).map_err(|e| {
        CliError::Input(format!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to() + 1
        ))
    })
}

fn not_regular() -> io::Error {
    io::Error::other("it is not a regular file (a folder, a FIFO or a device)")
}

/// `Ok` if `path` (symlinks followed) is a regular file. Asked before
/// opening: opening a FIFO waits for a writer, for ever.
fn regular(path: &Path) -> io::Result<()> {
    let meta = fs::metadata(path)?;
    if meta.is_dir() {
        return Err(io::Error::other("it is a folder, not a file"));
    }
    if !meta.is_file() {
        return Err(not_regular());
    }
    Ok(())
}

/// Loads a deal file (or the `deal.toml` of a folder) and its rosters.
pub fn load_deal(path: &Path) -> Result<Loaded, CliError> {
    let path = deal_file(path)?;
    let opts = LoadOptions::default();
    // One byte over the limit is enough for the loader to say it is too large.
    regular(&path).map_err(|source| CliError::Read {
        path: path.clone(),
        source,
    })?;
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
        // Resolve every symlink, then check the result is still inside the
        // deal's folder: a roster link to /etc/passwd is refused unread.
        let resolved = fs::canonicalize(&full).map_err(|e| io_error(&e))?;
        let base = fs::canonicalize(if self.base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.base
        })
        .map_err(|e| io_error(&e))?;
        if !resolved.starts_with(&base) {
            return Err(ReadError::Other(
                "it resolves (through a symbolic link) to a file outside the deal's folder; \
                 copy the roster into the folder"
                    .into(),
            ));
        }
        let meta = fs::metadata(&resolved).map_err(|e| io_error(&e))?;
        if meta.is_dir() {
            return Err(ReadError::Other("it is a folder, not a file".into()));
        }
        if !meta.is_file() {
            return Err(ReadError::Other(
                "it is not a regular file (a FIFO or a device)".into(),
            ));
        }
        let full = resolved;
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
fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    regular(path)?;
    let file = fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
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

/// Loads a deal that must be valid; its diagnostics go to stderr if not.
pub fn load_valid(path: &Path) -> Result<truce_spec::Deal, CliError> {
    let loaded = load_deal(path)?;
    eprint!(
        "{}",
        truce_spec::render_text(&loaded.diagnostics, &loaded.sources)
    );
    loaded
        .deal
        .ok_or_else(|| CliError::InvalidDeal(path.to_path_buf()))
}
