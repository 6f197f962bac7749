//! The enumerated outcome space and each party's utilities, ordered by a
//! utility-slice index.
//!
//! Outcomes are numbered in `itertools.product` order (the first issue
//! varies slowest), which is the order NegMAS enumerates them in; ties between
//! equal utilities are broken by that number, so every query is reproducible.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use truce_negotiate::{Domain, Utility};

use crate::error::SessionError;

mod buckets;
mod top_down;

pub use buckets::OutcomeId;
use buckets::{BucketIndex, Sorted, nearer_below, order_key, radix_sort, sum_tables};
use top_down::TopDown;

/// The largest outcome space a session enumerates (Energy, the largest shared
/// domain, has 390,625; 4 million keeps a prepared domain under 100 MB).
pub const MAX_OUTCOMES: u128 = 4_000_000;

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

/// One party's utilities of every outcome, and the outcomes ordered by them.
///
/// Indexed in one of two ways. [`Prepared::new`] indexes an additive
/// utility *from the top down* (`top_down`): only the outcomes at or above
/// the lowest utility a query has reached are found and indexed, in tiers,
/// so a session whose agents never concede far never touches most of the
/// space. [`Prepared::whole`], and every non-additive utility, index the
/// whole space in O(n): the utilities (per-issue tables for additive
/// profiles) and a bucket index that splits the utility range into up to
/// 4,096 equal slices (about 16 outcomes each on smaller domains, 4 on a
/// small space indexed lazily). Either way a query at a utility level (what
/// the time-based agents ask, [`Inverse::worst_in`]) reads the slice where
/// the level falls in one pass, without sorting it: the least (utility, id)
/// at or above the level and the greatest below it. Rank queries sort the
/// slices they reach, once (from the top down, a slice's first few reads
/// count and select in it instead); the rest are never sorted. The fully
/// sorted order, for callers that need every outcome in order, is made on
/// first use. Both give the same answers, bit for bit.
#[derive(Debug)]
pub struct Inverse {
    /// `utility[id]`: made when the whole space is indexed, on first use
    /// of [`Inverse::all`] when indexed from the top.
    utility: OnceLock<Vec<f64>>,
    /// How the outcomes are ordered.
    order: Order,
    /// Outcome ids in ascending utility, ties in id order, and their
    /// utilities beside them; made on first use.
    sorted: OnceLock<Sorted>,
    /// Number of outcomes.
    n: usize,
    /// Lowest and highest utility: each issue's extreme summed in issue order,
    /// exactly as NegMAS evaluates its extreme outcomes.
    min: f64,
    max: f64,
}

/// The index of an [`Inverse`].
#[derive(Debug)]
enum Order {
    /// Every outcome grouped by utility slice; `None` when a utility is not
    /// finite (then every query uses the sorted order).
    Whole(Option<BucketIndex>),
    /// Additive utilities indexed from the top as far as queries reach.
    TopDown(Box<TopDown>),
    /// Finite utilities of a small space, indexed whole on first need:
    /// until then the first [`lazy_scans`] `worst_in` queries (none above
    /// 512 outcomes) are answered by scanning the utilities, which costs
    /// less than indexing for a session that ends after a few offers.
    Lazy(Box<Lazy>),
}

/// The index of an [`Order::Lazy`], made when first needed.
#[derive(Debug)]
struct Lazy {
    index: OnceLock<BucketIndex>,
    /// Lowest and highest utility (finite).
    range: (f64, f64),
    /// `worst_in` queries answered by a scan so far.
    scans: AtomicU32,
}

/// `worst_in` queries an [`Order::Lazy`] of `n` outcomes answers by
/// scanning before it indexes: indexing, and sorting the slices queries
/// reach, costs about as much as scanning 512 utilities (at about 2 ns a
/// utility), so larger spaces index on the first query.
fn lazy_scans(n: usize) -> u32 {
    (512 / n.max(1)) as u32
}

