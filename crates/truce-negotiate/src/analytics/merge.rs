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

use super::archive::{lex_desc, non_dominated};

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

/// How far below 1 a prefix sum plus the best rest counts as "may reach 1":
/// the rest is summed in another order than an outcome is, so leave room for
/// rounding (a wider zone only keeps more candidates).
const CLIP_MARGIN: f64 = 1e-12;

/// How much better a prefix must be for its advantage to survive the
/// rounding of the sums still to come: a prefix dominated by less than this
/// may end tied (and ties are all kept), so it is not pruned.
const ROUNDING_MARGIN: f64 = 1e-12;

/// Merges `tables[party][issue][value]`; `clip[party]` says whether that
/// party's utility is `min(sum, 1)` (GENIUS).
///
/// Clipping makes outcomes that differ only above 1 tie, so a prefix may be
/// pruned only when its dominator is strictly better in a party for which no
/// completion can reach 1 (otherwise the two may end tied, and ties are all
/// kept). Prefixes that could reach 1 and are dominated only there stay.
pub(crate) fn merge(
    tables: &[&[Vec<f64>]],
    clip: &[bool],
    issues: usize,
    max_points: usize,
    eps: f64,
) -> Merge {
    let parties = tables.len();
    let strict = eps.max(ROUNDING_MARGIN);
    // rest[i][p]: the most party p can still gain from the issues after i.
    let mut rest = vec![vec![0.0; parties]; issues + 1];
    for issue in (0..issues).rev() {
        for (p, t) in tables.iter().enumerate() {
            let best = t
                .get(issue)
                .map_or(0.0, |x| x.iter().copied().fold(0.0, f64::max));
            let after = rest.get(issue + 1).and_then(|r| r.get(p)).copied();
            if let Some(slot) = rest.get_mut(issue).and_then(|r| r.get_mut(p)) {
                *slot = best + after.unwrap_or(0.0);
            }
        }
    }
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
        let mut own_groups = non_dominated(&own, parties, eps, strict);
        // What the other issues can add at most: a value dominated only
        // where the outcome may reach 1 can still tie after clipping.
        let others: Vec<f64> = (0..parties)
            .map(|p| {
                let total = rest.first().and_then(|r| r.get(p)).copied().unwrap_or(0.0);
                let best = tables
                    .get(p)
                    .and_then(|t| t.get(issue))
                    .map_or(0.0, |x| x.iter().copied().fold(0.0, f64::max));
                total - best
            })
            .collect();
        keep_clipped_ties(&own, parties, clip, &others, eps, strict, &mut own_groups);
        let kept_values: Vec<usize> = own_groups.into_iter().flatten().collect();
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
        let mut groups = non_dominated(&cand, parties, eps, strict);
        let after = rest.get(issue + 1).map_or(&[][..], Vec::as_slice);
        keep_clipped_ties(&cand, parties, clip, after, eps, strict, &mut groups);
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

/// Adds back the candidates pruned only by differences that clipping at 1
/// may erase: `x` stays unless some kept vector is at least as good for every
/// party and strictly better for a party that cannot reach 1 from `x`.
fn keep_clipped_ties(
    cand: &[f64],
    parties: usize,
    clip: &[bool],
    rest: &[f64],
    eps: f64,
    strict: f64,
    groups: &mut Vec<Vec<usize>>,
) {
    let at = |i: usize| cand.get(i * parties..(i + 1) * parties).unwrap_or(&[]);
    let may_reach_one = |x: &[f64], p: usize| {
        clip.get(p).copied().unwrap_or(false)
            && x.get(p).copied().unwrap_or(0.0) + rest.get(p).copied().unwrap_or(0.0)
                >= 1.0 - CLIP_MARGIN
    };
    let n = cand.len().checked_div(parties).unwrap_or(0);
    let in_zone = |i: usize| (0..parties).any(|p| may_reach_one(at(i), p));
    if !(0..n).any(in_zone) {
        return;
    }
    let mut kept = vec![false; n];
    for g in groups.iter() {
        for &i in g {
            if let Some(k) = kept.get_mut(i) {
                *k = true;
            }
        }
    }
    let heads: Vec<usize> = groups.iter().filter_map(|g| g.first().copied()).collect();
    let mut extra: Vec<usize> = (0..n)
        .filter(|&i| !kept.get(i).copied().unwrap_or(true) && in_zone(i))
        .filter(|&i| {
            let x = at(i);
            !heads.iter().any(|&h| {
                let f = at(h);
                f.iter().zip(x).all(|(a, b)| *a >= b - eps)
                    && f.iter()
                        .zip(x)
                        .enumerate()
                        .any(|(p, (a, b))| *a > b + strict && !may_reach_one(x, p))
            })
        })
        .collect();
    if extra.is_empty() {
        return;
    }
    extra.sort_by(|&a, &b| lex_desc(at(a), at(b)).then(a.cmp(&b)));
    let mut start = 0;
    while let Some(&head) = extra.get(start) {
        let mut end = start + 1;
        while extra
            .get(end)
            .is_some_and(|&j| lex_desc(at(head), at(j)) == std::cmp::Ordering::Equal)
        {
            end += 1;
        }
        groups.push(extra.get(start..end).unwrap_or(&[]).to_vec());
        start = end;
    }
    groups.sort_by(|a, b| {
        let (x, y) = (
            a.first().copied().unwrap_or(0),
            b.first().copied().unwrap_or(0),
        );
        lex_desc(at(x), at(y)).then(x.cmp(&y))
    });
}

impl Merge {
    /// The frontier: distinct vectors, lexicographically descending.
    pub(crate) fn frontier(&self) -> &[Node] {
        self.levels.last().map_or(&[], Vec::as_slice)
    }

    /// The value indices each issue takes among all outcomes reaching the
    /// frontier nodes `ks`, sorted; no outcome is enumerated.
    pub(crate) fn tied_values(&self, ks: &[usize]) -> Vec<Vec<usize>> {
        let depth = self.levels.len().saturating_sub(1);
        let mut values = vec![Vec::new(); depth];
        let mut current: Vec<usize> = ks.to_vec();
        for level in (1..=depth).rev() {
            let Some(nodes) = self.levels.get(level) else {
                break;
            };
            let prev_len = self.levels.get(level - 1).map_or(0, Vec::len);
            let mut reach = vec![false; prev_len];
            let slot = values.get_mut(level - 1);
            let mut seen = Vec::new();
            for &k in &current {
                for &(parent, value) in nodes.get(k).map_or(&[][..], |n| n.from.as_slice()) {
                    if let Some(r) = reach.get_mut(parent as usize) {
                        *r = true;
                    }
                    seen.push(value as usize);
                }
            }
            seen.sort_unstable();
            seen.dedup();
            if let Some(s) = slot {
                *s = seen;
            }
            current = (0..prev_len)
                .filter(|&i| reach.get(i).copied().unwrap_or(false))
                .collect();
        }
        values
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
