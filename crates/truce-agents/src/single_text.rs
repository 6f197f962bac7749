//! The mediated single-text protocol: a mediator proposes a text (a complete
//! outcome), every party answers only "accept" or "reject" (a veto), and the
//! mediator hill-climbs: a text every party accepts becomes the new current
//! text. No party reveals its utility function: the mediator's only input is
//! the votes, and [`Mediator::propose`] has no parameter that could carry
//! anything else.
//!
//! * The mediator opens with a random text and, each round, proposes the
//!   current text with one issue changed to another value, both drawn from
//!   a ChaCha8 stream fixed by the session seed.
//! * A party accepts a proposal when it is at least as good for it as the
//!   current text (an honest hill-climbing vote).
//! * When the rounds run out, every party votes on the final text against
//!   disagreement: it is the agreement if each party finds it at least as good
//!   as its reservation value, otherwise there is no agreement.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::outcome::{End, SessionOutcome};
use crate::space::{OutcomeId, OutcomeSpace};
use crate::view::{PrivateView, PublicOffer};

/// A party's answer to the mediator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    /// The party accepts the proposed text.
    Accept,
    /// The party vetoes it.
    Reject,
}

/// A party's feedback on a text against the previous one (GENIUS's
/// `genius.core.Feedback`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feedback {
    /// The new text is better for the party.
    Better,
    /// Neither better nor worse.
    Same,
    /// The new text is worse for the party.
    Worse,
}

/// A party in single-text: it sees its own preferences and the texts only.
pub trait Voter: std::fmt::Debug + Send {
    /// Vote on replacing `current` by `proposal`.
    fn vote(&mut self, current: OutcomeId, proposal: OutcomeId) -> Vote;
    /// Vote as an annealer at `temperature` (the annealing mediator's
    /// protocol); by default an honest hill-climbing vote.
    fn vote_annealing(
        &mut self,
        current: OutcomeId,
        proposal: OutcomeId,
        temperature: f64,
    ) -> Vote {
        let _ = temperature;
        self.vote(current, proposal)
    }
    /// Better, same or worse than `previous` (the feedback mediator's
    /// protocol); by default read from two votes.
    fn feedback(&mut self, previous: OutcomeId, proposal: OutcomeId) -> Feedback {
        match (self.vote(previous, proposal), self.vote(proposal, previous)) {
            (Vote::Accept, Vote::Accept) => Feedback::Same,
            (Vote::Accept, Vote::Reject) => Feedback::Better,
            _ => Feedback::Worse,
        }
    }
    /// Vote on `text` as the final agreement (against disagreement).
    fn ratify(&mut self, text: OutcomeId) -> Vote;
    /// MOPaC offer phase: the offer this party puts on the table (`None`:
    /// none). By default none.
    fn mopac_offer(&mut self, round: &MopacRound<'_>) -> Option<OutcomeId> {
        let _ = round;
        None
    }
    /// MOPaC voting phase: a vote for (`true`) or not for each offer on the
    /// table. By default a vote for every offer it would ratify.
    fn mopac_votes(&mut self, round: &MopacRound<'_>, table: &[OutcomeId]) -> Vec<bool> {
        let _ = round;
        table
            .iter()
            .map(|&o| self.ratify(o) == Vote::Accept)
            .collect()
    }
    /// MOPaC opt-in phase: having seen every party's votes (`votes[party]`,
    /// `own` its own), the votes it ends with; the protocol keeps every vote
    /// it cast (votes can only be extended). By default its own votes.
    fn mopac_opt_in(
        &mut self,
        round: &MopacRound<'_>,
        table: &[OutcomeId],
        votes: &[Vec<bool>],
        own: &[bool],
    ) -> Vec<bool> {
        let _ = (round, table, votes);
        own.to_vec()
    }
}

/// What a MOPaC round shows every party: where the session is, and every
/// earlier round's table and final votes (all public in MOPaC).
#[derive(Debug, Clone, Copy)]
pub struct MopacRound<'a> {
    /// This round, from 0.
    pub round: u32,
    /// MOPaC rounds at most.
    pub rounds: u32,
    /// The earlier rounds.
    pub history: &'a [MopacTable],
}

/// One MOPaC round in public: the offers on the table and the votes after
/// the opt-in phase.
#[derive(Debug, Clone, PartialEq)]
pub struct MopacTable {
    /// `(party, offer)`, in party order.
    pub offers: Vec<(usize, OutcomeId)>,
    /// `votes[party][k]`: the party voted for offer `k`.
    pub votes: Vec<Vec<bool>>,
}

