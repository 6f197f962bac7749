//! The exact planner: the lexicographic objective solved level by level.
//!
//! Each level is a bound on the next: with `D` the last allowed day and `X`
//! the exposure bound, [`dp::Search`] finds the most persons released and,
//! among those plans, the best tier order, exactly. Released persons never
//! decrease when `D` or `X` grows (every plan of the smaller bound is a plan of
//! the larger), so binary searches find the smallest `D` that still releases
//! the optimum, then the smallest `X` that does with that `D`; the final search
//! at (`D*`, `X*`) gives the best tier order. See the crate docs for the whole
//! optimality argument and where it stops (days with four or more handovers).

mod day;
mod dp;
pub(crate) mod model;
mod replan;
mod sequence;

use std::collections::BTreeMap;

use truce_spec::{AgreedDeal, Deal};

use crate::explain;
use crate::plan::{Handover, PLAN_FORMAT_VERSION, Plan, Proof, Stage, Status};
use dp::{OutOfBudget, Search};
use model::Model;
pub use model::ModelError;
pub use replan::{Prefix, replan};

/// How the planner searches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Day actions the exact search may enumerate before it gives up on a
    /// proof (a deterministic work limit rather than a clock, so every party
    /// gets the same answer on any machine).
    pub step_budget: u64,
    /// Look for the smallest set of conflicting terms when infeasible.
    pub explain: bool,
    /// Which exact method to use.
    pub method: Method,
}

/// The exact method (both prove what they return; they differ in speed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Method {
    /// The day-count sequence when the deal has its shape, else the unit search.
    #[default]
    Auto,
    /// Always the unit-level dynamic programme (for cross-checks).
    UnitSearch,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            step_budget: 20_000_000,
            explain: true,
            method: Method::Auto,
        }
    }
}

/// Why no plan (not even an infeasibility proof) could be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The deal has a shape this planner does not model.
    #[error("failed to model the deal: {0}")]
    Unsupported(#[from] ModelError),
    /// Only plans that pay in several handovers a day (P, Q, P, Q) could
    /// keep within the exposure bound; this planner plans one handover per
    /// holder a day, so it cannot prove either way.
    #[error(
        "failed to plan within the exposure bound: only paying in several handovers a day could meet it, which this planner does not plan yet"
    )]
    NeedsInterleaving,
    /// The handovers carried out already break terms of the deal.
    #[error("failed to re-plan: the handovers carried out break terms: {}", .0.join("; "))]
    InvalidPrefix(Vec<String>),
    /// The exact search needed more steps than allowed.
    #[error("failed to finish the exact search within {0} steps: raise the step budget")]
    SearchLimit(u64),
}

/// A plan (optimal, feasible with its gap, or infeasible with conflicts), or
/// why the planner could not answer.
pub type PlanOutcome = Result<Plan, PlanError>;

/// The lexicographically optimal plan of an agreed deal.
pub fn plan(deal: &AgreedDeal, opts: &PlanOptions) -> PlanOutcome {
    plan_deal(deal, opts)
}

/// The same on any deal value (what-if variants in explanations).
pub(crate) fn plan_deal(deal: &Deal, opts: &PlanOptions) -> PlanOutcome {
    plan_deal_from(deal, opts, 0)
}

/// The same, where exposure up to `exposure_floor` is already incurred (a
/// re-plan's prefix): level 3 then only minimises exposure above it.
pub(crate) fn plan_deal_from(deal: &Deal, opts: &PlanOptions, exposure_floor: u32) -> PlanOutcome {
    let model = model::build(deal)?;
    let mut budget = opts.step_budget;
    let out = match levels(&model, &mut budget, opts.method, exposure_floor) {
        Ok(out) => out,
        Err(OutOfBudget) => {
            // No proof in budget: a greedy plan with a proven gap, if one is found.
            return match greedy(&model, opts.step_budget) {
                Some(levels) => Ok(assemble(deal, &model, &levels)),
                None => Err(PlanError::SearchLimit(opts.step_budget)),
            };
        }
    };
    let Some(levels) = out else {
        if interleaving(&model) && model.max_exposure.is_some() && !relaxation_infeasible(&model) {
            let mut b = opts.step_budget;
            let relaxed = run(&model, model.max_days, u32::MAX, &mut b)
                .map_err(|OutOfBudget| PlanError::SearchLimit(opts.step_budget))?;
            if relaxed.is_some() {
                return Err(PlanError::NeedsInterleaving);
            }
        }
        let conflicts = if opts.explain {
            explain::conflicts(deal, opts)
        } else {
            Vec::new()
        };
        return Ok(infeasible(deal, &model, conflicts));
    };
    Ok(assemble(deal, &model, &levels))
}