/// Outcomes per slice of an [`Order::Lazy`] index on average: a quarter of
/// the whole index's, as a session's queries read a slice or two each
/// without sorting it (ItexvsCypress +28 %, Laptop +50 % sessions a second
/// against 16; on thousands of outcomes the slices' bookkeeping would
/// cost more than they spare).
const LAZY_PER_SLICE: usize = 4;

/// Fewest outcomes [`Prepared::new`] indexes from the top down: below,
/// indexing the whole space (lazily, [`Order::Lazy`]) costs less than the
/// tiers' own bookkeeping.
const TOP_DOWN_MIN: usize = 1024;

impl Inverse {
    /// The whole-space index of a party.
    fn build(space: &OutcomeSpace, utility_fn: &Utility) -> Self {
        let eval_each = || {
            let mut utility = Vec::with_capacity(space.len());
            let mut values = Vec::with_capacity(space.sizes.len());
            for id in 0..space.len() as OutcomeId {
                space.decode_into(id, &mut values);
                utility.push(utility_fn.eval(&values));
            }
            utility
        };
        let (utility, range) = match utility_fn {
            _ if space.is_sampled() => (eval_each(), None),
            Utility::Additive(a) => {
                let mut u = additive_utilities(space, &a.tables);
                if a.clip {
                    u.iter_mut()
                        .for_each(|x| *x = truce_negotiate::clip_if(true, *x));
                }
                (u, finite_range(a))
            }
            Utility::HyperRectangles(_) => (eval_each(), None),
        };
        let index = BucketIndex::build(&utility, range);
        let mut inverse = Self {
            n: utility.len(),
            utility: OnceLock::from(utility),
            order: Order::Whole(index),
            sorted: OnceLock::new(),
            min: 0.0,
            max: 0.0,
        };
        let (min, max) = match utility_fn {
            // A sample's extremes are those of the outcomes agents may offer.
            Utility::Additive(a) if !space.is_sampled() => a.range(),
            _ => {
                let n = inverse.len();
                (
                    inverse.at_rank(0).map_or(0.0, |x| x.1),
                    inverse.at_rank(n.saturating_sub(1)).map_or(0.0, |x| x.1),
                )
            }
        };
        inverse.min = min;
        inverse.max = max;
        inverse
    }

    /// The whole-space index of a party made on first need, for finite
    /// additive utilities (else [`Inverse::build`]'s).
    fn build_lazy(space: &OutcomeSpace, utility_fn: &Utility) -> Self {
        match utility_fn {
            Utility::Additive(a)
                if !space.is_sampled()
                    && let Some((min, max)) = finite_range(a) =>
            {
                let mut utility = additive_utilities(space, &a.tables);
                if a.clip {
                    utility
                        .iter_mut()
                        .for_each(|x| *x = truce_negotiate::clip_if(true, *x));
                }
                Self {
                    n: utility.len(),
                    utility: OnceLock::from(utility),
                    order: Order::Lazy(Box::new(Lazy {
                        index: OnceLock::new(),
                        range: (min, max),
                        scans: AtomicU32::new(0),
                    })),
                    sorted: OnceLock::new(),
                    min,
                    max,
                }
            }
            _ => Self::build(space, utility_fn),
        }
    }

    /// The whole-space slice index (made now if lazy), or `None` without
    /// one (a utility that is not finite, or an index from the top).
    fn index(&self) -> Option<&BucketIndex> {
        match &self.order {
            Order::Whole(index) => index.as_ref(),
            Order::Lazy(lazy) => Some(lazy.index.get_or_init(|| {
                let all = self.all();
                BucketIndex::with_slices(all, lazy.range, all.len() / LAZY_PER_SLICE)
            })),
            Order::TopDown(_) => None,
        }
    }

