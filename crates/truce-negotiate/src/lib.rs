//! Negotiation domains and their analytics for truce.
//!
//! * Readers turn a domain directory, handed over as `(file name, text)`
//!   pairs in a [`DomainFiles`] (this crate does no I/O), into a [`Domain`]:
//!   [`read_domain`] for GENIUS XML (`<negotiation_template>` +
//!   `<utility_space>` files: discrete, integer and real evaluators,
//!   hyper-rectangle spaces) and GeniusWeb JSON (`issuesValues` +
//!   `LinearAdditiveUtilitySpace`, both value-utility spellings, number
//!   ranges, reservation bids); [`read_profiles`] for profiles written
//!   against a deal's open issues. Files are told apart by content, parties
//!   are ordered by profile file name, and every problem is a [`ReadError`]
//!   with file, line, column and a hint.
//! * [`analyze`] computes the outcome count, the exact Pareto frontier (GENIUS
//!   definition, ties kept, rationality flagged), the Nash, Kalai (GENIUS and
//!   NegMAS definitions) and max-welfare points, opposition and utility
//!   ranges, for any number of parties and without enumerating the outcome
//!   space; [`render_text`] and [`render_svg`] present it, and [`Analysis`]
//!   serialises to the JSON contract of `truce analyze`.
//!
//! ```
//! use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};
//! let files = DomainFiles { files: vec![
//!     ("pause.json".into(), r#"{"name":"pause","issuesValues":{"days":{"values":["4","5","6"]}}}"#.into()),
//!     ("side-a.json".into(), r#"{"LinearAdditiveUtilitySpace":{"issueWeights":{"days":1},
//!         "issueUtilities":{"days":{"DiscreteValueSetUtilities":{"valueUtilities":{"4":0,"5":0.6,"6":1}}}}}}"#.into()),
//!     ("side-b.json".into(), r#"{"LinearAdditiveUtilitySpace":{"issueWeights":{"days":1},
//!         "issueUtilities":{"days":{"DiscreteValueSetUtilities":{"valueUtilities":{"4":1,"5":0.7,"6":0}}}}}}"#.into()),
//! ]};
//! let domain = read_domain(&files, &ReadOptions::default())?;
//! let analysis = analyze(&domain, &AnalyzeOptions::default());
//! assert_eq!(analysis.nash.unwrap().outcome, ["5"]);
//! # Ok::<(), truce_negotiate::ReadError>(())
//! ```

pub mod analytics;
mod domain;
mod dynamics;
mod error;
mod export;
mod json;
mod reader;
mod reader_genius;
mod reader_geniusweb;

pub use analytics::{
    Analysis, AnalyzeOptions, Cloud, DOMINANCE_TOLERANCE, Disagreement, DisagreementPoint,
    FrontierOutcome, Point, TiedValues, analyze, outcome_cloud, render_svg, render_text,
    render_trajectory_svg,
};
pub use domain::{
    Additive, Domain, DomainFiles, Format, HyperRectangles, Issue, Party, ReadOptions, Reading,
    Rect, Utility, clip_if,
};
pub use dynamics::{
    ClassCount, CurvePoint, Dynamics, Move, MoveClass, OutcomeMetrics, PartyDynamics, Trace,
    TraceError, TraceStep, analyze_trace, render_dynamics_text,
};
pub use error::{ReadError, ReadErrorKind};
pub use export::{ExportError, reservation_bid, to_genius_xml, to_geniusweb_json};
pub use reader::{read_domain, read_profiles};
