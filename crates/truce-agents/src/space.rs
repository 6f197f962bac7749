//! The enumerated outcome space and each party's presorted utilities.
//!
//! Outcomes are numbered in `itertools.product` order (the first issue
//! varies slowest), which is the order NegMAS enumerates them in; ties between
//! equal utilities are broken by that number, so every query is reproducible.

use std::sync::Arc;

use truce_negotiate::{Domain, Utility};

use crate::error::SessionError;

/// The largest outcome space a session enumerates (Energy, the largest shared
/// domain, has 390,625; 4 million keeps a prepared domain under 100 MB).
pub const MAX_OUTCOMES: u128 = 4_000_000;

/// An outcome: its number in enumeration order.
pub type OutcomeId = u32;

/// NegMAS's `_common.EPS`: how far below the requested lower bound an
/// inverter may still pick an outcome that is nearer to the bound.
const INVERTER_EPS: f64 = 1e-6;

/// The issues' value counts and the mixed-radix numbering of outcomes. Public
/// knowledge: every agent may hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeSpace {
    sizes: Vec<usize>,
    count: usize,
    /// Above [`MAX_OUTCOMES`]: the outcomes agents may offer, when the space
    /// is sampled instead of enumerated.
    sample: Option<Sampled>,
}

/// The outcomes of a sampled space: value indices (`issues` per outcome) and
/// an index from an outcome's hash to its ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sampled {
    values: Vec<u32>,
    index: std::collections::HashMap<u64, Vec<OutcomeId>>,
    /// Outcomes of the whole domain, saturating.
    of: u128,
    /// How many of the sampled outcomes came from the Pareto frontier.
    frontier: usize,
}

/// Most value indices a sampled space holds (outcomes × issues): about
/// 128 MB with its index.
const MAX_SAMPLED_VALUES: usize = 24_000_000;

/// Most outcomes a sampled space holds.
pub const MAX_SAMPLED_OUTCOMES: usize = 200_000;

