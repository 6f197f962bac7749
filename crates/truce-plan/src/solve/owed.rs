//! What deferred counter-releases leave owed from one day to the next (a
//! leaf of `solve`): the part of a search state after the units left.
//!
//! Under a rule's `deferred_days` N, the checker demands that by the end of
//! each day t the rule's counter-releases so far cover `ratio` × its paying
//! releases by the end of day t − N, and that none is released ahead of its
//! payment. Counter-releases paid in order of the payments (first paid,
//! first covered) meet every such cumulative demand whenever any order
//! does, so the state keeps, per deferred rule, what is still owed for each
//! of the last N days' payments, by the day it falls due (the earliest
//! first): at the start of day t, slot j falls due at the end of day t + j.
//! A day may release at most what is owed plus `ratio` × its own paying
//! releases, and at least what falls due that day; the slots then shift by
//! one. Past the last day nothing may be owed (every payment falls due by
//! the pause's last day or the plan's, whichever is later). Rules paid the
//! same day take no slots: their states are those of a deal without
//! deferral.

use super::day::Take;
use super::exposure::Exposure;
use super::model::Model;

/// Per rule: counter-releases owed at the start of the day (in persons of
/// the payee; 0 for rules paid the same day).
pub(crate) fn owing(m: &Model, state: &[u32]) -> Vec<u64> {
    let mut out = vec![0u64; m.rules.len()];
    for (e, at, n) in m.owed_slots() {
        out[e] = state[at..at + n].iter().map(|&x| u64::from(x)).sum();
    }
    out
}

/// What must be counter-released on `day`, before the next day handovers
/// may happen (`release_days`, up to `last`, the search's last day): per
/// rule, the owed slots that fall due before it, and whether today's own
/// payment does too. A day without handovers pays nothing, so what falls
/// due then and is not paid today makes `advance` fail on that day (or
/// the end, where nothing may be owed): this only names actions whose
/// every continuation is dead. With every day a release day it is slot 0
/// (what falls due today) and no payment of today's.
pub(crate) fn must_pay(m: &Model, state: &[u32], day: u32, last: u32) -> (Vec<u64>, Vec<bool>) {
    let next = (day + 1..=last).find(|d| m.release_days.as_ref().is_none_or(|r| r.contains(d)));
    // Slot j falls due at the end of day + j: before `next` when day + j < next.
    let before = |j: u32| next.is_none_or(|n| day + j < n);
    let mut due = vec![0u64; m.rules.len()];
    let mut fresh = vec![false; m.rules.len()];
    for (e, at, n) in m.owed_slots() {
        due[e] = state[at..at + n]
            .iter()
            .enumerate()
            .filter(|&(j, _)| before(j as u32))
            .map(|(_, &x)| u64::from(x))
            .sum();
        fresh[e] = before(m.rules[e].deferred);
    }
    (due, fresh)
}

/// The exposure carried into the day: the largest owed amount of one rule,
/// in persons of its payer (owed / ratio).
pub(crate) fn carried(m: &Model, state: &[u32]) -> Exposure {
    let mut worst = Exposure::ZERO;
    for (e, at, n) in m.owed_slots() {
        let rule = &m.rules[e];
        if rule.simultaneous {
            continue;
        }
        let num: u64 = state[at..at + n].iter().map(|&x| u64::from(x)).sum();
        worst = worst.max(Exposure {
            num,
            den: u64::from(rule.ratio),
        });
    }
    worst
}

/// Whether anything is still owed.
pub(crate) fn any(m: &Model, state: &[u32]) -> bool {
    state[m.kinds.len()..].iter().any(|&x| x > 0)
}

/// Writes into `next` the state after a day that releases `take` (empty:
/// a day without handovers) from `state`; `false` when the day breaks a
/// deferral (counter-releases ahead of their payment, or fewer than fall
/// due). Without deferral it only takes the units.
pub(crate) fn advance(m: &Model, next: &mut Vec<u32>, state: &[u32], take: &[Take]) -> bool {
    next.clear();
    next.extend_from_slice(state);
    for &(k, x) in take {
        next[k] -= x;
    }
    for (e, at, n) in m.owed_slots() {
        let rule = &m.rules[e];
        let (mut paid, mut counter) = (0u64, 0u64);
        for &(k, x) in take {
            paid += u64::from(x) * u64::from(m.kinds[k].gives[e]);
            counter += u64::from(x) * u64::from(m.kinds[k].receives[e]);
        }
        let fresh = paid * u64::from(rule.ratio);
        let slots = &mut next[at..at + n];
        let owed: u64 = slots.iter().map(|&x| u64::from(x)).sum();
        if counter > owed + fresh || counter < u64::from(slots[0]) {
            return false;
        }
        // First paid, first covered.
        let mut left = counter;
        for s in slots.iter_mut() {
            let d = left.min(u64::from(*s));
            *s -= d as u32;
            left -= d;
        }
        let Ok(fresh) = u32::try_from(fresh - left) else {
            return false;
        };
        slots.rotate_left(1);
        slots[n - 1] = fresh;
    }
    true
}
