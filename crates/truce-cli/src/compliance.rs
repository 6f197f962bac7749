//! `truce verify`'s second verdict: did what the ledger records keep the
//! deal? The ledger is replayed against the agreed terms (the deal file, or
//! the deal as the service shows a party: `--terms`), and with the person
//! key against the roster and the adopted plan, by `truce_exec`.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use truce_exec::{
    Context, Execution, Finding, PlanSchedule, Roster, StatusReport, Superseded, Terms,
};
use truce_ledger::{Event, Hash};
use truce_ledger::{SignedEvent, VerifyReport};

use crate::cli::VerifyArgs;
use crate::error::CliError;
use crate::files::FileKind;

/// What compliance found.
#[derive(Debug, Serialize)]
pub struct Compliance {
    /// `counts` (signed aggregates only) or `persons` (roster and person key).
    pub evidence: &'static str,
    /// Whether execution was compared with the adopted plan.
    pub against_plan: bool,
    /// Findings not yet ruled on.
    pub open: usize,
    pub findings: Vec<Finding>,
    pub status: StatusReport,
}

/// The compliance verdict, when the caller gave terms to check against.
pub fn check(
    args: &VerifyArgs,
    ledger: &[u8],
    report: &VerifyReport,
) -> Result<Option<Compliance>, CliError> {
    if args.deal.is_none() && args.terms.is_none() {
        return Ok(None);
    }
    let [summary] = report.deals.as_slice() else {
        return Err(CliError::Input(format!(
            "compliance checks one deal, but the ledger holds {} deals",
            report.deals.len()
        )));
    };
    let mut from_view = None;
    let (terms, roster) = match (&args.deal, &args.terms, &args.person_key) {
        (Some(deal), _, Some(key)) => {
            let (value, _) =
                crate::verify_files::normalised_deal(&crate::files::load_valid(deal)?)?;
            let key = crate::files::read_person_key(key)?;
            let (terms, roster) =
                Roster::from_value(&value, &summary.deal, &key).map_err(|source| {
                    CliError::Terms {
                        context: deal.display().to_string(),
                        source,
                    }
                })?;
            (terms, Some(roster))
        }
        (Some(deal), _, None) => {
            let (value, _) =
                crate::verify_files::normalised_deal(&crate::files::load_valid(deal)?)?;
            let terms = Terms::from_value(&value).map_err(|source| CliError::Terms {
                context: deal.display().to_string(),
                source,
            })?;
            (terms, None)
        }
        (None, Some(path), _) => {
            let (terms, earlier) = terms_file(path)?;
            from_view = Some(earlier);
            (terms, None)
        }
        (None, None, _) => return Ok(None),
    };
    let plan = match (&args.plan, &roster) {
        (Some(path), Some(_)) => Some(
            PlanSchedule::from_json(&read(path, FileKind::Plan)?).map_err(|source| {
                CliError::Schedule {
                    context: path.display().to_string(),
                    source,
                }
            })?,
        ),
        _ => None,
    };
    let text = std::str::from_utf8(ledger)
        .map_err(|_| CliError::Input(format!("{}: not UTF-8", args.ledger.display())))?;
    let mut events = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        // An intact ledger's lines all read; the message is for a ledger
        // changed between the two readings.
        let ev: SignedEvent = serde_json::from_str(line).map_err(|source| CliError::Json {
            context: format!("{}:{}", args.ledger.display(), n + 1),
            source,
        })?;
        events.push(ev);
    }
    // The party view holds the terms in force and those it replaced; a deal
    // file is the agreed one, and --amended gives the amendments.
    let (terms, superseded_terms) = match from_view {
        Some(earlier) => (terms, earlier),
        None => amended_terms(args, &events, terms)?,
    };
    let (plan, superseded_plans) = adopted_plans(args, &events, plan)?;
    let execution = Execution::replay(roster.as_ref(), &events);
    let ctx = Context {
        terms: &terms,
        roster: roster.as_ref(),
        plan: plan.as_ref(),
        superseded: Superseded {
            terms: &superseded_terms,
            plans: &superseded_plans,
        },
    };
    let status = execution.status(ctx);
    let findings = status.findings.clone();
    Ok(Some(Compliance {
        evidence: if roster.is_some() {
            "persons"
        } else {
            "counts"
        },
        against_plan: plan.is_some(),
        open: findings.iter().filter(|f| f.is_open()).count(),
        findings,
        status,
    }))
}