fn hash_values(values: &[u32]) -> u64 {
    // FNV-1a: deterministic across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &v in values {
        for b in v.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

impl OutcomeSpace {
    /// The space of a domain, or an error if it is empty or too large.
    pub fn of(domain: &Domain) -> Result<Self, SessionError> {
        let total = domain.outcome_count();
        if total == 0 || domain.issues.is_empty() {
            return Err(SessionError::EmptyDomain);
        }
        if total > MAX_OUTCOMES {
            return Err(SessionError::TooManyOutcomes {
                outcomes: total,
                max: MAX_OUTCOMES,
            });
        }
        let sizes: Vec<usize> = domain.issues.iter().map(|i| i.values.len()).collect();
        Self::of_sizes(&sizes)
    }

    /// The space of issues with these numbers of values (a deal's open
    /// issues, whose options are public), or an error if it is empty or too
    /// large.
    pub fn of_sizes(sizes: &[usize]) -> Result<Self, SessionError> {
        let total = sizes
            .iter()
            .fold(1u128, |n, &s| n.saturating_mul(s as u128));
        if total == 0 || sizes.is_empty() {
            return Err(SessionError::EmptyDomain);
        }
        let count = usize::try_from(total)
            .ok()
            .filter(|&c| c as u128 <= MAX_OUTCOMES)
            .ok_or(SessionError::TooManyOutcomes {
                outcomes: total,
                max: MAX_OUTCOMES,
            })?;
        Ok(Self {
            sizes: sizes.to_vec(),
            count,
            sample: None,
        })
    }

    /// A space too large to enumerate, stood in for by `guide` (outcomes as
    /// value indices: the Pareto frontier and each party's best) and
    /// outcomes drawn uniformly with a fixed seed, without duplicates: agents
    /// offer only these. Deterministic for a domain.
    pub fn sampled(domain: &Domain, guide: &[Vec<usize>]) -> Result<Self, SessionError> {
        let sizes: Vec<usize> = domain.issues.iter().map(|i| i.values.len()).collect();
        if sizes.is_empty() || sizes.contains(&0) {
            return Err(SessionError::EmptyDomain);
        }
        let issues = sizes.len();
        let target = (MAX_SAMPLED_VALUES / issues).clamp(1, MAX_SAMPLED_OUTCOMES);
        let mut sample = Sampled {
            values: Vec::with_capacity(target * issues),
            index: std::collections::HashMap::new(),
            of: domain.outcome_count(),
            frontier: 0,
        };
        let push = |sample: &mut Sampled, o: &[u32]| {
            let h = hash_values(o);
            let n = sample.values.len() / issues;
            let ids = sample.index.entry(h).or_default();
            let known = ids.iter().any(|&id| {
                let at = id as usize * issues;
                sample.values.get(at..at + issues) == Some(o)
            });
            if known {
                return false;
            }
            ids.push(n as OutcomeId);
            sample.values.extend_from_slice(o);
            true
        };
        for o in guide.iter().take(target) {
            let o: Vec<u32> = o.iter().map(|&v| v as u32).collect();
            if o.len() == issues && push(&mut sample, &o) {
                sample.frontier += 1;
            }
        }
        // SplitMix64 with a fixed seed: the same sample on every run.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut o = vec![0u32; issues];
        let mut attempts = 0usize;
        while sample.values.len() / issues < target && attempts < target * 4 {
            attempts += 1;
            for (slot, &n) in o.iter_mut().zip(&sizes) {
                *slot = (next() % n as u64) as u32;
            }
            push(&mut sample, &o);
        }
        let count = sample.values.len() / issues;
        Ok(Self {
            sizes,
            count,
            sample: Some(sample),
        })
    }

    /// What agents may offer, in words, when the space is sampled.
    pub fn sampled_note(&self) -> Option<String> {
        self.sample.as_ref().map(|s| {
            format!(
                "the domain has {} outcomes, more than the {MAX_OUTCOMES} a session enumerates: \
                 agents offer only {} of them ({} from the Pareto frontier and the parties' best, \
                 the rest drawn uniformly with a fixed seed)",
                if s.of == u128::MAX {
                    "more than 10^38".to_owned()
                } else {
                    s.of.to_string()
                },
                self.count,
                s.frontier
            )
        })
    }

    /// Whether the space is a sample of a larger domain.
    pub fn is_sampled(&self) -> bool {
        self.sample.is_some()
    }

    /// Number of outcomes.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Always false: an empty space is refused by [`OutcomeSpace::of`].
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Number of values of an issue (0 for an issue out of range).
    pub fn issue_size(&self, issue: usize) -> usize {
        self.sizes.get(issue).copied().unwrap_or(0)
    }

    /// Number of issues.
    pub fn issues(&self) -> usize {
        self.sizes.len()
    }

    /// Writes the value indices of an outcome into `out` (one per issue).
    pub fn decode_into(&self, id: OutcomeId, out: &mut Vec<usize>) {
        if let Some(sample) = &self.sample {
            let issues = self.sizes.len();
            let at = id as usize * issues;
            out.clear();
            out.extend(
                sample
                    .values
                    .get(at..at + issues)
                    .unwrap_or(&[])
                    .iter()
                    .map(|&v| v as usize),
            );
            out.resize(issues, 0);
            return;
        }
        out.clear();
        out.resize(self.sizes.len(), 0);
        let mut rest = id as usize;
        for (slot, &size) in out.iter_mut().zip(&self.sizes).rev() {
            *slot = rest % size;
            rest /= size;
        }
    }

    /// The value indices of an outcome.
    pub fn decode(&self, id: OutcomeId) -> Vec<usize> {
        let mut out = Vec::new();
        self.decode_into(id, &mut out);
        out
    }

    /// The number of an outcome given by value indices, if every index is in
    /// range.
    pub fn encode(&self, values: &[usize]) -> Option<OutcomeId> {
        if values.len() != self.sizes.len() {
            return None;
        }
        if let Some(sample) = &self.sample {
            let o: Vec<u32> = values.iter().map(|&v| v as u32).collect();
            let issues = self.sizes.len();
            return sample
                .index
                .get(&hash_values(&o))?
                .iter()
                .copied()
                .find(|&id| {
                    let at = id as usize * issues;
                    sample.values.get(at..at + issues) == Some(o.as_slice())
                });
        }
        let mut id = 0usize;
        for (&v, &size) in values.iter().zip(&self.sizes) {
            if v >= size {
                return None;
            }
            id = id * size + v;
        }
        OutcomeId::try_from(id).ok()
    }
}

/// One party's utilities of every outcome, and the outcomes sorted by them.
#[derive(Debug, Clone, PartialEq)]
pub struct Inverse {
    /// `utility[id]`.
    utility: Vec<f64>,
    /// Outcome ids in ascending utility, ties in id order.
    sorted: Vec<OutcomeId>,
    /// `utility[sorted[k]]`, kept beside for cache-friendly binary search.
    sorted_utility: Vec<f64>,
    /// Lowest and highest utility: each issue's extreme summed in issue order,
    /// exactly as NegMAS evaluates its extreme outcomes.
    min: f64,
    max: f64,
}

impl Inverse {
    fn build(space: &OutcomeSpace, utility_fn: &Utility) -> Self {
        let utility = match utility_fn {
            _ if space.is_sampled() => {
                let mut utility = Vec::with_capacity(space.len());
                let mut values = Vec::with_capacity(space.sizes.len());
                for id in 0..space.len() as OutcomeId {
                    space.decode_into(id, &mut values);
                    utility.push(utility_fn.eval(&values));
                }
                utility
            }
            Utility::Additive(a) => {
                let mut u = additive_utilities(space, &a.tables);
                if a.clip {
                    u.iter_mut()
                        .for_each(|x| *x = truce_negotiate::clip_if(true, *x));
                }
                u
            }
            Utility::HyperRectangles(_) => {
                let mut utility = Vec::with_capacity(space.len());
                let mut values = Vec::with_capacity(space.sizes.len());
                for id in 0..space.len() as OutcomeId {
                    space.decode_into(id, &mut values);
                    utility.push(utility_fn.eval(&values));
                }
                utility
            }
        };
        // Sorting (key, id) pairs with distinct ids is a stable sort by
        // utility: equal utilities keep enumeration order.
        let keyed: Vec<(u64, OutcomeId)> = utility
            .iter()
            .enumerate()
            .map(|(id, &u)| (order_key(u), id as OutcomeId))
            .collect();
        let sorted: Vec<OutcomeId> = radix_sort(keyed).into_iter().map(|(_, id)| id).collect();
        let sorted_utility: Vec<f64> = sorted.iter().map(|&o| utility[o as usize]).collect();
        let (min, max) = match utility_fn {
            // A sample's extremes are those of the outcomes agents may offer.
            _ if space.is_sampled() => (
                sorted_utility.first().copied().unwrap_or(0.0),
                sorted_utility.last().copied().unwrap_or(0.0),
            ),
            Utility::Additive(a) => a.range(),
            Utility::HyperRectangles(_) => (
                sorted_utility.first().copied().unwrap_or(0.0),
                sorted_utility.last().copied().unwrap_or(0.0),
            ),
        };
        Self {
            utility,
            sorted,
            sorted_utility,
            min,
            max,
        }
    }

    /// Every outcome's utility, by outcome id.
    pub(crate) fn all(&self) -> &[f64] {
        &self.utility
    }

    /// Outcome ids in ascending utility, ties in id order.
    pub(crate) fn ascending(&self) -> &[OutcomeId] {
        &self.sorted
    }

    /// Utility of an outcome (0 for an id out of range).
    pub fn utility(&self, id: OutcomeId) -> f64 {
        self.utility.get(id as usize).copied().unwrap_or(0.0)
    }

    /// Lowest utility over all outcomes.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Highest utility over all outcomes.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// A best outcome (the first of the highest utility in enumeration order).
    pub fn best(&self) -> OutcomeId {
        let top = self.sorted_utility.last().copied().unwrap_or(0.0);
        let first = self.sorted_utility.partition_point(|&u| u < top);
        self.sorted.get(first).copied().unwrap_or(0)
    }

    /// Number of outcomes.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether there are no outcomes (never, for a built space).
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The outcome at rank `k` (0 = worst).
    pub fn at_rank(&self, k: usize) -> Option<(OutcomeId, f64)> {
        Some((*self.sorted.get(k)?, *self.sorted_utility.get(k)?))
    }

    /// First rank whose utility is at least `u`.
    pub fn rank_at_least(&self, u: f64) -> usize {
        self.sorted_utility.partition_point(|&x| x < u)
    }

    /// NegMAS's `PresortingInverseUtilityFunction.worst_in((lo, hi))` over the
    /// outcomes whose utility is at least `floor` (the reservation value):
    /// the worst outcome with utility at least `lo`, except that one up to
    /// `1e-6` below `lo` wins when it is strictly nearer to `lo`; when every
    /// outcome is below `lo`, the best one ("clamps up"). Ties go to the
    /// lowest enumeration number. `None` when no outcome reaches `floor`.
    pub fn worst_in(&self, lo: f64, hi: f64, floor: f64) -> Option<OutcomeId> {
        let n = self.sorted_utility.len();
        let first_rational = self.rank_at_least(floor);
        if first_rational >= n {
            return None;
        }
        let mut i = self.rank_at_least(lo).max(first_rational);
        if i >= n {
            i = n - 1;
        }
        let at_i = self.sorted_utility[i];
        let mut best = i;
        if i > first_rational {
            let below = self.sorted_utility[i - 1];
            let in_range = below >= lo - INVERTER_EPS && below <= hi + 2.0 * INVERTER_EPS;
            if in_range && (below - lo).abs() < (at_i - lo).abs() {
                // NumPy's argmin returns the first of equal candidates.
                best = self.sorted_utility[..i].partition_point(|&x| x < below);
                best = best.max(first_rational);
            }
        }
        self.sorted.get(best).copied()
    }
}

/// Every outcome's utility in enumeration order, summed issue by issue from
/// 0.0 exactly as `Additive::eval` (and NegMAS) add them, so the values are
/// bit-identical to evaluating each outcome, in O(n) instead of O(n·issues).
fn additive_utilities(space: &OutcomeSpace, tables: &[Vec<f64>]) -> Vec<f64> {
    let mut sums = Vec::with_capacity(space.len());
    sums.push(0.0f64);
    let mut next = Vec::with_capacity(space.len());
    for (issue, &size) in space.sizes.iter().enumerate() {
        let table = tables.get(issue).map_or(&[][..], Vec::as_slice);
        next.clear();
        for &partial in &sums {
            for v in 0..size {
                next.push(partial + table.get(v).copied().unwrap_or(0.0));
            }
        }
        std::mem::swap(&mut sums, &mut next);
    }
    sums
}

/// Stable LSD radix sort by key, 8 bits a pass (256 buckets stay in cache): a presorted Travel party
/// (188,160 outcomes) takes a fraction of a comparison sort's time, and
/// stability keeps equal utilities in enumeration order.
fn radix_sort(mut items: Vec<(u64, OutcomeId)>) -> Vec<(u64, OutcomeId)> {
    const BITS: u32 = 8;
    const BUCKETS: usize = 1 << BITS;
    // Small spaces: a comparison sort is as fast and simpler.
    if items.len() < 4096 {
        items.sort_unstable();
        return items;
    }
    let mut scratch = items.clone();
    let mut counts = vec![0usize; BUCKETS];
    for pass in 0..(64 / BITS) {
        let shift = pass * BITS;
        let digit = |key: u64| ((key >> shift) as usize) & (BUCKETS - 1);
        counts.iter_mut().for_each(|c| *c = 0);
        for &(key, _) in &items {
            counts[digit(key)] += 1;
        }
        // Skip passes where every key has the same digit.
        if counts.contains(&items.len()) {
            continue;
        }
        let mut next = 0;
        for c in counts.iter_mut() {
            let here = *c;
            *c = next;
            next += here;
        }
        for &item in &items {
            let slot = &mut counts[digit(item.0)];
            scratch[*slot] = item;
            *slot += 1;
        }
        std::mem::swap(&mut items, &mut scratch);
    }
    items
}

/// A `u64` whose order is `f64::total_cmp`'s.
fn order_key(u: f64) -> u64 {
    let bits = u.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// A domain enumerated once for many sessions: the outcome space and every
/// party's presorted utilities (shared, read-only, across threads).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(crate) space: Arc<OutcomeSpace>,
    pub(crate) inverses: Vec<Arc<Inverse>>,
    pub(crate) reservations: Vec<f64>,
}

impl Prepared {
    /// Enumerates the domain and sorts every party's utilities. This is the
    /// expensive part of a session (O(n log n) per party); tournaments and
    /// `--repeat` do it once.
    pub fn new(domain: &Domain) -> Result<Self, SessionError> {
        let space = match OutcomeSpace::of(domain) {
            Err(SessionError::TooManyOutcomes { .. }) => {
                OutcomeSpace::sampled(domain, &frontier_guide(domain))?
            }
            other => other?,
        };
        let inverses = domain
            .parties
            .iter()
            .map(|p| Arc::new(Inverse::build(&space, &p.utility)))
            .collect();
        Ok(Self {
            space: Arc::new(space),
            inverses,
            reservations: domain.parties.iter().map(|p| p.reservation).collect(),
        })
    }

    /// The outcome space.
    pub fn space(&self) -> &OutcomeSpace {
        &self.space
    }

    /// Number of parties.
    pub fn parties(&self) -> usize {
        self.inverses.len()
    }

    /// Every party's utility of an outcome.
    pub fn utilities(&self, id: OutcomeId) -> Vec<f64> {
        self.inverses.iter().map(|inv| inv.utility(id)).collect()
    }
}

/// The outcomes a sampled space starts from: one per Pareto frontier point
/// (the analysis never enumerates; a hyper-rectangle search is bounded and
/// then yields the best points it found), which include each party's best.
fn frontier_guide(domain: &Domain) -> Vec<Vec<usize>> {
    let opts = truce_negotiate::AnalyzeOptions {
        max_search_nodes: 5_000_000,
        max_frontier_points: 100_000,
        ..truce_negotiate::AnalyzeOptions::default()
    };
    let analysis = truce_negotiate::analyze(domain, &opts);
    analysis
        .pareto
        .iter()
        .filter_map(|p| {
            let refs: Vec<&str> = p.outcome.iter().map(String::as_str).collect();
            domain.outcome_indices(&refs)
        })
        .collect()
}
