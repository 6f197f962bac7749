//! One iCalendar (RFC 5545) event per handover, from the deal's `start`:
//! all-day, or, when the deal sets a handover `window`, timed (floating
//! local time), the day's handovers in order in equal parts of the window.
//! Events carry counts, never person ids: calendars get shared.

use std::fmt::Write;

use truce_spec::Deal;

use super::{ExportError, by_category, date_of, persons_by_id};
use crate::plan::Plan;

/// The plan as an `.ics` calendar (CRLF line endings, deterministic: the
/// stamp is the start date, not the clock, so every party gets the same file).
pub fn export_ics(deal: &Deal, plan: &Plan) -> Result<String, ExportError> {
    let start = deal.start.ok_or(ExportError::NoStartDate)?;
    let persons = persons_by_id(deal);
    let slug: String = plan
        .deal
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//truce//truce-plan//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
    ];
    for stage in &plan.stages {
        let date = date_of(deal, stage.day).ok_or(ExportError::DateOutOfRange(stage.day))?;
        let next = date
            .plus_days(1)
            .ok_or(ExportError::DateOutOfRange(stage.day))?;
        let n = stage.handovers.len() as u32;
        for (i, h) in stage.handovers.iter().enumerate() {
            let via = h
                .via
                .as_deref()
                .map_or(String::new(), |v| format!(" via {v}"));
            lines.push("BEGIN:VEVENT".into());
            lines.push(format!(
                "UID:{slug}-day{}-handover{}@truce",
                stage.day,
                i + 1
            ));
            lines.push(format!("DTSTAMP:{}T000000Z", compact(start)));
            match deal.release.window {
                Some(w) => {
                    let part = |k: u32| w.from + (w.to - w.from) * k / n.max(1);
                    let i = i as u32;
                    lines.push(format!("DTSTART:{}", timed(date, next, part(i))));
                    lines.push(format!("DTEND:{}", timed(date, next, part(i + 1))));
                }
                None => {
                    lines.push(format!("DTSTART;VALUE=DATE:{}", compact(date)));
                    lines.push(format!("DTEND;VALUE=DATE:{}", compact(next)));
                }
            }
            lines.push(format!(
                "SUMMARY:{}",
                escape(&format!(
                    "Day {} handover {}: {} persons from {}{via}",
                    stage.day,
                    i + 1,
                    h.persons.len(),
                    h.from
                ))
            ));
            lines.push(format!(
                "DESCRIPTION:{}",
                escape(&by_category(&persons, &h.persons))
            ));
            lines.push("END:VEVENT".into());
        }
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        let _ = write!(out, "{}\r\n", fold(&line));
    }
    Ok(out)
}

/// A floating local date-time (§3.3.5 form 1); minute 1440 is the next
/// day's midnight.
fn timed(date: truce_spec::Date, next: truce_spec::Date, minute: u32) -> String {
    if minute >= 24 * 60 {
        return format!("{}T000000", compact(next));
    }
    format!("{}T{:02}{:02}00", compact(date), minute / 60, minute % 60)
}

fn compact(d: truce_spec::Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

/// TEXT escaping of RFC 5545 §3.3.11.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (§3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out
}
