//! The exact planner of the exchange: the lexicographic objective solved
//! level by level (see `solve/mod.rs`), the greedy fallback and the repair
//! search beyond the step budget, and the proven bounds. A leaf of `solve`:
//! the channel planner calls it for the deal without its channels.

use std::collections::BTreeMap;

use truce_spec::Deal;

use super::dp::{Goal, OutOfBudget, Search};
use super::exposure::Exposure;
use super::intraday::Schedules;
use super::model::{self, Model};
use super::options::{Method, PlanError, PlanOptions, PlanOutcome};
use super::owed;
use super::sequence;
use super::{day, intraday};
use crate::explain;
use crate::plan::{Handover, Level, PLAN_FORMAT_VERSION, Plan, Proof, Stage, Status};

/// The exact plan of a deal without channels or flows, where exposure up
/// to `floor` is already incurred and `owing` is owed at the start (see
/// `plan_deal_from`).
pub(super) fn plan_exchange(
    deal: &Deal,
    opts: &PlanOptions,
    floor: Exposure,
    owing: &[Vec<u32>],
) -> PlanOutcome {
    let mut model = model::build(deal)?;
    model.start_owing(owing);
    let mut budget = opts.step_budget;
    // Under a deferral the greedy plan comes first: when the bounds prove
    // its levels 1–3, the exact search of them is skipped (see `levels`).
    // Its steps count against the exact searches' budget.
    let incumbent = if model.deferred() && opts.method == Method::Auto {
        let (found, used) = greedy_plan(deal, &model, opts.step_budget, floor);
        budget = budget.saturating_sub(used);
        found
    } else {
        None
    };
    let out = match levels(&model, &mut budget, opts.method, floor, incumbent.as_ref()) {
        Ok(out) => out,
        Err(OutOfBudget) => {
            // No proof in budget: a greedy plan with proven bounds; when it
            // misses a guaranteed total (it never looks ahead), a search for
            // any plan, which also proves infeasibility when it finds none.
            let found = incumbent.or_else(|| greedy_plan(deal, &model, opts.step_budget, floor).0);
            if let Some((plan, _)) = found {
                return Ok(plan);
            }
            match repair(&model, opts.step_budget, floor) {
                Ok(Some(levels)) => return Ok(assemble(deal, &model, &levels, opts.step_budget)),
                Ok(None) => None,
                Err(OutOfBudget) => return Err(PlanError::SearchLimit(opts.step_budget)),
            }
        }
    };
    let Some(levels) = out else {
        // The explanation's oracle plans what-if variants of the deal from
        // scratch: with something owed at the start it would judge another
        // question, so such a rest is reported without conflicts.
        let owes = owing.iter().flatten().any(|&x| x > 0);
        let conflicts = if opts.explain && !owes {
            explain::conflicts(deal, opts.step_budget, &feasible)
        } else {
            Vec::new()
        };
        return Ok(infeasible(deal, &model, conflicts));
    };
    Ok(assemble(deal, &model, &levels, opts.step_budget))
}

