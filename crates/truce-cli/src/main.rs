//! `truce`: the command-line tool for staged exchange agreements.
//!
//! Exit codes (the contract in DESIGN.md): 0 success; 1 the input is valid
//! but the answer is negative (the deal has errors, a plan is infeasible,
//! verification failed); 2 usage or input error (unreadable or malformed
//! file, bad flag); 3 `truce plan` could decide neither a plan nor that
//! none exists within its step budget (`--step-budget`). A bug prints an
//! `error: internal error` line and one asking for a report, and exits 101,
//! never a backtrace. The mapping is `error.rs`.

mod agree;
mod analyze;
mod check;
mod cli;
mod compliance;
mod demo;
mod domains;
mod error;
mod files;
mod generate;
mod keys;
mod ledger;
mod negotiate;
mod plan;
mod progress;
mod remote;
mod replan;
mod replan_remote;
mod serve;
mod simulate;
mod status;
mod summary;
mod text;
mod tournament;
mod verify_files;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use error::{CliError, Outcome, exit};

fn main() -> ExitCode {
    // RUST_BACKTRACE may be set on the user's machine: a bug must still read
    // as one plain line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        // `println!` on a stdout its reader closed (`truce … | head`): the
        // reader has what it wanted; end quietly, as ripgrep does.
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!("error: internal error: {info}");
        eprintln!("error: this is a bug in truce; please report it with the command you ran");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage
            // errors print clap's message (which names the fix) and exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            });
        }
    };
    match run(cli) {
        Ok(outcome) => ExitCode::from(outcome.process_exit_code()),
        Err(e) => {
            if !matches!(e, CliError::BrokenPipe) {
                eprintln!("{}", e.report());
            }
            ExitCode::from(e.process_exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<Outcome, CliError> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Agree(args) => agree::run(&args),
        Command::Analyze(args) => analyze::run(&args),
        Command::Negotiate(args) => negotiate::run(&args),
        Command::Tournament(args) => tournament::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Keygen(args) => ledger::keygen(&args),
        Command::Keys(command) => keys::run(&command),
        Command::Verify(args) => ledger::verify(&args),
        Command::Register(args) => remote::register(&args),
        Command::SignAgreement(args) => remote::sign_agreement(&args),
        Command::Record(args) => remote::record(&args),
        Command::Export(args) => remote::export(&args),
        Command::Status(args) => remote::status(&args),
        Command::Replan(args) => replan_remote::run(&args),
        Command::Text(command) => text::run(&command),
        Command::Demo(args) => demo::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "truce", &mut std::io::stdout());
            Ok(Outcome::Success)
        }
    }
}

/// Prints a value as pretty JSON on stdout: the one JSON writer of every
/// command. A closed pipe is an error to report, not a panic (as `println!`
/// would make it).
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    use std::io::Write as _;
    let text = serde_json::to_string_pretty(value).map_err(CliError::Encoding)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => CliError::BrokenPipe,
            _ => CliError::Print(e),
        })
}
