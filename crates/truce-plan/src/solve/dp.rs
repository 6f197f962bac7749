//! Exact dynamic programme over days: the state is the day and the units
//! still held per kind; the value is (persons released, tier savings) from
//! that day on, maximised lexicographically.
//!
//! Every daily term is checked by the day's enumeration; the only terms that
//! span days are the units left (the state), `total_max` (derived from the
//! state), `total_min` (checked at the end) and the extension (an extension
//! day without enough releases ends the pause, so the next state is the end).
//! The value of a state therefore depends on nothing but the state, which is
//! what makes the programme exact.

use std::collections::HashMap;

use super::day::{DayAction, DayContext, actions};
use super::model::Model;

/// (persons released, Σ released persons' tier weight × days before the horizon).
pub(crate) type Value = (u32, u64);

/// The search ran out of its step budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfBudget;

pub(crate) struct Search<'m> {
    model: &'m Model,
    /// Last day a handover may happen.
    days: u32,
    exposure: u32,
    memo: Vec<HashMap<Vec<u32>, Option<Value>>>,
    /// Day actions the search may still enumerate.
    pub budget: u64,
}

impl<'m> Search<'m> {
    pub fn new(model: &'m Model, days: u32, exposure: u32, budget: u64) -> Self {
        Search {
            model,
            days,
            exposure,
            memo: vec![HashMap::new(); days as usize + 2],
            budget,
        }
    }

    /// The best value from day 1 with the full rosters; `None` = infeasible.
    pub fn solve(&mut self) -> Result<Option<Value>, OutOfBudget> {
        let start = self.model.initial();
        self.value(1, &start)
    }

    /// The chosen action of each day along an optimal path (after `solve`).
    pub fn path(&mut self) -> Result<Vec<(u32, DayAction)>, OutOfBudget> {
        let mut rem = self.model.initial();
        let mut out = Vec::new();
        let mut day = 1;
        while day <= self.days {
            let Some(target) = self.value(day, &rem)? else {
                break;
            };
            let (next_day, action) = self.best_move(day, &rem, target)?;
            match action {
                Some(a) => {
                    for &(k, x) in &a.take {
                        rem[k] -= x;
                    }
                    out.push((day, a));
                }
                None if next_day > self.days => break,
                None => {}
            }
            day = next_day;
        }
        Ok(out)
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

    pub fn day_actions(&mut self, day: u32, rem: &[u32]) -> Result<Vec<DayAction>, OutOfBudget> {
        let released = self.released(rem);
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
            rem,
            released: &released,
            exposure: self.exposure,
            by_needed,
        };
        let found = actions(&cx);
        let cost = found.len() as u64 + 1;
        if cost > self.budget {
            return Err(OutOfBudget);
        }
        self.budget -= cost;
        Ok(found)
    }

    fn value(&mut self, day: u32, rem: &[u32]) -> Result<Option<Value>, OutOfBudget> {
        if day > self.days {
            return Ok(self.terminal(rem));
        }
        if let Some(v) = self.memo[day as usize].get(rem) {
            return Ok(*v);
        }
        let mut best = self.value(self.after_empty(day), rem)?;
        let mut next = rem.to_vec();
        for a in self.day_actions(day, rem)? {
            for &(k, x) in &a.take {
                next[k] -= x;
            }
            let child = self.value(day + 1, &next)?;
            for &(k, x) in &a.take {
                next[k] += x;
            }
            if let Some((n, s)) = child {
                let cand = (n + a.persons, s + self.horizon_gain(day, a.weight));
                if best.is_none_or(|b| cand > b) {
                    best = Some(cand);
                }
            }
        }
        self.memo[day as usize].insert(rem.to_vec(), best);
        Ok(best)
    }

    /// The move from (day, rem) that attains `target`: (next day, action).
    fn best_move(
        &mut self,
        day: u32,
        rem: &[u32],
        target: Value,
    ) -> Result<(u32, Option<DayAction>), OutOfBudget> {
        let mut next = rem.to_vec();
        for a in self.day_actions(day, rem)? {
            for &(k, x) in &a.take {
                next[k] -= x;
            }
            let child = self.value(day + 1, &next)?;
            for &(k, x) in &a.take {
                next[k] += x;
            }
            if let Some((n, s)) = child
                && (n + a.persons, s + self.horizon_gain(day, a.weight)) == target
            {
                return Ok((day + 1, Some(a)));
            }
        }
        Ok((self.after_empty(day), None))
    }

    /// Past the last day: every guaranteed total must have been met.
    pub fn terminal(&self, rem: &[u32]) -> Option<Value> {
        let released = self.released(rem);
        let met = self
            .model
            .holders
            .iter()
            .zip(&released)
            .all(|(h, &n)| n >= h.total_min);
        met.then_some((0, 0))
    }
}
