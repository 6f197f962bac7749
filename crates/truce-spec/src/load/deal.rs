//! The loader itself: the deal text parsed, its sections read in
//! dependency order, and the deal built when no problem is an error.

use super::options::{LoadOptions, RosterReader};
use super::symbols::Symbols;
use super::{consistency, flows, parties, roster, terms};

use toml::de::DeTable;

use super::read::{self, Cx, Tbl};
use crate::diagnostic::{Diagnostic, Diagnostics, Span};
use crate::model::*;
use crate::source::SourceMap;

/// What a load found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The deal, when no problem is an error.
    pub deal: Option<Deal>,
    /// Every problem found, errors and warnings.
    pub diagnostics: Diagnostics,
    /// The deal file and every roster read, for rendering diagnostics.
    pub sources: SourceMap,
    /// The deal file itself could not be decoded or parsed as TOML: the
    /// command-line contract answers such input with exit code 2.
    pub unreadable: bool,
}

/// Loads and validates a deal.
///
/// ```
/// use truce_spec::{load, LoadOptions, ReadError};
///
/// let deal = r#"
/// format_version = 1
/// name = "One-day pause"
/// [[party]]
/// id = "side-b"
/// role = "side"
/// [pause]
/// days = 1
/// [[category]]
/// id = "child"
/// tier = 1
/// [[roster]]
/// holder = "side-b"
/// file = "rosters/side-b.csv"
/// "#;
/// let mut rosters = |path: &str, _max: u64| match path {
///     "rosters/side-b.csv" => Ok(b"id,category\nB-0001,child\n".to_vec()),
///     _ => Err(ReadError::NotFound),
/// };
/// let loaded = load("deal.toml", deal.as_bytes(), &mut rosters, &LoadOptions::default());
/// let deal = loaded.deal.expect("valid");
/// assert_eq!(deal.persons.len(), 1);
/// ```
pub fn load(
    deal_name: &str,
    deal_bytes: &[u8],
    rosters: &mut dyn RosterReader,
    opts: &LoadOptions,
) -> Loaded {
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let text = String::from_utf8_lossy(deal_bytes).into_owned();
    let file = sources.add(deal_name, text);
    let loaded = |deal, diagnostics, sources, unreadable| Loaded {
        deal,
        diagnostics,
        sources,
        unreadable,
    };

    if deal_bytes.len() > opts.max_deal_bytes {
        diags.push(
            Diagnostic::error(
                "file-too-large",
                Span::new(file, 0..0),
                format!(
                    "the deal file is {} bytes, more than the limit of {} bytes",
                    deal_bytes.len(),
                    opts.max_deal_bytes
                ),
            )
            .help("a deal file holds terms only; persons belong in roster CSV files beside it"),
        );
        return loaded(None, diags, sources, true);
    }
    if let Err(e) = std::str::from_utf8(deal_bytes) {
        let at = e.valid_up_to();
        diags.push(
            Diagnostic::error(
                "not-utf8",
                Span::new(file, at..at + 1),
                "the deal file is not valid UTF-8",
            )
            .label("this byte is not UTF-8")
            .help("save the file as UTF-8"),
        );
        return loaded(None, diags, sources, true);
    }
    let text = sources.get(file).text.clone();
    let (root, errors) = DeTable::parse_recoverable(&text);
    if !errors.is_empty() {
        // After the first syntax error the parser's recovery can misread
        // whole blocks (an unclosed `[` swallows the lines after it): keep
        // one error per line and the first few lines, which are real.
        let mut lines_seen = Vec::new();
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            let line = sources.get(file).line_col(span.start).0;
            if lines_seen.contains(&line) || lines_seen.len() >= MAX_SYNTAX_ERRORS {
                continue;
            }
            lines_seen.push(line);
            diags.push(
                Diagnostic::error(
                    "toml-syntax",
                    Span::new(file, span),
                    toml_message(e.message()),
                )
                .label("here")
                .help("fix the TOML syntax (see https://toml.io)"),
            );
        }
        return loaded(None, diags, sources, true);
    }

    let mut cx = Cx {
        file,
        diags: &mut diags,
    };
    let root_span = root.span();
    let root = Tbl {
        map: root.get_ref(),
        span: &root_span,
        name: "the deal",
    };
    let deal = read_deal(&mut cx, &root, &mut sources, rosters, opts);
    let deal = if diags.has_errors() { None } else { deal };
    diags.sort();
    loaded(deal, diags, sources, false)
}

/// TOML's own messages are good; make them fit after `error: FILE:L:C:`.
fn toml_message(m: &str) -> String {
    let m = m.trim().trim_end_matches('.');
    let mut c = m.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => "invalid TOML".into(),
    }
}

