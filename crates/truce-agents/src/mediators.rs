//! Mediators from the single-text literature, chosen by name
//! ([`MediatorKind`]). Each one sees only the parties' answers — accept or
//! reject, or GENIUS's better / same / worse — never a utility.
//!
//! * `hill-climb`: the baseline [`HillClimber`]:
//!   one random issue changed per round, a text every party accepts becomes
//!   the current one.
//! * `annealing`: the simulated-annealing protocol of Klein, Faratin, Sayama
//!   and Bar-Yam ("Negotiating complex contracts", 2003): the mediator mutates
//!   the current text (one or two issues); in the first half of the rounds
//!   every party votes as an *annealer*, accepting a worse text with
//!   probability `exp(-Δu / T)` under the temperature the mediator announces
//!   (falling linearly from 0.1 to 0), and never a text below its
//!   reservation value unless it improves on the current one; then the
//!   mediator polishes (below).
//! * `feedback`: the feedback mediator of GENIUS 10.4
//!   (`parties.feedbackmediator.FeedbackMediator` under
//!   `MediatorFeedbackBasedProtocol`): the mediator changes one issue of
//!   the text, each party says whether the new text is better, the same or
//!   worse for it, and from these answers the mediator learns, per party and
//!   issue, which values the party prefers (GENIUS's
//!   `ValuePreferenceGraphMap`), first proposing the values it has not tried
//!   (`getMissingValue`). The accepted text is the last one no party found
//!   worse, as in GENIUS. Departures, stated: GENIUS walks on from its last
//!   proposal even when a party found it worse, so its agreement is only no
//!   worse than its predecessor; here the mediator always changes the last
//!   accepted text. GENIUS's `mayImproveAll` returns `false` on every path
//!   (a bug in 10.4), so its third search never fires; here it is what it
//!   says (no party is known to like the new value less). Then the mediator
//!   polishes, skipping every trade its learned preferences show one party
//!   would refuse.
//!
//! * `mopac`: the MOPaC protocol of Murukannaiah, Jonker and Pasman
//!   ("MOPaC: The Multiple Offers Protocol for Multilateral Negotiations
//!   with Partial Consensus", arXiv:2205.06678, 2022; GeniusWeb's
//!   `geniusweb.protocol.session.mopac`), the mediator running its rounds:
//!   each party puts an offer on the table (offer phase), votes for any
//!   offers on the table (voting phase), sees every party's votes and may
//!   extend, never withdraw, its own (opt-in phase); the mediator then takes
//!   as agreement an offer every party voted for (among several, the one
//!   with the most votes before the opt-in, then the first on the table).
//!   A party reveals only its offers and votes, as the protocol has it. The
//!   parties here concede linearly from their best outcome to their floor
//!   over the MOPaC rounds (half the session's rounds, at most 200), offer,
//!   among their outcomes at that level, the one the others' public offers
//!   and votes suggest they like best, and vote for offers at their level.
//!   Departures, stated: MOPaC allows partial consensus (a subset of the
//!   parties agreeing); a single text needs every party, so only full
//!   consensus counts, and GeniusWeb's conditional votes (`minPower`,
//!   `maxPower`) are plain votes. Then the mediator polishes the agreed
//!   text (or, with none, the offer with the most votes).
//!
//! **Polishing** (`annealing`, `feedback` and `mopac`): the mediator proposes
//! every change of one issue and every trade of two issues around the
//! current text, in a random order, moving whenever every party accepts; it
//! stops early when a whole pass brings no new text (the text is then
//! Pareto-optimal among its neighbours; on additive domains that is, in
//! practice, on or next to the frontier).

use std::collections::HashSet;
use std::str::FromStr;

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::SessionError;
use crate::outcome::{End, SessionOutcome};
use crate::single_text::{Feedback, HillClimber, Nobody, Outside, OutsideText, Vote, Voter};
use crate::space::{OutcomeId, OutcomeSpace};
use crate::view::PublicOffer;

/// The single-text mediator, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MediatorKind {
    /// One random issue changed per round; moves on unanimous acceptance.
    HillClimb,
    /// Klein et al.'s annealing voters, then polishing.
    Annealing,
    /// GENIUS's feedback mediator (better / same / worse), then polishing.
    #[default]
    Feedback,
    /// MOPaC rounds (offers, votes, opt-in), then polishing.
    Mopac,
}