/// Is there any plan at all? (The explanation's oracle.)
pub(crate) fn feasible(deal: &Deal, budget: u64) -> Option<bool> {
    let model = model::build(deal).ok()?;
    let mut budget = budget;
    let bound = model.max_exposure.unwrap_or(u32::MAX);
    if let Some(chain) = sequence::chain(&model) {
        // The fast path's relaxation decides infeasibility; a packed plan, feasibility.
        let mut seq = sequence::Sequence::new(&model, chain);
        if seq.run(model.max_days, bound).is_none() {
            return Some(false);
        }
        let counts = seq.day_counts(bound);
        if seq.realise(&counts, bound).is_some() {
            return Some(true);
        }
    }
    if run(&model, model.max_days, bound, &mut budget)
        .ok()?
        .is_some()
    {
        return Some(true);
    }
    if interleaving(&model) && model.max_exposure.is_some() {
        // Paying in chunks might meet the bound: infeasible only if even the
        // exposure-free relaxation is.
        let relaxed = run(&model, model.max_days, u32::MAX, &mut budget).ok()?;
        return relaxed.is_none().then_some(false);
    }
    Some(false)
}

/// Day by day, the admissible day releasing the most (best tiers on ties),
/// with no look-ahead; `None` if it misses a guaranteed total or the budget.
/// Its gap is against a simple bound on releases: each holder's roster, cap
/// and daily maximum over every possible day, and the intermediary's capacity.
fn greedy(model: &Model, budget: u64) -> Option<Levels> {
    let bound = model.max_exposure.unwrap_or(u32::MAX);
    let mut search = Search::new(model, model.max_days, bound, budget);
    let mut rem = model.initial();
    let mut path = Vec::new();
    for day in 1..=model.max_days {
        let best = search
            .day_actions(day, &rem)
            .ok()?
            .into_iter()
            .max_by_key(|a| (a.persons, a.weight));
        match best {
            Some(a) => {
                for &(k, x) in &a.take {
                    rem[k] -= x;
                }
                path.push((day, a));
            }
            None if day > model.base_days && model.extension.is_some_and(|(_, per)| per > 0) => {
                break;
            }
            None => {}
        }
    }
    search.terminal(&rem)?;
    let released: u64 = path.iter().map(|(_, a)| u64::from(a.persons)).sum();
    let days = u64::from(model.max_days);
    let mut per_holder = vec![0u64; model.holders.len()];
    for kind in &model.kinds {
        per_holder[kind.holder] += kind.units.len() as u64 * u64::from(kind.size);
    }
    let most: u64 = model
        .holders
        .iter()
        .zip(per_holder)
        .map(|(h, n)| {
            n.min(u64::from(h.total_max))
                .min(u64::from(h.max_per_day).saturating_mul(days))
        })
        .sum::<u64>()
        .min(u64::from(model.capacity).saturating_mul(days));
    let gap = if most == 0 {
        0.0
    } else {
        most.saturating_sub(released) as f64 / most as f64
    };
    Some(Levels {
        path,
        proof: Proof::default(),
        gap,
    })
}

/// Does the fast path's relaxation (which includes paying in chunks) prove
/// that no plan exists?
fn relaxation_infeasible(model: &Model) -> bool {
    sequence::chain(model).is_some_and(|chain| {
        let bound = model.max_exposure.unwrap_or(u32::MAX);
        sequence::Sequence::new(model, chain)
            .run(model.max_days, bound)
            .is_none()
    })
}

struct Levels {
    path: Vec<(u32, day::DayAction)>,
    proof: Proof,
    gap: f64,
}

fn run(
    model: &Model,
    days: u32,
    exposure: u32,
    budget: &mut u64,
) -> Result<Option<dp::Value>, OutOfBudget> {
    let mut s = Search::new(model, days, exposure, *budget);
    let r = s.solve();
    *budget = s.budget;
    r
}

/// Smallest `v` in `lo..=hi` with `ok(v)`, given `ok(hi)` and monotone `ok`.
fn smallest(
    lo: u32,
    hi: u32,
    mut ok: impl FnMut(u32) -> Result<bool, OutOfBudget>,
) -> Result<u32, OutOfBudget> {
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if ok(mid)? { hi = mid } else { lo = mid + 1 }
    }
    Ok(hi)
}

