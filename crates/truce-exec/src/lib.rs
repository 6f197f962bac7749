//! Execution compliance: what a deal's signed ledger shows against the
//! agreed terms and the adopted plan.
//!
//! The ledger ([`truce_ledger`]) proves who said what, in which order. This
//! crate answers the other question every party asks: *did what happened
//! keep the deal?* It reads the terms from the normalised deal JSON
//! ([`Terms`], its own types, so it depends on no deal loader), the adopted
//! plan from the plan JSON ([`PlanSchedule`], its own types, so the planner
//! is not trusted to check itself), and replays the ledger's events
//! ([`Execution`]). Physical facts are never refused: a handover that broke
//! a term is a [`Finding`], derived, named by a stable id, with aggregate
//! figures only (no person ids), which the mediator rules on with a signed
//! `finding-ruled` event. Declarations that must be earned or agreed
//! (`extended`, `completed`) are checked before they are recorded
//! ([`Execution::check_declaration`]).
//!
//! Two levels of evidence:
//! - **counts**: every handover signs how many persons of each category it
//!   carried, so a guarantor or observer without the roster checks daily
//!   limits and totals, capacity, counter-releases at their ratio, exposure
//!   and earned extension days;
//! - **persons**: with the roster and the deal's person key ([`Roster`]),
//!   the priority rule, families kept together, the signed counts against
//!   the persons they count, and the adopted plan, person by person.
//!
//! Besides persons: each resource flow's recorded deliveries (`flow-recorded`)
//! against its daily minimum and maximum, and, where the terms ask for
//! lists the night before, each handover against its day's list
//! (`lists-exchanged`: a count and a commitment, never the list itself).
//!
//! No I/O, no clock: the caller hands in bytes and events.

mod declare;
mod execution;
mod findings;
mod plan;
mod roster;
mod status;
mod terms;
mod text;

pub use declare::Refusal;
pub use execution::{
    Context, Ended, Execution, FlowRecord, HandoverRecord, ListRecord, Superseded,
};
pub use findings::{Evidence, Finding, Rule};
pub use plan::{PlanError, PlanSchedule, PlannedHandover};
pub use roster::{Roster, RosterPerson};
pub use status::{ExposureNow, FlowDelivered, ListStatus, Released, StatusReport};
pub use terms::{Exchange, ExchangeSide, Extension, Intermediary, RosterTerms, Terms, TermsError};
pub use text::person_id_in_text;
