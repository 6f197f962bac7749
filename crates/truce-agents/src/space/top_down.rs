//! One party's outcomes indexed from the top down, as far as queries reach.
//!
//! A time-based agent asks only for outcomes at or above its aspiration,
//! which stays high for most of a session: on the shared domains an
//! Aspiration-vs-Boulware session reaches the best 1–35 % of each party's
//! outcomes. So instead of computing and indexing every outcome, the index
//! holds *tiers*: the outcomes whose utility lies in `[lo, previous lo)`.
//! An outcome is a *parent* (its values of the first issues) and a *suffix*
//! (its values of the last few); the parents' partial sums are computed and
//! grouped by slices once, and for a fixed suffix the utility grows with
//! the parent's sum, so a tier's outcomes are, for each suffix, a run of
//! parent slices of which only the two end slices are partly out of range.
//! A query below the lowest tier adds tiers, each aiming at a quarter more
//! outcomes than found so far (at the last tier's density), until the
//! query is answered. A tier holds its outcomes as (utility, id) pairs
//! grouped by utility slice (a counting sort), so a tier allocates
//! nothing per slice. A `worst_in` query (what the time-based agents ask)
//! reads the slice where its level falls once, unsorted: the least
//! (utility, id) at or above the level and the greatest below it, each from
//! the nearest slice that holds one. Rank queries (`at_rank`,
//! `rank_at_least`) count and select in a slice on its first few reads and
//! sort it in place after. The tiers sit behind a mutex: a query takes it
//! once.
//!
//! Utilities are summed issue by issue from 0.0, exactly as
//! [`super::additive_utilities`] and NegMAS add them, so every value is the
//! same bit pattern the whole-space index holds, and ties break by outcome
//! number as there.

use std::cell::RefCell;
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::buckets::{
    BucketIndex, INVERTER_EPS, MAX_SLICES, OutcomeId, Pair, Split, by_utility_then_id,
    nearer_below, slice_number, sum_tables,
};

/// The additive utility of one party and its tiers.
#[derive(Debug)]
pub(super) struct TopDown {
    /// `tables[issue][value]`, one entry per value (missing ones are 0.0,
    /// as the whole-space sum reads them).
    tables: Vec<Vec<f64>>,
    /// Values per issue.
    sizes: Vec<u32>,
    /// Outcomes per value of each issue (the mixed-radix place values).
    strides: Vec<u32>,
    /// Sums above 1 are clipped to 1.
    clip: bool,
    /// How many of the last issues make an outcome's suffix.
    suffix_issues: usize,
    /// Every suffix's table entries (`suffix_issues` per suffix), suffixes
    /// in enumeration order, and their sums.
    suffix: Vec<f64>,
    suffix_sum: Vec<f64>,
    /// Far more than the rounding of any sum of these tables: bounds are
    /// widened by it so that a branch is never skipped wrongly.
    slack: f64,
    /// Number of outcomes.
    n: usize,
    /// Lowest and highest utility (exact: the per-issue extremes summed in
    /// issue order).
    min: f64,
    max: f64,
    tiers: Mutex<Tiers>,
    /// Outcomes a new tier aims to add at least: [`MIN_TIER`], smaller in
    /// this module's tests so that small spaces span many tiers.
    min_tier: f64,
    /// The parents' partial sums, made for the first tier.
    parents: OnceLock<Parents>,
}

/// The partial sums of the outcomes' issues but the last, by parent number
/// (an outcome's number divided by the last issue's size), and their index.
#[derive(Debug)]
struct Parents {
    partial: Vec<f64>,
    index: BucketIndex,
}

/// The tiers found so far, best first.
#[derive(Debug, Default)]
struct Tiers {
    list: Vec<Tier>,
    /// Outcomes in all tiers.
    count: usize,
    /// Utility width of the last tier added.
    step: f64,
}

/// The outcomes with utility in `[lo, the previous tier's lo)`.
#[derive(Debug)]
struct Tier {
    /// Lowest utility of the tier (`-inf` for the one that completes the
    /// space).
    lo: f64,
    /// Outcomes in the tiers above this one.
    above: usize,
    /// The tier's outcomes with their utilities, grouped by utility slice
    /// (a counting sort); a slice is sorted in (utility, id) order in place
    /// once queries have read it [`UNSORTED_READS`] times.
    sorted: Vec<(f64, OutcomeId)>,
    /// `starts[b]..starts[b + 1]` are slice `b`'s positions in `sorted`.
    starts: Vec<u32>,
    /// How often a query has read slice `b` unsorted, or [`SORTED`] once
    /// it is sorted.
    reads: Vec<u8>,
    /// The slice and position the last selection put in place (positions
    /// before it hold the smaller pairs, after it the larger).
    selected: (usize, usize),
    /// The slices' lowest utility and slices per unit of utility.
    base: f64,
    scale: f64,
}

