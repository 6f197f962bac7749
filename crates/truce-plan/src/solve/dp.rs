//! Exact dynamic programme over days: the state is the day and the units
//! still held per kind; the value of a state is the best continuation from
//! it, compared lexicographically.
//!
//! Every daily term is checked by the day's enumeration (counts) and the
//! day's schedule (`intraday`: handovers and exposure); the only terms that
//! span days are the units left (the state), `total_max` (derived from the
//! state), `total_min` (checked at the end), the extension (an extension
//! day without enough releases ends the pause, so the next state is the end)
//! and deferred counter-releases: under `deferred_days` the state also holds
//! what is owed per rule and due day (`owed`), the day's enumeration
//! releases against it, and its schedule starts at the exposure it carries.
//! Without deferral every day ends fully paid, so exposure does not carry
//! over. Either way the value of a state depends on nothing but the state,
//! which is what makes the programme exact.
//!
//! Two goals share it. [`Goal::Levels`] finds levels 1–3 at once: most
//! released, then the smallest last day, then the smallest peak. A plan's
//! last day is `max(d, last day of the rest)` and its peak
//! `max(day's peak, peak of the rest)`, both non-decreasing in the rest's, and
//! the last day strictly so (the rest's last day is 0 or after `d`); so the
//! best rest in this order makes the best plan, and memoisation is exact.
//! [`Goal::TierOrder`] then keeps the last day and peak within the optimum's
//! and maximises (released, tier savings), additive, so exact as well.

use std::collections::{HashMap, HashSet};

use super::day::{DayAction, DayContext, actions};
use super::exposure::Exposure;
use super::intraday::{OutOfSteps, Schedules, day_peak};
use super::model::Model;
use super::owed;

/// A continuation's figures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value {
    pub released: u32,
    /// The last day with a handover (0: none).
    pub days: u32,
    pub peak: Exposure,
    /// Σ released persons' tier weight × days before the horizon's end.
    pub savings: u64,
}

/// What the search optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    /// Most released, then fewest days, then smallest peak.
    Levels,
    /// Most released, then most tier savings (within the search's bounds).
    TierOrder,
}

/// The search ran out of its step budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfBudget;

impl From<OutOfSteps> for OutOfBudget {
    fn from(_: OutOfSteps) -> Self {
        OutOfBudget
    }
}

pub(crate) struct Search<'m, 'c> {
    model: &'m Model,
    goal: Goal,
    /// Last day a handover may happen.
    days: u32,
    /// Largest peak allowed on any day.
    bound: Option<Exposure>,
    /// Exposure already incurred (a re-plan's prefix): peaks below it count as it.
    floor: Exposure,
    schedules: &'c mut Schedules,
    memo: Vec<HashMap<Vec<u32>, Option<Value>>>,
    /// Day actions (and schedule steps) the search may still spend.
    pub budget: u64,
}

impl<'m, 'c> Search<'m, 'c> {
    pub fn new(
        model: &'m Model,
        goal: Goal,
        days: u32,
        bound: Option<Exposure>,
        floor: Exposure,
        schedules: &'c mut Schedules,
        budget: u64,
    ) -> Self {
        Search {
            model,
            goal,
            days,
            bound,
            floor,
            schedules,
            memo: vec![HashMap::new(); days as usize + 2],
            budget,
        }
    }

    /// The best value from day 1 with the full rosters; `None` = infeasible.
    pub fn solve(&mut self) -> Result<Option<Value>, OutOfBudget> {
        let start = self.model.start_state();
        self.value(1, &start)
    }

    /// The chosen action of each day along an optimal path (after `solve`).
    pub fn path(&mut self) -> Result<Vec<(u32, DayAction)>, OutOfBudget> {
        let mut state = self.model.start_state();
        let mut next = Vec::new();
        let mut out = Vec::new();
        let mut day = 1;
        while day <= self.days {
            let Some(target) = self.value(day, &state)? else {
                break;
            };
            let (next_day, action) = self.best_move(day, &state, target)?;
            let take = action.as_ref().map_or(&[][..], |a| &a.take[..]);
            if !owed::advance(self.model, &mut next, &state, take) {
                break;
            }
            std::mem::swap(&mut state, &mut next);
            match action {
                Some(a) => out.push((day, a)),
                None if next_day > self.days => break,
                None => {}
            }
            day = next_day;
        }
        Ok(out)
    }

    fn better(&self, a: &Value, b: &Value) -> bool {
        match self.goal {
            Goal::Levels => {
                (
                    a.released,
                    std::cmp::Reverse(a.days),
                    std::cmp::Reverse(a.peak),
                ) > (
                    b.released,
                    std::cmp::Reverse(b.days),
                    std::cmp::Reverse(b.peak),
                )
            }
            Goal::TierOrder => (a.released, a.savings) > (b.released, b.savings),
        }
    }