/// The mediator: proposes texts from the public outcome space and the votes
/// alone.
pub trait Mediator: std::fmt::Debug + Send {
    /// The opening text.
    fn open(&mut self, space: &OutcomeSpace) -> OutcomeId;
    /// The next text to propose, given the current one and the votes on the
    /// previous proposal (empty in the first round).
    fn propose(
        &mut self,
        space: &OutcomeSpace,
        current: OutcomeId,
        last_votes: &[Vote],
    ) -> OutcomeId;
}

/// An honest voter: accepts what is no worse for it (and, as an annealer,
/// a worse text with probability `exp(-loss / temperature)`).
#[derive(Debug)]
pub struct HonestVoter {
    view: PrivateView,
    rng: ChaCha8Rng,
}

impl HonestVoter {
    /// The voter of one party.
    pub fn new(view: PrivateView) -> Self {
        Self::with_seed(view, 0)
    }

    /// The voter of one party, its annealing draws fixed by `seed`.
    pub fn with_seed(view: PrivateView, seed: u64) -> Self {
        Self {
            view,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl Voter for HonestVoter {
    fn vote(&mut self, current: OutcomeId, proposal: OutcomeId) -> Vote {
        if self.view.utility(proposal) >= self.view.utility(current) {
            Vote::Accept
        } else {
            Vote::Reject
        }
    }

    fn vote_annealing(
        &mut self,
        current: OutcomeId,
        proposal: OutcomeId,
        temperature: f64,
    ) -> Vote {
        let (now, next) = (self.view.utility(current), self.view.utility(proposal));
        if next >= now {
            return Vote::Accept;
        }
        // Never below the reservation value: a worse text is only an
        // exploration step while it stays acceptable as an agreement.
        if temperature > 0.0
            && self.view.is_rational(proposal)
            && self
                .rng
                .random_bool(((next - now) / temperature).exp().clamp(0.0, 1.0))
        {
            Vote::Accept
        } else {
            Vote::Reject
        }
    }

    fn feedback(&mut self, previous: OutcomeId, proposal: OutcomeId) -> Feedback {
        let (was, is) = (self.view.utility(previous), self.view.utility(proposal));
        if is > was {
            Feedback::Better
        } else if is < was {
            Feedback::Worse
        } else {
            Feedback::Same
        }
    }

    fn ratify(&mut self, text: OutcomeId) -> Vote {
        if self.view.is_rational(text) {
            Vote::Accept
        } else {
            Vote::Reject
        }
    }

    fn mopac_offer(&mut self, round: &MopacRound<'_>) -> Option<OutcomeId> {
        let inverse = self.view.inverse();
        let a = self.aspiration(round.round, round.rounds);
        let model = self.opponent_model(round.history);
        if model.iter().all(|m| m.iter().all(|&x| x == 0.0)) {
            return Some(inverse.best());
        }
        // Among this party's outcomes at or just above its aspiration (the
        // closest first, at most MOPAC_CANDIDATES), the one the others'
        // public offers and votes suggest they like best.
        let n = inverse.len();
        let from = inverse.rank_at_least(a).min(n.saturating_sub(1));
        let space = self.view.space();
        let mut values = Vec::with_capacity(space.issues());
        let mut best: Option<(f64, f64, OutcomeId)> = None;
        for k in from..n.min(from + MOPAC_CANDIDATES) {
            let Some((id, u)) = inverse.at_rank(k) else {
                break;
            };
            space.decode_into(id, &mut values);
            let score: f64 = values
                .iter()
                .zip(&model)
                .map(|(&v, m)| m.get(v).copied().unwrap_or(0.0))
                .sum();
            if best.is_none_or(|(s, bu, _)| score > s || (score == s && u > bu)) {
                best = Some((score, u, id));
            }
        }
        best.map(|b| b.2).or(Some(inverse.best()))
    }

    fn mopac_votes(&mut self, round: &MopacRound<'_>, table: &[OutcomeId]) -> Vec<bool> {
        let a = self.aspiration(round.round, round.rounds);
        table
            .iter()
            .map(|&o| self.view.is_rational(o) && self.view.utility(o) >= a)
            .collect()
    }

    fn mopac_opt_in(
        &mut self,
        round: &MopacRound<'_>,
        table: &[OutcomeId],
        votes: &[Vec<bool>],
        own: &[bool],
    ) -> Vec<bool> {
        // Join an offer every other party backs when it is worth what this
        // party would ask for two rounds from now.
        let me = self.view.party();
        let next = self.aspiration(round.round + 2, round.rounds);
        table
            .iter()
            .enumerate()
            .map(|(k, &o)| {
                let others = votes
                    .iter()
                    .enumerate()
                    .filter(|(p, _)| *p != me)
                    .all(|(_, v)| v.get(k).copied().unwrap_or(false));
                own.get(k).copied().unwrap_or(false)
                    || (others && self.view.is_rational(o) && self.view.utility(o) >= next)
            })
            .collect()
    }
}

/// Own outcomes a MOPaC offer is chosen among.
const MOPAC_CANDIDATES: usize = 4000;

impl HonestVoter {
    /// The utility this party asks for in MOPaC round `round` of `rounds`:
    /// from its best down to its floor, linearly in time.
    fn aspiration(&self, round: u32, rounds: u32) -> f64 {
        let inverse = self.view.inverse();
        let (hi, lo) = (inverse.max(), self.view.floor());
        let t = (f64::from(round) / f64::from(rounds.max(1))).clamp(0.0, 1.0);
        hi - (hi - lo) * t
    }

    /// A frequency model of the other parties from the public record: per
    /// issue and value, how often they offered it (weight 1) or voted for an
    /// offer holding it (weight ½), normalised per issue to at most 1.
    fn opponent_model(&self, history: &[MopacTable]) -> Vec<Vec<f64>> {
        let space = self.view.space();
        let me = self.view.party();
        let mut model: Vec<Vec<f64>> = (0..space.issues())
            .map(|i| vec![0.0; space.issue_size(i)])
            .collect();
        let mut values = Vec::with_capacity(space.issues());
        let mut add = |id: OutcomeId, w: f64, model: &mut Vec<Vec<f64>>| {
            space.decode_into(id, &mut values);
            for (m, &v) in model.iter_mut().zip(&values) {
                if let Some(x) = m.get_mut(v) {
                    *x += w;
                }
            }
        };
        for table in history {
            for (k, &(p, id)) in table.offers.iter().enumerate() {
                if p != me {
                    add(id, 1.0, &mut model);
                }
                for (q, v) in table.votes.iter().enumerate() {
                    if q != me && v.get(k).copied().unwrap_or(false) {
                        add(id, 0.5, &mut model);
                    }
                }
            }
        }
        for m in &mut model {
            let top = m.iter().copied().fold(0.0, f64::max);
            if top > 0.0 {
                m.iter_mut().for_each(|x| *x /= top);
            }
        }
        model
    }
}

/// A hill-climbing mediator with a fixed seed.
#[derive(Debug)]
pub struct HillClimber {
    rng: ChaCha8Rng,
    values: Vec<usize>,
}

impl HillClimber {
    /// A mediator whose random stream is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            values: Vec::new(),
        }
    }
}

impl Mediator for HillClimber {
    fn open(&mut self, space: &OutcomeSpace) -> OutcomeId {
        let n = space.len().max(1);
        self.rng.random_range(0..n) as OutcomeId
    }

