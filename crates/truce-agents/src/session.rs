//! One negotiation session: options, the result (the JSON contract of `truce
//! negotiate`), and its text rendering.

use std::str::FromStr;
use std::sync::Arc;

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use truce_negotiate::{Domain, Utility};

use crate::agents::AgentKind;
use crate::error::SessionError;
use crate::mediators::MediatorKind;
use crate::outcome::{End, SessionOutcome};
use crate::sao::{self, Deadline};
use crate::seed::mix;
use crate::single_text::{HonestVoter, Voter};
use crate::space::{OutcomeId, OutcomeSpace, Prepared};

mod additive;
mod dominance;

use dominance::dominates;

/// The most rounds a session runs (ANAC uses 100 to a few thousand; a
/// million keeps every session's memory and time bounded).
pub const MAX_ROUNDS: u32 = 1_000_000;

/// The negotiation protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// Stacked alternating offers (NegMAS `SAOMechanism`).
    #[default]
    Sao,
    /// Mediated single-text: parties only accept or veto the mediator's text.
    SingleText,
}

impl FromStr for Protocol {
    type Err = SessionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sao" => Ok(Self::Sao),
            "single-text" | "single_text" | "singletext" => Ok(Self::SingleText),
            _ => Err(SessionError::UnknownProtocol(s.to_owned())),
        }
    }
}

/// Options of one session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionOptions {
    /// One agent per party, in profile-file order (the first opens). In
    /// single-text every party votes honestly whatever its agent.
    pub agents: Vec<AgentKind>,
    /// The protocol.
    pub protocol: Protocol,
    /// Round limit (NegMAS `n_steps`); 0 means none (then a time limit and a
    /// clock are needed).
    pub rounds: u32,
    /// Time limit in seconds, measured with the clock given to
    /// [`run_prepared`]; `None` for rounds only (deterministic).
    pub time_limit: Option<f64>,
    /// Seed of every random choice (random agents, the mediator).
    pub seed: u64,
    /// Single-text: the mediator (`feedback` by default).
    pub mediator: MediatorKind,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            agents: vec![AgentKind::Aspiration, AgentKind::Boulware],
            protocol: Protocol::Sao,
            rounds: 100,
            time_limit: None,
            seed: 0,
            mediator: MediatorKind::default(),
        }
    }
}

/// One offer of the trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEntry {
    /// Round (NegMAS `step`), from 0.
    pub round: u32,
    /// The party that made the offer, or `mediator`.
    pub proposer: Proposer,
    /// The outcome; serialised as its values in issue order.
    pub offer: Offer,
    /// Every party's utility of the offer (profile-file order).
    pub utilities: Utilities,
    /// Single-text only: whether every party accepted the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
}

/// Every party's utility of one offer (serialised as the list of numbers):
/// held in place for two parties, else a slice of one buffer the whole
/// trace shares.
#[derive(Debug, Clone)]
pub struct Utilities(UtilitiesRepr);

/// Where a [`Utilities`]' numbers are.
#[derive(Debug, Clone)]
enum UtilitiesRepr {
    /// Two parties: no reference count to raise and drop per offer.
    Pair([f64; 2]),
    /// Any other number of parties.
    Shared {
        all: Arc<[f64]>,
        at: usize,
        parties: usize,
    },
}

impl Utilities {
    /// The utilities as a slice.
    pub fn as_slice(&self) -> &[f64] {
        match &self.0 {
            UtilitiesRepr::Pair(u) => u,
            UtilitiesRepr::Shared { all, at, parties } => {
                all.get(*at..*at + *parties).unwrap_or(&[])
            }
        }
    }
}