/// Is there any plan at all? (The explanation's oracle.)
pub(crate) fn feasible(deal: &Deal, budget: u64) -> Option<bool> {
    let model = model::build(deal).ok()?;
    let bound = model.max_exposure.unwrap_or(u32::MAX);
    if let Some(chain) = fast_chain(&model) {
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
    let mut schedules = Schedules::default();
    let mut s = Search::new(
        &model,
        Goal::Levels,
        model.max_days,
        deal_bound(&model),
        Exposure::ZERO,
        &mut schedules,
        budget,
    );
    // Any plan answers the question, and a depth-first search finds one
    // long before the optimum is proven; exhausting it proves there is none.
    s.any_plan().ok().map(|p| p.is_some())
}

/// The fast path's shape, never under a deferral (its day counts assume
/// every day ends paid).
fn fast_chain(model: &Model) -> Option<sequence::Chain> {
    if model.deferred() {
        return None;
    }
    sequence::chain(model)
}

fn deal_bound(model: &Model) -> Option<Exposure> {
    model.max_exposure.map(|x| Exposure::whole(u64::from(x)))
}

/// Day by day, the admissible day releasing the most (best tiers on ties),
/// with no look-ahead; `None` if it misses a guaranteed total or the budget.
/// What it proves comes from bounds every plan obeys (see `bounds`).
fn greedy(
    model: &Model,
    budget: u64,
    floor: Exposure,
    bound: Option<Exposure>,
    used: &mut u64,
) -> Option<Levels> {
    let mut schedules = Schedules::default();
    let mut search = Search::new(
        model,
        Goal::Levels,
        model.max_days,
        bound,
        floor,
        &mut schedules,
        budget,
    );
    let out = greedy_walk(model, &mut search, floor);
    *used += budget - search.budget;
    out
}

fn greedy_walk(model: &Model, search: &mut Search<'_, '_>, floor: Exposure) -> Option<Levels> {
    let mut state = model.start_state();
    let mut next = Vec::new();
    let mut path = Vec::new();
    for day in 1..=model.max_days {
        if !search.base_met(day, &state) {
            return None;
        }
        // The day releasing the most persons, then the most weight, then
        // at the smallest peak (the last of equals, as `max_by` keeps):
        // only the actions of the best (persons, weight) that has an
        // admitted one need their order searched, so they are tried from
        // the most down, equals in the enumeration's order.
        let mut actions = search.day_actions(day, &state).ok()?;
        actions.sort_by_key(|a| std::cmp::Reverse((a.persons, a.weight)));
        let mut actions = actions.into_iter().peekable();
        let mut best = None;
        while let Some(first) = actions.peek() {
            let key = (first.persons, first.weight);
            let mut admitted = Vec::new();
            while let Some(mut a) = actions.next_if(|a| (a.persons, a.weight) == key) {
                // Under a deferral, an action that leaves the state is one
                // whose later days can still pay what falls due (see `owed`).
                if owed::advance(model, &mut next, &state, &a.take)
                    && search.admit(&mut a, &state).ok()?
                {
                    admitted.push(a);
                }
            }
            if !admitted.is_empty() {
                best = admitted
                    .into_iter()
                    .max_by(|a, b| std::cmp::Reverse(a.peak).cmp(&std::cmp::Reverse(b.peak)));
                break;
            }
        }
        match best {
            Some(a) => {
                if !owed::advance(model, &mut next, &state, &a.take) {
                    return None;
                }
                std::mem::swap(&mut state, &mut next);
                path.push((day, a));
            }
            None if day > model.base_days && model.extension.is_some_and(|(_, per)| per > 0) => {
                break;
            }
            None => {
                if !owed::advance(model, &mut next, &state, &[]) {
                    return None;
                }
                std::mem::swap(&mut state, &mut next);
            }
        }
    }
    if !search.base_met(model.max_days + 1, &state) {
        return None;
    }
    search.terminal(&state)?;
    Some(Levels {
        path,
        proof: Proof::default(),
        unproven: None,
        floor,
    })
}

/// Under a deferral the greedy day releases the most it can, and so owes
/// the most overnight: when its plan's exposure is what `bounds` leaves
/// unproven, the greedy runs again under tighter exposure bounds, from
/// that level's bound up, and the first plan that releases as many in as
/// few days at a smaller exposure replaces it (each run its own budget).
fn tighter(
    deal: &Deal,
    model: &Model,
    budget: u64,
    floor: Exposure,
    found: (Plan, Levels),
    used: &mut u64,
) -> (Plan, Levels) {
    let plan = &found.0;
    if !model.deferred() || plan.unproven != Some(Level::MaxExposure) {
        return found;
    }
    let Some(lower) = plan.bound else {
        return found;
    };
    let from = lower.ceil() as u64;
    let to = plan.max_exposure.ceil() as u64;
    for x in from..to {
        let Some(levels) = greedy(model, budget, floor, Some(Exposure::whole(x)), used) else {
            continue;
        };
        let p = assemble(deal, model, &levels, budget);
        if p.total_released() == plan.total_released()
            && p.days_used <= plan.days_used
            && p.max_exposure < plan.max_exposure
        {
            return (p, levels);
        }
    }
    found
}

/// The greedy plan (`greedy`, then `tighter`) with its days' actions, and
/// the steps it took (each greedy run has `budget` of its own, so the plan
/// does not depend on what else was spent).
fn greedy_plan(
    deal: &Deal,
    model: &Model,
    budget: u64,
    floor: Exposure,
) -> (Option<(Plan, Levels)>, u64) {
    let mut used = 0;
    let found = greedy(model, budget, floor, deal_bound(model), &mut used).map(|levels| {
        let plan = assemble(deal, model, &levels, budget);
        tighter(deal, model, budget, floor, (plan, levels), &mut used)
    });
    (found, used)
}

/// Any plan that meets every term (its levels judged by `bounds`), found by
/// the depth-first [`Search::any_plan`] within its own `budget`: `Ok(None)`
/// proves that there is none.
fn repair(model: &Model, budget: u64, floor: Exposure) -> Result<Option<Levels>, OutOfBudget> {
    let mut schedules = Schedules::default();
    let mut search = Search::new(
        model,
        Goal::Levels,
        model.max_days,
        deal_bound(model),
        floor,
        &mut schedules,
        budget,
    );
    Ok(search.any_plan()?.map(|path| Levels {
        path,
        proof: Proof::default(),
        unproven: None,
        floor,
    }))
}

/// The days handovers may happen on, in order (from the deal).
pub(super) fn allowed_days_of(deal: &Deal) -> Vec<u32> {
    (1..=deal.max_days())
        .filter(|d| {
            deal.release
                .release_days
                .as_ref()
                .is_none_or(|r| r.contains(d))
        })
        .collect()
}

/// The days handovers may happen on, in order.
fn allowed_days(model: &Model) -> Vec<u32> {
    (1..=model.max_days)
        .filter(|d| model.release_days.as_ref().is_none_or(|r| r.contains(d)))
        .collect()
}

/// What a plan that was not proven optimal does prove, from bounds every
/// plan obeys: the first level it does not meet, with its bound and gap.
/// * Released: each holder at most its roster, `total_max` and
///   `max_per_day` on every allowed day; all together at most the
///   intermediary's capacity, and the largest daily allowances of
///   `handovers_per_day` holders, on every allowed day.
/// * Days (when the plan releases that most): that many persons need at
///   least ⌈released / (most a day)⌉ allowed days.
/// * Exposure: never below the exposure already incurred (0 on a new plan),
///   nor, when every person is released, below what the busiest paying day
///   forces: some allowed day up to `days_used` pays at least ⌈G / those
///   days⌉ of a rule's G paying persons, in at most ⌈H/2⌉ runs between the
///   payee's handovers (H handovers a day), and the exposure after a run is
///   at least the run (the payee is never ahead, deferred or not).
/// * Tier order: at best the heaviest persons released go on the first
///   allowed day and the rest are counted unreleased.
fn bounds(model: &Model, plan: &Plan, floor: Exposure) -> (Proof, Option<(Level, f64, f64)>) {
    let days = allowed_days(model);
    let n_days = days.len() as u64;
    let mut per_holder = vec![0u64; model.holders.len()];
    for kind in &model.kinds {
        per_holder[kind.holder] += kind.units.len() as u64 * u64::from(kind.size);
    }
    let cap = |h: &model::Holder, n: u64| {
        n.min(u64::from(h.total_max))
            .min(u64::from(h.max_per_day).saturating_mul(n_days))
    };
    // Counter-releases only as payment: at most `ratio` × what the payer can pay.
    let mut paying = vec![0u64; model.rules.len()];
    let mut counter = vec![0u64; model.rules.len()];
    let mut free = vec![0u64; model.holders.len()];
    for kind in &model.kinds {
        let n = kind.units.len() as u64;
        let roles: u32 = kind.receives.iter().sum();
        for e in 0..model.rules.len() {
            paying[e] += n * u64::from(kind.gives[e]);
            counter[e] += n * u64::from(kind.receives[e]);
        }
        free[kind.holder] += n * u64::from(kind.size - roles);
    }
    let most: u64 = model
        .holders
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let paid: u64 = model
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.receives == i && r.gives < model.holders.len())
                .map(|(e, r)| {
                    let payer = cap(&model.holders[r.gives], paying[e]);
                    counter[e].min(u64::from(r.ratio).saturating_mul(payer))
                })
                .sum();
            cap(h, per_holder[i].min(free[i] + paid))
        })
        .sum::<u64>()
        .min(u64::from(model.capacity).saturating_mul(n_days))
        .min(busiest_day(model, &per_holder).saturating_mul(n_days));
    let released = u64::from(plan.total_released());
    let mut proof = Proof::default();
    if released < most {
        let gap = (most - released) as f64 / most as f64;
        return (proof, Some((Level::Released, most as f64, gap)));
    }
    proof.released = true;
    let a_day: u64 = model
        .holders
        .iter()
        .map(|h| u64::from(h.max_per_day))
        .fold(0u64, u64::saturating_add)
        .min(u64::from(model.capacity))
        .max(1);
    let need = released.div_ceil(a_day) as usize;
    let fewest = if need == 0 {
        0
    } else {
        days.get(need - 1).copied().unwrap_or(model.max_days)
    };
    if plan.days_used > fewest {
        let gap = f64::from(plan.days_used - fewest) / f64::from(plan.days_used);
        return (proof, Some((Level::DaysUsed, f64::from(fewest), gap)));
    }
    proof.days_used = true;
    let least = floor.as_f64().max(busiest_payment(model, plan, &days));
    if plan.max_exposure > least {
        let gap = (plan.max_exposure - least) / plan.max_exposure;
        return (proof, Some((Level::MaxExposure, least, gap)));
    }
    proof.max_exposure = true;
    let mut weights: Vec<u64> = model
        .kinds
        .iter()
        .flat_map(|k| std::iter::repeat_n(k.weight, k.units.len() * k.size as usize))
        .collect();
    weights.sort_unstable_by(|a, b| b.cmp(a));
    let first = u64::from(days.first().copied().unwrap_or(1));
    let late = u64::from(model.max_days + 1);
    let lowest: u64 = weights
        .iter()
        .enumerate()
        .map(|(i, &w)| w * if (i as u64) < released { first } else { late })
        .sum();
    if plan.tier_weighted_days > lowest {
        let gap = (plan.tier_weighted_days - lowest) as f64 / plan.tier_weighted_days as f64;
        return (proof, Some((Level::TierWeightedDays, lowest as f64, gap)));
    }
    proof.tier_order = true;
    (proof, None)
}

