//! Re-planning from the current state: handovers already carried out (a
//! plan prefix through some day) are kept as they are, and the rest of the
//! deal is planned optimally after that day.
//!
//! The rest is an ordinary deal: the persons not yet released, totals less
//! what was released, the pause shortened by the days gone (extension days
//! already earned stay earned; an unearned one ended the pause), release days
//! and the start date shifted. Every day ends fully paid, so exposure starts
//! again at 0. Its optimum, shifted back, is the best continuation, because
//! every term of the whole plan is either met by the prefix or is a term of
//! the rest (the tier sum differs by a constant).

use std::collections::{BTreeMap, HashSet};

use truce_spec::{AgreedDeal, Deal};

use super::intraday::Exposure;
use super::{PlanError, PlanOptions, PlanOutcome, plan_deal_from};
use crate::check::{ViolationKind, check_plan};
use crate::plan::{Handover, Plan, Stage, Status};

/// What has been carried out: every handover of days `1..=through_day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// The last day whose handovers are all done.
    pub through_day: u32,
    /// The stages carried out, in execution order (days ≤ `through_day`).
    pub stages: Vec<Stage>,
}

/// The best plan that starts with `prefix`.
pub fn replan(deal: &AgreedDeal, prefix: &Prefix, opts: &PlanOptions) -> PlanOutcome {
    validate(deal, prefix)?;
    let released: HashSet<&str> = prefix
        .stages
        .iter()
        .flat_map(|s| {
            s.handovers
                .iter()
                .flat_map(|h| h.persons.iter().map(String::as_str))
        })
        .collect();
    let rest = residual(deal, prefix, &released);
    // Exposure the prefix already reached costs nothing more in the rest.
    let floor = prefix_floor(deal, &prefix.stages);
    let tail = plan_deal_from(&rest, opts, floor)?;
    Ok(merge(deal, prefix, &released, tail))
}

/// The prefix must itself keep every term (a guaranteed total is not yet due).
fn validate(deal: &Deal, prefix: &Prefix) -> Result<(), PlanError> {
    if let Some(s) = prefix.stages.iter().find(|s| s.day > prefix.through_day) {
        return Err(PlanError::InvalidPrefix(vec![format!(
            "stage of day {} is after through_day {}",
            s.day, prefix.through_day
        )]));
    }
    let json = serde_json::json!({ "format_version": 1, "stages": prefix.stages }).to_string();
    let problems: Vec<String> = check_plan(deal, &json)
        .violations
        .into_iter()
        .filter(|v| v.kind != ViolationKind::TotalMin)
        .map(|v| v.message)
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PlanError::InvalidPrefix(problems))
    }
}

/// Persons a holder released in the prefix.
fn released_by(deal: &Deal, released: &HashSet<&str>) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for p in deal
        .persons
        .iter()
        .filter(|p| released.contains(p.id.as_str()))
    {
        *out.entry(p.holder.0.clone()).or_insert(0) += 1;
    }
    out
}

fn residual(deal: &Deal, prefix: &Prefix, released: &HashSet<&str>) -> Deal {
    let today = prefix.through_day;
    let mut rest = deal.clone();
    rest.persons.retain(|p| !released.contains(p.id.as_str()));
    let done = released_by(deal, released);
    for r in &mut rest.rosters {
        let n = done.get(r.holder.as_str()).copied().unwrap_or(0);
        r.total_min = r.total_min.map(|t| t.saturating_sub(n));
        r.total_max = r.total_max.map(|t| t.saturating_sub(n));
        // Judged at the end of the base days: what is left of it, or
        // nothing once they are over (the prefix was checked against it).
        r.min_in_base_days = r
            .min_in_base_days
            .map(|t| t.saturating_sub(n))
            .filter(|_| today < deal.pause.days);
    }
    rest.start = deal.start.and_then(|s| s.plus_days(today));
    rest.release.release_days = deal.release.release_days.as_ref().map(|days| {
        days.iter()
            .filter(|&&d| d > today)
            .map(|d| d - today)
            .collect()
    });
    let base = deal.pause.days;
    if today < base {
        rest.pause.days = base - today;
    } else {
        rest.pause.days = 0;
        let ended = deal.pause.extension.as_ref().is_none_or(|e| {
            (base + 1..=today).any(|d| by_released(prefix, &e.by.0, d) < e.per_releases)
        });
        if let Some(e) = rest.pause.extension.as_mut() {
            e.max_days = if ended {
                0
            } else {
                deal.max_days().saturating_sub(today)
            };
            // Agreed days are counted in `deal.max_days()`: those left.
            e.agreed_days = e.max_days;
        }
    }
    rest
}

