//! An agreement between two parties with additive utilities, judged issue
//! by issue instead of outcome by outcome.
//!
//! The Pareto frontier of an additive space is found from partial sums: a
//! partial sum of the first k issues that another one matches or beats for
//! both parties is dropped, because adding the same later entries to both
//! keeps that order (rounding is monotone), so every outcome it leads to is
//! matched or beaten by one that is kept. The partial sums are summed issue
//! by issue from 0.0, exactly as the session's utilities are (`sum_tables`),
//! so the frontier points are the very values the session holds, bit for
//! bit. The whole frontier is found so when no level keeps more than
//! [`MAX_STAIRS`] partial sums; else only the region near the agreement
//! (both utilities at least a bound), dropping also the partial sums that
//! cannot reach it, as judged by the frontier of the remaining issues' sums
//! (or, where that is large, their per-party maxima).
//! The same bounds guide a depth-first search, in outcome-number order, for
//! the first outcome that dominates the agreement.
//!
//! On the shared domains a session's assessment so looks at a few hundred
//! partial sums, where listing the outcomes near a dominated agreement
//! looked at much of the space.

use std::cell::OnceCell;
use std::cmp::Ordering;

use truce_negotiate::Additive;

use super::dominance::dominates;
use crate::space::OutcomeId;

/// Most points a level of the whole frontier keeps before the search turns
/// to the region near the agreement, and a remaining-issues frontier before
/// the levels above it fall back on per-party maxima (a product of issues
/// whose sums are all on the frontier, as in a zero-sum domain, would
/// otherwise hold every outcome).
const MAX_STAIRS: usize = 1 << 12;

/// Two parties' additive utilities over one outcome space, with what the
/// remaining issues can add at every level.
pub(super) struct Pair<'a> {
    /// Values per issue.
    sizes: Vec<usize>,
    tables: [&'a [Vec<f64>]; 2],
    clip: [bool; 2],
    /// Far more than the rounding of any sum of these tables, in whatever
    /// order: bounds are widened by it so that no branch is dropped wrongly.
    slack: f64,
    /// `rest[k]`: what issues `k..` can add (`rest[m]` adds nothing), made
    /// when a search is bounded for the first time.
    rest: OnceCell<Vec<Rest>>,
    /// [`MAX_STAIRS`], smaller in this module's tests so that small spaces
    /// use the per-party maxima too.
    max_stairs: usize,
}

/// What the issues from one level on can add to both utilities.
struct Rest {
    /// Each party's largest sum.
    max: [f64; 2],
    /// The frontier of the sums (first utility descending, second
    /// ascending), unless it holds more than [`MAX_STAIRS`] points.
    stairs: Option<Vec<[f64; 2]>>,
}