impl Tier {
    /// Slice of utility `u` (monotone in `u`, clamped to the slices).
    fn slice(&self, u: f64) -> usize {
        let last = (self.reads.len() - 1) as f64;
        usize::from(slice_number(u, self.base, self.scale, last))
    }

    /// Sorts slice `b` if it is not sorted yet.
    fn ensure(&mut self, b: usize) {
        if self.reads[b] != SORTED {
            self.reads[b] = SORTED;
            let run = &mut self.sorted[self.starts[b] as usize..self.starts[b + 1] as usize];
            if run.len() > 1 {
                // Tied utilities (sums of round evaluations) often fill a
                // slice with one value: then the order is the ids'.
                let first = run[0].0.to_bits();
                if run.iter().all(|x| x.0.to_bits() == first) {
                    run.sort_unstable_by_key(|x| x.1);
                } else {
                    run.sort_unstable_by(by_utility_then_id);
                }
            }
        }
    }

    /// Whether a query may read slice `b` without sorting it (a count or a
    /// selection, linear in the slice): the first [`UNSORTED_READS`] times,
    /// after which the slice is sorted once, as a sort pays for itself
    /// when queries keep coming back to a slice.
    fn read_unsorted(&mut self, b: usize) -> bool {
        if self.reads[b] >= UNSORTED_READS {
            self.ensure(b);
            return false;
        }
        self.reads[b] += 1;
        true
    }

    /// Position of the first outcome whose utility is at least `u`.
    fn rank_at_least(&mut self, u: f64) -> usize {
        if u.is_nan() {
            return 0;
        }
        let b = self.slice(u);
        let start = self.starts[b] as usize;
        let unsorted = self.read_unsorted(b);
        let run = &self.sorted[start..self.starts[b + 1] as usize];
        // A slice's position of `u` is how many of its outcomes are below
        // `u`, sorted or not.
        start
            + if unsorted {
                run.iter().filter(|&&(x, _)| x < u).count()
            } else {
                run.partition_point(|&(x, _)| x < u)
            }
    }

    /// The outcome at position `k` in (utility, id) order: in a slice not
    /// yet sorted, selected in place (the slice's order stays one that a
    /// sort or a later selection starts from).
    fn at_rank(&mut self, k: usize) -> Option<(OutcomeId, f64)> {
        if k >= self.sorted.len() {
            return None;
        }
        let b = self.starts.partition_point(|&s| s as usize <= k) - 1;
        let start = self.starts[b] as usize;
        if self.read_unsorted(b) {
            let run = &mut self.sorted[start..self.starts[b + 1] as usize];
            let r = k - start;
            if self.selected == (b, r + 1) {
                // The last selection put position r + 1 in place, so the
                // positions before it hold the smaller pairs: the largest
                // of them is position r (what `worst_in` asks next).
                let (m, _) = run[..=r]
                    .iter()
                    .enumerate()
                    .max_by(|x, y| by_utility_then_id(x.1, y.1))
                    .expect("r + 1 positions");
                run.swap(m, r);
            } else {
                run.select_nth_unstable_by(r, by_utility_then_id);
            }
            self.selected = (b, r);
        }
        self.sorted.get(k).map(|&(u, id)| (id, u))
    }

    /// Number of slices.
    fn slices(&self) -> usize {
        self.reads.len()
    }

    /// Slice `b`'s pairs, in whatever order queries left them.
    fn run(&self, b: usize) -> &[(f64, OutcomeId)] {
        &self.sorted[self.starts[b] as usize..self.starts[b + 1] as usize]
    }

    /// In slice `b`, the least (utility, id) at or above `u` and the
    /// greatest below it, in one pass.
    fn split_at(&self, b: usize, u: f64) -> Split {
        let mut split = Split::new(u);
        self.run(b).iter().for_each(|&x| split.add(x));
        split
    }

    /// The least (utility, id) of the first slice from `b` on that holds
    /// one.
    fn least_from(&self, b: usize) -> Option<Pair> {
        (b..self.slices()).find_map(|b| self.run(b).iter().copied().min_by(by_utility_then_id))
    }

    /// The greatest (utility, id) of the last slice before `b` that holds
    /// one.
    fn greatest_before(&self, b: usize) -> Option<Pair> {
        (0..b)
            .rev()
            .find_map(|b| self.run(b).iter().copied().max_by(by_utility_then_id))
    }

    /// The lowest id of utility `u` in this tier (equal utilities share a
    /// slice).
    fn first_of(&self, u: f64) -> Option<OutcomeId> {
        self.run(self.slice(u))
            .iter()
            .filter(|x| x.0 == u)
            .map(|x| x.1)
            .min()
    }

    /// Every slice sorted: the tier in (utility, id) order.
    fn sort_all(&mut self) -> &[(f64, OutcomeId)] {
        for b in 0..self.reads.len() {
            self.ensure(b);
        }
        &self.sorted
    }
}

