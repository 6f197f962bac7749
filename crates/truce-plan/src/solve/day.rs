//! Every admissible release of one day, as counts per kind: what the day
//! releases, not yet in which order (that is `intraday`'s).

use std::collections::HashMap;
use std::rc::Rc;

use super::exposure::Exposure;
use super::model::Model;

/// Units taken of one kind: (kind index, units).
pub(crate) type Take = (usize, u32);

/// One handover of a day: (lane index — the holder, and the intermediary
/// with several — and units per kind).
pub(crate) type HandoverUnits = (usize, Vec<Take>);

/// What one holder releases in a day: units per kind.
#[derive(Debug, Clone)]
struct HolderOption {
    take: Vec<(usize, u32)>,
    persons: u32,
    /// With several intermediaries: persons per intermediary (else empty).
    per_via: Vec<u32>,
    /// Per rule: paying releases and counter-releases in this option.
    gives: Vec<u32>,
    receives: Vec<u32>,
}

/// One admissible day: units per kind over all holders.
#[derive(Debug, Clone)]
pub(crate) struct DayAction {
    /// Units per kind, sorted by kind.
    pub take: Vec<(usize, u32)>,
    pub persons: u32,
    /// Σ over released persons of their tier weight.
    pub weight: u64,
    /// The day's smallest peak exposure (set by the search).
    pub peak: Exposure,
    /// The day's handovers in order, when already decided (the fast path);
    /// `None`: `intraday::day_order` finds them.
    pub order: Option<Vec<HandoverUnits>>,
}

/// The day's context the enumeration needs.
pub(crate) struct DayContext<'a> {
    pub model: &'a Model,
    pub rem: &'a [u32],
    /// Persons each holder has released before this day.
    pub released: &'a [u32],
    /// Releases by the extension's side needed today (0 on base days).
    pub by_needed: u32,
    /// Per rule: counter-releases owed from earlier days (deferred rules;
    /// 0 for rules paid the same day).
    pub owing: &'a [u64],
    /// Per rule: counter-releases that fall due at the end of today.
    pub due: &'a [u64],
}

/// Every non-empty day that keeps the day's counts: per-holder limits and
/// priority, capacity, the extension's releases and each rule's payment
/// (exact, or under a deferral at most what is owed plus today's payment
/// and at least what falls due today). Handovers and exposure depend on the order of the day, which
/// `intraday` decides (the caller's part).
pub(crate) fn actions(cx: &DayContext<'_>, cache: &mut OptionCache) -> Vec<DayAction> {
    let m = cx.model;
    let per_holder: Vec<Rc<HolderOptions>> = (0..m.holders.len())
        .map(|h| {
            let key: Vec<u32> = m.kinds_of[h].iter().map(|&k| cx.rem[k]).collect();
            cache
                .entry((h, key))
                .or_insert_with(|| Rc::new(index(m, h, holder_options(cx, h))))
                .clone()
        })
        .collect();
    let mut out = Vec::new();
    let mut chosen: Vec<Option<usize>> = vec![None; m.holders.len()];
    let mut per_via = vec![0u32; if m.multi() { m.vias.len() } else { 0 }];
    combine(
        cx,
        &per_holder,
        0,
        &mut chosen,
        0,
        0,
        &mut per_via,
        &mut out,
    );
    out
}

/// A holder's options of the day, by what they counter-release.
pub(crate) struct HolderOptions {
    all: Vec<HolderOption>,
    /// Per counter-release amounts (rules paid to this holder, in rule
    /// order): the options releasing exactly those.
    by_receives: HashMap<Vec<u32>, Vec<usize>>,
}

/// A holder's options depend only on its own units left: (holder, units left per its kind).
pub(crate) type OptionCache = HashMap<(usize, Vec<u32>), Rc<HolderOptions>>;

fn index(m: &Model, h: usize, all: Vec<HolderOption>) -> HolderOptions {
    let mut by_receives: HashMap<Vec<u32>, Vec<usize>> = HashMap::new();
    for (i, o) in all.iter().enumerate() {
        let key = m
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.receives == h)
            .map(|(e, _)| o.receives[e])
            .collect();
        by_receives.entry(key).or_default().push(i);
    }
    HolderOptions { all, by_receives }
}

