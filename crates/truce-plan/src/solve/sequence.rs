//! The fast exact path for the commonest shape: one holder whose every
//! person pays under one exchange rule, and (optionally) one holder whose
//! every person is that rule's counter-release; no one else releases.
//!
//! **Relaxation.** Forget groups (let any number of a holder's persons go on
//! a day). Then, by an exchange argument, each holder releases its persons in
//! tier order (swapping a later-released better-tier person with an
//! earlier-released worse-tier one changes no count and never worsens the
//! tier sum; under strict priority it is the only order), so a plan is just
//! the payer's cumulative count `c` after each day, the payee's being `r·c`.
//! A day's paying release `g` must lie in one interval fixed by the day
//! (per-day limits of both holders, capacity `(1+r)·g`, exposure `g ≤ X`,
//! the extension's releases, release days), so the value function over `c`
//! is a sliding-window maximum: O(days × persons) per bound, exact.
//!
//! **Realisation.** The day counts are then packed into whole groups, tier by
//! tier. If packing succeeds the plan attains the relaxation's optimum, which
//! bounds every real plan lexicographically, so it is optimal. If packing
//! fails, the caller falls back to the unit-level search.

use std::collections::VecDeque;

use super::day::{DayAction, HandoverUnits};
use super::model::Model;

/// (persons released, tier savings): the lexicographic value.
type Val = (i64, i64);

/// The shape this path solves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chain {
    payer: usize,
    payee: Option<usize>,
    ratio: u32,
    rule: Option<usize>,
    /// Paying chunks a day can hold: each is a payer handover followed by its
    /// payment, so ⌊handovers_per_day / 2⌋ (1 without a payee).
    rounds: u64,
}

/// The chain, when the deal has this shape (and a finite number of
/// handovers a day when there is a payee).
pub(crate) fn chain(m: &Model) -> Option<Chain> {
    // A minimum within the base days spans days: the unit search's; so do
    // several intermediaries, each with its own limits.
    if m.multi()
        || m.holders.iter().any(|h| h.base_min > 0)
        || m.rules.iter().any(|r| r.simultaneous)
    {
        return None;
    }
    let holders_with_units: Vec<usize> = {
        let mut h: Vec<usize> = m
            .kinds
            .iter()
            .filter(|k| !k.units.is_empty())
            .map(|k| k.holder)
            .collect();
        h.sort_unstable();
        h.dedup();
        h
    };
    match (m.rules.len(), holders_with_units.as_slice()) {
        (0, &[only]) => Some(Chain {
            payer: only,
            payee: None,
            ratio: 0,
            rule: None,
            rounds: 1,
        }),
        (1, _) => {
            let r = &m.rules[0];
            if r.gives >= m.holders.len() || m.handovers_per_day == u32::MAX {
                return None;
            }
            let pays = |k: &super::model::Kind| {
                k.holder == r.gives && k.gives[0] == k.size && k.receives[0] == 0
            };
            let paid = |k: &super::model::Kind| {
                k.holder == r.receives && k.receives[0] == k.size && k.gives[0] == 0
            };
            m.kinds.iter().all(|k| pays(k) || paid(k)).then_some(Chain {
                payer: r.gives,
                payee: Some(r.receives),
                ratio: r.ratio,
                rule: Some(0),
                rounds: u64::from(m.handovers_per_day / 2).max(1),
            })
        }
        _ => None,
    }
}

/// A holder's persons in tier order: prefix sums of tier weights.
fn prefix_weights(m: &Model, holder: Option<usize>) -> Vec<i64> {
    let mut kinds: Vec<&super::model::Kind> = m
        .kinds
        .iter()
        .filter(|k| Some(k.holder) == holder)
        .collect();
    kinds.sort_by_key(|k| k.tier);
    let mut out = vec![0i64];
    for k in kinds {
        for _ in 0..k.units.len() as u64 * u64::from(k.size) {
            let last = *out.last().unwrap_or(&0);
            out.push(last + k.weight as i64);
        }
    }
    out
}