impl MediatorKind {
    /// Every mediator, in the order `--help` lists them.
    pub const ALL: [Self; 4] = [
        Self::HillClimb,
        Self::Annealing,
        Self::Feedback,
        Self::Mopac,
    ];

    /// The mediators that can be driven by accept/reject votes alone, one
    /// text at a time ([`crate::stepped::next_text`]): not MOPaC, whose
    /// parties put offers of their own on the table.
    pub const STEPPABLE: [Self; 3] = [Self::HillClimb, Self::Annealing, Self::Feedback];

    /// Whether [`crate::stepped::next_text`] can drive this mediator.
    pub fn steppable(self) -> bool {
        Self::STEPPABLE.contains(&self)
    }

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::HillClimb => "hill-climb",
            Self::Annealing => "annealing",
            Self::Feedback => "feedback",
            Self::Mopac => "mopac",
        }
    }
}

impl FromStr for MediatorKind {
    type Err = SessionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|k| k.name() == key || (key == "hillclimb" && *k == Self::HillClimb))
            .ok_or_else(|| SessionError::UnknownMediator(s.to_owned()))
    }
}

/// The temperature the annealing mediator opens with (utilities are in
/// [0, 1]: a loss of 0.1 is accepted with probability 1/e at the start).
const START_TEMPERATURE: f64 = 0.1;

/// Above this many one- and two-issue neighbours, polishing draws random
/// neighbours instead of listing them.
const MAX_LISTED_NEIGHBOURS: usize = 200_000;

/// The issues a neighbour changes: `(issue, from value, to value)`.
type Moved = [(usize, usize, usize)];

/// A change of one or two issues: `(issue, value)` pairs.
type Change = [(u32, u32); 2];
const NONE: u32 = u32::MAX;

/// What a mediator makes of the texts: which changes are worth proposing,
/// and what the votes on a text it did not propose teach it.
trait Guide {
    /// Whether changing the current text by `moved` is worth asking.
    fn worth(&self, moved: &Moved) -> bool;
    /// A text proposed by someone else (`after`, its values), heard while
    /// the current text had the values `before`, with every party's vote.
    fn heard(&mut self, before: &[usize], after: &[usize], votes: &[Vote]);
}

/// A mediator that learns nothing from votes: every change is worth asking.
struct Blind;

impl Guide for Blind {
    fn worth(&self, _moved: &Moved) -> bool {
        true
    }
    fn heard(&mut self, _before: &[usize], _after: &[usize], _votes: &[Vote]) {}
}

/// The running session: texts proposed, acceptances, the current text.
struct Run<'a> {
    space: &'a OutcomeSpace,
    /// The mediator's own texts (outside texts are not recorded here: they
    /// do not count towards its rounds).
    offers: Vec<PublicOffer>,
    accepted: Vec<bool>,
    current: OutcomeId,
    values: Vec<usize>,
    rounds: u32,
    /// Texts the session has accepted (a tie accepted again is no progress).
    seen: HashSet<OutcomeId>,
    /// Texts proposed by others (single text with people).
    outside: &'a mut dyn Outside,
    scratch: Vec<usize>,
}

impl<'a> Run<'a> {
    /// The session from `open`, the mediator's random opening, or from the
    /// last text heard before it that every party accepted.
    fn new(
        space: &'a OutcomeSpace,
        open: OutcomeId,
        rounds: u32,
        outside: &'a mut dyn Outside,
    ) -> Self {
        let capacity = rounds.min(4096) as usize + 1;
        let mut offers = Vec::with_capacity(capacity);
        let mut accepted = Vec::with_capacity(capacity);
        let (start, proposed) = crate::single_text::start(outside, open);
        if proposed {
            offers.push(PublicOffer {
                round: 0,
                proposer: usize::MAX,
                outcome: start,
            });
            accepted.push(true);
        }
        let mut values = Vec::new();
        space.decode_into(start, &mut values);
        Self {
            space,
            offers,
            accepted,
            current: start,
            values,
            rounds,
            seen: HashSet::from([start]),
            outside,
            scratch: Vec::new(),
        }
    }

