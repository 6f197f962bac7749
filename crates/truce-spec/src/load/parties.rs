//! `[[party]]`, `[[category]]` and `[pause]`: what every other section refers to.

use super::read::{self, Cx, Sp, Tbl};
use super::symbols::{Symbols, check_id, duplicate_id};
use crate::model::*;

/// Upper bounds that keep arithmetic on days and persons far from overflow
/// while allowing any real deal.
pub(crate) const MAX_DAYS: u32 = 3650;
pub(crate) const MAX_PERSONS: u32 = 10_000_000;
pub(crate) const MAX_TIER: u32 = 1000;
pub(crate) const MAX_HANDOVERS: u32 = 1000;

const PARTY_KEYS: &[&str] = &[
    "id",
    "role",
    "name",
    "capacity_per_day",
    "handovers_per_day",
];

pub(crate) fn read_parties(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sym: &mut Symbols,
) -> Vec<Sp<Party>> {
    let tables = read::table_array(cx, root, "party");
    let mut out = Vec::new();
    for (i, (map, span)) in tables.iter().enumerate() {
        let name = format!("[[party]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, PARTY_KEYS);
        let id = t.req_str(cx, "id", "id = \"side-a\"");
        let role = t
            .req_str(cx, "role", "role = \"side\"")
            .and_then(|r| read_role(cx, &r));
        let display = t.str(cx, "name");
        let capacity = t.uint(cx, "capacity_per_day", 1, MAX_PERSONS);
        let handovers = t.uint(cx, "handovers_per_day", 1, MAX_HANDOVERS);
        if role.is_some() && role != Some(Role::Intermediary) {
            for (key, v) in [
                ("capacity_per_day", &capacity),
                ("handovers_per_day", &handovers),
            ] {
                if let Some(v) = v {
                    cx.error(
                        "not-an-intermediary",
                        &v.span,
                        format!(
                            "`{key}` applies only to intermediaries, but this party is a {}",
                            role.map_or("", Role::as_str)
                        ),
                    )
                    .label("only for intermediaries")
                    .help(format!(
                        "remove `{key}`, or make the party role = \"intermediary\""
                    ));
                }
            }
        }
        let Some(id) = id else { continue };
        let valid = check_id(cx, &id, "party");
        if let Some((_, first)) = sym.parties.get(&id.v) {
            duplicate_id(cx, "party", &id, first);
            continue;
        }
        // A party with a malformed id is still recorded, so references to it
        // do not raise a second, misleading "unknown party" error.
        sym.parties.insert(id.v.clone(), (role, id.span.clone()));
        for (key, v) in [
            ("capacity_per_day", &capacity),
            ("handovers_per_day", &handovers),
        ] {
            if let Some(v) = v {
                sym.terms
                    .insert(format!("party.{}.{key}", id.v), v.span.clone());
            }
        }
        if let (true, Some(role)) = (valid, role) {
            let handovers = match role {
                Role::Intermediary => Some(handovers.map_or(2, |h| h.v)),
                _ => None,
            };
            out.push(Sp {
                v: Party {
                    id: PartyId(id.v),
                    role,
                    name: display.map(|d| d.v),
                    capacity_per_day: capacity.map(|c| c.v),
                    handovers_per_day: handovers,
                },
                span: (*span).clone(),
            });
        }
    }
    if tables.is_empty() {
        cx.error("no-parties", root.span, "the deal defines no parties".into())
            .label("no [[party]] table in this file")
            .help("add a [[party]] table with id and role for each party, at least one with role = \"side\"");
    } else if !sym.parties.values().any(|(r, _)| *r == Some(Role::Side)) {
        cx.error(
            "no-sides",
            root.span,
            "the deal has no party with role = \"side\"".into(),
        )
        .label("no side in this deal")
        .help("a side holds persons and releases them: give at least one party role = \"side\"");
    }
    out
}

fn read_role(cx: &mut Cx<'_>, r: &Sp<String>) -> Option<Role> {
    if let Some(role) = Role::ALL.into_iter().find(|role| role.as_str() == r.v) {
        return Some(role);
    }
    let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let d = cx
        .error("unknown-role", &r.span, format!("`{}` is not a role", r.v))
        .label("unknown role");
    match read::nearest(&r.v.to_lowercase(), &names) {
        Some(n) => d.help(format!(
            "did you mean `{n}`? roles are: {}",
            names.join(", ")
        )),
        None => d.help(format!("roles are: {}", names.join(", "))),
    };
    None
}

const CATEGORY_KEYS: &[&str] = &["id", "tier", "description", "via"];

pub(crate) fn read_categories(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sym: &mut Symbols,
) -> Vec<Category> {
    let mut out = Vec::new();
    for (i, (map, span)) in read::table_array(cx, root, "category").iter().enumerate() {
        let name = format!("[[category]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, CATEGORY_KEYS);
        let id = t.req_str(cx, "id", "id = \"child\"");
        let tier = t.req_uint(cx, "tier", 1, MAX_TIER, "tier = 1");
        t.str(cx, "description");
        let via_at = t.str(cx, "via");
        let via = via_at
            .as_ref()
            .and_then(|v| sym.party(cx, v, "via", Some(Role::Intermediary)));
        let Some(id) = id else { continue };
        if let Some(v) = &via_at {
            sym.terms
                .insert(format!("category.{}.via", id.v), v.span.clone());
        }
        let valid = check_id(cx, &id, "category");
        if let Some((_, first)) = sym.categories.get(&id.v) {
            duplicate_id(cx, "category", &id, first);
            continue;
        }
        let tier_v = tier.as_ref().map_or(0, |t| t.v);
        sym.categories
            .insert(id.v.clone(), (tier_v, id.span.clone()));
        if let (true, Some(tier)) = (valid, tier) {
            out.push(Category {
                id: CategoryId(id.v),
                tier: tier.v,
                via,
            });
        }
    }
    out
}

const PAUSE_KEYS: &[&str] = &["days", "extension"];
const EXTENSION_KEYS: &[&str] = &[
    "per_releases",
    "by",
    "max_days",
    "by_agreement",
    "agreed_days",
];

pub(crate) fn read_pause(cx: &mut Cx<'_>, root: &Tbl<'_, '_>, sym: &mut Symbols) -> Option<Pause> {
    let v = root.require(cx, "pause", "[pause] with days = 4")?;
    let Some(map) = v.get_ref().as_table() else {
        read::type_error(cx, v, "pause", "a table", "[pause]");
        return None;
    };
    let span = v.span();
    let t = Tbl {
        map,
        span: &span,
        name: "[pause]",
    };
    t.check_keys(cx, PAUSE_KEYS);
    let days = t.req_uint(cx, "days", 1, MAX_DAYS, "days = 4");
    if let Some(d) = &days {
        sym.terms.insert("pause.days".into(), d.span.clone());
    }
    let extension = match t.table(cx, "extension") {
        None => Some(None),
        Some((map, span)) => {
            let e = Tbl {
                map,
                span: &span,
                name: "[pause.extension]",
            };
            e.check_keys(cx, EXTENSION_KEYS);
            let per = e.req_uint(cx, "per_releases", 1, MAX_PERSONS, "per_releases = 10");
            let by = e
                .req_str(cx, "by", "by = \"side-b\"")
                .and_then(|b| sym.party(cx, &b, "by", Some(Role::Side)));
            let max = e.req_uint(cx, "max_days", 1, MAX_DAYS, "max_days = 6");
            sym.terms.insert("pause.extension".into(), span.clone());
            if let Some(p) = &per {
                sym.terms
                    .insert("pause.extension.per_releases".into(), p.span.clone());
            }
            let by_agreement = e.bool(cx, "by_agreement");
            let agreed = e.uint(cx, "agreed_days", 0, MAX_DAYS);
            let agreeing = by_agreement.as_ref().is_some_and(|b| b.v);
            let mut agreed_ok = true;
            if let Some(a) = &agreed {
                if !agreeing {
                    cx.error(
                        "agreed-days-without-agreement",
                        &a.span,
                        "`agreed_days` counts extra days agreed one by one, but this extension follows from its rule alone".into(),
                    )
                    .label("only with by_agreement = true")
                    .help("add `by_agreement = true` if each extra day must be agreed, or remove `agreed_days`");
                    agreed_ok = false;
                } else if let Some(m) = &max
                    && a.v > m.v
                {
                    cx.error(
                        "agreed-days-above-max",
                        &a.span,
                        format!(
                            "{} extra days are agreed, but the extension allows at most {}",
                            a.v, m.v
                        ),
                    )
                    .label("more than max_days")
                    .related(m.span.clone(), "the most extra days")
                    .help(format!(
                        "lower agreed_days to {}, or raise max_days to {}",
                        m.v, a.v
                    ));
                    agreed_ok = false;
                }
            }
            match (per, by, max, agreed_ok) {
                (Some(p), Some(b), Some(m), true) => Some(Some(Extension {
                    per_releases: p.v,
                    by: b,
                    max_days: m.v,
                    by_agreement: agreeing,
                    agreed_days: agreed.map_or(0, |a| a.v),
                })),
                _ => None,
            }
        }
    };
    Some(Pause {
        days: days?.v,
        extension: extension?,
    })
}
