//! The forms people use: a text table to read aloud, CSV (one row per
//! person), an iCalendar file (one event per handover) and an SVG chart.
//!
//! Exports that leave the mediator's room carry counts, not names or ids,
//! wherever the reader does not need them: the calendar and the chart show
//! numbers only; the CSV and the text table are for those who may see rosters.

mod csv;
mod ics;
mod svg;
mod text;

pub use self::csv::export_csv;
pub use ics::export_ics;
pub use svg::export_svg;
pub use text::render_text;

use std::collections::{BTreeMap, HashMap};

use truce_spec::{Date, Deal, Person};

/// Why an export cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A calendar needs dates.
    #[error("the deal has no `start` date, so handovers have no calendar dates")]
    NoStartDate,
    /// A day too far in the future for the calendar.
    #[error("day {0} falls past the last date the calendar can write")]
    DateOutOfRange(u32),
    /// The CSV writer failed (it writes to memory, so this means a bug).
    #[error("failed to write CSV: {0}")]
    Csv(String),
}

/// The calendar date of a plan day, when the deal has a start.
fn date_of(deal: &Deal, day: u32) -> Option<Date> {
    deal.start.and_then(|s| s.plus_days(day.saturating_sub(1)))
}

fn persons_by_id(deal: &Deal) -> HashMap<&str, &Person> {
    deal.persons.iter().map(|p| (p.id.as_str(), p)).collect()
}

/// "13: child 10, woman 3" — a handover's persons counted by category.
fn by_category(persons: &HashMap<&str, &Person>, ids: &[String]) -> String {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for id in ids {
        let cat = persons
            .get(id.as_str())
            .map_or("unknown", |p| p.category.as_str());
        *counts.entry(cat).or_insert(0) += 1;
    }
    counts
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A number as a person would say it: 13, or 4.33.
fn number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        format!("{x:.2}")
    }
}
