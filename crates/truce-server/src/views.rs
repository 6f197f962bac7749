//! What each role may see (DESIGN.md "Ledger and service"):
//!
//! | role | persons in the deal view | persons of handover events | person key |
//! |---|---|---|---|
//! | mediator | all | all | yes |
//! | side | its own roster, and the persons handed over to it | those it gives or receives | yes |
//! | intermediary | the persons of the handovers it recorded | those it recorded | yes |
//! | guarantor, observer | none (aggregates only) | none | no |
//!
//! Every role sees the terms without persons, the aggregates (persons per
//! holder and category) and every signed event whole: a handover names its
//! persons by pseudonym only, so its day, holder, receiver and count are
//! all a party without the person key learns from it. The person ids of a
//! handover (`EventView::persons`) are resolved by the service from the
//! deal's roster, and given only to the roles above.

use std::collections::{BTreeMap, HashSet};

use truce_ledger::{CategoryId, Event, Hash, PartyId, Role, SignedEvent};
use truce_store::{DealRecord, StoredEvent};

use crate::api::{
    Aggregate, DealView, EarlierTerms, EventView, ExecutionView, ExposureView, FindingView,
    FlowView, ListView, PartyView, ReleasedView,
};
use crate::error::AppError;
use crate::state::{Caller, Chain, Handover};

/// Whether the caller may see the persons of this handover.
pub(crate) fn sees(caller: &Caller, h: &Handover) -> bool {
    sees_handover(caller, &h.author, &h.holder, &h.to)
}

/// Whether the caller's role holds the deal's person key: every role that
/// may see some person.
fn holds_person_key(role: Role) -> bool {
    match role {
        Role::Mediator | Role::Side | Role::Intermediary => true,
        Role::Guarantor | Role::Observer => false,
    }
}

/// The rule itself, on the handover event's own fields: a side sees what
/// it gives and what it receives, an intermediary what it carried.
fn sees_handover(caller: &Caller, author: &PartyId, holder: &PartyId, to: &PartyId) -> bool {
    match caller.role {
        Role::Mediator => true,
        Role::Side => holder == &caller.party || to == &caller.party,
        Role::Intermediary => author == &caller.party,
        Role::Guarantor | Role::Observer => false,
    }
}

fn visibility(role: Role) -> &'static str {
    match role {
        Role::Mediator => "all",
        Role::Side => "own-and-received",
        Role::Intermediary => "carried",
        Role::Guarantor | Role::Observer => "none",
    }
}

