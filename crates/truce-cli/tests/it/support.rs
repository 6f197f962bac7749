//! What the tests that run the `truce` binary share: running it, and
//! temporary folders.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `truce` as a user would, with `RUST_BACKTRACE=1` (which must not
/// change what it prints) and without an admin token from the environment.
pub fn truce(args: &[&str]) -> Output {
    Command::new(trycmd::cargo::cargo_bin!("truce"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env_remove("TRUCE_ADMIN_TOKEN")
        .output()
        .expect("the truce binary runs")
}

/// A fresh folder under the system's temp dir, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("truce-it-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
