//! What a page shows, read under the deal's lock and cut to the caller's
//! role by the same rules as the API (`views.rs`), plus one room rule: the
//! intermediary sees the persons of the planned handovers it is to carry
//! (its manifest), as well as those it carried.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use truce_ledger::{PartyId, PersonId, Role};

use crate::api::{EventView, ExecutionView};
use crate::error::AppError;
use crate::handlers::{MAX_PAGE, with_chain};
use crate::room::shared::View;
use crate::state::{AppState, Caller, Chain};
use crate::views;

/// A recorded handover.
#[derive(Debug, Clone)]
pub(crate) struct HandoverRow {
    pub seq: u64,
    pub day: u32,
    pub holder: String,
    pub confirmed: bool,
}

/// A planned handover.
#[derive(Debug, Clone)]
pub(crate) struct PlanRow {
    pub day: u32,
    pub from: String,
    pub via: Option<String>,
    pub to: Option<String>,
    pub counts: BTreeMap<String, u32>,
    pub total: usize,
    /// Recorded already (a handover of that day from that holder).
    pub recorded: bool,
    /// The persons the role may see (all of them, or none).
    pub persons: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct PersonRow {
    pub id: String,
    pub holder: String,
    pub category: String,
    pub group: Option<String>,
    pub planned_day: Option<u32>,
    pub actual_day: Option<u32>,
}

/// Everything a view needs.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub phase: String,
    pub exec: ExecutionView,
    pub parties: Vec<(String, Role)>,
    pub handovers: Vec<HandoverRow>,
    pub plan: Option<Vec<PlanRow>>,
    pub plan_days: u32,
    pub persons: Vec<PersonRow>,
    /// Newest first (the timeline only).
    pub events: Vec<EventView>,
    /// The seq of the chain's last event (0 before the first): a live
    /// page follows the stream from there.
    pub head_seq: u64,
    /// Amendments kept and not yet recorded (the overview, for the
    /// mediator and the sides).
    pub pending: Vec<crate::room::amend::Pending>,
}

/// The person ids the caller may see in the room.
pub(crate) fn visible_persons(caller: &Caller, chain: &Chain) -> BTreeSet<PersonId> {
    let mut out = BTreeSet::new();
    match caller.role {
        Role::Guarantor | Role::Observer => return out,
        Role::Mediator => {
            out.extend(chain.roster.persons().iter().map(|p| p.id.clone()));
            return out;
        }
        Role::Side => out.extend(
            chain
                .roster
                .persons()
                .iter()
                .filter(|p| p.holder == caller.party)
                .map(|p| p.id.clone()),
        ),
        Role::Intermediary => {
            if let Some(plan) = &chain.plan {
                for h in &plan.handovers {
                    if h.via.as_ref() == Some(&caller.party) {
                        out.extend(h.persons.iter().cloned());
                    }
                }
            }
        }
    }
    for h in chain.handovers.values() {
        if views::sees(caller, h) {
            out.extend(h.persons.iter().cloned());
        }
    }
    out
}

/// The side that receives from `from`: the deal's other side, when there
/// is exactly one.
fn receiver(chain: &Chain, from: &PartyId) -> Option<String> {
    let others: Vec<_> = chain
        .roles
        .iter()
        .filter(|(p, r)| **r == Role::Side && *p != from)
        .map(|(p, _)| p.to_string())
        .collect();
    (others.len() == 1).then(|| others[0].clone())
}