    fn same(&self, a: &Value, b: &Value) -> bool {
        !self.better(a, b) && !self.better(b, a)
    }

    fn released(&self, rem: &[u32]) -> Vec<u32> {
        let m = self.model;
        let mut released = vec![0u32; m.holders.len()];
        for (k, kind) in m.kinds.iter().enumerate() {
            released[kind.holder] += (kind.units.len() as u32 - rem[k]) * kind.size;
        }
        released
    }

    fn horizon_gain(&self, day: u32, weight: u64) -> u64 {
        weight * u64::from(self.model.max_days + 1 - day)
    }

    /// Where an empty day leads: the next day, or the end when an unearned
    /// extension day ends the pause.
    fn after_empty(&self, day: u32) -> u32 {
        let ends =
            day > self.model.base_days && self.model.extension.is_some_and(|(_, per)| per > 0);
        if ends { self.days + 1 } else { day + 1 }
    }

    /// The actions of a day from `state` (units left, and what is owed)
    /// that keep the day's counts; whether each has an order within the
    /// exposure bound is [`Search::admit`]'s.
    pub fn day_actions(&mut self, day: u32, state: &[u32]) -> Result<Vec<DayAction>, OutOfBudget> {
        let released = self.released(state);
        let owing = owed::owing(self.model, state);
        let (due, due_fresh) = owed::must_pay(self.model, state, day, self.days);
        let by_needed = if day > self.model.base_days {
            self.model.extension.map_or(u32::MAX, |(_, per)| per)
        } else {
            0
        };
        if self
            .model
            .release_days
            .as_ref()
            .is_some_and(|days| !days.contains(&day))
        {
            return Ok(Vec::new());
        }
        let cx = DayContext {
            model: self.model,
            rem: state,
            released: &released,
            by_needed,
            owing: &owing,
            due: &due,
            due_fresh: &due_fresh,
        };
        let found = actions(&cx, &mut self.schedules.options);
        let cost = found.len() as u64 + 1;
        if cost > self.budget {
            return Err(OutOfBudget);
        }
        self.budget -= cost;
        Ok(found)
    }

    /// Whether a day's action from `state` has an order of handovers
    /// within the exposure bound; sets its peak (at least the exposure the
    /// day carries in). Searched only for actions that could improve on
    /// the best so far (the schedule is the costly part).
    pub fn admit(&mut self, a: &mut DayAction, state: &[u32]) -> Result<bool, OutOfBudget> {
        let start = if self.model.deferred() {
            owed::owing(self.model, state)
        } else {
            Vec::new()
        };
        let Some(peak) = day_peak(
            self.model,
            &a.take,
            &start,
            self.schedules,
            &mut self.budget,
        )?
        else {
            return Ok(false);
        };
        let peak = peak.max(self.floor).max(owed::carried(self.model, state));
        if self.bound.is_some_and(|b| peak > b) {
            return Ok(false);
        }
        a.peak = peak;
        Ok(true)
    }

    fn combine(&self, day: u32, a: &DayAction, rest: Value) -> Value {
        Value {
            released: rest.released + a.persons,
            days: rest.days.max(day),
            peak: rest.peak.max(a.peak),
            savings: rest.savings + self.horizon_gain(day, a.weight),
        }
    }

    fn value(&mut self, day: u32, state: &[u32]) -> Result<Option<Value>, OutOfBudget> {
        if !self.base_met(day, state) {
            return Ok(None);
        }
        if day > self.days {
            return Ok(self.terminal(state));
        }
        if let Some(v) = self.memo[day as usize].get(state) {
            return Ok(*v);
        }
        let mut next = Vec::with_capacity(state.len());
        let mut best = if owed::advance(self.model, &mut next, state, &[]) {
            self.value(self.after_empty(day), &next)?
        } else {
            None
        };
        for mut a in self.day_actions(day, state)? {
            if !owed::advance(self.model, &mut next, state, &a.take) {
                continue;
            }
            let Some(rest) = self.value(day + 1, &next)? else {
                continue;
            };
            // The day's peak only raises the plan's: with the rest's alone
            // the candidate is at least as good as it can be.
            let hopeful = self.combine(day, &a, rest);
            if best.is_some_and(|b| !self.better(&hopeful, &b)) || !self.admit(&mut a, state)? {
                continue;
            }
            let cand = self.combine(day, &a, rest);
            if best.is_none_or(|b| self.better(&cand, &b)) {
                best = Some(cand);
            }
        }
        self.memo[day as usize].insert(state.to_vec(), best);
        Ok(best)
    }

