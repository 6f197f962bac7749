//! What a page shows, read under the deal's lock and cut to the caller's
//! role by the same rules as the API (`views.rs`), plus one room rule: the
//! intermediary sees the persons of the planned handovers it is to carry
//! (its manifest), as well as those it carried.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use truce_exec::PlanSchedule;
use truce_ledger::{Hash, PartyId, PersonId, Role};

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
    /// The re-plan (an index into [`Snapshot::replans`]) that last changed
    /// this handover's day, if any did.
    pub replanned: Option<usize>,
}

/// A `plan-adopted` that replaced a plan in force (after an amendment, as
/// a rule): what it replaced and which days it changed.
#[derive(Debug, Clone)]
pub(crate) struct Replan {
    /// The seq of its `plan-adopted` and the new plan's hash.
    pub seq: u64,
    pub plan_hash: Hash,
    /// The hash of the plan it replaced.
    pub replaced: Hash,
    /// The last amendment recorded between the two adoptions: (its
    /// number, the seq of its `deal-amended`).
    pub amendment: Option<(usize, u64)>,
    /// The days whose handovers differ between the two plans.
    pub days: Vec<u32>,
    /// The plan it replaced, row by row, for comparison (carried-out marks
    /// as of its replacement).
    pub earlier: Vec<PlanRow>,
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
    /// Each plan that replaced another, oldest first (the Plan view only).
    pub replans: Vec<Replan>,
    pub persons: Vec<PersonRow>,
    /// Newest first (the timeline only): one page of [`TIMELINE_PAGE`].
    pub events: Vec<EventView>,
    /// Which page of the timeline `events` is (the timeline only).
    pub page: Option<TimelinePage>,
    /// The seq of the chain's last event (0 before the first): a live
    /// page follows the stream from there.
    pub head_seq: u64,
    /// Amendments kept and not yet recorded (the overview, for the
    /// mediator and the sides).
    pub pending: Vec<crate::room::amend::Pending>,
    /// The texts exactly as `GET /api/v1/deals/{deal}/texts` shows them to
    /// the caller's role (the Texts view only).
    pub texts: Option<crate::api::TextsView>,
}

/// Events on one timeline page.
pub(crate) const TIMELINE_PAGE: u64 = 100;

/// One page of the timeline, newest first: the events with seq in
/// `oldest..=newest` of the `head` the chain had.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimelinePage {
    pub head: u64,
    pub newest: u64,
    pub oldest: u64,
}

impl TimelinePage {
    /// The page of events before `before` (the newest page when `None`,
    /// or when `before` is past the head).
    pub fn before(head: u64, before: Option<u64>) -> TimelinePage {
        let newest = before.map_or(head, |b| b.saturating_sub(1).min(head));
        TimelinePage {
            head,
            newest,
            oldest: newest.saturating_sub(TIMELINE_PAGE - 1).max(1),
        }
    }

    /// The newest page, which follows the live stream.
    pub fn is_first(self) -> bool {
        self.newest == self.head
    }

    /// `?before=` of the page of newer events (`None`: the first page), if
    /// this is not the first.
    pub fn newer(self) -> Option<Option<u64>> {
        (!self.is_first()).then(|| {
            let top = self.newest.saturating_add(TIMELINE_PAGE);
            (top < self.head).then_some(top + 1)
        })
    }

    /// `?before=` of the page of older events, if there are any.
    pub fn older(self) -> Option<u64> {
        (self.oldest > 1 && self.newest >= self.oldest).then_some(self.oldest)
    }
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

/// A plan's handovers by day, each as (from, via, persons sorted), to
/// compare two plans day by day.
type DayShape<'a> = BTreeMap<u32, Vec<(&'a PartyId, Option<&'a PartyId>, Vec<&'a PersonId>)>>;

fn by_day(plan: &PlanSchedule) -> DayShape<'_> {
    let mut out: DayShape<'_> = BTreeMap::new();
    for h in &plan.handovers {
        let mut persons: Vec<&PersonId> = h.persons.iter().collect();
        persons.sort();
        out.entry(h.day)
            .or_default()
            .push((&h.from, h.via.as_ref(), persons));
    }
    for handovers in out.values_mut() {
        handovers.sort();
    }
    out
}

