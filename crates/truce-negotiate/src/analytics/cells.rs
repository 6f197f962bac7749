//! Exact analytics for non-additive (hyper-rectangle) utilities without
//! enumerating outcomes one by one.
//!
//! Two values of an issue that every rectangle bound and every additive table
//! treats alike give every party the same utility, so each issue splits into
//! classes of equivalent values and the search runs over combinations of
//! classes ("cells"): 25.4 million cells instead of 10^10 outcomes on ANAC
//! 2014's 10issues. A depth-first branch and bound over the cells prunes every
//! subtree whose optimistic utility vector is already dominated.

use std::collections::HashMap;

use super::archive::Archive;
use crate::domain::{Domain, Utility, clip_if};

/// Most (value, rectangle) flags the class index may hold.
pub(crate) const MAX_CLASS_FLAGS: usize = 50_000_000;

/// A global rectangle: owning party and utility.
#[derive(Debug)]
struct GRect {
    party: usize,
    utility: f64,
    /// Last issue (in search order) that bounds it.
    last: Option<usize>,
}

/// The class structure of a domain.
#[derive(Debug)]
pub(crate) struct Cells {
    parties: usize,
    /// `classes[issue]` = value indices of each class.
    pub(crate) classes: Vec<Vec<Vec<usize>>>,
    /// `add[issue][class][party]`: additive contribution.
    add: Vec<Vec<Vec<f64>>>,
    /// `inside[issue][class]`: rects bounded by the issue that contain it.
    inside: Vec<Vec<Vec<bool>>>,
    /// `bounded[issue]`: rects that bound the issue.
    bounded: Vec<Vec<usize>>,
    rects: Vec<GRect>,
    scale: Vec<f64>,
    /// `clip[party]`: the party's utility is clipped at 1 (GENIUS).
    clip: Vec<bool>,
    /// Largest and smallest additive contribution of the issues from `i` on.
    add_max_from: Vec<Vec<f64>>,
    add_min_from: Vec<Vec<f64>>,
    /// `class_of[issue][value]`: the class of each value.
    pub(crate) class_of: Vec<Vec<u32>>,
    /// `rect_issues[r]`: each issue rectangle `r` bounds, ascending, with
    /// the classes of that issue in its range.
    rect_issues: Vec<Vec<(usize, Vec<u32>)>>,
    /// `bounded_pos[issue][k]`: the position of `issue` in
    /// `rect_issues[bounded[issue][k]]`.
    bounded_pos: Vec<Vec<usize>>,
}

impl Cells {
    /// The class structure, or `None` when indexing it would take more
    /// than [`MAX_CLASS_FLAGS`] flags.
    pub(crate) fn new(domain: &Domain) -> Option<Self> {
        let parties = domain.parties.len();
        let issues = domain.issues.len();
        let mut rects = Vec::new();
        let mut bounds = Vec::new();
        let mut scale = vec![1.0; parties];
        let clip: Vec<bool> = domain.parties.iter().map(|p| p.utility.clips()).collect();
        for (p, party) in domain.parties.iter().enumerate() {
            if let Utility::HyperRectangles(h) = &party.utility {
                if let Some(s) = scale.get_mut(p) {
                    *s = h.scale;
                }
                for r in &h.rects {
                    rects.push(GRect {
                        party: p,
                        utility: r.utility,
                        last: r.includes.iter().map(|x| x.0).max(),
                    });
                    bounds.push(&r.includes);
                }
            }
        }
        let mut bounded = vec![Vec::new(); issues];
        for (r, inc) in bounds.iter().enumerate() {
            for &(i, _, _) in inc.iter() {
                if let Some(b) = bounded.get_mut(i)
                    && !b.contains(&r)
                {
                    b.push(r);
                }
            }
        }
        let flags = domain
            .issues
            .iter()
            .enumerate()
            .fold(0usize, |n, (i, issue)| {
                let rects = bounded.get(i).map_or(0, Vec::len) + parties;
                n.saturating_add(issue.values.len().saturating_mul(rects))
            });
        if flags > MAX_CLASS_FLAGS {
            return None;
        }
        let mut classes = Vec::with_capacity(issues);
        let mut add = Vec::with_capacity(issues);
        let mut inside = Vec::with_capacity(issues);
        for (i, issue) in domain.issues.iter().enumerate() {
            let my_rects = bounded.get(i).map_or(&[][..], Vec::as_slice);
            let mut by_key: HashMap<(Vec<u64>, Vec<bool>), usize> = HashMap::new();
            let mut cls: Vec<Vec<usize>> = Vec::new();
            let mut cls_add = Vec::new();
            let mut cls_in = Vec::new();
            for v in 0..issue.values.len() {
                let adds: Vec<f64> = domain
                    .parties
                    .iter()
                    .map(|p| match &p.utility {
                        Utility::Additive(a) => a
                            .tables
                            .get(i)
                            .and_then(|t| t.get(v))
                            .copied()
                            .unwrap_or(0.0),
                        Utility::HyperRectangles(_) => 0.0,
                    })
                    .collect();
                let ins: Vec<bool> = my_rects
                    .iter()
                    .map(|&r| {
                        bounds.get(r).is_some_and(|inc| {
                            inc.iter()
                                .filter(|x| x.0 == i)
                                .all(|&(_, lo, hi)| lo <= v && v <= hi)
                        })
                    })
                    .collect();
                let key = (adds.iter().map(|x| x.to_bits()).collect(), ins.clone());
                let c = *by_key.entry(key).or_insert_with(|| {
                    cls.push(Vec::new());
                    cls_add.push(adds);
                    cls_in.push(ins);
                    cls.len() - 1
                });
                if let Some(members) = cls.get_mut(c) {
                    members.push(v);
                }
            }
            classes.push(cls);
            add.push(cls_add);
            inside.push(cls_in);
        }
        let mut add_max_from = vec![vec![0.0; parties]; issues + 1];
        let mut add_min_from = vec![vec![0.0; parties]; issues + 1];
        for i in (0..issues).rev() {
            for p in 0..parties {
                let vals = add.get(i).map_or(&[][..], Vec::as_slice);
                let hi = vals
                    .iter()
                    .filter_map(|c| c.get(p))
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max);
                let lo = vals
                    .iter()
                    .filter_map(|c| c.get(p))
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                let next_hi = add_max_from
                    .get(i + 1)
                    .and_then(|x| x.get(p))
                    .copied()
                    .unwrap_or(0.0);
                let next_lo = add_min_from
                    .get(i + 1)
                    .and_then(|x| x.get(p))
                    .copied()
                    .unwrap_or(0.0);
                if let Some(x) = add_max_from.get_mut(i).and_then(|x| x.get_mut(p)) {
                    *x = hi + next_hi;
                }
                if let Some(x) = add_min_from.get_mut(i).and_then(|x| x.get_mut(p)) {
                    *x = lo + next_lo;
                }
            }
        }
        let class_of: Vec<Vec<u32>> = classes
            .iter()
            .zip(&domain.issues)
            .map(|(cls, issue)| {
                let mut of = vec![0u32; issue.values.len()];
                for (c, members) in cls.iter().enumerate() {
                    for &v in members {
                        if let Some(x) = of.get_mut(v) {
                            *x = c as u32;
                        }
                    }
                }
                of
            })
            .collect();
        let mut rect_issues: Vec<Vec<(usize, Vec<u32>)>> = vec![Vec::new(); rects.len()];
        for (i, b) in bounded.iter().enumerate() {
            let ins = inside.get(i).map_or(&[][..], Vec::as_slice);
            for (k, &r) in b.iter().enumerate() {
                let cls: Vec<u32> = (0..ins.len())
                    .filter(|&c| ins.get(c).and_then(|x| x.get(k)).copied().unwrap_or(false))
                    .map(|c| c as u32)
                    .collect();
                if let Some(x) = rect_issues.get_mut(r) {
                    x.push((i, cls));
                }
            }
        }
        let bounded_pos = bounded
            .iter()
            .enumerate()
            .map(|(i, b)| {
                b.iter()
                    .map(|&r| {
                        rect_issues
                            .get(r)
                            .and_then(|x| x.iter().position(|(j, _)| *j == i))
                            .unwrap_or(0)
                    })
                    .collect()
            })
            .collect();
        Some(Self {
            parties,
            bounded_pos,
            classes,
            add,
            inside,
            bounded,
            rect_issues,
            rects,
            scale,
            clip,
            add_max_from,
            add_min_from,
            class_of,
        })
    }

    /// Number of cells (saturating).
    pub(crate) fn count(&self) -> u128 {
        self.classes
            .iter()
            .fold(1u128, |n, c| n.saturating_mul(c.len() as u128))
    }

    /// The value indices of a set of classes of issue `i`.
    fn members<'s>(&'s self, i: usize, set: &'s [u32]) -> impl Iterator<Item = usize> + 's {
        set.iter().flat_map(move |&c| {
            self.classes
                .get(i)
                .and_then(|x| x.get(c as usize))
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .copied()
        })
    }

    /// Number of outcomes in a cell (per issue, a set of classes;
    /// saturating).
    pub(crate) fn size(&self, cell: &[Vec<u32>]) -> u128 {
        cell.iter().enumerate().fold(1u128, |n, (i, set)| {
            n.saturating_mul(self.members(i, set).count() as u128)
        })
    }

    /// The value indices each issue takes over some cells, sorted.
    pub(crate) fn values_of(&self, cells: &[Vec<Vec<u32>>], issues: usize) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); issues];
        for cell in cells {
            for (i, set) in cell.iter().enumerate() {
                if let Some(o) = out.get_mut(i) {
                    o.extend(self.members(i, set));
                }
            }
        }
        for o in &mut out {
            o.sort_unstable();
            o.dedup();
        }
        out
    }

    /// Outcomes of a cell, up to `limit`.
    pub(crate) fn expand(&self, cell: &[Vec<u32>], limit: usize) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new()];
        for (i, set) in cell.iter().enumerate() {
            let members: Vec<usize> = self.members(i, set).collect();
            let mut next = Vec::new();
            'outer: for o in &out {
                for &v in &members {
                    if next.len() >= limit {
                        break 'outer;
                    }
                    let mut o2 = o.clone();
                    o2.push(v);
                    next.push(o2);
                }
            }
            out = next;
        }
        out
    }
}

