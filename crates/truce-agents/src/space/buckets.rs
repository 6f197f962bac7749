//! The utility-slice index and the sums and sorts it is made from: a leaf
//! module, so [`super`] and its `top_down` child both use it without a cycle.

use std::cmp::Ordering::{Greater, Less};
use std::sync::OnceLock;

/// An outcome: its number in enumeration order.
pub type OutcomeId = u32;

/// NegMAS's `_common.EPS`: how far below the requested lower bound an
/// inverter may still pick an outcome that is nearer to the bound.
pub(super) const INVERTER_EPS: f64 = 1e-6;

/// The fully sorted order of an [`Inverse`](super::Inverse).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sorted {
    /// Outcome ids in ascending utility, ties in id order.
    pub(super) ids: Vec<OutcomeId>,
    /// `utility[ids[k]]`, kept beside for cache-friendly binary search.
    pub(super) utility: Vec<f64>,
}

/// Outcomes grouped into slices of equal width of the utility range. The
/// slice of a utility never decreases as the utility grows, so every outcome
/// of a lower slice has a lower utility than every outcome of a higher one:
/// the sorted order is the slices one after another, each sorted.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BucketIndex {
    /// Lowest utility.
    pub(super) lo: f64,
    /// Slices per unit of utility.
    pub(super) scale: f64,
    /// `starts[b]..starts[b + 1]` are slice `b`'s positions in `ids`.
    pub(super) starts: Vec<u32>,
    /// Positions in the utility array slice by slice, in no particular
    /// order within a slice.
    pub(super) ids: Vec<OutcomeId>,
    /// The outcome at each position of the utility array; empty when the
    /// array holds every outcome by number.
    pub(super) names: Vec<OutcomeId>,
    /// Each slice's outcomes with their utilities, sorted by (utility, id),
    /// made when a query first reaches the slice.
    pub(super) sorted: Vec<OnceLock<SortedSlice>>,
}

/// A slice's outcomes as (utility, id), in (utility, id) order.
pub(super) type SortedSlice = Box<[(f64, OutcomeId)]>;

/// Most slices of an index: the counters (64 KB in four lanes) stay in the
/// L1 and L2 caches while the outcomes are distributed.
pub(super) const MAX_SLICES: usize = 4096;

/// Outcomes per slice on average, below [`MAX_SLICES`].
pub(super) const PER_SLICE: usize = 16;

impl BucketIndex {
    /// The index of `utility`, or `None` if a utility is not finite.
    /// `range`, when known, is the lowest and highest utility (any finite
    /// bounds give a correct index; these give small slices).
    pub(super) fn build(utility: &[f64], range: Option<(f64, f64)>) -> Option<Self> {
        let (lo, hi) = match range {
            Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo <= hi => (lo, hi),
            _ => {
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for &u in utility {
                    if !u.is_finite() {
                        return None;
                    }
                    lo = lo.min(u);
                    hi = hi.max(u);
                }
                (lo, hi)
            }
        };
        Some(Self::with_range(utility, (lo, hi)))
    }

    /// The index of finite `utility` sliced over `[lo, hi]` (utilities
    /// outside fall in the first or last slice).
    pub(super) fn with_range(utility: &[f64], range: (f64, f64)) -> Self {
        Self::with_slices(utility, range, utility.len() / PER_SLICE)
    }

    /// The index of finite `utility` in about `slices` slices of `[lo, hi]`
    /// (at least one, at most [`MAX_SLICES`]).
    pub(super) fn with_slices(utility: &[f64], range: (f64, f64), slices: usize) -> Self {
        let mut index = Self::grouped(utility, range, slices);
        index.sorted = (0..index.slices()).map(|_| OnceLock::new()).collect();
        index
    }