    fn left(&self) -> bool {
        (self.offers.len() as u32) < self.rounds
    }

    /// Takes in the texts others proposed since the mediator last asked:
    /// `guide` learns from their votes, and a text every party accepted
    /// becomes the current text (the last text every party accepted, as
    /// after the mediator's own). Returns whether the current text moved.
    fn hear(&mut self, guide: &mut dyn Guide) -> bool {
        let heard: Vec<OutsideText> = self.outside.heard();
        let mut moved = false;
        for t in heard {
            self.space.decode_into(t.text, &mut self.scratch);
            guide.heard(&self.values, &self.scratch, &t.votes);
            if t.accepted() && t.text != self.current {
                self.current = t.text;
                std::mem::swap(&mut self.values, &mut self.scratch);
                self.seen.insert(t.text);
                moved = true;
            }
        }
        moved
    }

    /// Records a proposal and moves to it when accepted. Returns whether
    /// this is a text the session had not accepted before.
    fn record(&mut self, proposal: OutcomeId, all: bool) -> bool {
        let round = self.offers.len() as u32;
        self.offers.push(PublicOffer {
            round,
            proposer: usize::MAX,
            outcome: proposal,
        });
        self.accepted.push(all);
        if all {
            self.current = proposal;
            self.space.decode_into(proposal, &mut self.values);
            return self.seen.insert(proposal);
        }
        false
    }

    /// The current text with `change` applied (`None` when it is the current
    /// text or outside a sampled space).
    fn apply(&self, change: &Change) -> Option<OutcomeId> {
        let mut v = self.values.clone();
        let mut changed = false;
        for &(issue, value) in change {
            if issue == NONE {
                continue;
            }
            let slot = v.get_mut(issue as usize)?;
            if *slot != value as usize {
                *slot = value as usize;
                changed = true;
            }
        }
        if !changed {
            return None;
        }
        self.space.encode(&v).filter(|&id| id != self.current)
    }

    fn finish(
        mut self,
        voters: &mut [Box<dyn Voter>],
        guide: &mut dyn Guide,
    ) -> (SessionOutcome, Vec<bool>) {
        // Texts heard after the mediator's last question still set the
        // text it ends on.
        self.hear(guide);
        let agreed = voters
            .iter_mut()
            .all(|v| v.ratify(self.current) == Vote::Accept);
        let (agreement, end) = if agreed {
            (Some(self.current), End::Agreement)
        } else {
            (None, End::Rejected)
        };
        let rounds = self.offers.len() as u32;
        (
            SessionOutcome::new(agreement, rounds, end, self.offers),
            self.accepted,
        )
    }
}

/// Runs single-text with the named mediator for at most `rounds` texts
/// (fewer when polishing ends early).
pub(crate) fn run_named(
    kind: MediatorKind,
    space: &OutcomeSpace,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
    seed: u64,
) -> (SessionOutcome, Vec<bool>) {
    run_named_heard(kind, space, voters, rounds, seed, &mut Nobody)
}

/// [`run_named`], the mediator hearing the texts others propose between its
/// own from `outside` ([`crate::stepped`] says what each mediator makes of
/// them). MOPaC hears none: its table is the parties'.
pub(crate) fn run_named_heard(
    kind: MediatorKind,
    space: &OutcomeSpace,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
    seed: u64,
    outside: &mut dyn Outside,
) -> (SessionOutcome, Vec<bool>) {
    match kind {
        MediatorKind::HillClimb => {
            let mut mediator = HillClimber::new(seed);
            crate::single_text::run_heard(space, &mut mediator, voters, rounds, outside)
        }
        MediatorKind::Annealing => annealing(space, voters, rounds, seed, outside),
        MediatorKind::Feedback => feedback(space, voters, rounds, seed, outside),
        MediatorKind::Mopac => mopac(space, voters, rounds, seed),
    }
}

/// MOPaC rounds at most (and at most half the session's rounds).
const MOPAC_ROUNDS: u32 = 200;

