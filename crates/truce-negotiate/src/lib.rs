//! Negotiation domains and their analytics for truce.
//!
//! Readers turn GENIUS XML and GeniusWeb JSON directories (handed over as
//! `(file name, text)` pairs: this crate does no I/O) into a [`Domain`];
//! [`analyze`] computes the outcome count, the exact Pareto frontier, the Nash,
//! Kalai and max-welfare points and the opposition level without enumerating
//! the outcome space when its structure allows.

pub mod analytics;
mod domain;
mod error;
mod json;
mod reader;
mod reader_genius;
mod reader_geniusweb;

pub use analytics::{
    Analysis, AnalyzeOptions, Cloud, Disagreement, FrontierOutcome, Point, analyze, outcome_cloud,
    render_svg, render_text,
};
pub use domain::{
    Additive, Domain, DomainFiles, Format, HyperRectangles, Issue, Party, ReadOptions, Reading,
    Rect, Utility,
};
pub use error::{ReadError, ReadErrorKind};
pub use reader::{read_domain, read_profiles};