    /// [`Self::with_slices`] without the slices' sorted copies: an index
    /// only for its groups (`starts` and `ids`), which must not be asked
    /// for ranks.
    pub(super) fn grouped(utility: &[f64], (lo, hi): (f64, f64), slices: usize) -> Self {
        let slices = slices.clamp(1, MAX_SLICES);
        let width = hi - lo;
        let scale = if width > 0.0 && (slices as f64 / width).is_finite() {
            slices as f64 / width
        } else {
            0.0
        };
        let mut index = Self {
            lo,
            scale,
            starts: vec![0; slices + 1],
            ids: vec![0; utility.len()],
            names: Vec::new(),
            sorted: Vec::new(),
        };
        // Counting sort in four lanes (outcome id mod 4), each with its own
        // counts and cursors: neighbouring outcomes, which often fall in the
        // same slice, then update different counters instead of waiting on
        // one. Order within a slice is not kept (slices are sorted by
        // utility and id when read).
        const LANES: usize = 4;
        // Every outcome's slice first, in one pass the compiler vectorises.
        let last = (slices - 1) as f64;
        let (lo, scale) = (index.lo, index.scale);
        let mut slice_of = vec![0u16; utility.len()];
        for (b, &u) in slice_of.iter_mut().zip(utility) {
            *b = slice_number(u, lo, scale, last);
        }
        let mut cursor = vec![0u32; LANES * slices];
        let mut chunks = slice_of.chunks_exact(LANES);
        for chunk in &mut chunks {
            for (lane, &b) in chunk.iter().enumerate() {
                cursor[lane * slices + b as usize] += 1;
            }
        }
        for (lane, &b) in chunks.remainder().iter().enumerate() {
            cursor[lane * slices + b as usize] += 1;
        }
        let mut at = 0u32;
        for b in 0..slices {
            index.starts[b] = at;
            for lane in 0..LANES {
                let count = cursor[lane * slices + b];
                cursor[lane * slices + b] = at;
                at += count;
            }
        }
        index.starts[slices] = at;
        let tail = slice_of.len() - slice_of.len() % LANES;
        let mut chunks = slice_of.chunks_exact(LANES).enumerate();
        for (k, chunk) in &mut chunks {
            for (lane, &b) in chunk.iter().enumerate() {
                let c = &mut cursor[lane * slices + b as usize];
                index.ids[*c as usize] = (k * LANES + lane) as OutcomeId;
                *c += 1;
            }
        }
        for (lane, &b) in slice_of[tail..].iter().enumerate() {
            let c = &mut cursor[lane * slices + b as usize];
            index.ids[*c as usize] = (tail + lane) as OutcomeId;
            *c += 1;
        }
        index
    }

    pub(super) fn slices(&self) -> usize {
        self.starts.len() - 1
    }

    /// The slice of utility `u`: monotone in `u`, clamped to the slices.
    pub(super) fn slice(&self, u: f64) -> usize {
        // The formula of `build`'s pass; a slice number fits in a u16.
        let last = (self.slices() - 1) as f64;
        usize::from(slice_number(u, self.lo, self.scale, last))
    }

    /// Slice `b`'s outcomes and utilities in (utility, id) order, sorted
    /// the first time they are asked for.
    pub(super) fn sorted_slice(&self, b: usize, utility: &[f64]) -> &[(f64, OutcomeId)] {
        self.sorted[b].get_or_init(|| {
            let ids = &self.ids[self.starts[b] as usize..self.starts[b + 1] as usize];
            let mut slice: Vec<(f64, OutcomeId)> = if self.names.is_empty() {
                ids.iter().map(|&o| (utility[o as usize], o)).collect()
            } else {
                ids.iter()
                    .map(|&o| (utility[o as usize], self.names[o as usize]))
                    .collect()
            };
            slice.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            slice.into_boxed_slice()
        })
    }

    /// The slice holding rank `k` (`k` < n).
    pub(super) fn slice_of_rank(&self, k: usize) -> usize {
        self.starts.partition_point(|&s| s as usize <= k) - 1
    }

