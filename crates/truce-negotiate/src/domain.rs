//! The negotiation domain model: issues, their values, and each party's
//! utility function, already resolved to value indices so that analytics never
//! look a name up.

use serde::Serialize;

/// Which file format a domain came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// GENIUS XML (`negotiation_template` + `utility_space` files).
    GeniusXml,
    /// GeniusWeb JSON (`issuesValues` + `LinearAdditiveUtilitySpace` files).
    GeniusWebJson,
}

/// How GENIUS XML numbers become utilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// GENIUS 10.4's own reading: a discrete evaluation is divided by the
    /// largest evaluation of its issue, weights are used as written (loading
    /// a file does not renormalise them), integer and real evaluators are
    /// clamped to [0, 1], the weighted sum is clipped at 1
    /// (`AdditiveUtilitySpace.getUtility`); hyper-rectangle sums are divided
    /// by `maxutility` and clipped at 1 (`NonlinearUtilitySpace.getUtility`).
    #[default]
    Genius,
    /// The numbers as written: raw evaluations times raw weights, linear
    /// evaluators unclamped, hyper-rectangle sums unscaled. GeniusWeb JSON
    /// reads the same either way (it is already normalised).
    Raw,
}

/// Options for [`crate::read_domain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// GENIUS reading or raw numbers.
    pub reading: Reading,
    /// Number of evenly spaced values a real-valued issue is discretised to
    /// (both bounds included); at least 2.
    pub real_steps: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            reading: Reading::Genius,
            real_steps: 11,
        }
    }
}

/// The files of one domain directory, as `(file name, text)`; the caller
/// lists the directory and reads the files (this crate does no I/O).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainFiles {
    /// `(file name, file text)` pairs, in any order.
    pub files: Vec<(String, String)>,
}

/// One issue and its values, as strings in the domain's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Issue name as in the domain file.
    pub name: String,
    /// Values as strings (integers and numbers written in decimal).
    pub values: Vec<String>,
}

/// A party: one profile file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Party {
    /// The profile file name without extension.
    pub name: String,
    /// The profile file name as given.
    pub file: String,
    /// The utility function.
    #[serde(skip)]
    pub utility: Utility,
    /// Utility of disagreement: GENIUS `<reservation>`, GeniusWeb
    /// utility of `reservationBid`, 0 when absent.
    pub reservation: f64,
    /// GENIUS `<discount_factor>`, reported only (analytics ignore time).
    pub discount: Option<f64>,
}

/// A utility function over value indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Utility {
    /// `u(o) = sum over issues of table[issue][value]` (weights folded in).
    Additive(Additive),
    /// GENIUS non-linear space: a sum of hyper-rectangle utilities.
    HyperRectangles(HyperRectangles),
}

/// A linear-additive utility with each issue weight folded into its table.
#[derive(Debug, Clone, PartialEq)]
pub struct Additive {
    /// `tables[issue][value]` = weight × evaluation.
    pub tables: Vec<Vec<f64>>,
    /// The sum is clipped at 1 (GENIUS `AdditiveUtilitySpace.getUtility`).
    pub clip: bool,
}

impl Additive {
    /// An additive utility whose sum is not clipped.
    pub fn new(tables: Vec<Vec<f64>>) -> Self {
        Self {
            tables,
            clip: false,
        }
    }
}

/// GENIUS `PlainUfun` with `aggregation="sum"`: the utility of an outcome is
/// the sum of the utilities of the rectangles that contain it, divided by
/// `scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct HyperRectangles {
    /// The rectangles.
    pub rects: Vec<Rect>,
    /// Divisor (GENIUS `maxutility` in the GENIUS reading, 1 when raw).
    pub scale: f64,
    /// The scaled sum is clipped at 1 (GENIUS
    /// `NonlinearUtilitySpace.getUtility`; GENIUS reading only).
    pub clip: bool,
}

