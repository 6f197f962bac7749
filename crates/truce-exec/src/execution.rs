//! A deal's execution as its ledger records it, replayed event by event.

use std::collections::BTreeMap;

use truce_ledger::{CategoryId, Event, Hash, PartyId, Pseudonym, Ruling, SignedEvent};

use crate::plan::PlanSchedule;
use crate::roster::Roster;
use crate::terms::Terms;

/// What execution is checked against: the terms always; the roster (with
/// the person key) and the adopted plan where the caller has them.
///
/// `terms` and `plan` are the ones in force now (after the last amendment
/// and the last `plan-adopted`); `superseded` holds those they replaced, so
/// each handover and each day is judged by what was in force then.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The terms in force now.
    pub terms: &'a Terms,
    /// The roster with the deal's person key; `None` when the caller does
    /// not hold it (only count-level checks are then made).
    pub roster: Option<&'a Roster>,
    /// The adopted plan in force now; `None` when the caller does not have
    /// it (no plan is checked then).
    pub plan: Option<&'a PlanSchedule>,
    /// The terms and plans that were replaced.
    pub superseded: Superseded<'a>,
}

/// Terms and plans that an amendment or a later `plan-adopted` replaced,
/// oldest first, each with the seq of the event that replaced it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Superseded<'a> {
    /// (seq of the `deal-amended` that replaced them, the terms).
    pub terms: &'a [(u64, Terms)],
    /// (seq of the `plan-adopted` that replaced it, the plan).
    pub plans: &'a [(u64, PlanSchedule)],
}

impl<'a> Context<'a> {
    /// The terms only, none superseded, no roster and no plan.
    pub fn terms(terms: &'a Terms) -> Context<'a> {
        Context {
            terms,
            roster: None,
            plan: None,
            superseded: Superseded::default(),
        }
    }

    /// The terms in force when the event at `seq` was recorded.
    pub fn terms_at(&self, seq: u64) -> &'a Terms {
        self.superseded
            .terms
            .iter()
            .find(|(replaced_at, _)| seq < *replaced_at)
            .map_or(self.terms, |(_, t)| t)
    }

    /// The plan in force when the event at `seq` was recorded.
    pub fn plan_at(&self, seq: u64) -> Option<&'a PlanSchedule> {
        self.superseded
            .plans
            .iter()
            .find(|(replaced_at, _)| seq < *replaced_at)
            .map(|(_, p)| p)
            .or(self.plan)
    }
}

/// One recorded handover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverRecord {
    /// Seq of the `handover-recorded` event.
    pub seq: u64,
    /// The day of the pause it happened on, from 1.
    pub day: u32,
    /// Who recorded it (the intermediary that carried it).
    pub author: PartyId,
    /// The side that released the persons.
    pub holder: PartyId,
    /// The side that received them.
    pub to: PartyId,
    /// Persons per category: as signed, or (in a ledger written before
    /// handovers carried counts) from the roster where it is known.
    pub counts: BTreeMap<CategoryId, u32>,
    /// Whether `counts` were signed by the intermediary.
    pub signed_counts: bool,
    /// The persons carried, as roster indices, where the roster is known;
    /// `None` for a pseudonym the roster does not hold.
    pub persons: Option<Vec<Option<usize>>>,
    /// Number of persons carried.
    pub total: u32,
    /// Whether the receiving side confirmed it (`handover-confirmed`).
    pub confirmed: bool,
}

impl HandoverRecord {
    /// Persons carried that the holder's roster limits count: all but those
    /// of a channel outside the exchange (by the counts per category).
    pub fn under_roster(&self, t: &Terms) -> u32 {
        let outside: u32 = self
            .counts
            .iter()
            .filter(|(c, _)| t.outside_exchange(&self.holder, c))
            .map(|(_, n)| *n)
            .sum();
        self.total.saturating_sub(outside)
    }
}

/// One recorded delivery of a resource flow (`flow-recorded`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord {
    /// Seq of the `flow-recorded` event.
    pub seq: u64,
    /// The day of the pause it was delivered on, from 1.
    pub day: u32,
    /// Who recorded it (an intermediary or the delivering side).
    pub author: PartyId,
    /// The flow's id in the terms.
    pub flow: String,
    /// How much of the flow's unit was delivered.
    pub quantity: u32,
}

/// One release day's list, delivered the night before (`lists-exchanged`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRecord {
    /// Seq of the `lists-exchanged` event.
    pub seq: u64,
    /// The release day the list is for.
    pub day: u32,
    /// The side that holds the listed persons (the event's author).
    pub holder: PartyId,
    /// The side that receives the list and the persons.
    pub to: PartyId,
    /// How many persons the list names.
    pub count: u32,
    /// The list's commitment ([`truce_ledger::list_commitment`]).
    pub commitment: Hash,
    /// Whether the receiving side acknowledged it (`list-acknowledged`).
    pub acknowledged: bool,
}

