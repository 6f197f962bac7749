//! The lifecycle state machine: which event may follow in which phase, and
//! who may author it.
//!
//! `draft → negotiating → agreed → planned → active ⇄ suspended →
//! completed | collapsed`, with `extended` an event on an active deal. A
//! collapse is an outcome any open phase may reach, recorded with its
//! reason. `deal-amended` (every side signs) changes the terms of an agreed
//! deal: before the pause it goes back to agreed for a new plan; during the
//! pause a new `plan-adopted` may supersede the plan in force. A flow's
//! delivery (`flow-recorded`) is recorded while the pause is active; a
//! release day's list (`lists-exchanged`, acknowledged by its receiving side
//! with `list-acknowledged`) from the time a plan is adopted, so day 1's
//! list comes the night before the pause starts. The machine only reads ids, counts, hashes and person
//! pseudonyms (a person keeps one pseudonym for the whole deal, so "handed
//! over twice" is caught without the deal's person key); signatures are
//! checked by the caller (batched in [`crate::verify`], one by one in
//! [`crate::DealLedger`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::canon::Hash;
use crate::envelope::SignedEvent;
use crate::event::{
    Event, MAX_CATEGORIES_PER_HANDOVER, MAX_PERSONS_PER_HANDOVER, MAX_TEXT_LEN, PartyRole,
    check_finding_id, check_flow_id,
};
use crate::ids::{CategoryId, DealId, PartyId, Role};
use crate::person::Pseudonym;

/// Where a deal is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Created; negotiation has not started.
    Draft,
    /// The mediator opened negotiation; no agreement yet.
    Negotiating,
    /// Every side signed the deal's hash; no plan adopted yet.
    Agreed,
    /// A staged plan is adopted; the pause has not started.
    Planned,
    /// The pause runs and handovers are recorded.
    Active,
    /// The pause is suspended until it resumes.
    Suspended,
    /// Every handover is done and confirmed (final).
    Completed,
    /// The deal collapsed (final).
    Collapsed,
}

