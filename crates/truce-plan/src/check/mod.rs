//! The independent checker: verifies any plan JSON against any deal.
//!
//! It shares no code with the planner: it reads the plan text with its own
//! lenient types (module `input`), looks persons up in the [`truce_spec::Deal`]
//! directly, and recomputes every term and every reported figure by walking
//! the handovers in execution order. A planner bug therefore cannot hide
//! behind the same bug in the checker. The rules it applies are written down
//! once, in the crate documentation ("Semantics").

mod input;
mod report;
mod rules;

use std::collections::BTreeMap;

use truce_spec::Deal;

pub use report::{CheckReport, DayFigures, Violation, ViolationKind};

/// Verifies a plan (its JSON text) against a deal: every term, every
/// reported figure. Never panics; malformed text is a violation.
pub fn check_plan(deal: &Deal, plan_json: &str) -> CheckReport {
    match input::parse(plan_json) {
        Ok(plan) => rules::check(deal, &plan),
        Err(message) => CheckReport {
            violations: vec![Violation {
                kind: ViolationKind::MalformedPlan,
                day: None,
                persons: Vec::new(),
                message,
            }],
            released: BTreeMap::new(),
            days_used: 0,
            max_exposure: 0.0,
            days: Vec::new(),
        },
    }
}