    /// First rank whose utility is at least `u`: every outcome of a lower
    /// slice is below `u`, every one of a higher slice above it.
    pub(super) fn rank_at_least(&self, u: f64, utility: &[f64]) -> usize {
        if u.is_nan() {
            // No utility is below NaN.
            return 0;
        }
        let b = self.slice(u);
        self.starts[b] as usize
            + self
                .sorted_slice(b, utility)
                .partition_point(|&(x, _)| x < u)
    }

    /// The outcome at rank `k` and its utility.
    pub(super) fn at_rank(&self, k: usize, utility: &[f64]) -> Option<(OutcomeId, f64)> {
        if k >= self.ids.len() {
            return None;
        }
        let b = self.slice_of_rank(k);
        let (u, id) = *self
            .sorted_slice(b, utility)
            .get(k - self.starts[b] as usize)?;
        Some((id, u))
    }

    /// Slice `b`'s outcomes as (utility, id), by a callback: the sorted
    /// copy if a query already made it, else read through `ids`.
    fn each_in(&self, b: usize, utility: &[f64], mut f: impl FnMut(Pair)) {
        if let Some(sorted) = self.sorted.get(b).and_then(OnceLock::get) {
            sorted.iter().for_each(|&x| f(x));
            return;
        }
        let ids = &self.ids[self.starts[b] as usize..self.starts[b + 1] as usize];
        if self.names.is_empty() {
            ids.iter().for_each(|&o| f((utility[o as usize], o)));
        } else {
            ids.iter()
                .for_each(|&o| f((utility[o as usize], self.names[o as usize])));
        }
    }

    /// The least (`Less`) or greatest (`Greater`) (utility, id) in slice
    /// `b`, if any.
    fn extreme_in(&self, b: usize, utility: &[f64], wins: std::cmp::Ordering) -> Option<Pair> {
        let mut best: Option<Pair> = None;
        self.each_in(b, utility, |x| {
            if best.is_none_or(|a| by_utility_then_id(&x, &a) == wins) {
                best = Some(x);
            }
        });
        best
    }

    /// [`super::Inverse::worst_in`] for a finite `lo` and a floor that is
    /// a number, in one pass over the slice where the level falls (and the
    /// nearest slices that hold outcomes, if it holds none on a side): the
    /// least (utility, id) at or above the level and the greatest below
    /// it. `None` when every outcome is below the level (the caller
    /// clamps up by ranks).
    pub(super) fn worst_in(
        &self,
        utility: &[f64],
        lo: f64,
        hi: f64,
        floor: f64,
    ) -> Option<Option<OutcomeId>> {
        let target = lo.max(floor);
        let b = self.slice(target);
        let mut split = Split::new(target);
        self.each_in(b, utility, |x| split.add(x));
        let mut below = split.below;
        let (at_u, at_id) = match split.at {
            Some(x) => x,
            None => (b + 1..self.slices()).find_map(|b| self.extreme_in(b, utility, Less))?,
        };
        if below.is_none() {
            below = (0..b)
                .rev()
                .find_map(|b| self.extreme_in(b, utility, Greater));
        }
        // The outcome just below, if it is rational.
        if let Some((below_u, _)) = below
            && below_u >= floor
            && nearer_below(lo, hi, at_u, below_u)
        {
            // The first outcome of that utility (equal utilities share
            // a slice).
            let mut first: Option<OutcomeId> = None;
            self.each_in(self.slice(below_u), utility, |x| {
                if x.0 == below_u && first.is_none_or(|f| x.1 < f) {
                    first = Some(x.1);
                }
            });
            return Some(first);
        }
        Some(Some(at_id))
    }

    /// Each slice sorted by utility, ties in id order: the sorted order.
    pub(super) fn sorted(&self, utility: &[f64]) -> Sorted {
        let mut ids = Vec::with_capacity(self.ids.len());
        let mut sorted_utility = Vec::with_capacity(self.ids.len());
        for b in 0..self.slices() {
            for &(u, o) in self.sorted_slice(b, utility) {
                ids.push(o);
                sorted_utility.push(u);
            }
        }
        Sorted {
            ids,
            utility: sorted_utility,
        }
    }
}

