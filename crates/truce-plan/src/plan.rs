//! The plan: what the planner emits and what outside tools read.
//!
//! Field names are the plan JSON contract of `../shared/DESIGN.md`
//! (`status`, `gap`, `released`, `days_used`, `max_exposure`,
//! `stages[{day, handovers[{from, via, persons}]}]`); the other fields are
//! additions the contract welcomes. The independent checker does **not** use
//! these types: it reads the JSON with its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The plan `format_version` this build writes.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// How far the planner's answer is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Proven lexicographically optimal.
    Optimal,
    /// A valid plan; `gap` bounds how far it may be from the optimum.
    Feasible,
    /// No plan meets every term; `conflicts` says why.
    Infeasible,
}

impl Status {
    /// The keyword used in the JSON and text forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
        }
    }
}

/// Which levels of the lexicographic objective are proven optimal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    /// No plan releases more persons.
    pub released: bool,
    /// No plan releasing as many uses fewer days.
    pub days_used: bool,
    /// No such plan has a smaller maximum exposure.
    pub max_exposure: bool,
    /// No such plan has a smaller tier-weighted day sum.
    pub tier_order: bool,
}

/// A level of the lexicographic objective, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Persons released (more is better).
    Released,
    /// The last day with a handover (fewer is better).
    DaysUsed,
    /// The largest exposure (smaller is better).
    MaxExposure,
    /// Σ tier weight × day (smaller is better).
    TierWeightedDays,
}

impl Level {
    /// The name used in the JSON and in `proof`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Released => "released",
            Level::DaysUsed => "days_used",
            Level::MaxExposure => "max_exposure",
            Level::TierWeightedDays => "tier_weighted_days",
        }
    }
}

/// One handover: persons moved from a holder, via an intermediary, at one
/// point in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// The holder releasing the persons.
    pub from: String,
    /// The intermediary carrying them; `None` when the deal names none.
    pub via: Option<String>,
    /// Person ids, in roster order.
    pub persons: Vec<String>,
}

/// One day's handovers, in execution order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// Day number, 1 = the deal's `start`.
    pub day: u32,
    /// The day's handovers, in the order they are carried out.
    pub handovers: Vec<Handover>,
}

/// One term of a conflict, in words and numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The terms involved, as deal paths (`pause.days`, `roster.side-b.max_per_day`).
    pub terms: Vec<String>,
    /// What conflicts, with the numbers.
    pub reason: String,
    /// Changes that would each resolve it.
    pub resolutions: Vec<String>,
}

/// A staged plan (or the proof that none exists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The plan format's version ([`PLAN_FORMAT_VERSION`] when written).
    pub format_version: u32,
    /// The deal's name.
    pub deal: String,
    /// Optimal, feasible (with `unproven` and `bound`) or infeasible.
    pub status: Status,
    /// Relative gap on the first unproven objective level (`unproven`):
    /// |value − bound| / the larger of the two; 0 when optimal, `None` when
    /// infeasible.
    pub gap: Option<f64>,
    /// Persons released per holder (every holder with a roster appears).
    pub released: BTreeMap<String, u32>,
    /// The last day with a handover; 0 for an empty plan.
    pub days_used: u32,
    /// The largest exposure over all rules, sides and handover points.
    pub max_exposure: f64,
    /// Sum over all persons of day × tier weight (unreleased persons count
    /// the day after the last possible one); smaller releases higher tiers earlier.
    pub tier_weighted_days: u64,
    /// Which objective levels are proven optimal, and how.
    pub proof: Proof,
    /// The first level not proven optimal (`feasible` plans only): `gap` is
    /// measured on it, against `bound`.
    #[serde(default)]
    pub unproven: Option<Level>,
    /// A proven bound on the `unproven` level: no plan that ties this one on
    /// the levels before it does better than this value.
    #[serde(default)]
    pub bound: Option<f64>,
    /// The days with handovers, in order.
    pub stages: Vec<Stage>,
    /// Why the deal is infeasible: the smallest conflicting sets found.
    pub conflicts: Vec<Conflict>,
    /// The deal's resource flows (aid, fuel) as the plan commits them: at
    /// least `per_day` on each of `days` (empty when the deal has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<PlannedFlow>,
    /// A re-plan from what was carried out: which days are the record and
    /// what it owed (absent for a plan made before execution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replanned: Option<Replanned>,
}

/// How a re-plan joins the record: days `1..=carried_out_through` are the
/// handovers carried out, kept as they were; later days are planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replanned {
    /// The last day carried out.
    pub carried_out_through: u32,
    /// Counter-releases the record owed, made good first on the next day.
    #[serde(default)]
    pub made_good: Vec<MadeGood>,
    /// Terms the carried-out days broke (findings of execution, kept as
    /// facts; the re-plan keeps every term from the next day on).
    #[serde(default)]
    pub broken: Vec<String>,
}

/// A debt of the record under an exchange rule, paid first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MadeGood {
    /// The exchange rule, from 1 in the deal's order.
    pub rule: usize,
    /// The holder that owed releases.
    pub holder: String,
    /// How many persons it owed.
    pub persons: u32,
    /// The day they are planned for.
    pub day: u32,
}

/// A resource flow that is not persons, per day of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedFlow {
    /// The flow's id in the deal (`aid-trucks`).
    pub id: String,
    /// What it is counted in (`trucks`, `litres`).
    pub unit: String,
    /// The party that lets it through.
    pub by: String,
    /// The crossing or intermediary, if the deal names one.
    pub via: Option<String>,
    /// At least this much on each of `days`.
    pub per_day: u32,
    /// The days of the plan it is due on.
    pub days: Vec<u32>,
}

impl Plan {
    /// Total persons released by every holder.
    pub fn total_released(&self) -> u32 {
        self.released.values().sum()
    }
}

/// The plan as pretty JSON (the contract form).
pub fn to_json(plan: &Plan) -> String {
    // Serialising plain data with string keys cannot fail; fall back to an
    // empty object rather than panic should serde ever disagree.
    serde_json::to_string_pretty(plan).unwrap_or_else(|_| String::from("{}"))
}

/// Reads a plan written by [`to_json`].
pub fn from_json(text: &str) -> Result<Plan, serde_json::Error> {
    serde_json::from_str(text)
}
