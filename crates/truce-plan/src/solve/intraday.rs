//! One day's handovers: given what each holder releases that day (a *take*),
//! the order of handovers that keeps the day's largest exposure smallest,
//! within the intermediary's handovers a day.
//!
//! Every day ends fully paid, so each rule's exposure starts the day at 0
//! and the day's schedule affects nothing but that day's exposure and
//! whether the day fits its handovers at all. The planner's days are
//! therefore chosen as takes (counts per kind), and each take's best
//! schedule is found here, exactly:
//!
//! * **Canonical day.** When the day's active rules (those paid that day)
//!   have no cycle between holders, one handover per releasing holder,
//!   payers before payees, peaks at the day's largest paying release of one
//!   rule `g`. Any schedule has, for each rule, its paying releases split
//!   into *chunks* (those between two handovers of the payee); each chunk is
//!   a payer handover that must be followed by a payee handover, so there are
//!   at most `⌊H/2⌋` chunks, at most the paying units, and the exposure after
//!   a chunk is at least that chunk. A lower bound is thus
//!   `max(⌈g/⌊H/2⌋⌉, largest paying unit)`; when the canonical day meets it
//!   (always with `H ≤ 3`), it is optimal.
//! * **Search.** Otherwise an exhaustive search over handover sequences,
//!   memoised on (units left, last holder, handovers left), finds the
//!   smallest peak. Consecutive handovers of one holder are never needed
//!   (merging them changes no count, keeps tier order and every payment
//!   check, and only removes an exposure point), and with as many handovers
//!   left as holders still to release, each releases all it has left.
//!
//! Under a deferral (`deferred_days`) the day starts at what earlier days
//! left owed (`start`, per rule): a payee may counter-release against it
//! before any of the day's payments, and the day need not end paid. Payers
//! first is then no longer always best, so deferred deals' days are always
//! searched; the lower bound is each rule's exposure at the day's end,
//! which the day's last handover reaches (every handover measures every
//! rule), and the chunk bound counts only the rules paid the same day.

use std::collections::HashMap;

use super::day::{HandoverUnits, Take};
use super::exposure::Exposure;
use super::model::Model;

/// The search ran out of its step budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfSteps;

/// What the searches of one plan share: the best peak found per take, and
/// each holder's options per units left.
#[derive(Default)]
pub(crate) struct Schedules {
    found: HashMap<Vec<Take>, Option<Exposure>>,
    /// Under a deferral: per (take, owed per rule at the day's start).
    found_from: HashMap<(Vec<Take>, Vec<u64>), Option<Exposure>>,
    pub options: super::day::OptionCache,
}

/// The smallest peak exposure of a day releasing `take` (sorted by kind)
/// with `start` owed per rule from earlier days (empty: nothing), `None`
/// when no order fits the day's handovers.
pub(crate) fn day_peak(
    m: &Model,
    take: &[Take],
    start: &[u64],
    cache: &mut Schedules,
    budget: &mut u64,
) -> Result<Option<Exposure>, OutOfSteps> {
    match quick(m, take, start) {
        Quick::Known(p) => Ok(p),
        Quick::Search { lower } => {
            if start.is_empty() {
                if let Some(&p) = cache.found.get(take) {
                    return Ok(p);
                }
            } else if let Some(&p) = cache.found_from.get(&(take.to_vec(), start.to_vec())) {
                return Ok(p);
            }
            let mut s = DaySearch::new(m, take, start, lower, budget);
            let p = s.solve()?;
            *budget = s.budget;
            if start.is_empty() {
                cache.found.insert(take.to_vec(), p);
            } else {
                cache.found_from.insert((take.to_vec(), start.to_vec()), p);
            }
            Ok(p)
        }
    }
}

/// The handovers of a day releasing `take` from `start`, in execution
/// order, at its smallest peak (the same answer [`day_peak`] gives).
pub(crate) fn day_order(
    m: &Model,
    take: &[Take],
    start: &[u64],
    budget: u64,
) -> Option<Vec<HandoverUnits>> {
    match quick(m, take, start) {
        Quick::Known(None) => None,
        Quick::Known(Some(_)) => Some(canonical(m, take).unwrap_or_default()),
        Quick::Search { lower } => {
            let mut budget = budget;
            let mut s = DaySearch::new(m, take, start, lower, &mut budget);
            s.solve().ok()??;
            Some(s.order())
        }
    }
}