    /// The index of a party built from the top down as queries reach
    /// down (see [`top_down`]), or the whole-space index where that does not
    /// apply (a sampled space, a utility that is not additive or whose sums
    /// may not be finite).
    fn build_top_down(space: &OutcomeSpace, utility_fn: &Utility) -> Self {
        match utility_fn {
            Utility::Additive(a)
                if !space.is_sampled()
                    && let Some((min, max)) = finite_range(a) =>
            {
                Self {
                    utility: OnceLock::new(),
                    order: Order::TopDown(Box::new(TopDown::new(&space.sizes, &a.tables, a.clip))),
                    sorted: OnceLock::new(),
                    n: space.len(),
                    min,
                    max,
                }
            }
            _ => Self::build(space, utility_fn),
        }
    }

    /// The sorted order, made on first use.
    fn sorted(&self) -> &Sorted {
        self.sorted.get_or_init(|| match &self.order {
            Order::TopDown(top) => {
                let (ids, utility) = top.sorted();
                Sorted { ids, utility }
            }
            _ if let Some(index) = self.index() => index.sorted(self.all()),
            _ => {
                // Sorting (key, id) pairs with distinct ids is a stable sort
                // by utility: equal utilities keep enumeration order.
                let all = self.all();
                let keyed: Vec<(u64, OutcomeId)> = all
                    .iter()
                    .enumerate()
                    .map(|(id, &u)| (order_key(u), id as OutcomeId))
                    .collect();
                let ids: Vec<OutcomeId> = radix_sort(keyed).into_iter().map(|(_, id)| id).collect();
                let utility = ids.iter().map(|&o| all[o as usize]).collect();
                Sorted { ids, utility }
            }
        })
    }

    /// The whole-space slice index, if there is one.
    fn whole_index(&self) -> Option<&BucketIndex> {
        self.index()
    }

    /// Number of utility slices of the whole-space index, or `None` without
    /// one (a utility that is not finite, or an index from the top).
    pub(crate) fn slices(&self) -> Option<usize> {
        self.whole_index().map(BucketIndex::slices)
    }

    /// The slice of utility `u` (monotone in `u`); 0 without a whole-space
    /// index.
    pub(crate) fn slice(&self, u: f64) -> usize {
        self.whole_index().map_or(0, |i| i.slice(u))
    }

    /// Every outcome's utility, by outcome id.
    pub(crate) fn all(&self) -> &[f64] {
        self.utility.get_or_init(|| match &self.order {
            Order::TopDown(top) => top.utilities(),
            // Made when built.
            Order::Whole(_) | Order::Lazy(_) => Vec::new(),
        })
    }

    /// Every outcome whose utility is at least `u`, with its utility, in no
    /// particular order: O(outcomes listed) with an index, else the sorted
    /// order's tail.
    pub(crate) fn at_least(&self, u: f64) -> Vec<(OutcomeId, f64)> {
        match &self.order {
            Order::TopDown(top) => top.at_least(u),
            _ if let Some(index) = self.index() => {
                let all = self.all();
                let from = index.starts[index.slice(u)] as usize;
                index.ids[from..]
                    .iter()
                    .map(|&o| (o, all[o as usize]))
                    .filter(|&(_, x)| x >= u)
                    .collect()
            }
            _ => {
                let sorted = self.sorted();
                let from = sorted.utility.partition_point(|&x| x < u);
                sorted.ids[from..]
                    .iter()
                    .zip(&sorted.utility[from..])
                    .map(|(&o, &x)| (o, x))
                    .collect()
            }
        }
    }

    /// Appends [`Inverse::at_least`]'s outcomes to `out` as (utility, id),
    /// without indexing what it finds: for a one-off look below where
    /// queries reached.
    pub(crate) fn at_least_unindexed(&self, u: f64, out: &mut Vec<(f64, OutcomeId)>) {
        match &self.order {
            Order::TopDown(top) => top.at_least_unindexed(u, out),
            Order::Whole(_) | Order::Lazy(_) => {
                out.extend(self.at_least(u).into_iter().map(|(o, x)| (x, o)));
            }
        }
    }