/// Each plan that replaced another, oldest first: the plans in force one
/// after the other are the superseded ones then the current one, adopted
/// by the chain's `plan-adopted` events in order.
fn replans(
    chain: &Chain,
    row_of: impl Fn(&truce_exec::PlannedHandover, u64) -> PlanRow,
) -> Vec<Replan> {
    let Some(current) = &chain.plan else {
        return Vec::new();
    };
    let plans: Vec<&PlanSchedule> = chain
        .superseded_plans
        .iter()
        .map(|(_, p)| p)
        .chain(std::iter::once(current))
        .collect();
    if plans.len() != chain.adoptions.len() {
        // Every adoption indexes one plan; anything else is a bug, and the
        // view then shows the plan in force without its history.
        return Vec::new();
    }
    (1..plans.len())
        .map(|i| {
            let (seq, plan_hash) = chain.adoptions[i];
            let (since, replaced) = chain.adoptions[i - 1];
            let (old, new) = (by_day(plans[i - 1]), by_day(plans[i]));
            let days: BTreeSet<u32> = old.keys().chain(new.keys()).copied().collect();
            let amendment = chain
                .amended
                .iter()
                .enumerate()
                .rfind(|(_, (at, _, _))| *at > since && *at < seq)
                .map(|(n, (at, _, _))| (n + 1, *at));
            Replan {
                seq,
                plan_hash,
                replaced,
                amendment,
                days: days
                    .into_iter()
                    .filter(|d| old.get(d) != new.get(d))
                    .collect(),
                earlier: plans[i - 1]
                    .handovers
                    .iter()
                    .map(|h| row_of(h, seq))
                    .collect(),
            }
        })
        .collect()
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
    let row_of = |h: &truce_exec::PlannedHandover, before: u64| {
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
                .any(|r| r.seq < before && r.day == h.day && r.holder == h.from.as_str()),
            persons: (shown && !h.persons.is_empty())
                .then(|| h.persons.iter().map(ToString::to_string).collect()),
            replanned: None,
        }
    };
    let replans = if view == View::Plan {
        replans(chain, |h, before| row_of(h, before))
    } else {
        Vec::new()
    };
    let plan = chain.plan.as_ref().map(|plan| {
        plan.handovers
            .iter()
            .map(|h| PlanRow {
                replanned: replans.iter().rposition(|r| r.days.contains(&h.day)),
                ..row_of(h, u64::MAX)
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
        texts: None,
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
        replans,
        persons,
        events: Vec::new(),
        page: None,
    }
}

/// The snapshot of the caller's deal for `view`; for the timeline, the page
/// of events before `before` (the newest when `None`).
pub(crate) async fn snapshot(
    state: &AppState,
    caller: &Caller,
    view: View,
    before: Option<u64>,
) -> Result<Snapshot, AppError> {
    if view != View::Timeline {
        let mut snap =
            with_chain(state, &caller.deal, |chain| Ok(rows(caller, chain, view))).await?;
        if view == View::Overview && matches!(caller.role, Role::Mediator | Role::Side) {
            snap.pending = crate::room::amend::pending(state, caller).await?;
        }
        if view == View::Texts {
            // The API's own answer, so the page shows each role exactly
            // what the API does (no vote for a guarantor or an observer).
            let axum::Json(texts) = crate::texts::list_texts(
                axum::extract::State(state.clone()),
                crate::auth::DealCaller {
                    caller: caller.clone(),
                },
            )
            .await?;
            snap.texts = Some(texts);
        }
        return Ok(snap);
    }
    let head = with_chain(state, &caller.deal, |chain| {
        Ok(chain.ledger.next_seq().saturating_sub(1))
    })
    .await?;
    let page = TimelinePage::before(head, before);
    let stored = if page.newest >= page.oldest {
        let limit = u32::try_from(page.newest - page.oldest + 1).unwrap_or(MAX_PAGE);
        state
            .store()
            .events(caller.deal.as_str(), page.oldest - 1, limit.min(MAX_PAGE))
            .await
            .map_err(|e| AppError::store(&e))?
    } else {
        Vec::new()
    };
    with_chain(state, &caller.deal, |chain| {
        let mut snap = rows(caller, chain, view);
        snap.events = stored
            .iter()
            .rev()
            .map(|s| views::event_view(caller, s, chain))
            .collect::<Result<_, _>>()?;
        snap.page = Some(page);
        Ok(snap)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_pages_cover_every_event_once_newest_first() {
        for head in [0, 1, 99, 100, 101, 250, 5000] {
            let mut seen = Vec::new();
            let mut page = TimelinePage::before(head, None);
            assert!(page.is_first() && page.newer().is_none());
            loop {
                seen.extend((page.oldest..=page.newest).rev());
                assert!(page.newest + 1 - page.oldest <= TIMELINE_PAGE || head == 0);
                match page.older() {
                    Some(before) => {
                        let older = TimelinePage::before(head, Some(before));
                        // Its "newer" link leads back here.
                        let back = older.newer().expect("a newer page");
                        assert_eq!(TimelinePage::before(head, back).newest, page.newest);
                        page = older;
                    }
                    None => break,
                }
            }
            let all: Vec<u64> = (1..=head).rev().collect();
            assert_eq!(seen, all, "head {head}");
        }
        // A `before` past the head is the first page.
        assert!(TimelinePage::before(10, Some(500)).is_first());
    }
}
