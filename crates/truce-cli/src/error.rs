//! The one mapping from failures to exit codes.

use std::path::PathBuf;

/// How a command that ran to the end answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the input was valid but the answer is negative.
    Negative,
}

/// A command could not do its work: exit 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is larger than the {limit}-byte limit for a {kind}", path.display())]
    TooLarge {
        path: PathBuf,
        kind: &'static str,
        limit: u64,
    },
    /// Standard output was closed by its reader (`truce … | head`): not an
    /// error, the program ends quietly with exit 0, as ripgrep does.
    #[error("standard output was closed")]
    BrokenPipe,
    #[error("{} is a folder without a deal.toml", .0.display())]
    NoDealInFolder(PathBuf),
    #[error("{} already exists", .0.display())]
    WouldOverwrite(PathBuf),
    #[error("{0}")]
    Usage(String),
    #[error("{} is not a valid deal; run `truce check` on it for every problem", .0.display())]
    InvalidDeal(PathBuf),
    #[error(
        "the deal still has open issues ({0}): agree them first, or pass --as-drafted to plan its current text"
    )]
    NotAgreed(String),
    #[error("cannot plan: {0}")]
    Plan(String),
    /// Exit 3: a valid deal the planner could not decide within its step
    /// budget (neither a plan meeting every term nor a proof there is none).
    #[error("cannot plan: {0}")]
    Undecided(String),
    #[error("cannot print the result: {0}")]
    Output(String),
}

impl CliError {
    /// The exit code: 3 for a deal the planner could not decide within its
    /// step budget; every other `CliError` is a usage or input error (2).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Undecided(_) => 3,
            _ => 2,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            CliError::Read { .. } => Some("check the path and that the file can be read"),
            CliError::NoDealInFolder(_) => {
                Some("name the deal file itself, e.g. `truce check path/to/deal.toml`")
            }
            CliError::WouldOverwrite(_) => {
                Some("choose another folder, or pass --force to overwrite")
            }
            CliError::Undecided(_) => Some(
                "the deal is valid but its search needs more steps: raise --step-budget, or loosen the terms that make it hard (a guaranteed total_min, handovers_per_day)",
            ),
            _ => None,
        }
    }
}