fn rows(caller: &Caller, chain: &Chain, view: View) -> Snapshot {
    // Only the views that show persons pay for the roster (100,000 persons
    // make the overview ten times slower otherwise).
    let with_persons = matches!(view, View::Plan | View::Manifest | View::Persons);
    let visible = if with_persons {
        visible_persons(caller, chain)
    } else {
        BTreeSet::new()
    };
    let category_of: HashMap<&PersonId, &str> = if with_persons {
        chain
            .roster
            .persons()
            .iter()
            .map(|p| (&p.id, p.category.as_str()))
            .collect()
    } else {
        HashMap::new()
    };
    let handovers: Vec<HandoverRow> = chain
        .execution
        .handovers()
        .iter()
        .map(|h| HandoverRow {
            seq: h.seq,
            day: h.day,
            holder: h.holder.to_string(),
            confirmed: h.confirmed,
        })
        .collect();
    let mut actual: HashMap<&PersonId, u32> = HashMap::new();
    for h in chain
        .execution
        .handovers()
        .iter()
        .filter(|_| view == View::Persons)
    {
        if let Some(x) = chain.handovers.get(&h.seq) {
            for p in &x.persons {
                actual.insert(p, h.day);
            }
        }
    }
    let plan = chain.plan.as_ref().map(|plan| {
        plan.handovers
            .iter()
            .map(|h| {
                let mut counts = BTreeMap::new();
                for p in h.persons.iter().filter(|_| with_persons) {
                    let c = category_of.get(p).copied().unwrap_or("?");
                    *counts.entry(c.to_owned()).or_insert(0) += 1;
                }
                let shown = h.persons.iter().all(|p| visible.contains(p));
                PlanRow {
                    day: h.day,
                    from: h.from.to_string(),
                    via: h.via.as_ref().map(ToString::to_string),
                    to: receiver(chain, &h.from),
                    counts,
                    total: h.persons.len(),
                    recorded: handovers
                        .iter()
                        .any(|r| r.day == h.day && r.holder == h.from.as_str()),
                    persons: (shown && !h.persons.is_empty())
                        .then(|| h.persons.iter().map(ToString::to_string).collect()),
                }
            })
            .collect()
    });
    let persons = if matches!(view, View::Persons) {
        chain
            .roster
            .persons()
            .iter()
            .filter(|p| visible.contains(&p.id))
            .map(|p| PersonRow {
                id: p.id.to_string(),
                holder: p.holder.to_string(),
                category: p.category.to_string(),
                group: p.group.clone(),
                planned_day: chain
                    .plan
                    .as_ref()
                    .and_then(|pl| pl.day_of.get(&p.id).copied()),
                actual_day: actual.get(&p.id).copied(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Snapshot {
        pending: Vec::new(),
        head_seq: chain.ledger.next_seq().saturating_sub(1),
        phase: chain
            .ledger
            .phase()
            .map_or("none", |p| p.as_str())
            .to_owned(),
        exec: views::execution_view(chain),
        parties: chain
            .roles
            .iter()
            .map(|(p, r)| (p.to_string(), *r))
            .collect(),
        handovers,
        plan,
        plan_days: chain.plan.as_ref().map_or(0, |p| p.days_used),
        persons,
        events: Vec::new(),
    }
}

/// The snapshot of the caller's deal for `view`.
pub(crate) async fn snapshot(
    state: &AppState,
    caller: &Caller,
    view: View,
) -> Result<Snapshot, AppError> {
    if view != View::Timeline {
        let mut snap =
            with_chain(state, &caller.deal, |chain| Ok(rows(caller, chain, view))).await?;
        if view == View::Overview && matches!(caller.role, Role::Mediator | Role::Side) {
            snap.pending = crate::room::amend::pending(state, caller).await?;
        }
        return Ok(snap);
    }
    let mut stored = Vec::new();
    let mut after = 0;
    loop {
        let page = state
            .store()
            .events(caller.deal.as_str(), after, MAX_PAGE)
            .await
            .map_err(|e| AppError::store(&e))?;
        let full = page.len() == MAX_PAGE as usize;
        if let Some(last) = page.last() {
            after = last.seq;
        }
        stored.extend(page);
        if !full {
            break;
        }
    }
    with_chain(state, &caller.deal, |chain| {
        let mut snap = rows(caller, chain, view);
        snap.events = stored
            .iter()
            .rev()
            .map(|s| views::event_view(caller, s, chain))
            .collect::<Result<_, _>>()?;
        Ok(snap)
    })
    .await
}
