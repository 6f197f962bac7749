//! Single text with people: a named mediator ([`MediatorKind`]) driven one
//! text at a time by votes cast outside the program (the sides of a deal on
//! the service), with no change to the mediators themselves.
//!
//! The mediators are written as loops that ask their voters in turn. Each
//! step replays the loop from the seed: voters answer every question the
//! loop asks with the votes the people cast on that text, and the first
//! question nobody has answered yet is the next text. A mediator's
//! proposals depend only on its seed and on the answers, so the replay
//! proposes exactly what a session with the same answers proposes (tested
//! against [`crate::mediators`] run whole). The cost is one run of the
//! mediator per step: small for a deal's open issues.
//!
//! People answer accept or reject only. A vote on text *k* is read as the
//! mediators read an honest voter's: accept when text *k* is at least as
//! good for the side as the text all sides last accepted (for the feedback
//! mediator: accept is "better", reject "worse"; the annealing mediator's
//! temperature is announced to nobody: people vote as they see fit).

use std::sync::{Arc, Mutex, PoisonError};

use crate::mediators::{MediatorKind, run_named};
use crate::single_text::{Feedback, Vote, Voter};
use crate::space::{OutcomeId, OutcomeSpace};

/// A text the people voted on: the outcome and each side's vote, in side
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The text.
    pub text: OutcomeId,
    /// One vote per side, in the order the sides are always given.
    pub votes: Vec<Vote>,
}

/// What the mediator does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextText {
    /// Propose this text.
    Propose(OutcomeId),
    /// The mediator has nothing more to propose (its rounds are used, or
    /// polishing found no text every side could prefer); `current` is the
    /// text it holds, the last every side accepted (or its opening text).
    Done {
        /// The mediator's current text.
        current: OutcomeId,
    },
}

/// Why the history cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// Fewer than two sides.
    #[error("single text needs at least two sides, got {0}")]
    TooFewSides(usize),
    /// A text of the history has not one vote per side.
    #[error(
        "text {text} has {votes} votes for {sides} sides: every side votes before the next text"
    )]
    Votes {
        /// The text's number in the history, from 1.
        text: usize,
        /// Votes it has.
        votes: usize,
        /// Sides.
        sides: usize,
    },
    /// The mediator cannot be driven by accept/reject votes alone (MOPaC:
    /// its parties make offers of their own); see
    /// [`MediatorKind::STEPPABLE`].
    #[error(
        "the {0} mediator needs offers from the parties, not only their votes: use feedback, annealing or hill-climb"
    )]
    NotSteppable(&'static str),
    /// The history holds a text this mediator, with this seed and these
    /// votes, would not have proposed.
    #[error(
        "text {text} is not the one this mediator proposes at that point (another mediator, seed or round limit proposed it)"
    )]
    Diverged {
        /// The text's number in the history, from 1.
        text: usize,
    },
}

/// The next text of mediator `kind` (random stream fixed by `seed`, at most
/// `rounds` texts) after the texts of `history`, each with every side's
/// vote. `history` holds only this mediator's own texts, oldest first.
pub fn next_text(
    kind: MediatorKind,
    space: &OutcomeSpace,
    sides: usize,
    history: &[Answered],
    rounds: u32,
    seed: u64,
) -> Result<NextText, StepError> {
    if !kind.steppable() {
        return Err(StepError::NotSteppable(kind.name()));
    }
    if sides < 2 {
        return Err(StepError::TooFewSides(sides));
    }
    if let Some((i, a)) = history
        .iter()
        .enumerate()
        .find(|(_, a)| a.votes.len() != sides)
    {
        return Err(StepError::Votes {
            text: i + 1,
            votes: a.votes.len(),
            sides,
        });
    }
    let replay = Arc::new(Mutex::new(Replay {
        history: history.to_vec(),
        asked: 0,
        pending: None,
        diverged: None,
    }));
    let mut voters: Vec<Box<dyn Voter>> = (0..sides)
        .map(|side| {
            Box::new(Recorded {
                side,
                replay: Arc::clone(&replay),
            }) as Box<dyn Voter>
        })
        .collect();
    let (outcome, _) = run_named(kind, space, &mut voters, rounds, seed);
    drop(voters);
    let replay = Arc::try_unwrap(replay)
        .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
        .unwrap_or_else(|shared| {
            shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        });
    let opening = outcome.offers.first().map_or(0, |o| o.outcome);
    let Some(first) = history.first() else {
        return Ok(NextText::Propose(opening));
    };
    if first.text != opening {
        return Err(StepError::Diverged { text: 1 });
    }
    if let Some(text) = replay.diverged {
        return Err(StepError::Diverged { text });
    }
    match replay.pending {
        Some(text) => Ok(NextText::Propose(text)),
        // The run ended with texts of the history left over: they are not
        // this run's.
        None if replay.asked + 1 < history.len() => Err(StepError::Diverged {
            text: replay.asked + 2,
        }),
        None => Ok(NextText::Done {
            current: outcome.agreement.unwrap_or(opening),
        }),
    }
}

