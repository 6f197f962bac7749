//! Persons released outside the exchange through another channel, and the
//! deal's resource flows.
//!
//! A channel's persons pay for nothing, are paid for by nothing, and count
//! against no roster limit, intermediary or extension rule, so they share no
//! term with the rest of the deal but the days: the deal without them is
//! planned exactly, and each channel is planned on its own and added. Each
//! level is a sum (released, tier-weighted days) or a maximum (days used,
//! exposure, which a channel never raises) of the parts, so the parts' optima
//! make the whole's — except when a channel needs more days than the rest:
//! the rest could then use those days to lower its exposure, so that level is
//! left unproven with the bound every plan obeys (the exposure already
//! incurred).

use std::collections::BTreeMap;

use truce_spec::{Channel, Deal};

use super::exact::{allowed_days_of, plan_exchange};
use super::exposure::Exposure;
use super::options::{PlanOptions, PlanOutcome};
use crate::plan::{Handover, Level, PlannedFlow, Status};

/// Plans a deal that has channels or flows.
pub(super) fn plan_with(
    deal: &Deal,
    opts: &PlanOptions,
    floor: Exposure,
    owing: &[Vec<u32>],
) -> PlanOutcome {
    let mut rest = deal.clone();
    rest.flows.clear();
    rest.channels.clear();
    rest.persons
        .retain(|p| deal.channel_of(&p.holder, &p.category).is_none());
    let mut plan = plan_exchange(&rest, opts, floor, owing)?;
    if plan.status == Status::Infeasible {
        return Ok(plan);
    }
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    // Extension days exist only when the rest's releases earn them: the
    // channels use the base days and the extension days the rest uses.
    let last = deal.pause.days.max(plan.days_used);
    let days: Vec<u32> = allowed_days_of(deal)
        .into_iter()
        .filter(|&d| d <= last)
        .collect();
    let late = u64::from(deal.max_days() + 1);
    let mut channel_days = 0u32;
    let mut certified = true;
    for channel in &deal.channels {
        let (placed, whole) = place(deal, channel, &days);
        certified &= whole;
        for (day, ids) in placed {
            channel_days = channel_days.max(day);
            let stage = match plan.stages.iter().position(|s| s.day >= day) {
                Some(i) if plan.stages[i].day == day => &mut plan.stages[i],
                Some(i) => {
                    plan.stages.insert(
                        i,
                        crate::plan::Stage {
                            day,
                            handovers: Vec::new(),
                        },
                    );
                    &mut plan.stages[i]
                }
                None => {
                    plan.stages.push(crate::plan::Stage {
                        day,
                        handovers: Vec::new(),
                    });
                    plan.stages.last_mut().expect("just pushed")
                }
            };
            // Outside the exchange, nothing depends on their order: first.
            stage.handovers.insert(
                0,
                Handover {
                    from: channel.holder.0.clone(),
                    via: Some(channel.via.0.clone()),
                    persons: ids,
                },
            );
        }
    }
    // Figures of the whole: the rest's plus the channels'.
    let mut day_of: BTreeMap<&str, u32> = BTreeMap::new();
    for s in &plan.stages {
        for h in &s.handovers {
            for p in &h.persons {
                day_of.insert(p.as_str(), s.day);
            }
        }
    }
    let mut released: BTreeMap<String, u32> =
        plan.released.keys().map(|k| (k.clone(), 0)).collect();
    let mut weighted = 0u64;
    for p in &deal.persons {
        let tier = deal.tier(&p.category).unwrap_or(max_tier);
        let weight = u64::from(max_tier + 1 - tier.min(max_tier));
        match day_of.get(p.id.0.as_str()) {
            Some(&d) => {
                weighted += weight * u64::from(d);
                *released.entry(p.holder.0.clone()).or_insert(0) += 1;
            }
            None => weighted += weight * late,
        }
    }
    plan.released = released;
    plan.tier_weighted_days = weighted;
    let rest_days = plan.days_used;
    plan.days_used = plan.stages.last().map_or(0, |s| s.day);
    plan.flows = flows(deal, plan.days_used);
    if plan.status == Status::Optimal && !certified {
        // A group larger than the room left on a day may have been put off.
        plan.status = Status::Feasible;
        plan.proof.released = false;
        plan.proof.days_used = false;
        plan.proof.max_exposure = false;
        plan.proof.tier_order = false;
        let most = f64::from(plan.total_released())
            + deal
                .persons
                .iter()
                .filter(|p| {
                    deal.channel_of(&p.holder, &p.category).is_some()
                        && !day_of.contains_key(p.id.0.as_str())
                })
                .count() as f64;
        plan.unproven = Some(Level::Released);
        plan.bound = Some(most);
        plan.gap = Some((most - f64::from(plan.total_released())) / most.max(1.0));
    } else if plan.status == Status::Optimal
        && channel_days > rest_days
        && plan.max_exposure > floor.as_f64()
    {
        plan.status = Status::Feasible;
        plan.proof.max_exposure = false;
        plan.proof.tier_order = false;
        plan.unproven = Some(Level::MaxExposure);
        plan.bound = Some(floor.as_f64());
        plan.gap = Some((plan.max_exposure - floor.as_f64()) / plan.max_exposure);
    }
    Ok(plan)
}