/// The exposure every plan releasing everyone within `plan.days_used`
/// reaches (see `bounds`); 0 when it says nothing.
fn busiest_payment(model: &Model, plan: &Plan, days: &[u32]) -> f64 {
    let everyone: u64 = model
        .kinds
        .iter()
        .map(|k| k.units.len() as u64 * u64::from(k.size))
        .sum();
    let h = model.handovers_per_day;
    if u64::from(plan.total_released()) < everyone || h == u32::MAX {
        return 0.0;
    }
    let n = days.iter().filter(|&&d| d <= plan.days_used).count() as u64;
    let runs = u64::from(h.div_ceil(2)).max(1);
    (0..model.rules.len())
        .filter(|&e| !model.rules[e].simultaneous)
        .map(|e| {
            let paying: u64 = model
                .kinds
                .iter()
                .map(|k| k.units.len() as u64 * u64::from(k.gives[e]))
                .sum();
            paying.div_ceil(n.max(1)).div_ceil(runs)
        })
        .max()
        .unwrap_or(0) as f64
}

/// The most any day can release through `handovers_per_day` handovers:
/// each comes from one holder, and a holder releases at most `max_per_day`
/// (and what it holds) a day, so the day is at most the largest such
/// allowances of that many holders.
fn busiest_day(model: &Model, held: &[u64]) -> u64 {
    let mut allowances: Vec<u64> = model
        .holders
        .iter()
        .zip(held)
        .map(|(h, &n)| n.min(u64::from(h.max_per_day)))
        .collect();
    allowances.sort_unstable_by(|a, b| b.cmp(a));
    allowances
        .iter()
        .take(model.handovers_per_day as usize)
        .sum()
}