    /// The move from (day, state) that attains `target`: (next day, action).
    fn best_move(
        &mut self,
        day: u32,
        state: &[u32],
        target: Value,
    ) -> Result<(u32, Option<DayAction>), OutOfBudget> {
        let mut next = Vec::with_capacity(state.len());
        if owed::advance(self.model, &mut next, state, &[])
            && let Some(v) = self.value(self.after_empty(day), &next)?
            && self.same(&v, &target)
        {
            return Ok((self.after_empty(day), None));
        }
        for mut a in self.day_actions(day, state)? {
            if !owed::advance(self.model, &mut next, state, &a.take) {
                continue;
            }
            let Some(rest) = self.value(day + 1, &next)? else {
                continue;
            };
            if self.better(&target, &self.combine(day, &a, rest)) || !self.admit(&mut a, state)? {
                continue;
            }
            if self.same(&self.combine(day, &a, rest), &target) {
                return Ok((day + 1, Some(a)));
            }
        }
        Ok((self.after_empty(day), None))
    }

    /// Any plan at all, found depth first: each day's actions tried most
    /// persons first (then best tiers), the empty day last, and states from
    /// which no plan meets the guaranteed totals remembered. The actions are
    /// the exact search's, so running out of them (`Ok(None)`) proves that
    /// the deal has no plan.
    pub fn any_plan(&mut self) -> Result<Option<Vec<(u32, DayAction)>>, OutOfBudget> {
        let mut dead = vec![HashSet::new(); self.days as usize + 1];
        let mut path = Vec::new();
        let start = self.model.start_state();
        Ok(self
            .first_plan(1, &start, &mut dead, &mut path)?
            .then_some(path))
    }

    fn first_plan(
        &mut self,
        day: u32,
        state: &[u32],
        dead: &mut [HashSet<Vec<u32>>],
        path: &mut Vec<(u32, DayAction)>,
    ) -> Result<bool, OutOfBudget> {
        if !self.base_met(day, state) {
            return Ok(false);
        }
        if day > self.days {
            return Ok(self.terminal(state).is_some());
        }
        if dead[day as usize].contains(state) || !self.can_meet_totals(day, state) {
            return Ok(false);
        }
        let mut actions = self.day_actions(day, state)?;
        actions.sort_by_key(|a| std::cmp::Reverse((a.persons, a.weight)));
        let mut next = Vec::with_capacity(state.len());
        for mut a in actions {
            if !owed::advance(self.model, &mut next, state, &a.take)
                || !self.admit(&mut a, state)?
            {
                continue;
            }
            path.push((day, a));
            if self.first_plan(day + 1, &next, dead, path)? {
                return Ok(true);
            }
            path.pop();
        }
        if owed::advance(self.model, &mut next, state, &[])
            && self.first_plan(self.after_empty(day), &next, dead, path)?
        {
            return Ok(true);
        }
        dead[day as usize].insert(state.to_vec());
        Ok(false)
    }

    /// Whether every guaranteed total can still be met from `day` on: at
    /// best each holder releases everyone it still holds, at most
    /// `max_per_day` on each day left (a bound every continuation obeys).
    fn can_meet_totals(&self, day: u32, rem: &[u32]) -> bool {
        let released = self.released(rem);
        let mut held = vec![0u64; released.len()];
        for (k, kind) in self.model.kinds.iter().enumerate() {
            held[kind.holder] += u64::from(rem[k] * kind.size);
        }
        let days_left = u64::from((self.days + 1).saturating_sub(day));
        self.model
            .holders
            .iter()
            .zip(released.iter().zip(&held))
            .all(|(h, (&done, &held))| {
                let more = held.min(u64::from(h.max_per_day).saturating_mul(days_left));
                u64::from(done) + more >= u64::from(h.total_min)
            })
    }

    /// Entering `day` right after the base days (or after the search's
    /// last day, when that comes first): every minimum within the base days
    /// must have been met. The state holds what was released, so the check
    /// needs nothing else.
    pub fn base_met(&self, day: u32, rem: &[u32]) -> bool {
        let m = self.model;
        let end = m.base_days.min(self.days) + 1;
        if day != end || m.holders.iter().all(|h| h.base_min == 0) {
            return true;
        }
        let released = self.released(rem);
        m.holders
            .iter()
            .zip(&released)
            .all(|(h, &n)| n >= h.base_min)
    }

    /// Past the last day: every guaranteed total must have been met, and
    /// every deferred counter-release made.
    pub fn terminal(&self, state: &[u32]) -> Option<Value> {
        if owed::any(self.model, state) {
            return None;
        }
        let released = self.released(state);
        let met = self
            .model
            .holders
            .iter()
            .zip(&released)
            .all(|(h, &n)| n >= h.total_min);
        met.then_some(Value {
            released: 0,
            days: 0,
            peak: self.floor,
            savings: 0,
        })
    }
}
