//! The demo's negotiation: the example's open issues, rehearsed between two
//! automated agents on the sides' private preference profiles, set beside
//! the Nash bargaining solution a mediator would look for.

use std::fmt::Write as _;

use truce_agents::{Protocol, SessionOptions};
use truce_negotiate::{AnalyzeOptions, DomainFiles, Issue, ReadOptions};
use truce_spec::Deal;

use crate::error::CliError;

const PREFS_A: &str =
    include_str!("../../../../examples/humanitarian-pause/preferences/side-a.json");
const PREFS_B: &str =
    include_str!("../../../../examples/humanitarian-pause/preferences/side-b.json");

/// Agents of the rehearsal: both concede slowly, as sides holding firm to a
/// deadline do; the same seed gives the same session on every run.
const AGENTS: &str = "boulware,boulware";
const ROUNDS: u32 = 100;
const SEED: u64 = 0;

/// The rehearsal's outcome.
pub struct Rehearsal {
    /// The agreed value of each open issue, in the deal's order.
    pub agreed: Vec<(String, String)>,
    /// What was printed, for the report.
    pub text: String,
}

/// Negotiate the deal's open issues; an error if the agents do not agree
/// (they do on the shipped example, which the test suite holds).
pub fn run(deal: &Deal) -> Result<Rehearsal, CliError> {
    let context = "the demo's negotiation failed";
    let bug = |what: String| CliError::DemoStep(format!("{context}: {what}"));
    let issues = deal
        .open_issues
        .iter()
        .map(|i| Issue {
            name: i.id.as_str().to_owned(),
            values: i.options.clone(),
        })
        .collect();
    let files = DomainFiles {
        files: vec![
            ("side-a.json".to_owned(), PREFS_A.to_owned()),
            ("side-b.json".to_owned(), PREFS_B.to_owned()),
        ],
    };
    let domain =
        truce_negotiate::read_profiles(&deal.name, issues, &files, &ReadOptions::default())
            .map_err(|e| CliError::demo(context, e))?;
    let opts = SessionOptions {
        agents: truce_agents::parse_agents(AGENTS).map_err(|e| CliError::demo(context, e))?,
        protocol: Protocol::Sao,
        rounds: ROUNDS,
        time_limit: None,
        seed: SEED,
        ..SessionOptions::default()
    };
    let session =
        truce_agents::run_session(&domain, &opts).map_err(|e| CliError::demo(context, e))?;
    let analysis = truce_negotiate::analyze(&domain, &AnalyzeOptions::default());
    let Some(outcome) = &session.agreement else {
        return Err(bug(format!(
            "the agents did not agree within {ROUNDS} rounds"
        )));
    };
    let agreed: Vec<(String, String)> = session
        .issues
        .iter()
        .cloned()
        .zip(outcome.iter().cloned())
        .collect();

    let mut text = String::new();
    let _ = writeln!(
        text,
        "Open issues: {}",
        deal.open_issues
            .iter()
            .map(|i| format!("{} {{{}}}", i.id.as_str(), i.options.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let _ = writeln!(
        text,
        "Rehearsed between automated agents ({} for {}, alternating offers, seed {SEED}), each on its side's private preferences:",
        AGENTS.replace(',', " and "),
        session.parties.join(" and "),
    );
    let _ = writeln!(
        text,
        "  agreed after {} of {ROUNDS} rounds: {}",
        session.rounds,
        pairs(&agreed)
    );
    let _ = writeln!(
        text,
        "  utilities: {}",
        utilities(&session.parties, &session.utilities)
    );
    if let Some(nash) = &analysis.nash {
        let nash_pairs: Vec<(String, String)> = analysis
            .issues
            .iter()
            .cloned()
            .zip(nash.outcome.iter().cloned())
            .collect();
        let same = nash.outcome == *outcome;
        let _ = writeln!(
            text,
            "  Nash bargaining solution of the {} outcomes: {} ({}){}",
            analysis.outcomes,
            pairs(&nash_pairs),
            utilities(&analysis.parties, &nash.utilities),
            if same { ": the agents found it" } else { "" }
        );
    }
    Ok(Rehearsal { agreed, text })
}

fn pairs(p: &[(String, String)]) -> String {
    p.iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn utilities(parties: &[String], u: &[f64]) -> String {
    parties
        .iter()
        .zip(u)
        .map(|(p, u)| format!("{p} {u:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}
