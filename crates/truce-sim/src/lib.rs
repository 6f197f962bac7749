//! Monte-Carlo execution of a staged plan under an explicit, user-set risk
//! model: how likely a plan is to be carried out to the end, how many persons
//! are home if it breaks, and how two drafts compare on the same luck.
//!
//! The model ([`RiskModel`], read from `risk.toml` by [`parse_risk`]) is the
//! user's assumption, never data: its defaults are illustrative. A plan is
//! compiled once into a [`Schedule`] (counts per holder × category), then
//! [`simulate`] runs it `runs` times; run `i` depends only on `(seed, i)`, so
//! the [`Report`] is the same on one thread or many, and drafts simulated
//! together share their random numbers (common random numbers), which makes
//! their differences precise. [`robust`] picks, among the plans releasing the
//! most, the one with the least expected loss. Besides persons, each run
//! counts the plan's resource flows (aid, fuel) delivered on the days the
//! pause held (after the last release too, to the pause's end or a
//! collapse) and the persons released through channels outside the
//! exchange. No I/O and no clock: the
//! caller reads files, chooses threads and draws progress.
//!
//! ```
//! use truce_sim::{RiskModel, SimOptions};
//! # let (deal, plan) = truce_sim::doc_example();
//! let schedule = truce_sim::Schedule::new("draft A", &deal, &plan).unwrap();
//! let opts = SimOptions { runs: 1000, seed: 7, threads: 1 };
//! let report = truce_sim::simulate(&[schedule], &RiskModel::none(), &opts, &|_| {});
//! assert_eq!(report.drafts[0].completion.mean, 1.0);
//! ```

mod engine;
mod outcome;
mod render;
mod risk;
mod robust;
mod schedule;
mod summary;

pub use engine::{run_once, seed_key, simulate};
pub use outcome::{Ending, MAX_RUNS, RunResult, SimOptions};
pub use render::{delivered_svg, released_svg, render_text, survival_svg};
pub use risk::{
    BreachRisk, CollapseRisk, HandoverRisk, MAX_DAYS, Policy, RISK_FORMAT_VERSION, Replan,
    RiskError, RiskModel, SuspensionRisk, parse_risk,
};
pub use robust::{Candidate, RobustChoice, RobustError, robust};
pub use schedule::{Cell, ChannelCells, FlowSchedule, Schedule, ScheduleError};
pub use summary::{
    CI_METHOD, CellReport, ChannelReport, Comparison, Distribution, DraftReport, Estimate,
    FlowReport, HolderReport, Report, Z95,
};

/// A small deal and its plan for the documentation's examples.
#[doc(hidden)]
pub fn doc_example() -> (truce_spec::Deal, truce_plan::Plan) {
    let deal_text = "format_version = 1\nname = \"doc\"\n\
        [[party]]\nid = \"side-a\"\nrole = \"side\"\n\
        [[party]]\nid = \"side-b\"\nrole = \"side\"\n\
        [pause]\ndays = 2\n\
        [[category]]\nid = \"civilian\"\ntier = 1\n\
        [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\nmax_per_day = 2\n\
        [release]\npriority = \"strict\"\n";
    let mut rosters = |_: &str, _: u64| -> Result<Vec<u8>, truce_spec::ReadError> {
        Ok(b"id,category\nB-1,civilian\nB-2,civilian\nB-3,civilian\n".to_vec())
    };
    let loaded = truce_spec::load(
        "deal.toml",
        deal_text.as_bytes(),
        &mut rosters,
        &truce_spec::LoadOptions::default(),
    );
    let deal = truce_spec::AgreedDeal::new(loaded.deal.expect("the example loads"))
        .expect("no open issues");
    let plan = truce_plan::plan(&deal, &truce_plan::PlanOptions::default()).expect("plans");
    (deal.into_inner(), plan)
}