/// [`Tier::reads`] of a sorted slice.
const SORTED: u8 = u8::MAX;

/// Reads of a slice answered by a count or a selection before it is
/// sorted.
const UNSORTED_READS: u8 = 3;

/// One thread's buffers for adding a tier: the walk's finds, their slices
/// and the counting sort's cursors.
#[derive(Default)]
struct Scratch {
    found: Vec<(f64, OutcomeId)>,
    slice_of: Vec<u16>,
    cursor: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    /// Tiers' outcome buffers given back when their index was dropped,
    /// reused by the thread's next tiers: a session's tiers are allocated
    /// and freed again every session, and a large fresh buffer costs a page
    /// fault per page (the allocator returns freed memory to the system).
    static SPARE: RefCell<Vec<Vec<(f64, OutcomeId)>>> = const { RefCell::new(Vec::new()) };
}

/// Most buffers [`SPARE`] keeps, and most outcomes they hold together
/// (16 bytes each: 32 MB).
const SPARE_BUFFERS: usize = 64;
const SPARE_OUTCOMES: usize = 1 << 21;

/// A buffer of `len` zeroed pairs: the smallest spare one that holds them,
/// else the largest spare one grown, else a new one.
fn pairs(len: usize) -> Vec<(f64, OutcomeId)> {
    let spare = SPARE
        .try_with(|spare| {
            let mut spare = spare.try_borrow_mut().ok()?;
            let fits = spare
                .iter()
                .enumerate()
                .filter(|(_, v)| v.capacity() >= len)
                .min_by_key(|(_, v)| v.capacity())
                .map(|(k, _)| k);
            let largest = || (0..spare.len()).max_by_key(|&k| spare[k].capacity());
            let k = fits.or_else(largest)?;
            Some(spare.swap_remove(k))
        })
        .ok()
        .flatten();
    match spare {
        Some(mut v) => {
            v.clear();
            v.resize(len, (0.0, 0));
            v
        }
        None => vec![(0.0, 0); len],
    }
}

impl Drop for Tier {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.sorted);
        if v.capacity() == 0 {
            return;
        }
        // On a thread being torn down, or when full, the buffer is freed.
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                let held: usize = spare.iter().map(Vec::capacity).sum();
                if spare.len() < SPARE_BUFFERS && held + v.capacity() <= SPARE_OUTCOMES {
                    spare.push(v);
                }
            }
        });
    }
}

/// Width of the first tier, as a share of the utility range.
const FIRST_STEP: f64 = 1.0 / 128.0;

/// Outcomes a new tier aims to add, as a share of those found so far.
const GROWTH: f64 = 0.25;

/// Outcomes per slice of a tier on average: half the whole index's, as the
/// agents' levels pass through a tier's slices and each is sorted when
/// first read.
const TIER_PER_SLICE: usize = 8;

/// Outcomes a new tier aims to add at least: a tier costs a pass over
/// every suffix and its own buffers, so many small tiers at the top (where
/// a quarter of few outcomes is few) cost more than the outcomes they
/// spare (Amsterdam, 3,024 outcomes: 64 here was ~6 % slower; Energy ~10 %).
const MIN_TIER: f64 = 256.0;

/// The parents a [`TopDown::walk`] reads for one suffix.
struct Run<'a> {
    parents: &'a [OutcomeId],
    partial: &'a [f64],
    range: (f64, f64),
    suffix: OutcomeId,
    combos: OutcomeId,
}

impl Run<'_> {
    /// Appends the outcomes of these parents and the suffix whose utility,
    /// `utility(partial sum)`, lies in the range.
    #[inline(always)]
    fn scan(&self, found: &mut Vec<(f64, OutcomeId)>, utility: impl Fn(f64) -> f64) {
        let (lo, hi) = self.range;
        found.reserve(self.parents.len());
        for &p in self.parents {
            let u = utility(self.partial[p as usize]);
            if lo <= u && u < hi {
                found.push((u, p * self.combos + self.suffix));
            }
        }
    }
}

impl Tiers {
    /// Every outcome at or above this utility is in a tier.
    fn threshold(&self) -> f64 {
        self.list.last().map_or(f64::INFINITY, |t| t.lo)
    }
}