/// What a search looks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Goal {
    /// The non-dominated cells.
    Frontier,
    /// The smallest utility of one party.
    Min(usize),
    /// An outcome maximising `λ·u0 + (1−λ)·u1` (two parties), λ given.
    Weighted(f64),
}

/// Search state. The per-depth sums live in one buffer (`4 × parties`
/// numbers per depth: additive, decided hyper-rectangle, pending positive and
/// pending negative utility), so a node allocates nothing.
///
/// Frontier searches bound each subtree per party and (two parties) by
/// every weighted sum `λ·u0 + (1−λ)·u1`, with charge tables: each table
/// splits every undecided positive rectangle's utility among its undecided
/// issues and takes, per undecided issue, the best class for what is
/// charged to it, so rectangles that exclude each other on an issue (the
/// parties' conflicts) are never counted together (see [`split_tables`]).
/// A subtree is pruned when no point its bounds allow escapes the region
/// the frontier found so far dominates (tested at that region's corners,
/// against every table's hull and then one table's exact sums).
pub(crate) struct Search<'a> {
    cells: &'a Cells,
    /// The domain leaves are evaluated on, in its own issue order.
    domain: &'a Domain,
    /// `perm[k]`: the domain issue the cells' issue `k` is.
    perm: Vec<usize>,
    goal: Goal,
    /// Witnesses are cells of groups: per issue, a set of classes.
    pub(crate) archive: Archive<Vec<Vec<u32>>>,
    pub(crate) best_min: f64,
    /// A weighted search: the best value found and its outcome (domain
    /// order).
    pub(crate) best_weighted: (f64, Vec<usize>),
    pub(crate) visited: u64,
    max_visits: u64,
    pub(crate) complete: bool,
    /// Per party, the largest optimistic utility of any subtree the search
    /// left unexamined when it stopped at its node limit (−∞ when none).
    pub(crate) unexplored: Vec<f64>,
    /// Two parties, a stopped search: the most any outcome of a subtree it
    /// left unexamined can exceed the frontier found, in both utilities at
    /// once (see [`Search::escape`]; 0 when none can).
    pub(crate) gap: f64,
    path: Vec<u32>,
    state: Vec<f64>,
    alive: Vec<bool>,
    killed: Vec<usize>,
    bound: Vec<f64>,
    /// `charged[k * table_len + off[i] + c * parties + p]`: in table `k`,
    /// party `p`'s shares (scaled utility) of the live positive rectangles
    /// charged to issue `i` that hold class `c` there, plus the class's
    /// additive share.
    charged: Vec<f64>,
    off: Vec<usize>,
    /// Length of one charge table; table `k` starts at `k * table_len`.
    table_len: usize,
    /// Number of charge tables (see [`Search::run_seeded`]).
    tables: usize,
    /// The table whose first undecided issue orders a node's classes.
    order_table: usize,
    /// `shares[k * incs + inc_off[r] + q]`: table `k`'s share (scaled
    /// utility) of positive rectangle `r` on its `q`-th issue at the current
    /// node; a live rectangle's shares on its undecided issues sum to its
    /// utility.
    shares: Vec<f64>,
    /// `(index, old value)` of each change to `shares`, for undo.
    share_log: Vec<(usize, f64)>,
    /// `lams[k]`: the weight of party 0 table `k` is split for (`None`: a
    /// fixed split).
    lams: Vec<Option<f64>>,
    /// Scratch for [`Search::improve`].
    slack: Vec<f64>,
    /// Nodes up to this depth re-split (see [`Search::improve`]).
    improve_depth: usize,
    /// Per depth, the classes of the node's issue grouped by equivalence
    /// at the node (`grp_classes` holds them group after group,
    /// `grp_ranges` each group's range), and the group being searched.
    grp_classes: Vec<Vec<u32>>,
    grp_ranges: Vec<Vec<(u32, u32)>>,
    chosen: Vec<usize>,
    /// Scratch for [`Search::group_classes`].
    gid: Vec<u32>,
    inc_off: Vec<usize>,
    incs: usize,
    /// `(index, old value)` of each change to `charged`, for undo.
    log: Vec<(usize, f64)>,
    /// Minimal corners of the region no known point dominates (two parties).
    corners: Vec<[f64; 2]>,
    corners_for: usize,
    archive_version: usize,
    order: Vec<Vec<(f64, u32)>>,
    eps: f64,
    /// The seeds' vectors and cells (see [`Search::run_seeded`]).
    pub(crate) seed_cells: Vec<(Vec<f64>, Vec<Vec<u32>>)>,
    /// Scratch for [`Search::build_chain`].
    pts: Vec<[f64; 2]>,
    hull: Vec<[f64; 2]>,
    edges: Vec<[f64; 2]>,
    chain: Vec<[f64; 2]>,
    /// Each table's chain at the current node.
    chains: Vec<Vec<[f64; 2]>>,
    /// Scratch: the corners every chain built so far holds.
    live: Vec<[f64; 2]>,
}

/// Nodes with at most this many undecided issues are also tested against
/// the exact (not convexified) set of sums their table allows (on ANAC
/// 2014's 30issues and 50issues, testing every node is fastest: the sums
/// that can still reach a corner stay few).
const TAIL_ISSUES: usize = 64;

/// Most points [`Search::tail_dominated`] keeps before giving up.
const TAIL_POINTS: usize = 4096;

/// Nodes up to this depth re-split their tables (one sweep each): deeper,
/// the sweep costs more than the nodes it saves (measured on 30issues and
/// 50issues).
const IMPROVE_DEPTH: usize = 8;

const ADD: usize = 0;
const HYPER: usize = 1;
const POS: usize = 2;
const NEG: usize = 3;

/// A hair above a bound: incremental sums may round differently from the
/// exact evaluation of a leaf.
fn loosen(b: f64) -> f64 {
    b + 1e-9 * (1.0 + b.abs())
}

impl<'a> Search<'a> {
    pub(crate) fn run(
        cells: &'a Cells,
        domain: &'a Domain,
        goal: Goal,
        keep: usize,
        max_visits: u64,
        eps: f64,
    ) -> Self {
        let perm = (0..domain.issues.len()).collect();
        Self::run_seeded(cells, domain, perm, goal, keep, max_visits, eps, &[])
    }