/// How a deal's execution ended, if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// A `completed` event: every handover done and confirmed.
    Completed,
    /// A `collapsed` event: the deal broke down.
    Collapsed,
}

/// The execution replayed from the ledger: handovers, extensions, breaches,
/// rulings. Build it with [`Execution::apply`] for every event in order;
/// [`Execution::findings`] and [`Execution::status`] read it.
#[derive(Debug, Clone, Default)]
pub struct Execution {
    pub(crate) handovers: Vec<HandoverRecord>,
    /// Each `plan-adopted` event: (seq, days).
    pub(crate) plan_days: Vec<(u64, u32)>,
    /// Each `extended` event: (seq, days).
    pub(crate) extensions: Vec<(u64, u32)>,
    pub(crate) rulings: BTreeMap<String, (u64, Ruling)>,
    /// Breach reports: seq → resolved.
    pub(crate) breaches: BTreeMap<u64, bool>,
    pub(crate) ended: Option<(u64, Ended)>,
    pub(crate) started: bool,
    /// Each flow delivery recorded, in seq order.
    pub(crate) flows: Vec<FlowRecord>,
    /// Each release day's list, in seq order.
    pub(crate) lists: Vec<ListRecord>,
    /// Each handover's pseudonyms, by seq (lists are checked on them).
    pub(crate) pseudonyms: BTreeMap<u64, Vec<Pseudonym>>,
}

impl Execution {
    /// An execution with nothing recorded yet.
    pub fn new() -> Execution {
        Execution::default()
    }

