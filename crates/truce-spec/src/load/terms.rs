//! `[[exchange]]`, `[release]` and `[[open_issue]]`.

use std::collections::{HashMap, HashSet};

use super::parties::{MAX_DAYS, MAX_HANDOVERS, MAX_PERSONS};
use super::read::{self, Cx, Sp, Tbl};
use super::roster::RosterSet;
use super::symbols::{Symbols, check_id, duplicate_id};
use crate::model::*;

/// The largest exchange ratio: far above any real deal (1:1,000 is already
/// extreme), low enough that ratio × persons never overflows.
const MAX_RATIO: u32 = 10_000;

const EXCHANGE_KEYS: &[&str] = &[
    "gives",
    "receives",
    "ratio",
    "simultaneous",
    "deferred_days",
];
const SIDE_KEYS: &[&str] = &["holder", "categories"];

pub(crate) fn read_exchanges(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sym: &mut Symbols,
    rosters: &RosterSet,
    max_days: Option<u32>,
) -> Vec<Sp<Exchange>> {
    let mut out = Vec::new();
    // (holder, category) → where it was first used as payment / as payer.
    let mut gives_at: HashMap<(String, String), std::ops::Range<usize>> = HashMap::new();
    let mut receives_at: HashMap<(String, String), std::ops::Range<usize>> = HashMap::new();
    for (i, (map, span)) in read::table_array(cx, root, "exchange").iter().enumerate() {
        let name = format!("[[exchange]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, EXCHANGE_KEYS);
        let gives = read_side(cx, &t, "gives", sym);
        let receives = read_side(cx, &t, "receives", sym);
        let ratio = t.req_uint(cx, "ratio", 1, MAX_RATIO, "ratio = 3");
        let swap = t.bool(cx, "simultaneous");
        let simultaneous = swap.as_ref().is_some_and(|b| b.v);
        let deferred = t.uint(cx, "deferred_days", 0, MAX_DAYS);
        let deferred_days = deferred.as_ref().map_or(0, |d| d.v);
        if let (Some(d), Some(swap)) = (&deferred, &swap)
            && d.v > 0
            && swap.v
        {
            cx.error(
                "deferred-swap",
                &d.span,
                format!(
                    "a simultaneous swap cannot defer its counter-releases by {} day(s)",
                    d.v
                ),
            )
            .label("a deferral")
            .related(
                swap.span.clone(),
                "both sides hand over at the same moment here",
            )
            .help(
                "a swap pays at the moment it is paid for: drop `deferred_days`, or `simultaneous`",
            );
            continue;
        }
        if let (Some(d), Some(days)) = (&deferred, max_days)
            && d.v > 0
            && d.v >= days
        {
            cx.error(
                "deferral-beyond-pause",
                &d.span,
                format!(
                    "a deferral of {} day(s) in a pause of at most {days} day(s): no payment \
                     could fall due within the pause",
                    d.v
                ),
            )
            .label(format!("at most {} in a pause of {days} days", days - 1))
            .help(
                "counter-releases are due within the pause; a deferral of N days pays \
                 day d's releases by day d + N and all of them by the last day",
            );
            continue;
        }
        let (Some(gives), Some(receives), Some(ratio)) = (gives, receives, ratio) else {
            continue;
        };
        if gives.v.holder == receives.v.holder {
            cx.error(
                "same-holder",
                &receives.span,
                format!("both sides of this exchange are `{}`", gives.v.holder),
            )
            .label("the same holder as `gives`")
            .help("an exchange rule is between two different sides");
            continue;
        }
        let mut ok = true;
        for (side, role) in [(&gives, "gives"), (&receives, "receives")] {
            let (map, other) = if role == "gives" {
                (&mut gives_at, &receives_at)
            } else {
                (&mut receives_at, &gives_at)
            };
            for c in &side.v.categories {
                let key = (side.v.holder.0.clone(), c.0.clone());
                let clash = map
                    .get(&key)
                    .map(|s| (s.clone(), "this side of another rule"))
                    .or_else(|| {
                        other
                            .get(&key)
                            .map(|s| (s.clone(), "the other side of a rule"))
                    });
                if let Some((first, what)) = clash {
                    cx.error(
                        "ambiguous-exchange",
                        &side.span,
                        format!(
                            "the category `{c}` of `{}` already appears in {what}",
                            side.v.holder
                        ),
                    )
                    .label(format!("`{c}` used again in `{role}`"))
                    .related(first.clone(), "first used here")
                    .help("each category of a holder either pays or is paid for, in one rule only");
                    ok = false;
                } else {
                    map.insert(key, side.span.clone());
                }
                let held = rosters
                    .persons
                    .iter()
                    .any(|p| p.holder == side.v.holder && &p.category == c);
                let complete = rosters.rosters.iter().any(|r| r.v.holder == side.v.holder)
                    && !rosters.incomplete.contains(side.v.holder.as_str());
                if !held && complete {
                    cx.warning(
                        "exchange-unused-category",
                        &side.span,
                        format!(
                            "no person held by `{}` has the category `{c}`",
                            side.v.holder
                        ),
                    )
                    .label("no such person in the roster")
                    .help("check the category, or the holder's roster");
                }
            }
        }
        if ok {
            out.push(Sp {
                v: Exchange {
                    gives: gives.v,
                    receives: receives.v,
                    ratio: ratio.v,
                    simultaneous,
                    deferred_days,
                },
                span: (*span).clone(),
            });
        }
    }
    out
}

fn read_side(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    key: &str,
    sym: &mut Symbols,
) -> Option<Sp<ExchangeSide>> {
    let v = t.require(
        cx,
        key,
        &format!("{key} = {{ holder = \"side-b\", categories = [\"child\"] }}"),
    )?;
    let Some(map) = v.get_ref().as_table() else {
        read::type_error(
            cx,
            v,
            key,
            "a table",
            &format!("{key} = {{ holder = \"side-b\", categories = [\"child\"] }}"),
        );
        return None;
    };
    let span = v.span();
    let name = format!("`{key}` of {}", t.name);
    let s = Tbl {
        map,
        span: &span,
        name: &name,
    };
    s.check_keys(cx, SIDE_KEYS);
    let holder = s
        .req_str(cx, "holder", "holder = \"side-b\"")
        .and_then(|h| sym.party(cx, &h, "holder", Some(Role::Side)));
    s.require(cx, "categories", "categories = [\"child\"]");
    let list = s.str_list(cx, "categories");
    let mut categories = Vec::new();
    let mut ok = true;
    if let Some(list) = &list {
        if list.v.is_empty() {
            cx.error(
                "empty-list",
                &list.span,
                format!("`categories` of `{key}` is empty"),
            )
            .label("no categories")
            .help("name at least one category");
            ok = false;
        }
        for c in &list.v {
            if categories.iter().any(|k: &CategoryId| k.0 == c.v) {
                cx.error(
                    "duplicate-id",
                    &c.span,
                    format!("the category `{}` is listed twice", c.v),
                )
                .label("listed again")
                .help("list each category once");
                ok = false;
            } else if let Some(id) = sym.category(cx, c, "categories") {
                categories.push(id);
            } else {
                ok = false;
            }
        }
    }
    match (holder, list, ok) {
        (Some(holder), Some(_), true) => Some(Sp {
            v: ExchangeSide { holder, categories },
            span,
        }),
        _ => None,
    }
}

const RELEASE_KEYS: &[&str] = &[
    "priority",
    "keep_groups_together",
    "max_exposure",
    "via",
    "release_days",
    "window",
    "lists_night_before",
];

pub(crate) fn read_release(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sym: &mut Symbols,
    parties: &[Sp<Party>],
    max_days: Option<u32>,
    routed: bool,
) -> Option<Release> {
    let empty = toml::de::DeTable::new();
    let (map, span) = root
        .table(cx, "release")
        .unwrap_or((&empty, root.span.clone()));
    let t = Tbl {
        map,
        span: &span,
        name: "[release]",
    };
    t.check_keys(cx, RELEASE_KEYS);
    let priority = match t.str(cx, "priority") {
        None => Some(Priority::Strict),
        Some(p) => match p.v.as_str() {
            "strict" => Some(Priority::Strict),
            "weighted" => Some(Priority::Weighted),
            other => {
                let d = cx
                    .error(
                        "unknown-priority",
                        &p.span,
                        format!("`{other}` is not a priority rule"),
                    )
                    .label("unknown priority");
                match read::nearest(other, &["strict", "weighted"]) {
                    Some(n) => d.help(format!(
                        "did you mean `{n}`? the rules are strict and weighted"
                    )),
                    None => d.help("write priority = \"strict\" or \"weighted\""),
                };
                None
            }
        },
    };
    let keep = t.bool(cx, "keep_groups_together").is_none_or(|b| b.v);
    let max_exposure = t.get("max_exposure").and_then(|v| {
        sym.terms.insert("release.max_exposure".into(), v.span());
        if v.get_ref()
            .as_integer()
            .is_some_and(|i| i.as_str().starts_with('-'))
        {
            cx.error(
                "out-of-range",
                &v.span(),
                "`max_exposure` must be 0 or more".into(),
            )
            .label("negative bound")
            .help("exposure is a number of persons: write 0 or more, or leave it out for no bound");
            return None;
        }
        read::as_uint(cx, v, "max_exposure", 0, MAX_PERSONS).map(|m| m.v)
    });
    let via = match t.str(cx, "via") {
        Some(v) => {
            sym.terms.insert("release.via".into(), v.span.clone());
            sym.party(cx, &v, "via", Some(Role::Intermediary))
        }
        None => {
            let mut intermediaries = parties.iter().filter(|p| p.v.role == Role::Intermediary);
            match (intermediaries.next(), intermediaries.next()) {
                (Some(only), None) => Some(only.v.id.clone()),
                (Some(_), Some(_)) if routed => None,
                (Some(_), Some(_)) => {
                    cx.error("ambiguous-via", &span, "the deal has several intermediaries but does not say which one carries persons".into())
                        .label("no `via` here")
                        .help("add `via = \"<intermediary id>\"` to [release], or to each [[roster]] or [[category]]");
                    return None;
                }
                _ => None,
            }
        }
    };
    let release_days = read_release_days(cx, &t, max_days);
    let window = read_window(cx, &t);
    let lists_night_before = t.bool(cx, "lists_night_before").is_some_and(|b| b.v);
    Some(Release {
        priority: priority?,
        keep_groups_together: keep,
        max_exposure,
        via,
        release_days: release_days?,
        window: window?,
        lists_night_before,
    })
}

/// `window = { from = "07:00", to = "16:00" }`: the time of day handovers
/// happen in. `Some(None)`: no window; `None`: a bad one (reported).
fn read_window(cx: &mut Cx<'_>, t: &Tbl<'_, '_>) -> Option<Option<Window>> {
    let Some((map, span)) = t.table(cx, "window") else {
        return Some(None);
    };
    let w = Tbl {
        map,
        span: &span,
        name: "`window` of [release]",
    };
    w.check_keys(cx, &["from", "to"]);
    let mut clock = |key: &str, example: &str| {
        let v = w.req_str(cx, key, example)?;
        match Window::parse_clock(&v.v) {
            Some(m) => Some(Sp { v: m, span: v.span }),
            None => {
                cx.error(
                    "bad-time",
                    &v.span,
                    format!("`{}` is not a time of day", v.v),
                )
                .label("expected HH:MM")
                .help(format!(
                    "write the local time as two-digit hours and minutes, e.g. `{example}`"
                ));
                None
            }
        }
    };
    let from = clock("from", "from = \"07:00\"");
    let to = clock("to", "to = \"16:00\"");
    let (from, to) = (from?, to?);
    if from.v >= to.v {
        cx.error(
            "empty-window",
            &to.span,
            format!(
                "the window ends at {} but starts at {}",
                Window::clock(to.v),
                Window::clock(from.v)
            ),
        )
        .label("not after `from`")
        .related(from.span.clone(), "starts here")
        .help("give a window within one day, `from` before `to`");
        return None;
    }
    Some(Some(Window {
        from: from.v,
        to: to.v,
    }))
}

/// `release_days = [7, 14, 21]`: increasing day numbers within the pause.
fn read_release_days(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    max_days: Option<u32>,
) -> Option<Option<Vec<u32>>> {
    let Some(v) = t.get("release_days") else {
        return Some(None);
    };
    let Some(items) = v.get_ref().as_array() else {
        read::type_error(
            cx,
            v,
            "release_days",
            "a list of day numbers",
            "release_days = [7, 14, 21]",
        );
        return None;
    };
    if items.is_empty() {
        cx.error("empty-list", &v.span(), "`release_days` is empty".into())
            .label("no days")
            .help("list the days with handovers, or leave release_days out to allow every day");
        return None;
    }
    let mut days = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items.iter() {
        let Some(d) = read::as_uint(cx, item, "release_days", 1, MAX_DAYS) else {
            ok = false;
            continue;
        };
        if days.last().is_some_and(|&last| d.v <= last) {
            cx.error(
                "bad-release-days",
                &d.span,
                "`release_days` must be increasing, each day once".into(),
            )
            .label("not after the previous day")
            .help("list the days in order, e.g. [7, 14, 21]");
            ok = false;
        } else if let Some(max) = max_days.filter(|&m| d.v > m) {
            cx.error(
                "bad-release-days",
                &d.span,
                format!(
                    "day {} is after the last possible day of the pause ({max})",
                    d.v
                ),
            )
            .label("outside the pause")
            .help("list days within the pause and its extension days");
            ok = false;
        }
        days.push(d.v);
    }
    ok.then_some(Some(days))
}

const ISSUE_KEYS: &[&str] = &["id", "description", "options", "sets"];

pub(crate) fn read_open_issues(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sym: &Symbols,
    parties: &[Sp<Party>],
    rosters: &RosterSet,
    exchanges: &[Sp<Exchange>],
) -> Vec<OpenIssue> {
    let mut out: Vec<OpenIssue> = Vec::new();
    let mut seen: HashMap<String, std::ops::Range<usize>> = HashMap::new();
    let mut targets: HashMap<String, std::ops::Range<usize>> = HashMap::new();
    for (i, (map, span)) in read::table_array(cx, root, "open_issue").iter().enumerate() {
        let name = format!("[[open_issue]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, ISSUE_KEYS);
        let id = t.req_str(cx, "id", "id = \"pause-days\"");
        let description = t.str(cx, "description").map(|d| d.v);
        t.require(cx, "options", "options = [\"4\", \"5\"]");
        let options = t.str_list(cx, "options");
        let sets = t.str(cx, "sets");
        let mut ok = true;
        if let Some(id) = &id {
            ok &= check_id(cx, id, "open issue");
            if let Some(first) = seen.get(&id.v) {
                duplicate_id(cx, "open issue", id, first);
                ok = false;
            } else {
                seen.insert(id.v.clone(), id.span.clone());
            }
        }
        if let Some(options) = &options {
            if options.v.is_empty() {
                cx.error("empty-list", &options.span, "`options` is empty".into())
                    .label("no options")
                    .help("list the values on the table, e.g. options = [\"4\", \"5\"]");
                ok = false;
            }
            let mut uniq = HashSet::new();
            for o in &options.v {
                if o.v.trim().is_empty() || !uniq.insert(o.v.as_str()) {
                    cx.error(
                        "bad-option",
                        &o.span,
                        format!("the option `{}` is empty or repeated", o.v),
                    )
                    .label("empty or repeated")
                    .help("list each value once");
                    ok = false;
                }
            }
        }
        if let Some(sets) = &sets {
            if let Some(first) = targets.get(&sets.v) {
                cx.error(
                    "duplicate-target",
                    &sets.span,
                    format!("another open issue already sets `{}`", sets.v),
                )
                .label("set twice")
                .related(first.clone(), "first set here")
                .help("let one open issue decide each term");
                ok = false;
            } else {
                targets.insert(sets.v.clone(), sets.span.clone());
            }
            match settable(&sets.v, sym, parties, rosters, exchanges) {
                Err(why) => {
                    cx.error("bad-target", &sets.span, format!("`sets = \"{}\"` names no term of this deal: {why}", sets.v))
                        .label("unknown term")
                        .help("name a term like pause.days, pause.extension.max_days, release.max_exposure, release.priority, roster.<holder>.max_per_day, exchange.<n>.ratio or party.<id>.capacity_per_day");
                    ok = false;
                }
                Ok(kind) => {
                    for o in options.iter().flat_map(|o| &o.v) {
                        if let Err(why) = kind.check(&o.v) {
                            cx.error(
                                "bad-option",
                                &o.span,
                                format!(
                                    "the option `{}` cannot be a value of `{}`: {why}",
                                    o.v, sets.v
                                ),
                            )
                            .label("not a valid value")
                            .help("give options that the term accepts");
                            ok = false;
                        }
                    }
                }
            }
        }
        if let (true, Some(id), Some(options)) = (ok, id, options) {
            out.push(OpenIssue {
                id: IssueId(id.v),
                description,
                options: options.v.into_iter().map(|o| o.v).collect(),
                sets: sets.map(|s| s.v),
            });
        }
    }
    out
}

/// What values a settable term accepts.
enum TermKind {
    Count { min: u32, max: u32 },
    Priority,
}

impl TermKind {
    fn check(&self, value: &str) -> Result<(), String> {
        match self {
            TermKind::Priority => match value {
                "strict" | "weighted" => Ok(()),
                _ => Err("a priority is strict or weighted".into()),
            },
            TermKind::Count { min, max } => match value.trim().parse::<u64>() {
                Ok(n) if n >= u64::from(*min) && n <= u64::from(*max) => Ok(()),
                Ok(_) => Err(format!("it must be from {min} to {max}")),
                Err(_) => Err("it must be a whole number".into()),
            },
        }
    }
}

/// Resolves an open issue's `sets` path against the deal.
fn settable(
    path: &str,
    sym: &Symbols,
    parties: &[Sp<Party>],
    rosters: &RosterSet,
    exchanges: &[Sp<Exchange>],
) -> Result<TermKind, String> {
    let count = |min, max| Ok(TermKind::Count { min, max });
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["pause", "days"] => count(1, MAX_DAYS),
        ["pause", "extension", "per_releases"] => count(1, MAX_PERSONS),
        ["pause", "extension", "max_days"] => count(1, MAX_DAYS),
        ["release", "max_exposure"] => count(0, MAX_PERSONS),
        ["release", "priority"] => Ok(TermKind::Priority),
        ["roster", holder, field] => {
            if !rosters
                .rosters
                .iter()
                .any(|r| r.v.holder.as_str() == *holder)
            {
                return Err(format!("`{holder}` has no roster"));
            }
            match *field {
                "min_per_day" | "total_min" | "total_max" => count(0, MAX_PERSONS),
                "max_per_day" => count(1, MAX_PERSONS),
                f => Err(format!("a roster has no term `{f}`")),
            }
        }
        ["exchange", n, "ratio"] => match n.parse::<usize>() {
            Ok(n) if n >= 1 && n <= exchanges.len() => count(1, MAX_RATIO),
            _ => Err(format!(
                "exchanges are numbered 1 to {} in file order",
                exchanges.len()
            )),
        },
        ["party", id, field] => {
            let is_intermediary = parties
                .iter()
                .any(|p| p.v.id.as_str() == *id && p.v.role == Role::Intermediary);
            if !sym.parties.contains_key(*id) {
                Err(format!("there is no party `{id}`"))
            } else if !is_intermediary {
                Err(format!("`{id}` is not an intermediary"))
            } else if *field == "capacity_per_day" {
                count(1, MAX_PERSONS)
            } else if *field == "handovers_per_day" {
                count(1, MAX_HANDOVERS)
            } else {
                Err(format!("a party has no term `{field}`"))
            }
        }
        _ => Err("unknown path".into()),
    }
}

const AGREED_KEYS: &[&str] = &["id", "value", "description", "sets"];

/// `[[agreed_term]]`: the record of settled issues (`truce agree` writes them).
pub(crate) fn read_agreed_terms(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    open: &[OpenIssue],
) -> Vec<AgreedTerm> {
    let mut out: Vec<AgreedTerm> = Vec::new();
    for (i, (map, span)) in read::table_array(cx, root, "agreed_term")
        .iter()
        .enumerate()
    {
        let name = format!("[[agreed_term]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, AGREED_KEYS);
        let id = t.req_str(cx, "id", "id = \"pause-days\"");
        let value = t.req_str(cx, "value", "value = \"5\"");
        let description = t.str(cx, "description").map(|d| d.v);
        let sets = t.str(cx, "sets").map(|s| s.v);
        let (Some(id), Some(value)) = (id, value) else {
            continue;
        };
        if !check_id(cx, &id, "agreed term") {
            continue;
        }
        if open.iter().any(|o| o.id.as_str() == id.v) || out.iter().any(|a| a.id.as_str() == id.v) {
            cx.error(
                "duplicate-id",
                &id.span,
                format!("`{}` is both agreed and still open, or agreed twice", id.v),
            )
            .label("settled more than once")
            .help("keep one record per issue: remove the open issue once it is agreed");
            continue;
        }
        out.push(AgreedTerm {
            id: IssueId(id.v),
            value: value.v,
            description,
            sets,
        });
    }
    out
}
