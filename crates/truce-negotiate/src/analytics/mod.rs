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
pub use svg::{Cloud, outcome_cloud, render_svg};

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            disagreement: Disagreement::Reservation,
            max_listed_outcomes: 10_000,
            max_frontier_points: 1_000_000,
            max_search_nodes: 500_000_000,
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
    /// Number of outcomes (saturating; in JSON a float past 2^64).
    #[serde(serialize_with = "count")]
    pub outcomes: u128,
    /// Whether the frontier is exact (false only when a cap was hit; see
    /// `notes`).
    pub exact: bool,
    /// How the frontier was found.
    pub method: &'static str,
    /// Reservation values, in party order.
    pub reservation: Vec<f64>,
    /// GENIUS discount factors as read (0 and 1 mean none), in party order;
    /// analytics ignore time.
    pub discount: Vec<Option<f64>>,
    /// `[lowest, highest]` utility of each party over all outcomes.
    pub utility_ranges: Vec<[f64; 2]>,
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
    /// NegMAS opposition: distance from (1, …, 1) to the nearest rational
    /// outcome, each utility divided by its party's maximum.
    pub opposition: Option<f64>,
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

/// A frontier before solutions: distinct vectors with counts and up to
/// `limit` outcomes each.
struct Frontier {
    points: Vec<(Vec<f64>, u128, Vec<Vec<usize>>)>,
    exact: bool,
    method: &'static str,
    maxima: Vec<f64>,
    minima: Vec<f64>,
    notes: Vec<String>,
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
        .fold(0u128, |n, p| n.saturating_add(p.1));
    let listed: usize = frontier.points.iter().map(|p| p.2.len()).sum();
    let pareto: Vec<FrontierOutcome> = frontier
        .points
        .iter()
        .flat_map(|(u, ties, outs)| {
            let rational = solutions::rational(u, &reservation);
            outs.iter().map(move |o| FrontierOutcome {
                outcome: domain.outcome_values(o),
                utilities: u.clone(),
                rational,
                ties: *ties,
            })
        })
        .collect();
    let sol = solutions::solve(
        &frontier.points,
        &reservation,
        &frontier.minima,
        &frontier.maxima,
        opts.disagreement,
    );
    let point = |k: Option<usize>| {
        k.and_then(|k| frontier.points.get(k))
            .map(|(u, _, outs)| Point {
                outcome: outs
                    .first()
                    .map(|o| domain.outcome_values(o))
                    .unwrap_or_default(),
                utilities: u.clone(),
            })
    };
    Analysis {
        domain: domain.name.clone(),
        format: domain.format,
        reading: domain.reading,
        issues: domain.issues.iter().map(|i| i.name.clone()).collect(),
        parties: domain.parties.iter().map(|p| p.name.clone()).collect(),
        outcomes: domain.outcome_count(),
        exact: frontier.exact,
        method: frontier.method,
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
        kalai: point(sol.kalai),
        kalai_definition: "GENIUS: rational Pareto point minimising the spread of utilities \
                           (|u0 - u1| for two parties)",
        kalai_maxmin: point(sol.kalai_maxmin),
        max_welfare: point(sol.max_welfare),
        opposition: sol.opposition,
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
    match additive {
        Some(tables) if !tables.is_empty() => additive_frontier(domain, &tables, opts),
        Some(_) => Frontier {
            points: Vec::new(),
            exact: true,
            method: "no parties",
            maxima: Vec::new(),
            minima: Vec::new(),
            notes: Vec::new(),
        },
        None => cell_frontier(domain, opts),
    }
}

fn list_budget(points: usize, limit: usize) -> usize {
    // Every point gets one outcome; the rest of the budget goes to ties.
    limit.saturating_sub(points)
}

fn additive_frontier(domain: &Domain, tables: &[&[Vec<f64>]], opts: &AnalyzeOptions) -> Frontier {
    let m = merge::merge(tables, domain.issues.len(), opts.max_frontier_points.max(1));
    let nodes = m.frontier();
    let mut extra = list_budget(nodes.len(), opts.max_listed_outcomes);
    let points = nodes
        .iter()
        .enumerate()
        .map(|(k, node)| {
            let outs = m.outcomes(k, 1 + extra);
            extra = extra.saturating_sub(outs.len().saturating_sub(1));
            (node.u.clone(), node.count, outs)
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
             thinned evenly and the frontier is not exact",
            opts.max_frontier_points
        ));
    }
    Frontier {
        points,
        exact: !m.thinned,
        method: "per-issue frontier merge (exact, no enumeration)",
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
            method: "none",
            maxima: vec![f64::NAN; domain.parties.len()],
            minima: vec![f64::NAN; domain.parties.len()],
            notes: vec![format!(
                "the hyper-rectangle profiles bound more than {} (value, rectangle) pairs; \
                 not analysed",
                cells::MAX_CLASS_FLAGS
            )],
        };
    };
    let keep = opts.max_listed_outcomes.max(1);
    let search = cells::Search::run(
        &cells,
        domain,
        cells::Goal::Frontier,
        keep,
        opts.max_search_nodes,
    );
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
            let s = cells::Search::run(&own, &alone, cells::Goal::Min(0), 1, opts.max_search_nodes);
            exact &= s.complete;
            s.best_min
        })
        .collect();
    let mut extra = list_budget(points.len(), opts.max_listed_outcomes);
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
            (u, count, outs)
        })
        .collect();
    let mut notes = vec![format!(
        "non-additive utilities: searched {} cells of equivalent values ({} search nodes) instead of the outcomes",
        cells.count(),
        search.visited
    )];
    if !exact {
        notes.push(format!(
            "the search stopped after {} nodes; the frontier is the best found, not exact",
            opts.max_search_nodes
        ));
    }
    Frontier {
        points,
        exact,
        method: "branch and bound over cells of equivalent values (exact)",
        maxima,
        minima,
        notes,
    }
}