    fn propose(
        &mut self,
        space: &OutcomeSpace,
        current: OutcomeId,
        _last_votes: &[Vote],
    ) -> OutcomeId {
        space.decode_into(current, &mut self.values);
        let issues = self.values.len();
        // Issues with a single value cannot change; try a few times, then
        // re-propose the current text.
        for _ in 0..8 {
            let issue = self.rng.random_range(0..issues.max(1));
            let size = space.issue_size(issue);
            if size < 2 {
                continue;
            }
            let shift = self.rng.random_range(1..size);
            if let Some(slot) = self.values.get_mut(issue) {
                *slot = (*slot + shift) % size;
            }
            return space.encode(&self.values).unwrap_or(current);
        }
        current
    }
}

/// The result of [`run_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOutcome {
    /// The ratified text, if every party ratified it.
    pub agreement: Option<OutcomeId>,
    /// Every text proposed, with whether all parties accepted it.
    pub texts: Vec<(OutcomeId, bool)>,
}

/// Runs single-text with any mediator and voters (one per party, each built
/// from that party's view alone) for `rounds` proposals.
pub fn run_with(
    prepared: &crate::space::Prepared,
    mediator: &mut dyn Mediator,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
) -> TextOutcome {
    let (raw, accepted) = run(prepared.space(), mediator, voters, rounds);
    TextOutcome {
        agreement: raw.agreement,
        texts: raw.offers.iter().map(|o| o.outcome).zip(accepted).collect(),
    }
}