/// What the planner found: the days' actions and what is proven.
struct Levels {
    path: Vec<(u32, day::DayAction)>,
    proof: Proof,
    /// `None` when every level is proven, or when `bounds` must decide.
    unproven: Option<(Level, f64, f64)>,
    /// Exposure already incurred before the plan (a re-plan's prefix).
    floor: Exposure,
}

/// Smallest `v` in `lo..=hi` with `ok(v)`, given `ok(hi)` and monotone `ok`.
fn smallest_pure(lo: u32, hi: u32, mut ok: impl FnMut(u32) -> bool) -> u32 {
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) { hi = mid } else { lo = mid + 1 }
    }
    hi
}

const ALL_PROVEN: Proof = Proof {
    released: true,
    days_used: true,
    max_exposure: true,
    tier_order: true,
};

/// Levels 1–3 of a plan when `bounds` proves all three: (last day, peak
/// as the search counts it). The peak is the largest of its days' (each
/// at least the exposure carried in, and the floor), which is the plan's
/// figure; should the two ever differ, nothing is claimed.
fn proven_levels(model: &Model, plan: &Plan, found: &Levels) -> Option<(u32, Exposure)> {
    let (proof, _) = bounds(model, plan, found.floor);
    if !(proof.released && proof.days_used && proof.max_exposure) {
        return None;
    }
    let peak = found
        .path
        .iter()
        .map(|(_, a)| a.peak)
        .fold(found.floor, Exposure::max);
    (peak.as_f64() == plan.max_exposure).then_some((plan.days_used, peak))
}