enum Quick {
    Known(Option<Exposure>),
    Search { lower: Exposure },
}

/// Per rule: persons paying and counter-releases in a take.
fn flows(m: &Model, take: &[Take]) -> (Vec<u64>, Vec<u64>) {
    let mut pay = vec![0u64; m.rules.len()];
    let mut cnt = vec![0u64; m.rules.len()];
    for &(k, x) in take {
        let kind = &m.kinds[k];
        for e in 0..m.rules.len() {
            pay[e] += u64::from(x) * u64::from(kind.gives[e]);
            cnt[e] += u64::from(x) * u64::from(kind.receives[e]);
        }
    }
    (pay, cnt)
}

/// The lanes (holders, or holders through one intermediary each) that
/// release something in a take.
fn releasing_lanes(m: &Model, take: &[Take]) -> Vec<usize> {
    let mut hs: Vec<usize> = take
        .iter()
        .filter(|&&(_, x)| x > 0)
        .map(|&(k, _)| m.kinds[k].lane)
        .collect();
    hs.sort_unstable();
    hs.dedup();
    hs
}

/// Whether one handover per lane fits each intermediary's handovers a day.
fn lanes_fit(m: &Model, lanes: &[usize]) -> bool {
    if !m.multi() {
        return lanes.len() as u64 <= u64::from(m.handovers_per_day);
    }
    m.vias.iter().enumerate().all(|(v, via)| {
        lanes.iter().filter(|&&l| m.lanes[l].1 == v).count() as u64 <= u64::from(via.handovers)
    })
}

/// Strict priority with a holder crossing at two intermediaries in the day:
/// its tiers must go in order across its lanes, which one handover per lane
/// cannot always do, so the day is searched.
fn split_tiers(m: &Model, lanes: &[usize]) -> bool {
    m.multi()
        && m.strict
        && lanes.iter().enumerate().any(|(i, &a)| {
            lanes[i + 1..]
                .iter()
                .any(|&b| m.lane_holder(a) == m.lane_holder(b))
        })
}

fn quick(m: &Model, take: &[Take], start: &[u64]) -> Quick {
    let holders = releasing_lanes(m, take);
    let h = m.handovers_per_day;
    if !lanes_fit(m, &holders) {
        return Quick::Known(None);
    }
    if m.deferred() {
        return Quick::Search {
            lower: day_end(m, take, start),
        };
    }
    let split = split_tiers(m, &holders);
    let (pay, _) = flows(m, take);
    let active: Vec<usize> = (0..m.rules.len()).filter(|&e| pay[e] > 0).collect();
    if active.is_empty() && !split {
        return Quick::Known(Some(Exposure::ZERO));
    }
    // A swap's rule orders the day but exposes nobody.
    let exposed: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&e| !m.rules[e].simultaneous)
        .collect();
    // The lower bound every schedule meets.
    let chunks = u64::from(h / 2).max(1);
    let mut lower = Exposure::ZERO;
    for &e in &exposed {
        let unit = take
            .iter()
            .filter(|&&(_, x)| x > 0)
            .map(|&(k, _)| u64::from(m.kinds[k].gives[e]))
            .max()
            .unwrap_or(0);
        let spread = if h == u32::MAX {
            0
        } else {
            pay[e].div_ceil(chunks)
        };
        lower = lower.max(Exposure::whole(unit.max(spread)));
    }
    if !split && canonical_holders(m, &holders, &active).is_some() {
        let peak = Exposure::whole(exposed.iter().map(|&e| pay[e]).max().unwrap_or(0));
        if h <= 3 || peak == lower {
            return Quick::Known(Some(peak));
        }
    }
    Quick::Search { lower }
}

