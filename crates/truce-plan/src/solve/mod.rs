//! The exact planner: the lexicographic objective solved level by level.
//!
//! Each level is a bound on the next: with `D` the last allowed day and `X`
//! the exposure bound, [`dp::Search`] finds the most persons released and,
//! among those plans, the best tier order, exactly. Released persons never
//! decrease when `D` or `X` grows (every plan of the smaller bound is a plan of
//! the larger), so binary searches find the smallest `D` that still releases
//! the optimum, then the smallest `X` that does with that `D`; the final search
//! at (`D*`, `X*`) gives the best tier order. See the crate docs for the whole
//! optimality argument and where it stops (days with four or more handovers).

mod ceiling;
mod channels;
mod day;
mod dp;
mod exact;
mod exposure;
pub(crate) mod intraday;
pub(crate) mod model;
mod options;
mod owed;
mod replan;
mod sequence;

use truce_spec::{AgreedDeal, Deal};

use exposure::Exposure;
pub use model::ModelError;
pub use replan::{Prefix, replan, replan_record};

pub use options::{Method, PlanError, PlanOptions, PlanOutcome};

/// The lexicographically optimal plan of an agreed deal.
pub fn plan(deal: &AgreedDeal, opts: &PlanOptions) -> PlanOutcome {
    plan_deal(deal, opts)
}

/// The same on any deal value (what-if variants in explanations).
pub(crate) fn plan_deal(deal: &Deal, opts: &PlanOptions) -> PlanOutcome {
    plan_deal_from(deal, opts, Exposure::ZERO, &[])
}
/// The same, where exposure up to `floor` is already incurred (a re-plan's
/// prefix): level 3 then only minimises exposure above it. Under a
/// deferral, `owing[e][j]` counter-releases of rule `e` are owed at the
/// start, due by the end of day `j + 1` (what the prefix left unpaid).
pub(crate) fn plan_deal_from(
    deal: &Deal,
    opts: &PlanOptions,
    floor: Exposure,
    owing: &[Vec<u32>],
) -> PlanOutcome {
    if !deal.channels.is_empty() || !deal.flows.is_empty() {
        return channels::plan_with(deal, opts, floor, owing);
    }
    exact::plan_exchange(deal, opts, floor, owing)
}