    /// As [`Search::run`], with outcomes (value indices) offered to the
    /// frontier before the search starts, so it prunes from the first node.
    /// The cells may order the issues differently from `domain`:
    /// `perm[k]` is the domain issue of the cells' issue `k`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_seeded(
        cells: &'a Cells,
        domain: &'a Domain,
        perm: Vec<usize>,
        goal: Goal,
        keep: usize,
        max_visits: u64,
        eps: f64,
        seeds: &[Vec<usize>],
    ) -> Self {
        let parties = cells.parties;
        let depths = cells.classes.len() + 1;
        let mut off = Vec::with_capacity(depths);
        let mut n = 0;
        for cls in &cells.classes {
            off.push(n);
            n += cls.len() * parties;
        }
        off.push(n);
        // Charge tables: every positive rectangle's utility is split among
        // the issues it bounds (see [`split_tables`]).
        let (inc_off, incs, tables, shares, lams) = split_tables(cells, goal);
        let mut charged = vec![0.0; tables * n];
        for k in 0..tables {
            for (i, cls) in cells.add.iter().enumerate() {
                for (c, a) in cls.iter().enumerate() {
                    for (p, &y) in a.iter().enumerate() {
                        if let Some(x) = off
                            .get(i)
                            .and_then(|o| charged.get_mut(k * n + o + c * parties + p))
                        {
                            *x += y;
                        }
                    }
                }
            }
            for (r, g) in cells.rects.iter().enumerate() {
                if g.last.is_none() || g.utility <= 0.0 {
                    continue;
                }
                let o = k * incs + inc_off.get(r).copied().unwrap_or(0);
                let ri = cells.rect_issues.get(r).map_or(&[][..], Vec::as_slice);
                for (q, (i, cls)) in ri.iter().enumerate() {
                    let share = shares.get(o + q).copied().unwrap_or(0.0);
                    if share == 0.0 {
                        continue;
                    }
                    for &c in cls {
                        if let Some(x) = off.get(*i).and_then(|o| {
                            charged.get_mut(k * n + o + c as usize * parties + g.party)
                        }) {
                            *x += share;
                        }
                    }
                }
            }
        }
        // Classes are ordered by the table split for equal weights.
        let aim = match goal {
            Goal::Weighted(l) => l,
            _ => 0.5,
        };
        let order_table = lams
            .iter()
            .enumerate()
            .min_by(|a, b| (a.1 - aim).abs().total_cmp(&(b.1 - aim).abs()))
            .map_or(0, |(k, _)| k + 2)
            .min(tables - 1);
        let mut s = Self {
            cells,
            domain,
            perm,
            goal,
            archive: Archive::new(keep, eps),
            best_min: f64::INFINITY,
            best_weighted: (f64::NEG_INFINITY, Vec::new()),
            visited: 0,
            max_visits,
            complete: true,
            unexplored: vec![f64::NEG_INFINITY; parties],
            gap: 0.0,
            path: Vec::with_capacity(depths),
            state: vec![0.0; depths * 4 * parties],
            alive: vec![true; cells.rects.len()],
            killed: Vec::new(),
            bound: vec![0.0; parties],
            charged,
            table_len: n,
            tables,
            order_table,
            shares,
            share_log: Vec::new(),
            lams: [None, None]
                .into_iter()
                .chain(lams.iter().map(|&l| Some(l)))
                .collect(),
            slack: Vec::new(),
            improve_depth: IMPROVE_DEPTH,
            grp_classes: vec![Vec::new(); depths],
            grp_ranges: vec![Vec::new(); depths],
            chosen: vec![0; depths],
            gid: Vec::new(),
            inc_off,
            incs,
            off,
            log: Vec::new(),
            corners: Vec::new(),
            corners_for: usize::MAX,
            archive_version: 0,
            order: vec![Vec::new(); depths],
            eps,
            seed_cells: Vec::new(),
            pts: Vec::new(),
            hull: Vec::new(),
            edges: Vec::new(),
            chain: Vec::new(),
            chains: vec![Vec::new(); tables],
            live: Vec::new(),
        };
        for r in &cells.rects {
            let (part, value) = match r.last {
                None => (HYPER, r.utility),
                Some(_) => (POS, r.utility.max(0.0)),
            };
            if let Some(x) = s.state.get_mut(part * parties + r.party) {
                *x += value;
            }
            if r.last.is_some()
                && let Some(x) = s.state.get_mut(NEG * parties + r.party)
            {
                *x += r.utility.min(0.0);
            }
        }
        if matches!(goal, Goal::Frontier) {
            for o in seeds {
                let cell: Vec<Vec<u32>> = s
                    .perm
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| {
                        let v = o.get(i).copied().unwrap_or(0);
                        vec![
                            cells
                                .class_of
                                .get(k)
                                .and_then(|x| x.get(v))
                                .copied()
                                .unwrap_or(0),
                        ]
                    })
                    .collect();
                let u = domain.utilities(o);
                // Seeds count no outcomes: the search counts every outcome
                // of the frontier when it reaches its cell.
                s.archive.offer(&u, 0, || cell);
                s.archive_version += 1;
            }
            // The search lists the witnesses it reaches; a seed's cell is
            // kept aside for a stopped search that never reached it.
            for (u, _, w) in &mut s.archive.points {
                if let Some(cell) = w.first() {
                    s.seed_cells.push((u.clone(), cell.clone()));
                }
                w.clear();
            }
        }
        s.descend(0, 1);
        s
    }

    fn get(&self, depth: usize, part: usize, p: usize) -> f64 {
        let parties = self.cells.parties;
        self.state
            .get((depth * 4 + part) * parties + p)
            .copied()
            .unwrap_or(0.0)
    }

    fn bump(&mut self, depth: usize, part: usize, p: usize, by: f64) {
        let parties = self.cells.parties;
        if let Some(x) = self.state.get_mut((depth * 4 + part) * parties + p) {
            *x += by;
        }
    }

    /// Utility bound of party `p` at a node of `depth` (the plain one: every
    /// pending positive rectangle counted).
    fn bound_at(&self, depth: usize, p: usize, max: bool) -> f64 {
        let rest = if max {
            &self.cells.add_max_from
        } else {
            &self.cells.add_min_from
        };
        let rest = rest
            .get(depth)
            .and_then(|x| x.get(p))
            .copied()
            .unwrap_or(0.0);
        let pending = self.get(depth, if max { POS } else { NEG }, p);
        let scale = self.cells.scale.get(p).copied().unwrap_or(1.0);
        let b = self.get(depth, ADD, p) + rest + (self.get(depth, HYPER, p) + pending) / scale;
        // Clipping is monotone, so a clipped bound still bounds.
        clip_if(self.cells.clip.get(p).copied().unwrap_or(false), b)
    }

    /// Lower bound of party `p`'s utility at a node of `depth`: the plain
    /// one (no pending positive rectangle counted) plus, per undecided
    /// issue, the least any of its classes adds through the live positive
    /// rectangles whose only undecided issue it is (they hold exactly when
    /// that issue's class is in their range).
    fn min_bound(&mut self, depth: usize, p: usize) -> f64 {
        let cells = self.cells;
        let mut forced = std::mem::take(&mut self.pts);
        forced.clear();
        let total = self.off.last().copied().unwrap_or(0);
        forced.resize(total, [0.0, 0.0]);
        let mut any = false;
        for (r, g) in cells.rects.iter().enumerate() {
            if g.party != p || g.utility <= 0.0 || !self.alive.get(r).copied().unwrap_or(false) {
                continue;
            }
            let ri = cells.rect_issues.get(r).map_or(&[][..], Vec::as_slice);
            let Some((i, cls)) = ri.last() else { continue };
            if *i < depth || ri.iter().rev().nth(1).is_some_and(|(j, _)| *j >= depth) {
                continue;
            }
            let o = self.off.get(*i).copied().unwrap_or(0);
            for &c in cls {
                if let Some(x) = forced.get_mut(o + c as usize * cells.parties) {
                    x[0] += g.utility;
                    any = true;
                }
            }
        }
        let mut extra = 0.0;
        if any {
            for i in depth..cells.classes.len() {
                let (Some(&from), Some(&to)) = (self.off.get(i), self.off.get(i + 1)) else {
                    continue;
                };
                let least = forced
                    .get(from..to)
                    .unwrap_or(&[])
                    .iter()
                    .step_by(cells.parties.max(1))
                    .map(|x| x[0])
                    .fold(f64::INFINITY, f64::min);
                if least.is_finite() {
                    extra += least;
                }
            }
        }
        self.pts = forced;
        let rest = cells
            .add_min_from
            .get(depth)
            .and_then(|x| x.get(p))
            .copied()
            .unwrap_or(0.0);
        let pending = self.get(depth, NEG, p);
        let scale = cells.scale.get(p).copied().unwrap_or(1.0);
        let b =
            self.get(depth, ADD, p) + rest + (self.get(depth, HYPER, p) + pending + extra) / scale;
        clip_if(cells.clip.get(p).copied().unwrap_or(false), b)
    }

    /// What is decided at `depth`, per party: additive part plus decided
    /// rectangles, scaled.
    fn base(&self, depth: usize, p: usize) -> f64 {
        let scale = self.cells.scale.get(p).copied().unwrap_or(1.0);
        self.get(depth, ADD, p) + self.get(depth, HYPER, p) / scale
    }

    /// The per-issue bound of `λ·u0 + (1−λ)·u1` (two parties) or of one
    /// party's utility (`w` = its unit vector), unclipped, not loosened.
    fn charged_bound(&self, depth: usize, table: usize, w: &[f64]) -> f64 {
        let parties = self.cells.parties;
        let mut b: f64 = w
            .iter()
            .enumerate()
            .map(|(p, &x)| {
                if x == 0.0 {
                    0.0
                } else {
                    x * self.base(depth, p)
                }
            })
            .sum();
        for i in depth..self.cells.classes.len() {
            let (Some(&from), Some(&to)) = (self.off.get(i), self.off.get(i + 1)) else {
                continue;
            };
            let best = self
                .charged
                .get(table + from..table + to)
                .unwrap_or(&[])
                .chunks_exact(parties)
                .map(|v| v.iter().zip(w).map(|(a, x)| a * x).sum::<f64>())
                .fold(f64::NEG_INFINITY, f64::max);
            if best.is_finite() {
                b += best;
            }
        }
        b
    }

    /// Recomputes the minimal corners of the region that no known point
    /// dominates (two parties): `x` escapes `q` when it is ahead of `q` by
    /// more than the tolerance for a party, or within the tolerance of `q`
    /// for both (closed sets: a superset, so pruning stays safe).
    fn refresh_corners(&mut self) {
        if self.corners_for == self.archive_version {
            return;
        }
        self.corners_for = self.archive_version;
        let e = self.eps;
        let ninf = f64::NEG_INFINITY;
        let mut region: Vec<[f64; 2]> = vec![[ninf, ninf]];
        for (q, _, _) in &self.archive.points {
            let (q0, q1) = (
                q.first().copied().unwrap_or(0.0),
                q.get(1).copied().unwrap_or(0.0),
            );
            let escape = [[q0 + e, ninf], [ninf, q1 + e], [q0 - e, q1 - e]];
            let mut next: Vec<[f64; 2]> = Vec::with_capacity(region.len() * 3);
            for a in &region {
                for b in &escape {
                    next.push([a[0].max(b[0]), a[1].max(b[1])]);
                }
            }
            next.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
            let mut minimal: Vec<[f64; 2]> = Vec::with_capacity(next.len());
            let mut low = f64::INFINITY;
            for c in next {
                if c[1] < low {
                    low = c[1];
                    minimal.push(c);
                }
            }
            region = minimal;
        }
        // A party whose utility is clipped at 1 reaches no corner past 1.
        let clip = &self.cells.clip;
        region.retain(|c| {
            c.iter()
                .enumerate()
                .all(|(p, &x)| !clip.get(p).copied().unwrap_or(false) || x <= 1.0)
        });
        self.corners = region;
    }

    /// Two parties: the upper-right boundary of the region the per-issue
    /// bounds allow at `depth` (the down-closure of the sum of each
    /// undecided issue's class points' convex hull, plus what is decided),
    /// as vertices from the most for party 1 to the most for party 0, into
    /// `self.chain`. Every weighted-sum bound is exactly this region's.
    fn build_chain(&mut self, depth: usize, table: usize) {
        let parties = self.cells.parties;
        let mut start = [self.base(depth, 0), self.base(depth, 1)];
        self.edges.clear();
        for i in depth..self.cells.classes.len() {
            let (Some(&from), Some(&to)) = (self.off.get(i), self.off.get(i + 1)) else {
                continue;
            };
            self.pts.clear();
            for v in self
                .charged
                .get(table + from..table + to)
                .unwrap_or(&[])
                .chunks_exact(parties)
            {
                if let (Some(&x), Some(&y)) = (v.first(), v.get(1)) {
                    self.pts.push([x, y]);
                }
            }
            // By x ascending, y descending; then the concave chain from the
            // highest point (the rightmost of those) to the rightmost.
            self.pts
                .sort_by(|a, b| a[0].total_cmp(&b[0]).then(b[1].total_cmp(&a[1])));
            let Some(top) = self.pts.iter().copied().reduce(|m, p| {
                if p[1] > m[1] || (p[1] == m[1] && p[0] > m[0]) {
                    p
                } else {
                    m
                }
            }) else {
                continue;
            };
            self.hull.clear();
            self.hull.push(top);
            for &p in self.pts.iter() {
                if p[0] <= top[0] {
                    continue;
                }
                // Same x as the last vertex: only the highest counts (the
                // sort put it first).
                if self.hull.last().is_some_and(|l| l[0] == p[0]) {
                    continue;
                }
                while self.hull.len() >= 2 {
                    let n = self.hull.len();
                    let (Some(&o), Some(&a)) = (self.hull.get(n - 2), self.hull.get(n - 1)) else {
                        break;
                    };
                    // Pop `a` unless o → a → p turns right (concave).
                    let cross = (a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0]);
                    if cross >= 0.0 {
                        self.hull.pop();
                    } else {
                        break;
                    }
                }
                self.hull.push(p);
            }
            start[0] += top[0];
            start[1] += top[1];
            for w in self.hull.windows(2) {
                if let (Some(a), Some(b)) = (w.first(), w.get(1)) {
                    let e = [b[0] - a[0], b[1] - a[1]];
                    if e[0] > 0.0 || e[1] != 0.0 {
                        self.edges.push(e);
                    }
                }
            }
        }
        // Flattest first: slope dy/dx descending (dx > 0 or a vertical drop).
        self.edges
            .sort_by(|a, b| (b[1] * a[0]).total_cmp(&(a[1] * b[0])));
        self.chain.clear();
        self.chain.push(start);
        let mut v = start;
        for e in &self.edges {
            v = [v[0] + e[0], v[1] + e[1]];
            self.chain.push(v);
        }
    }

    /// Whether the region in `self.chain` (loosened by a hair) and the
    /// per-party bounds `ub` hold the point `c`.
    fn chain_holds(chain: &[[f64; 2]], c: [f64; 2], ub: [f64; 2]) -> bool {
        if c[0] > ub[0] || c[1] > ub[1] {
            return false;
        }
        let (Some(first), Some(last)) = (chain.first(), chain.last()) else {
            return true;
        };
        if !c[0].is_finite() || !c[1].is_finite() {
            return true;
        }
        if c[0] > loosen(last[0]) {
            return false;
        }
        // The chain's height a hair left of c0 (incremental sums round).
        let x = c[0] - 1e-9 * (1.0 + c[0].abs());
        if x <= first[0] {
            return c[1] <= loosen(first[1]);
        }
        let k = chain.partition_point(|v| v[0] < x);
        let Some(&b) = chain.get(k) else {
            return c[1] <= loosen(last[1]);
        };
        let a = chain.get(k.wrapping_sub(1)).copied().unwrap_or(b);
        let y = if b[0] > a[0] {
            a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])
        } else {
            a[1].max(b[1])
        };
        c[1] <= loosen(y)
    }

    /// The largest `t` such that some point the node's bounds (`ub` and
    /// both chains) allow lies at or beyond `q + (t, t)` for no listed point
    /// `q` and at a corner `c` of the listed staircase plus `(t, t)`: how
    /// far past the frontier found an outcome of the node may lie.
    fn escape(&self, ub: [f64; 2]) -> f64 {
        let mut q: Vec<[f64; 2]> = self
            .archive
            .points
            .iter()
            .map(|(u, _, _)| {
                [
                    u.first().copied().unwrap_or(0.0),
                    u.get(1).copied().unwrap_or(0.0),
                ]
            })
            .collect();
        q.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let top = |chain: &[[f64; 2]]| chain.first().map_or(f64::INFINITY, |v| loosen(v[1]));
        let right = |chain: &[[f64; 2]]| chain.last().map_or(f64::INFINITY, |v| loosen(v[0]));
        let max_y = self.chains.iter().fold(ub[1], |m, c| m.min(top(c)));
        let max_x = self.chains.iter().fold(ub[0], |m, c| m.min(right(c)));
        let (Some(first), Some(last)) = (q.first(), q.last()) else {
            return f64::INFINITY;
        };
        // Above the best second utility, beyond the best first one.
        let mut t: f64 = (max_y - first[1]).max(max_x - last[0]).max(0.0);
        let holds = |c: [f64; 2]| self.chains.iter().all(|ch| Self::chain_holds(ch, c, ub));
        for w in q.windows(2) {
            let (Some(a), Some(b)) = (w.first(), w.get(1)) else {
                continue;
            };
            let c = [a[0], b[1]];
            if !holds(c) {
                continue;
            }
            // Bisection along (1, 1): the region is down-closed.
            let (mut lo, mut hi) = (0.0f64, 2.0f64);
            for _ in 0..50 {
                let mid = 0.5 * (lo + hi);
                if holds([c[0] + mid, c[1] + mid]) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            t = t.max(hi);
        }
        t
    }

    /// Whether a node at `depth` can hold no outcome that escapes the known
    /// frontier (two parties), with `ub` its loosened per-party bounds and
    /// the chains built for it.
    fn dominated_two(&mut self, depth: usize, ub: [f64; 2]) -> bool {
        self.refresh_corners();
        let mut live = std::mem::take(&mut self.live);
        live.clear();
        live.extend(
            self.corners
                .iter()
                .filter(|&&c| c[0] <= ub[0] && c[1] <= ub[1]),
        );
        // The tables split for weighted sums first: they prune the most.
        for k in (2..self.tables).chain(0..2.min(self.tables)) {
            if live.is_empty() {
                break;
            }
            self.build_chain(depth, k * self.table_len);
            let chain = &self.chain;
            live.retain(|&c| Self::chain_holds(chain, c, ub));
        }
        let dominated = live.is_empty();
        self.live = live;
        dominated
    }

    fn descend(&mut self, depth: usize, count: u128) {
        if self.complete {
            self.visited += 1;
            if self.visited > self.max_visits {
                self.complete = false;
            }
        }
        let parties = self.cells.parties;
        if !self.complete {
            // Left unexamined: record what it could hold at best.
            for p in 0..parties {
                let b = self.party_bound(depth, p);
                if let Some(x) = self.unexplored.get_mut(p) {
                    *x = x.max(b);
                }
            }
            if parties == 2 && matches!(self.goal, Goal::Frontier) {
                let ub = [self.party_bound(depth, 0), self.party_bound(depth, 1)];
                for k in 0..self.tables {
                    self.build_chain(depth, k * self.table_len);
                    if let Some(c) = self.chains.get_mut(k) {
                        std::mem::swap(c, &mut self.chain);
                    }
                }
                let t = self.escape(ub);
                self.gap = self.gap.max(t);
            }
            return;
        }
        match self.goal {
            Goal::Frontier => {
                for p in 0..parties {
                    let b = self.party_bound(depth, p);
                    if let Some(x) = self.bound.get_mut(p) {
                        *x = b;
                    }
                }
                if self.archive.excludes(&self.bound) {
                    return;
                }
                if parties == 2 && depth < self.cells.classes.len() {
                    if depth <= self.improve_depth {
                        self.improve(depth);
                        for p in 0..parties {
                            let b = self.party_bound(depth, p);
                            if let Some(x) = self.bound.get_mut(p) {
                                *x = b;
                            }
                        }
                    }
                    let ub = [
                        self.bound.first().copied().unwrap_or(0.0),
                        self.bound.get(1).copied().unwrap_or(0.0),
                    ];
                    if self.dominated_two(depth, ub) {
                        return;
                    }
                    if self.cells.classes.len() - depth <= TAIL_ISSUES
                        && self.tail_dominated(depth, self.order_table * self.table_len)
                    {
                        return;
                    }
                }
            }
            Goal::Min(p) => {
                if self.min_bound(depth, p) >= self.best_min {
                    return;
                }
            }
            Goal::Weighted(l) => {
                let w = [l, 1.0 - l];
                let b = (0..self.tables)
                    .map(|k| self.charged_bound(depth, k * self.table_len, &w))
                    .fold(f64::INFINITY, f64::min);
                // Only one optimum is wanted: equal values are not explored.
                if b <= self.best_weighted.0 + 1e-12 {
                    return;
                }
            }
        }
        let cells = self.cells;
        let Some(classes) = cells.classes.get(depth) else {
            self.leaf(depth, count);
            return;
        };
        let my_rects = cells.bounded.get(depth).map_or(&[][..], Vec::as_slice);
        let my_pos = cells.bounded_pos.get(depth).map_or(&[][..], Vec::as_slice);
        let width = 4 * parties;
        // Classes that every live rectangle and the additive tables treat
        // alike lead to the same subtree: one branch for each group, which
        // counts all their outcomes.
        self.group_classes(depth);
        // Most promising groups first (by the charged utilities, summed):
        // good points early prune more.
        let mut order = std::mem::take(self.order.get_mut(depth).unwrap_or(&mut Vec::new()));
        order.clear();
        let from_off =
            self.order_table * self.table_len + self.off.get(depth).copied().unwrap_or(0);
        let ranges = self.grp_ranges.get(depth).map_or(&[][..], Vec::as_slice);
        let flat = self.grp_classes.get(depth).map_or(&[][..], Vec::as_slice);
        for (g, &(a, _)) in ranges.iter().enumerate() {
            let c = flat.get(a as usize).copied().unwrap_or(0) as usize;
            let start = from_off + c * parties;
            let v: f64 = self
                .charged
                .get(start..start + parties)
                .unwrap_or(&[])
                .iter()
                .sum();
            order.push((v, g as u32));
        }
        if matches!(self.goal, Goal::Frontier | Goal::Weighted(_)) {
            order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        } else {
            // Least promising first: low values early prune more.
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        for &(_, g) in &order {
            let Some(&(a, b)) = self.grp_ranges.get(depth).and_then(|x| x.get(g as usize)) else {
                continue;
            };
            let flat = self.grp_classes.get(depth).map_or(&[][..], Vec::as_slice);
            let group = flat.get(a as usize..b as usize).unwrap_or(&[]);
            let c = group.first().copied().unwrap_or(0) as usize;
            let outcomes: usize = group
                .iter()
                .filter_map(|&x| classes.get(x as usize))
                .map(Vec::len)
                .sum();
            if let Some(x) = self.chosen.get_mut(depth) {
                *x = g as usize;
            }
            let from = depth * width;
            if from + 2 * width > self.state.len() {
                break;
            }
            self.state.copy_within(from..from + width, from + width);
            if let Some(a) = cells.add.get(depth).and_then(|x| x.get(c)) {
                for (p, &y) in a.iter().enumerate() {
                    self.bump(depth + 1, ADD, p, y);
                }
            }
            let mark = self.killed.len();
            let log_mark = self.log.len();
            let share_mark = self.share_log.len();
            let ins = cells.inside.get(depth).and_then(|x| x.get(c));
            for (k, &r) in my_rects.iter().enumerate() {
                let (Some(rect), Some(true)) = (cells.rects.get(r), self.alive.get(r).copied())
                else {
                    continue;
                };
                let p = rect.party;
                let is_in = ins.and_then(|x| x.get(k)).copied().unwrap_or(false);
                let decided = rect.last == Some(depth);
                if !is_in || decided {
                    self.bump(depth + 1, POS, p, -rect.utility.max(0.0));
                    self.bump(depth + 1, NEG, p, -rect.utility.min(0.0));
                }
                if !is_in {
                    if let Some(a) = self.alive.get_mut(r) {
                        *a = false;
                    }
                    self.killed.push(r);
                    self.uncharge(r, my_pos.get(k).copied().unwrap_or(0));
                } else if decided {
                    self.bump(depth + 1, HYPER, p, rect.utility);
                } else {
                    self.recharge(r, my_pos.get(k).copied().unwrap_or(0));
                }
            }
            self.path.push(c as u32);
            self.descend(depth + 1, count.saturating_mul(outcomes as u128));
            self.path.pop();
            while self.killed.len() > mark {
                if let Some(r) = self.killed.pop()
                    && let Some(a) = self.alive.get_mut(r)
                {
                    *a = true;
                }
            }
            while self.log.len() > log_mark {
                if let Some((i, old)) = self.log.pop()
                    && let Some(x) = self.charged.get_mut(i)
                {
                    *x = old;
                }
            }
            while self.share_log.len() > share_mark {
                if let Some((i, old)) = self.share_log.pop()
                    && let Some(x) = self.shares.get_mut(i)
                {
                    *x = old;
                }
            }
        }
        if let Some(o) = self.order.get_mut(depth) {
            *o = order;
        }
    }

    /// A live rectangle's issue at position `pos` is decided in its range:
    /// in every table, what was charged to it and to its earlier issues
    /// moves on to its next issue (counted there only for the classes in
    /// range, never more than where it was).
    fn recharge(&mut self, r: usize, pos: usize) {
        let cells = self.cells;
        let Some(g) = cells.rects.get(r) else { return };
        if g.utility <= 0.0 {
            return;
        }
        let Some((next, cls)) = cells.rect_issues.get(r).and_then(|x| x.get(pos + 1)) else {
            return;
        };
        let parties = cells.parties;
        let Some(&o) = self.off.get(*next) else {
            return;
        };
        let base = self.inc_off.get(r).copied().unwrap_or(0) + pos;
        for k in 0..self.tables {
            let at = k * self.incs + base;
            let amount = self.shares.get(at).copied().unwrap_or(0.0);
            if amount == 0.0 {
                continue;
            }
            self.set_share(at, 0.0);
            let next_share = self.shares.get(at + 1).copied().unwrap_or(0.0);
            self.set_share(at + 1, next_share + amount);
            let t = k * self.table_len + o;
            for &c in cls {
                let i = t + c as usize * parties + g.party;
                if let Some(x) = self.charged.get_mut(i) {
                    self.log.push((i, *x));
                    *x += amount;
                }
            }
        }
    }

    /// Whether no sum of one class point per undecided issue of `table`
    /// (plus what is decided) reaches a corner of the region the frontier
    /// found so far leaves open: the non-dominated sums are built issue by
    /// issue (like the additive merge), dropping any that cannot reach a
    /// corner even with the best of every issue still to add. This bound
    /// is not convexified, so it closes the dents between frontier points
    /// that the chains cannot. Gives up (false) past [`TAIL_POINTS`] sums.
    fn tail_dominated(&mut self, depth: usize, table: usize) -> bool {
        let parties = self.cells.parties;
        let n = self.cells.classes.len();
        // Corners sorted by the first utility, second descending.
        let corners = &self.live;
        if corners.is_empty() {
            return true;
        }
        let reaches = |z: [f64; 2]| {
            let k = corners.partition_point(|c| c[0] <= loosen(z[0]));
            k > 0 && corners.get(k - 1).is_some_and(|c| c[1] <= loosen(z[1]))
        };
        let mut rest = std::mem::take(&mut self.pts);
        rest.clear();
        rest.resize(n + 1 - depth, [0.0, 0.0]);
        for i in (depth..n).rev() {
            let (Some(&from), Some(&to)) = (self.off.get(i), self.off.get(i + 1)) else {
                continue;
            };
            let mut m = [f64::NEG_INFINITY; 2];
            for v in self
                .charged
                .get(table + from..table + to)
                .unwrap_or(&[])
                .chunks_exact(parties)
            {
                m[0] = m[0].max(v.first().copied().unwrap_or(0.0));
                m[1] = m[1].max(v.get(1).copied().unwrap_or(0.0));
            }
            let after = rest.get(i + 1 - depth).copied().unwrap_or([0.0, 0.0]);
            if let Some(x) = rest.get_mut(i - depth) {
                *x = [after[0] + m[0], after[1] + m[1]];
            }
        }
        let mut set = std::mem::take(&mut self.hull);
        let mut next = std::mem::take(&mut self.edges);
        set.clear();
        set.push([self.base(depth, 0), self.base(depth, 1)]);
        let mut gave_up = false;
        for i in depth..n {
            let (Some(&from), Some(&to)) = (self.off.get(i), self.off.get(i + 1)) else {
                continue;
            };
            let after = rest.get(i + 1 - depth).copied().unwrap_or([0.0, 0.0]);
            next.clear();
            for v in self
                .charged
                .get(table + from..table + to)
                .unwrap_or(&[])
                .chunks_exact(parties)
            {
                let p = [
                    v.first().copied().unwrap_or(0.0),
                    v.get(1).copied().unwrap_or(0.0),
                ];
                for s in &set {
                    let q = [s[0] + p[0], s[1] + p[1]];
                    if reaches([q[0] + after[0], q[1] + after[1]]) {
                        next.push(q);
                    }
                }
            }
            // Non-dominated sums: by the first utility descending, keep each
            // that beats every earlier one on the second.
            next.sort_by(|a, b| b[0].total_cmp(&a[0]).then(b[1].total_cmp(&a[1])));
            set.clear();
            let mut best = f64::NEG_INFINITY;
            for &q in &next {
                if q[1] > best {
                    best = q[1];
                    set.push(q);
                }
            }
            if set.len() > TAIL_POINTS {
                gave_up = true;
                break;
            }
            if set.is_empty() {
                break;
            }
        }
        let dominated = !gave_up && set.is_empty();
        self.pts = rest;
        self.hull = set;
        self.edges = next;
        dominated
    }

    /// Groups the classes of the issue at `depth`: two classes are alike at
    /// this node when they give every party the same additive utility and
    /// lie in the same live rectangles (dead ones count for neither).
    fn group_classes(&mut self, depth: usize) {
        let cells = self.cells;
        let ncls = cells.classes.get(depth).map_or(0, Vec::len);
        let my_rects = cells.bounded.get(depth).map_or(&[][..], Vec::as_slice);
        let ins = cells.inside.get(depth).map_or(&[][..], Vec::as_slice);
        let add = cells.add.get(depth).map_or(&[][..], Vec::as_slice);
        let alive = &self.alive;
        let same = |a: usize, b: usize| {
            add.get(a) == add.get(b)
                && my_rects.iter().enumerate().all(|(k, &r)| {
                    !alive.get(r).copied().unwrap_or(false)
                        || ins.get(a).and_then(|x| x.get(k)) == ins.get(b).and_then(|x| x.get(k))
                })
        };
        let mut gid = std::mem::take(&mut self.gid);
        gid.clear();
        let mut reps: Vec<usize> = Vec::new();
        for c in 0..ncls {
            let g = match reps.iter().position(|&r0| same(r0, c)) {
                Some(g) => g,
                None => {
                    reps.push(c);
                    reps.len() - 1
                }
            };
            gid.push(g as u32);
        }
        if let (Some(flat), Some(ranges)) = (
            self.grp_classes.get_mut(depth),
            self.grp_ranges.get_mut(depth),
        ) {
            flat.clear();
            ranges.clear();
            for g in 0..reps.len() {
                let a = flat.len() as u32;
                flat.extend(
                    gid.iter()
                        .enumerate()
                        .filter(|&(_, &x)| x as usize == g)
                        .map(|(c, _)| c as u32),
                );
                ranges.push((a, flat.len() as u32));
            }
        }
        self.gid = gid;
    }

    /// The node's outcomes as classes per issue (the groups searched).
    fn group_cell(&self) -> Vec<Vec<u32>> {
        (0..self.path.len())
            .map(|d| {
                let g = self.chosen.get(d).copied().unwrap_or(0);
                let (a, b) = self
                    .grp_ranges
                    .get(d)
                    .and_then(|x| x.get(g))
                    .copied()
                    .unwrap_or((0, 0));
                self.grp_classes
                    .get(d)
                    .and_then(|x| x.get(a as usize..b as usize))
                    .map_or_else(Vec::new, <[u32]>::to_vec)
            })
            .collect()
    }

    fn set_share(&mut self, at: usize, v: f64) {
        if let Some(x) = self.shares.get_mut(at) {
            self.share_log.push((at, *x));
            *x = v;
        }
    }

    /// One sweep of the coordinate descent of [`optimal_split`] at a node,
    /// on every table split for a weight: each live rectangle with two or
    /// more undecided issues re-splits its utility among them, first into
    /// those where its classes trail the issue's best class (which costs
    /// the bound nothing), evenly past that. Any split bounds, so this only
    /// tightens the node's bounds; the changes are undone with the node's.
    fn improve(&mut self, depth: usize) {
        let cells = self.cells;
        let parties = cells.parties;
        let mut slack = std::mem::take(&mut self.slack);
        for k in 0..self.tables {
            let Some(Some(lam)) = self.lams.get(k).copied() else {
                continue;
            };
            let weights = [lam, 1.0 - lam];
            let table = k * self.table_len;
            for (r, g) in cells.rects.iter().enumerate() {
                if g.utility <= 0.0 || !self.alive.get(r).copied().unwrap_or(false) {
                    continue;
                }
                let ri = cells.rect_issues.get(r).map_or(&[][..], Vec::as_slice);
                let first = ri.iter().position(|(i, _)| *i >= depth).unwrap_or(ri.len());
                if ri.len() < first + 2 {
                    continue;
                }
                let wp = weights.get(g.party).copied().unwrap_or(0.0);
                if wp <= 0.0 {
                    continue;
                }
                let base = k * self.incs + self.inc_off.get(r).copied().unwrap_or(0);
                slack.clear();
                let mut total_share = 0.0;
                for (q, (i, cls)) in ri.iter().enumerate().skip(first) {
                    let own = wp * self.shares.get(base + q).copied().unwrap_or(0.0);
                    total_share += self.shares.get(base + q).copied().unwrap_or(0.0);
                    let (Some(&from), Some(&to)) = (self.off.get(*i), self.off.get(*i + 1)) else {
                        slack.push(0.0);
                        continue;
                    };
                    let row = self.charged.get(table + from..table + to).unwrap_or(&[]);
                    let (mut inside, mut outside) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
                    let mut m = 0;
                    for (c, v) in row.chunks_exact(parties).enumerate() {
                        let x: f64 = v.iter().zip(weights).map(|(a, w)| a * w).sum();
                        if cls.get(m).is_some_and(|&y| y as usize == c) {
                            inside = inside.max(x - own);
                            m += 1;
                        } else {
                            outside = outside.max(x);
                        }
                    }
                    // No class in range: the rectangle never holds, and its
                    // whole share costs nothing there.
                    slack.push(if inside == f64::NEG_INFINITY {
                        f64::INFINITY
                    } else {
                        (outside - inside).max(0.0) / wp
                    });
                }
                let n = slack.len() as f64;
                let total: f64 = slack.iter().sum();
                let never = slack.iter().position(|&x| x == f64::INFINITY);
                for (j, (q, (i, cls))) in ri.iter().enumerate().skip(first).enumerate() {
                    let sl = slack.get(j).copied().unwrap_or(0.0);
                    let new = if let Some(at) = never {
                        if at == j { total_share } else { 0.0 }
                    } else if total >= total_share {
                        if total > 0.0 {
                            total_share * sl / total
                        } else {
                            total_share / n
                        }
                    } else {
                        sl + (total_share - total) / n
                    };
                    let old = self.shares.get(base + q).copied().unwrap_or(0.0);
                    let delta = new - old;
                    if delta.abs() <= 1e-15 {
                        continue;
                    }
                    self.set_share(base + q, new);
                    let Some(&o) = self.off.get(*i) else { continue };
                    for &c in cls {
                        let at = table + o + c as usize * parties + g.party;
                        if let Some(x) = self.charged.get_mut(at) {
                            self.log.push((at, *x));
                            *x += delta;
                        }
                    }
                }
            }
        }
        self.slack = slack;
    }

    /// A rectangle dies at its issue at position `pos`: its shares on its
    /// later issues leave every table.
    fn uncharge(&mut self, r: usize, pos: usize) {
        let cells = self.cells;
        let Some(g) = cells.rects.get(r) else { return };
        if g.last.is_none() || g.utility <= 0.0 {
            return;
        }
        let parties = cells.parties;
        let ri = cells.rect_issues.get(r).map_or(&[][..], Vec::as_slice);
        let base = self.inc_off.get(r).copied().unwrap_or(0);
        for (q, (issue, cls)) in ri.iter().enumerate().skip(pos + 1) {
            let Some(&o) = self.off.get(*issue) else {
                continue;
            };
            for k in 0..self.tables {
                let share = self
                    .shares
                    .get(k * self.incs + base + q)
                    .copied()
                    .unwrap_or(0.0);
                if share == 0.0 {
                    continue;
                }
                let t = k * self.table_len + o;
                for &c in cls {
                    let i = t + c as usize * parties + g.party;
                    if let Some(x) = self.charged.get_mut(i) {
                        self.log.push((i, *x));
                        *x -= share;
                    }
                }
            }
        }
    }

    /// The loosened, clipped per-party bound: the smaller of the plain one
    /// and the per-issue one.
    fn party_bound(&self, depth: usize, p: usize) -> f64 {
        let plain = self.bound_at(depth, p, true);
        let mut w = vec![0.0; self.cells.parties];
        if let Some(x) = w.get_mut(p) {
            *x = 1.0;
        }
        let charged = (0..self.tables)
            .map(|k| self.charged_bound(depth, k * self.table_len, &w))
            .fold(f64::INFINITY, f64::min);
        let b = clip_if(self.cells.clip.get(p).copied().unwrap_or(false), charged);
        loosen(plain.min(b))
    }

    /// The first outcome of the current cell, in the domain's issue order.
    fn representative(&self) -> Vec<usize> {
        let mut rep = vec![0usize; self.perm.len()];
        for (k, &c) in self.path.iter().enumerate() {
            let v = self
                .cells
                .classes
                .get(k)
                .and_then(|x| x.get(c as usize))
                .and_then(|m| m.first())
                .copied()
                .unwrap_or(0);
            if let Some(x) = self.perm.get(k).and_then(|&i| rep.get_mut(i)) {
                *x = v;
            }
        }
        rep
    }

    fn leaf(&mut self, depth: usize, count: u128) {
        match self.goal {
            Goal::Min(p) => {
                let scale = self.cells.scale.get(p).copied().unwrap_or(1.0);
                let u = self.get(depth, ADD, p) + self.get(depth, HYPER, p) / scale;
                let u = clip_if(self.cells.clip.get(p).copied().unwrap_or(false), u);
                self.best_min = self.best_min.min(u);
            }
            Goal::Weighted(l) => {
                let rep = self.representative();
                let u = self.domain.utilities(&rep);
                let v = l * u.first().copied().unwrap_or(0.0)
                    + (1.0 - l) * u.get(1).copied().unwrap_or(0.0);
                if v > self.best_weighted.0 {
                    self.best_weighted = (v, rep);
                }
            }
            Goal::Frontier => {
                // Exact utilities of a representative outcome, evaluated the
                // way every other part of the crate evaluates them.
                let rep = self.representative();
                let u = self.domain.utilities(&rep);
                let before = self.archive.points.len();
                let mut archive = std::mem::replace(&mut self.archive, Archive::new(0, 0.0));
                archive.offer(&u, count, || self.group_cell());
                self.archive = archive;
                // Any change of the set (a new point or one dropped) moves
                // the corners; a count added to a known point does not.
                if self.archive.points.len() != before
                    || self.archive.points.last().is_some_and(|x| x.0 == u)
                {
                    self.archive_version += 1;
                }
            }
        }
    }
}

/// Weights `λ` of party 0 (party 1 gets `1 − λ`) whose optimal splits
/// become charge tables of a two-party frontier search.
const SPLIT_WEIGHTS: [f64; 7] = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95];

