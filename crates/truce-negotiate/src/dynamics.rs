//! Concession and move analysis of a negotiation trace (stacked alternating
//! offers or single text): each party's concession curve, the DANS
//! classification of every move, and the standard outcome metrics.
//!
//! DANS (Hindriks, Jonker and Tykhonov, "Negotiation dynamics: analysis,
//! concession tactics, and outcomes", IAT 2007; "Let's DANS!", 2009)
//! classifies a party's *move*, from one of its offers to its next, by the
//! change of its own utility (Δs) and of its opponent's (Δo), both measured
//! with the parties' real preferences:
//!
//! | class | Δs | Δo |
//! |---|---|---|
//! | fortunate | > 0 | > 0 |
//! | selfish | > 0 | ≤ 0 |
//! | nice | = 0 | > 0 |
//! | silent | = 0 | = 0 |
//! | concession | < 0 | ≥ 0 |
//! | unfortunate | ≤ 0 | < 0 |
//!
//! "= 0" means within the analysis tolerance. With more than two parties, Δo
//! is the mean change of the other parties. A single-text mediator's move
//! (one text to the next) is classified from each party's side in turn
//! (self = that party, opponent = the others).

use serde::Serialize;

use crate::analytics::{Analysis, Point};
use crate::domain::Domain;

/// One offer of a trace, as values in issue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceStep {
    /// Round, from 0.
    pub round: u32,
    /// Index of the proposing party (profile-file order), or `None` for a
    /// single-text mediator's text.
    pub proposer: Option<usize>,
    /// The offer's values in issue order.
    pub offer: Vec<String>,
}

/// A trace to analyse: its offers and the agreement, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// Every offer, oldest first.
    pub steps: Vec<TraceStep>,
    /// The agreed outcome's values, or `None`.
    pub agreement: Option<Vec<String>>,
    /// Round of the agreement (or the last round).
    pub rounds: u32,
}

/// A DANS move class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveClass {
    /// Better for self and for the opponent.
    Fortunate,
    /// Better for self, not better for the opponent.
    Selfish,
    /// Same for self, better for the opponent.
    Nice,
    /// Same for both.
    Silent,
    /// Worse for self, not worse for the opponent.
    Concession,
    /// Not better for self, worse for the opponent.
    Unfortunate,
}

impl MoveClass {
    /// Every class, in the order reports list them.
    pub const ALL: [Self; 6] = [
        Self::Concession,
        Self::Selfish,
        Self::Fortunate,
        Self::Unfortunate,
        Self::Nice,
        Self::Silent,
    ];

    /// The class of a move changing the mover's utility by `own` and the
    /// opponent's by `other`, with differences within `eps` counting as 0.
    pub fn of(own: f64, other: f64, eps: f64) -> Self {
        let s = sign(own, eps);
        let o = sign(other, eps);
        match (s, o) {
            (1, 1) => Self::Fortunate,
            (1, _) => Self::Selfish,
            (0, 1) => Self::Nice,
            (0, 0) => Self::Silent,
            (-1, o) if o >= 0 => Self::Concession,
            _ => Self::Unfortunate,
        }
    }

    /// The class name as in the literature.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fortunate => "fortunate",
            Self::Selfish => "selfish",
            Self::Nice => "nice",
            Self::Silent => "silent",
            Self::Concession => "concession",
            Self::Unfortunate => "unfortunate",
        }
    }
}

fn sign(x: f64, eps: f64) -> i8 {
    if x > eps {
        1
    } else if x < -eps {
        -1
    } else {
        0
    }
}

/// One classified move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    /// Round of the offer the move leads to.
    pub round: u32,
    /// The party whose side the move is classified from.
    pub party: usize,
    /// Whether the party made the move (false: a mediator's text, seen from
    /// this party's side).
    pub own: bool,
    /// Change of this party's utility.
    pub delta_self: f64,
    /// Change of the opponent's utility (the others' mean with more than two
    /// parties).
    pub delta_other: f64,
    /// The DANS class.
    pub class: MoveClass,
}

/// One party's concession curve and move counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyDynamics {
    /// Party (profile) name.
    pub party: String,
    /// Its own utility of each of its offers (single text: of each text),
    /// oldest first.
    pub curve: Vec<CurvePoint>,
    /// Utility of its first offer minus that of its last (positive: it
    /// conceded).
    pub total_concession: f64,
    /// How many of its moves fall in each class, in [`MoveClass::ALL`]
    /// order.
    pub counts: Vec<ClassCount>,
    /// Number of its moves (single text: texts after the first).
    pub moves: usize,
}

/// One point of a concession curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Round of the offer.
    pub round: u32,
    /// The party's own utility of it.
    pub utility: f64,
}