impl Phase {
    /// The phase's name as the ledger and reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Negotiating => "negotiating",
            Phase::Agreed => "agreed",
            Phase::Planned => "planned",
            Phase::Active => "active",
            Phase::Suspended => "suspended",
            Phase::Completed => "completed",
            Phase::Collapsed => "collapsed",
        }
    }

    /// Agreed and not yet over: where breaches can be reported.
    fn in_force(self) -> bool {
        matches!(
            self,
            Phase::Agreed | Phase::Planned | Phase::Active | Phase::Suspended
        )
    }

    /// Not yet over: talks that break down before agreement are recorded as
    /// a collapse too.
    fn open(self) -> bool {
        !matches!(self, Phase::Completed | Phase::Collapsed)
    }

    /// Execution has begun: where findings exist and may be ruled on, even
    /// after the deal ended.
    fn executing_or_over(self) -> bool {
        matches!(
            self,
            Phase::Active | Phase::Suspended | Phase::Completed | Phase::Collapsed
        )
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// An event the lifecycle rules do not allow. Messages name parties, phases
/// and sequence numbers, never persons, pseudonyms or free text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// A deal's first event is not `deal-created`; holds the event's kind.
    #[error("the first event of a deal must be deal-created, not {0}")]
    NotCreatedFirst(&'static str),
    /// A `deal-created` event on a deal that already exists.
    #[error("the deal is already created")]
    CreatedTwice,
    /// The event's kind may not follow in the deal's current phase.
    #[error("{kind} is not allowed while the deal is {phase}")]
    WrongPhase {
        /// The event's `type` tag.
        kind: &'static str,
        /// The deal's phase when the event came.
        phase: Phase,
    },
    /// The event's author is not a party to the deal.
    #[error("{author} is not a party to the deal")]
    NotAParty {
        /// The event's author.
        author: PartyId,
    },
    /// The event's author has a role that may not author this kind.
    #[error("{kind} must be authored by {allowed}, but {author} is {}", with_article(*role))]
    WrongRole {
        /// The event's `type` tag.
        kind: &'static str,
        /// Who may author it, in words (`a mediator`).
        allowed: &'static str,
        /// The event's author.
        author: PartyId,
        /// The author's role in the deal.
        role: Role,
    },
    /// `deal-created` lists the same party twice.
    #[error("party {0} is listed twice")]
    DuplicateParty(PartyId),
    /// `deal-created` lists fewer than two sides or no mediator.
    #[error("a deal needs at least two sides and a mediator")]
    TooFewParties,
    /// A party that must be a side (a signer, a handover's holder or
    /// receiver) has another role.
    #[error("{0} is not a side of the deal")]
    NotASide(PartyId),
    /// An event names a party the deal does not list.
    #[error("{0} is not a party to the deal")]
    UnknownParty(PartyId),
    /// A side signs an agreement or amendment more than once.
    #[error("side {0} signed the agreement twice")]
    SignedTwice(PartyId),
    /// An agreement or amendment lacks this side's signature.
    #[error("the agreement lacks the signature of side {0}")]
    MissingSignature(PartyId),
    /// A handover's holder and receiver are the same side.
    #[error("a handover goes from one side to another, not from {0} to itself")]
    HandoverToSelf(PartyId),
    /// A handover lists no person.
    #[error("a handover lists no person pseudonym")]
    EmptyHandover,
    /// A handover lists more than [`MAX_PERSONS_PER_HANDOVER`] persons.
    #[error("a handover lists more than {MAX_PERSONS_PER_HANDOVER} person pseudonyms")]
    HandoverTooLarge,
    /// A handover lists the same pseudonym twice.
    #[error("a handover lists the same person pseudonym twice")]
    PersonTwice,
    /// A person was already handed over; holds that handover's seq.
    #[error("a person pseudonym in this handover was already handed over at seq {0}")]
    AlreadyHandedOver(u64),
    /// A handover's day is 0 or past the pause's last day.
    #[error("day {day} is outside the pause (days 1 to {days})")]
    DayOutsidePause {
        /// The handover's day.
        day: u32,
        /// Days the pause has now (the plan's days plus extensions).
        days: u32,
    },
    /// A number that must be at least 1 is 0.
    #[error("{what} must be at least 1")]
    Zero {
        /// Which number (`the plan's days`).
        what: &'static str,
    },
    /// A confirmation names a seq that is not a `handover-recorded` event.
    #[error("seq {0} is not a handover-recorded event of this deal")]
    NoSuchHandover(u64),
    /// The handover at this seq is confirmed already.
    #[error("the handover at seq {0} is already confirmed")]
    AlreadyConfirmed(u64),
    /// A party other than the receiving side confirms a handover.
    #[error("only {to}, the receiving side, confirms the handover at seq {seq}")]
    NotReceiver {
        /// Seq of the handover.
        seq: u64,
        /// The handover's receiving side, the only one that may confirm.
        to: PartyId,
    },
    /// A ruling names a seq that is not an open breach report.
    #[error("seq {0} is not an open breach report of this deal")]
    NoSuchBreach(u64),
    /// `completed` while the handover at this seq is unconfirmed.
    #[error("the deal cannot complete: the handover at seq {0} is not confirmed")]
    UnconfirmedHandover(u64),
    /// `completed` while the breach reported at this seq is unresolved.
    #[error("the deal cannot complete: the breach reported at seq {0} is not resolved")]
    OpenBreach(u64),
    /// Free text is blank, longer than [`MAX_TEXT_LEN`] bytes, or holds a
    /// control character.
    #[error("{what} must be 1 to {MAX_TEXT_LEN} bytes without control characters")]
    BadText {
        /// Which text (`a breach summary`).
        what: &'static str,
    },
    /// A handover's category counts do not add up to its persons, a count
    /// is 0, or there are more than [`MAX_CATEGORIES_PER_HANDOVER`]
    /// categories.
    #[error(
        "a handover's counts must add up to its {persons} person pseudonym(s), with every count at least 1 and at most {MAX_CATEGORIES_PER_HANDOVER} categories, but they add up to {counted}"
    )]
    CountsMismatch {
        /// Persons (pseudonyms) the handover lists.
        persons: usize,
        /// The sum of its counts.
        counted: u64,
    },
    /// A finding id is not well formed (see [`crate::check_finding_id`]).
    #[error("a finding id is lowercase letters, digits, '-' and '@' (at most 160 bytes)")]
    BadFindingId,
    /// The finding was ruled on already; holds that ruling's seq.
    #[error("the finding was already ruled on at seq {0}")]
    FindingRuledTwice(u64),
    /// An amendment's number is not the next one.
    #[error("this is amendment {expected} of the deal, not {got}")]
    AmendmentNumber {
        /// The next amendment number (one more than those recorded).
        expected: u32,
        /// The number the event carries.
        got: u32,
    },
    /// An amendment's `replaces` is not the deal hash in force, which this
    /// holds.
    #[error("an amendment replaces the deal hash in force, {0}")]
    AmendmentReplaces(Hash),
    /// An amendment's new deal hash equals the one it replaces.
    #[error("an amendment must change the deal hash")]
    AmendmentUnchanged,
    /// A flow id is not well formed (see [`crate::check_flow_id`]).
    #[error("a flow id is lowercase letters, digits and '-' (at most 64 bytes)")]
    BadFlowId,
    /// A list's side delivers it to itself.
    #[error("a list goes from one side to another, not from {0} to itself")]
    ListToSelf(PartyId),
    /// A list names no person, or more than [`MAX_PERSONS_PER_LIST`].
    #[error("a list names at least 1 person and at most {MAX_PERSONS_PER_LIST}")]
    BadListCount,
    /// An acknowledgement names a seq that is not a `lists-exchanged` event.
    #[error("seq {0} is not a lists-exchanged event of this deal")]
    NoSuchList(u64),
    /// The list at this seq is acknowledged already.
    #[error("the list at seq {0} is already acknowledged")]
    AlreadyAcknowledged(u64),
    /// A party other than the list's receiving side acknowledges it.
    #[error("only {to}, the receiving side, acknowledges the list at seq {seq}")]
    NotListReceiver {
        /// Seq of the list.
        seq: u64,
        /// The list's receiving side, the only one that may acknowledge.
        to: PartyId,
    },
    /// A superseding plan (with extensions) ends before a day that already
    /// has a handover.
    #[error("the plan's {days} day(s) end before day {day}, which already has a handover")]
    PlanBeforeHandovers {
        /// Days the pause would have under the new plan.
        days: u32,
        /// The latest day with a handover.
        day: u32,
    },
}