    /// The share of the utility range below `u` (1 for an empty range).
    pub(crate) fn position(&self, u: f64) -> f64 {
        let width = self.max - self.min;
        if width > 0.0 {
            (u - self.min) / width
        } else {
            1.0
        }
    }

    /// Whether every utility is finite (then [`Inverse::at_least`] lists
    /// outcomes without sorting all of them).
    pub(crate) fn finite(&self) -> bool {
        !matches!(self.order, Order::Whole(None))
    }

    /// Outcome ids in ascending utility, ties in id order.
    pub(crate) fn ascending(&self) -> &[OutcomeId] {
        &self.sorted().ids
    }

    /// Utility of an outcome (0 for an id out of range).
    pub fn utility(&self, id: OutcomeId) -> f64 {
        match (self.utility.get(), &self.order) {
            (Some(all), _) => all.get(id as usize).copied().unwrap_or(0.0),
            (None, Order::TopDown(top)) if (id as usize) < self.n => top.utility(id),
            _ => 0.0,
        }
    }

    /// The utilities of the worst and the best outcome (ranks 0 and n − 1),
    /// without indexing the whole space when indexed from the top down
    /// (where they are the per-issue extremes summed in issue order).
    pub(crate) fn extremes(&self) -> (f64, f64) {
        match &self.order {
            Order::TopDown(top) => top.extremes(),
            Order::Whole(_) | Order::Lazy(_) => (
                self.at_rank(0).map_or(0.0, |x| x.1),
                self.at_rank(self.n.saturating_sub(1)).map_or(0.0, |x| x.1),
            ),
        }
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
        let n = self.len();
        let Some((_, top)) = self.at_rank(n.saturating_sub(1)) else {
            return 0;
        };
        let first = self.rank_at_least(top);
        self.at_rank(first).map_or(0, |x| x.0)
    }

    /// Number of outcomes.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no outcomes (never, for a built space).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The outcome at rank `k` (0 = worst).
    pub fn at_rank(&self, k: usize) -> Option<(OutcomeId, f64)> {
        match &self.order {
            Order::TopDown(top) => return top.at_rank(k),
            _ if let Some(index) = self.index() => return index.at_rank(k, self.all()),
            _ => {}
        }
        let sorted = self.sorted();
        Some((*sorted.ids.get(k)?, *sorted.utility.get(k)?))
    }

    /// First rank whose utility is at least `u`.
    pub fn rank_at_least(&self, u: f64) -> usize {
        match &self.order {
            Order::TopDown(top) => return top.rank_at_least(u),
            _ if let Some(index) = self.index() => return index.rank_at_least(u, self.all()),
            _ => {}
        }
        self.sorted().utility.partition_point(|&x| x < u)
    }

    /// NegMAS's `PresortingInverseUtilityFunction.worst_in((lo, hi))` over the
    /// outcomes whose utility is at least `floor` (the reservation value):
    /// the worst outcome with utility at least `lo`, except that one up to
    /// `1e-6` below `lo` wins when it is strictly nearer to `lo`; when every
    /// outcome is below `lo`, the best one ("clamps up"). Ties go to the
    /// lowest enumeration number. `None` when no outcome reaches `floor`.
    pub fn worst_in(&self, lo: f64, hi: f64, floor: f64) -> Option<OutcomeId> {
        if let Order::TopDown(top) = &self.order
            && lo.is_finite()
            && !floor.is_nan()
        {
            return top.worst_in(lo, hi, floor);
        }
        if let Order::Lazy(lazy) = &self.order
            && lo.is_finite()
            && !floor.is_nan()
            && lazy.index.get().is_none()
            && lazy.scans.fetch_add(1, Ordering::Relaxed) < lazy_scans(self.n)
        {
            return scan_worst_in(self.all(), lo, hi, floor);
        }
        if lo.is_finite()
            && !floor.is_nan()
            && let Some(index) = self.index()
            && let Some(answer) = index.worst_in(self.all(), lo, hi, floor)
        {
            return answer;
        }
        let n = self.len();
        let first_rational = self.rank_at_least(floor);
        if first_rational >= n {
            return None;
        }
        let mut i = self.rank_at_least(lo).max(first_rational);
        if i >= n {
            i = n - 1;
        }
        let (at_id, at_i) = self.at_rank(i)?;
        if i > first_rational {
            let (_, below) = self.at_rank(i - 1)?;
            if nearer_below(lo, hi, at_i, below) {
                // NumPy's argmin returns the first of equal candidates.
                let best = self.rank_at_least(below).max(first_rational);
                return self.at_rank(best).map(|x| x.0);
            }
        }
        Some(at_id)
    }
}

