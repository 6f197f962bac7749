//! The analysis itself: the frontier (merged per-issue frontiers for
//! additive utilities, branch and bound over cells otherwise), then the
//! solutions on it.

use super::analysis::{
    Analysis, AnalyzeOptions, DisagreementPoint, FrontierOutcome, Point, TiedValues,
};
use super::{archive, cells, merge, solutions};
use crate::domain::{Domain, Utility};

/// A frontier before solutions: distinct vectors with counts and up to
/// `limit` outcomes each.
struct Frontier {
    points: Vec<FrontierPoint>,
    exact: bool,
    method: String,
    unexamined_bound: Option<Vec<f64>>,
    /// Two parties, a stopped search: the proven distance (per utility) by
    /// which the true frontier may lie beyond the listed points.
    gap: Option<f64>,
    dropped: usize,
    maxima: Vec<f64>,
    minima: Vec<f64>,
    notes: Vec<String>,
}

/// One distinct frontier vector: utilities, number of outcomes, listed
/// outcomes and the summary of its ties.
struct FrontierPoint {
    u: Vec<f64>,
    count: u128,
    outcomes: Vec<Vec<usize>>,
    tied: Option<(Vec<Vec<usize>>, bool)>,
}

impl archive::HasUtilities for FrontierPoint {
    fn utilities(&self) -> &[f64] {
        &self.u
    }
}

/// Analyses a domain.
///
/// ```
/// use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};
/// let files = DomainFiles { files: vec![
///     ("d.json".into(), r#"{"name":"d","issuesValues":{"price":{"values":["low","high"]}}}"#.into()),
///     ("a.json".into(), r#"{"LinearAdditiveUtilitySpace":{"issueWeights":{"price":1},
///         "issueUtilities":{"price":{"DiscreteValueSetUtilities":{"valueUtilities":{"low":1,"high":0}}}}}}"#.into()),
///     ("b.json".into(), r#"{"LinearAdditiveUtilitySpace":{"issueWeights":{"price":1},
///         "issueUtilities":{"price":{"DiscreteValueSetUtilities":{"valueUtilities":{"low":0,"high":1}}}}}}"#.into()),
/// ]};
/// let domain = read_domain(&files, &ReadOptions::default()).unwrap();
/// let analysis = analyze(&domain, &AnalyzeOptions::default());
/// assert_eq!(analysis.outcomes, 2);
/// assert_eq!(analysis.pareto.len(), 2);
/// ```
pub fn analyze(domain: &Domain, opts: &AnalyzeOptions) -> Analysis {
    let frontier = frontier(domain, opts);
    let reservation: Vec<f64> = domain.parties.iter().map(|p| p.reservation).collect();
    let mut notes = domain.notes.clone();
    notes.extend(frontier.notes.iter().cloned());
    let pareto_outcomes = frontier
        .points
        .iter()
        .fold(0u128, |n, p| n.saturating_add(p.count));
    let listed: usize = frontier.points.iter().map(|p| p.outcomes.len()).sum();
    let pareto: Vec<FrontierOutcome> = frontier
        .points
        .iter()
        .flat_map(|p| {
            let rational = solutions::rational(&p.u, &reservation);
            let tied = p.tied.as_ref().map(|(values, complete)| TiedValues {
                values: values
                    .iter()
                    .zip(&domain.issues)
                    .map(|(vs, issue)| {
                        vs.iter()
                            .filter_map(|&v| issue.values.get(v).cloned())
                            .collect()
                    })
                    .collect(),
                complete: *complete,
            });
            p.outcomes
                .iter()
                .enumerate()
                .map(move |(k, o)| FrontierOutcome {
                    outcome: domain.outcome_values(o),
                    utilities: p.u.clone(),
                    rational,
                    ties: p.count,
                    tied_values: if k == 0 { tied.clone() } else { None },
                })
        })
        .collect();
    let solve_points: Vec<(Vec<f64>, u128, ())> = frontier
        .points
        .iter()
        .map(|p| (p.u.clone(), p.count, ()))
        .collect();
    let sol = solutions::solve(
        &solve_points,
        &reservation,
        &frontier.minima,
        &frontier.maxima,
        opts.disagreement,
    );
    let point = |k: Option<usize>| {
        k.and_then(|k| frontier.points.get(k)).map(|p| Point {
            outcome: p
                .outcomes
                .first()
                .map(|o| domain.outcome_values(o))
                .unwrap_or_default(),
            utilities: p.u.clone(),
        })
    };
    let kalai = point(sol.kalai);
    let outcomes_log10: f64 = domain
        .issues
        .iter()
        .map(|i| (i.values.len() as f64).log10())
        .sum();
    let opposition_anl = kalai.as_ref().map(|k| {
        k.utilities
            .iter()
            .map(|u| (1.0 - u) * (1.0 - u))
            .sum::<f64>()
            .sqrt()
    });
    Analysis {
        domain: domain.name.clone(),
        format: domain.format,
        reading: domain.reading,
        issues: domain.issues.iter().map(|i| i.name.clone()).collect(),
        parties: domain.parties.iter().map(|p| p.name.clone()).collect(),
        outcomes: domain.outcome_count(),
        outcomes_json: (domain.outcome_count(), outcomes_log10),
        outcomes_log10,
        exact: frontier.exact,
        unexamined_bound: frontier.unexamined_bound.clone(),
        unexamined_gap: frontier.gap,
        method: frontier.method,
        tolerance: opts.tolerance,
        reservation,
        discount: domain.parties.iter().map(|p| p.discount).collect(),
        utility_ranges: frontier
            .minima
            .iter()
            .zip(&frontier.maxima)
            .map(|(&lo, &hi)| [lo, hi])
            .collect(),
        pareto_points: frontier.points.len(),
        pareto_outcomes,
        pareto_complete: frontier.exact && listed as u128 == pareto_outcomes,
        pareto,
        disagreement: DisagreementPoint {
            definition: opts.disagreement,
            utilities: sol.disagreement,
        },
        nash: point(sol.nash),
        kalai,
        pareto_definition: "GENIUS (BidSpace): every outcome counts, ties kept, reservation \
                            values ignored (each point flags `rational`); dominance within \
                            `tolerance`",
        nash_definition: "rational frontier point maximising the product of gains over \
                          `disagreement` (GENIUS BidSpace.getNash with reservation values)",
        kalai_definition: "GENIUS: rational Pareto point minimising the spread of utilities \
                           (|u0 - u1| for two parties)",
        kalai_maxmin: point(sol.kalai_maxmin),
        max_welfare: point(sol.max_welfare),
        opposition: sol.opposition,
        opposition_anl,
        opposition_definition: "opposition: NegMAS opposition_level (distance from (1, ..., 1) \
                                to the nearest rational outcome, utilities divided by each \
                                party's maximum); opposition_anl: ANL 2023 specials.json \
                                (distance from the GENIUS Kalai point to (1, ..., 1))",
        notes,
        // Measured by the caller: a core crate reads no clock.
        seconds: 0.0,
    }
}