fn levels(
    model: &Model,
    budget: &mut u64,
    method: Method,
    floor: u32,
) -> Result<Option<Levels>, OutOfBudget> {
    if method == Method::Auto
        && let Some(found) = sequence_levels(model, floor)
    {
        return Ok(found);
    }
    let bound = model.max_exposure.unwrap_or(u32::MAX);
    let Some((best, _)) = run(model, model.max_days, bound, budget)? else {
        return Ok(None);
    };
    let released_with = |d: u32, x: u32, budget: &mut u64| -> Result<bool, OutOfBudget> {
        Ok(run(model, d, x, budget)?.is_some_and(|(n, _)| n == best))
    };
    let days = smallest(0, model.max_days, |d| released_with(d, bound, budget))?;
    // A canonical day's exposure is its largest paying release of one rule.
    let most_gives = most_daily_gives(model).min(bound);
    let exposure = if model.rules.is_empty() {
        0
    } else {
        smallest(floor.min(most_gives), most_gives, |x| {
            released_with(days, x, budget)
        })?
    };
    let mut s = Search::new(model, days, exposure, *budget);
    s.solve()?;
    let path = s.path()?;
    *budget = s.budget;
    let (proof, gap) = proof(model, best, days, exposure, budget)?;
    Ok(Some(Levels { path, proof, gap }))
}

/// The fast path (`sequence`): `None` when the deal does not have its
/// shape or its day counts do not pack into whole groups.
fn sequence_levels(model: &Model, floor: u32) -> Option<Option<Levels>> {
    let chain = sequence::chain(model)?;
    let mut seq = sequence::Sequence::new(model, chain);
    let bound = model.max_exposure.unwrap_or(u32::MAX);
    let Some((best, _)) = seq.run(model.max_days, bound) else {
        // The relaxation has no plan, so the deal has none.
        return Some(None);
    };
    let mut reaches = |d: u32, x: u32| seq.run(d, x).is_some_and(|(n, _)| n == best);
    let days = smallest_pure(0, model.max_days, |d| reaches(d, bound));
    let exposure = if model.rules.is_empty() {
        0
    } else {
        let hi = bound.min(most_daily_gives(model));
        smallest_pure(floor.min(hi), hi, |x| reaches(days, x))
    };
    seq.run(days, exposure);
    let counts = seq.day_counts(exposure);
    let path = seq.realise(&counts, exposure)?;
    let proof = Proof {
        released: true,
        days_used: true,
        max_exposure: true,
        tier_order: true,
    };
    Some(Some(Levels {
        path,
        proof,
        gap: 0.0,
    }))
}

fn smallest_pure(lo: u32, hi: u32, mut ok: impl FnMut(u32) -> bool) -> u32 {
    smallest(lo, hi, |v| Ok(ok(v))).unwrap_or(hi)
}

/// An upper bound on any day's paying releases for one rule.
fn most_daily_gives(model: &Model) -> u32 {
    (0..model.rules.len())
        .map(|e| {
            model
                .kinds
                .iter()
                .map(|k| k.gives[e].saturating_mul(k.units.len() as u32))
                .fold(0u32, u32::saturating_add)
        })
        .max()
        .unwrap_or(0)
}

/// Can a day pay in chunks (P, Q, P, Q), which the canonical day does not plan?
fn interleaving(model: &Model) -> bool {
    !model.rules.is_empty() && model.handovers_per_day >= 4
}

/// Which levels are proven. The canonical daily shape (one handover per
/// releasing holder) is without loss when a day cannot interleave a payer's
/// releases with their payment, i.e. with at most three handovers a day or no
/// exchange rule. Otherwise released persons and days are proven against the
/// exposure-free relaxation, where interleaving never helps.
fn proof(
    model: &Model,
    best: u32,
    days: u32,
    exposure: u32,
    budget: &mut u64,
) -> Result<(Proof, f64), OutOfBudget> {
    if !interleaving(model) {
        let all = Proof {
            released: true,
            days_used: true,
            max_exposure: true,
            tier_order: true,
        };
        return Ok((all, 0.0));
    }
    let relaxed = run(model, model.max_days, u32::MAX, budget)?.map_or(best, |(n, _)| n);
    let released = relaxed == best;
    let relaxed_days = if released {
        smallest(0, days, |d| {
            Ok(run(model, d, u32::MAX, budget)?.is_some_and(|(n, _)| n == best))
        })?
    } else {
        0
    };
    let days_proven = released && relaxed_days == days;
    let gap = if !released {
        f64::from(relaxed - best) / f64::from(relaxed.max(1))
    } else if !days_proven {
        f64::from(days - relaxed_days) / f64::from(days.max(1))
    } else if exposure > 1 {
        // Interleaving cannot bring exposure below one person.
        f64::from(exposure - 1) / f64::from(exposure)
    } else {
        0.0
    };
    let exposure_proven = days_proven && exposure <= 1;
    let proof = Proof {
        released,
        days_used: days_proven,
        max_exposure: exposure_proven,
        tier_order: false,
    };
    Ok((proof, gap))
}

