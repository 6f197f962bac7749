//! The day-by-day table a mediator can read aloud.

use std::fmt::Write;

use truce_spec::Deal;

use super::{by_category, date_of, number, persons_by_id};
use crate::plan::{Level, Plan, Status};

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
        let _ = writeln!(out, "{}", unproven_words(plan));
    }
    if let Some(w) = deal.release.window {
        let _ = writeln!(
            out,
            "Handovers between {} and {} (local time), each day's in the order below.",
            truce_spec::Window::clock(w.from),
            truce_spec::Window::clock(w.to)
        );
    }
    for f in &plan.flows {
        let days = match (f.days.first(), f.days.last()) {
            (Some(a), Some(b)) if a != b => format!("days {a}–{b}"),
            (Some(a), _) => format!("day {a}"),
            _ => "no day".to_owned(),
        };
        let _ = writeln!(
            out,
            "Flow {}: at least {} {} a day by {}{}, {days}.",
            f.id,
            f.per_day,
            f.unit,
            f.by,
            f.via
                .as_ref()
                .map_or(String::new(), |v| format!(" via {v}"))
        );
    }
    if let Some(r) = &plan.replanned {
        replanned_words(&mut out, r);
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
                let mark = match &plan.replanned {
                    Some(r) if stage.day <= r.carried_out_through => "*",
                    _ => "",
                };
                (format!("{mark}{}", stage.day), date.as_str())
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
    owed_words(&mut out, deal, plan);
    out
}

/// Under `deferred_days`: what each deferred rule leaves owed at the end of
/// each day of the plan (its counter-releases paid on a later day), and the
/// exposure that is carried overnight.
fn owed_words(out: &mut String, deal: &Deal, plan: &Plan) {
    let rules: Vec<(usize, &truce_spec::Exchange)> = deal
        .exchanges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.deferred_days > 0)
        .collect();
    if rules.is_empty() {
        return;
    }
    let by_id: std::collections::HashMap<&str, &truce_spec::Person> =
        deal.persons.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut counts = vec![(0u64, 0u64); deal.exchanges.len()];
    let mut lines = Vec::new();
    for stage in &plan.stages {
        for h in &stage.handovers {
            for id in &h.persons {
                let Some(p) = by_id.get(id.as_str()) else {
                    continue;
                };
                for &(i, e) in &rules {
                    let on = |side: &truce_spec::ExchangeSide| {
                        side.holder == p.holder && side.categories.contains(&p.category)
                    };
                    if on(&e.gives) {
                        counts[i].0 += 1;
                    }
                    if on(&e.receives) {
                        counts[i].1 += 1;
                    }
                }
            }
        }
        for &(i, e) in &rules {
            let ratio = u64::from(e.ratio.max(1));
            let owed = (ratio * counts[i].0).saturating_sub(counts[i].1);
            if owed > 0 {
                lines.push(format!(
                    "  after day {}: {} owes {owed} counter-release(s) for {}'s releases (exposure {} carried overnight; rule {}, deferred {} day(s))",
                    stage.day,
                    e.receives.holder,
                    e.gives.holder,
                    number(owed as f64 / ratio as f64),
                    i + 1,
                    e.deferred_days
                ));
            }
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "\nOwed overnight (deferred counter-releases):");
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }
}

/// What a re-plan kept from the record and what it made good.
fn replanned_words(out: &mut String, r: &crate::plan::Replanned) {
    let days = match r.carried_out_through {
        0 => "no day has passed yet".to_owned(),
        1 => "day 1 (*) is what was carried out".to_owned(),
        n => format!("days 1 to {n} (*) are what was carried out"),
    };
    let _ = writeln!(
        out,
        "Re-planned from the record: {days}; later days are planned."
    );
    for b in &r.broken {
        let _ = writeln!(out, "  The record broke a term: {b}.");
    }
    for m in &r.made_good {
        let _ = writeln!(
            out,
            "  Made good first, on day {}: {} release{} that {} owed under exchange rule {}.",
            m.day,
            m.persons,
            if m.persons == 1 { "" } else { "s" },
            m.holder,
            m.rule
        );
    }
}

/// Which level is not proven, and how far the plan may be from its best.
fn unproven_words(plan: &Plan) -> String {
    let gap = plan.gap.unwrap_or(0.0) * 100.0;
    let bound = plan.bound.map_or(String::from("?"), number);
    let (what, proven) = match plan.unproven {
        Some(Level::Released) => (
            format!(
                "a plan might release up to {bound} persons, {} more than this one",
                number(plan.bound.unwrap_or(0.0) - f64::from(plan.total_released()))
            ),
            "",
        ),
        Some(Level::DaysUsed) => (
            format!(
                "as many releases might fit in {bound} days instead of {}",
                plan.days_used
            ),
            " The number released is proven the most possible.",
        ),
        Some(Level::MaxExposure) => (
            format!(
                "the largest exposure might be as low as {bound} instead of {}",
                number(plan.max_exposure)
            ),
            " The number released and the days are proven the best possible.",
        ),
        Some(Level::TierWeightedDays) => (
            format!(
                "the higher tiers might go earlier: tier-weighted days as low as {bound} instead of {}",
                plan.tier_weighted_days
            ),
            " The number released, the days and the largest exposure are proven the best possible.",
        ),
        None => (String::from("some level may be improved"), ""),
    };
    format!("Not proven optimal: {what} (gap {gap:.1} %).{proven}")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}