fn frontier(domain: &Domain, opts: &AnalyzeOptions) -> Frontier {
    let additive: Option<Vec<&[Vec<f64>]>> = domain
        .parties
        .iter()
        .map(|p| match &p.utility {
            Utility::Additive(a) => Some(a.tables.as_slice()),
            Utility::HyperRectangles(_) => None,
        })
        .collect();
    let mut f = match additive {
        Some(tables) if !tables.is_empty() => additive_frontier(domain, &tables, opts),
        Some(_) => Frontier {
            points: Vec::new(),
            exact: true,
            method: "no parties".into(),
            unexamined_bound: None,
            gap: None,
            dropped: 0,
            maxima: Vec::new(),
            minima: Vec::new(),
            notes: Vec::new(),
        },
        None => cell_frontier(domain, opts),
    };
    apply_tolerance(&mut f, opts.tolerance);
    f
}

/// Drops the points that another frontier point dominates by more than the
/// tolerance: the searches prune against the points they know, so a chain of
/// near-ties (x within the tolerance of y, y of z) can leave one behind.
fn apply_tolerance(f: &mut Frontier, tolerance: f64) {
    if tolerance <= 0.0 || f.points.len() < 2 {
        return;
    }
    let keep = archive::tolerant(&f.points, tolerance);
    let before = f.points.len();
    let mut k = keep.into_iter();
    f.points.retain(|_| k.next().unwrap_or(true));
    f.dropped = before - f.points.len();
}

fn list_budget(points: usize, limit: usize) -> usize {
    // Every point gets one outcome; the rest of the budget goes to ties.
    limit.saturating_sub(points)
}

