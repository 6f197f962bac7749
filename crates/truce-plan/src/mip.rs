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
    TierOrder {
        /// The fewest persons the plan must release.
        released: u32,
    },
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

/// The model's binaries: `x[u][d]` unit `u` goes on day `d` (only on
/// allowed days), `y[h][d]` holder `h` has a handover on day `d`, and
/// `earned[d]` extension day `d` is earned.
struct Vars {
    x: Vec<HashMap<u32, Variable>>,
    y: Vec<HashMap<u32, Variable>>,
    earned: HashMap<u32, Variable>,
}

/// What every constraint reads: the deal, its units, the days modelled,
/// the holders with a roster and a large enough constant.
struct Cx<'a> {
    deal: &'a Deal,
    units: &'a [Unit],
    vars: &'a Vars,
    day_list: &'a [u32],
    holders: &'a [String],
    big: f64,
}

impl Cx<'_> {
    /// Persons `h` releases on day `d`.
    fn day_count(&self, h: &str, d: u32) -> Expression {
        self.units
            .iter()
            .zip(&self.vars.x)
            .filter(|(u, _)| u.holder == h)
            .filter_map(|(u, xs)| xs.get(&d).map(|&v| u.size * v))
            .sum()
    }
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
    let mut problem = ProblemVariables::new();
    let day_list: Vec<u32> = (1..=days.min(deal.max_days())).collect();
    let holders: Vec<String> = deal.rosters.iter().map(|r| r.holder.0.clone()).collect();
    let vars = variables(deal, &units, &day_list, &holders, &mut problem);
    let released: Expression = units
        .iter()
        .zip(&vars.x)
        .flat_map(|(u, xs)| xs.values().map(move |&v| u.size * v))
        .sum();
    let weight: Expression = units
        .iter()
        .zip(&vars.x)
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
        MipObjective::Released => problem.maximise(released.clone()).using(highs),
        MipObjective::TierOrder { .. } => problem.minimise(weight.clone()).using(highs),
    };
    if let MipObjective::TierOrder { released: r } = objective {
        model = model.with(constraint!(released.clone() >= f64::from(r)));
    }
    for xs in &vars.x {
        let once: Expression = xs.values().copied().map(Expression::from).sum();
        model = model.with(constraint!(once <= 1));
    }
    let cx = Cx {
        deal,
        units: &units,
        vars: &vars,
        day_list: &day_list,
        holders: &holders,
        big: deal.persons.len() as f64 + 1.0,
    };
    model = roster_limits(&cx, model);
    model = daily_terms(&cx, exposure, model);
    if deal.release.priority == Priority::Strict {
        model = strict_priority(&cx, model);
    }
    let solution = model.solve().ok()?;
    Some(match objective {
        MipObjective::Released => solution.eval(released),
        MipObjective::TierOrder { .. } => solution.eval(weight_again),
    })
}

fn variables(
    deal: &Deal,
    units: &[Unit],
    day_list: &[u32],
    holders: &[String],
    problem: &mut ProblemVariables,
) -> Vars {
    let allowed = |d: u32| {
        deal.release
            .release_days
            .as_ref()
            .is_none_or(|r| r.contains(&d))
    };
    let x = units
        .iter()
        .map(|_| {
            day_list
                .iter()
                .filter(|&&d| allowed(d))
                .map(|&d| (d, problem.add(variable().binary())))
                .collect()
        })
        .collect();
    let y = holders
        .iter()
        .map(|_| {
            day_list
                .iter()
                .map(|&d| (d, problem.add(variable().binary())))
                .collect()
        })
        .collect();
    let earned = day_list
        .iter()
        .filter(|&&d| d > deal.pause.days)
        .map(|&d| (d, problem.add(variable().binary())))
        .collect();
    Vars { x, y, earned }
}

/// Totals, daily minimums and maximums per holder; no releases on an
/// extension day that is not earned.
fn roster_limits<M: SolverModel>(cx: &Cx<'_>, mut model: M) -> M {
    for (hi, r) in cx.deal.rosters.iter().enumerate() {
        let h = r.holder.as_str();
        let total: Expression = cx.day_list.iter().map(|&d| cx.day_count(h, d)).sum();
        if let Some(m) = r.total_min {
            model = model.with(constraint!(total.clone() >= f64::from(m)));
        }
        if let Some(m) = r.total_max {
            model = model.with(constraint!(total.clone() <= f64::from(m)));
        }
        for &d in cx.day_list {
            let n = cx.day_count(h, d);
            let on = cx.vars.y[hi][&d];
            let most = r.max_per_day.map_or(cx.big, f64::from);
            model = model.with(constraint!(n.clone() <= most * on));
            model = model.with(constraint!(
                n.clone() >= f64::from(r.min_per_day.unwrap_or(0)) * on
            ));
            if let Some(&a) = cx.vars.earned.get(&d) {
                model = model.with(constraint!(n.clone() <= cx.big * a));
            }
        }
    }
    model
}

/// Each day: the intermediary's capacity and convoys, counter-releases at
/// the ratio (paying releases within `exposure`), and extension days earned
/// in order by their releases.
fn daily_terms<M: SolverModel>(cx: &Cx<'_>, exposure: Option<u32>, mut model: M) -> M {
    let (units, x) = (cx.units, &cx.vars.x);
    for &d in cx.day_list {
        if let Some(via) = cx.deal.intermediary() {
            let all: Expression = cx.holders.iter().map(|h| cx.day_count(h, d)).sum();
            if let Some(c) = via.capacity_per_day {
                model = model.with(constraint!(all <= f64::from(c)));
            }
            let convoys: Expression = cx.vars.y.iter().map(|ys| Expression::from(ys[&d])).sum();
            model = model.with(constraint!(
                convoys <= f64::from(via.handovers_per_day.unwrap_or(2))
            ));
        }
        for (e, rule) in cx.deal.exchanges.iter().enumerate() {
            let paid: Expression = units
                .iter()
                .zip(x)
                .filter_map(|(u, xs)| xs.get(&d).map(|&v| u.gives[e] * v))
                .sum();
            let counter: Expression = units
                .iter()
                .zip(x)
                .filter_map(|(u, xs)| xs.get(&d).map(|&v| u.receives[e] * v))
                .sum();
            model = model.with(constraint!(counter == f64::from(rule.ratio) * paid.clone()));
            if let Some(b) = exposure {
                model = model.with(constraint!(paid <= f64::from(b)));
            }
        }
        if let Some(&a) = cx.vars.earned.get(&d) {
            if let Some(&prev) = cx.vars.earned.get(&(d - 1)) {
                model = model.with(constraint!(a <= prev));
            }
            if let Some(ext) = &cx.deal.pause.extension {
                let by = cx.day_count(ext.by.as_str(), d);
                model = model.with(constraint!(by >= f64::from(ext.per_releases) * a));
            }
        }
    }
    model
}

/// A unit of tier t on day d needs every better-tier unit of its holder by
/// day d.
fn strict_priority<M: SolverModel>(cx: &Cx<'_>, mut model: M) -> M {
    for (u, xu) in cx.units.iter().zip(&cx.vars.x) {
        for (v, xv) in cx.units.iter().zip(&cx.vars.x) {
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
    model
}