/// A channel's persons on the allowed days, best tier first, whole groups,
/// at most `max_per_day` a day: (day, ids) per day, and whether the
/// placement is certainly optimal (every unit placed, and days filled to the
/// limit, which holds when no group is larger than one person or there is no
/// limit).
fn place(deal: &Deal, channel: &Channel, days: &[u32]) -> (Vec<(u32, Vec<String>)>, bool) {
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    // Units: groups (when kept together) or single persons, by best tier.
    let mut units: Vec<(u32, Vec<&str>)> = Vec::new();
    let mut group_at: BTreeMap<&str, usize> = BTreeMap::new();
    for p in deal
        .persons
        .iter()
        .filter(|p| p.holder == channel.holder && channel.categories.contains(&p.category))
    {
        let tier = deal.tier(&p.category).unwrap_or(max_tier);
        match (&p.group, deal.release.keep_groups_together) {
            (Some(g), true) => match group_at.get(g.0.as_str()) {
                Some(&i) => {
                    units[i].0 = units[i].0.min(tier);
                    units[i].1.push(p.id.0.as_str());
                }
                None => {
                    group_at.insert(g.0.as_str(), units.len());
                    units.push((tier, vec![p.id.0.as_str()]));
                }
            },
            _ => units.push((tier, vec![p.id.0.as_str()])),
        }
    }
    units.sort_by_key(|u| u.0);
    let cap = channel.max_per_day.map_or(usize::MAX, |c| c as usize);
    let mut left: Vec<Option<(u32, Vec<&str>)>> = units.into_iter().map(Some).collect();
    let mut out = Vec::new();
    for &day in days {
        let mut today: Vec<String> = Vec::new();
        for slot in left.iter_mut() {
            if slot
                .as_ref()
                .is_some_and(|u| today.len() + u.1.len() <= cap)
            {
                let (_, ids) = slot.take().expect("checked");
                today.extend(ids.iter().map(|s| (*s).to_owned()));
            }
        }
        if today.is_empty() {
            continue;
        }
        today.sort_unstable();
        out.push((day, today));
    }
    let all_placed = left.iter().all(Option::is_none);
    let singles =
        channel.max_per_day.is_none() || group_at.is_empty() || !deal.release.keep_groups_together;
    (out, all_placed && singles)
}

/// The deal's flows, at their minimums on every day of the pause the plan
/// spans (the base days, and the extension days it uses).
pub(super) fn flows(deal: &Deal, days_used: u32) -> Vec<PlannedFlow> {
    let last = deal.pause.days.max(days_used);
    deal.flows
        .iter()
        .map(|f| PlannedFlow {
            id: f.id.clone(),
            unit: f.unit.clone(),
            by: f.by.0.clone(),
            via: f.via.as_ref().map(|v| v.0.clone()),
            per_day: f.min_per_day,
            days: (1..=last).collect(),
        })
        .collect()
}
