//! Single text with people: a named mediator ([`MediatorKind`]) driven one
//! text at a time by votes cast outside the program (the sides of a deal on
//! the service), hearing the texts others propose in between.
//!
//! The mediators are written as loops that ask their voters in turn. Each
//! step replays the loop from the seed over the whole history: voters
//! answer every question the loop asks with the votes the people cast on
//! that text, the mediator hears each text someone else proposed (a
//! person, or another algorithm) where it stands in the history, and the
//! first question nobody has answered yet is the next text. A mediator's
//! proposals depend only on its seed and on the history, so with only its
//! own texts the replay proposes exactly what a session with the same
//! answers proposes (tested against [`crate::mediators`] run whole). The
//! cost is one run of the mediator per step: small for a deal's open
//! issues.
//!
//! People answer accept or reject only. A vote on a text is read as the
//! mediators read an honest voter's: accept when the text is at least as
//! good for the side as the text all sides last accepted (for the feedback
//! mediator: accept is "better", reject "worse"; the annealing mediator's
//! temperature is announced to nobody: people vote as they see fit).
//!
//! # What a mediator makes of a text it did not propose
//!
//! Every mediator keeps a *current text*, the one its proposals change:
//! the last text every side accepted, or, before any, its opening text.
//! A text from outside ([`Source::Outside`]) is treated as its own would
//! be:
//!
//! * **Every mediator**: an outside text every side accepted becomes the
//!   current text, and the mediator's next proposal changes it (one issue
//!   for `hill-climb` and the feedback mediator's first search, one or two
//!   for `annealing` and polishing). An outside text some side rejected
//!   leaves the current text as it was. Outside texts before the
//!   mediator's first text: the last one every side accepted is its
//!   starting text instead of its random opening (it then proposes no
//!   opening of its own). Outside texts are not the mediator's: they do not
//!   count towards its `rounds`, nor advance the annealing temperature.
//!   A mediator that had finished (rounds used, or polishing found nothing
//!   more) ends on a later outside text every side accepted
//!   ([`NextText::Done`] names it); one still polishing starts a new pass
//!   around it.
//! * **`feedback`** (GENIUS's feedback mediator, `MediatorFeedbackBasedProtocol`):
//!   the mediator keeps the last text no party found worse as its
//!   reference and changes it one issue at a time; an outside text every
//!   side accepted is that reference from then on. It also learns from an
//!   outside text as from its own: when the text changes one issue of the
//!   current text, each side's vote is its feedback on that value (accept
//!   "better", reject "worse"), and the mediator does not ask again what
//!   the people have answered (a person's text equal to the one-issue text
//!   the mediator was about to propose counts as proposed). A text that
//!   changes several issues teaches it nothing about any one of them.
//! * **`annealing`** (Klein et al.): the accepted outside text is the text
//!   the mediator mutates next; the temperature follows the mediator's own
//!   texts only.
//! * **`hill-climb`**: the accepted outside text is the current text its
//!   next random one-issue change starts from.
//! * **`mopac`** is not stepped (its parties put offers of their own on the
//!   table).

use std::sync::{Arc, Mutex, PoisonError};

use crate::mediators::{MediatorKind, run_named_heard};
use crate::single_text::{Feedback, Outside, OutsideText, Vote, Voter};
use crate::space::{OutcomeId, OutcomeSpace};

/// Who proposed a text of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// The mediator being stepped (this kind, seed and round limit).
    #[default]
    Algorithm,
    /// Someone else: a person, or another algorithm or seed. The mediator
    /// hears it (see the module's documentation) but did not propose it.
    Outside,
}

/// A text the people voted on: the outcome, each side's vote, and who
/// proposed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The text.
    pub text: OutcomeId,
    /// One vote per side, in the order the sides are always given.
    pub votes: Vec<Vote>,
    /// The mediator's own text, or one from outside.
    pub source: Source,
}

impl Answered {
    /// A text the mediator being stepped proposed.
    pub fn algorithm(text: OutcomeId, votes: Vec<Vote>) -> Self {
        Self {
            text,
            votes,
            source: Source::Algorithm,
        }
    }

    /// A text someone else proposed.
    pub fn outside(text: OutcomeId, votes: Vec<Vote>) -> Self {
        Self {
            text,
            votes,
            source: Source::Outside,
        }
    }
}

/// What the mediator does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextText {
    /// Propose this text.
    Propose(OutcomeId),
    /// The mediator has nothing more to propose (its rounds are used, or
    /// polishing found no text every side could prefer); `current` is the
    /// text it holds, the last every side accepted (its own or from
    /// outside), or its opening text.
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
    /// The history holds a text as this mediator's that it, with this seed,
    /// these votes and these outside texts, would not have proposed.
    #[error(
        "text {text} is not the one this mediator proposes at that point (another mediator, seed or round limit proposed it)"
    )]
    Diverged {
        /// The text's number in the history, from 1.
        text: usize,
    },
}