/// Coordinate-descent sweeps per split (the bound converges in ~50 on
/// ANAC 2014's domains).
const SPLIT_SWEEPS: usize = 60;

/// The charge tables' splits: `(inc_off, incs, tables, shares, weights)`.
/// `shares[k * incs + inc_off[r] + q]` is table `k`'s share of positive
/// rectangle `r`'s scaled utility on its `q`-th issue; each rectangle's
/// shares sum to its utility, so every table bounds every outcome. Table 0
/// puts it all on the rectangle's last issue, table 1 on its first; two-party
/// frontier searches add one table per weight of [`SPLIT_WEIGHTS`], split
/// to minimise that weighted sum's per-issue bound at the root.
fn split_tables(cells: &Cells, goal: Goal) -> (Vec<usize>, usize, usize, Vec<f64>, Vec<f64>) {
    let mut inc_off = Vec::with_capacity(cells.rect_issues.len());
    let mut incs = 0;
    for ri in &cells.rect_issues {
        inc_off.push(incs);
        incs += ri.len();
    }
    let lams: Vec<f64> = if cells.parties == 2 && matches!(goal, Goal::Frontier | Goal::Weighted(_))
    {
        SPLIT_WEIGHTS.to_vec()
    } else {
        Vec::new()
    };
    let tables = 2 + lams.len();
    let mut shares = vec![0.0; tables * incs];
    let mut set = |k: usize, r: usize, q: usize, v: f64| {
        let o = inc_off.get(r).copied().unwrap_or(0);
        if let Some(x) = shares.get_mut(k * incs + o + q) {
            *x = v;
        }
    };
    for (r, g) in cells.rects.iter().enumerate() {
        let len = cells.rect_issues.get(r).map_or(0, Vec::len);
        if len == 0 || g.utility <= 0.0 {
            continue;
        }
        let w = g.utility / cells.scale.get(g.party).copied().unwrap_or(1.0);
        set(0, r, len - 1, w);
        set(1, r, 0, w);
    }
    for (t, &l) in lams.iter().enumerate() {
        let frac = optimal_split(cells, [l, 1.0 - l], &inc_off, incs);
        for (r, g) in cells.rects.iter().enumerate() {
            let len = cells.rect_issues.get(r).map_or(0, Vec::len);
            if len == 0 || g.utility <= 0.0 {
                continue;
            }
            let w = g.utility / cells.scale.get(g.party).copied().unwrap_or(1.0);
            let o = inc_off.get(r).copied().unwrap_or(0);
            let mut given = 0.0;
            for q in 0..len {
                // The last share takes the rest, so the shares sum to `w`
                // (never less: a negative rest is dropped).
                let v = if q + 1 == len {
                    (w - given).max(0.0)
                } else {
                    frac.get(o + q).copied().unwrap_or(0.0) * w
                };
                given += v;
                set(t + 2, r, q, v);
            }
        }
    }
    (inc_off, incs, tables, shares, lams)
}