/// [`Inverse::worst_in`] read off finite utilities by scanning them, without
/// an index: the outcomes in (utility, id) order are those below a level
/// and then those at or above it, so the outcome at a rank is the least one
/// at or above the level and the one before it the greatest one below.
fn scan_worst_in(all: &[f64], lo: f64, hi: f64, floor: f64) -> Option<OutcomeId> {
    // The outcome at the first rank at or above `max(lo, floor)` is the
    // least (utility, id) there, and the one before it the greatest below;
    // that one is rational when it reaches the floor. Outcomes in id order,
    // so a strict comparison keeps the first of equal keys and a non-strict
    // one the last: (utility, id) order.
    let level = lo.max(floor);
    let (mut at, mut before) = ((u64::MAX, usize::MAX), (0u64, usize::MAX));
    for (id, &x) in all.iter().enumerate() {
        let k = order_key(x);
        if x >= level {
            if k < at.0 {
                at = (k, id);
            }
        } else if k >= before.0 {
            before = (k, id);
        }
    }
    if at.1 == usize::MAX {
        // Every outcome is below the level: the best one, and the next
        // (none is rational if the best is not).
        at = (0, usize::MAX);
        before = (0, usize::MAX);
        for (id, &x) in all.iter().enumerate() {
            let k = order_key(x);
            if k >= at.0 {
                before = at;
                at = (k, id);
            } else if k >= before.0 {
                before = (k, id);
            }
        }
        if !all.get(at.1).is_some_and(|&best| best >= floor) {
            return None;
        }
    }
    let at_u = *all.get(at.1)?;
    if let Some(&below) = all.get(before.1)
        && below >= floor
        && nearer_below(lo, hi, at_u, below)
    {
        // The first outcome in (utility, id) order at or above `below`
        // (it is rational: `below` reaches the floor).
        let mut best = (u64::MAX, usize::MAX);
        for (id, &x) in all.iter().enumerate() {
            let k = order_key(x);
            if x >= below && k < best.0 {
                best = (k, id);
            }
        }
        return Some(best.1 as OutcomeId);
    }
    Some(at.1 as OutcomeId)
}

/// Every outcome's utility in enumeration order, summed issue by issue from
/// 0.0 exactly as `Additive::eval` (and NegMAS) add them, so the values are
/// bit-identical to evaluating each outcome, in O(n) instead of O(n·issues).
fn additive_utilities(space: &OutcomeSpace, tables: &[Vec<f64>]) -> Vec<f64> {
    sum_tables(&space.sizes, tables)
}

/// `a.range()` when every table entry is finite and no sum of them can
/// overflow (then every utility is finite and the utility range can be
/// sliced), else `None`, in one pass over the tables that the compiler
/// vectorises: on finite entries a plain comparison picks the same extremes
/// as `f64::min` and `f64::max` (up to the sign of a zero, which a sum that
/// starts from 0.0 does not keep), so the sums are `range()`'s bit for
/// bit. A small space is prepared in well under a microsecond, and
/// `range()`'s NaN-aware folds were a tenth of it.
fn finite_range(a: &truce_negotiate::Additive) -> Option<(f64, f64)> {
    let (mut lo, mut hi, mut bound) = (0.0f64, 0.0f64, 0.0f64);
    for t in &a.tables {
        if !t.iter().all(|v| v.is_finite()) {
            return None;
        }
        let (mut least, mut most, mut large) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
        for &v in t {
            least = if v < least { v } else { least };
            most = if v > most { v } else { most };
            large = if v.abs() > large { v.abs() } else { large };
        }
        lo += least;
        hi += most;
        bound += large;
    }
    bound.is_finite().then(|| {
        (
            truce_negotiate::clip_if(a.clip, lo),
            truce_negotiate::clip_if(a.clip, hi),
        )
    })
}

