//! Numbers that are each fine alone but contradict each other: the checks a
//! negotiator would otherwise only discover when the planner fails.

use std::collections::HashMap;
use std::ops::Range;

use super::read::Cx;
use super::roster::GroupInfo;
use super::symbols::Symbols;
use crate::model::*;

pub(crate) fn check(
    cx: &mut Cx<'_>,
    root: &Range<usize>,
    deal: &Deal,
    sym: &Symbols,
    groups: &HashMap<(String, String), GroupInfo>,
) {
    let at = |path: &str| sym.terms.get(path).cloned().unwrap_or_else(|| root.clone());
    let days = deal.max_days();
    let days_text = match &deal.pause.extension {
        Some(e) => format!(
            "{} days ({} + {} extension days)",
            days, deal.pause.days, e.max_days
        ),
        None => format!("{days} days"),
    };
    let routes = Routes::of(deal);
    route_conflicts(cx, deal, &at);

    for r in &deal.rosters {
        let capacity = routes
            .whole(deal, &r.holder)
            .and_then(|v| v.capacity_per_day);
        let key = |k: &str| format!("roster.{}.{k}", r.holder);
        if let (Some(base), Some(max)) = (r.min_in_base_days.map(u64::from), r.max_per_day) {
            let base_days = deal
                .release
                .release_days
                .as_ref()
                .map_or(deal.pause.days, |d| {
                    d.iter().filter(|&&d| d <= deal.pause.days).count() as u32
                });
            let most = u64::from(max) * u64::from(base_days);
            if base > most {
                cx.error("base-min-unmeetable", &at(&key("min_in_base_days")), format!("`{}` must release at least {base} within the base days, but at most {max} a day for {base_days} day(s) is {most}", r.holder))
                    .label(format!("more than {most}"))
                    .related(at(&key("max_per_day")), "at most this many a day")
                    .help(format!("raise max_per_day to {}, or lower min_in_base_days to {most}", base.div_ceil(u64::from(base_days.max(1)))));
            }
        }
        if let (Some(base), Some(total_max)) = (r.min_in_base_days, r.total_max)
            && base > total_max
        {
            cx.error("min-above-max", &at(&key("min_in_base_days")), format!("`{}` must release at least {base} within the base days but at most {total_max} in all", r.holder))
                .label("above total_max")
                .related(at(&key("total_max")), "total_max")
                .help(format!("lower min_in_base_days to {total_max}, or raise total_max to {base}"));
        }
        let Some(total_min) = r.total_min.map(u64::from) else {
            continue;
        };
        if let Some(max) = r.max_per_day {
            let most = u64::from(max) * u64::from(days);
            if total_min > most {
                let need = total_min.div_ceil(u64::from(days));
                let more_days = total_min.div_ceil(u64::from(max)) - u64::from(days);
                cx.error("total-unmeetable", &at(&key("total_min")), format!("`{}` must release at least {total_min}, but at most {max} a day for {days_text} is {most}", r.holder))
                    .label(format!("more than {most}"))
                    .related(at(&key("max_per_day")), "at most this many a day")
                    .help(format!("raise max_per_day to {need}, add {more_days} day(s), or lower total_min to {most}"));
            }
        }
        if let (Some(cap), Some(min)) = (capacity, r.min_per_day)
            && min > cap
            && total_min > 0
        {
            cx.error("capacity-too-small", &at(&key("min_per_day")), format!("`{}` must release at least {min} on any release day, but the intermediary carries at most {cap} a day", r.holder))
                .label(format!("more than the capacity of {cap}"))
                .help(format!("lower min_per_day to {cap}, or raise the intermediary's capacity_per_day"));
        }
    }

    for via in routes.used(deal) {
        let Some(cap) = via.capacity_per_day else {
            continue;
        };
        // What the rosters carried wholly by this intermediary guarantee
        // (without routes: every roster, through the deal's `via`).
        let guaranteed: u64 = deal
            .rosters
            .iter()
            .filter(|r| {
                routes
                    .whole(deal, &r.holder)
                    .is_some_and(|v| v.id == via.id)
            })
            .filter_map(|r| r.total_min)
            .map(u64::from)
            .sum();
        let most = u64::from(cap) * u64::from(days);
        if guaranteed > most {
            let path = format!("party.{}.capacity_per_day", via.id);
            cx.error("capacity-too-small", &at(&path), format!("the rosters guarantee {guaranteed} releases in all, but `{}` carries at most {cap} a day for {days_text}, {most} in all", via.id))
                .label("too small for the guarantees")
                .help(format!("raise capacity_per_day to {}, or add days", guaranteed.div_ceil(u64::from(days))));
        }
        if via.handovers_per_day == Some(1) && !deal.exchanges.is_empty() {
            let path = format!("party.{}.handovers_per_day", via.id);
            cx.warning(
                "one-handover-a-day",
                &at(&path),
                "with one handover a day, no counter-release can follow the release it pays for"
                    .into(),
            )
            .label("one handover a day")
            .help("allow at least 2 handovers a day (one each way), or drop the exchange rules");
        }
    }

    if let Some(ext) = &deal.pause.extension {
        let roster = deal.roster(&ext.by);
        let capacity = routes.whole(deal, &ext.by).and_then(|v| v.capacity_per_day);
        let limit = roster
            .and_then(|r| r.max_per_day)
            .into_iter()
            .chain(capacity)
            .min();
        let why = match (roster, limit) {
            (None, _) => Some(format!("`{}` has no roster, so it releases nobody", ext.by)),
            (Some(_), Some(l)) if ext.per_releases > l => {
                Some(format!("`{}` can release at most {l} a day", ext.by))
            }
            _ if ext.per_releases as usize > deal.persons_of(&ext.by).count() => Some(format!(
                "`{}` holds fewer than {} persons",
                ext.by, ext.per_releases
            )),
            _ => None,
        };
        if let Some(why) = why {
            cx.warning("extension-unearnable", &at("pause.extension.per_releases"), format!("no extension day can be earned: each needs {} releases by `{}` that day, but {why}", ext.per_releases, ext.by))
                .label("never reachable")
                .help("lower per_releases, or raise the daily limits");
        }
    }

    if deal.release.keep_groups_together && deal.has_routes() {
        group_routes(cx, deal, groups);
    }

    if deal.release.keep_groups_together {
        let mut big: Vec<(&(String, String), &GroupInfo, u32, &str)> = Vec::new();
        for (key, g) in groups {
            let roster = deal.rosters.iter().find(|r| r.holder.as_str() == key.0);
            let per_day = roster.and_then(|r| r.max_per_day);
            let capacity = roster
                .and_then(|r| routes.whole(deal, &r.holder))
                .and_then(|v| v.capacity_per_day);
            let (limit, what) = match (per_day, capacity) {
                (Some(m), Some(c)) if c < m => (c, "the intermediary's capacity_per_day"),
                (Some(m), _) => (m, "max_per_day"),
                (None, Some(c)) => (c, "the intermediary's capacity_per_day"),
                (None, None) => continue,
            };
            if g.size > limit {
                big.push((key, g, limit, what));
            }
        }
        big.sort_by(|a, b| a.0.cmp(b.0));
        for ((holder, group), g, limit, what) in big {
            cx.diags.push(
                crate::diagnostic::Diagnostic::warning("group-too-large", g.first.clone(), format!("the group `{group}` of `{holder}` has {} persons, more than {what} ({limit}): it can never travel together", g.size))
                    .label("first member of the group")
                    .help("raise the limit, or set keep_groups_together = false"),
            );
        }
    }

    let mut unused: Vec<(&String, &Range<usize>)> = sym
        .categories
        .iter()
        .filter(|(id, _)| !sym.used_categories.contains(*id))
        .map(|(id, (_, span))| (id, span))
        .collect();
    unused.sort_by_key(|(_, span)| span.start);
    for (id, span) in unused {
        cx.warning(
            "unused-category",
            span,
            format!("no person or exchange rule uses the category `{id}`"),
        )
        .label("unused")
        .help("remove it, or use it in a roster");
    }
}