impl std::ops::Deref for Utilities {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a Utilities {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl PartialEq for Utilities {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Vec<f64>> for Utilities {
    fn eq(&self, other: &Vec<f64>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Utilities> for Vec<f64> {
    fn eq(&self, other: &Utilities) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Serialize for Utilities {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

/// Who made an offer: a party's name or `mediator`, shared by every offer
/// of the trace it made (serialised as the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposer(Arc<str>);

impl Proposer {
    /// The proposer named `name`.
    pub fn new(name: &str) -> Self {
        Self(Arc::from(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Proposer {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Proposer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for Proposer {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Proposer {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Proposer {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Proposer> for String {
    fn eq(&self, other: &Proposer) -> bool {
        **self == *other.0
    }
}

impl Serialize for Proposer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The value names of a session's outcomes, shared by every [`Offer`] of
/// its trace: a trace holds outcome ids and names values only when it is
/// written out.
#[derive(Debug, PartialEq)]
pub struct OutcomeNames {
    space: Arc<OutcomeSpace>,
    /// Every value name of every issue, one after another (one allocation
    /// a session rather than one a value).
    text: String,
    /// `ends[first[issue] + value]`: where that value's name ends in `text`
    /// (it starts where the one before it ends).
    ends: Vec<usize>,
    /// Each issue's first entry in `ends`, and one past the last issue's.
    first: Vec<usize>,
}

impl OutcomeNames {
    /// The names of a prepared domain's outcomes.
    pub fn new(domain: &Domain, prepared: &Prepared) -> Self {
        let values = || domain.issues.iter().flat_map(|i| &i.values);
        let mut text = String::with_capacity(values().map(String::len).sum());
        let mut ends = Vec::with_capacity(values().count());
        let mut first = Vec::with_capacity(domain.issues.len() + 1);
        for issue in &domain.issues {
            first.push(ends.len());
            for v in &issue.values {
                text.push_str(v);
                ends.push(text.len());
            }
        }
        first.push(ends.len());
        Self {
            space: Arc::clone(&prepared.space),
            text,
            ends,
            first,
        }
    }

    /// The name of value `v` of `issue` ("" for one out of range).
    fn value(&self, issue: usize, v: usize) -> &str {
        let (Some(&lo), Some(&hi)) = (self.first.get(issue), self.first.get(issue + 1)) else {
            return "";
        };
        let k = lo + v;
        if k >= hi {
            return "";
        }
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        self.text.get(start..self.ends[k]).unwrap_or("")
    }

    fn name<'a>(&'a self, id: OutcomeId) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let indices = self.space.decode(id);
        (0..self.first.len().saturating_sub(1))
            .map(move |issue| indices.get(issue).map_or("", |&v| self.value(issue, v)))
    }
}

/// An offered outcome: its id in the session's outcome space and the
/// shared names of its values.
#[derive(Debug, Clone)]
pub struct Offer {
    id: OutcomeId,
    names: Arc<OutcomeNames>,
}

impl Offer {
    /// The outcome `id` named by `names`.
    pub fn new(id: OutcomeId, names: Arc<OutcomeNames>) -> Self {
        Self { id, names }
    }

    /// The outcome's id in the session's outcome space.
    pub fn id(&self) -> OutcomeId {
        self.id
    }

    /// The outcome's values, in issue order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.names.name(self.id)
    }

    /// The outcome's values, in issue order, as owned strings.
    pub fn values(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// The values joined by `sep`.
    pub fn join(&self, sep: &str) -> String {
        self.values().join(sep)
    }
}

impl PartialEq for Offer {
    fn eq(&self, other: &Self) -> bool {
        (self.id == other.id && Arc::ptr_eq(&self.names, &other.names))
            || self.iter().eq(other.iter())
    }
}

impl PartialEq<Vec<String>> for Offer {
    fn eq(&self, other: &Vec<String>) -> bool {
        self.iter().eq(other.iter().map(String::as_str))
    }
}

impl PartialEq<Offer> for Vec<String> {
    fn eq(&self, other: &Offer) -> bool {
        other == self
    }
}

impl Serialize for Offer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let values = self.iter();
        let mut seq = serializer.serialize_seq(Some(values.len()))?;
        for v in values {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

/// The result of one session: the JSON contract of `truce negotiate`
/// (`agreement`, `utilities`, `rounds`, `trace[{round, proposer, offer}]`)
/// plus context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// Domain name.
    pub domain: String,
    /// The protocol.
    pub protocol: Protocol,
    /// Issue names, in the order of offer values.
    pub issues: Vec<String>,
    /// Party names, profile-file order.
    pub parties: Vec<String>,
    /// Agent of each party.
    pub agents: Vec<AgentKind>,
    /// The seed.
    pub seed: u64,
    /// The agreed outcome (values in issue order), or null.
    pub agreement: Option<Vec<String>>,
    /// Every party's utility of the agreement, or of disagreement (its
    /// reservation value) when there is none.
    pub utilities: Vec<f64>,
    /// Rounds used (NegMAS's final `step`): the agreeing round + 1, or the
    /// deadline.
    pub rounds: u32,
    /// How the session ended.
    pub end: End,
    /// Every offer, oldest first.
    pub trace: Vec<TraceEntry>,
    /// Set when the domain was too large to enumerate: which outcomes the
    /// agents could offer instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_space: Option<String>,
    /// Single-text: the mediator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mediator: Option<MediatorKind>,
    /// The agreement judged with every party's preferences, which the
    /// session holds and no agent or mediator does (`None` without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
}

/// How good an agreement is: individually rational, Pareto-dominated, how
/// far from the frontier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Every party gets at least its reservation value.
    pub rational: bool,
    /// The parties that get less than their reservation value.
    pub irrational_for: Vec<String>,
    /// Another outcome is at least as good for every party (within the
    /// tolerance) and better by more than the tolerance for one.
    pub dominated: bool,
    /// One such outcome (values in issue order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominated_by: Option<Vec<String>>,
    /// Euclidean distance in utility space to the nearest point of the
    /// Pareto frontier of the outcomes the session could offer (computed for
    /// two parties, or up to 50,000 outcomes).
    pub distance_to_frontier: Option<f64>,
    /// The dominance tolerance (truce-negotiate's `DOMINANCE_TOLERANCE`).
    pub tolerance: f64,
    /// A sentence for the reader when the agreement is dominated or
    /// irrational.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Judges `agreement` against every outcome of the prepared space
/// (`domain`'s).
///
/// Two additive utilities over an enumerated space are judged issue by
/// issue ([`additive`]); other finite utilities of two parties from the
/// outcomes near the agreement only ([`assess_near`]); [`assess_scan`]
/// scans every outcome and is the reference the tests hold the latter to.
pub(crate) fn assess(
    domain: &Domain,
    prepared: &Prepared,
    agreement: OutcomeId,
    party_names: &[String],
) -> (Assessment, Option<OutcomeId>) {
    let at = prepared.utilities(agreement);
    let finite = prepared.inverses.iter().all(|i| i.finite());
    let (dominated_by, distance_to_frontier) = if let Some(pair) = additive_pair(domain, prepared) {
        pair.assess([at[0], at[1]])
    } else if finite && prepared.parties() == 2 {
        assess_near(prepared, &at)
    } else {
        assess_scan(prepared, &at)
    };
    judged(
        prepared,
        &at,
        party_names,
        dominated_by,
        distance_to_frontier,
    )
}

/// The two parties' additive utilities of an enumerated space, when that is
/// what `prepared` holds (two parties, additive finite tables, the domain's
/// issues): the tables the session's utilities were summed from.
fn additive_pair<'a>(domain: &'a Domain, prepared: &Prepared) -> Option<additive::Pair<'a>> {
    let space = &prepared.space;
    let [a, b] = domain.parties.as_slice() else {
        return None;
    };
    let (Utility::Additive(a), Utility::Additive(b)) = (&a.utility, &b.utility) else {
        return None;
    };
    let sizes: Vec<usize> = domain.issues.iter().map(|i| i.values.len()).collect();
    let same = prepared.parties() == 2
        && !space.is_sampled()
        && space.issues() == sizes.len()
        && sizes
            .iter()
            .enumerate()
            .all(|(k, &s)| space.issue_size(k) == s);
    if !same {
        return None;
    }
    additive::Pair::new(sizes, [a, b])
}

/// The outcomes both parties value at least `at[p] - d`, with their
/// utilities. Lists the outcomes above one party's bound (the party whose
/// bound is highest in its own utility range, which has about the fewest),
/// keeps those above the other's.
fn near(prepared: &Prepared, at: [f64; 2], d: f64, (listed, points): &mut NearBuffers) -> usize {
    let inverses = &prepared.inverses;
    let lister = usize::from(inverses[1].position(at[1] - d) > inverses[0].position(at[0] - d));
    let other = 1 - lister;
    let bound = at[other] - d;
    listed.clear();
    inverses[lister].at_least_unindexed(at[lister] - d, listed);
    points.clear();
    points.extend(listed.iter().filter_map(|&(u, o)| {
        let v = inverses[other].utility(o);
        (v >= bound).then(|| {
            let mut us = [0.0; 2];
            us[lister] = u;
            us[other] = v;
            (o, us)
        })
    }));
    points.len()
}

/// The buffers of [`near`]: the outcomes listed and those kept, with
/// their utilities.
type NearBuffers = (Vec<(f64, OutcomeId)>, Vec<(OutcomeId, [f64; 2])>);

thread_local! {
    /// The thread's [`NearBuffers`], kept from session to session: the
    /// lists can hold much of the space, and fresh ones cost page faults.
    static NEAR: std::cell::RefCell<NearBuffers> = const {
        std::cell::RefCell::new((Vec::new(), Vec::new()))
    };
}

/// The nearest point of a two-party frontier to `at` among the frontier
/// points of `points` (utilities of outcomes), by the sweep of
/// [`assess_scan`]: party 0's utilities from the top, a group of equal u0
/// is on the frontier where its best u1 beats every u1 above it. Points
/// that a point of a strictly higher slice of u0 matches or beats on u1
/// are dropped first (as `frontier_candidates` does), so only the rest
/// are sorted.
fn nearest_on_frontier(points: &mut Vec<(OutcomeId, [f64; 2])>, at: [f64; 2]) -> f64 {
    if points.len() > 64 {
        let (lo, hi) = points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.1[0]), hi.max(p.1[0]))
            });
        let slices = (points.len() / 4).min(4096);
        let scale = if hi > lo {
            slices as f64 / (hi - lo)
        } else {
            0.0
        };
        let last = (slices - 1) as f64;
        let slice = |u: f64| ((u - lo) * scale).clamp(0.0, last) as usize;
        let mut above = vec![f64::NEG_INFINITY; slices + 1];
        for p in points.iter() {
            let s = slice(p.1[0]);
            above[s] = above[s].max(p.1[1]);
        }
        for s in (0..slices).rev() {
            above[s] = above[s].max(above[s + 1]);
        }
        points.retain(|p| p.1[1] > above[slice(p.1[0]) + 1]);
    }
    points.sort_unstable_by(|x, y| x.1[0].total_cmp(&y.1[0]));
    let mut best = f64::NEG_INFINITY;
    let mut nearest = f64::INFINITY;
    let mut k = points.len();
    while k > 0 {
        let top = points[k - 1].1[0];
        let mut j = k;
        while j > 0 && points[j - 1].1[0] == top {
            j -= 1;
        }
        let g = points[j..k]
            .iter()
            .map(|p| p.1[1])
            .fold(f64::NEG_INFINITY, f64::max);
        if g > best {
            let d = ((top - at[0]).powi(2) + (g - at[1]).powi(2)).sqrt();
            nearest = nearest.min(d);
            best = g;
        }
        k = j;
    }
    nearest
}

/// The first outcome (by number) that dominates `at`, and the distance to
/// the two-party frontier, from the outcomes near the agreement only.
///
/// An outcome that dominates `at` is within the tolerance below it for
/// every party. A frontier point with both utilities at least `at - d` is
/// on the frontier of the outcomes with both utilities at least `at - d`
/// (whatever beats it is there too), and every frontier point outside is
/// farther than `d`. The outcomes within the tolerance hold the agreement's
/// own quadrant and so a frontier point, whose distance bounds the search.
fn assess_near(prepared: &Prepared, at: &[f64]) -> (Option<OutcomeId>, Option<f64>) {
    let tol = truce_negotiate::DOMINANCE_TOLERANCE;
    let at = [at[0], at[1]];
    let mut fresh = NearBuffers::default();
    // The thread's buffers, or fresh ones if they are in use.
    let mut held = NEAR.try_with(|b| b.try_borrow_mut().ok().map(|mut b| std::mem::take(&mut *b)));
    let buffers = match held.as_mut() {
        Ok(Some(b)) => b,
        _ => &mut fresh,
    };
    near(prepared, at, tol, buffers);
    let dominated_by = buffers
        .1
        .iter()
        .filter(|(_, u)| dominates(u, &at))
        .map(|&(o, _)| o)
        .min();
    let bound = nearest_on_frontier(&mut buffers.1, at);
    let distance = if bound == 0.0 {
        bound
    } else {
        // Slightly wider than the bound, so that rounding at the edge cannot
        // leave out a point as near as the bound.
        let d = bound * (1.0 + 1e-9) + f64::MIN_POSITIVE;
        near(prepared, at, d, buffers);
        nearest_on_frontier(&mut buffers.1, at)
    };
    // Kept for the thread's next session unless they grew past 1 M
    // outcomes (40 MB).
    if let Ok(Some(b)) = held
        && b.0.capacity().max(b.1.capacity()) <= 1 << 20
    {
        let _ = NEAR.try_with(|slot| {
            if let Ok(mut slot) = slot.try_borrow_mut() {
                *slot = b;
            }
        });
    }
    (dominated_by, distance.is_finite().then_some(distance))
}

/// The first outcome that dominates `at` and the distance to the frontier,
/// by scanning every outcome.
pub(crate) fn assess_scan(prepared: &Prepared, at: &[f64]) -> (Option<OutcomeId>, Option<f64>) {
    let tol = truce_negotiate::DOMINANCE_TOLERANCE;
    let all: Vec<&[f64]> = prepared.inverses.iter().map(|i| i.all()).collect();
    let n = prepared.space.len();
    let dominates = |o: usize, than: &[f64]| {
        let mut better = false;
        for (u, t) in all.iter().zip(than) {
            let v = u[o];
            if v < t - tol {
                return false;
            }
            better |= v > t + tol;
        }
        better
    };
    let dominated_by = (0..n).find(|&o| dominates(o, at)).map(|o| o as OutcomeId);
    let distance_to_frontier = match all.as_slice() {
        [u0, u1] => {
            // Sweep party 0's utilities from the top: a group of equal u0 is
            // on the frontier where its u1 beats every u1 above it. Only
            // candidates are sorted (see `frontier_candidates`).
            let order = frontier_candidates(&prepared.inverses[0], u1);
            let mut best = f64::NEG_INFINITY;
            let mut nearest = f64::INFINITY;
            let mut k = order.len();
            while k > 0 {
                let top = u0[order[k - 1] as usize];
                let mut j = k;
                while j > 0 && u0[order[j - 1] as usize] == top {
                    j -= 1;
                }
                let group = &order[j..k];
                let g = group
                    .iter()
                    .map(|&o| u1[o as usize])
                    .fold(f64::NEG_INFINITY, f64::max);
                if g > best {
                    let d = ((top - at[0]).powi(2) + (g - at[1]).powi(2)).sqrt();
                    nearest = nearest.min(d);
                    best = g;
                }
                k = j;
            }
            nearest.is_finite().then_some(nearest)
        }
        _ if n <= 50_000 => (0..n)
            .filter(|&o| {
                let u: Vec<f64> = all.iter().map(|u| u[o]).collect();
                !(0..n).any(|q| dominates(q, &u))
            })
            .map(|o| {
                all.iter()
                    .zip(at)
                    .map(|(u, a)| (u[o] - a).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .reduce(f64::min),
        _ => None,
    };
    (dominated_by, distance_to_frontier)
}

/// The assessment from the dominance and distance found.
fn judged(
    prepared: &Prepared,
    at: &[f64],
    party_names: &[String],
    dominated_by: Option<OutcomeId>,
    distance_to_frontier: Option<f64>,
) -> (Assessment, Option<OutcomeId>) {
    let tol = truce_negotiate::DOMINANCE_TOLERANCE;
    let irrational_for: Vec<String> = at
        .iter()
        .zip(&prepared.reservations)
        .enumerate()
        .filter(|(_, (u, r))| u < r)
        .map(|(p, _)| party_names.get(p).cloned().unwrap_or_else(|| p.to_string()))
        .collect();
    let rational = irrational_for.is_empty();
    let dominated = dominated_by.is_some();
    let warning = match (dominated, rational) {
        (false, true) => None,
        (true, true) => Some(format!(
            "the agreement is Pareto-dominated: another outcome is better for one party and no \
             worse for any (distance to the frontier {:.4})",
            distance_to_frontier.unwrap_or(f64::NAN)
        )),
        (d, false) => Some(format!(
            "the agreement is below the reservation value of {}{}",
            irrational_for.join(", "),
            if d { ", and Pareto-dominated" } else { "" }
        )),
    };
    (
        Assessment {
            rational,
            irrational_for,
            dominated,
            dominated_by: None,
            distance_to_frontier,
            tolerance: tol,
            warning,
        },
        dominated_by,
    )
}

/// The outcomes that may be on the two-party frontier, in ascending
/// (u0, id) order: party 0's outcomes sorted, less those that an outcome of a
/// strictly higher utility slice of party 0 beats or equals on u1. Such an
/// outcome is dominated, and so is its group of equal u0 unless another of
/// the group survives with a higher u1, so the sweep over the survivors finds
/// the same frontier in O(n) and a sort of the survivors only.
fn frontier_candidates(inverse0: &crate::space::Inverse, u1: &[f64]) -> Vec<OutcomeId> {
    let Some(slices) = inverse0.slices() else {
        return inverse0.ascending().to_vec();
    };
    let u0 = inverse0.all();
    // Highest u1 of each slice, then of every slice strictly above.
    let mut above = vec![f64::NEG_INFINITY; slices + 1];
    for (&a, &b) in u0.iter().zip(u1) {
        let s = inverse0.slice(a);
        above[s] = above[s].max(b);
    }
    for s in (0..slices).rev() {
        above[s] = above[s].max(above[s + 1]);
    }
    let mut survivors: Vec<OutcomeId> = u0
        .iter()
        .zip(u1)
        .enumerate()
        .filter(|&(_, (&a, &b))| b > above[inverse0.slice(a) + 1] || b.is_nan())
        .map(|(id, _)| id as OutcomeId)
        .collect();
    // Stable: ties in id order, as in the sorted order.
    survivors.sort_by(|&x, &y| u0[x as usize].total_cmp(&u0[y as usize]));
    survivors
}

/// Runs one session on a domain. Enumerates the domain first; to run many
/// sessions on one domain, [`Prepared::new`] once and call [`run_prepared`].
///
/// ```
/// use truce_agents::{AgentKind, SessionOptions, run_session};
/// use truce_negotiate::{DomainFiles, ReadOptions, read_domain};
/// let files = DomainFiles { files: vec![
///     ("d.xml".into(), r#"<negotiation_template><utility_space><objective>
///         <issue name="days" index="1" etype="discrete">
///           <item index="1" value="4"/><item index="2" value="5"/><item index="3" value="6"/>
///         </issue></objective></utility_space></negotiation_template>"#.into()),
///     ("side-a.xml".into(), r#"<utility_space><objective><weight index="1" value="1"/>
///         <issue name="days" index="1"><item value="4" evaluation="1"/>
///         <item value="5" evaluation="2"/><item value="6" evaluation="3"/></issue>
///         </objective></utility_space>"#.into()),
///     ("side-b.xml".into(), r#"<utility_space><objective><weight index="1" value="1"/>
///         <issue name="days" index="1"><item value="4" evaluation="3"/>
///         <item value="5" evaluation="2"/><item value="6" evaluation="1"/></issue>
///         </objective></utility_space>"#.into()),
/// ]};
/// let domain = read_domain(&files, &ReadOptions::default()).expect("domain");
/// let opts = SessionOptions {
///     agents: vec![AgentKind::Aspiration, AgentKind::Conceder],
///     rounds: 20,
///     ..SessionOptions::default()
/// };
/// let session = run_session(&domain, &opts)?;
/// assert!(session.agreement.is_some());
/// assert!(session.rounds <= 20);
/// # Ok::<(), truce_agents::SessionError>(())
/// ```
pub fn run_session(domain: &Domain, opts: &SessionOptions) -> Result<Session, SessionError> {
    let prepared = Prepared::new(domain)?;
    run_prepared(domain, &prepared, opts, None)
}

/// Runs one session on a domain enumerated beforehand. `clock` (seconds since
/// the session started) is only read when `opts.time_limit` is set.
pub fn run_prepared(
    domain: &Domain,
    prepared: &Prepared,
    opts: &SessionOptions,
    clock: Option<&dyn Fn() -> f64>,
) -> Result<Session, SessionError> {
    let raw = run_raw(prepared, opts, clock)?;
    Ok(name_outcome(domain, prepared, opts, raw))
}

/// Runs one session on a prepared domain and returns outcome numbers only
/// (no names, no trace strings): the fast path for many sessions.
pub fn run_outcome(
    prepared: &Prepared,
    opts: &SessionOptions,
) -> Result<SessionOutcome, SessionError> {
    Ok(run_raw(prepared, opts, None)?.0)
}

pub(crate) fn check(prepared: &Prepared, opts: &SessionOptions) -> Result<(), SessionError> {
    let parties = prepared.parties();
    if parties < 2 {
        return Err(SessionError::TooFewParties(parties));
    }
    if opts.protocol == Protocol::Sao && opts.agents.len() != parties {
        return Err(SessionError::AgentCount {
            agents: opts.agents.len(),
            parties,
        });
    }
    if opts.rounds > MAX_ROUNDS {
        return Err(SessionError::TooManyRounds {
            rounds: opts.rounds,
            max: MAX_ROUNDS,
        });
    }
    // Single-text counts proposals; only SAO runs against a clock.
    let timed = opts.protocol == Protocol::Sao && opts.time_limit.is_some_and(|t| t > 0.0);
    if opts.rounds == 0 && !timed {
        return Err(SessionError::NoDeadline);
    }
    Ok(())
}

pub(crate) fn run_raw(
    prepared: &Prepared,
    opts: &SessionOptions,
    clock: Option<&dyn Fn() -> f64>,
) -> Result<(SessionOutcome, Option<Vec<bool>>), SessionError> {
    check(prepared, opts)?;
    match opts.protocol {
        Protocol::Sao => {
            let timed = opts.time_limit.filter(|t| *t > 0.0);
            if timed.is_some() && clock.is_none() {
                return Err(SessionError::NoClock);
            }
            let mut agents: Vec<_> = prepared
                .views()
                .zip(&opts.agents)
                .map(|(view, kind)| {
                    let seed = mix(opts.seed, view.party() as u64);
                    kind.build(view, seed)
                })
                .collect();
            let deadline = Deadline {
                rounds: (opts.rounds > 0).then_some(opts.rounds),
                seconds: timed,
                clock,
            };
            Ok((sao::run(&mut agents, &deadline), None))
        }
        Protocol::SingleText => {
            let mut voters: Vec<Box<dyn Voter>> = prepared
                .views()
                .map(|view| {
                    let seed = mix(opts.seed, view.party() as u64);
                    Box::new(HonestVoter::with_seed(view, seed)) as Box<dyn Voter>
                })
                .collect();
            let (raw, accepted) = crate::mediators::run_named(
                opts.mediator,
                &prepared.space,
                &mut voters,
                opts.rounds,
                mix(opts.seed, u64::MAX),
            );
            Ok((raw, Some(accepted)))
        }
    }
}

/// How many earlier offers [`name_outcome`] looks back through for the same
/// outcome.
const REUSE_BACK: usize = 4;

fn name_outcome(
    domain: &Domain,
    prepared: &Prepared,
    opts: &SessionOptions,
    (raw, accepted): (SessionOutcome, Option<Vec<bool>>),
) -> Session {
    let values = |id: OutcomeId| domain.outcome_values(&prepared.space.decode(id));
    let proposers: Vec<Proposer> = domain
        .parties
        .iter()
        .map(|p| Proposer::new(&p.name))
        .collect();
    let mediator = Proposer::new("mediator");
    let party_name = |i: usize| proposers.get(i).unwrap_or(&mediator).clone();
    let parties: Vec<String> = domain.parties.iter().map(|p| p.name.clone()).collect();
    let names = Arc::new(OutcomeNames::new(domain, prepared));
    let n = prepared.inverses.len();
    // Every offer's utilities in one buffer. Agents often repeat an offer
    // (a Boulware agent its best for many rounds), so an offer made among
    // the last few copies their utilities instead of looking them up.
    let mut all = Vec::with_capacity(raw.offers.len() * n);
    for (k, o) in raw.offers.iter().enumerate() {
        let seen = raw.offers[k.saturating_sub(REUSE_BACK)..k]
            .iter()
            .rposition(|p| p.outcome == o.outcome)
            .map(|j| k.saturating_sub(REUSE_BACK) + j);
        match seen {
            Some(j) => all.extend_from_within(j * n..(j + 1) * n),
            None => all.extend(prepared.inverses.iter().map(|inv| inv.utility(o.outcome))),
        }
    }
    // Two parties' utilities are held in each entry, others shared.
    let shared: Option<Arc<[f64]>> = (n != 2).then(|| Arc::from(all.as_slice()));
    let utilities = |k: usize| match &shared {
        None => Utilities(UtilitiesRepr::Pair(
            all.get(2 * k..2 * k + 2)
                .and_then(|u| <[f64; 2]>::try_from(u).ok())
                .unwrap_or_default(),
        )),
        Some(buffer) => Utilities(UtilitiesRepr::Shared {
            all: Arc::clone(buffer),
            at: k * n,
            parties: n,
        }),
    };
    let trace = raw
        .offers
        .iter()
        .enumerate()
        .map(|(k, o)| TraceEntry {
            round: o.round,
            proposer: party_name(o.proposer),
            offer: Offer::new(o.outcome, Arc::clone(&names)),
            utilities: utilities(k),
            accepted: accepted.as_ref().and_then(|a| a.get(k).copied()),
        })
        .collect();
    Session {
        domain: domain.name.clone(),
        protocol: opts.protocol,
        issues: domain.issues.iter().map(|i| i.name.clone()).collect(),
        parties: parties.clone(),
        agents: opts.agents.clone(),
        seed: opts.seed,
        agreement: raw.agreement.map(values),
        utilities: match raw.agreement {
            Some(id) => prepared.utilities(id),
            None => prepared.reservations.clone(),
        },
        rounds: raw.rounds,
        end: raw.end,
        trace,
        outcome_space: prepared.space.sampled_note(),
        mediator: (opts.protocol == Protocol::SingleText).then_some(opts.mediator),
        assessment: raw.agreement.map(|id| {
            let (mut a, by) = assess(domain, prepared, id, &parties);
            a.dominated_by = by.map(values);
            a
        }),
    }
}