/// The state of one deal after the events seen so far.
#[derive(Debug, Clone)]
pub struct DealState {
    deal: DealId,
    phase: Phase,
    parties: BTreeMap<PartyId, Role>,
    last_seq: u64,
    head: Hash,
    deal_hash: Option<Hash>,
    /// The hash every side signed in `deal-agreed` (before amendments).
    agreed_hash: Option<Hash>,
    /// The adopted plan's hash, once planned.
    plan_hash: Option<Hash>,
    /// Amendments recorded so far.
    amendments: u32,
    /// The latest day with a handover (0 before the first).
    last_day: u32,
    /// Days granted by `extended` events so far.
    extended: u32,
    /// Days the pause has: the plan's days plus extensions.
    days: u32,
    /// Handover seq → (receiving side, confirmed).
    handovers: BTreeMap<u64, (PartyId, bool)>,
    /// Handovers not yet confirmed, oldest first.
    unconfirmed: BTreeSet<u64>,
    /// Each person handed over, by pseudonym, with the seq of its handover
    /// (for the message when someone is listed again).
    handed_over: HashMap<Pseudonym, u64>,
    /// Breach reports not yet resolved.
    open_breaches: BTreeSet<u64>,
    /// Findings ruled on, by id, with the seq of the ruling.
    rulings: HashMap<String, u64>,
    /// List seq → (receiving side, acknowledged).
    lists: BTreeMap<u64, (PartyId, bool)>,
}

/// Most persons one list may name: a day's handovers cannot carry more.
pub const MAX_PERSONS_PER_LIST: u32 = 1_000_000;

