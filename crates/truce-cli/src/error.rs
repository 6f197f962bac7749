//! The one mapping from failures to exit codes (cargo-nextest's
//! `ExpectedError` and `process_exit_code` are the model).
//!
//! A command returns an [`Outcome`] when it ran to the end and a
//! [`CliError`] when it could not do its work. A `CliError` keeps the library
//! error that caused it as its `source`; [`CliError::report`] prints the
//! cause chain on one line (`context: cause: cause`), so the message reads as
//! it always did and no library detail is lost.

use std::error::Error as _;
use std::fmt;
use std::path::PathBuf;

/// The exit codes of the DESIGN.md contract, named once.
pub mod exit {
    /// The command did its work and the answer is positive.
    pub const SUCCESS: u8 = 0;
    /// The input was valid but the answer is negative (the deal has errors,
    /// a plan is infeasible, verification failed, the service refused).
    pub const NEGATIVE: u8 = 1;
    /// A usage or input error: a bad flag, an unreadable or malformed file.
    pub const USAGE: u8 = 2;
    /// `truce plan` could decide neither a plan nor that none exists
    /// within its step budget (`--step-budget`), or a re-plan the planner
    /// does not model yet (after carried-out handovers under
    /// `[[exchange]] deferred_days`).
    pub const UNDECIDED: u8 = 3;
    // 101, a bug, is Rust's own exit code after a panic; the panic hook in
    // `main.rs` only decides what it prints.
}

/// How a command that ran to the end answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the input was valid but the answer is negative.
    Negative,
}

impl Outcome {
    /// The process exit code of the answer.
    pub fn process_exit_code(self) -> u8 {
        match self {
            Outcome::Success => exit::SUCCESS,
            Outcome::Negative => exit::NEGATIVE,
        }
    }
}

