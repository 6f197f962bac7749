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

/// Runs a single-text session of `rounds` proposals.
pub(crate) fn run(
    space: &OutcomeSpace,
    mediator: &mut dyn Mediator,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
) -> (SessionOutcome, Vec<bool>) {
    let capacity = rounds.min(1024) as usize + 1;
    let mut offers = Vec::with_capacity(capacity);
    let mut accepted = Vec::with_capacity(capacity);
    let mut current = mediator.open(space);
    offers.push(PublicOffer {
        round: 0,
        proposer: usize::MAX,
        outcome: current,
    });
    accepted.push(true);
    let mut votes: Vec<Vote> = Vec::with_capacity(voters.len());
    for round in 1..rounds {
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