fn mopac(
    space: &OutcomeSpace,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
    seed: u64,
) -> (SessionOutcome, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = open(space, &mut rng);
    let mut nobody = Nobody;
    let mut run = Run::new(space, start, rounds, &mut nobody);
    // No opening text: the table is the parties'.
    run.offers.clear();
    run.accepted.clear();
    run.seen.clear();
    let parties = voters.len();
    // Each MOPaC round records one text per offer.
    let per_round = parties.max(1) as u32;
    let mopac_rounds = (rounds / 2 / per_round).clamp(1, MOPAC_ROUNDS);
    let mut history: Vec<crate::single_text::MopacTable> = Vec::new();
    let mut agreed: Option<OutcomeId> = None;
    let mut fallback: Option<(usize, OutcomeId)> = None;
    for r in 0..mopac_rounds {
        // A round records one text per party: it must fit the deadline.
        if run.offers.len() as u32 + per_round > rounds {
            break;
        }
        let view = crate::single_text::MopacRound {
            round: r,
            rounds: mopac_rounds,
            history: &history,
        };
        let offers: Vec<(usize, OutcomeId)> = voters
            .iter_mut()
            .enumerate()
            .filter_map(|(p, v)| v.mopac_offer(&view).map(|o| (p, o)))
            .collect();
        let table: Vec<OutcomeId> = offers.iter().map(|x| x.1).collect();
        let first: Vec<Vec<bool>> = voters
            .iter_mut()
            .map(|v| {
                let mut x = v.mopac_votes(&view, &table);
                x.resize(table.len(), false);
                x
            })
            .collect();
        // Opt-in: a vote once cast stays.
        let votes: Vec<Vec<bool>> = voters
            .iter_mut()
            .zip(&first)
            .map(|(v, own)| {
                let ext = v.mopac_opt_in(&view, &table, &first, own);
                own.iter()
                    .enumerate()
                    .map(|(k, &x)| x || ext.get(k).copied().unwrap_or(false))
                    .collect()
            })
            .collect();
        let support = |k: usize, of: &[Vec<bool>]| {
            of.iter()
                .filter(|v| v.get(k).copied().unwrap_or(false))
                .count()
        };
        let full: Vec<usize> = (0..table.len())
            .filter(|&k| support(k, &votes) == parties)
            .collect();
        let pick = full
            .iter()
            .copied()
            .max_by(|&a, &b| support(a, &first).cmp(&support(b, &first)).then(b.cmp(&a)));
        for (k, &(p, o)) in offers.iter().enumerate() {
            let round = run.offers.len() as u32;
            run.offers.push(PublicOffer {
                round,
                proposer: p,
                outcome: o,
            });
            run.accepted.push(pick == Some(k));
            let s = support(k, &votes);
            if fallback.is_none_or(|(best, _)| s > best) {
                fallback = Some((s, o));
            }
        }
        history.push(crate::single_text::MopacTable { offers, votes });
        if let Some(k) = pick {
            agreed = table.get(k).copied();
            break;
        }
    }
    let text = agreed.or(fallback.map(|f| f.1)).unwrap_or(start);
    run.current = text;
    space.decode_into(text, &mut run.values);
    run.seen.insert(text);
    polish(&mut run, voters, &mut rng, &mut Blind, false);
    run.finish(voters, &mut Blind)
}

fn open(space: &OutcomeSpace, rng: &mut ChaCha8Rng) -> OutcomeId {
    rng.random_range(0..space.len().max(1)) as OutcomeId
}

/// A random change of one issue (or two, half the time) to another value.
fn mutation(space: &OutcomeSpace, values: &[usize], rng: &mut ChaCha8Rng) -> Change {
    let mut change = [(NONE, NONE); 2];
    let issues = space.issues();
    let width = if rng.random_bool(0.5) { 2 } else { 1 };
    for slot in change.iter_mut().take(width) {
        for _ in 0..8 {
            let issue = rng.random_range(0..issues.max(1));
            let size = space.issue_size(issue);
            if size < 2 {
                continue;
            }
            let now = values.get(issue).copied().unwrap_or(0);
            let value = (now + rng.random_range(1..size)) % size;
            *slot = (issue as u32, value as u32);
            break;
        }
    }
    change
}