impl<'a> Pair<'a> {
    /// The pair of utilities over issues of `sizes` values, or `None` when a
    /// table entry is not finite or a sum may overflow.
    pub(super) fn new(sizes: Vec<usize>, utilities: [&'a Additive; 2]) -> Option<Self> {
        let tables = utilities.map(|a| a.tables.as_slice());
        let mut magnitude = 0.0f64;
        for t in tables {
            let mut sum = 0.0f64;
            for table in t.iter().take(sizes.len()) {
                if !table.iter().all(|v| v.is_finite()) {
                    return None;
                }
                sum += table.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            }
            magnitude = magnitude.max(sum);
        }
        if !magnitude.is_finite() || sizes.contains(&0) {
            return None;
        }
        Some(Self {
            sizes,
            tables,
            clip: utilities.map(|a| a.clip),
            slack: 1e-9 * magnitude + f64::MIN_POSITIVE,
            rest: OnceCell::new(),
            max_stairs: MAX_STAIRS,
        })
    }

    /// Party `p`'s entry for value `v` of issue `k` (0.0 where the table has
    /// none, as the session's sums read it).
    #[inline]
    fn entry(&self, p: usize, k: usize, v: usize) -> f64 {
        self.tables[p]
            .get(k)
            .and_then(|t| t.get(v))
            .copied()
            .unwrap_or(0.0)
    }

    /// Both entries for value `v` of issue `k`.
    #[inline]
    fn entries(&self, k: usize, v: usize) -> [f64; 2] {
        [self.entry(0, k, v), self.entry(1, k, v)]
    }

    /// A sum clipped as the party's utility clips it.
    #[inline]
    fn clipped(&self, u: [f64; 2]) -> [f64; 2] {
        [
            truce_negotiate::clip_if(self.clip[0], u[0]),
            truce_negotiate::clip_if(self.clip[1], u[1]),
        ]
    }

    /// What the issues from every level on can add, from the last level up
    /// (level 0's frontier, the whole space's, is left out: no search
    /// asks it).
    fn remaining(&self) -> &[Rest] {
        self.rest.get_or_init(|| self.make_remaining())
    }

    fn make_remaining(&self) -> Vec<Rest> {
        let m = self.sizes.len();
        let mut rest = Vec::with_capacity(m + 1);
        let mut below = Rest {
            max: [0.0; 2],
            stairs: Some(vec![[0.0; 2]]),
        };
        for k in (0..m).rev() {
            let mut max = [f64::NEG_INFINITY; 2];
            for v in 0..self.sizes[k] {
                let e = self.entries(k, v);
                max = [max[0].max(e[0]), max[1].max(e[1])];
            }
            let max = [max[0] + below.max[0], max[1] + below.max[1]];
            let stairs = below.stairs.as_ref().filter(|_| k > 0).and_then(|s| {
                if s.len() * self.sizes[k] > 4 * self.max_stairs {
                    return None;
                }
                let mut next = Vec::with_capacity(s.len() * self.sizes[k]);
                for v in 0..self.sizes[k] {
                    let e = self.entries(k, v);
                    next.extend(s.iter().map(|r| [e[0] + r[0], e[1] + r[1]]));
                }
                staircase(&mut next);
                (next.len() <= self.max_stairs).then_some(next)
            });
            rest.push(std::mem::replace(&mut below, Rest { max, stairs }));
        }
        rest.push(below);
        rest.reverse();
        rest
    }

    /// Whether an outcome whose first `k` issues sum to `p` may end with
    /// both utilities at least `lo`, and, given `above`, one of them above
    /// it: `false` only when none can (the bounds are widened by the slack).
    fn may_reach(&self, k: usize, p: [f64; 2], lo: [f64; 2], above: Option<[f64; 2]>) -> bool {
        let s = self.slack;
        let (lo, above) = ([lo[0] - s, lo[1] - s], above.map(|a| [a[0] - s, a[1] - s]));
        let rest = &self.remaining()[k];
        let Some(stairs) = &rest.stairs else {
            let u = [p[0] + rest.max[0], p[1] + rest.max[1]];
            return u[0] >= lo[0]
                && u[1] >= lo[1]
                && above.is_none_or(|a| u[0] > a[0] || u[1] > a[1]);
        };
        // The completions with a first utility high enough are a prefix of
        // the stairs; of those, the ones with a second utility high enough
        // are its tail.
        let j = stairs.partition_point(|r| p[0] + r[0] >= lo[0]);
        let i = stairs[..j].partition_point(|r| p[1] + r[1] < lo[1]);
        i < j && above.is_none_or(|a| p[0] + stairs[i][0] > a[0] || p[1] + stairs[j - 1][1] > a[1])
    }

    /// The frontier points (pairs of utilities that no outcome matches or
    /// beats on both, each once) into `out`, first utility descending:
    /// those with both utilities at least `lo`, or, without `lo`, all of
    /// them unless the partial sums of some level keep more than
    /// [`MAX_STAIRS`] (then `false`).
    fn frontier(&self, lo: Option<[f64; 2]>, out: &mut Vec<[f64; 2]>) -> bool {
        let mut level = vec![[0.0f64; 2]];
        for k in 0..self.sizes.len() {
            out.clear();
            for v in 0..self.sizes[k] {
                let e = self.entries(k, v);
                let sums = level.iter().map(|p| [p[0] + e[0], p[1] + e[1]]);
                match lo {
                    Some(lo) => out.extend(sums.filter(|&q| self.may_reach(k + 1, q, lo, None))),
                    None => out.extend(sums),
                }
            }
            staircase(out);
            if lo.is_none() && out.len() > self.max_stairs {
                return false;
            }
            std::mem::swap(&mut level, out);
        }
        let lo = lo.unwrap_or([f64::NEG_INFINITY; 2]);
        out.clear();
        out.extend(
            level
                .iter()
                .map(|&u| self.clipped(u))
                .filter(|u| u[0] >= lo[0] && u[1] >= lo[1]),
        );
        // Clipping may tie what was ordered.
        if self.clip.contains(&true) {
            staircase(out);
        }
        true
    }

    /// The first outcome (by number) that dominates utilities `at` within
    /// `tol`, by a depth-first search in outcome-number order that skips the
    /// branches where none can.
    fn first_dominating(&self, at: [f64; 2], tol: f64) -> Option<OutcomeId> {
        let lo = [at[0] - tol, at[1] - tol];
        let above = Some([at[0] + tol, at[1] + tol]);
        let m = self.sizes.len();
        if m == 0 {
            return None;
        }
        let mut value = vec![0usize; m];
        let mut partial = vec![[0.0f64; 2]; m];
        let mut k = 0;
        loop {
            if value[k] == self.sizes[k] {
                if k == 0 {
                    return None;
                }
                k -= 1;
                value[k] += 1;
                continue;
            }
            let e = self.entries(k, value[k]);
            let q = [partial[k][0] + e[0], partial[k][1] + e[1]];
            if k + 1 == m {
                if dominates(&self.clipped(q), &at) {
                    let id = value
                        .iter()
                        .zip(&self.sizes)
                        .fold(0usize, |id, (&v, &size)| id * size + v);
                    return OutcomeId::try_from(id).ok();
                }
                value[k] += 1;
            } else if self.may_reach(k + 1, q, lo, above) {
                k += 1;
                partial[k] = q;
                value[k] = 0;
            } else {
                value[k] += 1;
            }
        }
    }

    /// The first outcome (by number) that dominates utilities `at` (the
    /// agreement's) within the tolerance, and the distance from `at` to the
    /// nearest frontier point.
    ///
    /// The whole frontier when it is small (on the shared domains a few
    /// hundred points at most); else only its part near `at`: the outcomes
    /// within the tolerance below `at` hold its own quadrant and so a
    /// frontier point, whose distance bounds the search, and every frontier
    /// point nearer than that has both utilities at least `at` less the
    /// distance.
    pub(super) fn assess(&self, at: [f64; 2]) -> (Option<OutcomeId>, Option<f64>) {
        let tol = truce_negotiate::DOMINANCE_TOLERANCE;
        let mut points = Vec::new();
        let (dominated, distance) = if self.frontier(None, &mut points) {
            let dominated = points.iter().any(|u| dominates(u, &at));
            (dominated, nearest(&points, at))
        } else {
            // A large frontier: only the part near the agreement.
            self.frontier(Some([at[0] - tol, at[1] - tol]), &mut points);
            let dominated = points.iter().any(|u| dominates(u, &at));
            let bound = nearest(&points, at);
            if bound == 0.0 || !bound.is_finite() {
                (dominated, bound)
            } else {
                // Slightly wider than the bound, so that rounding at the edge
                // cannot leave out a point as near as the bound.
                let d = bound * (1.0 + 1e-9) + f64::MIN_POSITIVE;
                self.frontier(Some([at[0] - d, at[1] - d]), &mut points);
                (dominated, nearest(&points, at))
            }
        };
        let dominated_by = if dominated {
            self.first_dominating(at, tol)
        } else {
            None
        };
        (dominated_by, distance.is_finite().then_some(distance))
    }
}

/// The distance from `at` to the nearest of `points` (infinite for none).
fn nearest(points: &[[f64; 2]], at: [f64; 2]) -> f64 {
    points
        .iter()
        .map(|u| ((u[0] - at[0]).powi(2) + (u[1] - at[1]).powi(2)).sqrt())
        .fold(f64::INFINITY, f64::min)
}

/// Keeps the points that no other point matches or beats on both values,
/// each once, in descending first value (so ascending second value). The
/// values are finite, and compared as numbers (0.0 equals -0.0).
fn staircase(points: &mut Vec<[f64; 2]>) {
    let by = |x: f64, y: f64| y.partial_cmp(&x).unwrap_or(Ordering::Equal);
    points.sort_unstable_by(|x, y| by(x[0], y[0]).then(by(x[1], y[1])));
    let mut best = f64::NEG_INFINITY;
    points.retain(|p| {
        let keep = p[1] > best;
        if keep {
            best = p[1];
        }
        keep
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use truce_negotiate::Utility;

    /// Every outcome's utilities by outcome number, each evaluated on its
    /// own by truce-negotiate.
    fn all(sizes: &[usize], a: &Additive, b: &Additive) -> Vec<[f64; 2]> {
        let n: usize = sizes.iter().product();
        let (a, b) = (Utility::Additive(a.clone()), Utility::Additive(b.clone()));
        (0..n)
            .map(|id| {
                let mut rest = id;
                let mut values = vec![0; sizes.len()];
                for (slot, &size) in values.iter_mut().zip(sizes).rev() {
                    *slot = rest % size;
                    rest /= size;
                }
                [a.eval(&values), b.eval(&values)]
            })
            .collect()
    }

    /// The brute-force answer: the first outcome that dominates `at`, and
    /// the distance to the nearest point that no outcome of strictly
    /// higher first utility matches or beats on the second (the group of
    /// equal first utility at its best second).
    fn brute(points: &[[f64; 2]], at: [f64; 2]) -> (Option<OutcomeId>, Option<f64>) {
        let first = points
            .iter()
            .position(|u| dominates(u, &at))
            .map(|o| o as OutcomeId);
        let nearest = points
            .iter()
            .map(|&[a, _]| {
                let g = points
                    .iter()
                    .filter(|p| p[0] == a)
                    .map(|p| p[1])
                    .fold(f64::NEG_INFINITY, f64::max);
                (a, g)
            })
            .filter(|&(a, g)| !points.iter().any(|p| p[0] > a && p[1] >= g))
            .map(|(a, g)| ((a - at[0]).powi(2) + (g - at[1]).powi(2)).sqrt())
            .fold(f64::INFINITY, f64::min);
        (first, nearest.is_finite().then_some(nearest))
    }

    /// Tables with ties (a grid of eighths, some a tolerance apart) or
    /// spread values, negative ones and ones above 1 included, sometimes
    /// short of the values.
    fn tables(sizes: Vec<usize>) -> impl Strategy<Value = Vec<Vec<f64>>> {
        let value = prop_oneof![
            (0u8..9).prop_map(|k| f64::from(k) * 0.125),
            (0u8..9).prop_map(|k| f64::from(k) * 0.125 + 1e-10),
            -1.0f64..2.0,
        ];
        sizes
            .into_iter()
            .map(|n| prop::collection::vec(value.clone(), n.saturating_sub(1)..=n))
            .collect::<Vec<_>>()
    }

    fn arb_pair() -> impl Strategy<Value = (Vec<usize>, Additive, Additive)> {
        prop::collection::vec(1usize..7, 1..6).prop_flat_map(|sizes| {
            (
                Just(sizes.clone()),
                tables(sizes.clone()),
                tables(sizes),
                any::<bool>(),
                any::<bool>(),
            )
                .prop_map(|(sizes, a, b, ca, cb)| {
                    let a = Additive {
                        tables: a,
                        clip: ca,
                    };
                    let b = Additive {
                        tables: b,
                        clip: cb,
                    };
                    (sizes, a, b)
                })
        })
    }

    /// The pair, with remaining-issues frontiers of at most `max_stairs`
    /// points.
    fn pair<'a>(sizes: &[usize], a: &'a Additive, b: &'a Additive, max_stairs: usize) -> Pair<'a> {
        let mut pair = Pair::new(sizes.to_vec(), [a, b]).expect("finite tables");
        pair.max_stairs = max_stairs;
        pair
    }

    proptest! {
        /// From any outcome's utilities, the first dominating outcome and
        /// the frontier distance are the brute-force ones, bit for bit.
        #[test]
        fn assessment_is_the_brute_force_one(
            (sizes, a, b) in arb_pair(),
            picks in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
        ) {
            let points = all(&sizes, &a, &b);
            let want: Vec<_> = picks
                .iter()
                .map(|pick| points[pick.index(points.len())])
                .map(|at| (at, brute(&points, at)))
                .collect();
            // Bounded by the remaining issues' frontiers, by per-party
            // maxima below the last issues, and by maxima alone.
            for max_stairs in [MAX_STAIRS, 3, 0] {
                let pair = pair(&sizes, &a, &b, max_stairs);
                for &(at, want) in &want {
                    prop_assert_eq!(pair.assess(at), want);
                }
            }
        }

        /// The frontier with no bound is every frontier point, and the
        /// search finds the first dominating outcome of any point.
        #[test]
        fn whole_frontier_and_first_dominating(
            (sizes, a, b) in arb_pair(),
            at in (-1.0f64..2.0, -1.0f64..2.0),
        ) {
            let points = all(&sizes, &a, &b);
            let pair = pair(&sizes, &a, &b, MAX_STAIRS);
            let mut got = Vec::new();
            prop_assert!(pair.frontier(None, &mut got));
            // Every point that no point of other values matches or beats,
            // once, first utility descending.
            let mut want: Vec<[f64; 2]> = points
                .iter()
                .copied()
                .filter(|p| !points.iter().any(|q| q != p && q[0] >= p[0] && q[1] >= p[1]))
                .collect();
            want.sort_by(|x, y| y[0].total_cmp(&x[0]));
            want.dedup();
            prop_assert_eq!(got, want);
            let at = [at.0, at.1];
            let tol = truce_negotiate::DOMINANCE_TOLERANCE;
            prop_assert_eq!(pair.first_dominating(at, tol), brute(&points, at).0);
        }
    }

    /// Tables that are not finite, or whose sums may overflow, are refused.
    #[test]
    fn tables_that_may_overflow_are_refused() {
        let sizes = [2, 2];
        let finite = Additive::new(vec![vec![0.0, 1.0], vec![0.5, 0.25]]);
        let nan = Additive::new(vec![vec![0.0, f64::NAN], vec![0.5, 0.25]]);
        let huge = Additive::new(vec![vec![f64::MAX, 1.0], vec![f64::MAX, 0.25]]);
        assert!(Pair::new(sizes.to_vec(), [&finite, &finite]).is_some());
        assert!(Pair::new(sizes.to_vec(), [&finite, &nan]).is_none());
        assert!(Pair::new(sizes.to_vec(), [&huge, &finite]).is_none());
    }
}