/// The replay shared by the voters: the history, how many questions the
/// mediator has asked, and the first it asked beyond the history.
#[derive(Debug, Clone)]
struct Replay {
    history: Vec<Answered>,
    asked: usize,
    pending: Option<OutcomeId>,
    /// The first text of the history (from 1) the mediator did not propose.
    diverged: Option<usize>,
}

/// One side answering from the recorded votes. Side 0 is asked first on
/// every question (the mediators ask in side order, and may stop at the
/// first reject): it opens the question.
#[derive(Debug)]
struct Recorded {
    side: usize,
    replay: Arc<Mutex<Replay>>,
}

impl Recorded {
    fn answer(&self, proposal: OutcomeId) -> Vote {
        let mut r = self.replay.lock().unwrap_or_else(PoisonError::into_inner);
        if self.side == 0 {
            r.asked += 1;
        }
        // Question q (from 0) is about text q + 2 of the history: text 1 is
        // the opening, which nobody is asked about.
        let q = r.asked.saturating_sub(1);
        match r.history.get(q + 1) {
            Some(a) if a.text == proposal => {
                a.votes.get(self.side).copied().unwrap_or(Vote::Reject)
            }
            Some(_) => {
                r.diverged.get_or_insert(q + 2);
                Vote::Reject
            }
            None => {
                r.pending.get_or_insert(proposal);
                // Nothing moves past the history: the run ends without new
                // texts of its own.
                Vote::Reject
            }
        }
    }
}

impl Voter for Recorded {
    fn vote(&mut self, _current: OutcomeId, proposal: OutcomeId) -> Vote {
        self.answer(proposal)
    }

    fn vote_annealing(&mut self, _current: OutcomeId, proposal: OutcomeId, _t: f64) -> Vote {
        self.answer(proposal)
    }

    fn feedback(&mut self, _previous: OutcomeId, proposal: OutcomeId) -> Feedback {
        match self.answer(proposal) {
            Vote::Accept => Feedback::Better,
            Vote::Reject => Feedback::Worse,
        }
    }