fn annealing(
    space: &OutcomeSpace,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
    seed: u64,
    outside: &mut dyn Outside,
) -> (SessionOutcome, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = open(space, &mut rng);
    let mut run = Run::new(space, start, rounds, outside);
    let hot = rounds / 2;
    while run.left() && (run.offers.len() as u32) < hot {
        run.hear(&mut Blind);
        let change = mutation(space, &run.values, &mut rng);
        let proposal = match run.apply(&change) {
            Some(p) => p,
            // Most changes leave a sampled space: draw from the sample.
            None if space.is_sampled() => open(space, &mut rng),
            None => {
                // A change that gives no new text costs a round, so a
                // domain of one outcome still ends.
                let current = run.current;
                run.record(current, true);
                continue;
            }
        };
        let t = START_TEMPERATURE * (1.0 - run.offers.len() as f64 / f64::from(hot.max(1)));
        let current = run.current;
        let all = voters
            .iter_mut()
            .all(|v| v.vote_annealing(current, proposal, t) == Vote::Accept);
        run.record(proposal, all);
    }
    polish(&mut run, voters, &mut rng, &mut Blind, false);
    run.finish(voters, &mut Blind)
}

/// Asks every party about `proposal` against the current text and records
/// it. With `strict` (the feedback protocol) the text moves only when no
/// party finds it worse and one finds it better; otherwise on unanimous
/// acceptance. Returns whether the session reached a text it had not held.
fn ask(
    run: &mut Run<'_>,
    voters: &mut [Box<dyn Voter>],
    proposal: OutcomeId,
    strict: bool,
) -> bool {
    let current = run.current;
    let all = if strict {
        let mut better = false;
        let mut worse = false;
        for v in voters.iter_mut() {
            match v.feedback(current, proposal) {
                Feedback::Better => better = true,
                Feedback::Worse => worse = true,
                Feedback::Same => {}
            }
        }
        better && !worse
    } else {
        voters
            .iter_mut()
            .all(|v| v.vote(current, proposal) == Vote::Accept)
    };
    run.record(proposal, all)
}

/// Polishing in a sampled space (a domain above the enumeration cap): the
/// neighbours are the sampled outcomes nearest the current text (fewest
/// issues changed, at most 2,000, ties in a random order).
fn polish_sampled(
    run: &mut Run<'_>,
    voters: &mut [Box<dyn Voter>],
    rng: &mut ChaCha8Rng,
    guide: &mut dyn Guide,
    strict: bool,
) {
    let space = run.space;
    let n = space.len();
    let mut other = Vec::with_capacity(space.issues());
    let mut near: Vec<(usize, u64, OutcomeId)> = Vec::with_capacity(n);
    while run.left() {
        run.hear(guide);
        near.clear();
        for id in 0..n as OutcomeId {
            if id == run.current {
                continue;
            }
            space.decode_into(id, &mut other);
            let d = other
                .iter()
                .zip(&run.values)
                .filter(|(a, b)| a != b)
                .count();
            near.push((d, rng.random::<u64>(), id));
        }
        let keep = near.len().min(2_000);
        if keep == 0 {
            return;
        }
        near.select_nth_unstable(keep - 1);
        near.truncate(keep);
        near.sort_unstable();
        let mut moved = false;
        for &(_, _, id) in &near {
            if !run.left() {
                return;
            }
            // A text every party accepted moved the current one: list
            // the neighbours of the new one.
            if run.hear(guide) {
                moved = true;
                break;
            }
            if ask(run, voters, id, strict) {
                moved = true;
                break;
            }
        }
        if !moved {
            return;
        }
    }
}

