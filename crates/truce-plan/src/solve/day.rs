//! Every admissible release of one day, in the canonical daily shape: one
//! handover per releasing holder, payers before payees (see the crate docs
//! for why this shape loses nothing when a day has at most three handovers).

use std::collections::HashMap;

use super::model::Model;

/// Units taken of one kind: (kind index, units).
pub(crate) type Take = (usize, u32);

/// One handover of a day: (holder index, units per kind).
pub(crate) type HandoverUnits = (usize, Vec<Take>);

/// What one holder releases in a day: units per kind.
#[derive(Debug, Clone)]
struct HolderOption {
    take: Vec<(usize, u32)>,
    persons: u32,
    /// Counter-releases per rule this holder receives for (in rule order of `Model::rules`).
    receives: Vec<u32>,
}

/// One admissible day: units per kind over all holders.
#[derive(Debug, Clone)]
pub(crate) struct DayAction {
    pub take: Vec<(usize, u32)>,
    pub persons: u32,
    /// Σ over released persons of their tier weight.
    pub weight: u64,
    /// The day's handovers in order, as (holder, units per kind), when the day
    /// pays in chunks; `None` = one handover per holder in `Model::order`.
    pub order: Option<Vec<HandoverUnits>>,
}

/// The day's context the enumeration needs.
pub(crate) struct DayContext<'a> {
    pub model: &'a Model,
    pub rem: &'a [u32],
    /// Persons each holder has released before this day.
    pub released: &'a [u32],
    /// Exposure bound in force (per rule, a day's paying releases).
    pub exposure: u32,
    /// Releases by the extension's side needed today (0 on base days).
    pub by_needed: u32,
}

/// Every admissible non-empty action of the day (the empty day is the
/// caller's to consider).
pub(crate) fn actions(cx: &DayContext<'_>) -> Vec<DayAction> {
    let m = cx.model;
    let per_holder: Vec<HashMap<Vec<u32>, Vec<HolderOption>>> = (0..m.holders.len())
        .map(|h| {
            let mut by_key: HashMap<Vec<u32>, Vec<HolderOption>> = HashMap::new();
            for o in holder_options(cx, h) {
                by_key.entry(o.receives.clone()).or_default().push(o);
            }
            by_key
        })
        .collect();
    let mut out = Vec::new();
    let mut gives = vec![0u32; m.rules.len()];
    let mut take = Vec::new();
    combine(cx, &per_holder, 0, &mut gives, &mut take, 0, 0, 0, &mut out);
    out
}

#[expect(
    clippy::too_many_arguments,
    reason = "a recursive walk's running totals"
)]
fn combine(
    cx: &DayContext<'_>,
    per_holder: &[HashMap<Vec<u32>, Vec<HolderOption>>],
    depth: usize,
    gives: &mut Vec<u32>,
    take: &mut Vec<(usize, u32)>,
    persons: u32,
    handovers: u32,
    by: u32,
    out: &mut Vec<DayAction>,
) {
    let m = cx.model;
    if depth == m.order.len() {
        if persons == 0 || by < cx.by_needed || gives.iter().any(|&g| g > cx.exposure) {
            return;
        }
        let weight = take
            .iter()
            .map(|&(k, x)| u64::from(x * m.kinds[k].size) * m.kinds[k].weight)
            .sum();
        out.push(DayAction {
            take: take.clone(),
            persons,
            weight,
            order: None,
        });
        return;
    }
    let h = m.order[depth];
    // Payers come earlier in `order`, so this holder's counter-releases are fixed now.
    let key: Vec<u32> = m
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.receives == h)
        .map(|(e, r)| gives[e].saturating_mul(r.ratio))
        .collect();
    let Some(options) = per_holder[h].get(&key) else {
        return;
    };
    for o in options {
        let persons2 = persons + o.persons;
        let handovers2 = handovers + u32::from(o.persons > 0);
        if persons2 > m.capacity || handovers2 > m.handovers_per_day {
            continue;
        }
        let by2 = by
            + if m.extension.is_some_and(|(b, _)| b == Some(h)) {
                o.persons
            } else {
                0
            };
        let mark = take.len();
        take.extend_from_slice(&o.take);
        for (e, r) in m.rules.iter().enumerate() {
            if r.gives == h {
                gives[e] = o.take.iter().map(|&(k, x)| x * m.kinds[k].gives[e]).sum();
            }
        }
        combine(
            cx,
            per_holder,
            depth + 1,
            gives,
            take,
            persons2,
            handovers2,
            by2,
            out,
        );
        take.truncate(mark);
    }
}