/// Under a deferral: the largest exposure of one rule at the day's end
/// (what it owes after the day, in persons of its payer); every schedule
/// reaches it at its last handover.
fn day_end(m: &Model, take: &[Take], start: &[u64]) -> Exposure {
    let (pay, cnt) = flows(m, take);
    let mut worst = Exposure::ZERO;
    for (e, rule) in m.rules.iter().enumerate() {
        if rule.simultaneous {
            continue;
        }
        let r = u64::from(rule.ratio);
        let owed = (start.get(e).copied().unwrap_or(0) + r * pay[e]).saturating_sub(cnt[e]);
        worst = worst.max(Exposure { num: owed, den: r });
    }
    worst
}

/// The releasing lanes ordered payers first for the active rules, if the
/// active rules have no cycle.
fn canonical_holders(m: &Model, holders: &[usize], active: &[usize]) -> Option<Vec<usize>> {
    let mut left: Vec<usize> = holders.to_vec();
    let mut order = Vec::with_capacity(holders.len());
    while !left.is_empty() {
        let pos = left.iter().position(|&l| {
            let h = m.lane_holder(l);
            !active.iter().any(|&e| {
                m.rules[e].receives == h
                    && m.rules[e].gives != h
                    && left.iter().any(|&o| m.lane_holder(o) == m.rules[e].gives)
            })
        })?;
        order.push(left.remove(pos));
    }
    Some(order)
}

/// One handover per releasing lane, payers first.
fn canonical(m: &Model, take: &[Take]) -> Option<Vec<HandoverUnits>> {
    let holders = releasing_lanes(m, take);
    let (pay, _) = flows(m, take);
    let active: Vec<usize> = (0..m.rules.len()).filter(|&e| pay[e] > 0).collect();
    let order = canonical_holders(m, &holders, &active)?;
    Some(
        order
            .into_iter()
            .map(|h| {
                (
                    h,
                    take.iter()
                        .copied()
                        .filter(|&(k, x)| x > 0 && m.kinds[k].lane == h)
                        .collect(),
                )
            })
            .collect(),
    )
}

/// (units left per slot, last lane, handovers left: a count, or with
/// several intermediaries each one's count in mixed radix).
type Key = (Vec<u32>, usize, u64);
/// (peak of the rest, the best next handover: holder position and units per slot).
type Entry = Option<(Exposure, usize, Vec<u32>)>;

struct DaySearch<'a> {
    m: &'a Model,
    /// The take's kinds and counts, grouped by holder, best tier first.
    kinds: Vec<usize>,
    count: Vec<u32>,
    /// Releasing lanes, and per lane its slots grouped by tier.
    holders: Vec<usize>,
    /// With several intermediaries: per intermediary, the place value of
    /// its handovers left in `left` and its radix (limit + 1; 0: no limit).
    radix: Vec<(u64, u64)>,
    /// Strict priority across a holder's lanes (see [`split_tiers`]).
    split: bool,
    tiers: Vec<Vec<Vec<usize>>>,
    lower: Exposure,
    memo: super::model::Fast<Key, Entry>,
    /// Per rule: the day's paying releases.
    total_pay: Vec<u64>,
    /// Per rule: counter-releases owed at the day's start (deferred rules).
    start: Vec<u64>,
    /// The schedule `at_lower` found, when it did.
    found: Option<Vec<(usize, Vec<u32>)>>,
    budget: u64,
}