    /// The execution replayed from a ledger's events, in order.
    pub fn replay<'e>(
        roster: Option<&Roster>,
        events: impl IntoIterator<Item = &'e SignedEvent>,
    ) -> Execution {
        let mut ex = Execution::new();
        for ev in events {
            ex.apply(roster, ev);
        }
        ex
    }

    /// Take one more event into account (the ledger has already accepted
    /// it: its lifecycle rules and signatures are the ledger's concern).
    pub fn apply(&mut self, roster: Option<&Roster>, ev: &SignedEvent) {
        match &ev.event {
            Event::PlanAdopted { days, .. } => self.plan_days.push((ev.seq, *days)),
            Event::PauseStarted {} => self.started = true,
            Event::HandoverRecorded {
                counts,
                day,
                holder,
                pseudonyms,
                to,
            } => {
                let persons =
                    roster.map(|r| pseudonyms.iter().map(|p| r.index_of(p)).collect::<Vec<_>>());
                let derived = || match (roster, &persons) {
                    (Some(r), Some(ps)) => {
                        let known: Vec<usize> = ps.iter().flatten().copied().collect();
                        r.counts(&known)
                    }
                    _ => BTreeMap::new(),
                };
                let (counts, signed_counts) = match counts {
                    Some(c) => (c.clone(), true),
                    None => (derived(), false),
                };
                self.handovers.push(HandoverRecord {
                    seq: ev.seq,
                    day: *day,
                    author: ev.author.clone(),
                    holder: holder.clone(),
                    to: to.clone(),
                    counts,
                    signed_counts,
                    persons,
                    total: u32::try_from(pseudonyms.len()).unwrap_or(u32::MAX),
                    confirmed: false,
                });
                self.pseudonyms.insert(ev.seq, pseudonyms.clone());
            }
            Event::FlowRecorded {
                day,
                flow,
                quantity,
            } => self.flows.push(FlowRecord {
                seq: ev.seq,
                day: *day,
                author: ev.author.clone(),
                flow: flow.clone(),
                quantity: *quantity,
            }),
            Event::ListsExchanged {
                commitment,
                count,
                day,
                to,
            } => self.lists.push(ListRecord {
                seq: ev.seq,
                day: *day,
                holder: ev.author.clone(),
                to: to.clone(),
                count: *count,
                commitment: *commitment,
                acknowledged: false,
            }),
            Event::ListAcknowledged { list } => {
                if let Some(l) = self.lists.iter_mut().rev().find(|l| l.seq == *list) {
                    l.acknowledged = true;
                }
            }
            Event::HandoverConfirmed { handover } => {
                if let Some(h) = self.handovers.iter_mut().rev().find(|h| h.seq == *handover) {
                    h.confirmed = true;
                }
            }
            Event::BreachReported { .. } => {
                self.breaches.insert(ev.seq, false);
            }
            Event::BreachResolved { breach, .. } => {
                self.breaches.insert(*breach, true);
            }
            Event::FindingRuled {
                finding, ruling, ..
            } => {
                self.rulings.insert(finding.clone(), (ev.seq, *ruling));
            }
            Event::Extended { days } => self.extensions.push((ev.seq, *days)),
            Event::Completed {} => self.ended = Some((ev.seq, Ended::Completed)),
            Event::Collapsed { .. } => self.ended = Some((ev.seq, Ended::Collapsed)),
            Event::DealCreated { .. }
            | Event::NegotiationStarted {}
            | Event::DealAgreed { .. }
            | Event::DealAmended { .. }
            | Event::Suspended { .. }
            | Event::Resumed {} => {}
        }
    }

    /// Every handover recorded, in seq order.
    pub fn handovers(&self) -> &[HandoverRecord] {
        &self.handovers
    }

    /// Extra days granted so far.
    pub fn extension_days(&self) -> u32 {
        self.extensions
            .iter()
            .fold(0u32, |a, (_, d)| a.saturating_add(*d))
    }

    /// The last day with a handover (0 before the first).
    pub fn last_day(&self) -> u32 {
        self.handovers.iter().map(|h| h.day).max().unwrap_or(0)
    }

    /// The last day with a handover or a flow delivery recorded (0 before
    /// the first): what says the days before it are over.
    pub fn last_recorded_day(&self) -> u32 {
        let flows = self.flows.iter().map(|f| f.day).max().unwrap_or(0);
        self.last_day().max(flows)
    }

    /// Every flow delivery recorded, in seq order.
    pub fn flow_records(&self) -> &[FlowRecord] {
        &self.flows
    }

    /// Every release day's list delivered, in seq order.
    pub fn list_records(&self) -> &[ListRecord] {
        &self.lists
    }

    /// How much of flow `flow` was recorded delivered on `day`.
    pub fn delivered_on(&self, flow: &str, day: u32) -> u64 {
        self.flows
            .iter()
            .filter(|f| f.day == day && f.flow == flow)
            .map(|f| u64::from(f.quantity))
            .sum()
    }

    /// Whether day `day` is over: a later day has a handover or a flow
    /// delivery, or the deal has completed, or it collapsed after records
    /// on that day (a collapse closes the days it ended, not the days it
    /// took away).
    /// Checks that need the whole day (daily minimums, counter-releases,
    /// earned extension days, the plan's day) wait for it.
    pub(crate) fn day_over(&self, day: u32) -> bool {
        match self.ended() {
            Some(Ended::Completed) => true,
            Some(Ended::Collapsed) => day <= self.last_recorded_day(),
            None => self.last_recorded_day() > day,
        }
    }

    /// The seq that opens day `day` for the terms and the plan: its first
    /// handover, or else the first handover of a later day, or else the
    /// event that ended the deal (`u64::MAX` while none).
    pub(crate) fn day_anchor(&self, day: u32) -> u64 {
        self.handovers
            .iter()
            .filter(|h| h.day >= day)
            .map(|h| h.seq)
            .min()
            .or(self.ended.map(|(seq, _)| seq))
            .unwrap_or(u64::MAX)
    }

    /// Whether the execution has ended, and how.
    pub fn ended(&self) -> Option<Ended> {
        self.ended.map(|(_, e)| e)
    }

    /// Persons released by `holder` in all.
    pub fn released_by(&self, holder: &PartyId) -> u64 {
        self.handovers
            .iter()
            .filter(|h| &h.holder == holder)
            .map(|h| u64::from(h.total))
            .sum()
    }

    /// Persons released by `holder` on `day` that its roster limits and
    /// the extension rule count (not those of a channel outside the exchange).
    pub(crate) fn released_on(&self, t: &Terms, holder: &PartyId, day: u32) -> u64 {
        self.handovers
            .iter()
            .filter(|h| &h.holder == holder && h.day == day)
            .map(|h| u64::from(h.under_roster(t)))
            .sum()
    }

    /// Persons released by `holder` in all that its roster limits count.
    pub(crate) fn released_under_roster(&self, t: &Terms, holder: &PartyId) -> u64 {
        self.handovers
            .iter()
            .filter(|h| &h.holder == holder)
            .map(|h| u64::from(h.under_roster(t)))
            .sum()
    }

    /// The ruling on finding `id`, if any.
    pub fn ruling(&self, id: &str) -> Option<(u64, Ruling)> {
        self.rulings.get(id).copied()
    }

    /// Breach reports not yet ruled on.
    pub fn open_breaches(&self) -> Vec<u64> {
        self.breaches
            .iter()
            .filter(|(_, resolved)| !**resolved)
            .map(|(seq, _)| *seq)
            .collect()
    }
}