/// Every admissible release of one holder in the day, the empty one included.
fn holder_options(cx: &DayContext<'_>, h: usize) -> Vec<HolderOption> {
    let m = cx.model;
    let holder = &m.holders[h];
    let budget = holder
        .max_per_day
        .min(m.capacity)
        .min(holder.total_max.saturating_sub(cx.released[h]));
    let mut raw: Vec<Vec<(usize, u32)>> = Vec::new();
    let tiers = &m.tiers_of[h];
    if m.strict {
        strict_walk(cx, tiers, 0, budget, &mut Vec::new(), &mut raw);
    } else {
        let all: Vec<usize> = tiers.iter().flatten().copied().collect();
        let mut cur = Vec::new();
        within(cx, &all, 0, budget, &mut cur, &mut |t| raw.push(t.to_vec()));
    }
    raw.into_iter()
        .filter_map(|take| {
            let persons: u32 = take.iter().map(|&(k, x)| x * m.kinds[k].size).sum();
            if persons > 0 && persons < holder.min_per_day {
                return None;
            }
            let receives = m
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.receives == h)
                .map(|(e, _)| take.iter().map(|&(k, x)| x * m.kinds[k].receives[e]).sum())
                .collect();
            let take = take.into_iter().filter(|&(_, x)| x > 0).collect();
            Some(HolderOption {
                take,
                persons,
                receives,
            })
        })
        .collect()
}

/// Strict priority: a tier may be touched only once every better tier is
/// exhausted (by earlier days or by this same handover).
fn strict_walk(
    cx: &DayContext<'_>,
    tiers: &[Vec<usize>],
    t: usize,
    budget: u32,
    prefix: &mut Vec<(usize, u32)>,
    out: &mut Vec<Vec<(usize, u32)>>,
) {
    let Some(kinds) = tiers.get(t) else {
        out.push(prefix.clone());
        return;
    };
    let mut cur = Vec::new();
    let mut found: Vec<Vec<(usize, u32)>> = Vec::new();
    within(cx, kinds, 0, budget, &mut cur, &mut |c| {
        found.push(c.to_vec())
    });
    for c in found {
        let used: u32 = c.iter().map(|&(k, x)| x * cx.model.kinds[k].size).sum();
        let exhausted = c.iter().all(|&(k, x)| x == cx.rem[k]);
        let mark = prefix.len();
        prefix.extend_from_slice(&c);
        if exhausted && t + 1 < tiers.len() {
            strict_walk(cx, tiers, t + 1, budget - used, prefix, out);
        } else {
            out.push(prefix.clone());
        }
        prefix.truncate(mark);
    }
}

/// Every way to take units of `kinds` within `budget` persons.
fn within(
    cx: &DayContext<'_>,
    kinds: &[usize],
    j: usize,
    budget: u32,
    cur: &mut Vec<(usize, u32)>,
    emit: &mut dyn FnMut(&[Take]),
) {
    let Some(&k) = kinds.get(j) else {
        emit(cur);
        return;
    };
    let size = cx.model.kinds[k].size.max(1);
    let most = cx.rem[k].min(budget / size);
    for x in 0..=most {
        cur.push((k, x));
        within(cx, kinds, j + 1, budget - x * size, cur, emit);
        cur.pop();
    }
}
