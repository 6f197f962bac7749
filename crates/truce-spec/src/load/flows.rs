//! `[[flow]]` (resource flows that are not persons) and `[[channel]]`
//! (persons released outside the exchange through another channel).

use std::collections::HashMap;
use std::ops::Range;

use super::parties::MAX_PERSONS;
use super::read::{self, Cx, Sp, Tbl};
use super::symbols::{Symbols, check_id, duplicate_id};
use crate::model::*;

/// The largest daily amount of a flow: litres of fuel a day run to the
/// hundreds of thousands; a billion is far above any real figure.
const MAX_FLOW: u32 = 1_000_000_000;

const FLOW_KEYS: &[&str] = &["id", "unit", "by", "min_per_day", "max_per_day", "via"];
const CHANNEL_KEYS: &[&str] = &["holder", "categories", "via", "max_per_day"];

/// A party that carries or lets through, which a side cannot be.
fn not_a_side(cx: &mut Cx<'_>, sym: &Symbols, r: &Sp<String>, key: &str) -> Option<PartyId> {
    let id = sym.party(cx, r, key, None)?;
    if let Some((Some(Role::Side), def)) = sym.parties.get(&r.v) {
        cx.error(
            "wrong-role",
            &r.span,
            format!(
                "`{key}` must name a party that carries (an intermediary, a mediator, a guarantor), but `{}` is a side",
                r.v
            ),
        )
        .label("a side")
        .related(def.clone(), "defined here")
        .help("define the channel or crossing as a [[party]] with role = \"intermediary\"");
        return None;
    }
    Some(id)
}

pub(crate) fn read_flows(cx: &mut Cx<'_>, root: &Tbl<'_, '_>, sym: &mut Symbols) -> Vec<Flow> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    for (i, (map, span)) in read::table_array(cx, root, "flow").iter().enumerate() {
        let name = format!("[[flow]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, FLOW_KEYS);
        let id = t.req_str(cx, "id", "id = \"aid-trucks\"");
        let unit = t.req_str(cx, "unit", "unit = \"truck\"");
        let by = t
            .req_str(cx, "by", "by = \"side-a\"")
            .and_then(|b| sym.party(cx, &b, "by", Some(Role::Side)));
        let min = t.req_uint(cx, "min_per_day", 1, MAX_FLOW, "min_per_day = 200");
        let max = t.uint(cx, "max_per_day", 1, MAX_FLOW);
        let via = t
            .str(cx, "via")
            .and_then(|v| not_a_side(cx, sym, &v, "via"));
        let mut ok = true;
        if let Some(u) = &unit
            && (u.v.trim().is_empty() || u.v.chars().count() > 40)
        {
            cx.error(
                "bad-name",
                &u.span,
                "`unit` must have 1 to 40 characters".into(),
            )
            .label("empty or too long")
            .help("name what is counted, e.g. `unit = \"truck\"`");
            ok = false;
        }
        if let (Some(lo), Some(hi)) = (&min, &max)
            && lo.v > hi.v
        {
            cx.error(
                "min-above-max",
                &lo.span,
                format!(
                    "the flow has min_per_day {} above max_per_day {}",
                    lo.v, hi.v
                ),
            )
            .label("above max_per_day")
            .related(hi.span.clone(), "max_per_day")
            .help(format!(
                "lower min_per_day to {}, or raise max_per_day to {}",
                hi.v, lo.v
            ));
            ok = false;
        }
        if let Some(id) = &id {
            if !check_id(cx, id, "flow") {
                ok = false;
            } else if let Some(first) = seen.get(&id.v) {
                duplicate_id(cx, "flow", id, first);
                ok = false;
            } else {
                seen.insert(id.v.clone(), id.span.clone());
                sym.terms.insert(format!("flow.{}", id.v), (*span).clone());
            }
        }
        if let (Some(id), Some(unit), Some(by), Some(min), true) = (id, unit, by, min, ok) {
            out.push(Flow {
                id: id.v,
                unit: unit.v,
                by,
                min_per_day: min.v,
                max_per_day: max.map(|m| m.v),
                via,
            });
        }
    }
    out
}

pub(crate) fn read_channels(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sym: &mut Symbols,
    exchanges: &[Sp<Exchange>],
) -> Vec<Channel> {
    let mut out = Vec::new();
    let mut seen: HashMap<(String, String), Range<usize>> = HashMap::new();
    for (i, (map, span)) in read::table_array(cx, root, "channel").iter().enumerate() {
        let name = format!("[[channel]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, CHANNEL_KEYS);
        let holder = t
            .req_str(cx, "holder", "holder = \"side-b\"")
            .and_then(|h| sym.party(cx, &h, "holder", Some(Role::Side)));
        let via = t
            .req_str(cx, "via", "via = \"consular-channel\"")
            .and_then(|v| not_a_side(cx, sym, &v, "via"));
        let max = t.uint(cx, "max_per_day", 1, MAX_PERSONS);
        t.require(cx, "categories", "categories = [\"foreign-national\"]");
        let list = t.str_list(cx, "categories");
        let mut ok = true;
        let mut categories = Vec::new();
        if let Some(list) = &list {
            if list.v.is_empty() {
                cx.error(
                    "empty-list",
                    &list.span,
                    "`categories` of the channel is empty".into(),
                )
                .label("no categories")
                .help("name the categories released through this channel");
                ok = false;
            }
            for c in &list.v {
                let Some(cat) = sym.category(cx, c, "categories") else {
                    ok = false;
                    continue;
                };
                let Some(h) = &holder else { continue };
                let in_rule = exchanges.iter().find(|e| {
                    [&e.v.gives, &e.v.receives]
                        .iter()
                        .any(|s| &s.holder == h && s.categories.contains(&cat))
                });
                if let Some(rule) = in_rule {
                    cx.error(
                        "channel-in-exchange",
                        &c.span,
                        format!(
                            "`{}` of `{h}` is released through a channel outside the exchange, but an exchange rule also counts it",
                            c.v
                        ),
                    )
                    .label("also in an exchange rule")
                    .related(rule.span.clone(), "the exchange rule")
                    .help("remove the category from the exchange rule, or from the channel");
                    ok = false;
                    continue;
                }
                let key = (h.0.clone(), c.v.clone());
                if let Some(first) = seen.get(&key) {
                    cx.error(
                        "ambiguous-channel",
                        &c.span,
                        format!(
                            "`{}` of `{h}` is already released through another channel",
                            c.v
                        ),
                    )
                    .label("a second channel")
                    .related(first.clone(), "first channel")
                    .help("release each category of a holder through one channel");
                    ok = false;
                    continue;
                }
                seen.insert(key, c.span.clone());
                categories.push(cat);
            }
        }
        if let (Some(holder), Some(via), Some(_), true) = (holder, via, list, ok) {
            out.push(Channel {
                holder,
                categories,
                via,
                max_per_day: max.map(|m| m.v),
            });
        }
    }
    out
}
