//! Analytics of a domain: outcome count, exact Pareto frontier, Nash, Kalai
//! and max-welfare points, opposition and utility ranges.

mod archive;
mod cells;
mod merge;
mod render;
mod solutions;
mod svg;

use serde::Serialize;

use crate::domain::{Domain, Format, Reading, Utility};

pub use render::render_text;
pub use svg::{Cloud, outcome_cloud, render_svg, render_trajectory_svg};

/// The disagreement point of the Nash product and the max-min Kalai point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disagreement {
    /// Each party's reservation value (GENIUS `BidSpace.getNash`).
    #[default]
    Reservation,
    /// Each party's reservation value or its lowest utility, whichever is
    /// larger (NegMAS 0.16.0 `nash_points`, `kalai_points`).
    ReservationOrWorst,
}

/// Options for [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeOptions {
    /// Disagreement point of the Nash and max-min Kalai solutions.
    pub disagreement: Disagreement,
    /// Most outcomes listed in `pareto` (every frontier point is listed once
    /// before tied outcomes are added; counts stay exact).
    pub max_listed_outcomes: usize,
    /// Most distinct points kept per merge step; beyond it the frontier is
    /// thinned evenly and the analysis says it is not exact.
    pub max_frontier_points: usize,
    /// Most search nodes for non-additive utilities; beyond it the search
    /// stops and the analysis says it is not exact.
    pub max_search_nodes: u64,
    /// List every tied outcome of a frontier point in `pareto` (up to
    /// `max_listed_outcomes`); otherwise each point lists one outcome and
    /// summarises its ties in `tied_values`.
    pub list_ties: bool,
    /// Utilities closer than this are not told apart when dominance is
    /// decided: a point is dropped from the frontier when another is at
    /// least as good minus the tolerance for every party and better by more
    /// than the tolerance for one.
    pub tolerance: f64,
}

/// The default [`AnalyzeOptions::tolerance`]: far above the rounding of a
/// sum of a few hundred terms in [0, 1] (about 1e-14), far below any
/// difference a profile written with 8 decimals can make.
pub const DOMINANCE_TOLERANCE: f64 = 1e-9;

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            disagreement: Disagreement::Reservation,
            max_listed_outcomes: 10_000,
            max_frontier_points: 1_000_000,
            max_search_nodes: 20_000_000,
            list_ties: false,
            tolerance: DOMINANCE_TOLERANCE,
        }
    }
}

/// An outcome and every party's utility of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Values as strings, in issue order.
    pub outcome: Vec<String>,
    /// Utilities in party order.
    pub utilities: Vec<f64>,
}

/// One outcome on the Pareto frontier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontierOutcome {
    /// Values as strings, in issue order.
    pub outcome: Vec<String>,
    /// Utilities in party order.
    pub utilities: Vec<f64>,
    /// Every party gets at least its reservation value.
    pub rational: bool,
    /// How many outcomes share these utilities (this one included).
    #[serde(serialize_with = "count")]
    pub ties: u128,
    /// When ties are summarised rather than listed (the first listed outcome
    /// of a point with ties only): the values each issue takes among the tied
    /// outcomes, in issue order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tied_values: Option<TiedValues>,
}

/// The values each issue takes among the outcomes tied at one frontier
/// point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TiedValues {
    /// `values[issue]`: the values of that issue among the tied outcomes.
    pub values: Vec<Vec<String>>,
    /// Every tied outcome was seen (false when a search kept only some of
    /// them as witnesses).
    pub complete: bool,
}

/// A solution point, with the definition used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisagreementPoint {
    /// Which disagreement point.
    pub definition: Disagreement,
    /// Its utilities, in party order.
    pub utilities: Vec<f64>,
}