fn additive_frontier(domain: &Domain, tables: &[&[Vec<f64>]], opts: &AnalyzeOptions) -> Frontier {
    let clip: Vec<bool> = domain.parties.iter().map(|p| p.utility.clips()).collect();
    let parties = tables.len();
    let m = merge::merge(
        tables,
        &clip,
        domain.issues.len(),
        opts.max_frontier_points.max(1),
        opts.tolerance.max(0.0),
    );
    let nodes = m.frontier();
    // The last level holds unclipped sums; clipping at 1 may make some of
    // them equal (ties) or dominated.
    let clipped: Vec<f64> = nodes
        .iter()
        .flat_map(|n| {
            n.u.iter()
                .zip(&clip)
                .map(|(&u, &c)| crate::domain::clip_if(c, u))
        })
        .collect();
    let eps = opts.tolerance.max(0.0);
    let groups = archive::non_dominated(&clipped, parties, eps, eps);
    let mut extra = if opts.list_ties {
        list_budget(groups.len(), opts.max_listed_outcomes)
    } else {
        0
    };
    let points = groups
        .iter()
        .map(|g| {
            let first = g.first().copied().unwrap_or(0);
            let u = clipped
                .get(first * parties..(first + 1) * parties)
                .unwrap_or(&[])
                .to_vec();
            let count = g.iter().fold(0u128, |c, &k| {
                c.saturating_add(nodes.get(k).map_or(0, |n| n.count))
            });
            let mut outcomes = Vec::new();
            let cap = 1 + extra;
            for &k in g {
                if outcomes.len() >= cap {
                    break;
                }
                outcomes.extend(m.outcomes(k, cap - outcomes.len()));
            }
            extra = extra.saturating_sub(outcomes.len().saturating_sub(1));
            let tied = (count > 1 && !opts.list_ties).then(|| (m.tied_values(g), true));
            FrontierPoint {
                u,
                count,
                outcomes,
                tied,
            }
        })
        .collect();
    let (minima, maxima) = domain
        .parties
        .iter()
        .map(|p| match &p.utility {
            Utility::Additive(a) => a.range(),
            Utility::HyperRectangles(_) => (f64::NAN, f64::NAN),
        })
        .unzip();
    let mut notes = Vec::new();
    if m.thinned {
        notes.push(format!(
            "a merge step exceeded {} frontier points or 8,000,000 candidate sums; it was \
             thinned evenly, so the frontier is not exact: it lists outcomes that no kept outcome \
             dominates",
            opts.max_frontier_points
        ));
    }
    Frontier {
        points,
        exact: !m.thinned,
        unexamined_bound: None,
        gap: None,
        method: if m.thinned {
            "per-issue frontier merge, thinned (approximate)".into()
        } else {
            "per-issue frontier merge (exact, no enumeration)".into()
        },
        dropped: 0,
        maxima,
        minima,
        notes,
    }
}