/// The split of each positive rectangle's weighted utility among its
/// issues that minimises the per-issue bound of `lam[0]·u0 + lam[1]·u1`
/// (the sum over issues of each issue's best class), by coordinate descent:
/// each rectangle in turn is re-split optimally given the others (first
/// into the issues where its classes trail the best class, evenly past
/// that). On ANAC 2014's domains this reaches the linear relaxation's
/// optimum, which equals the true maximum there. Returns each share as a
/// fraction of its rectangle's weight (indexed like `shares`).
fn optimal_split(cells: &Cells, lam: [f64; 2], inc_off: &[usize], incs: usize) -> Vec<f64> {
    let mut t: Vec<Vec<f64>> = cells
        .add
        .iter()
        .map(|cls| {
            cls.iter()
                .map(|a| a.iter().zip(lam).map(|(x, l)| x * l).sum())
                .collect()
        })
        .collect();
    let weight = |g: &GRect| {
        lam.get(g.party).copied().unwrap_or(0.0) * g.utility
            / cells.scale.get(g.party).copied().unwrap_or(1.0)
    };
    let live: Vec<usize> = (0..cells.rects.len())
        .filter(|&r| {
            cells.rects.get(r).is_some_and(|g| g.utility > 0.0)
                && cells
                    .rect_issues
                    .get(r)
                    .is_some_and(|ri| !ri.is_empty() && ri.iter().all(|(_, c)| !c.is_empty()))
        })
        .collect();
    let mut alpha = vec![0.0; incs];
    let apply = |t: &mut Vec<Vec<f64>>, alpha: &[f64], r: usize, sign: f64| {
        let o = inc_off.get(r).copied().unwrap_or(0);
        for (q, (i, cls)) in cells
            .rect_issues
            .get(r)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let a = alpha.get(o + q).copied().unwrap_or(0.0) * sign;
            if let Some(row) = t.get_mut(*i) {
                for &c in cls {
                    if let Some(x) = row.get_mut(c as usize) {
                        *x += a;
                    }
                }
            }
        }
    };
    for &r in &live {
        let (Some(g), Some(ri)) = (cells.rects.get(r), cells.rect_issues.get(r)) else {
            continue;
        };
        let o = inc_off.get(r).copied().unwrap_or(0);
        let w = weight(g);
        for q in 0..ri.len() {
            if let Some(x) = alpha.get_mut(o + q) {
                *x = w / ri.len() as f64;
            }
        }
        apply(&mut t, &alpha, r, 1.0);
    }
    let mut slack = Vec::new();
    for _ in 0..SPLIT_SWEEPS {
        for &r in &live {
            let (Some(g), Some(ri)) = (cells.rects.get(r), cells.rect_issues.get(r)) else {
                continue;
            };
            let o = inc_off.get(r).copied().unwrap_or(0);
            let w = weight(g);
            apply(&mut t, &alpha, r, -1.0);
            slack.clear();
            for (i, cls) in ri {
                let row = t.get(*i).map_or(&[][..], Vec::as_slice);
                let (mut inside, mut outside) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
                let mut k = 0;
                for (c, &x) in row.iter().enumerate() {
                    if cls.get(k).is_some_and(|&m| m as usize == c) {
                        inside = inside.max(x);
                        k += 1;
                    } else {
                        outside = outside.max(x);
                    }
                }
                slack.push((outside - inside).max(0.0));
            }
            let total: f64 = slack.iter().sum();
            let n = ri.len() as f64;
            for (q, &sl) in slack.iter().enumerate() {
                let a = if total >= w {
                    if total > 0.0 { w * sl / total } else { w / n }
                } else {
                    sl + (w - total) / n
                };
                if let Some(x) = alpha.get_mut(o + q) {
                    *x = a;
                }
            }
            apply(&mut t, &alpha, r, 1.0);
        }
    }
    let mut frac = vec![0.0; incs];
    for &r in &live {
        let (Some(g), Some(ri)) = (cells.rects.get(r), cells.rect_issues.get(r)) else {
            continue;
        };
        let o = inc_off.get(r).copied().unwrap_or(0);
        let w = weight(g);
        for q in 0..ri.len() {
            if let (Some(x), Some(&a)) = (frac.get_mut(o + q), alpha.get(o + q)) {
                *x = if w > 0.0 {
                    a / w
                } else {
                    1.0 / ri.len() as f64
                };
            }
        }
    }
    // A rectangle no outcome can satisfy keeps an even split.
    for (r, ri) in cells.rect_issues.iter().enumerate() {
        if !live.contains(&r) {
            let o = inc_off.get(r).copied().unwrap_or(0);
            for q in 0..ri.len() {
                if let Some(x) = frac.get_mut(o + q) {
                    *x = 1.0 / ri.len() as f64;
                }
            }
        }
    }
    frac
}

