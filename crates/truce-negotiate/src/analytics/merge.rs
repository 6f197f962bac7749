//! The exact Pareto frontier of linear-additive utilities without
//! enumerating the outcome space.
//!
//! The utility vector of an outcome is the sum of one vector per issue. If an
//! outcome's value for some issue is dominated within that issue (another value
//! is at least as good for every party and better for one), swapping it
//! dominates the outcome. The same holds for any prefix of issues, so
//! `frontier(S1 + … + Sk) = frontier(frontier(S1 + … + Sk-1) + frontier(Sk))`:
//! merge issue by issue and prune after each step. Sums are formed in issue
//! order starting from 0, exactly as evaluating an outcome does, so ties and
//! dominance are decided on the same floating-point numbers.

use super::archive::non_dominated;

/// Most candidate sums formed in one merge step (memory stays in the
/// hundreds of MB even for many parties).
const MAX_CANDIDATES: usize = 8_000_000;

/// One distinct utility vector of a prefix frontier.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) u: Vec<f64>,
    /// Outcomes of the prefix with exactly this vector (saturating).
    pub(crate) count: u128,
    /// `(node of the previous level, value index)` pairs reaching it.
    pub(crate) from: Vec<(u32, u32)>,
}

/// Every level of the merge; the last one is the frontier.
#[derive(Debug)]
pub(crate) struct Merge {
    pub(crate) levels: Vec<Vec<Node>>,
    /// Levels were thinned to `max_points` (the result is then approximate).
    pub(crate) thinned: bool,
}

/// Merges `tables[party][issue][value]`.
pub(crate) fn merge(tables: &[&[Vec<f64>]], issues: usize, max_points: usize) -> Merge {
    let parties = tables.len();
    let mut levels = vec![vec![Node {
        u: vec![0.0; parties],
        count: 1,
        from: Vec::new(),
    }]];
    let mut thinned = false;
    for issue in 0..issues {
        let values = tables
            .first()
            .and_then(|t| t.get(issue))
            .map_or(0, Vec::len);
        // Non-dominated values of this issue alone, ties kept.
        let mut own = Vec::with_capacity(values * parties);
        for v in 0..values {
            for t in tables {
                own.push(t.get(issue).and_then(|x| x.get(v)).copied().unwrap_or(0.0));
            }
        }
        let kept_values: Vec<usize> = non_dominated(&own, parties).into_iter().flatten().collect();
        let prev = levels.last().map_or(&[][..], Vec::as_slice);
        // Bound the candidate list: past it, merge an evenly spaced subset
        // of the previous level (the result is then approximate).
        let allowed = (MAX_CANDIDATES / kept_values.len().max(1)).max(1);
        let chosen: Vec<usize> = if prev.len() > allowed {
            thinned = true;
            let step = prev.len().div_ceil(allowed);
            (0..prev.len()).step_by(step).collect()
        } else {
            (0..prev.len()).collect()
        };
        let mut cand = Vec::with_capacity(chosen.len() * kept_values.len() * parties);
        let mut origin = Vec::with_capacity(chosen.len() * kept_values.len());
        for (k, node) in chosen.iter().filter_map(|&k| Some((k, prev.get(k)?))) {
            for &v in &kept_values {
                for (p, base) in node.u.iter().enumerate() {
                    let add = own.get(v * parties + p).copied().unwrap_or(0.0);
                    cand.push(base + add);
                }
                origin.push((k as u32, v as u32));
            }
        }
        let mut groups = non_dominated(&cand, parties);
        if groups.len() > max_points {
            thinned = true;
            let step = groups.len().div_ceil(max_points);
            groups = groups.into_iter().step_by(step).collect();
        }
        let level: Vec<Node> = groups
            .into_iter()
            .map(|g| {
                let first = g.first().copied().unwrap_or(0);
                let u = cand
                    .get(first * parties..(first + 1) * parties)
                    .unwrap_or(&[])
                    .to_vec();
                let from: Vec<(u32, u32)> =
                    g.iter().filter_map(|&i| origin.get(i).copied()).collect();
                let count = from.iter().fold(0u128, |c, &(k, _)| {
                    c.saturating_add(prev.get(k as usize).map_or(0, |n| n.count))
                });
                Node { u, count, from }
            })
            .collect();
        levels.push(level);
    }
    Merge { levels, thinned }
}

impl Merge {
    /// The frontier: distinct vectors, lexicographically descending.
    pub(crate) fn frontier(&self) -> &[Node] {
        self.levels.last().map_or(&[], Vec::as_slice)
    }

    /// Up to `limit` outcomes (value indices) reaching frontier node `k`.
    pub(crate) fn outcomes(&self, k: usize, limit: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let depth = self.levels.len().saturating_sub(1);
        let mut path = vec![0usize; depth];
        self.walk(depth, k, &mut path, &mut out, limit);
        out
    }

    fn walk(
        &self,
        level: usize,
        k: usize,
        path: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
        limit: usize,
    ) {
        if out.len() >= limit {
            return;
        }
        if level == 0 {
            out.push(path.clone());
            return;
        }
        let Some(node) = self.levels.get(level).and_then(|l| l.get(k)) else {
            return;
        };
        for &(parent, value) in &node.from {
            if let Some(slot) = path.get_mut(level - 1) {
                *slot = value as usize;
            }
            self.walk(level - 1, parent as usize, path, out, limit);
            if out.len() >= limit {
                return;
            }
        }
    }
}
