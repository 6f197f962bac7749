//! Every admissible release of one day, as counts per kind: what the day
//! releases, not yet in which order (that is `intraday`'s).

use std::rc::Rc;

use super::exposure::Exposure;
use super::model::{Fast, Model};

/// Units taken of one kind: (kind index, units).
pub(crate) type Take = (usize, u32);

/// One handover of a day: (lane index — the holder, and the intermediary
/// with several — and units per kind).
pub(crate) type HandoverUnits = (usize, Vec<Take>);

/// What one holder releases in a day: units per kind.
#[derive(Debug, Clone)]
pub(crate) struct HolderOption {
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
    /// When only the largest count of `DayContext::top_of`'s kind was
    /// enumerated: the fewest units of it the day may take; every count
    /// between is an action as well (the searcher steps down to them).
    pub fewest: Option<u32>,
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
    /// Per rule: counter-releases owed from earlier days that must be made
    /// today: those falling due before the next day handovers may happen.
    pub due: &'a [u64],
    /// Per rule: whether today's own payment must be counter-released
    /// today as well (it falls due before the next such day).
    pub due_fresh: &'a [bool],
    /// A lone kind of its holder (see `dp::eager_kinds`), the holder last in
    /// `Model::order`, of which, once the holder's payment is known, only
    /// the largest count that fits the day is enumerated.
    pub top_of: Option<usize>,
}

/// Every non-empty day that keeps the day's counts: per-holder limits and
/// priority, capacity, the extension's releases and each rule's payment
/// (exact, or under a deferral at most what is owed plus today's payment
/// and at least what falls due today). Handovers and exposure depend on the order of the day, which
/// `intraday` decides (the caller's part).
pub(crate) fn actions(cx: &DayContext<'_>, cache: &mut OptionCache) -> Vec<DayAction> {
    let m = cx.model;
    let mut out = Vec::new();
    let mut chosen: Vec<Option<Chosen>> = vec![None; m.holders.len()];
    let mut per_via = vec![0u32; if m.multi() { m.vias.len() } else { 0 }];
    let mut walk = Walk {
        cx,
        cache,
        chosen: &mut chosen,
        per_via: &mut per_via,
        out: &mut out,
        fewest: None,
    };
    walk.combine(0, 0, 0);
    out
}

/// A holder's options of the day (all of them, or those counter-releasing
/// one given payment).
pub(crate) type HolderOptions = Vec<HolderOption>;

/// A holder's options depend only on its own units left: (holder, units
/// left per its kind). Only the options not fixed by a payment are cached
/// (see `Walk::options_of`).
pub(crate) type OptionCache = Fast<(usize, Vec<u32>), Rc<HolderOptions>>;

impl DayContext<'_> {
    /// The least a deferred rule `e` must counter-release today, when
    /// today's payment is `fresh`.
    fn least(&self, e: usize, fresh: u64) -> u64 {
        self.due[e] + if self.due_fresh[e] { fresh } else { 0 }
    }
}

/// One holder's choice in the walk: its options and the index chosen.
type Chosen = (Rc<HolderOptions>, usize);

/// The rules a holder is paid under (it counter-releases), in rule order.
fn paid_to(m: &Model, h: usize) -> Vec<usize> {
    (0..m.rules.len())
        .filter(|&e| m.rules[e].receives == h)
        .collect()
}

/// The recursive walk over holders (in `Model::order`) choosing one option
/// each.
struct Walk<'a, 'c> {
    cx: &'a DayContext<'a>,
    cache: &'c mut OptionCache,
    chosen: &'c mut Vec<Option<Chosen>>,
    per_via: &'c mut Vec<u32>,
    out: &'c mut Vec<DayAction>,
    /// `top_of`'s fewest units, when its holder's options were cut to the
    /// largest.
    fewest: Option<u32>,
}

