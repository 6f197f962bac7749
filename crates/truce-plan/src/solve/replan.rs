//! Re-planning from the current state: handovers already carried out (a
//! plan prefix through some day) are kept as they are, and the rest of the
//! deal is planned optimally after that day.
//!
//! The rest is an ordinary deal: the persons not yet released, totals less
//! what was released, the pause shortened by the days gone (extension days
//! already earned stay earned; an unearned one ended the pause), release days
//! and the start date shifted. Without deferral every day ends fully paid,
//! so exposure starts again at 0. Under a rule's `deferred_days` the rest
//! starts owing what the prefix left unpaid, per rule and by the day it
//! falls due (first paid, first covered, as `owed.rs` keeps it), and that
//! debt is the exposure carried into its first day. Its optimum, shifted
//! back, is the best continuation, because every term of the whole plan is
//! either met by the prefix or is a term of the rest started in that state
//! (the tier sum differs by a constant).

use std::collections::{BTreeMap, HashSet};

use truce_spec::{AgreedDeal, Deal};

use super::exposure::Exposure;
use super::{PlanError, PlanOptions, PlanOutcome, plan_deal_from};
use crate::check::{ViolationKind, check_plan};
use crate::plan::{Handover, Level, MadeGood, Plan, Replanned, Stage, Status};

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
    let owing = owing_after(deal, &prefix.stages, prefix.through_day)?;
    let tail = plan_deal_from(&rest, opts, floor, &owing)?;
    let mut plan = merge(deal, prefix, &released, tail);
    if plan.status != Status::Infeasible {
        plan.replanned = Some(Replanned {
            carried_out_through: prefix.through_day,
            made_good: Vec::new(),
            broken: Vec::new(),
        });
    }
    Ok(plan)
}

/// The best plan from a record that may have broken terms (an execution's
/// ledger): the carried-out days stay as they were, whatever they broke
/// (listed in `replanned.broken`); counter-releases they owe under an
/// exchange rule are made good first, on the next day, by the owing holder's
/// persons in priority order; the rest is planned optimally after them. The
/// make-good joins the next day's planned handovers where every term allows
/// it, else it takes that day alone. A record that keeps the terms is
/// re-planned as [`replan`] does.
pub fn replan_record(deal: &AgreedDeal, prefix: &Prefix, opts: &PlanOptions) -> PlanOutcome {
    let broken = match validate(deal, prefix) {
        Ok(()) => return replan(deal, prefix, opts),
        Err(PlanError::InvalidPrefix(problems)) => problems,
        Err(e) => return Err(e),
    };
    if let Some(s) = prefix.stages.iter().find(|s| s.day > prefix.through_day) {
        return Err(PlanError::InvalidPrefix(vec![format!(
            "stage of day {} is after through_day {}",
            s.day, prefix.through_day
        )]));
    }
    let today = prefix.through_day;
    let carried: HashSet<&str> = prefix
        .stages
        .iter()
        .flat_map(|s| {
            s.handovers
                .iter()
                .flat_map(|h| h.persons.iter().map(String::as_str))
        })
        .collect();
    let (debts, make_good) = owed(deal, &prefix.stages, &carried, today + 1);
    let mut released = carried.clone();
    for h in &make_good {
        released.extend(h.persons.iter().map(String::as_str));
    }
    let floor = prefix_floor(deal, &prefix.stages);
    let mut last_problems = Vec::new();
    // First the make-good within the next day's plan, then on a day alone.
    for alone in [false, true] {
        let mut with_debt = prefix.clone();
        if alone && !make_good.is_empty() {
            with_debt.stages.push(Stage {
                day: today + 1,
                handovers: make_good.clone(),
            });
            with_debt.through_day = today + 1;
        }
        let rest = residual(deal, &with_debt, &released);
        // Under a deferral the rest starts owing what is not yet due; the
        // make-good (paid as if on the record's last day) covers what is.
        let mut paid = with_debt.stages.clone();
        if !alone && !make_good.is_empty() {
            paid.push(Stage {
                day: today,
                handovers: make_good.clone(),
            });
        }
        let owing = owing_after(deal, &paid, with_debt.through_day)?;
        let tail = plan_deal_from(&rest, opts, floor, &owing)?;
        if tail.status == Status::Infeasible {
            return Ok(Plan {
                deal: deal.name.clone(),
                ..tail
            });
        }
        let mut plan = merge(deal, &with_debt, &released, tail);
        if !alone && !make_good.is_empty() {
            // The make-good opens the next day, before its planned handovers.
            match plan.stages.iter_mut().find(|s| s.day == today + 1) {
                Some(stage) => {
                    let planned = std::mem::take(&mut stage.handovers);
                    stage.handovers = make_good.iter().cloned().chain(planned).collect();
                }
                None => {
                    let at = plan.stages.partition_point(|s| s.day <= today);
                    plan.stages.insert(
                        at,
                        Stage {
                            day: today + 1,
                            handovers: make_good.clone(),
                        },
                    );
                }
            }
            plan.days_used = plan.stages.last().map_or(0, |s| s.day);
        }
        let problems = future_problems(deal, &plan, &make_good, today);
        if problems.is_empty() {
            plan.max_exposure = prefix_exposure(deal, &plan.stages);
            plan.tier_weighted_days = tier_weighted_days(
                deal,
                &plan.stages,
                deal.categories.iter().map(|c| c.tier).max().unwrap_or(1),
            );
            plan.replanned = Some(Replanned {
                carried_out_through: today,
                made_good: debts.clone(),
                broken: broken.clone(),
            });
            return Ok(plan);
        }
        last_problems = problems;
    }
    Err(PlanError::InvalidPrefix(
        std::iter::once(format!(
            "the counter-releases owed cannot be made good on day {} within the terms",
            today + 1
        ))
        .chain(last_problems)
        .collect(),
    ))
}