/// Each neighbour (one- and two-issue changes of the current text) in a
/// random order, moving whenever every party accepts, until a whole pass
/// brings no new text or the rounds run out.
fn polish(
    run: &mut Run<'_>,
    voters: &mut [Box<dyn Voter>],
    rng: &mut ChaCha8Rng,
    guide: &mut dyn Guide,
    strict: bool,
) {
    let space = run.space;
    if space.is_sampled() {
        polish_sampled(run, voters, rng, guide, strict);
        return;
    }
    let sizes: Vec<usize> = (0..space.issues()).map(|i| space.issue_size(i)).collect();
    let singles: usize = sizes.iter().map(|s| s.saturating_sub(1)).sum();
    let pairs: usize = {
        let mut total = 0usize;
        let mut before = 0usize;
        for s in &sizes {
            let s = s.saturating_sub(1);
            total = total.saturating_add(before.saturating_mul(s));
            before += s;
        }
        total
    };
    let listed = singles.saturating_add(pairs) <= MAX_LISTED_NEIGHBOURS;
    // Neighbours are listed by value *offset* (1..size), so a list stays
    // valid after the current text moves.
    let mut list: Vec<Change> = Vec::new();
    if listed {
        for (i, &si) in sizes.iter().enumerate() {
            for oi in 1..si {
                list.push([(i as u32, oi as u32), (NONE, NONE)]);
            }
        }
        for (i, &si) in sizes.iter().enumerate() {
            for (j, &sj) in sizes.iter().enumerate().skip(i + 1) {
                for oi in 1..si {
                    for oj in 1..sj {
                        list.push([(i as u32, oi as u32), (j as u32, oj as u32)]);
                    }
                }
            }
        }
    }
    let pass = if listed { list.len() } else { 20_000 };
    if pass == 0 {
        return;
    }
    let mut fruitless = 0usize;
    let mut k = 0usize;
    let mut moved: Vec<(usize, usize, usize)> = Vec::with_capacity(2);
    loop {
        // A text every party accepted moved the current one: its
        // neighbours are a new pass.
        if run.hear(guide) {
            fruitless = 0;
        }
        if !run.left() || fruitless >= pass {
            break;
        }
        if listed && k.is_multiple_of(list.len()) {
            list.shuffle(rng);
        }
        let offsets = if listed {
            list[k % list.len()]
        } else {
            let m = mutation(space, &run.values, rng);
            // Express a random mutation as offsets, like a listed one.
            m.map(|(i, v)| {
                if i == NONE {
                    (NONE, NONE)
                } else {
                    let size = sizes[i as usize];
                    let now = run.values[i as usize];
                    (i, ((v as usize + size - now) % size) as u32)
                }
            })
        };
        k += 1;
        fruitless += 1;
        moved.clear();
        let mut change = [(NONE, NONE); 2];
        for (slot, &(i, off)) in change.iter_mut().zip(&offsets) {
            if i == NONE {
                continue;
            }
            let size = sizes[i as usize];
            let now = run.values[i as usize];
            let to = (now + off as usize) % size;
            *slot = (i, to as u32);
            moved.push((i as usize, now, to));
        }
        if !guide.worth(&moved) {
            continue;
        }
        let Some(proposal) = run.apply(&change) else {
            continue;
        };
        if ask(run, voters, proposal, strict) {
            fruitless = 0;
        }
    }
}

/// What the feedback mediator has learnt of one party's order of one
/// issue's values: `order[a][b]` is `Some(Ordering)` of value `b` against `a`.
type Learnt = Vec<Vec<Option<std::cmp::Ordering>>>;

/// The feedback mediator's model of the parties (GENIUS's
/// `ValuePreferenceGraphMap`): `learnt[party][issue][a][b]`.
struct Learner {
    learnt: Vec<Vec<Learnt>>,
}

impl Learner {
    fn new(parties: usize, sizes: &[usize]) -> Self {
        Self {
            learnt: (0..parties)
                .map(|_| sizes.iter().map(|&s| vec![vec![None; s]; s]).collect())
                .collect(),
        }
    }

    /// Party `p` finds value `to` of `issue` better, the same or worse
    /// than `from`.
    fn learn(&mut self, p: usize, issue: usize, from: usize, to: usize, f: Feedback) {
        use std::cmp::Ordering;
        let o = match f {
            Feedback::Better => Ordering::Greater,
            Feedback::Same => Ordering::Equal,
            Feedback::Worse => Ordering::Less,
        };
        if let Some(table) = self.learnt.get_mut(p).and_then(|l| l.get_mut(issue)) {
            table[from][to] = Some(o);
            table[to][from] = Some(o.reverse());
        }
    }

    /// Whether every party's order of `value` against `from` is known.
    fn asked(&self, issue: usize, from: usize, value: usize) -> bool {
        self.learnt.iter().all(|p| p[issue][from][value].is_some())
    }