/// How many moves fell in one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClassCount {
    /// The class.
    pub class: MoveClass,
    /// Its number of moves.
    pub moves: usize,
}

/// Where an outcome lies relative to the frontier and the solutions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeMetrics {
    /// The agreement (values), or `None` when the session ended without one.
    pub agreement: Option<Vec<String>>,
    /// Utilities of the agreement, or the reservation values without one.
    pub utilities: Vec<f64>,
    /// Round of the agreement (or the last round).
    pub rounds: u32,
    /// Sum of the utilities.
    pub welfare: f64,
    /// Euclidean distance in utility space to the nearest frontier point.
    pub distance_to_frontier: Option<f64>,
    /// Distance to the Nash point.
    pub distance_to_nash: Option<f64>,
    /// Distance to the GENIUS Kalai point.
    pub distance_to_kalai: Option<f64>,
    /// Distance to the max-welfare point.
    pub distance_to_max_welfare: Option<f64>,
    /// Every party gets at least its reservation value.
    pub rational: bool,
    /// Some frontier point is better for every party by more than the
    /// tolerance (0 distance is not required: a point off the frontier may
    /// still be undominated within the tolerance).
    pub dominated: bool,
}

/// The analysis of a trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dynamics {
    /// Party names.
    pub parties: Vec<String>,
    /// Each party's concession curve and move counts.
    pub per_party: Vec<PartyDynamics>,
    /// Every classified move, in trace order.
    pub moves: Vec<Move>,
    /// The outcome metrics.
    pub outcome: OutcomeMetrics,
    /// Tolerance under which a utility change counts as none.
    pub tolerance: f64,
    /// Names the classification.
    pub definition: &'static str,
    /// Offers in utility space, in trace order: `(proposer, utilities)`
    /// (`None` proposer: mediator).
    pub trajectory: Vec<(Option<usize>, Vec<f64>)>,
}

/// Why a trace cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// An offer names a value that is not in its issue, or has the wrong
    /// number of values.
    #[error("offer {index} (round {round}) is not an outcome of the domain: {values:?}")]
    UnknownOutcome {
        /// Position in the trace, from 0.
        index: usize,
        /// Its round.
        round: u32,
        /// Its values.
        values: Vec<String>,
    },
    /// A proposer index beyond the domain's parties.
    #[error("offer {index} names party {party}, but the domain has {parties} parties")]
    UnknownParty {
        /// Position in the trace.
        index: usize,
        /// The index given.
        party: usize,
        /// Parties in the domain.
        parties: usize,
    },
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

fn other_delta(deltas: &[f64], me: usize) -> f64 {
    let others: Vec<f64> = deltas
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != me)
        .map(|(_, d)| *d)
        .collect();
    if others.is_empty() {
        0.0
    } else {
        others.iter().sum::<f64>() / others.len() as f64
    }
}