pub(crate) struct Sequence<'m> {
    m: &'m Model,
    ch: Chain,
    wp: Vec<i64>,
    wq: Vec<i64>,
    /// Largest payer count any plan can reach.
    cmax: usize,
    /// Value arrays of the last run, day 1 first (for the path).
    values: Vec<Vec<Option<Val>>>,
}

impl Chain {
    /// Counter-releases per paying release (0 without a payee).
    pub fn ratio(&self) -> u32 {
        if self.payee.is_some() { self.ratio } else { 0 }
    }

    /// Paying chunks a day can hold.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }
}

impl<'m> Sequence<'m> {
    pub fn new(m: &'m Model, ch: Chain) -> Self {
        let wp = prefix_weights(m, Some(ch.payer));
        let wq = prefix_weights(m, ch.payee);
        let r = u64::from(ch.ratio);
        let mut cmax = (wp.len() - 1) as u64;
        cmax = cmax.min(u64::from(m.holders[ch.payer].total_max));
        if let Some(q) = ch.payee {
            let q_most = ((wq.len() - 1) as u64).min(u64::from(m.holders[q].total_max));
            cmax = cmax.min(q_most / r.max(1));
        }
        Sequence {
            m,
            ch,
            wp,
            wq,
            cmax: cmax as usize,
            values: Vec::new(),
        }
    }

    fn r(&self) -> i64 {
        i64::from(self.ch.ratio)
    }

    /// The cumulative value at payer count `c` on a day with multiplier `mult`.
    fn gain(&self, c: usize, mult: i64) -> Val {
        let q = self
            .wq
            .get(c * self.ch.ratio as usize)
            .copied()
            .unwrap_or(0);
        ((1 + self.r()) * c as i64, mult * (self.wp[c] + q))
    }

    fn terminal(&self, c: usize) -> Option<Val> {
        let m = self.m;
        let ok_p = c as u64 >= u64::from(m.holders[self.ch.payer].total_min);
        let ok_q = self.ch.payee.is_none_or(|q| {
            (c as u64) * u64::from(self.ch.ratio) >= u64::from(m.holders[q].total_min)
        });
        // Holders outside the chain release no one.
        let others = m
            .holders
            .iter()
            .enumerate()
            .all(|(h, x)| h == self.ch.payer || Some(h) == self.ch.payee || x.total_min == 0);
        (ok_p && ok_q && others).then_some((0, 0))
    }

    /// The day's admissible paying releases `g` (an interval; empty if lo > hi).
    fn window(&self, day: u32, exposure: u32) -> (u64, u64) {
        let m = self.m;
        if m.release_days.as_ref().is_some_and(|d| !d.contains(&day)) {
            return (1, 0);
        }
        let p = &m.holders[self.ch.payer];
        let r = u64::from(self.ch.ratio);
        let mut lo = u64::from(p.min_per_day.max(1));
        let mut hi = u64::from(p.max_per_day).min(u64::from(m.capacity) / (1 + r));
        let handovers = 1 + u32::from(self.ch.payee.is_some());
        if handovers > m.handovers_per_day {
            return (1, 0);
        }
        if self.ch.rule.is_some() {
            // Every real day's largest chunk is at least g / rounds.
            hi = hi.min(u64::from(exposure).saturating_mul(self.ch.rounds));
        }
        if let Some(q) = self.ch.payee {
            let qh = &m.holders[q];
            lo = lo.max(u64::from(qh.min_per_day).div_ceil(r));
            hi = hi.min(u64::from(qh.max_per_day) / r);
        }
        if day > m.base_days {
            match m.extension {
                Some((Some(by), per)) if by == self.ch.payer => lo = lo.max(u64::from(per)),
                Some((Some(by), per)) if Some(by) == self.ch.payee => {
                    lo = lo.max(u64::from(per).div_ceil(r))
                }
                Some((_, 0)) => {}
                _ => return (1, 0),
            }
        }
        (lo, hi)
    }