impl DealState {
    /// The state after a deal's first event, which must be `deal-created`.
    pub fn create(first: &SignedEvent, hash: Hash) -> Result<DealState, Violation> {
        let Event::DealCreated { name, parties } = &first.event else {
            return Err(Violation::NotCreatedFirst(first.event.kind()));
        };
        check_text("the deal name", name)?;
        let parties = party_map(parties)?;
        let count = |role| parties.values().filter(|r| **r == role).count();
        if count(Role::Side) < 2 || count(Role::Mediator) == 0 {
            return Err(Violation::TooFewParties);
        }
        let state = DealState {
            deal: first.deal.clone(),
            phase: Phase::Draft,
            parties,
            last_seq: first.seq,
            head: hash,
            deal_hash: None,
            agreed_hash: None,
            plan_hash: None,
            amendments: 0,
            last_day: 0,
            extended: 0,
            days: 0,
            handovers: BTreeMap::new(),
            unconfirmed: BTreeSet::new(),
            handed_over: HashMap::new(),
            open_breaches: BTreeSet::new(),
            rulings: HashMap::new(),
            lists: BTreeMap::new(),
        };
        state.require_role(first, &[Role::Mediator], "a mediator")?;
        Ok(state)
    }

    /// The deal's id.
    pub fn deal(&self) -> &DealId {
        &self.deal
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Seq of the last event applied.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Hash of the last event applied: the `prev` of the next one.
    pub fn head(&self) -> Hash {
        self.head
    }

    /// The hash of the deal in force, once agreed: the agreed deal's, or
    /// the last amendment's.
    pub fn deal_hash(&self) -> Option<Hash> {
        self.deal_hash
    }

    /// The hash every side signed in `deal-agreed`, whatever was amended
    /// since.
    pub fn agreed_hash(&self) -> Option<Hash> {
        self.agreed_hash
    }

    /// Amendments recorded so far (the next one is this plus 1).
    pub fn amendments(&self) -> u32 {
        self.amendments
    }

    /// The adopted plan's hash, once a plan is adopted.
    pub fn plan_hash(&self) -> Option<Hash> {
        self.plan_hash
    }

    /// The role of a party, if it is one.
    pub fn role(&self, party: &PartyId) -> Option<Role> {
        self.parties.get(party).copied()
    }

    /// Handovers recorded and not yet confirmed by their receiving side.
    pub fn unconfirmed_handovers(&self) -> impl Iterator<Item = u64> + '_ {
        self.unconfirmed.iter().copied()
    }

