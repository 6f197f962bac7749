//! From deal text and roster files to a validated [`Deal`](crate::Deal), or every problem
//! found on the way.
//!
//! Sections are read in dependency order (parties, categories, pause,
//! rosters, exchanges, release, open issues) whatever their order in the
//! file, so that a reference can be checked against what it names. Every
//! read reports its own diagnostic and the loader carries on, so one run
//! shows all problems; a [`Deal`](crate::Deal) is built only when none is an error.

mod consistency;
mod deal;
mod flows;
mod options;
mod parties;
mod read;
mod roster;
mod symbols;
mod terms;

pub use deal::{Loaded, load};
pub use options::{LoadOptions, ReadError, RosterReader};