/// [`additive_utilities`](super::additive_utilities) of issues with `sizes` values.
pub(super) fn sum_tables(sizes: &[usize], tables: &[Vec<f64>]) -> Vec<f64> {
    // One vector, expanded issue by issue in place: the partial sums of the
    // first k issues occupy its front, and each is replaced by its
    // extensions, written back to front so none is overwritten unread.
    let mut sums = vec![0.0f64; sizes.iter().product()];
    let mut filled = 1usize;
    for (issue, &size) in sizes.iter().enumerate() {
        let table = tables.get(issue).map_or(&[][..], Vec::as_slice);
        for j in (0..filled).rev() {
            let partial = sums[j];
            let out = &mut sums[j * size..(j + 1) * size];
            for (v, slot) in out.iter_mut().enumerate() {
                *slot = partial + table.get(v).copied().unwrap_or(0.0);
            }
        }
        filled *= size;
    }
    sums
}

/// Stable LSD radix sort by key, 8 bits a pass (256 buckets stay in cache), for
/// utilities without an index (one is not finite): a Travel party
/// (188,160 outcomes) takes a fraction of a comparison sort's time, and
/// stability keeps equal utilities in enumeration order.
pub(super) fn radix_sort(mut items: Vec<(u64, OutcomeId)>) -> Vec<(u64, OutcomeId)> {
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
pub(super) fn order_key(u: f64) -> u64 {
    let bits = u.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// NegMAS's `_nearest_around` rule in `worst_in`: the outcome just below the
/// level (utility `below`) is picked over the one at or above it (utility
/// `at`) when it lies at most [`INVERTER_EPS`] below `lo` (and at most
/// twice that above `hi`) and is strictly nearer to `lo`.
pub(super) fn nearer_below(lo: f64, hi: f64, at: f64, below: f64) -> bool {
    let in_range = below >= lo - INVERTER_EPS && below <= hi + 2.0 * INVERTER_EPS;
    in_range && (below - lo).abs() < (at - lo).abs()
}

/// The slice of utility `u` in slices of `1 / scale` from `base`, the last
/// one `last` (a slice number fits in a u16): monotone in `u`. `max` and
/// `min` rather than `clamp`, which asserts its bounds on every call and
/// keeps the compiler from vectorising the passes that slice every
/// outcome.
#[inline]
pub(super) fn slice_number(u: f64, base: f64, scale: f64, last: f64) -> u16 {
    ((u - base) * scale).max(0.0).min(last) as u16
}

/// An outcome's utility and id.
pub(super) type Pair = (f64, OutcomeId);

/// Over (utility, id) pairs fed one by one, the least at or above a level
/// and the greatest below it, in (utility, id) order: what a `worst_in`
/// query needs of the slice where its level falls.
#[derive(Debug, Clone, Copy)]
pub(super) struct Split {
    level: f64,
    /// The least pair at or above the level.
    pub(super) at: Option<Pair>,
    /// The greatest pair below the level.
    pub(super) below: Option<Pair>,
}

impl Split {
    /// Nothing seen yet at `level`.
    pub(super) fn new(level: f64) -> Self {
        Self {
            level,
            at: None,
            below: None,
        }
    }

    #[inline]
    pub(super) fn add(&mut self, x: Pair) {
        if x.0 >= self.level {
            if self.at.is_none_or(|a| by_utility_then_id(&x, &a).is_lt()) {
                self.at = Some(x);
            }
        } else if self
            .below
            .is_none_or(|a| by_utility_then_id(&x, &a).is_gt())
        {
            self.below = Some(x);
        }
    }
}

/// The (utility, id) order of (utility, id) pairs.
pub(super) fn by_utility_then_id(x: &(f64, OutcomeId), y: &(f64, OutcomeId)) -> std::cmp::Ordering {
    x.0.total_cmp(&y.0).then(x.1.cmp(&y.1))
}