fn cell_frontier(domain: &Domain, opts: &AnalyzeOptions) -> Frontier {
    // The search runs over the issues in its own order; outcomes are
    // evaluated, listed and summarised in the domain's.
    let (ordered, perm) = cells::ordered(domain);
    let Some(cells) = cells::Cells::new(&ordered) else {
        return Frontier {
            points: Vec::new(),
            exact: false,
            method: "none (too many rectangle bounds to index)".into(),
            unexamined_bound: None,
            gap: None,
            dropped: 0,
            maxima: vec![f64::NAN; domain.parties.len()],
            minima: vec![f64::NAN; domain.parties.len()],
            notes: vec![format!(
                "the hyper-rectangle profiles bound more than {} (value, rectangle) pairs; \
                 not analysed",
                cells::MAX_CLASS_FLAGS
            )],
        };
    };
    let keep = if opts.list_ties {
        opts.max_listed_outcomes.max(1)
    } else {
        TIE_WITNESSES
    };
    let mut seeds = if domain.parties.len() == 2 {
        local_optima(domain)
    } else {
        Vec::new()
    };
    if domain.parties.len() == 2 {
        // The exact optimum of each weighted sum (a short branch and bound
        // each: the split tables make these bounds tight): the frontier's
        // supported points, its extremes among them, before the search.
        for l in WEIGHTED_SEEDS {
            let s = cells::Search::run_seeded(
                &cells,
                domain,
                perm.clone(),
                cells::Goal::Weighted(l),
                1,
                WEIGHTED_SEED_NODES,
                0.0,
                &[],
            );
            if !s.best_weighted.1.is_empty() {
                seeds.push(s.best_weighted.1);
            }
        }
    }
    let search = cells::Search::run_seeded(
        &cells,
        domain,
        perm.clone(),
        cells::Goal::Frontier,
        keep,
        opts.max_search_nodes,
        opts.tolerance.max(0.0),
        &seeds,
    );
    let frontier_complete = search.complete;
    let mut exact = search.complete;
    let mut points: Vec<CellPoint> = search.archive.points;
    for (u, count, witnesses) in &mut points {
        if *count == 0 {
            // A seed the stopped search never reached: its own cell.
            if let Some((_, cell)) = search.seed_cells.iter().find(|(v, _)| v == u) {
                *witnesses = vec![cell.clone()];
            }
            *count = witnesses
                .iter()
                .fold(0u128, |n, w| n.saturating_add(cells.size(w)));
        }
    }
    points.sort_by(|a, b| archive::lex_desc(&a.0, &b.0));
    let parties = domain.parties.len();
    let unexamined_bound = (!frontier_complete).then(|| search.unexplored.clone());
    let gap = unexamined_bound
        .as_ref()
        .filter(|_| parties == 2)
        .map(|_| search.gap);
    let maxima: Vec<f64> = (0..parties)
        .map(|p| {
            points
                .iter()
                .filter_map(|x| x.0.get(p))
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let minima: Vec<f64> = (0..parties)
        .map(|p| {
            // One party's own classes are coarser than the joint ones, so
            // its minimum is searched on a domain holding that party alone.
            let mut alone = domain.clone();
            alone.parties = domain.parties.get(p).cloned().into_iter().collect();
            // The minimum does not depend on the order of the issues.
            let (alone, _) = cells::ordered(&alone);
            let Some(own) = cells::Cells::new(&alone) else {
                exact = false;
                return f64::NAN;
            };
            let s = cells::Search::run(
                &own,
                &alone,
                cells::Goal::Min(0),
                1,
                opts.max_search_nodes,
                0.0,
            );
            exact &= s.complete;
            s.best_min
        })
        .collect();
    let mut extra = if opts.list_ties {
        list_budget(points.len(), opts.max_listed_outcomes)
    } else {
        0
    };
    let points = points
        .into_iter()
        .map(|(u, count, witnesses)| {
            let cap = 1 + extra;
            let mut outs = Vec::new();
            for w in &witnesses {
                if outs.len() >= cap {
                    break;
                }
                outs.extend(
                    cells
                        .expand(w, cap - outs.len())
                        .into_iter()
                        .map(|o| unpermute(&o, &perm)),
                );
            }
            extra = extra.saturating_sub(outs.len().saturating_sub(1));
            let tied = (count > 1 && !opts.list_ties).then(|| {
                let seen: u128 = witnesses
                    .iter()
                    .fold(0u128, |n, w| n.saturating_add(cells.size(w)));
                (
                    unpermute(&cells.values_of(&witnesses, domain.issues.len()), &perm),
                    seen == count,
                )
            });
            FrontierPoint {
                u,
                count,
                outcomes: outs,
                tied,
            }
        })
        .collect();
    let mut notes = vec![format!(
        "non-additive utilities: searched {} cells of equivalent values ({} search nodes) instead of the outcomes",
        cells.count(),
        search.visited
    )];
    if let Some(b) = &unexamined_bound {
        let b: Vec<String> = b.iter().map(|x| format!("{x:.6}")).collect();
        notes.push(format!(
            "the search stopped at its limit of {} nodes: the points listed are real outcomes \
             that no outcome found dominates, and no outcome left unexamined is worth more than \
             ({}) to the parties; the true frontier lies between",
            opts.max_search_nodes,
            b.join(", ")
        ));
        if let Some(g) = gap {
            notes.push(format!(
                "proven gap {g:.6}: no outcome is better than the listed points by more than \
                 {g:.6} for both parties at once (bounds on every weighted sum of the utilities \
                 over the subtrees left unexamined)"
            ));
        }
    } else if !exact {
        notes.push(format!(
            "a party's lowest utility was not found within {} search nodes; its range is a bound",
            opts.max_search_nodes
        ));
    }
    Frontier {
        points,
        exact,
        unexamined_bound,
        gap,
        method: if frontier_complete {
            "branch and bound over cells of equivalent values (exact)".into()
        } else {
            "branch and bound over cells of equivalent values, stopped at its node limit \
             (not exact)"
                .into()
        },
        dropped: 0,
        maxima,
        minima,
        notes,
    }
}

/// A frontier point of the cell search: utilities, outcome count, witness
/// cells.
type CellPoint = (Vec<f64>, u128, Vec<Vec<Vec<u32>>>);

/// Weights `λ` of the weighted sums whose optima seed a two-party search.
const WEIGHTED_SEEDS: [f64; 9] = [0.001, 0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 0.999];

/// Node limit of each weighted-sum seed search (a stopped one still offers
/// the best outcome it found).
const WEIGHTED_SEED_NODES: u64 = 20_000;

/// Cells kept per frontier point to summarise its ties when they are not
/// listed.
const TIE_WITNESSES: usize = 256;

/// Local optima of weighted sums `λ·u0 + (1−λ)·u1` (two parties), found by
/// coordinate ascent from a few deterministic starts and then by iterated
/// local search (a few issues redrawn, ascent again, kept when better):
/// real outcomes near the frontier that let the branch and bound prune from
/// its first node. They change only how fast the search ends, never what it
/// finds.
fn local_optima(domain: &Domain) -> Vec<Vec<usize>> {
    const WEIGHTS: usize = 24;
    const STARTS: usize = 3;
    const KICKS: usize = 12;
    let sizes: Vec<usize> = domain.issues.iter().map(|i| i.values.len()).collect();
    if sizes.contains(&0) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((x >> 33) as usize) % n.max(1)
    };
    for k in 0..=WEIGHTS {
        // Never exactly 0 or 1: ties in one utility are broken by the other.
        let l = 0.002 + 0.996 * k as f64 / WEIGHTS as f64;
        let score = |o: &[usize]| {
            let u = domain.utilities(o);
            l * u.first().copied().unwrap_or(0.0) + (1.0 - l) * u.get(1).copied().unwrap_or(0.0)
        };
        let mut best: Option<(f64, Vec<usize>)> = None;
        for start in 0..STARTS + KICKS {
            let mut o: Vec<usize> = match (&best, start) {
                (Some((_, b)), s) if s >= STARTS => {
                    let mut o = b.clone();
                    for _ in 0..3 {
                        let i = next(sizes.len());
                        if let (Some(slot), Some(&n)) = (o.get_mut(i), sizes.get(i)) {
                            *slot = next(n);
                        }
                    }
                    o
                }
                (_, 0) => vec![0; sizes.len()],
                _ => sizes.iter().map(|&n| next(n)).collect(),
            };
            let s = ascend(&mut o, &sizes, &score);
            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                best = Some((s, o.clone()));
            }
            out.push(o);
        }
    }
    out
}

