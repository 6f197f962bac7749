//! The demo's events, in the order a deal lives them: each recorded by the
//! party whose act it is, signed with that party's key, through the
//! service (see [`super::run::Run::record`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use truce_ledger::{Event, Finding, Hash, PartyId, PartyRole, PersonId, PersonKey};
use truce_plan::Plan;
use truce_spec::{Deal, Role};

use super::run::{Run, failed, failed_with};
use crate::error::CliError;

const MINUTE: u64 = 60_000;
const DAY: u64 = 24 * 60 * MINUTE;

/// Who plays which part.
pub struct Cast {
    pub mediator: String,
    pub intermediary: String,
    pub sides: Vec<String>,
    /// Who watches the deal without holding anyone: the guarantor (or an
    /// observer) reports the breach and exports the ledger; without one,
    /// the mediator does.
    pub monitor: String,
}

impl Cast {
    pub fn of(d: &Deal) -> Result<Cast, CliError> {
        let of_role = |role: Role| -> Vec<String> {
            d.parties
                .iter()
                .filter(|p| p.role == role)
                .map(|p| p.id.as_str().to_owned())
                .collect()
        };
        let first = |role: Role, what: &str| {
            of_role(role)
                .into_iter()
                .next()
                .ok_or_else(|| failed(format!("the deal has no {what}")))
        };
        let mediator = first(Role::Mediator, "mediator")?;
        let monitor = of_role(Role::Guarantor)
            .into_iter()
            .chain(of_role(Role::Observer))
            .next()
            .unwrap_or_else(|| mediator.clone());
        Ok(Cast {
            intermediary: first(Role::Intermediary, "intermediary")?,
            sides: of_role(Role::Side),
            mediator,
            monitor,
        })
    }

    /// The side a handover from `from` goes to (the demo's deal has two).
    fn receiver(&self, from: &str) -> Result<&str, CliError> {
        self.sides
            .iter()
            .find(|s| *s != from)
            .map(String::as_str)
            .ok_or_else(|| failed("a handover has no receiving side".to_owned()))
    }
}

/// The deal's calendar, not the wall clock: the same ledger on every run.
pub struct Clock {
    start_ms: i64,
}

impl Clock {
    pub fn of(d: &Deal) -> Clock {
        Clock {
            start_ms: d.start.map_or(0, |s| s.to_days() * DAY as i64),
        }
    }

    /// Day `day` of the pause at hh:mm UTC; day 0 is the eve of the pause.
    fn at(&self, day: i64, hh: u64, mm: u64) -> u64 {
        let ms = self.start_ms + (day - 1) * DAY as i64;
        u64::try_from(ms).unwrap_or(0) + hh * 60 * MINUTE + mm * MINUTE
    }
}

fn party(id: &str) -> Result<PartyId, CliError> {
    PartyId::new(id).map_err(failed_with)
}