    /// Breach reports not yet ruled on, oldest first.
    pub fn open_breaches(&self) -> impl Iterator<Item = u64> + '_ {
        self.open_breaches.iter().copied()
    }

    /// Days the pause has now: the adopted plan's days plus extensions.
    pub fn pause_days(&self) -> u32 {
        self.days
    }

    /// The seq of the ruling on finding `id`, if it was ruled on.
    pub fn ruling_of(&self, id: &str) -> Option<u64> {
        self.rulings.get(id).copied()
    }

    /// Check the next event against the rules and, only if it passes, apply
    /// it. Chain links (seq, prev) are the caller's to check first.
    pub fn apply(&mut self, ev: &SignedEvent, hash: Hash) -> Result<(), Violation> {
        let next = self.check(ev)?;
        self.commit(ev, next);
        self.last_seq = ev.seq;
        self.head = hash;
        Ok(())
    }

    /// The phase after `ev`, if the rules allow it; changes nothing.
    fn check(&self, ev: &SignedEvent) -> Result<Phase, Violation> {
        use Phase::*;
        let kind = ev.event.kind();
        let phase = self.phase;
        let allowed = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(Violation::WrongPhase { kind, phase })
            }
        };
        let mediator = &[Role::Mediator][..];
        match &ev.event {
            Event::DealCreated { .. } => Err(Violation::CreatedTwice),
            Event::NegotiationStarted {} => {
                allowed(phase == Draft)?;
                self.require_role(ev, mediator, "a mediator")?;
                Ok(Negotiating)
            }
            Event::DealAgreed {
                deal_hash: _,
                signatures,
            } => {
                allowed(phase == Negotiating)?;
                self.require_role(ev, mediator, "a mediator")?;
                self.check_signers(signatures.iter().map(|s| &s.party))?;
                Ok(Agreed)
            }
            Event::DealAmended {
                amendment,
                deal_hash,
                reason,
                replaces,
                signatures,
            } => {
                allowed(phase.in_force())?;
                self.require_role(ev, mediator, "a mediator")?;
                let expected = self.amendments.saturating_add(1);
                if *amendment != expected {
                    return Err(Violation::AmendmentNumber {
                        expected,
                        got: *amendment,
                    });
                }
                // in_force() implies agreed, so a deal hash is in force.
                let current = self.deal_hash.unwrap_or(*replaces);
                if *replaces != current {
                    return Err(Violation::AmendmentReplaces(current));
                }
                if deal_hash == replaces {
                    return Err(Violation::AmendmentUnchanged);
                }
                check_text("an amendment's reason", reason)?;
                self.check_signers(signatures.iter().map(|s| &s.party))?;
                // Before the pause, a plan for the old terms is adopted again.
                Ok(match phase {
                    Planned => Agreed,
                    other => other,
                })
            }
            Event::PlanAdopted { plan_hash: _, days } => {
                // While the pause runs, a new plan supersedes the one in
                // force (after an amendment, or a re-plan from the ledger).
                allowed(matches!(phase, Agreed | Active | Suspended))?;
                self.require_role(ev, mediator, "a mediator")?;
                nonzero("the plan's days", *days)?;
                let days_now = days.saturating_add(self.extended);
                if days_now < self.last_day {
                    return Err(Violation::PlanBeforeHandovers {
                        days: days_now,
                        day: self.last_day,
                    });
                }
                Ok(if phase == Agreed { Planned } else { phase })
            }
            Event::PauseStarted {} => {
                allowed(phase == Planned)?;
                self.require_role(ev, mediator, "a mediator")?;
                Ok(Active)
            }
            Event::HandoverRecorded {
                counts,
                holder,
                to,
                day,
                pseudonyms,
            } => {
                allowed(phase == Active)?;
                self.require_role(ev, &[Role::Intermediary], "the intermediary")?;
                self.check_handover(holder, to, *day, pseudonyms)?;
                if let Some(counts) = counts {
                    check_counts(counts, pseudonyms.len())?;
                }
                Ok(Active)
            }
            Event::HandoverConfirmed { handover } => {
                allowed(matches!(phase, Active | Suspended))?;
                self.require_party(ev)?;
                match self.handovers.get(handover) {
                    None => Err(Violation::NoSuchHandover(*handover)),
                    Some((_, true)) => Err(Violation::AlreadyConfirmed(*handover)),
                    Some((to, false)) if to != &ev.author => Err(Violation::NotReceiver {
                        seq: *handover,
                        to: to.clone(),
                    }),
                    Some(_) => Ok(phase),
                }
            }
            Event::BreachReported { against, summary } => {
                allowed(phase.in_force())?;
                self.require_party(ev)?;
                self.known(against)?;
                check_text("a breach summary", summary)?;
                Ok(phase)
            }
            Event::BreachResolved { breach, finding: _ } => {
                // A breach still open when the deal collapsed can be ruled on.
                allowed(phase.in_force() || phase == Collapsed)?;
                self.require_role(ev, mediator, "a mediator")?;
                if self.open_breaches.contains(breach) {
                    Ok(phase)
                } else {
                    Err(Violation::NoSuchBreach(*breach))
                }
            }
            Event::FindingRuled {
                finding,
                reason,
                ruling: _,
            } => {
                allowed(phase.executing_or_over())?;
                self.require_role(ev, mediator, "a mediator")?;
                if !check_finding_id(finding) {
                    return Err(Violation::BadFindingId);
                }
                if let Some(seq) = self.rulings.get(finding) {
                    return Err(Violation::FindingRuledTwice(*seq));
                }
                check_text("a ruling's reason", reason)?;
                Ok(phase)
            }
            Event::Suspended { reason } => {
                allowed(phase == Active)?;
                self.require_role(ev, mediator, "a mediator")?;
                check_text("a suspension reason", reason)?;
                Ok(Suspended)
            }
            Event::Resumed {} => {
                allowed(phase == Suspended)?;
                self.require_role(ev, mediator, "a mediator")?;
                Ok(Active)
            }
            Event::Extended { days } => {
                allowed(phase == Active)?;
                self.require_role(ev, mediator, "a mediator")?;
                nonzero("the extension's days", *days)?;
                Ok(Active)
            }
            Event::Completed {} => {
                allowed(phase == Active)?;
                self.require_role(ev, mediator, "a mediator")?;
                if let Some(seq) = self.unconfirmed.first() {
                    return Err(Violation::UnconfirmedHandover(*seq));
                }
                if let Some(seq) = self.open_breaches.first() {
                    return Err(Violation::OpenBreach(*seq));
                }
                Ok(Completed)
            }
            Event::FlowRecorded {
                day,
                flow,
                quantity: _,
            } => {
                allowed(phase == Active)?;
                // Which intermediary or side delivers which flow is in the
                // terms: the service checks it against them (truce-exec).
                self.require_role(
                    ev,
                    &[Role::Intermediary, Role::Side],
                    "the intermediary or a side",
                )?;
                if !check_flow_id(flow) {
                    return Err(Violation::BadFlowId);
                }
                self.check_day(*day)?;
                Ok(Active)
            }
            Event::ListsExchanged {
                commitment: _,
                count,
                day,
                to,
            } => {
                // The night before a release day: day 1's list comes
                // before the pause starts.
                allowed(matches!(phase, Planned | Active | Suspended))?;
                self.require_role(ev, &[Role::Side], "a side")?;
                self.side(to)?;
                if to == &ev.author {
                    return Err(Violation::ListToSelf(to.clone()));
                }
                if *count == 0 || *count > MAX_PERSONS_PER_LIST {
                    return Err(Violation::BadListCount);
                }
                self.check_day(*day)?;
                Ok(phase)
            }
            Event::ListAcknowledged { list } => {
                allowed(matches!(phase, Planned | Active | Suspended))?;
                self.require_party(ev)?;
                match self.lists.get(list) {
                    None => Err(Violation::NoSuchList(*list)),
                    Some((_, true)) => Err(Violation::AlreadyAcknowledged(*list)),
                    Some((to, false)) if to != &ev.author => Err(Violation::NotListReceiver {
                        seq: *list,
                        to: to.clone(),
                    }),
                    Some(_) => Ok(phase),
                }
            }
            Event::Collapsed { reason } => {
                // Talks may break down before agreement: an outcome too.
                allowed(phase.open())?;
                // A side may walk away; the mediator records what it sees.
                self.require_role(ev, &[Role::Mediator, Role::Side], "a mediator or a side")?;
                check_text("a collapse reason", reason)?;
                Ok(Collapsed)
            }
        }
    }

    /// Record what a checked event changes besides the phase.
    fn commit(&mut self, ev: &SignedEvent, next: Phase) {
        match &ev.event {
            Event::DealAgreed { deal_hash, .. } => {
                self.deal_hash = Some(*deal_hash);
                self.agreed_hash = Some(*deal_hash);
            }
            Event::DealAmended { deal_hash, .. } => {
                self.deal_hash = Some(*deal_hash);
                self.amendments += 1;
                if next == Phase::Agreed {
                    self.plan_hash = None;
                }
            }
            Event::PlanAdopted { days, plan_hash } => {
                // Extensions granted stay granted under a new plan.
                self.days = days.saturating_add(self.extended);
                self.plan_hash = Some(*plan_hash);
            }
            Event::Extended { days } => {
                self.days = self.days.saturating_add(*days);
                self.extended = self.extended.saturating_add(*days);
            }
            Event::HandoverRecorded {
                to,
                pseudonyms,
                day,
                ..
            } => {
                self.last_day = self.last_day.max(*day);
                self.handovers.insert(ev.seq, (to.clone(), false));
                self.unconfirmed.insert(ev.seq);
                for p in pseudonyms {
                    self.handed_over.insert(*p, ev.seq);
                }
            }
            Event::HandoverConfirmed { handover } => {
                if let Some(h) = self.handovers.get_mut(handover) {
                    h.1 = true;
                }
                self.unconfirmed.remove(handover);
            }
            Event::BreachReported { .. } => {
                self.open_breaches.insert(ev.seq);
            }
            Event::BreachResolved { breach, .. } => {
                self.open_breaches.remove(breach);
            }
            Event::FindingRuled { finding, .. } => {
                self.rulings.insert(finding.clone(), ev.seq);
            }
            Event::ListsExchanged { to, .. } => {
                self.lists.insert(ev.seq, (to.clone(), false));
            }
            Event::ListAcknowledged { list } => {
                if let Some(l) = self.lists.get_mut(list) {
                    l.1 = true;
                }
            }
            _ => {}
        }
        self.phase = next;
    }

    fn require_party(&self, ev: &SignedEvent) -> Result<Role, Violation> {
        self.role(&ev.author).ok_or_else(|| Violation::NotAParty {
            author: ev.author.clone(),
        })
    }

    fn require_role(
        &self,
        ev: &SignedEvent,
        roles: &[Role],
        allowed: &'static str,
    ) -> Result<(), Violation> {
        let role = self.require_party(ev)?;
        if roles.contains(&role) {
            Ok(())
        } else {
            Err(Violation::WrongRole {
                kind: ev.event.kind(),
                allowed,
                author: ev.author.clone(),
                role,
            })
        }
    }

    fn known(&self, party: &PartyId) -> Result<Role, Violation> {
        self.role(party)
            .ok_or_else(|| Violation::UnknownParty(party.clone()))
    }

    fn side(&self, party: &PartyId) -> Result<(), Violation> {
        match self.known(party)? {
            Role::Side => Ok(()),
            _ => Err(Violation::NotASide(party.clone())),
        }
    }

    /// Every side signs once, and only sides sign.
    fn check_signers<'a>(
        &self,
        signers: impl Iterator<Item = &'a PartyId>,
    ) -> Result<(), Violation> {
        let mut seen = BTreeSet::new();
        for party in signers {
            self.side(party)?;
            if !seen.insert(party) {
                return Err(Violation::SignedTwice(party.clone()));
            }
        }
        let sides = self.parties.iter().filter(|(_, r)| **r == Role::Side);
        match sides.map(|(p, _)| p).find(|p| !seen.contains(p)) {
            Some(missing) => Err(Violation::MissingSignature(missing.clone())),
            None => Ok(()),
        }
    }

    fn check_handover(
        &self,
        holder: &PartyId,
        to: &PartyId,
        day: u32,
        pseudonyms: &[Pseudonym],
    ) -> Result<(), Violation> {
        self.side(holder)?;
        self.side(to)?;
        if holder == to {
            return Err(Violation::HandoverToSelf(holder.clone()));
        }
        self.check_day(day)?;
        if pseudonyms.is_empty() {
            return Err(Violation::EmptyHandover);
        }
        if pseudonyms.len() > MAX_PERSONS_PER_HANDOVER {
            return Err(Violation::HandoverTooLarge);
        }
        let mut here = HashSet::with_capacity(pseudonyms.len());
        for p in pseudonyms {
            if let Some(seq) = self.handed_over.get(p) {
                return Err(Violation::AlreadyHandedOver(*seq));
            }
            if !here.insert(p) {
                return Err(Violation::PersonTwice);
            }
        }
        Ok(())
    }
}

