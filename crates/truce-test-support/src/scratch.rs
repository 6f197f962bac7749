//! Unique names and scratch folders.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other test of any run uses (PostgreSQL is shared between
/// runs): the prefix, the process, the clock's nanoseconds and a counter.
pub fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}-{}-{nanos}-{n}", std::process::id())
}

/// This process's folder under `root`, created; the first call of a
/// process for a `root` removes what runs more than an hour old left there.
pub fn dir(root: &Path) -> PathBuf {
    static CLEANED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    let first = CLEANED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(root.to_owned());
    if first {
        let hour = std::time::Duration::from_secs(3600);
        for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
            if old {
                let _ = std::fs::remove_dir_all(entry.path());
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let dir = root.join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).expect("create the test folder");
    dir
}