/// A text someone other than the mediator proposed (in single text with
/// people: the deal's mediator writing a text of its own between the
/// algorithm's), with every party's vote on it, in party order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutsideText {
    pub(crate) text: OutcomeId,
    pub(crate) votes: Vec<Vote>,
}

impl OutsideText {
    /// Whether every party accepted it: it is then the mediator's current
    /// text (the last text every party accepted).
    pub(crate) fn accepted(&self) -> bool {
        !self.votes.is_empty() && self.votes.iter().all(|v| *v == Vote::Accept)
    }
}

/// Where a mediator hears of texts it did not propose ([`crate::stepped`]).
/// A mediator asks before each text of its own, and once more before it
/// ends; a session run whole hears nothing ([`Nobody`]).
pub(crate) trait Outside {
    /// The texts proposed by others since the mediator last asked, oldest
    /// first.
    fn heard(&mut self) -> Vec<OutsideText>;
    /// The mediator proposes `text` as its opening (nobody is asked about
    /// it).
    fn opened(&mut self, text: OutcomeId);
}

/// No outside texts: a session run whole.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Nobody;

impl Outside for Nobody {
    fn heard(&mut self) -> Vec<OutsideText> {
        Vec::new()
    }
    fn opened(&mut self, _text: OutcomeId) {}
}

/// The mediator's starting point: the last of the texts heard before it
/// opened that every party accepted, or else its own opening text
/// (proposed, and told to `outside`).
pub(crate) fn start(outside: &mut dyn Outside, opening: OutcomeId) -> (OutcomeId, bool) {
    match outside
        .heard()
        .iter()
        .rev()
        .find(|t| t.accepted())
        .map(|t| t.text)
    {
        Some(text) => (text, false),
        None => {
            outside.opened(opening);
            (opening, true)
        }
    }
}

/// Runs a single-text session of `rounds` proposals.
pub(crate) fn run(
    space: &OutcomeSpace,
    mediator: &mut dyn Mediator,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
) -> (SessionOutcome, Vec<bool>) {
    run_heard(space, mediator, voters, rounds, &mut Nobody)
}

/// [`run`], hearing texts from `outside` too: a text every party accepted
/// becomes the current text the mediator's next proposal changes, as its
/// own accepted texts do. Outside texts are not the mediator's: they do not
/// count towards its `rounds`.
pub(crate) fn run_heard(
    space: &OutcomeSpace,
    mediator: &mut dyn Mediator,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
    outside: &mut dyn Outside,
) -> (SessionOutcome, Vec<bool>) {
    let capacity = rounds.min(1024) as usize + 1;
    let mut offers = Vec::with_capacity(capacity);
    let mut accepted = Vec::with_capacity(capacity);
    let opening = mediator.open(space);
    let (mut current, proposed) = start(outside, opening);
    if proposed {
        offers.push(PublicOffer {
            round: 0,
            proposer: usize::MAX,
            outcome: current,
        });
        accepted.push(true);
    }
    let mut votes: Vec<Vote> = Vec::with_capacity(voters.len());
    // Without outside texts, rounds 1.. as ever (the opening is round 0).
    let first = u32::from(proposed);
    for round in first..rounds.max(first) {
        if let Some(heard) = outside.heard().into_iter().rev().find(|t| t.accepted()) {
            current = heard.text;
        }
        let proposal = mediator.propose(space, current, &votes);
        votes.clear();
        votes.extend(voters.iter_mut().map(|v| v.vote(current, proposal)));
        let all = votes.iter().all(|&v| v == Vote::Accept);
        if all {
            current = proposal;
        }
        offers.push(PublicOffer {
            round,
            proposer: usize::MAX,
            outcome: proposal,
        });
        accepted.push(all);
    }
    if let Some(heard) = outside.heard().into_iter().rev().find(|t| t.accepted()) {
        current = heard.text;
    }
    let agreed = voters.iter_mut().all(|v| v.ratify(current) == Vote::Accept);
    let (agreement, end) = if agreed {
        (Some(current), End::Agreement)
    } else {
        (None, End::Rejected)
    };
    (
        SessionOutcome::new(agreement, rounds.max(1), end, offers),
        accepted,
    )
}
