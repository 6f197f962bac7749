//! The day-by-day table a mediator can read aloud.

use std::fmt::Write;

use truce_spec::Deal;

use super::{by_category, date_of, number, persons_by_id};
use crate::plan::{Plan, Status};

/// The plan as plain text: the headline figures, then one line per handover.
pub fn render_text(deal: &Deal, plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} plan", plan.deal, plan.status.as_str());
    if plan.status == Status::Infeasible {
        let _ = writeln!(out, "No plan meets every term.");
        for c in &plan.conflicts {
            let _ = writeln!(out, "\n{}.", capitalise(&c.reason));
            let _ = writeln!(out, "  Terms: {}", c.terms.join(", "));
            for r in &c.resolutions {
                let _ = writeln!(out, "  - {r}");
            }
        }
        return out;
    }
    let released: Vec<String> = plan
        .released
        .iter()
        .map(|(h, n)| format!("{h} {n}"))
        .collect();
    let _ = writeln!(
        out,
        "Released: {} ({} in all) over {} day{}; largest exposure {}.",
        released.join(", "),
        plan.total_released(),
        plan.days_used,
        if plan.days_used == 1 { "" } else { "s" },
        number(plan.max_exposure)
    );
    if plan.status == Status::Feasible {
        let gap = plan.gap.unwrap_or(0.0) * 100.0;
        let _ = writeln!(
            out,
            "Not proven optimal: within {gap:.1} % on the first unproven level."
        );
    }
    let persons = persons_by_id(deal);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:>3}  {:<16}  {:>2}  {:<12}  {:<12}  {:>7}  by category",
        "day", "date", "#", "from", "via", "persons"
    );
    for stage in &plan.stages {
        let date = date_of(deal, stage.day).map_or(String::from("-"), |d| {
            format!("{} {}", &d.weekday()[..3], d)
        });
        for (i, h) in stage.handovers.iter().enumerate() {
            let (day, date) = if i == 0 {
                (stage.day.to_string(), date.as_str())
            } else {
                (String::new(), "")
            };
            let _ = writeln!(
                out,
                "{:>3}  {:<16}  {:>2}  {:<12}  {:<12}  {:>7}  {}",
                day,
                date,
                i + 1,
                h.from,
                h.via.as_deref().unwrap_or("-"),
                h.persons.len(),
                by_category(&persons, &h.persons)
            );
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}
