//! What an analysis returns and the options it takes: the JSON contract
//! of `truce analyze`, a leaf module the search (`search`), the solutions,
//! the text and the charts all use.

use serde::Serialize;

use crate::domain::{Format, Reading};

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

/// Options for [`analyze`](crate::analyze).
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
            max_search_nodes: 10_000_000,
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

/// The result of [`analyze`](crate::analyze). The fields `outcomes`, `pareto`, `nash`,
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
    pub(super) outcomes_json: (u128, f64),
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
    /// Two parties, when a search stopped at its node limit: every outcome
    /// is worth at most this much more, to each party, than some listed
    /// point (a proven distance from the listed points to the true
    /// frontier; 0 means the listed points are the frontier within it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unexamined_gap: Option<f64>,
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
    /// Wall-clock seconds the caller spent loading and analysing: the core
    /// reads no clock, so [`analyze`](crate::analyze) leaves 0 and the caller sets it
    /// (`truce analyze` measures it around loading and [`analyze`](crate::analyze)).
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