/// Coordinate ascent: each issue in turn set to its best value, until a
/// sweep improves nothing (at most 20 sweeps). Returns the final score.
fn ascend(o: &mut [usize], sizes: &[usize], score: &dyn Fn(&[usize]) -> f64) -> f64 {
    let mut best = score(o);
    for _ in 0..20 {
        let mut improved = false;
        for (i, &n) in sizes.iter().enumerate() {
            let keep = o.get(i).copied().unwrap_or(0);
            let mut arg = keep;
            for v in 0..n {
                if v == keep {
                    continue;
                }
                if let Some(slot) = o.get_mut(i) {
                    *slot = v;
                }
                let s = score(o);
                if s > best {
                    best = s;
                    arg = v;
                    improved = true;
                }
            }
            if let Some(slot) = o.get_mut(i) {
                *slot = arg;
            }
        }
        if !improved {
            break;
        }
    }
    best
}

/// Puts per-issue items in the cells' issue order back in the domain's:
/// `perm[k]` is the domain issue of item `k`.
fn unpermute<T: Clone + Default>(items: &[T], perm: &[usize]) -> Vec<T> {
    let mut out = vec![T::default(); items.len()];
    for (k, x) in items.iter().enumerate() {
        if let Some(slot) = perm.get(k).and_then(|&i| out.get_mut(i)) {
            *slot = x.clone();
        }
    }
    out
}
