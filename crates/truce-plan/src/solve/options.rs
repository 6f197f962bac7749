//! What the planner is asked and how it may fail: the options, the error
//! and the outcome every part of the planner shares (a leaf).

use crate::plan::Plan;

use super::model::ModelError;

/// How the planner searches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Day actions the exact search may enumerate before it gives up on a
    /// proof (a deterministic work limit rather than a clock, so every party
    /// gets the same answer on any machine).
    pub step_budget: u64,
    /// Look for the smallest set of conflicting terms when infeasible.
    pub explain: bool,
    /// Which exact method to use.
    pub method: Method,
}

/// The exact method (both prove what they return; they differ in speed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Method {
    /// The day-count sequence when the deal has its shape, else the unit search.
    #[default]
    Auto,
    /// Always the unit-level dynamic programme (for cross-checks).
    UnitSearch,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            step_budget: 20_000_000,
            explain: true,
            method: Method::Auto,
        }
    }
}

/// Why no plan (not even an infeasibility proof) could be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The deal has a shape this planner does not model.
    #[error("failed to model the deal: {0}")]
    Unsupported(#[from] ModelError),
    /// The handovers carried out already break terms of the deal.
    #[error("failed to re-plan: the handovers carried out break terms: {}", .0.join("; "))]
    InvalidPrefix(Vec<String>),
    /// Within its step budget the planner found neither a plan that meets
    /// every term nor a proof that none exists (the CLI's exit 3).
    #[error(
        "failed to find a plan or prove there is none within {0} steps: raise the step budget (`truce plan --step-budget`)"
    )]
    SearchLimit(u64),
}

/// A plan (optimal, feasible with its gap, or infeasible with conflicts), or
/// why the planner could not answer.
pub type PlanOutcome = Result<Plan, PlanError>;