/// Whether a plan's days end by `days` and peak within `peak`.
fn within(found: &Levels, days: u32, peak: Exposure) -> bool {
    found.path.iter().all(|(d, a)| *d <= days && a.peak <= peak)
}

fn levels(
    model: &Model,
    budget: &mut u64,
    method: Method,
    floor: Exposure,
    incumbent: Option<&(Plan, Levels)>,
) -> Result<Option<Levels>, OutOfBudget> {
    if method == Method::Auto
        && !model.deferred()
        && let Some(found) = sequence_levels(model, floor)
    {
        return Ok(found);
    }
    let mut schedules = Schedules::default();
    // Levels 1–3 in one search (unless the incumbent's are proven by the
    // bounds every plan obeys), then level 4 within them.
    let proven = incumbent.and_then(|(plan, found)| proven_levels(model, plan, found));
    let (days, peak) = match proven {
        Some(best) => best,
        None => {
            let mut s = Search::new(
                model,
                Goal::Levels,
                model.max_days,
                deal_bound(model),
                floor,
                &mut schedules,
                *budget,
            );
            let Some(best) = s.solve()? else {
                return Ok(None);
            };
            *budget = s.budget;
            (best.days, best.peak)
        }
    };
    let mut s = Search::new(
        model,
        Goal::TierOrder,
        days,
        Some(peak),
        floor,
        &mut schedules,
        *budget,
    );
    // An incumbent within these bounds is a plan of this search: the best
    // reaches its gain, and every branch below it is cut.
    match incumbent.map(|(_, found)| found) {
        Some(found) if within(found, days, peak) => s.solve_reaching(s.gain_of(&found.path))?,
        _ => s.solve()?,
    };
    let path = s.path()?;
    *budget = s.budget;
    Ok(Some(Levels {
        path,
        proof: ALL_PROVEN,
        unproven: None,
        floor,
    }))
}

