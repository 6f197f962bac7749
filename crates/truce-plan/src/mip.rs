//! A MIP of the staged-exchange problem, solved by HiGHS through `good_lp`,
//! to cross-check the exact planner (feature `highs`; tests only).
//!
//! It is written from the deal directly, at the level of units (a kept group
//! or one person) with one binary per unit and day, sharing no code with the
//! planner's kinds or searches. It models the canonical day (one handover per
//! releasing holder, payers first), the shape the planner proves optimal when
//! a day has at most three handovers.

use std::collections::HashMap;

use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, highs, variable,
};
use truce_spec::{Deal, Priority};

/// What to optimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MipObjective {
    /// Most persons released.
    Released,
    /// Smallest tier-weighted day sum among plans releasing at least this many.
    TierOrder { released: u32 },
}

struct Unit {
    holder: String,
    size: f64,
    tier: u32,
    /// Per rule: members that pay, members that are counter-releases.
    gives: Vec<f64>,
    receives: Vec<f64>,
}

fn units(deal: &Deal) -> Vec<Unit> {
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, p) in deal.persons.iter().enumerate() {
        match (&p.group, deal.release.keep_groups_together) {
            (Some(g), true) => {
                let u = *index
                    .entry((p.holder.as_str(), g.as_str()))
                    .or_insert_with(|| {
                        members.push(Vec::new());
                        members.len() - 1
                    });
                members[u].push(i);
            }
            _ => members.push(vec![i]),
        }
    }
    members
        .into_iter()
        .map(|m| {
            let first = &deal.persons[m[0]];
            let count = |pick: &dyn Fn(&truce_spec::Exchange) -> &truce_spec::ExchangeSide| {
                deal.exchanges
                    .iter()
                    .map(|e| {
                        let s = pick(e);
                        m.iter()
                            .filter(|&&i| {
                                let p = &deal.persons[i];
                                p.holder == s.holder && s.categories.contains(&p.category)
                            })
                            .count() as f64
                    })
                    .collect()
            };
            Unit {
                holder: first.holder.0.clone(),
                size: m.len() as f64,
                tier: m
                    .iter()
                    .map(|&i| deal.tier(&deal.persons[i].category).unwrap_or(max_tier))
                    .min()
                    .unwrap_or(max_tier),
                gives: count(&|e| &e.gives),
                receives: count(&|e| &e.receives),
            }
        })
        .collect()
}

