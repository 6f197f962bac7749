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

use super::ceiling::Ceiling;
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

/// What the search knows of a state's best continuation.
#[derive(Debug, Clone, Copy)]
enum Known {
    /// Its value (`None`: no continuation keeps the terms).
    Exact(Option<Value>),
    /// At most this, below what the search needed of the state when it
    /// looked (the tier order's branch and bound; see `value_from`).
    Below(Value),
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
    memo: Vec<HashMap<Vec<u32>, Known>>,
    /// For the tier order: what a continuation can at best gain.
    ceiling: Option<Ceiling>,
    /// For the tier order: the kinds a day releases as many of as it can
    /// (see [`eager_kinds`]).
    eager: Vec<usize>,
    /// Day actions (and schedule steps) the search may still spend.
    pub budget: u64,
}

/// The kinds whose releases the tier order may take as early as a day
/// admits: each the only kind of a holder that pays no rule, has no daily
/// minimum and does not earn the extension — in practice a deferred rule's
/// payee, e.g. detainees counter-released for captives.
///
/// Two actions of a day alike but in such a kind's count, A releasing δ
/// more than B, lead to states alike but in that count: any continuation
/// from B's, less its δ earliest releases of the kind, is one from A's. It
/// keeps every term (no counter-release ahead of payment, as A's day paid
/// no more than was owed and fresh; what falls due, as A's counter-releases
/// so far are never fewer; fewer persons a day, no minimum to fall under;
/// the extension not the holder's; the units alike), its exposure is never
/// higher at any moment, and it releases at least as many in all, those
/// dropped earlier (on A's day). So A's whole plan gains at least B's, and once
/// A's is settled B need not be searched — except that A's own day may
/// need another order, so only an admitted A (or a rest already cut or
/// infeasible) settles it. This holds for the tier order, which bounds the
/// peak but does not minimise it; not for the levels search.
fn eager_kinds(m: &Model) -> Vec<usize> {
    (0..m.holders.len())
        .filter_map(|h| {
            let [k] = m.kinds_of[h][..] else {
                return None;
            };
            let kind = &m.kinds[k];
            let paid = kind.receives.iter().any(|&c| c > 0);
            let pays = kind.gives.iter().any(|&g| g > 0);
            let by = m.extension.is_some_and(|(by, _)| by == Some(h));
            (paid && !pays && !by && m.holders[h].min_per_day <= 1).then_some(k)
        })
        .collect()
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
            ceiling: (goal == Goal::TierOrder).then(|| Ceiling::new(model, days)),
            eager: if goal == Goal::TierOrder {
                eager_kinds(model)
            } else {
                Vec::new()
            },
            budget,
        }
    }

    /// The best value from day 1 with the full rosters; `None` = infeasible.
    pub fn solve(&mut self) -> Result<Option<Value>, OutOfBudget> {
        let start = self.model.start_state();
        self.value(1, &start)
    }

    /// The best value from day 1 when it reaches `need` (a value some plan
    /// within the search's bounds is known to reach: then the best does
    /// too, and the search cuts every branch below it); `None` =
    /// infeasible. The tier order only.
    pub fn solve_reaching(&mut self, need: Value) -> Result<Option<Value>, OutOfBudget> {
        let start = self.model.start_state();
        match self.value_from(1, &start, Some(need))? {
            Known::Exact(v) => Ok(v),
            // Below the need: the need was wrong; search again without it.
            Known::Below(_) => self.value(1, &start),
        }
    }

    /// The gain of a plan's days: (released, tier savings).
    pub fn gain_of(&self, path: &[(u32, DayAction)]) -> Value {
        Value {
            released: path.iter().map(|(_, a)| a.persons).sum(),
            days: 0,
            peak: Exposure::ZERO,
            savings: path
                .iter()
                .map(|(d, a)| self.horizon_gain(*d, a.weight))
                .sum(),
        }
    }

    /// The chosen action of each day along an optimal path (after `solve`).
    pub fn path(&mut self) -> Result<Vec<(u32, DayAction)>, OutOfBudget> {
        let mut state = self.model.start_state();
        let mut next = Vec::new();
        let mut out = Vec::new();
        let mut day = 1;
        let mut target = self.value(day, &state)?;
        while day <= self.days {
            let Some(goal) = target else {
                break;
            };
            let (next_day, action, rest) = self.best_move(day, &state, goal)?;
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
            target = match rest {
                Some(v) => Some(v),
                None => self.value(day, &state)?,
            };
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
        self.day_actions_of(day, state, None)
    }

    /// The same, with only the largest count of `top_of`'s kind once its
    /// holder's payment is known (`DayAction::fewest` says how far down the
    /// others go).
    fn day_actions_of(
        &mut self,
        day: u32,
        state: &[u32],
        top_of: Option<usize>,
    ) -> Result<Vec<DayAction>, OutOfBudget> {
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
            top_of,
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

    /// The exact value of a state's best continuation.
    fn value(&mut self, day: u32, state: &[u32]) -> Result<Option<Value>, OutOfBudget> {
        match self.value_from(day, state, None)? {
            Known::Exact(v) => Ok(v),
            // Nothing is cut without a need: see `value_from`.
            Known::Below(_) => unreachable!("a state searched without a need is exact"),
        }
    }

    /// What a continuation must reach to matter: at least `need`, and (the
    /// tier order) better than `best`. The levels search wants every value.
    fn wanted(&self, need: Option<Value>, best: Option<Value>) -> Option<Value> {
        if self.goal != Goal::TierOrder {
            return None;
        }
        // Values are whole numbers: better than `b` is at least `b` with one
        // more saving.
        let better = best.map(|b| Value {
            savings: b.savings.saturating_add(1),
            ..b
        });
        match (need, better) {
            (Some(n), Some(b)) => Some(if self.better(&b, &n) { b } else { n }),
            (n, b) => n.or(b),
        }
    }

    /// What the rest after day `day`'s action `a` must reach for the whole to
    /// reach `want` (`None`: any rest does, its exact value is wanted).
    fn rest_wanted(&self, day: u32, a: &DayAction, want: Value) -> Option<Value> {
        let released = want.released.checked_sub(a.persons)?;
        Some(Value {
            released,
            days: 0,
            peak: Exposure::ZERO,
            savings: want
                .savings
                .saturating_sub(self.horizon_gain(day, a.weight)),
        })
    }

    fn larger(&self, a: Option<Value>, b: Value) -> Value {
        match a {
            Some(a) if !self.better(&b, &a) => a,
            _ => b,
        }
    }

    /// The best continuation from (day, state), exactly when it reaches
    /// `need` (or no `need` is given), else a bound below `need`.
    ///
    /// The tier order is additive, so a branch and bound: a day's action is
    /// cut when its gain plus what the rest can at best gain (the
    /// `Ceiling`, or the rest's own bound) cannot reach what is wanted — at
    /// least `need`, and more than the best found so far. Every cut value is
    /// below that, so when the best found reaches `need` it is the best of
    /// all; when it does not, the largest of it and the cut values bounds
    /// the state's (`Known::Below`), which the memo keeps for any later
    /// caller whose need is above it. Without a need nothing below the best
    /// is cut that could beat it, so the answer is exact. The levels search
    /// (not additive) cuts only against the best found, as before.
    fn value_from(
        &mut self,
        day: u32,
        state: &[u32],
        need: Option<Value>,
    ) -> Result<Known, OutOfBudget> {
        if !self.base_met(day, state) {
            return Ok(Known::Exact(None));
        }
        if day > self.days {
            return Ok(Known::Exact(self.terminal(state)));
        }
        match self.memo[day as usize].get(state) {
            Some(Known::Exact(v)) => return Ok(Known::Exact(*v)),
            Some(&Known::Below(most)) if need.is_some_and(|n| self.better(&n, &most)) => {
                return Ok(Known::Below(most));
            }
            _ => {}
        }
        if let (Some(n), Some(ceiling)) = (need, &self.ceiling) {
            let (released, savings) = ceiling.of(self.model, day, state);
            let most = Value {
                released,
                days: 0,
                peak: Exposure::ZERO,
                savings,
            };
            if self.better(&n, &most) {
                self.memo[day as usize].insert(state.to_vec(), Known::Below(most));
                return Ok(Known::Below(most));
            }
        }
        let mut next = Vec::with_capacity(state.len());
        // The largest value cut (each below what was wanted then).
        let mut cut: Option<Value> = None;
        let mut best = None;
        if owed::advance(self.model, &mut next, state, &[]) {
            match self.value_from(self.after_empty(day), &next, need)? {
                Known::Exact(v) => best = v,
                Known::Below(most) => cut = Some(most),
            }
        }
        // With one eager kind, each day's actions come with its largest
        // count only, and the fewer are made one by one while the larger
        // is not settled.
        let top_of = match self.eager[..] {
            [k] if self.model.order.last() == Some(&self.model.kinds[k].holder) => Some(k),
            _ => None,
        };
        let mut actions = self.day_actions_of(day, state, top_of)?;
        if self.ceiling.is_some() {
            // The most promising first, so that the ceiling cuts the rest.
            actions.sort_by_key(|a| std::cmp::Reverse((a.persons, a.weight)));
        }
        // Actions alike but in the eager kinds' counts: once one of them is
        // settled (its rest cut or infeasible, or admitted), the ones
        // releasing fewer of those (later in this order) can do no better.
        let mut settled: HashSet<Vec<(usize, u32)>> = HashSet::new();
        let mut alike: Vec<(usize, u32)> = Vec::new();
        let eager = !self.eager.is_empty();
        let mut actions = actions.into_iter();
        let mut fewer: Option<DayAction> = None;
        while let Some(mut a) = fewer.take().or_else(|| actions.next()) {
            if let Some(k) = top_of
                && let Some(v) = self.one_fewer(&a, k)?
            {
                // Searched next, unless `a` settles it.
                fewer = Some(v);
            }
            if eager {
                alike.clear();
                alike.extend(a.take.iter().filter(|(k, _)| !self.eager.contains(k)));
                if settled.contains(&alike[..]) {
                    fewer = None;
                    continue;
                }
            }
            if !owed::advance(self.model, &mut next, state, &a.take) {
                // Fewer counter-releases fall shorter of what is due.
                fewer = None;
                continue;
            }
            let settle = |settled: &mut HashSet<_>, fewer: &mut Option<DayAction>| {
                if eager {
                    settled.insert(alike.clone());
                }
                *fewer = None;
            };
            let want = self.wanted(need, best);
            let rest_want = want.and_then(|w| self.rest_wanted(day, &a, w));
            let rest = match self.value_from(day + 1, &next, rest_want)? {
                Known::Exact(Some(rest)) => rest,
                Known::Exact(None) => {
                    settle(&mut settled, &mut fewer);
                    continue;
                }
                Known::Below(most) => {
                    cut = Some(self.larger(cut, self.combine(day, &a, most)));
                    settle(&mut settled, &mut fewer);
                    continue;
                }
            };
            // The day's peak only raises the plan's: with the rest's alone
            // the candidate is at least as good as it can be.
            let hopeful = self.combine(day, &a, rest);
            if let Some(w) = want
                && self.better(&w, &hopeful)
            {
                cut = Some(self.larger(cut, hopeful));
                settle(&mut settled, &mut fewer);
                continue;
            }
            if best.is_some_and(|b| !self.better(&hopeful, &b)) {
                settle(&mut settled, &mut fewer);
                continue;
            }
            if !self.admit(&mut a, state)? {
                continue;
            }
            settle(&mut settled, &mut fewer);
            let cand = self.combine(day, &a, rest);
            if best.is_none_or(|b| self.better(&cand, &b)) {
                best = Some(cand);
            }
        }
        let known = match (need, cut) {
            (Some(n), Some(most)) if best.is_none_or(|b| self.better(&n, &b)) => {
                Known::Below(self.larger(best, most))
            }
            _ => Known::Exact(best),
        };
        self.memo[day as usize].insert(state.to_vec(), known);
        Ok(known)
    }

    /// Action `a` with one unit fewer of the eager kind `k`, when the day
    /// may take that few (`DayAction::fewest`) and something is left; one
    /// step of the budget.
    fn one_fewer(&mut self, a: &DayAction, k: usize) -> Result<Option<DayAction>, OutOfBudget> {
        let Some(fewest) = a.fewest else {
            return Ok(None);
        };
        let Some(at) = a.take.iter().position(|&(j, x)| j == k && x > fewest) else {
            return Ok(None);
        };
        let kind = &self.model.kinds[k];
        if a.persons <= kind.size {
            // Nothing else released that day: not an action (the empty day is searched apart).
            return Ok(None);
        }
        if self.budget == 0 {
            return Err(OutOfBudget);
        }
        self.budget -= 1;
        let mut take = a.take.clone();
        take[at].1 -= 1;
        if take[at].1 == 0 {
            take.remove(at);
        }
        Ok(Some(DayAction {
            take,
            persons: a.persons - kind.size,
            weight: a.weight - u64::from(kind.size) * kind.weight,
            peak: Exposure::ZERO,
            order: None,
            fewest: a.fewest,
        }))
    }

    /// The move from (day, state) that attains `target`: (next day, action,
    /// the rest's value when known).
    fn best_move(
        &mut self,
        day: u32,
        state: &[u32],
        target: Value,
    ) -> Result<(u32, Option<DayAction>, Option<Value>), OutOfBudget> {
        let mut next = Vec::with_capacity(state.len());
        // Under the tier order only a rest that reaches the target's share
        // is wanted exactly; the levels search knows every value.
        let need = (self.goal == Goal::TierOrder).then_some(target);
        if owed::advance(self.model, &mut next, state, &[])
            && let Known::Exact(Some(v)) = self.value_from(self.after_empty(day), &next, need)?
            && self.same(&v, &target)
        {
            return Ok((self.after_empty(day), None, Some(v)));
        }
        for mut a in self.day_actions(day, state)? {
            if !owed::advance(self.model, &mut next, state, &a.take) {
                continue;
            }
            let rest_need = need.and_then(|w| self.rest_wanted(day, &a, w));
            let Known::Exact(Some(rest)) = self.value_from(day + 1, &next, rest_need)? else {
                continue;
            };
            if self.better(&target, &self.combine(day, &a, rest)) || !self.admit(&mut a, state)? {
                continue;
            }
            if self.same(&self.combine(day, &a, rest), &target) {
                return Ok((day + 1, Some(a), Some(rest)));
            }
        }
        Ok((self.after_empty(day), None, None))
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