impl TopDown {
    /// `tables` must be finite and their sums must not overflow (the caller
    /// checks); `sizes` are the issues' value counts, and their product `n`
    /// fits in an outcome number.
    pub(super) fn new(sizes: &[usize], tables: &[Vec<f64>], clip: bool) -> Self {
        let tables: Vec<Vec<f64>> = sizes
            .iter()
            .enumerate()
            .map(|(issue, &size)| {
                let t = tables.get(issue).map_or(&[][..], Vec::as_slice);
                (0..size)
                    .map(|v| t.get(v).copied().unwrap_or(0.0))
                    .collect()
            })
            .collect();
        let mut strides = vec![1u32; sizes.len()];
        for k in (0..sizes.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1].saturating_mul(sizes[k + 1] as u32);
        }
        let mut magnitude = 0.0f64;
        for k in (0..sizes.len()).rev() {
            let t = &tables[k];
            magnitude += t.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        }
        // The extremes summed in issue order from 0.0, as every outcome is.
        let (mut min, mut max) = (0.0, 0.0);
        for t in &tables {
            min += t.iter().copied().fold(f64::INFINITY, f64::min);
            max += t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        }
        // A suffix of about a quarter of the square root of the outcomes:
        // few parents to sum and index up front, few suffixes per tier.
        let n: usize = sizes.iter().product();
        let target = (n as f64).sqrt() / 4.0;
        let mut suffix_issues = 1;
        let mut combos = sizes.last().copied().unwrap_or(1);
        while suffix_issues < sizes.len()
            && (combos * sizes[sizes.len() - 1 - suffix_issues]) as f64 <= target
        {
            combos *= sizes[sizes.len() - 1 - suffix_issues];
            suffix_issues += 1;
        }
        let split = sizes.len().saturating_sub(suffix_issues);
        let mut suffix = Vec::with_capacity(combos * suffix_issues);
        let mut suffix_sum = Vec::with_capacity(combos);
        let mut values = vec![0usize; suffix_issues];
        for _ in 0..combos {
            let mut sum = 0.0;
            for (k, &v) in values.iter().enumerate() {
                let t = tables[split + k][v];
                suffix.push(t);
                sum += t;
            }
            suffix_sum.push(sum);
            // Next suffix, last issue fastest.
            for k in (0..suffix_issues).rev() {
                values[k] += 1;
                if values[k] < sizes[split + k] {
                    break;
                }
                values[k] = 0;
            }
        }
        Self {
            suffix_issues,
            suffix,
            suffix_sum,
            tables,
            sizes: sizes.iter().map(|&s| s as u32).collect(),
            strides,
            clip,
            slack: 1e-9 * magnitude + f64::MIN_POSITIVE,
            n: sizes.iter().product(),
            min: truce_negotiate::clip_if(clip, min),
            max: truce_negotiate::clip_if(clip, max),
            tiers: Mutex::new(Tiers::default()),
            min_tier: MIN_TIER,
            parents: OnceLock::new(),
        }
    }

    /// `truce_negotiate::clip_if`, inlined into the walk.
    #[inline]
    fn clip(&self, u: f64) -> f64 {
        if self.clip && u > 1.0 { 1.0 } else { u }
    }

    /// The lowest and highest utility: the outcome of every issue's
    /// smallest (largest) entry sums to the smallest (largest) utility,
    /// because rounding never reverses an order.
    pub(super) fn extremes(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    /// The utility of one outcome, summed as the whole-space index sums it.
    pub(super) fn utility(&self, id: OutcomeId) -> f64 {
        // The parent's partial sum and the suffix's entries, once the
        // parents are summed: the same additions in the same order.
        if let Some(parents) = self.parents.get() {
            let m = self.suffix_issues;
            let combos = self.suffix_sum.len() as u32;
            let (parent, c) = ((id / combos) as usize, (id % combos) as usize);
            if let (Some(&p), Some(entries)) = (
                parents.partial.get(parent),
                self.suffix.get(c * m..(c + 1) * m),
            ) {
                return self.clip(entries.iter().fold(p, |u, &t| u + t));
            }
        }
        let mut rest = id;
        let mut sum = 0.0;
        for ((table, &stride), &size) in self.tables.iter().zip(&self.strides).zip(&self.sizes) {
            let v = (rest / stride).min(size.saturating_sub(1));
            rest -= v * stride;
            sum += table[v as usize];
        }
        self.clip(sum)
    }

    fn lock(&self) -> MutexGuard<'_, Tiers> {
        // A panic while a tier was added leaves the tiers as they were
        // before it (a tier is pushed whole), so a poisoned lock is usable.
        self.tiers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds the next tier, reaching at least down to `down_to`.
    fn add_tier(&self, tiers: &mut Tiers, down_to: f64) {
        let top = tiers.threshold();
        let width = self.max - self.min;
        // The next tier should hold about half as many outcomes as the
        // tiers so far, at the density of the last one: the outcomes grow
        // denser towards the middle, so a step of fixed growth in width
        // would overshoot where the queries stop by a factor of two or more.
        let step = match tiers.list.last() {
            None => width * FIRST_STEP,
            Some(last) => {
                let density = last.sorted.len() as f64 / tiers.step;
                let wanted = (tiers.count as f64 * GROWTH).max(self.min_tier);
                if density > 0.0 {
                    (wanted / density).clamp(tiers.step * 0.5, tiers.step * 2.0)
                } else {
                    tiers.step * 2.0
                }
            }
        };
        let start = if top.is_finite() { top } else { self.max };
        let mut lo = (start - step).min(down_to);
        if !(lo > self.min && step > 0.0) {
            lo = f64::NEG_INFINITY;
        }
        let range = (
            if lo.is_finite() { lo } else { self.min },
            if top.is_finite() { top } else { self.max },
        );
        // The walk's and the counting sort's buffers are the thread's,
        // kept from tier to tier and session to session.
        let tier = SCRATCH.with_borrow_mut(|scratch| {
            scratch.found.clear();
            if !self.sizes.is_empty() {
                self.walk((lo, top), &mut scratch.found);
            }
            Tier::new(lo, tiers.count, range, scratch)
        });
        tiers.count += tier.sorted.len();
        tiers.step = if lo.is_finite() { start - lo } else { step };
        tiers.list.push(tier);
    }

    /// The partial sums of every *parent* (an outcome's values of the
    /// issues before the suffix, numbered in enumeration order), grouped
    /// by slices of their range; made for the first tier.
    fn parents(&self) -> &Parents {
        self.parents.get_or_init(|| {
            let split = self.tables.len() - self.suffix_issues;
            let sizes: Vec<usize> = self.sizes[..split].iter().map(|&s| s as usize).collect();
            let partial = sum_tables(&sizes, &self.tables[..split]);
            let (lo, hi) = partial
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| {
                    (lo.min(p), hi.max(p))
                });
            // About one parent a slice: a run.s two end slices, which are
            // read value by value, stay short.
            let index = BucketIndex::grouped(&partial, (lo, hi), partial.len());
            Parents { partial, index }
        })
    }

    /// Appends the outcomes whose utility lies in `[lo, hi)`. An outcome is
    /// a parent and a suffix (its values of the last few issues); for a
    /// fixed suffix the utility grows with the parent's partial sum, so the
    /// parents that put it in range are a run of the parents' slices, of
    /// which only the two end slices are partly out of range.
    fn walk(&self, range: (f64, f64), found: &mut Vec<(f64, OutcomeId)>) {
        // The clipping decided once, not per outcome.
        if self.clip {
            self.walk_clipped::<true>(range, found);
        } else {
            self.walk_clipped::<false>(range, found);
        }
    }

    /// [`TopDown::walk`] with sums above 1 clipped to 1 if `CLIP`.
    fn walk_clipped<const CLIP: bool>(
        &self,
        (lo, hi): (f64, f64),
        found: &mut Vec<(f64, OutcomeId)>,
    ) {
        let parents = self.parents();
        let index = &parents.index;
        let m = self.suffix_issues;
        let combos = self.suffix_sum.len() as u32;
        let clip = |u: f64| if CLIP && u > 1.0 { 1.0 } else { u };
        // Where clipping maps every larger sum to 1 and 1 is in range, no
        // partial sum is too large.
        let open_top = !hi.is_finite() || (CLIP && lo <= 1.0 && 1.0 < hi);
        let partial = parents.partial.as_slice();
        for (c, &sum) in self.suffix_sum.iter().enumerate() {
            let entries = &self.suffix[c * m..(c + 1) * m];
            let first = index.slice(lo - sum - self.slack);
            let last = if open_top {
                index.slices() - 1
            } else {
                index.slice(hi - sum + self.slack)
            };
            let run = &index.ids[index.starts[first] as usize..index.starts[last + 1] as usize];
            let run = Run {
                parents: run,
                partial,
                range: (lo, hi),
                suffix: c as u32,
                combos,
            };
            // One, two or more entries, summed in issue order.
            match *entries {
                [t] => run.scan(found, |p| clip(p + t)),
                [t, r] => run.scan(found, |p| clip(p + t + r)),
                _ => run.scan(found, |p| clip(entries.iter().fold(p, |u, &t| u + t))),
            }
        }
    }

    /// Adds tiers until every outcome at or above `u` is in one.
    fn reach(&self, tiers: &mut Tiers, u: f64) {
        while tiers.count < self.n && tiers.threshold() > u {
            self.add_tier(tiers, u);
        }
    }

    /// Adds tiers until the best `count` outcomes are in them.
    fn reach_count(&self, tiers: &mut Tiers, count: usize) {
        while tiers.count < count.min(self.n) {
            self.add_tier(tiers, f64::INFINITY);
        }
    }

    /// First rank whose utility is at least `u`, once `reach(u)` is done.
    fn rank_in(&self, tiers: &mut Tiers, u: f64) -> usize {
        match tiers.list.iter_mut().find(|t| t.lo <= u) {
            Some(t) => self.n - t.above - t.sorted.len() + t.rank_at_least(u),
            // Below every tier: the tiers hold every outcome.
            None => 0,
        }
    }

    /// The outcome at rank `k`, if its tier has been added.
    fn at_rank_in(&self, tiers: &mut Tiers, k: usize) -> Option<(OutcomeId, f64)> {
        let from_top = self.n.checked_sub(k)?;
        let t = tiers
            .list
            .iter_mut()
            .find(|t| from_top <= t.above + t.sorted.len())?;
        let local = k.checked_sub(self.n - t.above - t.sorted.len())?;
        t.at_rank(local)
    }

    pub(super) fn rank_at_least(&self, u: f64) -> usize {
        if u.is_nan() || u <= self.min {
            return 0;
        }
        if u > self.max {
            return self.n;
        }
        let mut tiers = self.lock();
        self.reach(&mut tiers, u);
        self.rank_in(&mut tiers, u)
    }

    pub(super) fn at_rank(&self, k: usize) -> Option<(OutcomeId, f64)> {
        if k >= self.n {
            return None;
        }
        let mut tiers = self.lock();
        self.reach_count(&mut tiers, self.n - k);
        self.at_rank_in(&mut tiers, k)
    }

    /// [`super::Inverse::worst_in`] for a finite `lo` and a floor that is a
    /// number, adding tiers only down to just below `lo`.
    ///
    /// Answered in one pass over the slice where the level falls: the
    /// least (utility, id) at or above the level and the greatest below
    /// it, each found in the nearest slice that holds one. No slice is
    /// sorted or reordered, and no rank is computed: a session's queries
    /// mostly read a slice once. The rare level above every outcome
    /// (clamped up) goes by ranks ([`TopDown::worst_in_by_rank`]).
    pub(super) fn worst_in(&self, lo: f64, hi: f64, floor: f64) -> Option<OutcomeId> {
        // No outcome reaches the floor (the maximum is exact).
        if self.max < floor {
            return None;
        }
        let mut tiers = self.lock();
        // Deep enough that the outcome just below `lo` is in a tier whenever
        // the 1e-6 rule could pick it.
        self.reach(&mut tiers, lo - 4.0 * INVERTER_EPS - lo.abs() * 1e-9);
        let target = lo.max(floor);
        self.reach(&mut tiers, target);
        let list = &tiers.list;
        let Some(home) = list.iter().position(|t| t.lo <= target) else {
            return self.worst_in_by_rank(&mut tiers, lo, hi, floor);
        };
        let b = list[home].slice(target);
        let Split {
            mut at, mut below, ..
        } = list[home].split_at(b, target);
        if at.is_none() {
            // The least outcome of the nearest slice above that holds one:
            // this tier's next slices, then the tiers above, lowest first.
            at = list[home]
                .least_from(b + 1)
                .or_else(|| list[..home].iter().rev().find_map(|t| t.least_from(0)));
        }
        let Some((at_u, at_id)) = at else {
            // Every outcome is below the level: clamped up, by ranks.
            return self.worst_in_by_rank(&mut tiers, lo, hi, floor);
        };
        if below.is_none() {
            // The greatest outcome of the nearest slice below: this tier's
            // earlier slices, then the tiers below that have been added
            // (one not in a tier is more than 1e-6 below `lo`).
            below = list[home].greatest_before(b).or_else(|| {
                list[home + 1..]
                    .iter()
                    .find_map(|t| t.greatest_before(t.slices()))
            });
        }
        // The outcome just below, if it is rational.
        if let Some((below_u, _)) = below
            && below_u >= floor
            && nearer_below(lo, hi, at_u, below_u)
        {
            // The first outcome of that utility: equal utilities share
            // a tier and a slice.
            let t = list.iter().find(|t| t.lo <= below_u)?;
            return t.first_of(below_u);
        }
        Some(at_id)
    }

    /// [`TopDown::worst_in`] by ranks, once the tiers reach the level.
    fn worst_in_by_rank(
        &self,
        tiers: &mut Tiers,
        lo: f64,
        hi: f64,
        floor: f64,
    ) -> Option<OutcomeId> {
        let target = lo.max(floor);
        let n = self.n;
        let i = self.rank_in(tiers, target).min(n - 1);
        let (at_id, at_u) = self.at_rank_in(tiers, i)?;
        // The outcome just below, if it is rational (ranks at or above the
        // first rational one) and in a tier; one that is not in a tier is
        // more than 1e-6 below `lo` and never picked.
        if let Some((_, below)) = i.checked_sub(1).and_then(|b| self.at_rank_in(tiers, b))
            && below >= floor
            && nearer_below(lo, hi, at_u, below)
        {
            let best = self.rank_in(tiers, below);
            return self.at_rank_in(tiers, best).map(|x| x.0);
        }
        Some(at_id)
    }

    /// Appends every outcome whose utility is at least `u`, with its
    /// utility, in no particular order, found without adding tiers (for a
    /// one-off look, such as judging an agreement).
    pub(super) fn at_least_unindexed(&self, u: f64, out: &mut Vec<(f64, OutcomeId)>) {
        if !self.sizes.is_empty() {
            self.walk((u, f64::INFINITY), out);
        }
    }

    /// Every outcome whose utility is at least `u`, with its utility, in
    /// no particular order.
    pub(super) fn at_least(&self, u: f64) -> Vec<(OutcomeId, f64)> {
        let mut tiers = self.lock();
        self.reach(&mut tiers, u);
        let mut out = Vec::new();
        for t in &tiers.list {
            out.extend(
                t.sorted
                    .iter()
                    .filter(|&&(x, _)| x >= u)
                    .map(|&(x, o)| (o, x)),
            );
            if t.lo <= u {
                break;
            }
        }
        out
    }

    /// Every outcome in ascending utility, ties in enumeration order, with
    /// its utility.
    pub(super) fn sorted(&self) -> (Vec<OutcomeId>, Vec<f64>) {
        let mut tiers = self.lock();
        self.reach_count(&mut tiers, self.n);
        let mut ids = Vec::with_capacity(self.n);
        let mut utility = Vec::with_capacity(self.n);
        for t in tiers.list.iter_mut().rev() {
            for &(u, id) in t.sort_all() {
                ids.push(id);
                utility.push(u);
            }
        }
        (ids, utility)
    }

    /// Every outcome's utility, by outcome number.
    pub(super) fn utilities(&self) -> Vec<f64> {
        let sizes: Vec<usize> = self.sizes.iter().map(|&s| s as usize).collect();
        let mut u = sum_tables(&sizes, &self.tables);
        if self.clip {
            u.iter_mut().for_each(|x| *x = self.clip(*x));
        }
        u
    }
}

