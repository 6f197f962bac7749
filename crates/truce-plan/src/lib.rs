//! The exact staged-exchange planner of truce, and an independent checker.
//!
//! (Crate documentation with the semantics follows in `docs.md`.)
#![doc = include_str!("../docs.md")]

pub mod check;
mod explain;
#[cfg(feature = "highs")]
pub mod mip;
mod plan;
mod render;
mod solve;
mod written;

pub use check::DayFigures;
pub use check::{CheckReport, Violation, ViolationKind, check_plan};
pub use plan::{
    Conflict, Handover, Level, MadeGood, PLAN_FORMAT_VERSION, Plan, PlannedFlow, Proof, Replanned,
    Stage, Status, from_json, to_json,
};
pub use render::{ExportError, export_csv, export_ics, export_svg, render_text};
pub use solve::{
    Method, ModelError, PlanError, PlanOptions, PlanOutcome, Prefix, plan, replan, replan_record,
};