    fn ends_pause(&self, day: u32) -> bool {
        day > self.m.base_days && self.m.extension.is_some_and(|(_, per)| per > 0)
    }

    /// The best value from day 1 with nothing released, under bounds (days, X).
    pub fn run(&mut self, days: u32, exposure: u32) -> Option<Val> {
        let n = self.cmax + 1;
        let end: Vec<Option<Val>> = (0..n).map(|c| self.terminal(c)).collect();
        let mut values = vec![end.clone()];
        for day in (1..=days).rev() {
            let next = values.last().map_or(&end, |v| v);
            let mult = i64::from(self.m.max_days + 1 - day);
            let (lo, hi) = self.window(day, exposure);
            let mut cur: Vec<Option<Val>> = if self.ends_pause(day) {
                end.clone()
            } else {
                next.clone()
            };
            if lo <= hi {
                let best_in = |c2: usize| next[c2].map(|v| add(v, self.gain(c2, mult)));
                let mut deque: VecDeque<(usize, Val)> = VecDeque::new();
                for c in (0..n).rev() {
                    let enter = c as u64 + lo;
                    if enter < n as u64 {
                        let e = enter as usize;
                        if let Some(b) = best_in(e) {
                            while deque.back().is_some_and(|&(_, v)| v <= b) {
                                deque.pop_back();
                            }
                            deque.push_back((e, b));
                        }
                    }
                    while deque
                        .front()
                        .is_some_and(|&(i, _)| i as u64 > c as u64 + hi)
                    {
                        deque.pop_front();
                    }
                    if let Some(&(_, b)) = deque.front() {
                        let cand = sub(b, self.gain(c, mult));
                        if cur[c].is_none_or(|v| cand > v) {
                            cur[c] = Some(cand);
                        }
                    }
                }
            }
            values.push(cur);
        }
        values.reverse();
        let best = values.first().and_then(|v| v[0]);
        self.values = values;
        best
    }

    /// Paying releases per day along an optimal path of the last run.
    pub fn day_counts(&self, exposure: u32) -> Vec<(u32, u64)> {
        let days = self.values.len() as u32 - 1;
        let mut out = Vec::new();
        let mut c = 0usize;
        for day in 1..=days {
            let Some(target) = self.values[day as usize - 1][c] else {
                break;
            };
            let mult = i64::from(self.m.max_days + 1 - day);
            let next = &self.values[day as usize];
            let (lo, hi) = self.window(day, exposure);
            let hi = hi.min((self.cmax - c) as u64);
            let found = (lo..=hi)
                .map(|g| c + g as usize)
                .filter(|&c2| c2 <= self.cmax)
                .find(|&c2| {
                    next[c2].is_some_and(|v| {
                        sub(add(v, self.gain(c2, mult)), self.gain(c, mult)) == target
                    })
                });
            match found {
                Some(c2) => {
                    out.push((day, (c2 - c) as u64));
                    c = c2;
                }
                None if self.ends_pause(day) => break,
                None => {}
            }
        }
        out
    }

    /// Whole units for the day counts, tier by tier; `None` if groups do not fit.
    pub fn realise(&self, counts: &[(u32, u64)], exposure: u32) -> Option<Vec<(u32, DayAction)>> {
        let r = u64::from(self.ch.ratio);
        let mut takes: Vec<Vec<(usize, u32)>> = vec![Vec::new(); counts.len()];
        let p_counts: Vec<u64> = counts.iter().map(|&(_, g)| g).collect();
        pack(self.m, self.ch.payer, &p_counts, &mut takes)?;
        if let Some(q) = self.ch.payee {
            let q_counts: Vec<u64> = p_counts.iter().map(|g| g * r).collect();
            pack(self.m, q, &q_counts, &mut takes)?;
        }
        let mut actions = Vec::with_capacity(counts.len());
        for (&(day, g), take) in counts.iter().zip(takes) {
            let weight = take
                .iter()
                .map(|&(k, x)| u64::from(x * self.m.kinds[k].size) * self.m.kinds[k].weight)
                .sum();
            let order = match self.ch.payee {
                Some(q) if g > u64::from(exposure) => self.chunked(&take, q, exposure)?,
                _ => self.single(&take),
            };
            actions.push((
                day,
                DayAction {
                    take,
                    persons: (g * (1 + r)) as u32,
                    weight,
                    peak: super::exposure::Exposure::ZERO,
                    order: Some(order),
                    fewest: None,
                },
            ));
        }
        Some(actions)
    }