impl Walk<'_, '_> {
    /// The options of holder `h`: when every rule paying it is paid the same
    /// day and its payer is already chosen, the counter-releases are fixed
    /// (`ratio` × the payment), and only options releasing exactly those are
    /// enumerated, afresh each time (a deferred rule's counter-releases are
    /// a range, so then all are, cached by units left). They are the full
    /// enumeration's options that match, in its order (the walk is the
    /// same, `Payment` only cuts branches without a match), so the day's
    /// actions are unchanged; but enumerating them all first costs
    /// Π (kind's units + 1) for a payee with one kind per rule in one tier —
    /// 13.9 million options for the three rules of the January 2025 replay,
    /// each day, of which one matches a given payment.
    fn options_of(&mut self, h: usize) -> Rc<HolderOptions> {
        let m = self.cx.model;
        let cx = self.cx;
        let paid = paid_to(m, h);
        let mut known = (!paid.is_empty()).then(Vec::new);
        for e in paid {
            let r = &m.rules[e];
            let payer = self.chosen.get(r.gives).and_then(Option::as_ref);
            let (Some((opts, j)), Some(payment)) = (payer, known.as_mut()) else {
                known = None;
                break;
            };
            let fresh = u64::from(opts[*j].gives[e]) * u64::from(r.ratio);
            // Under a deferral, between what must be paid today and what
            // is owed plus today's payment (as `combine` checks); else
            // exactly the payment.
            payment.push(if r.deferred > 0 {
                (cx.least(e, fresh), cx.owing[e] + fresh)
            } else {
                (fresh, fresh)
            });
        }
        let top = cx.top_of.filter(|&k| m.kinds[k].holder == h);
        if top.is_some() {
            self.fewest = None;
        }
        if let Some(payment) = known {
            // Not cached: a (units left, payment) pair rarely comes back,
            // and hashing it cost more than the walk (3 rules × 16 of the
            // January replay: 0.55 s of CPU cached, 0.38 s not, for five plans).
            let options = holder_options(cx, h, Some(&payment));
            if let Some(k) = top
                && options.len() > 1
            {
                // The holder's only kind: its options are every count
                // between the fewest and the most, in that order (see
                // `holder_options`); `combine` takes the most that fits.
                self.fewest = options
                    .iter()
                    .map(|o| o.take.iter().find(|&&(j, _)| j == k).map_or(0, |&(_, x)| x))
                    .min();
            }
            return Rc::new(options);
        }
        let key: Vec<u32> = m.kinds_of[h].iter().map(|&k| self.cx.rem[k]).collect();
        self.cache
            .entry((h, key))
            .or_insert_with(|| Rc::new(holder_options(cx, h, None)))
            .clone()
    }