impl<'a> DaySearch<'a> {
    fn new(m: &'a Model, take: &[Take], start: &[u64], lower: Exposure, budget: &mut u64) -> Self {
        let mut slots: Vec<Take> = take.iter().copied().filter(|&(_, x)| x > 0).collect();
        slots.sort_by_key(|&(k, _)| (m.kinds[k].lane, m.kinds[k].tier, k));
        let holders = releasing_lanes(m, take);
        let mut tiers: Vec<Vec<Vec<usize>>> = vec![Vec::new(); holders.len()];
        for (i, &(k, _)) in slots.iter().enumerate() {
            let hp = holders
                .iter()
                .position(|&h| h == m.kinds[k].lane)
                .unwrap_or(0);
            let t = m.kinds[k].tier;
            let same = tiers[hp]
                .last()
                .and_then(|g: &Vec<usize>| g.first())
                .is_some_and(|&j| m.kinds[slots[j].0].tier == t);
            if same && m.strict {
                if let Some(g) = tiers[hp].last_mut() {
                    g.push(i);
                }
            } else if !m.strict && !tiers[hp].is_empty() {
                tiers[hp][0].push(i);
            } else {
                tiers[hp].push(vec![i]);
            }
        }
        // Mixed radix of the intermediaries' handovers left; more handovers
        // than the day's units are never usable, so each radix is at most
        // units + 1. An overflow leaves `radix` empty: `solve` gives up.
        let mut radix = Vec::new();
        if m.multi() {
            let mut place = 1u64;
            for (v, via) in m.vias.iter().enumerate() {
                let units: u64 = slots
                    .iter()
                    .filter(|&&(k, _)| m.lanes[m.kinds[k].lane].1 == v)
                    .map(|&(_, x)| u64::from(x))
                    .sum();
                if via.handovers == u32::MAX || units <= u64::from(via.handovers) {
                    radix.push((place, 0));
                    continue;
                }
                let r = u64::from(via.handovers) + 1;
                radix.push((place, r));
                match place.checked_mul(r) {
                    Some(p) => place = p,
                    None => {
                        radix.clear();
                        break;
                    }
                }
            }
        }
        let split = split_tiers(m, &holders);
        DaySearch {
            m,
            kinds: slots.iter().map(|s| s.0).collect(),
            count: slots.iter().map(|s| s.1).collect(),
            holders,
            radix,
            split,
            tiers,
            lower,
            memo: Default::default(),
            total_pay: flows(m, take).0,
            start: (0..m.rules.len())
                .map(|e| start.get(e).copied().unwrap_or(0))
                .collect(),
            found: None,
            budget: *budget,
        }
    }

    fn solve(&mut self) -> Result<Option<Exposure>, OutOfSteps> {
        if self.m.multi() && self.radix.is_empty() {
            return Err(OutOfSteps);
        }
        if let Some(order) = self.at_lower() {
            self.found = Some(order);
            return Ok(Some(self.lower));
        }
        let rem = self.count.clone();
        let left = self.start_left();
        Ok(self.best(&rem, usize::MAX, left)?.map(|(p, _, _)| p))
    }

    /// The day's handovers left at its start.
    fn start_left(&self) -> u64 {
        if !self.m.multi() {
            return u64::from(self.m.handovers_per_day);
        }
        self.radix
            .iter()
            .filter(|&&(_, r)| r > 0)
            .map(|&(place, r)| place * (r - 1))
            .sum()
    }

    /// Handovers left of intermediary `v` (`u64::MAX`: no limit).
    fn via_left(&self, left: u64, v: usize) -> u64 {
        match self.radix[v] {
            (_, 0) => u64::MAX,
            (place, r) => left / place % r,
        }
    }

    /// The handovers left after one of lane position `hp`, `None` when its
    /// intermediary has none left.
    fn use_one(&self, left: u64, hp: usize) -> Option<u64> {
        if !self.m.multi() {
            return match left {
                0 => None,
                l if l == u64::from(u32::MAX) => Some(l),
                l => Some(l - 1),
            };
        }
        let v = self.m.lanes[self.holders[hp]].1;
        match self.via_left(left, v) {
            0 => None,
            u64::MAX => Some(left),
            _ => Some(left - self.radix[v].0),
        }
    }