impl DealState {
    /// A day of the pause as it stands: 1 to the plan's days plus
    /// extensions.
    fn check_day(&self, day: u32) -> Result<(), Violation> {
        if day == 0 || day > self.days {
            Err(Violation::DayOutsidePause {
                day,
                days: self.days,
            })
        } else {
            Ok(())
        }
    }
}

/// "a side", "an intermediary": roles as a sentence needs them.
fn with_article(role: Role) -> String {
    let article = match role {
        Role::Intermediary | Role::Observer => "an",
        _ => "a",
    };
    format!("{article} {role}")
}

fn party_map(parties: &[PartyRole]) -> Result<BTreeMap<PartyId, Role>, Violation> {
    let mut map = BTreeMap::new();
    for p in parties {
        if map.insert(p.id.clone(), p.role).is_some() {
            return Err(Violation::DuplicateParty(p.id.clone()));
        }
    }
    Ok(map)
}

fn nonzero(what: &'static str, n: u32) -> Result<(), Violation> {
    if n == 0 {
        Err(Violation::Zero { what })
    } else {
        Ok(())
    }
}

/// A handover's per-category counts add up to its persons, each at least 1.
fn check_counts(counts: &BTreeMap<CategoryId, u32>, persons: usize) -> Result<(), Violation> {
    let counted: u64 = counts.values().map(|&n| u64::from(n)).sum();
    let ok = counts.len() <= MAX_CATEGORIES_PER_HANDOVER
        && counts.values().all(|&n| n >= 1)
        && counted == persons as u64;
    if ok {
        Ok(())
    } else {
        Err(Violation::CountsMismatch { persons, counted })
    }
}

fn check_text(what: &'static str, text: &str) -> Result<(), Violation> {
    let ok = !text.trim().is_empty()
        && text.len() <= MAX_TEXT_LEN
        && !text.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(Violation::BadText { what })
    }
}