/// Analyses a trace against a domain and its analysis (frontier, Nash,
/// Kalai). Utilities are the domain's; differences within
/// `analysis.tolerance` count as none.
///
/// ```
/// use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, Trace, TraceStep, analyze,
///     analyze_trace, read_domain, MoveClass};
/// let files = DomainFiles { files: vec![
///     ("d.json".into(), r#"{"name":"d","issuesValues":{"days":{"values":["4","5","6"]}}}"#.into()),
///     ("a.json".into(), r#"{"LinearAdditiveUtilitySpace":{"issueWeights":{"days":1},
///         "issueUtilities":{"days":{"DiscreteValueSetUtilities":{"valueUtilities":{"4":0,"5":0.6,"6":1}}}}}}"#.into()),
///     ("b.json".into(), r#"{"LinearAdditiveUtilitySpace":{"issueWeights":{"days":1},
///         "issueUtilities":{"days":{"DiscreteValueSetUtilities":{"valueUtilities":{"4":1,"5":0.7,"6":0}}}}}}"#.into()),
/// ]};
/// let domain = read_domain(&files, &ReadOptions::default())?;
/// let analysis = analyze(&domain, &AnalyzeOptions::default());
/// let step = |round, p, v: &str| TraceStep { round, proposer: Some(p), offer: vec![v.into()] };
/// let trace = Trace {
///     steps: vec![step(0, 0, "6"), step(0, 1, "4"), step(1, 0, "5")],
///     agreement: Some(vec!["5".into()]),
///     rounds: 2,
/// };
/// let d = analyze_trace(&domain, &analysis, &trace).unwrap();
/// assert_eq!(d.moves[0].class, MoveClass::Concession);
/// assert_eq!(d.outcome.distance_to_nash, Some(0.0));
/// # Ok::<(), truce_negotiate::ReadError>(())
/// ```
pub fn analyze_trace(
    domain: &Domain,
    analysis: &Analysis,
    trace: &Trace,
) -> Result<Dynamics, TraceError> {
    let parties = domain.parties.len();
    let eps = analysis.tolerance.max(0.0);
    let mut utilities = Vec::with_capacity(trace.steps.len());
    for (index, s) in trace.steps.iter().enumerate() {
        let refs: Vec<&str> = s.offer.iter().map(String::as_str).collect();
        let Some(idx) = domain.outcome_indices(&refs) else {
            return Err(TraceError::UnknownOutcome {
                index,
                round: s.round,
                values: s.offer.clone(),
            });
        };
        if let Some(p) = s.proposer
            && p >= parties
        {
            return Err(TraceError::UnknownParty {
                index,
                party: p,
                parties,
            });
        }
        utilities.push(domain.utilities(&idx));
    }
    let mut moves = Vec::new();
    let mut last_own: Vec<Option<usize>> = vec![None; parties];
    let mut last_text: Option<usize> = None;
    let mut curves: Vec<Vec<CurvePoint>> = vec![Vec::new(); parties];
    for (k, s) in trace.steps.iter().enumerate() {
        let Some(u) = utilities.get(k) else { continue };
        match s.proposer {
            Some(p) => {
                if let Some(c) = curves.get_mut(p) {
                    c.push(CurvePoint {
                        round: s.round,
                        utility: u.get(p).copied().unwrap_or(0.0),
                    });
                }
                if let Some(prev) = last_own.get(p).copied().flatten() {
                    let before = utilities.get(prev).map_or(&[][..], Vec::as_slice);
                    let deltas: Vec<f64> = u.iter().zip(before).map(|(a, b)| a - b).collect();
                    let ds = deltas.get(p).copied().unwrap_or(0.0);
                    let d_o = other_delta(&deltas, p);
                    moves.push(Move {
                        round: s.round,
                        party: p,
                        own: true,
                        delta_self: ds,
                        delta_other: d_o,
                        class: MoveClass::of(ds, d_o, eps),
                    });
                }
                if let Some(slot) = last_own.get_mut(p) {
                    *slot = Some(k);
                }
            }
            None => {
                for (p, c) in curves.iter_mut().enumerate() {
                    c.push(CurvePoint {
                        round: s.round,
                        utility: u.get(p).copied().unwrap_or(0.0),
                    });
                }
                if let Some(prev) = last_text {
                    let before = utilities.get(prev).map_or(&[][..], Vec::as_slice);
                    let deltas: Vec<f64> = u.iter().zip(before).map(|(a, b)| a - b).collect();
                    for p in 0..parties {
                        let ds = deltas.get(p).copied().unwrap_or(0.0);
                        let d_o = other_delta(&deltas, p);
                        moves.push(Move {
                            round: s.round,
                            party: p,
                            own: false,
                            delta_self: ds,
                            delta_other: d_o,
                            class: MoveClass::of(ds, d_o, eps),
                        });
                    }
                }
                last_text = Some(k);
            }
        }
    }
    let per_party = domain
        .parties
        .iter()
        .enumerate()
        .map(|(p, party)| {
            let curve = curves.get(p).cloned().unwrap_or_default();
            let total_concession = match (curve.first(), curve.last()) {
                (Some(a), Some(b)) => a.utility - b.utility,
                _ => 0.0,
            };
            let mine: Vec<&Move> = moves.iter().filter(|m| m.party == p).collect();
            PartyDynamics {
                party: party.name.clone(),
                curve,
                total_concession,
                counts: MoveClass::ALL
                    .iter()
                    .map(|c| ClassCount {
                        class: *c,
                        moves: mine.iter().filter(|m| m.class == *c).count(),
                    })
                    .collect(),
                moves: mine.len(),
            }
        })
        .collect();
    let outcome = metrics(domain, analysis, trace, eps);
    Ok(Dynamics {
        parties: domain.parties.iter().map(|p| p.name.clone()).collect(),
        per_party,
        moves,
        outcome,
        tolerance: eps,
        definition: "DANS (Hindriks, Jonker & Tykhonov): a move is a party's step from one of \
                     its offers to its next; with Δs its own and Δo its opponent's utility \
                     change: fortunate Δs>0,Δo>0; selfish Δs>0,Δo≤0; nice Δs=0,Δo>0; silent \
                     Δs=0,Δo=0; concession Δs<0,Δo≥0; unfortunate Δs≤0,Δo<0",
        trajectory: trace
            .steps
            .iter()
            .zip(utilities)
            .map(|(s, u)| (s.proposer, u))
            .collect(),
    })
}