/// The deal as the caller's role may see it.
pub(crate) fn deal_view(
    caller: &Caller,
    record: &DealRecord,
    chain: &Chain,
) -> Result<DealView, AppError> {
    // After an amendment, the amended deal is the one in force.
    let (deal_hash, deal_json) = match chain.amended.last() {
        Some((_, hash, json)) => (*hash, json.as_str()),
        None => (chain.deal_hash, record.deal_json.as_str()),
    };
    let original = chain.deal_hash;
    let mut earlier = Vec::new();
    let mut before = (original, record.deal_json.as_str());
    for (seq, hash, json) in &chain.amended {
        let mut terms: serde_json::Value =
            serde_json::from_str(before.1).map_err(|e| AppError::internal(&e))?;
        if let Some(obj) = terms.as_object_mut() {
            obj.remove("persons");
        }
        earlier.push(EarlierTerms {
            replaced_at: *seq,
            deal_hash: before.0,
            terms,
        });
        before = (*hash, json.as_str());
    }
    let mut terms: serde_json::Value =
        serde_json::from_str(deal_json).map_err(|e| AppError::internal(&e))?;
    let persons = match terms.get_mut("persons").map(serde_json::Value::take) {
        Some(serde_json::Value::Array(p)) => p,
        _ => Vec::new(),
    };
    let aggregates = aggregates(&chain.roster);
    let str_of = |p: &serde_json::Value, k: &str| {
        p.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let handed: HashSet<&str> = chain
        .handovers
        .values()
        .filter(|h| sees(caller, h))
        .flat_map(|h| h.persons.iter().map(|p| p.as_str()))
        .collect();
    let visible: Vec<serde_json::Value> = persons
        .into_iter()
        .filter(|p| match caller.role {
            Role::Mediator => true,
            Role::Side => {
                str_of(p, "holder") == caller.party.as_str() || handed.contains(&*str_of(p, "id"))
            }
            Role::Intermediary => handed.contains(&*str_of(p, "id")),
            Role::Guarantor | Role::Observer => false,
        })
        .collect();
    if let Some(obj) = terms.as_object_mut() {
        obj.insert("persons".to_owned(), serde_json::Value::Array(visible));
    }
    Ok(DealView {
        deal: chain.ledger.deal().clone(),
        deal_hash,
        you: PartyView {
            id: caller.party.clone(),
            role: caller.role,
        },
        visibility: visibility(caller.role).to_owned(),
        person_key: holds_person_key(caller.role).then(|| chain.person_key.to_hex()),
        terms,
        aggregates,
        earlier,
    })
}

fn aggregates(roster: &truce_exec::Roster) -> Vec<Aggregate> {
    let mut counts: BTreeMap<(PartyId, CategoryId), u64> = BTreeMap::new();
    for p in roster.persons() {
        *counts
            .entry((p.holder.clone(), p.category.clone()))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((holder, category), persons)| Aggregate {
            holder,
            category,
            persons,
        })
        .collect()
}

/// One stored event as the caller's role may see it: the signed event
/// whole, and for a handover the caller may see, its persons (resolved
/// when it was appended; `chain` must be at least as new as `stored`).
pub(crate) fn event_view(
    caller: &Caller,
    stored: &StoredEvent,
    chain: &Chain,
) -> Result<EventView, AppError> {
    let ev: SignedEvent = serde_json::from_str(&stored.line).map_err(|e| AppError::internal(&e))?;
    let persons = match &ev.event {
        Event::HandoverRecorded { .. } => {
            let h = chain.handovers.get(&ev.seq).ok_or_else(|| {
                AppError::internal(&format_args!("handover at seq {} not indexed", ev.seq))
            })?;
            sees(caller, h).then(|| h.persons.clone())
        }
        _ => None,
    };
    Ok(EventView {
        seq: ev.seq,
        hash: Hash::from_hex(&stored.hash)
            .ok_or_else(|| AppError::internal(&"a stored event hash is not 64 hex digits"))?,
        kind: ev.event.kind().to_owned(),
        author: ev.author.clone(),
        at_ms: ev.at_ms,
        signed: serde_json::from_str(&stored.line).map_err(|e| AppError::internal(&e))?,
        persons,
    })
}

/// Execution's state as the API gives it. Counts only, so the same for
/// every role.
pub(crate) fn execution_view(chain: &Chain) -> ExecutionView {
    let status = chain.execution.status(chain.context());
    let open_findings = status.open_findings().count();
    ExecutionView {
        day: status.day,
        base_days: status.base_days,
        extension_days: status.extension_days,
        pause_days: status.pause_days,
        start: status.start,
        pause_end: status.pause_end,
        ended: status.ended.map(str::to_owned),
        released: status
            .released
            .into_iter()
            .map(|r| ReleasedView {
                holder: r.holder,
                category: r.category,
                released: r.released,
                planned: r.planned,
                roster: r.roster,
            })
            .collect(),
        exposure_now: status
            .exposure_now
            .into_iter()
            .map(|e| ExposureView {
                rule: e.rule,
                side: e.side,
                exposure: e.exposure,
            })
            .collect(),
        max_exposure: status.max_exposure,
        open_breaches: status.open_breaches,
        findings: status
            .findings
            .into_iter()
            .map(|f| FindingView {
                id: f.id,
                rule: f.rule.as_str().to_owned(),
                day: f.day,
                seq: f.seq,
                party: f.party,
                evidence: match f.evidence {
                    truce_exec::Evidence::Counts => "counts",
                    truce_exec::Evidence::Persons => "persons",
                }
                .to_owned(),
                message: f.message,
                ruling: f.ruling.map(|(_, r)| r.as_str().to_owned()),
                ruled_at: f.ruling.map(|(seq, _)| seq),
            })
            .collect(),
        open_findings,
        flows: status
            .flows
            .into_iter()
            .map(|f| FlowView {
                flow: f.flow,
                unit: f.unit,
                by: f.by,
                min_per_day: f.min_per_day,
                delivered: f.delivered,
                per_day: f.per_day,
            })
            .collect(),
        lists: status
            .lists
            .into_iter()
            .map(|l| ListView {
                seq: l.seq,
                day: l.day,
                holder: l.holder,
                to: l.to,
                count: l.count,
                acknowledged: l.acknowledged,
            })
            .collect(),
    }
}