/// The terms in force after each `deal-amended` of the ledger, from the
/// `--amended` deal files (matched by deal hash): the terms in force at
/// the end, and those each amendment replaced.
fn amended_terms(
    args: &VerifyArgs,
    events: &[SignedEvent],
    agreed: Terms,
) -> Result<(Terms, Vec<(u64, Terms)>), CliError> {
    let mut files = Vec::new();
    for path in &args.amended {
        let (value, hash) = crate::verify_files::normalised_deal(&crate::files::load_valid(path)?)?;
        let terms = Terms::from_value(&value).map_err(|source| CliError::Terms {
            context: path.display().to_string(),
            source,
        })?;
        files.push((hash, terms));
    }
    let mut current = agreed;
    let mut superseded = Vec::new();
    for ev in events {
        let Event::DealAmended {
            amendment,
            deal_hash,
            ..
        } = &ev.event
        else {
            continue;
        };
        let Some(i) = files.iter().position(|(h, _)| h == deal_hash) else {
            return Err(CliError::Usage(format!(
                "the ledger records amendment {amendment} (deal hash {deal_hash}) at seq {}: give its deal file with --amended",
                ev.seq
            )));
        };
        let (_, terms) = files.swap_remove(i);
        superseded.push((ev.seq, std::mem::replace(&mut current, terms)));
    }
    Ok((current, superseded))
}

/// The plan in force, and the plans it superseded with the seq of the
/// adoption that superseded each.
type Plans = (Option<PlanSchedule>, Vec<(u64, PlanSchedule)>);

/// The plan in force (`--plan`, the last adopted) and those it superseded
/// (`--earlier-plan`, matched by canonical hash to the ledger's
/// `plan-adopted` events).
fn adopted_plans(
    args: &VerifyArgs,
    events: &[SignedEvent],
    plan: Option<PlanSchedule>,
) -> Result<Plans, CliError> {
    let Some(plan) = plan else {
        return Ok((None, Vec::new()));
    };
    let mut files: Vec<(Hash, PlanSchedule)> = Vec::new();
    for path in &args.earlier_plans {
        let hash = crate::verify_files::plan_file_hash(path)?;
        let schedule = PlanSchedule::from_json(&read(path, FileKind::Plan)?).map_err(|source| {
            CliError::Schedule {
                context: path.display().to_string(),
                source,
            }
        })?;
        files.push((hash, schedule));
    }
    let adopted: Vec<(u64, Hash)> = events
        .iter()
        .filter_map(|ev| match &ev.event {
            Event::PlanAdopted { plan_hash, .. } => Some((ev.seq, *plan_hash)),
            _ => None,
        })
        .collect();
    // Each plan but the last is superseded by the next adoption.
    let mut superseded = Vec::new();
    for pair in adopted.windows(2) {
        let ((_, hash), (next_seq, _)) = (pair[0], pair[1]);
        let Some(i) = files.iter().position(|(h, _)| *h == hash) else {
            return Err(CliError::Usage(format!(
                "the ledger adopts plan {hash} and later supersedes it at seq {next_seq}: give that plan with --earlier-plan"
            )));
        };
        superseded.push((next_seq, files.swap_remove(i).1));
    }
    Ok((Some(plan), superseded))
}

impl Compliance {
    /// The verdict in words, one finding a line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let against = if self.against_plan {
            "the agreed terms and the adopted plan, person by person"
        } else if self.evidence == "persons" {
            "the agreed terms, person by person"
        } else {
            "the agreed terms, on the handovers' signed counts"
        };
        if self.findings.is_empty() {
            let _ = writeln!(
                out,
                "Compliance: execution kept {against}: no deviation found."
            );
            return out;
        }
        let ruled = self.findings.len() - self.open;
        let _ = writeln!(
            out,
            "Compliance, against {against}: {} deviation(s) found, {ruled} ruled on by the mediator, {} open.",
            self.findings.len(),
            self.open
        );
        for f in &self.findings {
            let state = match f.ruling {
                Some((seq, r)) => format!("{} at seq {seq}", r.as_str()),
                None => "open".to_owned(),
            };
            let _ = writeln!(out, "  {} ({state}): {}", f.id, f.message);
        }
        out
    }
}

fn read(path: &Path, kind: FileKind) -> Result<String, CliError> {
    let bytes = crate::files::read_file(path, kind)?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::Input(format!("{} is not UTF-8", path.display())))
}

/// `--terms`: the deal view `truce export --terms` writes (terms with the
/// persons cut to what the party sees, and counts per holder and category),
/// or a normalised deal JSON.
/// `--terms`: the terms in force and those amendments replaced.
fn terms_file(path: &Path) -> Result<(Terms, Vec<(u64, Terms)>), CliError> {
    let text = read(path, FileKind::Terms)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::Input(format!(
            "{}: line {}, column {}: not JSON",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let bad = |source| CliError::Terms {
        context: path.display().to_string(),
        source,
    };
    let terms = Terms::from_party_view(&value).map_err(bad)?;
    let earlier = Terms::superseded_from_party_view(&value).map_err(bad)?;
    Ok((terms, earlier))
}
