//! `--robust`: among the plans that release the most, the one with the
//! least expected loss (planned persons not released) under the risk model.
//!
//! The candidates come from the planner as it is, run on variants of the
//! deal's own terms — never a second search: the optimum; the optimum under
//! each tighter exposure bound (`release.max_exposure` = its peak − 1, − 2, …
//! while it still releases as many); and the optimum with smaller daily
//! releases spread over more days (every roster's `max_per_day` lowered to
//! what `D` days need, for each `D` up to the pause's last day). Each is a
//! valid plan of the original deal, because each variant only tightens its
//! terms. All candidates are simulated together (common random numbers); the
//! first with the least expected loss wins, so the optimum is kept on ties.

use serde::Serialize;
use truce_plan::{Plan, PlanOptions, Status};
use truce_spec::AgreedDeal;

use crate::engine::simulate;
use crate::outcome::SimOptions;
use crate::risk::RiskModel;
use crate::schedule::{Schedule, ScheduleError};
use crate::summary::Report;

/// The most candidates tried (the optimum included).
const MAX_CANDIDATES: usize = 16;

/// One plan considered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// How it was obtained, in words.
    pub how: String,
    /// The plan's last day with a release (its `days_used`).
    pub days_used: u32,
    /// The plan's peak exposure, in persons (its `max_exposure`).
    pub max_exposure: f64,
    /// The plan's tier-weighted sum of release days (its `tier_weighted_days`).
    pub tier_weighted_days: u64,
    /// Simulated probability that every planned person is released.
    pub completion: f64,
    /// Simulated mean of planned persons not released per run.
    pub expected_loss: f64,
}

/// The choice, with what it gives up against the optimum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustChoice {
    /// Persons the optimum releases (every candidate releases as many).
    pub released: u64,
    /// Index into `candidates` (0 = the planner's optimum).
    pub chosen: usize,
    /// Every plan considered, the planner's optimum first.
    pub candidates: Vec<Candidate>,
    /// What the chosen plan gives up against the optimum, in words (empty
    /// when the optimum is chosen).
    pub gave_up: Vec<String>,
    /// The chosen plan.
    pub plan: Plan,
    /// The simulation of all candidates together, in `candidates` order.
    pub report: Report,
}

/// Why no robust choice could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RobustError {
    /// The planner failed on the deal or one of its variants.
    #[error("failed to plan: {0}")]
    Plan(#[from] truce_plan::PlanError),
    /// A plan could not be simulated (e.g. the deal is infeasible).
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// Chooses the most robust plan of `deal` under `risk` (see the module docs).
pub fn robust(
    deal: &AgreedDeal,
    risk: &RiskModel,
    opts: &SimOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RobustChoice, RobustError> {
    let plan_opts = PlanOptions {
        explain: false,
        ..PlanOptions::default()
    };
    let optimum = truce_plan::plan(deal, &PlanOptions::default())?;
    if optimum.status == Status::Infeasible {
        return Err(ScheduleError::Infeasible.into());
    }
    let best = optimum.total_released();
    let mut plans: Vec<(String, Plan)> = vec![("the planner's optimum".to_owned(), optimum)];
    let keep = |plans: &mut Vec<(String, Plan)>, how: String, p: Plan| -> bool {
        if p.status == Status::Infeasible || p.total_released() != best {
            return false;
        }
        if !plans.iter().any(|(_, q)| q.stages == p.stages) {
            plans.push((how, p));
        }
        true
    };
    // Tighter exposure bounds.
    let peak = plans[0].1.max_exposure.ceil() as u32;
    for bound in (0..peak).rev() {
        if plans.len() >= MAX_CANDIDATES / 2 {
            break;
        }
        let mut d = (**deal).clone();
        d.release.max_exposure = Some(bound);
        let p = truce_plan::plan(&AgreedDeal::as_drafted(d), &plan_opts)?;
        if !keep(&mut plans, format!("exposure bound {bound}"), p) {
            break;
        }
    }
    // Smaller daily releases over more days.
    let first_days = plans[0].1.days_used.max(1);
    for days in first_days + 1..=deal.max_days() {
        if plans.len() >= MAX_CANDIDATES {
            break;
        }
        let mut d = (**deal).clone();
        for r in &mut d.rosters {
            let released = plans[0].1.released.get(&r.holder.0).copied().unwrap_or(0);
            let need = released
                .div_ceil(days)
                .max(r.min_per_day.unwrap_or(0))
                .max(1);
            r.max_per_day = Some(r.max_per_day.map_or(need, |m| m.min(need)));
        }
        let p = truce_plan::plan(&AgreedDeal::as_drafted(d), &plan_opts)?;
        let per_day = plans[0]
            .1
            .released
            .values()
            .map(|&n| n.div_ceil(days))
            .max()
            .unwrap_or(0);
        let how = format!("at most {per_day} persons a day per holder ({days} days)");
        keep(&mut plans, how, p);
    }
    let schedules = plans
        .iter()
        .map(|(how, p)| Schedule::new(how, deal, p))
        .collect::<Result<Vec<_>, _>>()?;
    let report = simulate(&schedules, risk, opts, progress);
    let candidates: Vec<Candidate> = plans
        .iter()
        .zip(&report.drafts)
        .map(|((how, p), r)| Candidate {
            how: how.clone(),
            days_used: p.days_used,
            max_exposure: p.max_exposure,
            tier_weighted_days: p.tier_weighted_days,
            completion: r.completion.mean,
            expected_loss: r.expected_loss,
        })
        .collect();
    let mut chosen = 0;
    for (i, c) in candidates.iter().enumerate() {
        if c.expected_loss < candidates[chosen].expected_loss {
            chosen = i;
        }
    }
    let (o, c) = (&candidates[0], &candidates[chosen]);
    let mut gave_up = Vec::new();
    if chosen != 0 {
        if c.days_used > o.days_used {
            gave_up.push(format!(
                "{} more day(s): {} instead of {}",
                c.days_used - o.days_used,
                c.days_used,
                o.days_used
            ));
        }
        if c.max_exposure > o.max_exposure {
            gave_up.push(format!(
                "a larger peak exposure: {} instead of {}",
                c.max_exposure, o.max_exposure
            ));
        }
        if c.tier_weighted_days > o.tier_weighted_days {
            gave_up.push(format!(
                "higher tiers released later: tier-weighted day sum {} instead of {}",
                c.tier_weighted_days, o.tier_weighted_days
            ));
        }
        if gave_up.is_empty() {
            gave_up.push("nothing the planner's objective measures".to_owned());
        }
    }
    let plan = plans.swap_remove(chosen).1;
    Ok(RobustChoice {
        released: u64::from(best),
        chosen,
        candidates,
        gave_up,
        plan,
        report,
    })
}
