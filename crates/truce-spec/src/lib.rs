//! The truce deal specification: the typed model of a staged exchange deal,
//! the loader that validates a deal file and its rosters, and diagnostics that
//! say what is wrong, where, and how to fix it.
//!
//! This crate does no I/O: callers hand it the deal text and a way to read
//! roster files.

mod model;

pub use model::*;
mod agree;
mod diagnostic;
mod load;
mod normalised;
mod resolve;
mod source;

pub use agree::{AgreeError, fill_in_agreed};
pub use diagnostic::{
    Diagnostic, Diagnostics, JsonDiagnostic, Severity, Span, render_text, to_json,
};
pub use load::{LoadOptions, Loaded, ReadError, RosterReader, load};
pub use normalised::{NormalisedError, from_normalised};
pub use resolve::resolve_normalised;
pub use source::{FileId, SourceFile, SourceMap};
mod generate;

pub use generate::{
    GenerateError, GenerateOptions, GeneratedDeal, MAX_GENERATED_PERSONS, generate,
};
