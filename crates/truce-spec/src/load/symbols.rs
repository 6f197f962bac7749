//! What the sections read so far define, and the checks of ids and
//! references every section shares: a leaf the section readers use.

use std::collections::HashMap;
use std::ops::Range;

use crate::model::*;

use super::read::{self, Cx, Sp};

/// What the sections read so far define, for checking references.
#[derive(Default)]
pub(crate) struct Symbols {
    pub parties: HashMap<String, (Option<Role>, Range<usize>)>,
    pub categories: HashMap<String, (u32, Range<usize>)>,
    /// Categories some person or exchange uses (for the unused warning).
    pub used_categories: std::collections::HashSet<String>,
    /// Where each term was written, by its path (`pause.days`,
    /// `roster.side-b.max_per_day`, `party.relief.capacity_per_day`).
    pub terms: HashMap<String, Range<usize>>,
}

impl Symbols {
    /// Checks a party reference; reports unknown parties and wrong roles.
    pub fn party(
        &self,
        cx: &mut Cx<'_>,
        r: &Sp<String>,
        key: &str,
        want: Option<Role>,
    ) -> Option<PartyId> {
        let Some((role, def)) = self.parties.get(&r.v) else {
            let known: Vec<&str> = self.parties.keys().map(String::as_str).collect();
            let d = cx
                .error(
                    "unknown-party",
                    &r.span,
                    format!(
                        "`{key}` names the party `{}`, which the deal does not define",
                        r.v
                    ),
                )
                .label("unknown party");
            match read::nearest(&r.v, &known) {
                Some(n) => d.help(format!("did you mean `{n}`?")),
                None => d.help(format!(
                    "define it with a [[party]] table, or use one of: {}",
                    sorted(&known)
                )),
            };
            return None;
        };
        if let (Some(want), Some(role)) = (want, role)
            && want != *role
        {
            let article = if want == Role::Intermediary {
                "an"
            } else {
                "a"
            };
            cx.error(
                "wrong-role",
                &r.span,
                format!(
                    "`{key}` must name {article} {want}, but `{}` is {} {role}",
                    r.v,
                    if *role == Role::Intermediary || *role == Role::Observer {
                        "an"
                    } else {
                        "a"
                    }
                ),
            )
            .label(format!("not {article} {want}"))
            .related(def.clone(), "defined here")
            .help(format!("name a party with role = \"{want}\" here"));
            return None;
        }
        Some(PartyId(r.v.clone()))
    }

    /// Checks a category reference.
    pub fn category(&mut self, cx: &mut Cx<'_>, r: &Sp<String>, key: &str) -> Option<CategoryId> {
        if self.categories.contains_key(&r.v) {
            self.used_categories.insert(r.v.clone());
            return Some(CategoryId(r.v.clone()));
        }
        let known: Vec<&str> = self.categories.keys().map(String::as_str).collect();
        let d = cx
            .error(
                "unknown-category",
                &r.span,
                format!(
                    "`{key}` names the category `{}`, which the deal does not define",
                    r.v
                ),
            )
            .label("unknown category");
        match read::nearest(&r.v, &known) {
            Some(n) => d.help(format!("did you mean `{n}`?")),
            None => d.help(format!(
                "define it with a [[category]] table, or use one of: {}",
                sorted(&known)
            )),
        };
        None
    }
}

/// Reports an id defined a second time, pointing at the first definition.
pub(crate) fn duplicate_id(cx: &mut Cx<'_>, what: &str, id: &Sp<String>, first: &Range<usize>) {
    cx.error(
        "duplicate-id",
        &id.span,
        format!("the {what} `{}` is defined twice", id.v),
    )
    .label("second definition")
    .related(first.clone(), "first defined here")
    .help(format!("give each {what} its own id"));
}

pub(crate) fn sorted(names: &[&str]) -> String {
    let mut v = names.to_vec();
    v.sort_unstable();
    if v.is_empty() {
        "(none defined)".into()
    } else {
        v.join(", ")
    }
}

/// Checks a party, category or issue id: lowercase letters, digits and `-`.
pub(crate) fn check_id(cx: &mut Cx<'_>, id: &Sp<String>, what: &str) -> bool {
    let s = &id.v;
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        let slug = slug(s);
        let d = cx
            .error(
                "bad-id",
                &id.span,
                format!("`{s}` is not a valid {what} id"),
            )
            .label("invalid id");
        if slug.is_empty() || slug.len() > 64 {
            d.help("use 1 to 64 lowercase letters, digits and '-', e.g. `side-a`");
        } else {
            d.help(format!(
                "use lowercase letters, digits and '-' (at most 64), e.g. `{slug}`"
            ));
        }
    }
    ok
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}