    /// A day in one handover per holder, the payer first.
    fn single(&self, take: &[(usize, u32)]) -> Vec<HandoverUnits> {
        let mut out = Vec::new();
        for h in std::iter::once(self.ch.payer).chain(self.ch.payee) {
            let units: Vec<(usize, u32)> = take
                .iter()
                .copied()
                .filter(|&(k, x)| x > 0 && self.m.kinds[k].holder == h)
                .collect();
            if !units.is_empty() {
                out.push((h, units));
            }
        }
        out
    }

    /// A day paid in chunks of at most `exposure` paying releases, each
    /// followed by its exact payment, both holders in tier order.
    fn chunked(
        &self,
        take: &[(usize, u32)],
        payee: usize,
        exposure: u32,
    ) -> Option<Vec<HandoverUnits>> {
        let m = self.m;
        let mut paying = by_tier(m, take, self.ch.payer);
        let mut paid = by_tier(m, take, payee);
        let mut order = Vec::new();
        while paying.iter().any(|u| u.3 > 0) {
            if order.len() as u64 >= 2 * self.ch.rounds {
                return None;
            }
            let chunk = fill_chunk(&mut paying, u64::from(exposure))?;
            let size: u64 = chunk
                .iter()
                .map(|&(k, x)| u64::from(x * m.kinds[k].size))
                .sum();
            let payment = exact_in_tier_order(&mut paid, size * u64::from(self.ch.ratio))?;
            order.push((self.ch.payer, chunk));
            order.push((payee, payment));
        }
        Some(order)
    }
}

/// A holder's units of the day as (kind, tier, size, count), tier order,
/// larger units first within a tier.
fn by_tier(m: &Model, take: &[(usize, u32)], holder: usize) -> Vec<(usize, u32, u64, u32)> {
    let mut out: Vec<(usize, u32, u64, u32)> = take
        .iter()
        .filter(|&&(k, _)| m.kinds[k].holder == holder)
        .map(|&(k, x)| (k, m.kinds[k].tier, u64::from(m.kinds[k].size), x))
        .collect();
    out.sort_by_key(|u| (u.1, std::cmp::Reverse(u.2)));
    out
}

/// Up to `room` persons in tier order: a tier is entered only once the
/// previous one is used up; `None` when not even one unit fits.
fn fill_chunk(units: &mut [(usize, u32, u64, u32)], room: u64) -> Option<Vec<(usize, u32)>> {
    let mut left = room;
    let mut chunk = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let tier = units[i].1;
        let end = i + units[i..].iter().take_while(|u| u.1 == tier).count();
        for u in &mut units[i..end] {
            let n = u64::from(u.3).min(left / u.2.max(1));
            if n > 0 {
                u.3 -= n as u32;
                left -= n * u.2;
                chunk.push((u.0, n as u32));
            }
        }
        if units[i..end].iter().any(|u| u.3 > 0) {
            break;
        }
        i = end;
    }
    (!chunk.is_empty()).then_some(chunk)
}