/// An order of the issues for the branch and bound, and the domain with its
/// issues in that order: each next issue is the one whose rectangles (by
/// utility, shared among their issues not yet placed) it would most help
/// decide, so the issues most rectangles bound come first and rectangles are
/// decided early. Returns `(permuted domain, perm)` with `perm[k]` the
/// original issue of the new issue `k`.
pub(crate) fn ordered(domain: &Domain) -> (Domain, Vec<usize>) {
    let n = domain.issues.len();
    let mut rects: Vec<(f64, Vec<usize>)> = Vec::new();
    for party in &domain.parties {
        if let Utility::HyperRectangles(h) = &party.utility {
            let scale = if h.scale > 0.0 { h.scale } else { 1.0 };
            for r in &h.rects {
                let mut issues: Vec<usize> = r.includes.iter().map(|x| x.0).collect();
                issues.sort_unstable();
                issues.dedup();
                rects.push((r.utility.abs() / scale, issues));
            }
        }
    }
    let mut placed = vec![false; n];
    let mut perm = Vec::with_capacity(n);
    for _ in 0..n {
        let mut score = vec![0.0; n];
        for (u, issues) in &rects {
            let open = issues
                .iter()
                .filter(|&&i| !placed.get(i).copied().unwrap_or(true))
                .count();
            if open == 0 {
                continue;
            }
            for &i in issues {
                if let Some(x) = score.get_mut(i) {
                    *x += u / open as f64;
                }
            }
        }
        let mut best: Option<usize> = None;
        for i in 0..n {
            if placed.get(i).copied().unwrap_or(true) {
                continue;
            }
            if best.is_none_or(|b| score.get(i) > score.get(b)) {
                best = Some(i);
            }
        }
        let Some(b) = best else { break };
        if let Some(x) = placed.get_mut(b) {
            *x = true;
        }
        perm.push(b);
    }
    let mut new_of = vec![0usize; n];
    for (k, &i) in perm.iter().enumerate() {
        if let Some(x) = new_of.get_mut(i) {
            *x = k;
        }
    }
    let mut d = domain.clone();
    d.issues = perm
        .iter()
        .filter_map(|&i| domain.issues.get(i).cloned())
        .collect();
    for party in &mut d.parties {
        match &mut party.utility {
            Utility::Additive(a) => {
                let tables = std::mem::take(&mut a.tables);
                a.tables = perm
                    .iter()
                    .filter_map(|&i| tables.get(i).cloned())
                    .collect();
            }
            Utility::HyperRectangles(h) => {
                for r in &mut h.rects {
                    for inc in &mut r.includes {
                        inc.0 = new_of.get(inc.0).copied().unwrap_or(inc.0);
                    }
                }
            }
        }
    }
    (d, perm)
}