/// A domain enumerated once for many sessions: the outcome space and every
/// party's indexed utilities (shared across threads; slices are sorted on
/// first use behind `OnceLock`s).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(crate) space: Arc<OutcomeSpace>,
    pub(crate) inverses: Vec<Arc<Inverse>>,
    pub(crate) reservations: Vec<f64>,
}

impl Prepared {
    /// Prepares the domain for a session or a few: each party's additive
    /// utilities are indexed from the top down, only as far as the agents'
    /// queries reach (see [`Inverse`]), on spaces of at least 1,024
    /// outcomes; smaller spaces are indexed whole when a query first needs
    /// it (the first few `worst_in` queries scan the utilities instead), and
    /// other utilities are indexed whole.
    /// Answers are the same as [`Prepared::whole`]'s.
    pub fn new(domain: &Domain) -> Result<Self, SessionError> {
        Self::with(domain, |space, utility| {
            if space.len() >= TOP_DOWN_MIN {
                Inverse::build_top_down(space, utility)
            } else {
                Inverse::build_lazy(space, utility)
            }
        })
    }

    /// Prepares the domain indexing additive utilities from the top down
    /// whatever the number of outcomes ([`Prepared::new`] does from 1,024
    /// outcomes up, and indexes smaller spaces whole).
    pub fn top_down(domain: &Domain) -> Result<Self, SessionError> {
        Self::with(domain, Inverse::build_top_down)
    }

    /// Prepares the domain with every party's outcomes indexed whole up
    /// front: O(n) per party, the expensive part of a session, done once for
    /// the many sessions of a tournament or `--repeat`, whose queries then
    /// take no lock.
    pub fn whole(domain: &Domain) -> Result<Self, SessionError> {
        Self::with(domain, Inverse::build)
    }