/// Exactly `amount` persons in tier order (all of a tier before the next).
fn exact_in_tier_order(
    units: &mut [(usize, u32, u64, u32)],
    amount: u64,
) -> Option<Vec<(usize, u32)>> {
    let mut left = amount;
    let mut out = Vec::new();
    let mut i = 0;
    while left > 0 && i < units.len() {
        let tier = units[i].1;
        let end = i + units[i..].iter().take_while(|u| u.1 == tier).count();
        let in_tier: u64 = units[i..end].iter().map(|u| u.2 * u64::from(u.3)).sum();
        let share = left.min(in_tier);
        let avail: Vec<(usize, u64, u64)> = units[i..end]
            .iter()
            .map(|u| (u.0, u.2, u64::from(u.3)))
            .collect();
        let chosen = fill(&avail, share)?;
        for (u, x) in units[i..end].iter_mut().zip(chosen) {
            if x > 0 {
                u.3 -= x as u32;
                out.push((u.0, x as u32));
            }
        }
        left -= share;
        i = end;
    }
    (left == 0).then_some(out)
}

fn add(a: Val, b: Val) -> Val {
    (a.0 + b.0, a.1 + b.1)
}

fn sub(a: Val, b: Val) -> Val {
    (a.0 - b.0, a.1 - b.1)
}

/// Splits a holder's units, in tier order, into days of exactly `counts`
/// persons. Within a tier each day's share is filled largest units first,
/// keeping what is left able to fill the tier's later shares exactly.
fn pack(m: &Model, holder: usize, counts: &[u64], takes: &mut [Vec<(usize, u32)>]) -> Option<()> {
    let mut tiers: Vec<u32> = m
        .kinds
        .iter()
        .filter(|k| k.holder == holder)
        .map(|k| k.tier)
        .collect();
    tiers.sort_unstable();
    tiers.dedup();
    let mut day = 0usize;
    let mut left_today = counts.first().copied().unwrap_or(0);
    for t in tiers {
        // (kind, size, units left), largest first.
        let mut avail: Vec<(usize, u64, u64)> = m
            .kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| k.holder == holder && k.tier == t)
            .map(|(i, k)| (i, u64::from(k.size), k.units.len() as u64))
            .collect();
        avail.sort_by_key(|a| std::cmp::Reverse(a.1));
        let mut tier_left: u64 = avail.iter().map(|a| a.1 * a.2).sum();
        while tier_left > 0 {
            while left_today == 0 {
                day += 1;
                if day >= counts.len() {
                    return Some(()); // the rest of the holder is not released
                }
                left_today = counts[day];
            }
            let share = left_today.min(tier_left);
            let chosen = fill(&avail, share)?;
            for (j, x) in chosen.into_iter().enumerate() {
                if x > 0 {
                    avail[j].2 -= x;
                    takes[day].push((avail[j].0, x as u32));
                }
            }
            left_today -= share;
            tier_left -= share;
        }
    }
    Some(())
}

/// Units per size (largest first) summing exactly to `share`, preferring
/// large units while the rest can still be made from smaller ones.
fn fill(avail: &[(usize, u64, u64)], share: u64) -> Option<Vec<u64>> {
    // What the units from index j on can make, up to `share` (bounded subset
    // sums, O(share) per size: the nearest reachable sum in the same residue
    // class needs the fewest units).
    let n = share as usize;
    let mut can: Vec<Vec<bool>> = vec![vec![false; n + 1]; avail.len() + 1];
    can[avail.len()][0] = true;
    for j in (0..avail.len()).rev() {
        let (_, size, count) = avail[j];
        let size = size.max(1) as usize;
        let mut last: Vec<Option<usize>> = vec![None; size];
        for s in 0..=n {
            if can[j + 1][s] {
                last[s % size] = Some(s);
            }
            can[j][s] = last[s % size].is_some_and(|l| ((s - l) / size) as u64 <= count);
        }
    }
    if !can[0][n] {
        return None;
    }
    let mut out = Vec::with_capacity(avail.len());
    let mut rest = n;
    for j in 0..avail.len() {
        let (_, size, count) = avail[j];
        let most = count.min(rest as u64 / size);
        let x = (0..=most)
            .rev()
            .find(|x| can[j + 1][rest - (x * size) as usize])?;
        out.push(x);
        rest -= (x * size) as usize;
    }
    Some(out)
}
