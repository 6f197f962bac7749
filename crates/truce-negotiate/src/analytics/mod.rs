//! Analytics of a domain: outcome count, exact Pareto frontier, Nash, Kalai
//! and max-welfare points, opposition and utility ranges.

mod analysis;
mod archive;
mod cells;
mod merge;
mod render;
mod search;
mod solutions;
mod svg;

pub use analysis::{
    Analysis, AnalyzeOptions, DOMINANCE_TOLERANCE, Disagreement, DisagreementPoint,
    FrontierOutcome, Point, TiedValues,
};
pub use render::render_text;
pub use search::analyze;
pub use svg::{Cloud, outcome_cloud, render_svg, render_trajectory_svg};