    fn combine(&mut self, depth: usize, persons: u32, by: u32) {
        let cx = self.cx;
        let m = cx.model;
        if depth == m.order.len() {
            if persons == 0 || by < cx.by_needed {
                return;
            }
            let mut take: Vec<(usize, u32)> = self
                .chosen
                .iter()
                .filter_map(|c| c.as_ref().map(|(opts, i)| &opts[*i]))
                .flat_map(|o| o.take.iter().copied())
                .collect();
            take.sort_unstable();
            let weight = take
                .iter()
                .map(|&(k, x)| u64::from(x * m.kinds[k].size) * m.kinds[k].weight)
                .sum();
            self.out.push(DayAction {
                take,
                persons,
                weight,
                peak: Exposure::ZERO,
                order: None,
                fewest: self.fewest,
            });
            return;
        }
        let h = m.order[depth];
        let options = self.options_of(h);
        // `top_of`'s holder comes last (see `DayContext::top_of`): every
        // check below only fails a count when it fails every larger one,
        // so the largest that passes stands for the rest.
        let top = self.fewest.is_some() && cx.top_of.is_some_and(|k| m.kinds[k].holder == h);
        let indices: Box<dyn Iterator<Item = usize>> = if top {
            Box::new((0..options.len()).rev())
        } else {
            Box::new(0..options.len())
        };
        for i in indices {
            let o = &options[i];
            let persons2 = persons + o.persons;
            if persons2 > m.capacity {
                continue;
            }
            // Each intermediary carries at most its own capacity.
            if self
                .per_via
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
                let Some(Some((opts, j))) = self.chosen.get(other) else {
                    return true;
                };
                let (g, c) = if r.gives == h {
                    (o.gives[e], opts[*j].receives[e])
                } else {
                    (opts[*j].gives[e], o.receives[e])
                };
                let fresh = u64::from(g) * u64::from(r.ratio);
                if r.deferred > 0 {
                    let c = u64::from(c);
                    return c >= cx.least(e, fresh) && c <= cx.owing[e] + fresh;
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
            for (a, b) in self.per_via.iter_mut().zip(&o.per_via) {
                *a += b;
            }
            self.chosen[h] = Some((options.clone(), i));
            self.combine(depth + 1, persons2, by2);
            self.chosen[h] = None;
            let o = &options[i];
            for (a, b) in self.per_via.iter_mut().zip(&o.per_via) {
                *a -= b;
            }
            if top {
                break;
            }
        }
    }
}

/// Every admissible release of one holder in the day, the empty one
/// included; with `paid`, only those counter-releasing within its
/// (least, most) under each rule paid to the holder (in rule order).
fn holder_options(cx: &DayContext<'_>, h: usize, paid: Option<&[(u64, u64)]>) -> Vec<HolderOption> {
    let m = cx.model;
    let holder = &m.holders[h];
    let budget = holder
        .max_per_day
        .min(m.capacity)
        .min(holder.total_max.saturating_sub(cx.released[h]));
    let mut raw: Vec<Vec<(usize, u32)>> = Vec::new();
    let tiers = &m.tiers_of[h];
    if m.strict {
        let order: Vec<Vec<usize>> = tiers.iter().flatten().map(|&k| vec![k]).collect();
        let mut pay = paid.map(|want| Payment::new(cx, h, want, &order));
        strict_walk(cx, tiers, 0, 0, budget, &mut pay, &mut Vec::new(), &mut raw);
    } else {
        // Weighted priority: units that differ only in tier go best tier
        // first (swapping two of them between days keeps every term and
        // never worsens the tier order), so a class is taken in tier order.
        let classes = &m.classes_of[h];
        let mut pay = paid.map(|want| Payment::new(cx, h, want, classes));
        let mut cur = Vec::new();
        class_walk(cx, classes, 0, budget, &mut pay, &mut cur, &mut raw);
    }
    let rules = paid_to(m, h);
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
            let receives: Vec<u32> = (0..m.rules.len())
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
            // The walks cut what cannot meet the payment; what is left is
            // judged here, exactly.
            let outside = |(&e, &(lo, hi)): (&usize, &(u64, u64))| {
                !(lo..=hi).contains(&u64::from(receives[e]))
            };
            if paid.is_some_and(|want| rules.iter().zip(want).any(outside)) {
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

/// The payment a holder's options must counter-release, to cut the walks
/// early: per rule paid to the holder, what is wanted, what the walk has
/// taken so far, and the most that each position of the walk onwards can
/// still counter-release (its units left, every later position's too).
/// Counter-releases only grow with what is taken, so a walk that is over
/// the payment, or cannot reach it with everything after, has no option
/// that meets it: the cuts lose none.
struct Payment {
    /// Per paid rule: (rule, least, most, taken so far); least and most
    /// are equal unless the rule defers.
    rules: Vec<(usize, u64, u64, u64)>,
    /// `reach[p][i]`: the most positions `p..` can counter-release under
    /// the `i`-th paid rule.
    reach: Vec<Vec<u64>>,
}

impl Payment {
    /// `order`: the walk's positions, each a set of kinds alike in what a
    /// unit counter-releases (a kind, or a class of kinds).
    fn new(cx: &DayContext<'_>, h: usize, want: &[(u64, u64)], order: &[Vec<usize>]) -> Self {
        let m = cx.model;
        let rules: Vec<(usize, u64, u64, u64)> = paid_to(m, h)
            .into_iter()
            .zip(want)
            .map(|(e, &(lo, hi))| (e, lo, hi, 0))
            .collect();
        let mut reach = vec![vec![0u64; rules.len()]; order.len() + 1];
        for p in (0..order.len()).rev() {
            for (i, &(e, ..)) in rules.iter().enumerate() {
                let here: u64 = order[p]
                    .iter()
                    .map(|&k| u64::from(cx.rem[k]) * u64::from(m.kinds[k].receives[e]))
                    .sum();
                reach[p][i] = reach[p + 1][i] + here;
            }
        }
        Payment { rules, reach }
    }

    /// The numbers of units of kind `k` (at position `p`) the walk may
    /// take: at most what keeps every rule within the payment, at least
    /// what lets the positions after `p` still meet it; `None` when no
    /// number does. Each bound is one division per rule, where testing
    /// each number would cost a step per unit of a payee's kind.
    fn range(&self, m: &Model, k: usize, p: usize) -> Option<(u32, u32)> {
        let (mut lo, mut hi) = (0u64, u64::MAX);
        for (i, &(e, least, most, got)) in self.rules.iter().enumerate() {
            if got > most {
                return None;
            }
            let c = u64::from(m.kinds[k].receives[e]);
            // What this position must counter-release at least.
            let short = least.saturating_sub(got + self.reach[p + 1][i]);
            if c == 0 {
                if short > 0 {
                    return None;
                }
                continue;
            }
            lo = lo.max(short.div_ceil(c));
            hi = hi.min((most - got) / c);
        }
        let clamp = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
        (lo <= hi).then(|| (clamp(lo), clamp(hi)))
    }

    /// Adds (or, with `add` false, removes) `x` units of kind `k`.
    fn take(&mut self, m: &Model, k: usize, x: u32, add: bool) {
        for (e, _, _, got) in &mut self.rules {
            let c = u64::from(x) * u64::from(m.kinds[k].receives[*e]);
            if add { *got += c } else { *got -= c }
        }
    }
}

/// Strict priority: a tier may be touched only once every better tier is
/// exhausted (by earlier days or by this same handover). `at`: the
/// position of tier `t`'s first kind in the walk (tiers flattened).
#[expect(clippy::too_many_arguments, reason = "a recursive walk's state")]
fn strict_walk(
    cx: &DayContext<'_>,
    tiers: &[Vec<usize>],
    t: usize,
    at: usize,
    budget: u32,
    pay: &mut Option<Payment>,
    prefix: &mut Vec<(usize, u32)>,
    out: &mut Vec<Vec<(usize, u32)>>,
) {
    let Some(kinds) = tiers.get(t) else {
        out.push(prefix.clone());
        return;
    };
    let m = cx.model;
    let mut cur = Vec::new();
    let mut found: Vec<Vec<(usize, u32)>> = Vec::new();
    within(cx, kinds, 0, at, budget, pay, &mut cur, &mut |c| {
        found.push(c.to_vec())
    });
    for c in found {
        let used: u32 = c.iter().map(|&(k, x)| x * m.kinds[k].size).sum();
        let exhausted = c.iter().all(|&(k, x)| x == cx.rem[k]);
        let mark = prefix.len();
        prefix.extend_from_slice(&c);
        if exhausted && t + 1 < tiers.len() {
            if let Some(p) = pay.as_mut() {
                c.iter().for_each(|&(k, x)| p.take(m, k, x, true));
            }
            strict_walk(
                cx,
                tiers,
                t + 1,
                at + kinds.len(),
                budget - used,
                pay,
                prefix,
                out,
            );
            if let Some(p) = pay.as_mut() {
                c.iter().for_each(|&(k, x)| p.take(m, k, x, false));
            }
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
    pay: &mut Option<Payment>,
    cur: &mut Vec<(usize, u32)>,
    out: &mut Vec<Vec<(usize, u32)>>,
) {
    let Some(class) = classes.get(j) else {
        out.push(cur.clone());
        return;
    };
    let m = cx.model;
    let size = m.kinds[class[0]].size.max(1);
    let left: u32 = class.iter().map(|&k| cx.rem[k]).sum();
    let most = left.min(budget / size);
    // A class's kinds counter-release alike per unit: its first speaks for all.
    let (lo, hi) = match pay.as_ref().map(|p| p.range(m, class[0], j)) {
        Some(None) => return,
        Some(Some(r)) => r,
        None => (0, u32::MAX),
    };
    for x in lo..=most.min(hi) {
        let mark = cur.len();
        let mut want = x;
        for &k in class {
            let n = want.min(cx.rem[k]);
            if n > 0 {
                cur.push((k, n));
            }
            want -= n;
        }
        if let Some(p) = pay.as_mut() {
            p.take(m, class[0], x, true);
        }
        class_walk(cx, classes, j + 1, budget - x * size, pay, cur, out);
        if let Some(p) = pay.as_mut() {
            p.take(m, class[0], x, false);
        }
        cur.truncate(mark);
    }
}

/// Every way to take units of `kinds` within `budget` persons (`at`: the
/// position of `kinds[0]` in the walk).
#[expect(clippy::too_many_arguments, reason = "a recursive walk's state")]
fn within(
    cx: &DayContext<'_>,
    kinds: &[usize],
    j: usize,
    at: usize,
    budget: u32,
    pay: &mut Option<Payment>,
    cur: &mut Vec<(usize, u32)>,
    emit: &mut dyn FnMut(&[Take]),
) {
    let Some(&k) = kinds.get(j) else {
        emit(cur);
        return;
    };
    let m = cx.model;
    let size = m.kinds[k].size.max(1);
    let most = cx.rem[k].min(budget / size);
    let (lo, hi) = match pay.as_ref().map(|p| p.range(m, k, at + j)) {
        Some(None) => return,
        Some(Some(r)) => r,
        None => (0, u32::MAX),
    };
    for x in lo..=most.min(hi) {
        if let Some(p) = pay.as_mut() {
            p.take(m, k, x, true);
        }
        cur.push((k, x));
        within(cx, kinds, j + 1, at, budget - x * size, pay, cur, emit);
        cur.pop();
        if let Some(p) = pay.as_mut() {
            p.take(m, k, x, false);
        }
    }
}