/// A library error a command could not get past, boxed: the demo drives
/// every crate and keeps whichever error stopped it.
pub type AnyError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A command could not do its work. Each variant names what failed in the
/// command's words (`context`) and keeps the library error as its source.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    // --- The command line itself.
    /// Flags that contradict each other or a value no library reads.
    #[error("{0}")]
    Usage(String),

    // --- Files.
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}", path.display())]
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
    #[error("{} is a folder without a deal.toml", .0.display())]
    NoDealInFolder(PathBuf),
    #[error("{} already exists", .0.display())]
    WouldOverwrite(PathBuf),
    /// A file whose content is wrong, said in truce's words (with its
    /// place); no library error stands behind it.
    #[error("{0}")]
    Input(String),
    /// A file or value that is JSON of the wrong shape.
    #[error("{context}")]
    Json {
        context: String,
        source: serde_json::Error,
    },

    // --- The deal and its plan.
    #[error("{} is not a valid deal; run `truce check` on it for every problem", .0.display())]
    InvalidDeal(PathBuf),
    #[error(
        "the deal still has open issues ({0}): agree them first, or pass --as-drafted to plan its current text"
    )]
    NotAgreed(String),
    #[error("{context}")]
    Agree {
        context: String,
        source: truce_spec::AgreeError,
    },
    #[error("cannot generate")]
    Generate(#[source] truce_spec::GenerateError),
    #[error("cannot plan")]
    Plan(#[source] truce_plan::PlanError),
    /// Exit 3: a valid deal the planner could not decide within its step
    /// budget (neither a plan meeting every term nor a proof there is none).
    #[error("cannot plan: {0}")]
    Undecided(String),
    /// The planner answered, but not with a plan the demo can run.
    #[error("cannot plan: {0}")]
    NoPlan(String),
    #[error("cannot export the plan")]
    Export(#[source] truce_plan::ExportError),

    // --- Negotiation.
    #[error(transparent)]
    Session(#[from] truce_agents::SessionError),
    #[error("{}/{}", dir.display(), source)]
    Domain {
        dir: PathBuf,
        // Printed in the message (`folder/file:line:column: …`): the
        // folder is the reader error's prefix, so the chain stops there.
        source: truce_negotiate::ReadError,
    },
    #[error("{context}")]
    Trace {
        context: String,
        source: truce_negotiate::TraceError,
    },
    /// A session's own trace that the analysis refuses (a bug).
    #[error(transparent)]
    SessionTrace(truce_negotiate::TraceError),

    // --- The ledger, keys and compliance.
    #[error("{context}")]
    Id {
        context: String,
        source: truce_ledger::IdError,
    },
    #[error("{context}")]
    KeyFile {
        context: String,
        source: truce_ledger::KeyFileError,
    },
    #[error("{context}")]
    Checkpoint {
        context: String,
        source: truce_ledger::CheckpointError,
    },
    #[error("{context}")]
    Verify {
        context: String,
        source: truce_ledger::VerifyError,
    },
    #[error("{context}")]
    Encode {
        context: String,
        source: truce_ledger::EncodeError,
    },
    #[error("{context}")]
    Terms {
        context: String,
        source: truce_exec::TermsError,
    },
    /// The normalised deal a service holds, which this build cannot read
    /// back as a deal to plan.
    #[error("{context}")]
    NormalisedDeal {
        context: String,
        source: truce_spec::NormalisedError,
    },
    #[error("{context}")]
    Schedule {
        context: String,
        source: truce_exec::PlanError,
    },

    // --- The service.
    #[error(transparent)]
    Client(#[from] truce_server::client::ClientError),
    #[error("{context}")]
    ClientSetup {
        context: String,
        source: truce_server::client::ClientError,
    },
    /// No connection to the service: its address and the reason, with the
    /// likely fix.
    #[error("cannot reach the service at {service}: {source}; is `truce serve` running there?")]
    Unreachable { service: String, source: AnyError },
    #[error("{context}")]
    Serve {
        context: String,
        source: truce_server::ServeError,
    },
    #[error("{context}")]
    AtRestKey {
        context: String,
        source: truce_store::StoreError,
    },
    /// The operating system refused something that is not a file: a
    /// runtime, a signal handler.
    #[error("{context}")]
    System {
        context: String,
        source: std::io::Error,
    },
    /// A step of `truce demo` failed (the demo's own data, so a bug).
    #[error("{context}")]
    Demo { context: String, source: AnyError },
    /// A step of `truce demo` found its own data wrong (a bug), said in
    /// truce's words.
    #[error("{0}")]
    DemoStep(String),

    // --- Standard output.
    /// Standard output was closed by its reader (`truce … | head`): not an
    /// error, the program ends quietly with exit 0, as ripgrep does.
    #[error("standard output was closed")]
    BrokenPipe,
    #[error("cannot print the result")]
    Print(#[source] std::io::Error),
    #[error("cannot print the result")]
    Encoding(#[source] serde_json::Error),
}

impl CliError {
    /// The process exit code: every variant is listed, so a new one must
    /// choose its code.
    pub fn process_exit_code(&self) -> u8 {
        match self {
            CliError::BrokenPipe => exit::SUCCESS,
            CliError::Undecided(_) => exit::UNDECIDED,
            CliError::Usage(_)
            | CliError::Read { .. }
            | CliError::Write { .. }
            | CliError::TooLarge { .. }
            | CliError::NoDealInFolder(_)
            | CliError::WouldOverwrite(_)
            | CliError::Input(_)
            | CliError::Json { .. }
            | CliError::InvalidDeal(_)
            | CliError::NotAgreed(_)
            | CliError::Agree { .. }
            | CliError::Generate(_)
            | CliError::Plan(_)
            | CliError::NoPlan(_)
            | CliError::Export(_)
            | CliError::Session(_)
            | CliError::Domain { .. }
            | CliError::Trace { .. }
            | CliError::SessionTrace(_)
            | CliError::Id { .. }
            | CliError::KeyFile { .. }
            | CliError::Checkpoint { .. }
            | CliError::Verify { .. }
            | CliError::Encode { .. }
            | CliError::Terms { .. }
            | CliError::NormalisedDeal { .. }
            | CliError::Schedule { .. }
            | CliError::Client(_)
            | CliError::ClientSetup { .. }
            | CliError::Unreachable { .. }
            | CliError::Serve { .. }
            | CliError::AtRestKey { .. }
            | CliError::System { .. }
            | CliError::Demo { .. }
            | CliError::DemoStep(_)
            | CliError::Print(_)
            | CliError::Encoding(_) => exit::USAGE,
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

    /// The error and its causes as the user reads them: `error: ` and the
    /// chain joined by `: ` on one line, then a `help:` line when there is a
    /// hint.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }

    /// A step of the demo that failed on one of its own values.
    pub fn demo(context: impl Into<String>, source: impl Into<AnyError>) -> CliError {
        CliError::Demo {
            context: context.into(),
            source: source.into(),
        }
    }
}

/// [`CliError::report`]'s display.
#[derive(Debug)]
pub struct Report<'a>(&'a CliError);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.0)?;
        write_causes(f, self.0)?;
        if let Some(hint) = self.0.hint() {
            write!(f, "\nhelp: {hint}")?;
        }
        Ok(())
    }
}

/// Writes `: cause` for each source of `error`. Many library errors also
/// print their own source in their message (`"failed to …: {0}"`); a cause
/// already said by the message before it ends the chain, so nothing is said
/// twice.
fn write_causes(f: &mut fmt::Formatter<'_>, error: &CliError) -> fmt::Result {
    let mut said = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if said.contains(&text) {
            break;
        }
        write!(f, ": {text}")?;
        said = text;
        next = cause.source();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(e: &CliError) -> String {
        e.report().to_string()
    }

    #[test]
    fn the_cause_follows_the_context_on_one_line() {
        let e = CliError::Read {
            path: PathBuf::from("deal.toml"),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(
            report(&e),
            "error: cannot read deal.toml: gone\nhelp: check the path and that the file can be read"
        );
        assert!(e.source().is_some(), "the io error is kept");
    }

    #[test]
    fn a_cause_the_message_already_says_is_not_repeated() {
        // ClientError::Connect prints its io error and also returns it as
        // its source.
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = CliError::ClientSetup {
            context: "cannot record".to_owned(),
            source: truce_server::client::ClientError::Connect(io),
        };
        assert_eq!(
            report(&e),
            "error: cannot record: cannot reach the service: refused"
        );
    }

    #[test]
    fn a_closed_stdout_exits_zero_and_the_rest_two() {
        assert_eq!(CliError::BrokenPipe.process_exit_code(), exit::SUCCESS);
        assert_eq!(
            CliError::Usage(String::new()).process_exit_code(),
            exit::USAGE
        );
        assert_eq!(Outcome::Negative.process_exit_code(), exit::NEGATIVE);
    }
}
