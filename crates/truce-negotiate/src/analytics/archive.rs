//! Non-dominated sets of utility vectors with ties kept.
//!
//! GENIUS's Pareto definition: an outcome is on the frontier when no other
//! outcome is at least as good for every party and better for one. Outcomes
//! with identical utility vectors are all kept; they share one entry here,
//! with their count.

use std::cmp::Ordering;

/// Compares utility vectors lexicographically, largest first.
pub(crate) fn lex_desc(a: &[f64], b: &[f64]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match y.total_cmp(x) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    Ordering::Equal
}

/// `a` is at least as good as `b` minus `eps` for every party and better by
/// more than `eps` for one: the dominance every frontier in this crate uses
/// (with `eps` = [`super::analysis::AnalyzeOptions::tolerance`]; 0 is exact).
pub(crate) fn dominates(a: &[f64], b: &[f64], eps: f64) -> bool {
    dominates_by(a, b, eps, eps)
}

/// `a` is at least as good as `b` minus `eps` for every party and better by
/// more than `strict` for one.
pub(crate) fn dominates_by(a: &[f64], b: &[f64], eps: f64, strict: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| *x >= y - eps) && a.iter().zip(b).any(|(x, y)| *x > y + strict)
}

/// Keeps the groups of `points` (flattened, `parties` numbers each) that no
/// other point dominates: at least as good minus `eps` for every party and
/// better by more than `strict` for one. Returns, in lexicographically
/// descending order, one list of the original indices per distinct kept
/// vector (equal vectors are ties and share a group).
///
/// Two parties: exact, by prefix maxima over the distinct vectors sorted by
/// the first utility. More parties: against the kept groups and the
/// vectors within `eps` after it, which never drops a point it should keep.
pub(crate) fn non_dominated(
    points: &[f64],
    parties: usize,
    eps: f64,
    strict: f64,
) -> Vec<Vec<usize>> {
    let n = points.len().checked_div(parties).unwrap_or(0);
    let at = |i: usize| points.get(i * parties..(i + 1) * parties).unwrap_or(&[]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| lex_desc(at(a), at(b)).then(a.cmp(&b)));
    // Distinct vectors: (start, end) ranges of `order`.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while let Some(&head) = order.get(start) {
        let mut end = start + 1;
        while order
            .get(end)
            .is_some_and(|&j| lex_desc(at(head), at(j)) == Ordering::Equal)
        {
            end += 1;
        }
        runs.push((start, end));
        start = end;
    }
    let head = |r: &(usize, usize)| at(order.get(r.0).copied().unwrap_or(0));
    let first = |r: &(usize, usize)| head(r).first().copied().unwrap_or(0.0);
    let second = |r: &(usize, usize)| head(r).get(1).copied().unwrap_or(0.0);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let group = |r: &(usize, usize)| order.get(r.0..r.1).unwrap_or(&[]).to_vec();
    if parties == 2 {
        // best[k]: the largest second utility among runs[..k].
        let mut best = Vec::with_capacity(runs.len() + 1);
        best.push(f64::NEG_INFINITY);
        for r in &runs {
            let last = best.last().copied().unwrap_or(f64::NEG_INFINITY);
            best.push(last.max(second(r)));
        }
        for r in &runs {
            let (x0, x1) = (first(r), second(r));
            // Better by more than eps in the first utility, not worse by more
            // than eps in the second.
            let a = runs.partition_point(|f| first(f) > x0 + strict);
            // Not worse by more than eps in the first, better by more than
            // eps in the second.
            let b = runs.partition_point(|f| first(f) >= x0 - eps);
            let dominated = best.get(a).is_some_and(|&m| a > 0 && m >= x1 - eps)
                || best.get(b).is_some_and(|&m| m > x1 + strict);
            if !dominated {
                groups.push(group(r));
            }
        }
        return groups;
    }
    let mut kept: Vec<usize> = Vec::new();
    for (k, r) in runs.iter().enumerate() {
        let x = head(r);
        let x0 = first(r);
        let by_kept = kept
            .iter()
            .filter_map(|&q| runs.get(q))
            .any(|q| dominates_by(head(q), x, eps, strict));
        let by_next = runs
            .iter()
            .skip(k + 1)
            .take_while(|f| first(f) >= x0 - eps)
            .any(|f| dominates_by(head(f), x, eps, strict));
        if !(by_kept || by_next) {
            kept.push(k);
            groups.push(group(r));
        }
    }
    groups
}

/// An incrementally built non-dominated set, for searches that discover
/// points one by one.
#[derive(Debug)]
pub(crate) struct Archive<T> {
    pub(crate) points: Vec<(Vec<f64>, u128, Vec<T>)>,
    /// How many tie witnesses to keep per point.
    pub(crate) keep: usize,
    /// The dominance tolerance.
    eps: f64,
}

impl<T> Archive<T> {
    pub(crate) fn new(keep: usize, eps: f64) -> Self {
        Self {
            points: Vec::new(),
            keep,
            eps,
        }
    }

    /// Whether some known point dominates every vector `<= bound`.
    pub(crate) fn excludes(&self, bound: &[f64]) -> bool {
        self.points
            .iter()
            .any(|(q, _, _)| dominates(q, bound, self.eps))
    }

    /// Offers a point reached by `count` outcomes, witnessed by `witness`.
    pub(crate) fn offer(&mut self, u: &[f64], count: u128, witness: impl FnOnce() -> T) {
        let mut same = None;
        for (k, (q, _, _)) in self.points.iter().enumerate() {
            if dominates(q, u, self.eps) {
                return;
            }
            if same.is_none() && q.as_slice() == u {
                same = Some(k);
            }
        }
        if let Some((_, c, w)) = same.and_then(|k| self.points.get_mut(k)) {
            *c = c.saturating_add(count);
            if w.len() < self.keep {
                w.push(witness());
            }
            return;
        }
        let eps = self.eps;
        self.points.retain(|(q, _, _)| !dominates(u, q, eps));
        self.points.push((u.to_vec(), count, vec![witness()]));
    }
}

/// Anything that carries a utility vector.
pub(crate) trait HasUtilities {
    fn utilities(&self) -> &[f64];
}

/// Which points of a frontier (distinct non-dominated vectors,
/// lexicographically descending) no other point dominates by more than
/// `eps`. Two parties: a frontier sorted by the first utility has the second
/// ascending, so only neighbours within `eps` need a look.
pub(crate) fn tolerant<T: HasUtilities>(points: &[T], eps: f64) -> Vec<bool> {
    let u = |i: usize| points.get(i).map_or(&[][..], |p| p.utilities());
    let n = points.len();
    let two = points.iter().all(|p| p.utilities().len() == 2);
    (0..n)
        .map(|i| {
            let x = u(i);
            if two {
                let (x0, x1) = (
                    x.first().copied().unwrap_or(0.0),
                    x.get(1).copied().unwrap_or(0.0),
                );
                let before = (0..i)
                    .rev()
                    .map(u)
                    .take_while(|f| f.get(1).copied().unwrap_or(0.0) >= x1 - eps)
                    .any(|f| dominates(f, x, eps));
                let after = (i + 1..n)
                    .map(u)
                    .take_while(|f| f.first().copied().unwrap_or(0.0) >= x0 - eps)
                    .any(|f| dominates(f, x, eps));
                !(before || after)
            } else {
                !(0..n).any(|j| j != i && dominates(u(j), x, eps))
            }
        })
        .collect()
}
