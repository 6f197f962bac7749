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

/// `a` weakly dominates `b` and differs from it.
pub(crate) fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut strictly = false;
    for (x, y) in a.iter().zip(b) {
        if x < y {
            return false;
        }
        if x > y {
            strictly = true;
        }
    }
    strictly
}

/// Keeps the non-dominated groups of `points` (flattened, `parties` numbers
/// each). Returns, in lexicographically descending order, one list of the
/// original indices per distinct non-dominated vector.
pub(crate) fn non_dominated(points: &[f64], parties: usize) -> Vec<Vec<usize>> {
    let n = points.len().checked_div(parties).unwrap_or(0);
    let at = |i: usize| points.get(i * parties..(i + 1) * parties).unwrap_or(&[]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| lex_desc(at(a), at(b)).then(a.cmp(&b)));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut start = 0;
    // Two parties: a sweep. Earlier vectors in this order have a larger first
    // utility, or an equal first and larger second one, so a vector is
    // dominated exactly when an earlier distinct vector has a second utility
    // at least as large.
    let mut best_second = f64::NEG_INFINITY;
    while start < order.len() {
        let head = order.get(start).copied().unwrap_or(0);
        let mut end = start + 1;
        while order
            .get(end)
            .is_some_and(|&j| lex_desc(at(head), at(j)) == Ordering::Equal)
        {
            end += 1;
        }
        let p = at(head);
        let dominated = if parties == 2 {
            let second = p.get(1).copied().unwrap_or(0.0);
            let d = best_second >= second;
            best_second = best_second.max(second);
            d
        } else {
            groups
                .iter()
                .any(|g| g.first().is_some_and(|&q| dominates(at(q), p)))
        };
        if !dominated {
            groups.push(order.get(start..end).unwrap_or(&[]).to_vec());
        }
        start = end;
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
}

impl<T> Archive<T> {
    pub(crate) fn new(keep: usize) -> Self {
        Self {
            points: Vec::new(),
            keep,
        }
    }

    /// Whether some known point dominates every vector `<= bound`.
    pub(crate) fn excludes(&self, bound: &[f64]) -> bool {
        self.points.iter().any(|(q, _, _)| dominates(q, bound))
    }

    /// Offers a point reached by `count` outcomes, witnessed by `witness`.
    pub(crate) fn offer(&mut self, u: &[f64], count: u128, witness: impl FnOnce() -> T) {
        let mut same = None;
        for (k, (q, _, _)) in self.points.iter().enumerate() {
            if dominates(q, u) {
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
        self.points.retain(|(q, _, _)| !dominates(u, q));
        self.points.push((u.to_vec(), count, vec![witness()]));
    }
}
