//! What the checker reports: a leaf module the rules fill in and
//! [`super::check_plan`] returns.

use std::collections::BTreeMap;

use serde::Serialize;

/// Which term a violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationKind {
    /// The text is not a plan (bad JSON, missing fields).
    MalformedPlan,
    /// The plan's `format_version` is not one this build reads.
    FormatVersion,
    /// Stages are not in strictly increasing day order starting at 1.
    BadDay,
    /// A handover on a day the pause does not have.
    BeyondPause,
    /// A handover on a day that is not one of the deal's `release_days`.
    NotReleaseDay,
    /// An extension day without enough releases by the extension's side.
    UnearnedExtension,
    /// `from` is not a holder with a roster.
    UnknownHolder,
    /// `via` is not the deal's intermediary.
    WrongVia,
    /// A handover that moves nobody.
    EmptyHandover,
    /// A person id that is in no roster.
    UnknownPerson,
    /// A person released by a holder that does not hold them.
    WrongHolder,
    /// A person released more than once.
    ReleasedTwice,
    /// More than `max_per_day` released by a holder in a day.
    MaxPerDay,
    /// Fewer than `min_per_day` released by a holder on a day it releases.
    MinPerDay,
    /// More than `total_max` released by a holder.
    TotalMax,
    /// Fewer than the guaranteed `total_min` released by a holder.
    TotalMin,
    /// Fewer than `min_in_base_days` released by a holder within the base days.
    BaseDaysMin,
    /// More persons than the intermediary carries in a day.
    Capacity,
    /// More handovers than the intermediary runs in a day.
    HandoversPerDay,
    /// A person released before every person of a better tier of the same holder.
    Priority,
    /// A group not released whole in one handover.
    GroupSplit,
    /// A counter-release not paid for by earlier releases of the same day
    /// (of any earlier day, under a rule's `deferred_days`).
    UnpaidCounterRelease,
    /// Releases whose counter-release did not follow on the same day, or,
    /// under a rule's `deferred_days`, by the day they fell due.
    MissingCounterRelease,
    /// Exposure above the deal's `max_exposure`.
    ExposureBound,
    /// A figure the plan reports differs from the recomputed one.
    FigureMismatch,
    /// A person released through a channel outside the exchange goes with
    /// the exchange's handovers, or the other way round.
    OutsideChannel,
    /// A resource flow (aid, fuel) below its daily minimum on a day of the
    /// pause, or not stated at all.
    FlowBelowMinimum,
}

/// One broken term, where and whom it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The term broken.
    pub kind: ViolationKind,
    /// The day, when the term is a daily one.
    pub day: Option<u32>,
    /// The persons concerned (may be empty for figure or day-level terms).
    pub persons: Vec<String>,
    /// What is wrong, with the numbers.
    pub message: String,
}

/// Everything the checker found, and the figures it recomputed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Every violation, in execution order, then plan-wide ones.
    pub violations: Vec<Violation>,
    /// Persons released per holder with a roster.
    pub released: BTreeMap<String, u32>,
    /// The last day with a handover (0 when none).
    pub days_used: u32,
    /// The largest exposure over all rules, sides and handover points.
    pub max_exposure: f64,
    /// Per stage, in plan order: what each holder released and the day's
    /// largest exposure.
    pub days: Vec<DayFigures>,
}

/// One stage's recomputed figures (for tables and charts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayFigures {
    /// The day, 1 = the deal's `start`.
    pub day: u32,
    /// Persons released that day per holder with a roster.
    pub released: BTreeMap<String, u32>,
    /// The largest exposure after any handover that day, counting the
    /// exposure carried into it.
    pub max_exposure: f64,
    /// The exposure carried into the day from the days before: counter-
    /// releases still owed under a rule's `deferred_days`. Left out of the
    /// JSON when 0 (always, without deferral).
    #[serde(skip_serializing_if = "is_zero")]
    pub carried_exposure: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl CheckReport {
    /// True when the plan breaks no term.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The distinct kinds of violation found.
    pub fn kinds(&self) -> Vec<ViolationKind> {
        let mut kinds: Vec<ViolationKind> = self.violations.iter().map(|v| v.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}