    fn ratify(&mut self, _text: OutcomeId) -> Vote {
        Vote::Accept
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// A side with additive utilities: accepts a text at least as good as
    /// the current one (and says so as feedback), whatever the temperature.
    #[derive(Debug, Clone)]
    struct Side {
        tables: Vec<Vec<f64>>,
        sizes: Vec<usize>,
        /// Every proposal this side was asked about (side 0: every question).
        asked: Arc<Mutex<Vec<OutcomeId>>>,
    }

    impl Side {
        fn utility(&self, id: OutcomeId) -> f64 {
            let space = OutcomeSpace::of_sizes(&self.sizes).expect("space");
            space
                .decode(id)
                .iter()
                .zip(&self.tables)
                .map(|(&v, t)| t[v])
                .sum()
        }
        fn judge(&self, current: OutcomeId, proposal: OutcomeId) -> Vote {
            if self.utility(proposal) >= self.utility(current) {
                Vote::Accept
            } else {
                Vote::Reject
            }
        }
    }

    impl Voter for Side {
        fn vote(&mut self, current: OutcomeId, proposal: OutcomeId) -> Vote {
            self.asked.lock().expect("lock").push(proposal);
            self.judge(current, proposal)
        }
        fn vote_annealing(&mut self, c: OutcomeId, p: OutcomeId, _t: f64) -> Vote {
            self.vote(c, p)
        }
        fn feedback(&mut self, c: OutcomeId, p: OutcomeId) -> Feedback {
            match self.vote(c, p) {
                Vote::Accept => Feedback::Better,
                Vote::Reject => Feedback::Worse,
            }
        }
        fn ratify(&mut self, _text: OutcomeId) -> Vote {
            Vote::Accept
        }
    }

    fn sides(sizes: &[usize], seed: u64) -> Vec<Side> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..2)
            .map(|_| Side {
                tables: sizes
                    .iter()
                    .map(|&s| (0..s).map(|_| rng.random_range(0..100) as f64).collect())
                    .collect(),
                sizes: sizes.to_vec(),
                asked: Arc::default(),
            })
            .collect()
    }

    /// Stepping a mediator one text at a time, the sides voting from
    /// outside, proposes the same texts and ends on the same text as the
    /// mediator run whole with the same sides.
    #[test]
    fn stepping_proposes_what_the_whole_run_proposes() {
        let sizes = [3, 4, 2, 3];
        let space = OutcomeSpace::of_sizes(&sizes).expect("space");
        for kind in MediatorKind::STEPPABLE {
            for seed in 0..3 {
                let people = sides(&sizes, seed + 10);
                let rounds = 60;
                // The oracle: the mediator run whole, side 0 noting every
                // question (it is asked first on each).
                let mut voters: Vec<Box<dyn Voter>> = people
                    .iter()
                    .map(|s| Box::new(s.clone()) as Box<dyn Voter>)
                    .collect();
                let (whole, _) = run_named(kind, &space, &mut voters, rounds, seed);
                let mut expected = vec![whole.offers[0].outcome];
                expected.extend(people[0].asked.lock().expect("lock").iter().copied());
                // Stepped: the texts proposed one by one, voted from outside.
                let mut history: Vec<Answered> = Vec::new();
                let mut current = None;
                let end = loop {
                    match next_text(kind, &space, 2, &history, rounds, seed).expect("step") {
                        NextText::Propose(text) => {
                            let base = current.unwrap_or(text);
                            let votes: Vec<Vote> =
                                people.iter().map(|s| s.judge(base, text)).collect();
                            if current.is_none() || votes.iter().all(|v| *v == Vote::Accept) {
                                current = Some(text);
                            }
                            history.push(Answered { text, votes });
                        }
                        NextText::Done { current } => break current,
                    }
                    assert!(
                        history.len() <= expected.len(),
                        "{kind:?} {seed}: too many texts"
                    );
                };
                let texts: Vec<OutcomeId> = history.iter().map(|a| a.text).collect();
                assert!(
                    texts.len() >= 10,
                    "{kind:?} seed {seed}: {} texts",
                    texts.len()
                );
                assert_eq!(texts, expected, "{kind:?} seed {seed}");
                assert_eq!(Some(end), whole.agreement, "{kind:?} seed {seed}");
                assert_eq!(Some(end), current, "{kind:?} seed {seed}");
            }
        }
    }

    #[test]
    fn a_text_the_mediator_did_not_propose_or_a_missing_vote_is_refused() {
        let space = OutcomeSpace::of_sizes(&[3, 3]).expect("space");
        let kind = MediatorKind::HillClimb;
        let NextText::Propose(first) = next_text(kind, &space, 2, &[], 20, 1).expect("open") else {
            panic!("the opening text");
        };
        let other = (first + 1) % 9;
        let votes = vec![Vote::Accept, Vote::Reject];
        let wrong = [Answered {
            text: other,
            votes: votes.clone(),
        }];
        assert_eq!(
            next_text(kind, &space, 2, &wrong, 20, 1),
            Err(StepError::Diverged { text: 1 })
        );
        let short = [Answered {
            text: first,
            votes: vec![Vote::Accept],
        }];
        assert_eq!(
            next_text(kind, &space, 2, &short, 20, 1),
            Err(StepError::Votes {
                text: 1,
                votes: 1,
                sides: 2
            })
        );
        assert_eq!(
            next_text(kind, &space, 1, &[], 20, 1),
            Err(StepError::TooFewSides(1))
        );
    }

    /// MOPaC's parties make offers of their own: it is refused by name, not
    /// replayed into texts nobody voted on.
    #[test]
    fn mopac_is_not_stepped_from_votes() {
        let space = OutcomeSpace::of_sizes(&[3, 4]).expect("space");
        assert_eq!(
            next_text(MediatorKind::Mopac, &space, 2, &[], 10, 0),
            Err(StepError::NotSteppable("mopac"))
        );
        assert!(
            MediatorKind::ALL
                .iter()
                .filter(|k| **k != MediatorKind::Mopac)
                .all(|k| k.steppable())
        );
    }
}