/// The optimum of `objective` with handovers only on days `1..=days` and each
/// rule's daily paying releases at most `exposure`; `None` when infeasible.
pub fn solve(
    deal: &Deal,
    days: u32,
    exposure: Option<u32>,
    objective: MipObjective,
) -> Option<f64> {
    let units = units(deal);
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    let horizon = f64::from(deal.max_days() + 1);
    let big = deal.persons.len() as f64 + 1.0;
    let allowed = |d: u32| {
        deal.release
            .release_days
            .as_ref()
            .is_none_or(|r| r.contains(&d))
    };
    let mut vars = ProblemVariables::new();
    let day_list: Vec<u32> = (1..=days.min(deal.max_days())).collect();
    // x[u][d]: unit u goes on day d.
    let x: Vec<HashMap<u32, Variable>> = units
        .iter()
        .map(|_| {
            day_list
                .iter()
                .filter(|&&d| allowed(d))
                .map(|&d| (d, vars.add(variable().binary())))
                .collect()
        })
        .collect();
    let holders: Vec<String> = deal.rosters.iter().map(|r| r.holder.0.clone()).collect();
    let y: Vec<HashMap<u32, Variable>> = holders
        .iter()
        .map(|_| {
            day_list
                .iter()
                .map(|&d| (d, vars.add(variable().binary())))
                .collect()
        })
        .collect();
    let earned: HashMap<u32, Variable> = day_list
        .iter()
        .filter(|&&d| d > deal.pause.days)
        .map(|&d| (d, vars.add(variable().binary())))
        .collect();

    let released: Expression = units
        .iter()
        .zip(&x)
        .flat_map(|(u, xs)| xs.values().map(move |&v| u.size * v))
        .sum();
    let weight: Expression = units
        .iter()
        .zip(&x)
        .map(|(u, xs)| {
            let w = f64::from(max_tier + 1 - u.tier.min(max_tier)) * u.size;
            let on: Expression = xs
                .iter()
                .map(|(&d, &v)| (w * (f64::from(d) - horizon)) * v)
                .sum();
            on + w * horizon
        })
        .sum();
    let weight_again = weight.clone();
    let mut model = match objective {
        MipObjective::Released => vars.maximise(released.clone()).using(highs),
        MipObjective::TierOrder { .. } => vars.minimise(weight.clone()).using(highs),
    };
    if let MipObjective::TierOrder { released: r } = objective {
        model = model.with(constraint!(released.clone() >= f64::from(r)));
    }
    for xs in &x {
        let once: Expression = xs.values().copied().map(Expression::from).sum();
        model = model.with(constraint!(once <= 1));
    }
    let day_count = |h: &str, d: u32| -> Expression {
        units
            .iter()
            .zip(&x)
            .filter(|(u, _)| u.holder == h)
            .filter_map(|(u, xs)| xs.get(&d).map(|&v| u.size * v))
            .sum()
    };
    for (hi, r) in deal.rosters.iter().enumerate() {
        let h = r.holder.as_str();
        let total: Expression = day_list.iter().map(|&d| day_count(h, d)).sum();
        if let Some(m) = r.total_min {
            model = model.with(constraint!(total.clone() >= f64::from(m)));
        }
        if let Some(m) = r.total_max {
            model = model.with(constraint!(total.clone() <= f64::from(m)));
        }
        for &d in &day_list {
            let n = day_count(h, d);
            let on = y[hi][&d];
            let most = r.max_per_day.map_or(big, f64::from);
            model = model.with(constraint!(n.clone() <= most * on));
            model = model.with(constraint!(
                n.clone() >= f64::from(r.min_per_day.unwrap_or(0)) * on
            ));
            if let Some(&a) = earned.get(&d) {
                model = model.with(constraint!(n.clone() <= big * a));
            }
        }
    }
    for &d in &day_list {
        if let Some(via) = deal.intermediary() {
            let all: Expression = holders.iter().map(|h| day_count(h, d)).sum();
            if let Some(c) = via.capacity_per_day {
                model = model.with(constraint!(all <= f64::from(c)));
            }
            let convoys: Expression = y.iter().map(|ys| Expression::from(ys[&d])).sum();
            model = model.with(constraint!(
                convoys <= f64::from(via.handovers_per_day.unwrap_or(2))
            ));
        }
        for (e, rule) in deal.exchanges.iter().enumerate() {
            let paid: Expression = units
                .iter()
                .zip(&x)
                .filter_map(|(u, xs)| xs.get(&d).map(|&v| u.gives[e] * v))
                .sum();
            let counter: Expression = units
                .iter()
                .zip(&x)
                .filter_map(|(u, xs)| xs.get(&d).map(|&v| u.receives[e] * v))
                .sum();
            model = model.with(constraint!(counter == f64::from(rule.ratio) * paid.clone()));
            if let Some(b) = exposure {
                model = model.with(constraint!(paid <= f64::from(b)));
            }
        }
        if let Some(&a) = earned.get(&d) {
            if let Some(&prev) = earned.get(&(d - 1)) {
                model = model.with(constraint!(a <= prev));
            }
            if let Some(ext) = &deal.pause.extension {
                let by = day_count(ext.by.as_str(), d);
                model = model.with(constraint!(by >= f64::from(ext.per_releases) * a));
            }
        }
    }
    if deal.release.priority == Priority::Strict {
        // A unit of tier t on day d needs every better-tier unit of its holder by day d.
        for (u, xu) in units.iter().zip(&x) {
            for (v, xv) in units.iter().zip(&x) {
                if u.holder != v.holder || v.tier >= u.tier {
                    continue;
                }
                for (&d, &on) in xu {
                    let by_then: Expression = xv
                        .iter()
                        .filter(|(dd, _)| **dd <= d)
                        .map(|(_, &w)| Expression::from(w))
                        .sum();
                    model = model.with(constraint!(on <= by_then));
                }
            }
        }
    }
    let solution = model.solve().ok()?;
    Some(match objective {
        MipObjective::Released => solution.eval(released),
        MipObjective::TierOrder { .. } => solution.eval(weight_again),
    })
}