/// What breaks a term from day `today + 1` on. The make-good pays a debt of
/// the record, so the ratio and the exposure are judged as if it had closed
/// day `today` (its lateness is the record's finding, not the plan's); the
/// limits of the day it travels (daily maxima, capacity, convoys) are
/// judged on that day, with it.
fn future_problems(deal: &Deal, plan: &Plan, make_good: &[Handover], today: u32) -> Vec<String> {
    let mut problems = Vec::new();
    let mut paid_on_time = plan.clone();
    let with_debt: HashSet<&str> = make_good
        .iter()
        .flat_map(|h| h.persons.iter().map(String::as_str))
        .collect();
    for stage in &mut paid_on_time.stages {
        stage
            .handovers
            .retain(|h| !h.persons.iter().any(|p| with_debt.contains(p.as_str())));
    }
    if !make_good.is_empty() {
        match paid_on_time.stages.iter_mut().rfind(|s| s.day <= today) {
            Some(stage) => stage.handovers.extend(make_good.iter().cloned()),
            None => paid_on_time.stages.insert(
                0,
                Stage {
                    day: today.max(1),
                    handovers: make_good.to_vec(),
                },
            ),
        }
        paid_on_time.stages.retain(|s| !s.handovers.is_empty());
    }
    let future = |v: &crate::check::Violation| v.day.is_some_and(|d| d > today);
    problems.extend(
        check_plan(deal, &crate::plan::to_json(&paid_on_time))
            .violations
            .into_iter()
            .filter(future)
            .map(|v| v.message),
    );
    if !make_good.is_empty() {
        use ViolationKind::{Capacity, HandoversPerDay, MaxPerDay};
        problems.extend(
            check_plan(deal, &crate::plan::to_json(plan))
                .violations
                .into_iter()
                .filter(|v| v.day == Some(today + 1))
                .filter(|v| matches!(v.kind, MaxPerDay | Capacity | HandoversPerDay))
                .map(|v| v.message),
        );
    }
    problems
}