fn assemble(deal: &Deal, model: &Model, levels: &Levels) -> Plan {
    let mut cursor = vec![0usize; model.kinds.len()];
    let mut day_of = vec![None::<u32>; deal.persons.len()];
    let mut stages = Vec::new();
    // Exposure as the exact fraction num / ratio, walked handover by handover.
    let mut worst = (0u64, 1u64);
    for (day, action) in &levels.path {
        let order: Vec<day::HandoverUnits> = match &action.order {
            Some(order) => order.clone(),
            None => model
                .order
                .iter()
                .map(|&h| {
                    (
                        h,
                        action
                            .take
                            .iter()
                            .copied()
                            .filter(|&(k, _)| model.kinds[k].holder == h)
                            .collect(),
                    )
                })
                .collect(),
        };
        let mut handovers = Vec::new();
        let mut today = vec![(0u64, 0u64); model.rules.len()];
        for (h, takes) in order {
            let mut persons: Vec<usize> = Vec::new();
            for &(k, x) in &takes {
                let units = &model.kinds[k].units[cursor[k]..cursor[k] + x as usize];
                cursor[k] += x as usize;
                persons.extend(units.iter().flatten());
                for (e, t) in today.iter_mut().enumerate() {
                    t.0 += u64::from(x * model.kinds[k].gives[e]);
                    t.1 += u64::from(x * model.kinds[k].receives[e]);
                }
            }
            if persons.is_empty() {
                continue;
            }
            for (e, &(paid, counter)) in today.iter().enumerate() {
                let r = u64::from(model.rules[e].ratio);
                let num = (r * paid).abs_diff(counter);
                if num * worst.1 > worst.0 * r {
                    worst = (num, r);
                }
            }
            persons.sort_unstable();
            for &p in &persons {
                day_of[p] = Some(*day);
            }
            handovers.push(Handover {
                from: model.holders[h].id.clone(),
                via: model.via.clone(),
                persons: persons
                    .iter()
                    .map(|&p| deal.persons[p].id.0.clone())
                    .collect(),
            });
        }
        stages.push(Stage {
            day: *day,
            handovers,
        });
    }
    let mut released: BTreeMap<String, u32> =
        model.holders.iter().map(|h| (h.id.clone(), 0)).collect();
    let mut tier_weighted_days = 0u64;
    for kind in &model.kinds {
        for unit in &kind.units {
            for &p in unit {
                let day = day_of[p].unwrap_or(model.max_days + 1);
                tier_weighted_days += kind.weight * u64::from(day);
                if day_of[p].is_some() {
                    *released
                        .entry(model.holders[kind.holder].id.clone())
                        .or_insert(0) += 1;
                }
            }
        }
    }
    let p = levels.proof;
    let optimal = p.released && p.days_used && p.max_exposure && p.tier_order;
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        deal: deal.name.clone(),
        status: if optimal {
            Status::Optimal
        } else {
            Status::Feasible
        },
        gap: Some(levels.gap),
        released,
        days_used: stages.last().map_or(0, |s| s.day),
        max_exposure: worst.0 as f64 / worst.1 as f64,
        tier_weighted_days,
        proof: p,
        stages,
        conflicts: Vec::new(),
    }
}

fn infeasible(deal: &Deal, model: &Model, conflicts: Vec<crate::plan::Conflict>) -> Plan {
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        deal: deal.name.clone(),
        status: Status::Infeasible,
        gap: None,
        released: model.holders.iter().map(|h| (h.id.clone(), 0)).collect(),
        days_used: 0,
        max_exposure: 0.0,
        tier_weighted_days: 0,
        proof: Proof {
            released: true,
            days_used: true,
            max_exposure: true,
            tier_order: true,
        },
        stages: Vec::new(),
        conflicts,
    }
}