    /// Known order of `to` against `from`, directly or through one value.
    fn known(&self, p: usize, issue: usize, from: usize, to: usize) -> Option<std::cmp::Ordering> {
        use std::cmp::Ordering;
        let table = &self.learnt[p][issue];
        if let Some(o) = table[from][to] {
            return Some(o);
        }
        table[from].iter().enumerate().find_map(|(mid, a)| {
            let b = table[mid][to]?;
            match (a.as_ref()?, b) {
                (Ordering::Greater | Ordering::Equal, Ordering::Greater)
                | (Ordering::Greater, Ordering::Equal) => Some(Ordering::Greater),
                (Ordering::Less | Ordering::Equal, Ordering::Less)
                | (Ordering::Less, Ordering::Equal) => Some(Ordering::Less),
                (Ordering::Equal, Ordering::Equal) => Some(Ordering::Equal),
                _ => None,
            }
        })
    }
}

impl Guide for Learner {
    /// A trade is worth proposing unless some party is known to like each
    /// of its changes no better and one of them less (on an additive domain
    /// it then refuses).
    fn worth(&self, moved: &Moved) -> bool {
        use std::cmp::Ordering;
        (0..self.learnt.len()).all(|p| {
            let orders: Vec<Option<Ordering>> = moved
                .iter()
                .map(|&(i, from, to)| self.known(p, i, from, to))
                .collect();
            let sure_loss = orders
                .iter()
                .all(|o| matches!(o, Some(Ordering::Less | Ordering::Equal)))
                && orders.contains(&Some(Ordering::Less));
            !sure_loss
        })
    }

    /// A text that changes one issue of the current text teaches what the
    /// mediator's own one-issue texts teach: an accept is "better", a
    /// reject "worse" (people answer accept or reject only). A text that
    /// changes more issues says nothing of any one of them.
    fn heard(&mut self, before: &[usize], after: &[usize], votes: &[Vote]) {
        let mut changed = before
            .iter()
            .zip(after)
            .enumerate()
            .filter(|(_, (a, b))| a != b);
        let (Some((issue, (&from, &to))), None) = (changed.next(), changed.next()) else {
            return;
        };
        for (p, v) in votes.iter().enumerate() {
            let f = match v {
                Vote::Accept => Feedback::Better,
                Vote::Reject => Feedback::Worse,
            };
            self.learn(p, issue, from, to, f);
        }
    }
}

fn feedback(
    space: &OutcomeSpace,
    voters: &mut [Box<dyn Voter>],
    rounds: u32,
    seed: u64,
    outside: &mut dyn Outside,
) -> (SessionOutcome, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = open(space, &mut rng);
    let mut run = Run::new(space, start, rounds, outside);
    let sizes: Vec<usize> = (0..space.issues()).map(|i| space.issue_size(i)).collect();
    let mut learner = Learner::new(voters.len(), &sizes);
    // GENIUS's `getMissingValue`: every issue (random order), every value
    // not yet tried, each as a one-issue change of the accepted text.
    let mut issues: Vec<usize> = (0..sizes.len()).collect();
    issues.shuffle(&mut rng);
    let mut answers = Vec::with_capacity(voters.len());
    for &issue in &issues {
        let mut order: Vec<usize> = (0..sizes[issue]).collect();
        order.shuffle(&mut rng);
        for value in order {
            if !run.left() {
                break;
            }
            // The one-issue change to ask about, if not asked already.
            let candidate = |run: &Run<'_>, learner: &Learner| {
                let from = run.values[issue];
                if value == from || learner.asked(issue, from, value) {
                    return None;
                }
                run.apply(&[(issue as u32, value as u32), (NONE, NONE)])
                    .map(|p| (from, p))
            };
            if candidate(&run, &learner).is_none() {
                continue;
            }
            // Texts others proposed are heard just before the mediator
            // asks, and may answer the question (or move the text it
            // changes): a person's text that is this very change, with
            // the same votes, leaves the mediator where its own would.
            run.hear(&mut learner);
            let Some((from, proposal)) = candidate(&run, &learner) else {
                continue;
            };
            let current = run.current;
            answers.clear();
            answers.extend(voters.iter_mut().map(|v| v.feedback(current, proposal)));
            for (p, &f) in answers.iter().enumerate() {
                learner.learn(p, issue, from, value, f);
            }
            let all = answers.iter().all(|f| *f != Feedback::Worse);
            run.record(proposal, all);
        }
    }
    polish(&mut run, voters, &mut rng, &mut learner, true);
    run.finish(voters, &mut learner)
}