/// The fast path (`sequence`): `None` when the deal does not have its
/// shape or its day counts do not pack into whole groups.
fn sequence_levels(model: &Model, floor: Exposure) -> Option<Option<Levels>> {
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
        // In this shape every peak is a whole number of persons (a chunk),
        // so any peak up to the floor costs nothing more: allow up to ⌊floor⌋.
        let hi = bound.min(most_daily_gives(model));
        // Some allowed day up to `days` pays at least ⌈paid / those days⌉,
        // in at most `rounds` chunks: no smaller exposure can reach `best`.
        // It is usually the answer, so it is tried first.
        let paid = best.max(0) as u64 / (1 + u64::from(chain.ratio()));
        let n_days = allowed_days(model).iter().filter(|&&d| d <= days).count() as u64;
        let per_day = paid.div_ceil(n_days.max(1));
        let lo = u32::try_from(per_day.div_ceil(chain.rounds()))
            .unwrap_or(hi)
            .min(hi);
        let least = if reaches(days, lo) {
            lo
        } else {
            smallest_pure(lo, hi, |x| reaches(days, x))
        };
        let free = u32::try_from(floor.num / floor.den).unwrap_or(u32::MAX);
        least.max(free.min(hi))
    };
    seq.run(days, exposure);
    let counts = seq.day_counts(exposure);
    let path = seq.realise(&counts, exposure)?;
    Some(Some(Levels {
        path,
        proof: ALL_PROVEN,
        unproven: None,
        floor,
    }))
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

fn assemble(deal: &Deal, model: &Model, levels: &Levels, budget: u64) -> Plan {
    let mut cursor = vec![0usize; model.kinds.len()];
    let mut day_of = vec![None::<u32>; deal.persons.len()];
    let mut stages = Vec::new();
    // Exposure as the exact fraction num / ratio, walked handover by handover.
    let mut worst = (0u64, 1u64);
    // Under a deferral: per rule, (paying releases, counter-releases) of
    // the plan so far; what is owed carries into the next day.
    // A re-plan's rest starts owing: as (paid, counter) with
    // ratio × paid − counter = owed.
    let mut so_far: Vec<(u64, u64)> = model
        .owing_at_start()
        .into_iter()
        .zip(&model.rules)
        .map(|(owed, r)| {
            let ratio = u64::from(r.ratio.max(1));
            let paid = owed.div_ceil(ratio);
            (paid, ratio * paid - owed)
        })
        .collect();
    for (day, action) in &levels.path {
        let start: Vec<u64> = if model.deferred() {
            so_far
                .iter()
                .zip(&model.rules)
                .map(|(&(paid, counter), r)| {
                    if r.deferred > 0 {
                        (u64::from(r.ratio) * paid).saturating_sub(counter)
                    } else {
                        0
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let order: Vec<day::HandoverUnits> = match &action.order {
            Some(order) => order.clone(),
            // The search found this day's schedule within the same budget.
            None => intraday::day_order(model, &action.take, &start, budget).unwrap_or_default(),
        };
        let mut handovers = Vec::new();
        let mut today: Vec<(u64, u64)> = model
            .rules
            .iter()
            .zip(&so_far)
            .map(|(r, &t)| if r.deferred > 0 { t } else { (0, 0) })
            .collect();
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
                if model.rules[e].simultaneous {
                    continue;
                }
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
            // `h` is the handover's lane: its holder and intermediary.
            let (holder, via) = model.lanes[h];
            handovers.push(Handover {
                from: model.holders[holder].id.clone(),
                via: model.vias[via].id.clone(),
                persons: persons
                    .iter()
                    .map(|&p| deal.persons[p].id.0.clone())
                    .collect(),
            });
        }
        so_far = today;
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
    let mut plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        deal: deal.name.clone(),
        status: Status::Optimal,
        gap: Some(0.0),
        released,
        days_used: stages.last().map_or(0, |s| s.day),
        max_exposure: worst.0 as f64 / worst.1 as f64,
        tier_weighted_days,
        proof: levels.proof,
        unproven: None,
        bound: None,
        stages,
        conflicts: Vec::new(),
        replanned: None,
        flows: Vec::new(),
    };
    let p = levels.proof;
    if !(p.released && p.days_used && p.max_exposure && p.tier_order) {
        let (proof, unproven) = match levels.unproven {
            Some(u) => (p, Some(u)),
            None => bounds(model, &plan, levels.floor),
        };
        plan.proof = proof;
        if let Some((level, bound, gap)) = unproven {
            plan.status = Status::Feasible;
            plan.unproven = Some(level);
            plan.bound = Some(bound);
            plan.gap = Some(gap);
        }
    }
    plan
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
        unproven: None,
        bound: None,
        stages: Vec::new(),
        conflicts,
        replanned: None,
        flows: Vec::new(),
    }
}