    fn with(
        domain: &Domain,
        index: impl Fn(&OutcomeSpace, &Utility) -> Inverse,
    ) -> Result<Self, SessionError> {
        let space = match OutcomeSpace::of(domain) {
            Err(SessionError::TooManyOutcomes { .. }) => {
                OutcomeSpace::sampled(domain, &frontier_guide(domain))?
            }
            other => other?,
        };
        let inverses = domain
            .parties
            .iter()
            .map(|p| Arc::new(index(&space, &p.utility)))
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

#[cfg(test)]
mod tests {
    use super::buckets::INVERTER_EPS;
    use super::*;
    use proptest::prelude::*;

    /// An entry of an additive table: ordinary values, both zeros, and now
    /// and then one that is not finite or large enough to overflow a sum.
    fn entry() -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => -2.0f64..2.0,
            2 => Just(0.0),
            2 => Just(-0.0),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::MAX),
        ]
    }

    proptest! {
        /// The one-pass range is `Additive::range` where every entry is
        /// finite and the largest magnitudes sum to a finite number, and
        /// `None` elsewhere, bit for bit.
        #[test]
        fn finite_range_is_range_of_finite_tables(
            tables in prop::collection::vec(prop::collection::vec(entry(), 1..6), 1..5),
            clip in any::<bool>(),
        ) {
            let a = truce_negotiate::Additive { tables, clip };
            let bound: f64 = a
                .tables
                .iter()
                .map(|t| t.iter().fold(0.0f64, |m, v| m.max(v.abs())))
                .sum();
            let finite = bound.is_finite() && a.tables.iter().flatten().all(|v| v.is_finite());
            let want = finite.then(|| a.range());
            let got = finite_range(&a);
            prop_assert_eq!(
                got.map(|(lo, hi)| (lo.to_bits(), hi.to_bits())),
                want.map(|(lo, hi)| (lo.to_bits(), hi.to_bits()))
            );
        }
    }

    impl Inverse {
        /// An inverse of given utilities, indexed as a built one is.
        fn of_utilities(utility: Vec<f64>) -> Self {
            let index = BucketIndex::build(&utility, None);
            Self {
                n: utility.len(),
                utility: OnceLock::from(utility),
                order: Order::Whole(index),
                sorted: OnceLock::new(),
                min: 0.0,
                max: 0.0,
            }
        }
    }

    /// The oracle: outcomes sorted by a comparison sort on (utility, id),
    /// and NegMAS's `worst_in` read off the sorted arrays.
    struct Oracle {
        ids: Vec<OutcomeId>,
        u: Vec<f64>,
    }

    impl Oracle {
        fn new(utility: &[f64]) -> Self {
            let mut ids: Vec<OutcomeId> = (0..utility.len() as OutcomeId).collect();
            ids.sort_by(|&a, &b| {
                utility[a as usize]
                    .total_cmp(&utility[b as usize])
                    .then(a.cmp(&b))
            });
            let u = ids.iter().map(|&o| utility[o as usize]).collect();
            Self { ids, u }
        }

        fn rank_at_least(&self, x: f64) -> usize {
            self.u.iter().take_while(|&&v| v < x).count()
        }

        fn worst_in(&self, lo: f64, hi: f64, floor: f64) -> Option<OutcomeId> {
            let n = self.u.len();
            let first = self.rank_at_least(floor);
            if first >= n {
                return None;
            }
            let i = self.rank_at_least(lo).max(first).min(n - 1);
            let mut best = i;
            if i > first {
                let below = self.u[i - 1];
                let in_range = below >= lo - INVERTER_EPS && below <= hi + 2.0 * INVERTER_EPS;
                if in_range && (below - lo).abs() < (self.u[i] - lo).abs() {
                    best = self
                        .u
                        .iter()
                        .position(|&v| v == below)
                        .unwrap_or(i)
                        .max(first);
                }
            }
            Some(self.ids[best])
        }
    }

    /// Utilities with many exact ties and near ties (a handful of levels,
    /// some a few ulps apart), or spread out.
    fn utilities() -> impl Strategy<Value = Vec<f64>> {
        prop_oneof![
            prop::collection::vec(0u8..6, 1..400).prop_map(|v| v
                .into_iter()
                .map(|k| {
                    let base = f64::from(k / 2) * 0.25;
                    if k % 2 == 1 { base + 1e-7 } else { base }
                })
                .collect()),
            prop::collection::vec(-1.0f64..2.0, 1..400),
            prop::collection::vec(Just(0.5f64), 1..5000),
        ]
    }

    /// Additive tables with ties (values on a grid of eighths) or spread
    /// values, and the issues' sizes.
    fn tables() -> impl Strategy<Value = Vec<Vec<f64>>> {
        let value = prop_oneof![(0u8..9).prop_map(|k| f64::from(k) * 0.125), -1.0f64..2.0,];
        prop::collection::vec(prop::collection::vec(value, 1..9), 1..6)
    }

    proptest! {
        /// A fresh index from the top down answers every query as the
        /// whole-space index does, however far below its tiers the query
        /// reaches: queries near an outcome's utility (the 1e-6 rule) and
        /// a descending sequence, as agents ask.
        #[test]
        fn top_down_answers_as_the_whole_index(
            tables in tables(),
            clip in any::<bool>(),
            picks in prop::collection::vec((0usize..5000, -2e-6f64..2e-6, 0.0f64..0.3), 1..12),
            floor in -1.0f64..2.0,
            ranks in prop::collection::vec(0usize..5000, 1..6),
        ) {
            let sizes: Vec<usize> = tables.iter().map(Vec::len).collect();
            let space = OutcomeSpace::of_sizes(&sizes).unwrap();
            let utility = Utility::Additive(truce_negotiate::Additive { tables, clip });
            let whole = Inverse::build(&space, &utility);
            let n = whole.len();
            let sorted = whole.ascending().to_vec();
            let level = |k: usize, nudge: f64| whole.utility(sorted[n - 1 - k % n]) + nudge;
            // One fresh index per query, and one asked in descending order.
            let mut picks = picks;
            picks.sort_by(|x, y| level(y.0, y.1).total_cmp(&level(x.0, x.1)));
            let agent = Inverse::build_top_down(&space, &utility);
            let lazy = Inverse::build_lazy(&space, &utility);
            for &(k, nudge, width) in &picks {
                let lo = level(k, nudge);
                let fresh = Inverse::build_top_down(&space, &utility);
                let want = whole.worst_in(lo, lo + width, floor);
                prop_assert_eq!(fresh.worst_in(lo, lo + width, floor), want);
                prop_assert_eq!(agent.worst_in(lo, lo + width, floor), want);
                // Answered by scanning the utilities (the first queries of
                // a lazy index) and by the index it then makes.
                prop_assert_eq!(Inverse::build_lazy(&space, &utility).worst_in(lo, lo + width, floor), want);
                prop_assert_eq!(lazy.worst_in(lo, lo + width, floor), want);
                let fresh = Inverse::build_top_down(&space, &utility);
                prop_assert_eq!(fresh.rank_at_least(lo), whole.rank_at_least(lo));
                let fresh = Inverse::build_top_down(&space, &utility);
                let mut got = fresh.at_least(lo);
                let mut all = whole.at_least(lo);
                got.sort_by_key(|x| x.0);
                all.sort_by_key(|x| x.0);
                prop_assert_eq!(got, all);
            }
            for &k in &ranks {
                let fresh = Inverse::build_top_down(&space, &utility);
                prop_assert_eq!(fresh.at_rank(k % n), whole.at_rank(k % n));
                prop_assert_eq!(fresh.utility((k % n) as OutcomeId), whole.utility((k % n) as OutcomeId));
            }
            let fresh = Inverse::build_top_down(&space, &utility);
            prop_assert_eq!(fresh.best(), whole.best());
            prop_assert_eq!((fresh.min(), fresh.max()), (whole.min(), whole.max()));
            prop_assert_eq!(fresh.ascending(), whole.ascending());
            prop_assert_eq!(fresh.all(), whole.all());
        }
    }

    proptest! {
        #[test]
        fn slice_queries_answer_as_the_sorted_order(
            utility in utilities(),
            lo in -0.2f64..1.3,
            width in 0.0f64..0.5,
            floor in -0.5f64..1.0,
            ranks in prop::collection::vec(0usize..5000, 1..20),
        ) {
            let oracle = Oracle::new(&utility);
            let n = utility.len();
            let inv = Inverse::of_utilities(utility.clone());
            // Queries on the slices first (no sorted order yet) ...
            let scanned = (
                inv.worst_in(lo, lo + width, floor),
                inv.rank_at_least(lo),
                ranks.iter().map(|&k| inv.at_rank(k % n)).collect::<Vec<_>>(),
                inv.best(),
            );
            prop_assert!(inv.sorted.get().is_none());
            prop_assert_eq!(scanned.0, oracle.worst_in(lo, lo + width, floor));
            prop_assert_eq!(scanned.1, oracle.rank_at_least(lo));
            let want: Vec<_> = ranks
                .iter()
                .map(|&k| Some((oracle.ids[k % n], oracle.u[k % n])))
                .collect();
            prop_assert_eq!(&scanned.2, &want);
            prop_assert_eq!(scanned.3, oracle.ids[oracle.rank_at_least(oracle.u[n - 1])]);
            // ... and on the sorted order, made from the slices.
            prop_assert_eq!(inv.ascending(), &oracle.ids[..]);
            prop_assert_eq!(inv.worst_in(lo, lo + width, floor), scanned.0);
        }
    }
}