/// The next text of mediator `kind` (random stream fixed by `seed`, at most
/// `rounds` texts of its own) after the texts of `history`, oldest first,
/// each with every side's vote: the mediator's own texts
/// ([`Source::Algorithm`]) and those it hears from outside
/// ([`Source::Outside`]; what each mediator makes of them: the module's
/// documentation).
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
        cursor: 0,
        question: None,
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
    let mut outside = Heard(Arc::clone(&replay));
    let (outcome, _) = run_named_heard(kind, space, &mut voters, rounds, seed, &mut outside);
    drop(voters);
    drop(outside);
    let replay = Arc::try_unwrap(replay)
        .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
        .unwrap_or_else(|shared| {
            shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        });
    if let Some(text) = replay.diverged {
        return Err(StepError::Diverged { text });
    }
    if let Some(text) = replay.pending {
        return Ok(NextText::Propose(text));
    }
    // The run ended with texts of the history left over: they are not
    // this run's.
    if replay.cursor < history.len() {
        return Err(StepError::Diverged {
            text: replay.cursor + 1,
        });
    }
    match outcome.agreement {
        Some(current) => Ok(NextText::Done { current }),
        // The recorded voters ratify whatever the mediator holds.
        None => Err(StepError::Diverged {
            text: history.len().max(1),
        }),
    }
}

/// The replay shared by the voters and the mediator's ear: the history,
/// where the mediator stands in it, and the first text it proposed beyond
/// it.
#[derive(Debug, Clone)]
struct Replay {
    history: Vec<Answered>,
    /// The next text of the history the mediator meets.
    cursor: usize,
    /// The text of the history the question being answered is about.
    question: Option<usize>,
    pending: Option<OutcomeId>,
    /// The first text of the history (from 1) the mediator did not propose.
    diverged: Option<usize>,
}

impl Replay {
    /// The mediator proposes `text` (asking about it, or opening with it):
    /// the history's next text must be that one, its own.
    fn proposed(&mut self, text: OutcomeId) -> Option<usize> {
        match self.history.get(self.cursor) {
            None => {
                self.pending.get_or_insert(text);
                None
            }
            Some(a) if a.source == Source::Algorithm && a.text == text => {
                self.cursor += 1;
                Some(self.cursor - 1)
            }
            Some(_) => {
                self.diverged.get_or_insert(self.cursor + 1);
                // Nothing is read past a divergence.
                self.cursor = self.history.len();
                self.pending.get_or_insert(text);
                None
            }
        }
    }
}

/// The mediator's ear: the outside texts at the replay's cursor.
#[derive(Debug)]
struct Heard(Arc<Mutex<Replay>>);

impl Outside for Heard {
    fn heard(&mut self) -> Vec<OutsideText> {
        let mut r = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::new();
        while let Some(a) = r.history.get(r.cursor) {
            if a.source != Source::Outside {
                break;
            }
            out.push(OutsideText {
                text: a.text,
                votes: a.votes.clone(),
            });
            r.cursor += 1;
        }
        out
    }