/// The result of [`analyze`]. The fields `outcomes`, `pareto`, `nash`,
/// `kalai`, `max_welfare` and `seconds` are the JSON contract of
/// `truce analyze --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Domain name.
    pub domain: String,
    /// File format.
    pub format: Format,
    /// Reading of GENIUS numbers.
    pub reading: Reading,
    /// Issue names, in the order of outcome values.
    pub issues: Vec<String>,
    /// Party (profile) names, in the order of utilities.
    pub parties: Vec<String>,
    /// Number of outcomes, saturating at `u128::MAX` (see `outcomes_log10`).
    #[serde(skip)]
    pub outcomes: u128,
    /// `outcomes` in JSON: an integer below 2^64, past it a float (from
    /// `outcomes_log10` when `outcomes` saturated), never `u128::MAX`.
    #[serde(rename = "outcomes", serialize_with = "count_or_power")]
    outcomes_json: (u128, f64),
    /// Whether the frontier is exact (false only when a cap was hit; see
    /// `notes`).
    pub exact: bool,
    /// How the frontier was found; says "exact" only when it is.
    pub method: String,
    /// When a search stopped at its node limit: per party, the most any
    /// outcome it did not examine can be worth (a proven bound: the true
    /// frontier lies between the listed points and this).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unexamined_bound: Option<Vec<f64>>,
    /// What `outcomes` would be if it did not saturate: its base-10
    /// logarithm (`outcomes` is exact below 2^128).
    pub outcomes_log10: f64,
    /// The dominance tolerance (see [`AnalyzeOptions::tolerance`]): a point
    /// is on the frontier when no outcome is at least as good minus this for
    /// every party and better by more than this for one.
    pub tolerance: f64,
    /// Reservation values, in party order.
    pub reservation: Vec<f64>,
    /// GENIUS discount factors as read (0 and 1 mean none), in party order;
    /// analytics ignore time.
    pub discount: Vec<Option<f64>>,
    /// `[lowest, highest]` utility of each party over all outcomes.
    pub utility_ranges: Vec<[f64; 2]>,
    /// Names the frontier's definition.
    pub pareto_definition: &'static str,
    /// Names the Nash point's definition.
    pub nash_definition: &'static str,
    /// Every non-dominated outcome (GENIUS definition: all outcomes count,
    /// ties kept, rational or not), lexicographically descending utilities;
    /// listing capped by [`AnalyzeOptions::max_listed_outcomes`].
    pub pareto: Vec<FrontierOutcome>,
    /// Distinct utility vectors on the frontier.
    pub pareto_points: usize,
    /// Outcomes on the frontier, ties included.
    #[serde(serialize_with = "count")]
    pub pareto_outcomes: u128,
    /// Whether `pareto` lists every frontier outcome.
    pub pareto_complete: bool,
    /// The disagreement point used by `nash` and `kalai_maxmin`.
    pub disagreement: DisagreementPoint,
    /// Rational frontier point maximising the product of gains over the
    /// disagreement point.
    pub nash: Option<Point>,
    /// GENIUS Kalai-Smorodinsky: the rational frontier point minimising the
    /// spread of utilities (`|u0 - u1|` for two parties).
    pub kalai: Option<Point>,
    /// Names the `kalai` definition.
    pub kalai_definition: &'static str,
    /// NegMAS Kalai: the rational frontier point maximising the smallest gain
    /// over the disagreement point.
    pub kalai_maxmin: Option<Point>,
    /// Rational frontier point maximising the sum of utilities.
    pub max_welfare: Option<Point>,
    /// NegMAS opposition (`negmas.preferences.ops.opposition_level`):
    /// distance from (1, …, 1) to the nearest rational outcome, each utility
    /// divided by its party's maximum.
    pub opposition: Option<f64>,
    /// ANL 2023 opposition (the organisers' `specials.json`): distance from
    /// the GENIUS Kalai point (`kalai`) to (1, …, 1).
    pub opposition_anl: Option<f64>,
    /// Names both opposition definitions.
    pub opposition_definition: &'static str,
    /// What the reader and the analysis did that a user should know.
    pub notes: Vec<String>,
    /// Wall-clock seconds spent in [`analyze`].
    pub seconds: f64,
}

/// Counts past `u64::MAX` become floats: JSON readers (and
/// `serde_json::Value`) do not take larger integers.
fn count<S: serde::Serializer>(n: &u128, s: S) -> Result<S::Ok, S::Error> {
    match u64::try_from(*n) {
        Ok(n) => s.serialize_u64(n),
        Err(_) => s.serialize_f64(*n as f64),
    }
}

fn count_or_power<S: serde::Serializer>(n: &(u128, f64), s: S) -> Result<S::Ok, S::Error> {
    match u64::try_from(n.0) {
        Ok(x) => s.serialize_u64(x),
        Err(_) if n.0 == u128::MAX => s.serialize_f64(10f64.powf(n.1)),
        Err(_) => s.serialize_f64(n.0 as f64),
    }
}

impl Analysis {
    /// The outcome count in words: exact digits, or a power of ten when it
    /// does not fit in 128 bits.
    pub fn outcomes_text(&self) -> String {
        if self.outcomes == u128::MAX {
            format!("about 10^{:.1}", self.outcomes_log10)
        } else {
            self.outcomes.to_string()
        }
    }
}

/// A frontier before solutions: distinct vectors with counts and up to
/// `limit` outcomes each.
struct Frontier {
    points: Vec<FrontierPoint>,
    exact: bool,
    method: String,
    unexamined_bound: Option<Vec<f64>>,
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
    let start = std::time::Instant::now();
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
        seconds: start.elapsed().as_secs_f64(),
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
    let Some(cells) = cells::Cells::new(domain) else {
        return Frontier {
            points: Vec::new(),
            exact: false,
            method: "none (too many rectangle bounds to index)".into(),
            unexamined_bound: None,
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
    let search = cells::Search::run(
        &cells,
        domain,
        cells::Goal::Frontier,
        keep,
        opts.max_search_nodes,
        opts.tolerance.max(0.0),
    );
    let frontier_complete = search.complete;
    let mut exact = search.complete;
    let mut points: Vec<(Vec<f64>, u128, Vec<Vec<u32>>)> = search.archive.points;
    points.sort_by(|a, b| archive::lex_desc(&a.0, &b.0));
    let parties = domain.parties.len();
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
                outs.extend(cells.expand(w, cap - outs.len()));
            }
            extra = extra.saturating_sub(outs.len().saturating_sub(1));
            let tied = (count > 1 && !opts.list_ties).then(|| {
                let seen: u128 = witnesses
                    .iter()
                    .fold(0u128, |n, w| n.saturating_add(cells.size(w)));
                (
                    cells.values_of(&witnesses, domain.issues.len()),
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
    let unexamined_bound = (!frontier_complete).then(|| search.unexplored.clone());
    if let Some(b) = &unexamined_bound {
        let b: Vec<String> = b.iter().map(|x| format!("{x:.6}")).collect();
        notes.push(format!(
            "the search stopped at its limit of {} nodes: the points listed are real outcomes \
             that no outcome found dominates, and no outcome left unexamined is worth more than \
             ({}) to the parties; the true frontier lies between",
            opts.max_search_nodes,
            b.join(", ")
        ));
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

/// Cells kept per frontier point to summarise its ties when they are not
/// listed.
const TIE_WITNESSES: usize = 256;