fn by_released(prefix: &Prefix, by: &str, day: u32) -> u32 {
    prefix
        .stages
        .iter()
        .filter(|s| s.day == day)
        .flat_map(|s| s.handovers.iter().filter(|h| h.from == by))
        .map(|h| h.persons.len() as u32)
        .sum()
}

fn merge(deal: &Deal, prefix: &Prefix, released: &HashSet<&str>, tail: Plan) -> Plan {
    if tail.status == Status::Infeasible {
        return Plan {
            deal: deal.name.clone(),
            ..tail
        };
    }
    let today = prefix.through_day;
    let mut stages: Vec<Stage> = prefix
        .stages
        .iter()
        .filter(|s| !s.handovers.is_empty())
        .cloned()
        .collect();
    stages.extend(tail.stages.into_iter().map(|s| Stage {
        day: s.day + today,
        handovers: s.handovers,
    }));
    let mut totals = released_by(deal, released);
    for (h, n) in &tail.released {
        *totals.entry(h.clone()).or_insert(0) += n;
    }
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    Plan {
        deal: deal.name.clone(),
        released: totals,
        days_used: stages.last().map_or(0, |s| s.day),
        max_exposure: prefix_exposure(deal, &prefix.stages).max(tail.max_exposure),
        tier_weighted_days: tier_weighted_days(deal, &stages, max_tier),
        stages,
        ..tail
    }
}

/// The prefix's largest exposure, exactly.
fn prefix_floor(deal: &Deal, stages: &[Stage]) -> Exposure {
    let persons: std::collections::HashMap<&str, &truce_spec::Person> =
        deal.persons.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut worst = Exposure::ZERO;
    for rule in deal.exchanges.iter().filter(|r| !r.simultaneous) {
        let r = u64::from(rule.ratio.max(1));
        let (mut paid, mut counter) = (0u64, 0u64);
        for h in stages.iter().flat_map(|s| &s.handovers) {
            for id in &h.persons {
                let Some(p) = persons.get(id.as_str()) else {
                    continue;
                };
                if p.holder == rule.gives.holder && rule.gives.categories.contains(&p.category) {
                    paid += 1;
                }
                if p.holder == rule.receives.holder
                    && rule.receives.categories.contains(&p.category)
                {
                    counter += 1;
                }
            }
            worst = worst.max(Exposure {
                num: (r * paid).abs_diff(counter),
                den: r,
            });
        }
    }
    worst
}

/// The prefix's largest exposure (cumulative, after each handover).
fn prefix_exposure(deal: &Deal, stages: &[Stage]) -> f64 {
    let persons: std::collections::HashMap<&str, &truce_spec::Person> =
        deal.persons.iter().map(|p| (p.id.as_str(), p)).collect();
    let holder_of = |id: &str| persons.get(id).copied();
    let mut worst = 0.0f64;
    for rule in deal.exchanges.iter().filter(|r| !r.simultaneous) {
        let r = f64::from(rule.ratio.max(1));
        let (mut paid, mut counter) = (0.0f64, 0.0f64);
        for h in stages.iter().flat_map(|s| &s.handovers) {
            for id in &h.persons {
                let Some(p) = holder_of(id) else { continue };
                if p.holder == rule.gives.holder && rule.gives.categories.contains(&p.category) {
                    paid += 1.0;
                }
                if p.holder == rule.receives.holder
                    && rule.receives.categories.contains(&p.category)
                {
                    counter += 1.0;
                }
            }
            worst = worst.max((paid - counter / r).abs());
        }
    }
    worst
}

/// Σ over all persons of tier weight × day (unreleased: the day after the last).
fn tier_weighted_days(deal: &Deal, stages: &[Stage], max_tier: u32) -> u64 {
    let day_of: std::collections::HashMap<&str, u32> = stages
        .iter()
        .flat_map(|s| {
            s.handovers
                .iter()
                .flat_map(move |h: &Handover| h.persons.iter().map(move |p| (p.as_str(), s.day)))
        })
        .collect();
    let keep = deal.release.keep_groups_together;
    let own = |p: &truce_spec::Person| deal.tier(&p.category).unwrap_or(max_tier);
    let mut best: std::collections::HashMap<(&str, &str), u32> = std::collections::HashMap::new();
    for p in &deal.persons {
        if let Some(g) = &p.group {
            let t = best
                .entry((p.holder.as_str(), g.as_str()))
                .or_insert(u32::MAX);
            *t = (*t).min(own(p));
        }
    }
    deal.persons
        .iter()
        .map(|p| {
            let tier = match (&p.group, keep) {
                (Some(g), true) => best[&(p.holder.as_str(), g.as_str())],
                _ => own(p),
            };
            let day = day_of
                .get(p.id.as_str())
                .copied()
                .unwrap_or(deal.max_days() + 1);
            u64::from(max_tier + 1 - tier.min(max_tier)) * u64::from(day)
        })
        .sum()
}