    fn opened(&mut self, text: OutcomeId) {
        let mut r = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        r.proposed(text);
    }
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
            r.question = r.proposed(proposal);
        }
        // Past the history nothing moves: the run ends without new texts
        // of its own.
        r.question
            .and_then(|q| r.history.get(q))
            .and_then(|a| a.votes.get(self.side).copied())
            .unwrap_or(Vote::Reject)
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
    use crate::mediators::run_named;

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
                            history.push(Answered::algorithm(text, votes));
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

    /// Issues in which two texts differ.
    fn distance(space: &OutcomeSpace, a: OutcomeId, b: OutcomeId) -> usize {
        space
            .decode(a)
            .iter()
            .zip(space.decode(b))
            .filter(|(x, y)| **x != *y)
            .count()
    }

    /// Steps `kind` with honest `people` for at most `texts` texts (or to
    /// its end): the history, and the people's current text (the last
    /// every side accepted, or the first text).
    fn step_with(
        kind: MediatorKind,
        space: &OutcomeSpace,
        people: &[Side],
        mut history: Vec<Answered>,
        texts: usize,
        rounds: u32,
        seed: u64,
    ) -> (Vec<Answered>, OutcomeId, Option<OutcomeId>) {
        let mut current = history
            .iter()
            .rev()
            .find(|a| a.votes.iter().all(|v| *v == Vote::Accept))
            .or(history.first())
            .map(|a| a.text);
        for _ in 0..texts {
            match next_text(kind, space, people.len(), &history, rounds, seed).expect("step") {
                NextText::Propose(text) => {
                    let base = current.unwrap_or(text);
                    let votes: Vec<Vote> = people.iter().map(|s| s.judge(base, text)).collect();
                    if current.is_none() || votes.iter().all(|v| *v == Vote::Accept) {
                        current = Some(text);
                    }
                    history.push(Answered::algorithm(text, votes));
                }
                NextText::Done { current: end } => {
                    // The mediator ends on the people's current text.
                    assert_eq!(current, Some(end), "{kind:?} seed {seed}");
                    return (history, end, Some(end));
                }
            }
        }
        (history, current.expect("a text"), None)
    }

    /// The next proposal, which must be one.
    fn proposal(
        kind: MediatorKind,
        space: &OutcomeSpace,
        history: &[Answered],
        rounds: u32,
        seed: u64,
    ) -> OutcomeId {
        match next_text(kind, space, 2, history, rounds, seed).expect("step") {
            NextText::Propose(text) => text,
            NextText::Done { current } => panic!("{kind:?} seed {seed}: done on {current}"),
        }
    }

    /// The text that differs from `text` in every issue.
    fn far_from(space: &OutcomeSpace, text: OutcomeId) -> OutcomeId {
        let values: Vec<usize> = space
            .decode(text)
            .iter()
            .enumerate()
            .map(|(i, &v)| (v + 1) % space.issue_size(i))
            .collect();
        space.encode(&values).expect("in the space")
    }

    const ACCEPTED: [Vote; 2] = [Vote::Accept, Vote::Accept];
    const REJECTED: [Vote; 2] = [Vote::Accept, Vote::Reject];

    /// A person's text every side accepted is the text the mediator's next
    /// proposal changes (one issue for hill-climb and the feedback
    /// mediator's first search, at most two otherwise), wherever the
    /// mediator stands; one a side rejected changes nothing.
    #[test]
    fn an_accepted_outside_text_is_what_the_next_proposal_changes() {
        // Five issues: a text within two issues of the person's text is at
        // least three from the mediator's own current text.
        let sizes = [3, 4, 2, 3, 3];
        let space = OutcomeSpace::of_sizes(&sizes).expect("space");
        let rounds = 80;
        for kind in MediatorKind::STEPPABLE {
            for seed in 0..3 {
                let people = sides(&sizes, seed + 20);
                let (whole, _, _) = step_with(kind, &space, &people, Vec::new(), 500, rounds, seed);
                // Early (the feedback mediator's first search), and late
                // (polishing; the hill climber's last rounds).
                for texts in [3, whole.len().saturating_sub(3).max(4)] {
                    let (history, current, done) =
                        step_with(kind, &space, &people, Vec::new(), texts, rounds, seed);
                    assert_eq!(done, None, "{kind:?} seed {seed}: ended early");
                    let person = far_from(&space, current);
                    let mut heard = history.clone();
                    heard.push(Answered::outside(person, ACCEPTED.to_vec()));
                    let next = proposal(kind, &space, &heard, rounds, seed);
                    let most = match kind {
                        MediatorKind::HillClimb => 1,
                        MediatorKind::Feedback if texts == 3 => 1,
                        _ => 2,
                    };
                    let d = distance(&space, next, person);
                    assert!(
                        (1..=most).contains(&d),
                        "{kind:?} seed {seed} after {texts}: the next text is {d} issues from the person's"
                    );
                    assert!(distance(&space, next, current) > 2);

                    // Rejected by a side: as if it had not been posted.
                    let mut refused = history.clone();
                    refused.push(Answered::outside(person, REJECTED.to_vec()));
                    assert_eq!(
                        proposal(kind, &space, &refused, rounds, seed),
                        proposal(kind, &space, &history, rounds, seed),
                        "{kind:?} seed {seed} after {texts}"
                    );

                    // The talks go on from the person's text: the people's
                    // texts never fall below it for either side, and the
                    // algorithm's own texts keep replaying.
                    let (rest, end, _) = step_with(kind, &space, &people, heard, 200, rounds, seed);
                    assert!(rest.len() > history.len() + 1);
                    for s in &people {
                        assert!(s.utility(end) >= s.utility(person), "{kind:?} seed {seed}");
                    }
                }
            }
        }
    }

    /// Texts a person posted before the algorithm's first: the last every
    /// side accepted is where the mediator starts (no opening of its own);
    /// none accepted, and it opens as it would have.
    #[test]
    fn outside_texts_before_the_first_set_the_start() {
        let sizes = [3, 4, 2, 3, 3];
        let space = OutcomeSpace::of_sizes(&sizes).expect("space");
        for kind in MediatorKind::STEPPABLE {
            for seed in 0..3 {
                let opening = proposal(kind, &space, &[], 50, seed);
                let person = far_from(&space, opening);
                let refused = [Answered::outside(person, REJECTED.to_vec())];
                assert_eq!(proposal(kind, &space, &refused, 50, seed), opening);
                let accepted = [
                    Answered::outside(far_from(&space, person), ACCEPTED.to_vec()),
                    Answered::outside(person, ACCEPTED.to_vec()),
                    Answered::outside(opening, REJECTED.to_vec()),
                ];
                let next = proposal(kind, &space, &accepted, 50, seed);
                let d = distance(&space, next, person);
                assert!((1..=2).contains(&d), "{kind:?} seed {seed}: {d}");
            }
        }
    }

    /// The feedback mediator learns from a person's text as from its own
    /// (GENIUS's feedback, accept as "better"): a person's text that is the
    /// one-issue change the mediator was about to propose, with the same
    /// votes, counts as proposed, and the mediator goes on as if it had
    /// proposed it. The hill climber learns nothing: it proposes its draw.
    #[test]
    fn the_feedback_mediator_counts_a_persons_one_issue_text_as_asked() {
        let sizes = [3, 4, 2, 3, 3];
        let space = OutcomeSpace::of_sizes(&sizes).expect("space");
        let people = sides(&sizes, 7);
        for seed in 0..4 {
            for votes in [ACCEPTED, REJECTED] {
                let kind = MediatorKind::Feedback;
                let (history, _, _) = step_with(kind, &space, &people, Vec::new(), 2, 60, seed);
                let about = proposal(kind, &space, &history, 60, seed);
                let mut own = history.clone();
                own.push(Answered::algorithm(about, votes.to_vec()));
                let mut persons = history.clone();
                persons.push(Answered::outside(about, votes.to_vec()));
                let after_own = proposal(kind, &space, &own, 60, seed);
                assert_ne!(after_own, about);
                assert_eq!(
                    proposal(kind, &space, &persons, 60, seed),
                    after_own,
                    "seed {seed} {votes:?}"
                );
                // Rejected, the hill climber still proposes what it drew.
                let kind = MediatorKind::HillClimb;
                let (history, _, _) = step_with(kind, &space, &people, Vec::new(), 2, 60, seed);
                let about = proposal(kind, &space, &history, 60, seed);
                let mut persons = history.clone();
                persons.push(Answered::outside(about, REJECTED.to_vec()));
                assert_eq!(proposal(kind, &space, &persons, 60, seed), about);
            }
        }
    }

    /// A mediator that has finished ends on a later outside text every
    /// side accepted: the hill climber (its rounds used) holds it; the
    /// feedback mediator (polishing found nothing more) polishes around it.
    #[test]
    fn a_finished_mediator_takes_an_accepted_outside_text() {
        let sizes = [3, 4, 2, 3, 3];
        let space = OutcomeSpace::of_sizes(&sizes).expect("space");
        let people = sides(&sizes, 3);
        let (history, current, done) = step_with(
            MediatorKind::HillClimb,
            &space,
            &people,
            Vec::new(),
            100,
            6,
            1,
        );
        assert_eq!(done, Some(current));
        let person = far_from(&space, current);
        let mut heard = history.clone();
        heard.push(Answered::outside(person, ACCEPTED.to_vec()));
        assert_eq!(
            next_text(MediatorKind::HillClimb, &space, 2, &heard, 6, 1),
            Ok(NextText::Done { current: person })
        );
        heard.pop();
        heard.push(Answered::outside(person, REJECTED.to_vec()));
        assert_eq!(
            next_text(MediatorKind::HillClimb, &space, 2, &heard, 6, 1),
            Ok(NextText::Done { current })
        );

        let kind = MediatorKind::Feedback;
        let (history, current, done) =
            step_with(kind, &space, &people, Vec::new(), 10_000, 10_000, 1);
        assert_eq!(done, Some(current), "polishing ends before the rounds");
        let person = far_from(&space, current);
        let mut heard = history;
        heard.push(Answered::outside(person, ACCEPTED.to_vec()));
        let next = proposal(kind, &space, &heard, 10_000, 1);
        let d = distance(&space, next, person);
        assert!((1..=2).contains(&d), "{d}");
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
        let wrong = [Answered::algorithm(other, votes.clone())];
        assert_eq!(
            next_text(kind, &space, 2, &wrong, 20, 1),
            Err(StepError::Diverged { text: 1 })
        );
        let short = [Answered::algorithm(first, vec![Vote::Accept])];
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