fn metrics(domain: &Domain, analysis: &Analysis, trace: &Trace, eps: f64) -> OutcomeMetrics {
    let reservation: Vec<f64> = domain.parties.iter().map(|p| p.reservation).collect();
    let utilities = trace
        .agreement
        .as_ref()
        .and_then(|a| {
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            domain.outcome_indices(&refs)
        })
        .map_or_else(|| reservation.clone(), |idx| domain.utilities(&idx));
    let to = |p: &Option<Point>| p.as_ref().map(|p| dist(&utilities, &p.utilities));
    let distance_to_frontier = analysis
        .pareto
        .iter()
        .map(|f| dist(&utilities, &f.utilities))
        .fold(None, |best: Option<f64>, d| {
            Some(best.map_or(d, |b| b.min(d)))
        });
    let dominated = analysis.pareto.iter().any(|f| {
        f.utilities
            .iter()
            .zip(&utilities)
            .all(|(a, b)| *a >= b - eps)
            && f.utilities
                .iter()
                .zip(&utilities)
                .any(|(a, b)| *a > b + eps)
    });
    OutcomeMetrics {
        agreement: trace.agreement.clone(),
        welfare: utilities.iter().sum(),
        rational: utilities.iter().zip(&reservation).all(|(u, r)| u >= r),
        distance_to_frontier,
        distance_to_nash: to(&analysis.nash),
        distance_to_kalai: to(&analysis.kalai),
        distance_to_max_welfare: to(&analysis.max_welfare),
        dominated,
        rounds: trace.rounds,
        utilities,
    }
}

/// Renders the analysis of a trace: the outcome metrics, each party's
/// concession and move counts, then every move.
pub fn render_dynamics_text(d: &Dynamics) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let o = &d.outcome;
    let utils = |u: &[f64]| {
        u.iter()
            .map(|x| format!("{x:.6}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let opt = |x: Option<f64>| x.map_or_else(|| "none".to_owned(), |x| format!("{x:.6}"));
    let _ = match &o.agreement {
        Some(a) => writeln!(
            out,
            "outcome: agreement in round {} [{}]: {}",
            o.rounds,
            a.join(", "),
            utils(&o.utilities)
        ),
        None => writeln!(
            out,
            "outcome: no agreement after {} rounds; reservation values {}",
            o.rounds,
            utils(&o.utilities)
        ),
    };
    let _ = writeln!(
        out,
        "  welfare {:.6}; distance to the frontier {}, to Nash {}, to Kalai (GENIUS) {}, to max \
         welfare {}",
        o.welfare,
        opt(o.distance_to_frontier),
        opt(o.distance_to_nash),
        opt(o.distance_to_kalai),
        opt(o.distance_to_max_welfare)
    );
    let mut flags = Vec::new();
    if !o.rational {
        flags.push("below a party's reservation value");
    }
    if o.dominated {
        flags.push("Pareto-dominated: some outcome is better for every party");
    }
    if !flags.is_empty() {
        let _ = writeln!(out, "  warning: {}", flags.join("; "));
    }
    let _ = writeln!(
        out,
        "moves (DANS; changes within {:e} count as none):",
        d.tolerance
    );
    let names: Vec<&str> = MoveClass::ALL.iter().map(|c| c.name()).collect();
    let width = d
        .parties
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "  {:<width$}  {:>6}  {:>10}  {}",
        "party",
        "moves",
        "conceded",
        names
            .iter()
            .map(|n| format!("{n:>11}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for p in &d.per_party {
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>10.6}  {}",
            p.party,
            p.moves,
            p.total_concession,
            p.counts
                .iter()
                .map(|c| format!("{:>11}", c.moves))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    for p in &d.per_party {
        let curve: Vec<String> = p
            .curve
            .iter()
            .map(|c| format!("{:.3}", c.utility))
            .collect();
        let shown = if curve.len() > 12 {
            let head = curve.get(..6).unwrap_or(&[]).join(" ");
            let tail = curve.get(curve.len() - 6..).unwrap_or(&[]).join(" ");
            format!("{head} … {tail}")
        } else {
            curve.join(" ")
        };
        if !shown.is_empty() {
            let _ = writeln!(out, "  {} concession curve: {shown}", p.party);
        }
    }
    let _ = writeln!(
        out,
        "  {:>5}  {:<width$}  {:>10}  {:>10}  class",
        "round", "party", "Δself", "Δother"
    );
    for m in &d.moves {
        let name = d.parties.get(m.party).map_or("", String::as_str);
        let _ = writeln!(
            out,
            "  {:>5}  {:<width$}  {:>+10.6}  {:>+10.6}  {}{}",
            m.round,
            name,
            m.delta_self,
            m.delta_other,
            m.class.name(),
            if m.own { "" } else { " (mediator's text)" }
        );
    }
    out
}