impl Tier {
    /// The tier of the outcomes `found` with utilities in `range` (ones
    /// outside fall in the end slices), grouped by a counting sort into
    /// about [`TIER_PER_SLICE`] outcomes a slice. The slice of a utility
    /// never decreases as it grows, so the slices one after another, each
    /// sorted, are the (utility, id) order.
    fn new(lo: f64, above: usize, (base, hi): (f64, f64), scratch: &mut Scratch) -> Self {
        let found = &scratch.found;
        let slices = (found.len() / TIER_PER_SLICE).clamp(1, MAX_SLICES);
        let width = hi - base;
        let scale = if width > 0.0 && (slices as f64 / width).is_finite() {
            slices as f64 / width
        } else {
            0.0
        };
        let mut tier = Self {
            lo,
            above,
            sorted: pairs(found.len()),
            starts: vec![0u32; slices + 1],
            reads: vec![0; slices],
            selected: (usize::MAX, 0),
            base,
            scale,
        };
        // Every outcome's slice first, in one pass the compiler vectorises
        // (the formula of `slice`; a slice number fits in a u16).
        let last = (slices - 1) as f64;
        let slice_of = &mut scratch.slice_of;
        slice_of.clear();
        slice_of.resize(found.len(), 0);
        for (b, &(u, _)) in slice_of.iter_mut().zip(found.iter()) {
            *b = slice_number(u, base, scale, last);
        }
        // Counts and cursors in four lanes (position mod 4), each slice's
        // four side by side: the walk finds neighbours in the same slice,
        // which then update different counters instead of waiting on one.
        const LANES: usize = 4;
        let cursor = &mut scratch.cursor;
        cursor.clear();
        cursor.resize(LANES * slices, 0);
        let mut chunks = slice_of.chunks_exact(LANES);
        for chunk in &mut chunks {
            for (lane, &b) in chunk.iter().enumerate() {
                cursor[b as usize * LANES + lane] += 1;
            }
        }
        for (lane, &b) in chunks.remainder().iter().enumerate() {
            cursor[b as usize * LANES + lane] += 1;
        }
        let mut at = 0u32;
        for b in 0..slices {
            tier.starts[b] = at;
            for c in &mut cursor[b * LANES..(b + 1) * LANES] {
                let count = *c;
                *c = at;
                at += count;
            }
        }
        tier.starts[slices] = at;
        for (k, (&b, &pair)) in slice_of.iter().zip(found).enumerate() {
            let c = &mut cursor[b as usize * LANES + k % LANES];
            tier.sorted[*c as usize] = pair;
            *c += 1;
        }
        tier
    }
}