    /// All handovers left, summed (`u32::MAX`: no limit), for the chunk bound.
    fn total_left(&self, left: u64) -> u32 {
        if !self.m.multi() {
            return u32::try_from(left).unwrap_or(u32::MAX);
        }
        let mut total = 0u64;
        for v in 0..self.radix.len() {
            match self.via_left(left, v) {
                u64::MAX => return u32::MAX,
                n => total += n,
            }
        }
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    /// Whether each waiting lane can still have a handover, and which must
    /// release all it has left in its one (as many handovers left on its
    /// intermediary as lanes waiting on it).
    fn room(&self, left: u64, waiting: &[usize]) -> Option<Vec<bool>> {
        if !self.m.multi() {
            if waiting.len() as u64 > left {
                return None;
            }
            return Some(vec![waiting.len() as u64 == left; waiting.len()]);
        }
        let via = |hp: usize| self.m.lanes[self.holders[hp]].1;
        let on = |v: usize| waiting.iter().filter(|&&hp| via(hp) == v).count() as u64;
        let mut forced = Vec::with_capacity(waiting.len());
        for &hp in waiting {
            let v = via(hp);
            let l = self.via_left(left, v);
            if on(v) > l {
                return None;
            }
            forced.push(on(v) == l);
        }
        Some(forced)
    }

    /// Strict priority across a holder's lanes: a handover of lane `hp`
    /// touching a tier leaves none of a better tier pending in the holder's
    /// other lanes.
    fn tier_ok(&self, hp: usize, rem: &[u32], choice: &[u32]) -> bool {
        if !self.split {
            return true;
        }
        let m = self.m;
        let holder = m.lane_holder(self.holders[hp]);
        let Some(worst) = choice
            .iter()
            .enumerate()
            .filter(|&(_, &x)| x > 0)
            .map(|(i, _)| m.kinds[self.kinds[i]].tier)
            .max()
        else {
            return true;
        };
        self.kinds.iter().enumerate().all(|(j, &k)| {
            let lane = m.kinds[k].lane;
            rem[j] == 0
                || lane == self.holders[hp]
                || m.lane_holder(lane) != holder
                || m.kinds[k].tier >= worst
        })
    }

    /// A constructive try before the search: handover after handover, the
    /// first holder (in turn, never the last one again) that can release
    /// something keeping the exposure within the lower bound releases the
    /// most persons it can so. If everything goes within the day's
    /// handovers, the day meets its lower bound, so it is optimal.
    fn at_lower(&self) -> Option<Vec<(usize, Vec<u32>)>> {
        let mut rem = self.count.clone();
        let mut last = usize::MAX;
        let mut left = self.start_left();
        let mut out = Vec::new();
        while rem.iter().any(|&x| x > 0) {
            let (pay, cnt) = self.flows(&rem);
            let mut chosen: Option<(usize, Vec<u32>)> = None;
            for hp in 0..self.holders.len() {
                if hp == last
                    || self.use_one(left, hp).is_none()
                    || self.tiers[hp].iter().flatten().all(|&i| rem[i] == 0)
                {
                    continue;
                }
                let mut flat = Vec::new();
                self.choices(hp, &rem, &mut flat);
                let n = rem.len().max(1);
                let persons = |c: &[u32]| -> u64 {
                    c.iter()
                        .enumerate()
                        .map(|(i, &x)| u64::from(x) * u64::from(self.m.kinds[self.kinds[i]].size))
                        .sum()
                };
                let best = flat
                    .chunks_exact(n)
                    .filter(|c| self.tier_ok(hp, &rem, c))
                    .filter(|c| self.after(&pay, &cnt, c).is_some_and(|a| a <= self.lower))
                    .max_by_key(|c| persons(c));
                if let Some(c) = best {
                    chosen = Some((hp, c.to_vec()));
                    break;
                }
            }
            let (hp, choice) = chosen?;
            for (r, c) in rem.iter_mut().zip(&choice) {
                *r -= c;
            }
            out.push((hp, choice));
            last = hp;
            left = self.use_one(left, hp)?;
        }
        Some(out)
    }

    /// The handovers along the best schedule (after `solve`).
    fn order(&mut self) -> Vec<HandoverUnits> {
        if let Some(found) = &self.found {
            return found
                .iter()
                .map(|(hp, choice)| {
                    let takes = choice
                        .iter()
                        .enumerate()
                        .filter(|&(_, &x)| x > 0)
                        .map(|(i, &x)| (self.kinds[i], x))
                        .collect();
                    (self.holders[*hp], takes)
                })
                .collect();
        }
        let mut rem = self.count.clone();
        let mut last = usize::MAX;
        let mut left = self.start_left();
        let mut out = Vec::new();
        while rem.iter().any(|&x| x > 0) {
            let Some(Some((_, hp, choice))) = self.memo.get(&(rem.clone(), last, left)).cloned()
            else {
                break;
            };
            let takes: Vec<Take> = choice
                .iter()
                .enumerate()
                .filter(|&(_, &x)| x > 0)
                .map(|(i, &x)| (self.kinds[i], x))
                .collect();
            for (i, x) in choice.iter().enumerate() {
                rem[i] -= x;
            }
            out.push((self.holders[hp], takes));
            last = hp;
            let Some(next) = self.use_one(left, hp) else {
                break;
            };
            left = next;
        }
        out
    }

    fn flows(&self, rem: &[u32]) -> (Vec<u64>, Vec<u64>) {
        let m = self.m;
        let mut pay = vec![0u64; m.rules.len()];
        let mut cnt = vec![0u64; m.rules.len()];
        for (i, &k) in self.kinds.iter().enumerate() {
            let x = u64::from(self.count[i] - rem[i]);
            for e in 0..m.rules.len() {
                pay[e] += x * u64::from(m.kinds[k].gives[e]);
                cnt[e] += x * u64::from(m.kinds[k].receives[e]);
            }
        }
        (pay, cnt)
    }

    fn best(&mut self, rem: &[u32], last: usize, left: u64) -> Result<Entry, OutOfSteps> {
        if rem.iter().all(|&x| x == 0) {
            return Ok(Some((Exposure::ZERO, usize::MAX, Vec::new())));
        }
        let key = (rem.to_vec(), last, left);
        if let Some(e) = self.memo.get(&key) {
            return Ok(e.clone());
        }
        let waiting: Vec<usize> = (0..self.holders.len())
            .filter(|&hp| self.tiers[hp].iter().flatten().any(|&i| rem[i] > 0))
            .collect();
        let mut best: Entry = None;
        let (pay0, _) = self.flows(rem);
        let floor = self.rest_lower(&pay0, &[], self.total_left(left));
        if let Some(forced_of) = self.room(left, &waiting) {
            let (pay, cnt) = self.flows(rem);
            for (w, &hp) in waiting.iter().enumerate() {
                if hp == last {
                    continue;
                }
                let forced = forced_of[w];
                let Some(next_left) = self.use_one(left, hp) else {
                    continue;
                };
                // Choices laid end to end, `rem.len()` counts each.
                let mut flat: Vec<u32> = Vec::new();
                if forced {
                    let mut all = vec![0u32; rem.len()];
                    for &i in self.tiers[hp].iter().flatten() {
                        all[i] = rem[i];
                    }
                    flat.extend_from_slice(&all);
                } else {
                    self.choices(hp, rem, &mut flat);
                }
                let n = rem.len().max(1);
                // Larger handovers first: they tend to pay most, so bounds bite early.
                for choice in flat.chunks_exact(n).rev() {
                    if self.budget == 0 {
                        return Err(OutOfSteps);
                    }
                    self.budget -= 1;
                    if !self.tier_ok(hp, rem, choice) {
                        continue;
                    }
                    let Some(after) = self.after(&pay, &cnt, choice) else {
                        continue;
                    };
                    // The rest can only add to the exposure right after this
                    // handover, and must still pay in at most ⌊left/2⌋ chunks.
                    if best.as_ref().is_some_and(|b| after >= b.0) {
                        continue;
                    }
                    if let Some(b) = &best
                        && self.rest_lower(&pay, choice, self.total_left(next_left)) >= b.0
                    {
                        continue;
                    }
                    let next: Vec<u32> = rem.iter().zip(choice).map(|(r, c)| r - c).collect();
                    if let Some((rest, _, _)) = self.best(&next, hp, next_left)? {
                        let peak = after.max(rest);
                        if best.as_ref().is_none_or(|b| peak < b.0) {
                            best = Some((peak, hp, choice.to_vec()));
                        }
                    }
                    if best
                        .as_ref()
                        .is_some_and(|b| b.0 <= self.lower || b.0 <= floor)
                    {
                        break;
                    }
                }
                if best
                    .as_ref()
                    .is_some_and(|b| b.0 <= self.lower || b.0 <= floor)
                {
                    break;
                }
            }
        }
        self.memo.insert(key, best.clone());
        Ok(best)
    }

    /// A lower bound on the peak of the rest after a handover of `choice`
    /// (empty: from here): each rule's payments still to make need a payer
    /// handover and a payee handover per chunk, so at most ⌊left/2⌋ chunks,
    /// each at least one person.
    fn rest_lower(&self, pay: &[u64], choice: &[u32], left: u32) -> Exposure {
        let m = self.m;
        let chunks = if left == u32::MAX {
            u64::MAX
        } else {
            u64::from(left / 2).max(1)
        };
        let mut lower = Exposure::ZERO;
        for (e, &before) in pay.iter().enumerate() {
            let mut paid = before;
            for (i, &x) in choice.iter().enumerate() {
                paid += u64::from(x) * u64::from(m.kinds[self.kinds[i]].gives[e]);
            }
            let left_to_pay = self.total_pay[e].saturating_sub(paid);
            // A deferred rule's payee need not follow its payer today.
            if left_to_pay > 0 && !m.rules[e].simultaneous && m.rules[e].deferred == 0 {
                lower = lower.max(Exposure::whole(left_to_pay.div_ceil(chunks)));
            }
        }
        lower
    }

    /// The exposure after a handover of `choice` (units per slot), or `None`
    /// when it releases counter-releases not yet paid for.
    fn after(&self, pay: &[u64], cnt: &[u64], choice: &[u32]) -> Option<Exposure> {
        let m = self.m;
        let mut peak = Exposure::ZERO;
        for (e, rule) in m.rules.iter().enumerate() {
            let (mut paid, mut counter) = (pay[e], cnt[e]);
            for (i, &x) in choice.iter().enumerate() {
                if x > 0 {
                    let k = &m.kinds[self.kinds[i]];
                    paid += u64::from(x) * u64::from(k.gives[e]);
                    counter += u64::from(x) * u64::from(k.receives[e]);
                }
            }
            let r = u64::from(rule.ratio);
            // Counter-releases only after what they pay for (the payer is
            // another holder, so `paid` before this handover is `paid` now),
            // which under a deferral includes what earlier days left owed.
            let due = self.start[e] + r * paid;
            if counter > cnt[e] && counter > due {
                return None;
            }
            let owed = due.saturating_sub(counter);
            if !rule.simultaneous {
                peak = peak.max(Exposure { num: owed, den: r });
            }
        }
        Some(peak)
    }

    /// Every non-empty handover of holder `hp` from `rem` that keeps tier
    /// order (strict: a tier only once every better one is out), smallest first.
    fn choices(&self, hp: usize, rem: &[u32], out: &mut Vec<u32>) {
        let tiers = &self.tiers[hp];
        // Tiers already finished today are empty in `rem`; start at the first open one.
        let first = tiers
            .iter()
            .position(|g| g.iter().any(|&i| rem[i] > 0))
            .unwrap_or(tiers.len());
        let mut cur = vec![0u32; rem.len()];
        self.walk(tiers, first, rem, &mut cur, out);
    }

    fn walk(
        &self,
        tiers: &[Vec<usize>],
        t: usize,
        rem: &[u32],
        cur: &mut Vec<u32>,
        out: &mut Vec<u32>,
    ) {
        let Some(group) = tiers.get(t) else {
            if cur.iter().any(|&x| x > 0) {
                out.extend_from_slice(cur);
            }
            return;
        };
        self.within(tiers, t, group, 0, rem, cur, out);
    }

    #[expect(clippy::too_many_arguments, reason = "a recursive walk's state")]
    fn within(
        &self,
        tiers: &[Vec<usize>],
        t: usize,
        group: &[usize],
        j: usize,
        rem: &[u32],
        cur: &mut Vec<u32>,
        out: &mut Vec<u32>,
    ) {
        let Some(&i) = group.get(j) else {
            let exhausted = group.iter().all(|&i| cur[i] == rem[i]);
            if exhausted && t + 1 < tiers.len() {
                // Stopping here is one choice; going on to the next tier another.
                if cur.iter().any(|&x| x > 0) {
                    out.extend_from_slice(cur);
                }
                self.walk(tiers, t + 1, rem, cur, out);
            } else if cur.iter().any(|&x| x > 0) {
                out.extend_from_slice(cur);
            }
            return;
        };
        for x in 0..=rem[i] {
            cur[i] = x;
            self.within(tiers, t, group, j + 1, rem, cur, out);
        }
        cur[i] = 0;
    }
}