/// From the deal's creation to the start of the pause: created, negotiation
/// opened, agreed with every side's signature on the deal's hash, plan
/// adopted, pause started.
pub async fn before_pause(
    run: &mut Run,
    d: &Deal,
    cast: &Cast,
    clock: &Clock,
    deal_hash: Hash,
    plan: &serde_json::Value,
    plan_json: &str,
) -> Result<(), CliError> {
    let mediator = cast.mediator.as_str();
    let parties = d
        .parties
        .iter()
        .map(|p| {
            Ok(PartyRole {
                id: party(p.id.as_str())?,
                role: ledger_role(p.role),
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let name = d.name.clone();
    let created = Event::DealCreated { name, parties };
    let seq = run.record(mediator, clock.at(-2, 9, 0), created).await?;
    run.say(format!(
        "  seq {seq:>2}  deal created by the {mediator}, listing every party and its role"
    ));
    let seq = run
        .record(mediator, clock.at(-2, 9, 5), Event::NegotiationStarted {})
        .await?;
    run.say(format!("  seq {seq:>2}  negotiation opened"));

    // Each side signs the hash of the deal it agreed, computed on its own.
    let signatures = cast
        .sides
        .iter()
        .map(|s| {
            Ok(truce_ledger::sign_agreement(
                run.key(s)?,
                &run.deal,
                &deal_hash,
            ))
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let agreed = Event::DealAgreed {
        deal_hash,
        signatures,
    };
    let seq = run.record(mediator, clock.at(0, 18, 0), agreed).await?;
    run.say(format!(
        "  seq {seq:>2}  deal agreed: {} each signed the deal's hash {}…",
        cast.sides.join(" and "),
        &deal_hash.to_string()[..12]
    ));

    // The canonical hash of the plan JSON (RFC 8785) does not depend on how
    // the file is indented.
    let plan_hash = Hash::of_canonical(plan).map_err(failed_with)?;
    // The service keeps the plan itself, to check execution against it.
    let kept = run.keep_plan(mediator, plan_json).await?;
    if kept.plan_hash != plan_hash {
        return Err(failed(
            "the service hashed the plan differently from the mediator".to_owned(),
        ));
    }
    let days = kept.pause_days;
    let adopted = Event::PlanAdopted { days, plan_hash };
    let seq = run.record(mediator, clock.at(0, 20, 0), adopted).await?;
    run.say(format!(
        "  seq {seq:>2}  plan adopted for the {days}-day pause (plan hash {}…)",
        &plan_hash.to_string()[..12]
    ));
    let seq = run
        .record(mediator, clock.at(1, 6, 0), Event::PauseStarted {})
        .await?;
    run.say(format!("  seq {seq:>2}  pause started"));
    Ok(())
}

/// The plan day by day: each handover recorded by the intermediary and
/// confirmed by the side receiving it, the day-2 breach report, the earned
/// extension the plan counts on, and completion.
pub async fn stages(
    run: &mut Run,
    d: &Deal,
    plan: &Plan,
    cast: &Cast,
    clock: &Clock,
    person_key: &PersonKey,
) -> Result<(), CliError> {
    let mediator = cast.mediator.as_str();
    let mut days = d.pause.days;
    for stage in &plan.stages {
        if stage.day > days {
            // The plan counts on earned extension days: the mediator records
            // them once the releases that earn them are confirmed.
            let extra = stage.day - days;
            let at = clock.at(i64::from(days), 21, 0);
            let seq = run
                .record(mediator, at, Event::Extended { days: extra })
                .await?;
            days += extra;
            let by = d.pause.extension.as_ref().map(|e| e.by.as_str());
            let planned: usize = stage
                .handovers
                .iter()
                .filter(|h| Some(h.from.as_str()) == by)
                .map(|h| h.persons.len())
                .sum();
            run.say(format!(
                "  seq {seq:>2}  pause extended by {extra} day for the plan's day {}: {}",
                stage.day,
                earned_words(d, planned)
            ));
        }
        let day = i64::from(stage.day);
        let mut line = format!("  day {}  ", stage.day);
        // On day 2 the crossing closes at noon: the counter-release travels
        // in two convoys, one more than the terms allow a day. The record
        // says what happened; the service derives the deviation.
        let convoys = convoys(stage, stage.day == SPLIT_DAY);
        for (n, (from, persons)) in convoys.iter().enumerate() {
            let to = cast.receiver(from)?;
            let pseudonyms = persons
                .iter()
                .map(|p| {
                    PersonId::new(p)
                        .map(|p| person_key.pseudonym(&run.deal, &p))
                        .map_err(failed_with)
                })
                .collect::<Result<Vec<_>, CliError>>()?;
            let hour = 9 + 3 * n as u64;
            let handover = Event::HandoverRecorded {
                counts: Some(counts(d, persons)?),
                day: stage.day,
                holder: party(from)?,
                pseudonyms,
                to: party(to)?,
            };
            let recorded = run
                .record(&cast.intermediary, clock.at(day, hour, 0), handover)
                .await?;
            let confirm = Event::HandoverConfirmed { handover: recorded };
            let confirmed = run.record(to, clock.at(day, hour, 40), confirm).await?;
            if n > 0 {
                line.push_str("; ");
            }
            let _ = write!(
                line,
                "{from} → {to} {:>2} persons (seq {recorded}, confirmed by {to} at seq {confirmed})",
                persons.len()
            );
        }
        run.say(line);
        if stage.day == SPLIT_DAY {
            breach(run, cast, clock).await?;
            rule_on_findings(run, cast, clock).await?;
        }
    }
    let seq = run
        .record(
            mediator,
            clock.at(i64::from(days), 21, 0),
            Event::Completed {},
        )
        .await?;
    run.say(format!(
        "  seq {seq:>2}  completed: every handover confirmed, no breach open, the terms' totals and counter-releases met"
    ));
    Ok(())
}

/// The day the counter-release convoy is split in two.
const SPLIT_DAY: u32 = 2;

/// A stage's convoys: the plan's handovers, or on the split day the last
/// one in two halves.
fn convoys(stage: &truce_plan::Stage, split: bool) -> Vec<(&str, &[String])> {
    let mut out: Vec<(&str, &[String])> = stage
        .handovers
        .iter()
        .map(|h| (h.from.as_str(), h.persons.as_slice()))
        .collect();
    if split && let Some((from, persons)) = out.pop() {
        let (a, b) = persons.split_at(persons.len() / 2);
        out.push((from, a));
        out.push((from, b));
    }
    out
}

/// A handover's signed counts per category, from the deal's roster.
fn counts(
    d: &Deal,
    persons: &[String],
) -> Result<BTreeMap<truce_ledger::CategoryId, u32>, CliError> {
    let mut out = BTreeMap::new();
    for id in persons {
        let p = d
            .persons
            .iter()
            .find(|p| p.id.as_str() == id)
            .ok_or_else(|| failed("a planned person is not in the deal".to_owned()))?;
        let c = truce_ledger::CategoryId::new(p.category.as_str()).map_err(failed_with)?;
        *out.entry(c).or_insert(0) += 1;
    }
    Ok(out)
}

/// The mediator reads the findings the service derived from the record and
/// rules on each: the split convoy is excused, both sides having agreed it.
async fn rule_on_findings(run: &mut Run, cast: &Cast, clock: &Clock) -> Result<(), CliError> {
    let execution = run.execution(&cast.mediator).await?;
    for f in execution.findings.iter().filter(|f| f.ruling.is_none()) {
        run.say(format!("  finding {}: {}", f.id, f.message));
        let reason = "The crossing closed at noon; both sides agreed that the counter-release travel in two convoys.";
        let ruling = Event::FindingRuled {
            finding: f.id.clone(),
            reason: reason.to_owned(),
            ruling: truce_ledger::Ruling::Excused,
        };
        let seq = run
            .record(
                &cast.mediator,
                clock.at(i64::from(SPLIT_DAY), 20, 30),
                ruling,
            )
            .await?;
        run.say(format!(
            "  seq {seq:>2}  finding ruled on by the {}: excused (\"{reason}\")",
            cast.mediator
        ));
    }
    Ok(())
}

/// Day 2: the monitor reports a side's convoy late; the mediator looks into
/// it and dismisses the report. The pause goes on.
async fn breach(run: &mut Run, cast: &Cast, clock: &Clock) -> Result<(), CliError> {
    let Some(against) = cast.sides.last() else {
        return Ok(());
    };
    let summary = "The day's convoy reached the crossing two hours after the agreed window.";
    let report = Event::BreachReported {
        against: party(against)?,
        summary: summary.to_owned(),
    };
    let seq = run
        .record(&cast.monitor, clock.at(2, 16, 0), report)
        .await?;
    let ruling = Event::BreachResolved {
        breach: seq,
        finding: Finding::Dismissed,
    };
    let resolved = run
        .record(&cast.mediator, clock.at(2, 20, 0), ruling)
        .await?;
    run.say(format!(
        "  seq {seq:>2}  breach reported by {} against {against}: \"{summary}\"",
        cast.monitor
    ));
    run.say(format!(
        "  seq {resolved:>2}  breach ruled on by the {}: dismissed (every handover of the day was made and confirmed)",
        cast.mediator
    ));
    Ok(())
}

fn ledger_role(role: Role) -> truce_ledger::Role {
    match role {
        Role::Side => truce_ledger::Role::Side,
        Role::Mediator => truce_ledger::Role::Mediator,
        Role::Intermediary => truce_ledger::Role::Intermediary,
        Role::Guarantor => truce_ledger::Role::Guarantor,
        Role::Observer => truce_ledger::Role::Observer,
    }
}

/// The extension rule in words: each extra day is earned by the releases
/// made on it, which compliance checks once the day is over.
fn earned_words(d: &Deal, planned: usize) -> String {
    let Some(e) = &d.pause.extension else {
        return "the deal has no extension rule".to_owned();
    };
    format!(
        "the day is earned if {} releases at least {} persons on it (the plan releases {planned}); at most {} extra day(s)",
        e.by.as_str(),
        e.per_releases,
        e.max_days
    )
}