#[cfg(test)]
mod tests {
    //! The tiers against a plainly sorted list of every outcome, on spaces
    //! small enough that the crate's property tests often see one tier:
    //! here a tier may hold a single outcome, so every query crosses many.
    use super::{OutcomeId, TopDown};

    /// A small deterministic generator (no seed to keep in a file).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Every outcome in ascending (utility, id) order: the reference.
    fn reference(td: &TopDown) -> Vec<(f64, OutcomeId)> {
        let mut all: Vec<(f64, OutcomeId)> = td
            .utilities()
            .into_iter()
            .enumerate()
            .map(|(id, u)| (u, OutcomeId::try_from(id).expect("small space")))
            .collect();
        all.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        all
    }

    /// NegMAS's `worst_in` read off the sorted list: the first outcome at
    /// or above `max(lo, floor)` (the best one if none is), unless the one
    /// before it is rational, within 1e-6 below `lo` or up to 2e-6 above
    /// `hi`, and strictly nearer to `lo`: then the first of its utility.
    fn reference_worst_in(
        all: &[(f64, OutcomeId)],
        lo: f64,
        hi: f64,
        floor: f64,
    ) -> Option<OutcomeId> {
        let first_rational = all.iter().position(|x| x.0 >= floor)?;
        let i = all
            .iter()
            .position(|x| x.0 >= lo)
            .unwrap_or(all.len())
            .max(first_rational)
            .min(all.len() - 1);
        let at = all[i];
        if i > first_rational {
            let below = all[i - 1].0;
            if below >= lo - 1e-6 && below <= hi + 2e-6 && (below - lo).abs() < (at.0 - lo).abs() {
                return all.iter().find(|x| x.0 >= below).map(|x| x.1);
            }
        }
        Some(at.1)
    }