#[expect(clippy::too_many_arguments, reason = "a recursive walk's state")]
fn combine(
    cx: &DayContext<'_>,
    per_holder: &[Rc<HolderOptions>],
    depth: usize,
    chosen: &mut Vec<Option<usize>>,
    persons: u32,
    by: u32,
    per_via: &mut Vec<u32>,
    out: &mut Vec<DayAction>,
) {
    let m = cx.model;
    if depth == m.order.len() {
        if persons == 0 || by < cx.by_needed {
            return;
        }
        let mut take: Vec<(usize, u32)> = chosen
            .iter()
            .enumerate()
            .filter_map(|(h, o)| o.map(|o| &per_holder[h].all[o]))
            .flat_map(|o| o.take.iter().copied())
            .collect();
        take.sort_unstable();
        let weight = take
            .iter()
            .map(|&(k, x)| u64::from(x * m.kinds[k].size) * m.kinds[k].weight)
            .sum();
        out.push(DayAction {
            take,
            persons,
            weight,
            peak: Exposure::ZERO,
            order: None,
        });
        return;
    }
    let h = m.order[depth];
    // When every rule paying this holder has its payer chosen, only the
    // options counter-releasing exactly that payment can follow (a
    // deferred rule's counter-releases are a range, so all are tried).
    let known: Option<Vec<u32>> = m
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.receives == h)
        .map(|(e, r)| {
            if r.deferred > 0 {
                return None;
            }
            let j = chosen.get(r.gives).copied().flatten()?;
            u32::try_from(u64::from(per_holder[r.gives].all[j].gives[e]) * u64::from(r.ratio)).ok()
        })
        .collect();
    let all: Vec<usize>;
    let candidates: &[usize] = match &known {
        Some(key) => match per_holder[h].by_receives.get(key) {
            Some(c) => c,
            None => return,
        },
        None => {
            all = (0..per_holder[h].all.len()).collect();
            &all
        }
    };
    for &i in candidates {
        let o = &per_holder[h].all[i];
        let persons2 = persons + o.persons;
        if persons2 > m.capacity {
            continue;
        }
        // Each intermediary carries at most its own capacity.
        if per_via
            .iter()
            .zip(&o.per_via)
            .zip(&m.vias)
            .any(|((&a, &b), v)| a + b > v.capacity)
        {
            continue;
        }
        // Each rule's payment is exact: check it once both holders are chosen.
        let pays = m.rules.iter().enumerate().all(|(e, r)| {
            let other = if r.gives == h {
                r.receives
            } else if r.receives == h {
                r.gives
            } else {
                return true;
            };
            let Some(Some(j)) = chosen.get(other).copied() else {
                return true;
            };
            let (g, c) = if r.gives == h {
                (o.gives[e], per_holder[other].all[j].receives[e])
            } else {
                (per_holder[other].all[j].gives[e], o.receives[e])
            };
            let fresh = u64::from(g) * u64::from(r.ratio);
            if r.deferred > 0 {
                let c = u64::from(c);
                return c >= cx.due[e] && c <= cx.owing[e] + fresh;
            }
            fresh == u64::from(c)
        });
        if !pays {
            continue;
        }
        let by2 = by
            + if m.extension.is_some_and(|(b, _)| b == Some(h)) {
                o.persons
            } else {
                0
            };
        chosen[h] = Some(i);
        for (a, b) in per_via.iter_mut().zip(&o.per_via) {
            *a += b;
        }
        combine(
            cx,
            per_holder,
            depth + 1,
            chosen,
            persons2,
            by2,
            per_via,
            out,
        );
        for (a, b) in per_via.iter_mut().zip(&o.per_via) {
            *a -= b;
        }
        chosen[h] = None;
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
        // Weighted priority: units that differ only in tier go best tier
        // first (swapping two of them between days keeps every term and
        // never worsens the tier order), so a class is taken in tier order.
        let mut cur = Vec::new();
        class_walk(cx, &m.classes_of[h], 0, budget, &mut cur, &mut raw);
    }
    raw.into_iter()
        .filter_map(|take| {
            let persons: u32 = take.iter().map(|&(k, x)| x * m.kinds[k].size).sum();
            if persons > 0 && persons < holder.min_per_day {
                return None;
            }
            let flow = |e: usize, f: fn(&super::model::Kind, usize) -> u32| {
                take.iter().map(|&(k, x)| x * f(&m.kinds[k], e)).sum()
            };
            let gives = (0..m.rules.len())
                .map(|e| flow(e, |k, e| k.gives[e]))
                .collect();
            let receives = (0..m.rules.len())
                .map(|e| flow(e, |k, e| k.receives[e]))
                .collect();
            let mut per_via = vec![0u32; if m.multi() { m.vias.len() } else { 0 }];
            for &(k, x) in &take {
                if let Some(v) = per_via.get_mut(m.lanes[m.kinds[k].lane].1) {
                    *v += x * m.kinds[k].size;
                }
            }
            if per_via.iter().zip(&m.vias).any(|(&n, v)| n > v.capacity) {
                return None;
            }
            let take = take.into_iter().filter(|&(_, x)| x > 0).collect();
            Some(HolderOption {
                take,
                persons,
                per_via,
                gives,
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

/// Every amount of each class within `budget` persons, each class's units
/// taken best tier first.
fn class_walk(
    cx: &DayContext<'_>,
    classes: &[Vec<usize>],
    j: usize,
    budget: u32,
    cur: &mut Vec<(usize, u32)>,
    out: &mut Vec<Vec<(usize, u32)>>,
) {
    let Some(class) = classes.get(j) else {
        out.push(cur.clone());
        return;
    };
    let size = cx.model.kinds[class[0]].size.max(1);
    let left: u32 = class.iter().map(|&k| cx.rem[k]).sum();
    let most = left.min(budget / size);
    for x in 0..=most {
        let mark = cur.len();
        let mut want = x;
        for &k in class {
            let n = want.min(cx.rem[k]);
            if n > 0 {
                cur.push((k, n));
            }
            want -= n;
        }
        class_walk(cx, classes, j + 1, budget - x * size, cur, out);
        cur.truncate(mark);
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