/// What the record owes under each exchange rule, and the handovers that
/// pay it: the owing holder's persons not yet released, in priority order
/// (tier, then family, then roster order), carried as the deal's handovers
/// are.
fn owed(
    deal: &Deal,
    stages: &[Stage],
    carried: &HashSet<&str>,
    day: u32,
) -> (Vec<MadeGood>, Vec<Handover>) {
    let persons: std::collections::HashMap<&str, &truce_spec::Person> =
        deal.persons.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut debts = Vec::new();
    let mut handovers = Vec::new();
    let mut taken: HashSet<&str> = HashSet::new();
    for (k, rule) in deal.exchanges.iter().enumerate() {
        let r = u64::from(rule.ratio.max(1));
        let (mut paid, mut counter) = (0u64, 0u64);
        for id in stages
            .iter()
            .flat_map(|s| &s.handovers)
            .flat_map(|h| &h.persons)
        {
            let Some(p) = persons.get(id.as_str()) else {
                continue;
            };
            if p.holder == rule.gives.holder && rule.gives.categories.contains(&p.category) {
                paid += 1;
            }
            if p.holder == rule.receives.holder && rule.receives.categories.contains(&p.category) {
                counter += 1;
            }
        }
        // Counter-releases owed, or releases a counter-release ran ahead of.
        let (side, owe) = if counter < r * paid {
            // Under a deferral, only what has fallen due by the record's
            // last day (the rest starts owing the remainder).
            let owe = if rule.deferred_days > 0 {
                overdue(deal, rule, stages, counter, day - 1)
            } else {
                r * paid - counter
            };
            (&rule.receives, owe)
        } else {
            (&rule.gives, (counter - r * paid).div_ceil(r))
        };
        if owe == 0 {
            continue;
        }
        let mut candidates: Vec<(usize, &truce_spec::Person)> = deal
            .persons
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.holder == side.holder
                    && side.categories.contains(&p.category)
                    && !carried.contains(p.id.as_str())
                    && !taken.contains(p.id.as_str())
            })
            .collect();
        candidates
            .sort_by_key(|(_, p)| (deal.tier(&p.category).unwrap_or(u32::MAX), p.group.clone()));
        let mut chosen: Vec<(usize, &truce_spec::Person)> = candidates
            .into_iter()
            .take(usize::try_from(owe).unwrap_or(usize::MAX))
            .collect();
        // A handover lists its persons in roster order.
        chosen.sort_by_key(|(i, _)| *i);
        let chosen: Vec<&truce_spec::Person> = chosen.into_iter().map(|(_, p)| p).collect();
        if chosen.is_empty() {
            continue;
        }
        taken.extend(chosen.iter().map(|p| p.id.as_str()));
        debts.push(MadeGood {
            rule: k + 1,
            holder: side.holder.0.clone(),
            persons: u32::try_from(chosen.len()).unwrap_or(u32::MAX),
            day,
        });
        // One handover per crossing the persons' routes name (one, without routes).
        let mut by_via: Vec<(Option<&truce_spec::PartyId>, Vec<String>)> = Vec::new();
        for p in chosen {
            let via = deal.route(&p.holder, &p.category);
            match by_via.iter_mut().find(|(v, _)| *v == via) {
                Some((_, ids)) => ids.push(p.id.as_str().to_owned()),
                None => by_via.push((via, vec![p.id.as_str().to_owned()])),
            }
        }
        for (via, persons) in by_via {
            handovers.push(Handover {
                from: side.holder.0.clone(),
                via: via.map(|v| v.0.clone()),
                persons,
            });
        }
    }
    (debts, handovers)
}

/// Counter-releases of a deferred `rule` that fell due by the end of day
/// `through` and are still owed, `counter` having been released (first
/// paid, first covered).
fn overdue(
    deal: &Deal,
    rule: &truce_spec::Exchange,
    stages: &[Stage],
    counter: u64,
    through: u32,
) -> u64 {
    let r = u64::from(rule.ratio.max(1));
    let mut per_day: BTreeMap<u32, u64> = BTreeMap::new();
    for s in stages {
        for id in s.handovers.iter().flat_map(|h| &h.persons) {
            if deal.persons.iter().any(|p| {
                p.id.as_str() == id
                    && p.holder == rule.gives.holder
                    && rule.gives.categories.contains(&p.category)
            }) {
                *per_day.entry(s.day).or_insert(0) += r;
            }
        }
    }
    let mut left = counter;
    let mut due = 0;
    for (&day, &owed) in &per_day {
        let cover = left.min(owed);
        left -= cover;
        if day + rule.deferred_days <= through {
            due += owed - cover;
        }
    }
    due
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
        // A deferred counter-release due after the prefix is the rest's to pay.
        .filter(|v| {
            v.kind != ViolationKind::MissingCounterRelease
                || v.day.is_none_or(|d| d <= prefix.through_day)
        })
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
    let prefix_last = stages.last().map_or(0, |s| s.day);
    let tail_values = Values::of(&tail);
    stages.extend(tail.stages.into_iter().map(|s| Stage {
        day: s.day + today,
        handovers: s.handovers,
    }));
    let mut totals = released_by(deal, released);
    for (h, n) in &tail.released {
        *totals.entry(h.clone()).or_insert(0) += n;
    }
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    let prefix_max = prefix_exposure(deal, &prefix.stages);
    let mut plan = Plan {
        deal: deal.name.clone(),
        released: totals,
        days_used: stages.last().map_or(0, |s| s.day),
        max_exposure: prefix_max.max(tail.max_exposure),
        tier_weighted_days: tier_weighted_days(deal, &stages, max_tier),
        stages,
        ..tail
    };
    // The tail's bound is on the days it planned; the whole plan's value
    // on the same level is the tail's plus what the record adds (persons
    // released, days, tier-weighted days) or its larger (exposure).
    if let (Some(level), Some(bound)) = (plan.unproven, plan.bound) {
        let whole = Values::of(&plan).at(level);
        let bound = match level {
            Level::MaxExposure => bound.max(prefix_max),
            // No day left to plan: the record's last day with a handover.
            Level::DaysUsed if bound < 1.0 => f64::from(prefix_last),
            Level::DaysUsed => bound + f64::from(today),
            Level::Released | Level::TierWeightedDays => bound + (whole - tail_values.at(level)),
        };
        // As the planner measures it: against the most persons a plan
        // might release, else against the plan's own value.
        let gap = match level {
            Level::Released if bound > 0.0 => (bound - whole) / bound,
            _ if whole > 0.0 => (whole - bound) / whole,
            _ => 0.0,
        };
        plan.bound = Some(bound);
        plan.gap = Some(gap);
    }
    plan
}

