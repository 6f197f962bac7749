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
    let via = deal.intermediary();
    let capacity = via.and_then(|v| v.capacity_per_day);

    for r in &deal.rosters {
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

    if let (Some(via), Some(cap)) = (via, capacity) {
        let guaranteed: u64 = deal
            .rosters
            .iter()
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

    if deal.release.keep_groups_together {
        let mut big: Vec<(&(String, String), &GroupInfo, u32, &str)> = Vec::new();
        for (key, g) in groups {
            let roster = deal.rosters.iter().find(|r| r.holder.as_str() == key.0);
            let per_day = roster.and_then(|r| r.max_per_day);
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