    fn space(rng: &mut Lcg) -> (Vec<usize>, Vec<Vec<f64>>, bool) {
        let issues = 1 + rng.below(4) as usize;
        let sizes: Vec<usize> = (0..issues).map(|_| 1 + rng.below(7) as usize).collect();
        // Two-decimal values, as GENIUS profiles write them: many ties.
        let tables = sizes
            .iter()
            .map(|&n| (0..n).map(|_| rng.below(40) as f64 / 100.0).collect())
            .collect();
        (sizes, tables, rng.below(2) == 0)
    }

    #[test]
    fn many_small_tiers_answer_as_the_sorted_list_does() {
        let mut rng = Lcg(2026);
        let mut most_tiers = 0;
        for case in 0..400 {
            let (sizes, tables, clip) = space(&mut rng);
            let fresh = || {
                let mut td = TopDown::new(&sizes, &tables, clip);
                // Tiers of at least 1 to 4 outcomes, by case.
                td.min_tier = 1.0 + f64::from(case % 4);
                td
            };
            let td = fresh();
            let all = reference(&td);
            let n = all.len();
            for (id, &u) in td.utilities().iter().enumerate() {
                let id = OutcomeId::try_from(id).expect("small space");
                assert_eq!(td.utility(id).to_bits(), u.to_bits(), "case {case}");
            }
            // Queries from the top down, as a conceding agent asks them,
            // then at random on the same tiers and on fresh ones.
            let mut levels: Vec<f64> = all.iter().map(|x| x.0).collect();
            levels.extend((0..8).map(|_| rng.below(130) as f64 / 100.0 - 0.05));
            levels.sort_by(|a, b| b.total_cmp(a));
            for (i, &u) in levels.iter().enumerate() {
                let td = if i % 5 == 4 { &fresh() } else { &td };
                let below = all.iter().filter(|x| x.0 < u).count();
                assert_eq!(td.rank_at_least(u), below, "case {case}, level {u}");
                let k = rng.below(n as u64 + 1) as usize;
                assert_eq!(
                    td.at_rank(k),
                    all.get(k).map(|&(u, id)| (id, u)),
                    "case {case}, rank {k}"
                );
                // `worst_in` near each level and a little above it (the
                // 1e-6 rule), on a floor below, at or above the level.
                for (lo, floor) in [(u, -1.0), (u + 5e-7, -1.0), (u, u), (u - 0.05, u)] {
                    assert_eq!(
                        td.worst_in(lo, lo + 0.1, floor),
                        reference_worst_in(&all, lo, lo + 0.1, floor),
                        "case {case}, worst_in({lo}, floor {floor})"
                    );
                }
                let mut at_least: Vec<(OutcomeId, f64)> = td.at_least(u);
                at_least.sort_by_key(|x| x.0);
                let mut want: Vec<(OutcomeId, f64)> = all
                    .iter()
                    .filter(|x| x.0 >= u)
                    .map(|&(u, id)| (id, u))
                    .collect();
                want.sort_by_key(|x| x.0);
                assert_eq!(at_least, want, "case {case}, at least {u}");
            }
            most_tiers = most_tiers.max(td.lock().list.len());
            let (ids, utilities) = fresh().sorted();
            let want: (Vec<OutcomeId>, Vec<f64>) = all.iter().map(|&(u, id)| (id, u)).unzip();
            assert_eq!((ids, utilities), want, "case {case}");
        }
        // The point of the test: queries crossed many tiers.
        assert!(most_tiers >= 8, "at most {most_tiers} tiers");
    }
}