/// A plan's value on each objective level.
#[derive(Debug, Clone, Copy)]
struct Values {
    released: f64,
    days_used: f64,
    max_exposure: f64,
    tier_weighted_days: f64,
}

impl Values {
    fn of(plan: &Plan) -> Self {
        Self {
            released: f64::from(plan.total_released()),
            days_used: f64::from(plan.days_used),
            max_exposure: plan.max_exposure,
            tier_weighted_days: plan.tier_weighted_days as f64,
        }
    }

    fn at(self, level: Level) -> f64 {
        match level {
            Level::Released => self.released,
            Level::DaysUsed => self.days_used,
            Level::MaxExposure => self.max_exposure,
            Level::TierWeightedDays => self.tier_weighted_days,
        }
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

/// Per rule, what `stages` (days up to `through`) leave owed under its
/// `deferred_days` N, by the day of the rest it falls due on: slot `j` is
/// due at the end of day `through + j + 1`. Each day's payments are
/// covered in order (first paid, first covered), as the checker's
/// cumulative demand allows; a payment of day d falls due at the end of
/// day d + N. Empty for rules paid the same day. An amount already overdue
/// (a record that broke the deferral) is an invalid prefix here: the
/// record's make-good pays it before this is asked.
fn owing_after(deal: &Deal, stages: &[Stage], through: u32) -> Result<Vec<Vec<u32>>, PlanError> {
    let persons: std::collections::HashMap<&str, &truce_spec::Person> =
        deal.persons.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut out = Vec::with_capacity(deal.exchanges.len());
    for (i, rule) in deal.exchanges.iter().enumerate() {
        let n = rule.deferred_days;
        if n == 0 {
            out.push(Vec::new());
            continue;
        }
        let r = u64::from(rule.ratio.max(1));
        // Per day: what its payments owe; and every counter-release so far.
        let mut per_day: BTreeMap<u32, u64> = BTreeMap::new();
        let mut counter = 0u64;
        for s in stages {
            for id in s.handovers.iter().flat_map(|h| &h.persons) {
                let Some(p) = persons.get(id.as_str()) else {
                    continue;
                };
                if p.holder == rule.gives.holder && rule.gives.categories.contains(&p.category) {
                    *per_day.entry(s.day).or_insert(0) += r;
                }
                if p.holder == rule.receives.holder
                    && rule.receives.categories.contains(&p.category)
                {
                    counter += 1;
                }
            }
        }
        let mut slots = vec![0u32; n as usize];
        let mut left = counter;
        for (&day, &owed) in &per_day {
            let cover = left.min(owed);
            left -= cover;
            let rest = owed - cover;
            if rest == 0 {
                continue;
            }
            let due = day + n;
            if due <= through {
                return Err(PlanError::InvalidPrefix(vec![format!(
                    "exchange rule {}: {rest} counter-release(s) for day {day}'s releases were due by the end of day {due} and are still owed",
                    i + 1
                )]));
            }
            let j = (due - through - 1) as usize;
            slots[j] = slots[j].saturating_add(u32::try_from(rest).unwrap_or(u32::MAX));
        }
        out.push(slots);
    }
    Ok(out)
}