/// Syntax errors shown before the rest are likely consequences of them.
const MAX_SYNTAX_ERRORS: usize = 3;

const TOP_KEYS: &[&str] = &[
    "format_version",
    "name",
    "description",
    "start",
    "party",
    "pause",
    "category",
    "roster",
    "exchange",
    "release",
    "flow",
    "channel",
    "open_issue",
    "agreed_term",
];

fn read_deal(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sources: &mut SourceMap,
    rosters: &mut dyn RosterReader,
    opts: &LoadOptions,
) -> Option<Deal> {
    root.check_keys(cx, TOP_KEYS);

    let version = root.require(cx, "format_version", "format_version = 1")?;
    let version = read::as_uint(cx, version, "format_version", 0, u32::MAX)?;
    if version.v != FORMAT_VERSION {
        cx.error(
            "unsupported-version",
            &version.span,
            format!(
                "this deal has format_version {}, but this truce reads format_version {FORMAT_VERSION}",
                version.v
            ),
        )
        .label("unsupported version")
        .help(if version.v > FORMAT_VERSION {
            "use a newer truce, or convert the deal to format_version = 1"
        } else {
            "write format_version = 1"
        });
        // Other versions may mean other fields: reading on would only bury
        // the one problem that matters under false ones.
        return None;
    }

    let name = root.req_str(cx, "name", "name = \"Four-day humanitarian pause\"");
    if let Some(n) = &name
        && (n.v.trim().is_empty() || n.v.chars().count() > 200)
    {
        cx.error(
            "bad-name",
            &n.span,
            "`name` must have 1 to 200 characters".into(),
        )
        .label("empty or too long")
        .help("name the deal in a few words");
    }
    let description = root.str(cx, "description").map(|d| d.v);
    let start = read_start(cx, root);

    let mut sym = Symbols::default();
    let parties = parties::read_parties(cx, root, &mut sym);
    let categories = parties::read_categories(cx, root, &mut sym);
    let pause = parties::read_pause(cx, root, &mut sym);
    let roster_set = roster::read_rosters(cx, root, &mut sym, sources, rosters, opts);
    let exchanges = terms::read_exchanges(
        cx,
        root,
        &mut sym,
        &roster_set,
        pause.as_ref().map(Pause::max_days),
    );
    // Every person routed by a `via` of its category or roster: the deal
    // then needs no `[release] via`, whatever its intermediaries.
    let routed = roster_set.persons.iter().all(|p| {
        categories
            .iter()
            .any(|c| c.id == p.category && c.via.is_some())
            || roster_set
                .rosters
                .iter()
                .any(|r| r.v.holder == p.holder && r.v.via.is_some())
    });
    let release = terms::read_release(
        cx,
        root,
        &mut sym,
        &parties,
        pause.as_ref().map(Pause::max_days),
        routed,
    );
    let flows = flows::read_flows(cx, root, &mut sym);
    let channels = flows::read_channels(cx, root, &mut sym, &exchanges);
    let open_issues = terms::read_open_issues(cx, root, &sym, &parties, &roster_set, &exchanges);
    let agreed_terms = terms::read_agreed_terms(cx, root, &open_issues);

    let deal = Deal {
        format_version: FORMAT_VERSION,
        name: name?.v,
        description,
        start,
        parties: parties.into_iter().map(|p| p.v).collect(),
        pause: pause?,
        categories,
        rosters: roster_set.rosters.into_iter().map(|r| r.v).collect(),
        persons: roster_set.persons,
        exchanges: exchanges.into_iter().map(|e| e.v).collect(),
        release: release?,
        flows,
        channels,
        open_issues,
        agreed_terms,
    };
    consistency::check(cx, root.span, &deal, &sym, &roster_set.groups);
    Some(deal)
}

fn read_start(cx: &mut Cx<'_>, root: &Tbl<'_, '_>) -> Option<Date> {
    let v = root.get("start")?;
    let date = v
        .get_ref()
        .as_datetime()
        .and_then(|dt| match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => Some(d),
            _ => None,
        });
    let checked = date.and_then(|d| Date::new(d.year, d.month, d.day));
    if checked.is_none() {
        let found = if v.get_ref().is_str() {
            "a string".to_owned()
        } else if v.get_ref().is_datetime() {
            "a date with a time".to_owned()
        } else {
            format!("a {}", v.get_ref().type_str())
        };
        cx.error(
            "wrong-type",
            &v.span(),
            format!("`start` must be a date, found {found}"),
        )
        .label("expected a date")
        .help("write the date of day 1 without quotes, e.g. `start = 2026-03-02`");
    }
    checked
}