/// Which intermediaries carry whose persons (channels aside: their persons
/// go through the channel's party).
struct Routes<'d> {
    /// Per holder: the intermediaries its persons go through, in first-seen order.
    by_holder: HashMap<&'d str, Vec<&'d PartyId>>,
}

impl<'d> Routes<'d> {
    fn of(deal: &'d Deal) -> Self {
        let mut pairs: std::collections::HashSet<(&PartyId, &CategoryId)> = Default::default();
        let mut by_holder: HashMap<&str, Vec<&PartyId>> = HashMap::new();
        for p in &deal.persons {
            if !pairs.insert((&p.holder, &p.category))
                || deal.channel_of(&p.holder, &p.category).is_some()
            {
                continue;
            }
            if let Some(v) = deal.route(&p.holder, &p.category) {
                let list = by_holder.entry(p.holder.as_str()).or_default();
                if !list.contains(&v) {
                    list.push(v);
                }
            }
        }
        Routes { by_holder }
    }

    /// The one intermediary that carries every person of `holder`, if one does
    /// (without routes: the deal's `via`, as before routes existed).
    fn whole(&self, deal: &'d Deal, holder: &PartyId) -> Option<&'d Party> {
        if !deal.has_routes() {
            return deal.intermediary();
        }
        match self.by_holder.get(holder.as_str()).map(Vec::as_slice) {
            Some([only]) => deal.party(only),
            _ => None,
        }
    }

    /// The intermediaries that carry anyone, the deal's `via` first.
    fn used(&self, deal: &'d Deal) -> Vec<&'d Party> {
        let mut ids: Vec<&PartyId> = deal.release.via.iter().collect();
        if deal.has_routes() {
            let mut rest: Vec<&PartyId> = self.by_holder.values().flatten().copied().collect();
            rest.sort();
            rest.dedup();
            ids.extend(
                rest.into_iter()
                    .filter(|v| Some(*v) != deal.release.via.as_ref()),
            );
        }
        ids.into_iter().filter_map(|id| deal.party(id)).collect()
    }
}

/// A category with its own `via` held by a roster with another: the same
/// persons would cross at two points.
fn route_conflicts(cx: &mut Cx<'_>, deal: &Deal, at: &dyn Fn(&str) -> Range<usize>) {
    let mut seen: std::collections::HashSet<(&PartyId, &CategoryId)> = Default::default();
    for p in &deal.persons {
        if !seen.insert((&p.holder, &p.category))
            || deal.channel_of(&p.holder, &p.category).is_some()
        {
            continue;
        }
        let (Some(r), Some(c)) = (deal.roster(&p.holder), deal.category(&p.category)) else {
            continue;
        };
        let (Some(rv), Some(cv)) = (&r.via, &c.via) else {
            continue;
        };
        if rv != cv {
            cx.error(
                "route-conflict",
                &at(&format!("roster.{}.via", r.holder)),
                format!(
                    "the category `{}` is routed through `{cv}`, but the roster of `{}`, which holds persons of it, is routed through `{rv}`",
                    c.id, r.holder
                ),
            )
            .label(format!("through `{rv}`"))
            .related(at(&format!("category.{}.via", c.id)), format!("through `{cv}`"))
            .help(format!(
                "route each person through one intermediary: remove one of the two `via`s, or make both `{cv}`"
            ));
        }
    }
}

/// A kept group goes in one handover, so through one intermediary: members
/// whose categories route them through two can never travel together.
fn group_routes(cx: &mut Cx<'_>, deal: &Deal, groups: &HashMap<(String, String), GroupInfo>) {
    let mut first: HashMap<(&str, &str), (&CategoryId, Option<&PartyId>)> = HashMap::new();
    let mut split: Vec<((&str, &str), String)> = Vec::new();
    for p in &deal.persons {
        let Some(g) = &p.group else { continue };
        if deal.channel_of(&p.holder, &p.category).is_some() {
            continue;
        }
        let key = (p.holder.as_str(), g.as_str());
        let route = deal.route(&p.holder, &p.category);
        match first.get(&key) {
            None => {
                first.insert(key, (&p.category, route));
            }
            Some(&(c, r)) if r != route && !split.iter().any(|(k, _)| *k == key) => {
                let name = |v: Option<&PartyId>| {
                    v.map_or("no intermediary".to_owned(), |v| format!("`{v}`"))
                };
                split.push((
                    key,
                    format!(
                        "its `{c}` members cross by {}, its `{}` members by {}",
                        name(r),
                        p.category,
                        name(route)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    split.sort();
    for ((holder, group), why) in split {
        let Some(g) = groups.get(&(holder.to_owned(), group.to_owned())) else {
            continue;
        };
        cx.diags.push(
            crate::diagnostic::Diagnostic::error("group-split-route", g.first.clone(), format!("the group `{group}` of `{holder}` must travel together, but {why}"))
                .label("first member of the group")
                .help("route the group's categories through one intermediary, or set keep_groups_together = false"),
        );
    }
}
