//! `truce plan --from-ledger`: the days carried out, read from a deal's
//! exported ledger, as the prefix a re-plan starts from.
//!
//! The ledger names persons by pseudonym; the deal's person key and roster
//! turn them back into person ids. The deal file must be the deal in force
//! in the ledger (the agreed one, or the last amended one): a re-plan of
//! other terms would plan a deal nobody signed.

use std::collections::BTreeMap;
use std::path::Path;

use truce_exec::Roster;
use truce_ledger::{Event, PersonKey, SignedEvent};
use truce_plan::{Handover, Prefix, Stage};
use truce_spec::Deal;

use crate::error::CliError;
use crate::files::{self, FileKind};

/// The handovers of `ledger` through `through_day` (default: the last day
/// with a handover), as plan stages.
pub fn prefix_from_ledger(
    deal: &Deal,
    ledger: &Path,
    person_key: &Path,
    through_day: Option<u32>,
) -> Result<Prefix, CliError> {
    let text = files::read_text(ledger, FileKind::Ledger)?;
    let key = files::read_person_key(person_key)?;
    prefix_from_ledger_text(
        deal,
        &ledger.display().to_string(),
        &text,
        &key,
        through_day,
    )
}

/// [`prefix_from_ledger`] over a ledger's text (named `source` in
/// messages: its file, or the service it came from) and the person key.
pub fn prefix_from_ledger_text(
    deal: &Deal,
    source: &str,
    text: &str,
    key: &PersonKey,
    through_day: Option<u32>,
) -> Result<Prefix, CliError> {
    let mut events = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let ev: SignedEvent = serde_json::from_str(line).map_err(|e| {
            CliError::Input(format!(
                "{}:{}:{}: not a ledger line (`truce export` writes the ledger): {}",
                source,
                n + 1,
                e.column(),
                category_words(&e)
            ))
        })?;
        events.push(ev);
    }
    let Some(first) = events.first() else {
        return Err(CliError::Input(format!(
            "{}: the ledger is empty: nothing was carried out; plan the deal without --from-ledger",
            source
        )));
    };
    let id = first.deal.clone();
    let (value, hash) = crate::verify_files::normalised_deal(deal)?;
    // The deal in force: the last agreed or amended hash.
    let in_force = events.iter().rev().find_map(|ev| match &ev.event {
        Event::DealAgreed { deal_hash, .. } | Event::DealAmended { deal_hash, .. } => {
            Some(*deal_hash)
        }
        _ => None,
    });
    match in_force {
        Some(h) if h == hash => {}
        Some(h) => {
            return Err(CliError::Input(format!(
                "the ledger's deal in force has deal hash {h}, but this deal file's is {hash}: re-plan the deal the sides signed last (the agreed deal, or the last amendment)"
            )));
        }
        None => {
            return Err(CliError::Input(format!(
                "{}: the ledger records no agreement: there is nothing carried out to re-plan from",
                source
            )));
        }
    }
    let (_, roster) = Roster::from_value(&value, &id, key)
        .map_err(|e| CliError::Input(format!("the deal's roster: {e}")))?;
    let via = deal.release.via.is_some();
    let mut days: BTreeMap<u32, Vec<Handover>> = BTreeMap::new();
    for ev in &events {
        let Event::HandoverRecorded {
            day,
            holder,
            pseudonyms,
            ..
        } = &ev.event
        else {
            continue;
        };
        let mut persons = Vec::with_capacity(pseudonyms.len());
        for (n, p) in pseudonyms.iter().enumerate() {
            let Some(i) = roster.index_of(p) else {
                return Err(CliError::Input(format!(
                    "{}: pseudonym {} of the handover at seq {} is no person of this deal under this person key: give the deal's own person key",
                    source,
                    n + 1,
                    ev.seq
                )));
            };
            persons.push(roster.persons()[i].id.as_str().to_owned());
        }
        days.entry(*day).or_default().push(Handover {
            from: holder.as_str().to_owned(),
            via: via.then(|| ev.author.as_str().to_owned()),
            persons,
        });
    }
    let last = days.keys().next_back().copied().unwrap_or(0);
    let through_day = through_day.unwrap_or(last);
    if through_day < last {
        return Err(CliError::Input(format!(
            "--through-day {through_day} is before day {last}, which already has handovers in the ledger"
        )));
    }
    Ok(Prefix {
        through_day,
        stages: days
            .into_iter()
            .map(|(day, handovers)| Stage { day, handovers })
            .collect(),
    })
}

/// serde's error class in words, never its message (which may quote a
/// value from the file).
fn category_words(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax => "not valid JSON",
        Category::Eof => "the line ends early",
        Category::Data => "not a signed event",
        Category::Io => "could not be read",
    }
}