/// One hyper-rectangle: the outcomes whose value index for each listed issue
/// lies in `lo..=hi`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rect {
    /// Utility added when an outcome lies inside.
    pub utility: f64,
    /// `(issue, lo, hi)` inclusive value-index ranges.
    pub includes: Vec<(usize, usize, usize)>,
}

impl Rect {
    /// Whether the outcome (value indices) lies inside.
    pub fn contains(&self, outcome: &[usize]) -> bool {
        self.includes.iter().all(|&(issue, lo, hi)| {
            outcome
                .get(issue)
                .is_some_and(|&value| lo <= value && value <= hi)
        })
    }
}

impl Utility {
    /// Utility of an outcome given as one value index per issue; indices out
    /// of range count as utility 0 for that issue.
    pub fn eval(&self, outcome: &[usize]) -> f64 {
        match self {
            Self::Additive(a) => {
                let sum = a
                    .tables
                    .iter()
                    .zip(outcome)
                    .map(|(table, &value)| table.get(value).copied().unwrap_or(0.0))
                    .fold(0.0, |sum, u| sum + u);
                clip_if(a.clip, sum)
            }
            Self::HyperRectangles(h) => {
                let sum = h
                    .rects
                    .iter()
                    .filter(|r| r.contains(outcome))
                    .fold(0.0, |sum, r| sum + r.utility);
                clip_if(h.clip, sum / h.scale)
            }
        }
    }

    /// Whether utilities above 1 are clipped to 1.
    pub fn clips(&self) -> bool {
        match self {
            Self::Additive(a) => a.clip,
            Self::HyperRectangles(h) => h.clip,
        }
    }
}

/// `min(u, 1)` when `clip` (GENIUS: `if (result > 1) return 1;`).
pub fn clip_if(clip: bool, u: f64) -> f64 {
    if clip && u > 1.0 { 1.0 } else { u }
}

impl Additive {
    /// Lowest and highest utility over all outcomes (exact).
    pub fn range(&self) -> (f64, f64) {
        let mut lo = 0.0;
        let mut hi = 0.0;
        for table in &self.tables {
            lo += table.iter().copied().fold(f64::INFINITY, f64::min);
            hi += table.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        }
        (clip_if(self.clip, lo), clip_if(self.clip, hi))
    }
}

/// A negotiation domain with its parties, ready for analytics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Domain {
    /// The domain file name without extension.
    pub name: String,
    /// The file format.
    pub format: Format,
    /// The reading applied to GENIUS numbers.
    pub reading: Reading,
    /// Issues in domain-file order.
    pub issues: Vec<Issue>,
    /// Parties in profile-file-name order.
    pub parties: Vec<Party>,
    /// Files that are neither domain nor profile (e.g. `pareto.xml`,
    /// `specials.json`), skipped.
    pub ignored_files: Vec<String>,
    /// What the reader did that a user should know (renormalised weights,
    /// discretised real issues).
    pub notes: Vec<String>,
}

impl Domain {
    /// Number of outcomes, saturating at `u128::MAX`.
    pub fn outcome_count(&self) -> u128 {
        self.issues
            .iter()
            .fold(1u128, |n, i| n.saturating_mul(i.values.len() as u128))
    }

    /// The values of an outcome given as value indices.
    pub fn outcome_values(&self, outcome: &[usize]) -> Vec<String> {
        self.issues
            .iter()
            .zip(outcome)
            .map(|(issue, &v)| issue.values.get(v).cloned().unwrap_or_default())
            .collect()
    }

    /// Every party's utility of an outcome given as value indices.
    pub fn utilities(&self, outcome: &[usize]) -> Vec<f64> {
        self.parties
            .iter()
            .map(|p| p.utility.eval(outcome))
            .collect()
    }

    /// Value indices of an outcome given as value strings, if every value
    /// belongs to its issue.
    pub fn outcome_indices(&self, values: &[&str]) -> Option<Vec<usize>> {
        if values.len() != self.issues.len() {
            return None;
        }
        self.issues
            .iter()
            .zip(values)
            .map(|(issue, v)| issue.values.iter().position(|x| x == v))
            .collect()
    }
}
