//! Helpers that more than one crate's tests use, written once.
//!
//! - [`scratch`]: names no other test of any run uses, and per-process
//!   scratch folders cleaned of what earlier runs left;
//! - [`database_url`]: the database a store or service test runs against
//!   (a fresh SQLite file, or the shared PostgreSQL of `.ci/postgres.sh`);
//! - `rosters` (feature `spec`): deals loaded from in-memory files, with
//!   the roster reader the CLI's file reader stands in for;
//! - `domains` (feature `negotiate`): the negotiation domains and NegMAS
//!   baselines vendored in `testdata/`.
//!
//! Tests only: nothing here is fit for a library (it panics on what a test
//! should not meet).

#[cfg(feature = "negotiate")]
pub mod domains;
#[cfg(feature = "spec")]
pub mod rosters;
pub mod scratch;

/// The database URL a test runs against: with `postgres` (the calling
/// crate's `postgres-tests` feature) the shared PostgreSQL named by
/// `TRUCE_TEST_POSTGRES_URL`, else a fresh SQLite file in `folder` under
/// the system's temporary folder.
pub fn database_url(postgres: bool, folder: &str) -> String {
    if postgres {
        std::env::var("TRUCE_TEST_POSTGRES_URL")
            .expect("postgres-tests needs TRUCE_TEST_POSTGRES_URL (see .ci/postgres.sh)")
    } else {
        let dir = scratch::dir(&std::env::temp_dir().join(folder));
        dir.join(format!("{}.db", scratch::unique("db")))
            .display()
            .to_string()
    }
}

/// The repository's root folder (tests read only the repository).
pub fn repository() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
