//! `[[roster]]` tables and the roster CSV files they name.
//!
//! A roster file has a header line naming its columns (`id`, `category` and
//! optionally `group`, in any order), then one person per line. Lines that
//! start with `#` are comments. Reading is linear and allocates per person
//! only the model's own strings, so 100,000 persons load in milliseconds.

use std::collections::HashMap;
use std::ops::Range;

use super::options::{LoadOptions, ReadError, RosterReader};
use super::parties::MAX_PERSONS;
use super::read::{Cx, Sp, Tbl};
use super::symbols::Symbols;
use crate::diagnostic::{Diagnostic, Span};
use crate::model::*;
use crate::source::{FileId, SourceMap};

const ROSTER_KEYS: &[&str] = &[
    "holder",
    "file",
    "min_per_day",
    "max_per_day",
    "total_min",
    "total_max",
    "min_in_base_days",
    "via",
];

/// A group (family) as found in a roster.
#[derive(Debug, Clone)]
pub(crate) struct GroupInfo {
    pub size: u32,
    pub first: Span,
}

/// Everything the roster section produced.
#[derive(Debug, Default)]
pub(crate) struct RosterSet {
    pub rosters: Vec<Sp<Roster>>,
    pub persons: Vec<Person>,
    /// Holders whose roster file had errors, so its counts are partial.
    pub incomplete: std::collections::HashSet<String>,
    /// Groups by (holder, group id).
    pub groups: HashMap<(String, String), GroupInfo>,
}

pub(crate) fn read_rosters(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    sym: &mut Symbols,
    sources: &mut SourceMap,
    reader: &mut dyn RosterReader,
    opts: &LoadOptions,
) -> RosterSet {
    let mut set = RosterSet::default();
    let mut holders: HashMap<String, Range<usize>> = HashMap::new();
    // Where each person came from, parallel to `set.persons`, to point at
    // both lines of a duplicate.
    let mut origins: Vec<Span> = Vec::new();
    for (i, (map, span)) in super::read::table_array(cx, root, "roster")
        .iter()
        .enumerate()
    {
        let name = format!("[[roster]] #{}", i + 1);
        let t = Tbl {
            map,
            span,
            name: &name,
        };
        t.check_keys(cx, ROSTER_KEYS);
        let holder = t.req_str(cx, "holder", "holder = \"side-b\"");
        let holder_id = holder
            .as_ref()
            .and_then(|h| sym.party(cx, h, "holder", Some(Role::Side)));
        if let Some(h) = &holder {
            if let Some(first) = holders.get(&h.v) {
                cx.error(
                    "duplicate-roster",
                    &h.span,
                    format!("`{}` has a second roster", h.v),
                )
                .label("second roster of this holder")
                .related(first.clone(), "first roster here")
                .help("a holder has one roster: merge the files into one");
            } else {
                holders.insert(h.v.clone(), h.span.clone());
            }
        }
        let file = t.req_str(cx, "file", "file = \"rosters/side-b.csv\"");
        let prefix = holder
            .as_ref()
            .map_or(String::new(), |h| format!("roster.{}", h.v));
        sym.terms.insert(prefix.clone(), (*span).clone());
        let num = |cx: &mut Cx<'_>, sym: &mut Symbols, key: &'static str, min: u32| {
            let v = t.uint(cx, key, min, MAX_PERSONS);
            if let Some(v) = &v {
                sym.terms.insert(format!("{prefix}.{key}"), v.span.clone());
            }
            v.map(|v| v.v)
        };
        let min_per_day = num(cx, sym, "min_per_day", 0);
        let max_per_day = num(cx, sym, "max_per_day", 1);
        let total_min = num(cx, sym, "total_min", 0);
        let total_max = num(cx, sym, "total_max", 0);
        let min_in_base_days = num(cx, sym, "min_in_base_days", 1);
        let via = t.str(cx, "via").and_then(|v| {
            sym.terms.insert(format!("{prefix}.via"), v.span.clone());
            sym.party(cx, &v, "via", Some(Role::Intermediary))
        });

        let Some(file) = file else { continue };
        if !check_path(cx, &file) {
            continue;
        }
        let before = set.persons.len();
        if set.persons.len() >= opts.max_persons {
            continue;
        }
        let errors_before = cx.diags.error_count();
        read_csv(
            cx,
            sym,
            sources,
            reader,
            opts,
            &file,
            holder_id.as_ref(),
            &mut set,
            &mut origins,
        );
        let Some(holder) = holder_id else { continue };
        // A roster with errors lists fewer persons than it means to: counts
        // drawn from it would only raise false alarms.
        let complete = cx.diags.error_count() == errors_before;
        if !complete {
            set.incomplete.insert(holder.0.clone());
        }
        if set.persons.len() == before && complete {
            cx.warning(
                "empty-roster",
                &file.span,
                format!("the roster of `{holder}` lists nobody"),
            )
            .label("no persons in this file")
            .help("add one line `id,category[,group]` per person, or remove the roster");
        }
        let roster = Roster {
            holder,
            file: file.v,
            min_per_day,
            max_per_day,
            total_min,
            total_max,
            min_in_base_days,
            via,
        };
        let held = (set.persons.len() - before) as u64;
        check_numbers(cx, sym, &roster, complete.then_some(held));
        set.rosters.push(Sp {
            v: roster,
            span: (*span).clone(),
        });
    }
    check_duplicates(cx, &set.persons, &origins);
    set
}

/// Roster paths stay beside the deal: a deal file must not make truce (or
/// the service that loads it) read files elsewhere on the machine.
fn check_path(cx: &mut Cx<'_>, file: &Sp<String>) -> bool {
    let p = &file.v;
    let bad = p.is_empty()
        || p.starts_with('/')
        || p.contains('\\')
        || p.contains(':')
        || p.split('/').any(|c| c == ".." || c.is_empty());
    if bad {
        cx.error("bad-path", &file.span, format!("the roster path `{p}` leaves the deal's folder or is not a plain relative path"))
            .label("not a relative path beside the deal")
            .help("write a path relative to the deal file, with '/' and without '..', e.g. `rosters/side-b.csv`");
    }
    !bad
}

#[allow(clippy::too_many_arguments)]
fn read_csv(
    cx: &mut Cx<'_>,
    sym: &mut Symbols,
    sources: &mut SourceMap,
    reader: &mut dyn RosterReader,
    opts: &LoadOptions,
    file: &Sp<String>,
    holder: Option<&PartyId>,
    set: &mut RosterSet,
    origins: &mut Vec<Span>,
) {
    let Some(bytes) = roster_bytes(cx, reader, opts, file) else {
        return;
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let fid = sources.add(reader.display_name(&file.v), text);
    let src = sources.get(fid);
    if let Err(e) = std::str::from_utf8(&bytes) {
        let at = e.valid_up_to();
        // The lossy copy has the same bytes up to the first bad one.
        cx.diags.push(
            Diagnostic::error(
                "not-utf8",
                Span::new(fid, at..at + 1),
                "the roster file is not valid UTF-8",
            )
            .label("this byte is not UTF-8")
            .help("save the roster as UTF-8 (CSV, comma-separated)"),
        );
        return;
    }
    // A byte-order mark would otherwise become part of the first column name.
    let body = src.text.strip_prefix('\u{feff}').unwrap_or(&src.text);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(body.as_bytes());
    let mut record = csv::StringRecord::new();
    let line_of = |pos: Option<&csv::Position>| pos.map_or(1, |p| p.line() as usize);
    let at_line = |line: usize| Span::new(fid, src.line_span(line));

    let Some(Columns {
        id: id_col,
        category: cat_col,
        group: group_col,
        width,
    }) = read_header(cx, &mut csv, &mut record, fid, src)
    else {
        return;
    };

    loop {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                csv_error(cx, fid, src, e);
                break;
            }
        }
        let line = line_of(record.position());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != width {
            cx.diags.push(
                Diagnostic::error(
                    "roster-columns",
                    at_line(line),
                    format!(
                        "line {line} has {} fields, but the header has {width}",
                        record.len()
                    ),
                )
                .label("wrong number of fields")
                .help("write one person per line with the header's columns, separated by commas"),
            );
            continue;
        }
        let id = record.get(id_col).unwrap_or("");
        let category = record.get(cat_col).unwrap_or("");
        let group = group_col
            .and_then(|g| record.get(g))
            .filter(|g| !g.is_empty());
        let mut ok = check_person_id(cx, at_line(line), id, "person id");
        if let Some(g) = group {
            ok &= check_person_id(cx, at_line(line), g, "group id");
        }
        ok &= check_category(cx, sym, at_line(line), line, category);
        let Some(holder) = holder else { continue };
        if !ok {
            continue;
        }
        if set.persons.len() >= opts.max_persons {
            cx.diags.push(
                Diagnostic::error(
                    "too-many-persons",
                    at_line(line),
                    format!("the rosters list more than {} persons", opts.max_persons),
                )
                .label("the limit is reached here")
                .help("split the deal into several deals"),
            );
            return;
        }
        if let Some(g) = group {
            let info = set
                .groups
                .entry((holder.0.clone(), g.to_owned()))
                .or_insert_with(|| GroupInfo {
                    size: 0,
                    first: at_line(line),
                });
            info.size += 1;
        }
        set.persons.push(Person {
            id: PersonId(id.to_owned()),
            holder: holder.clone(),
            category: CategoryId(category.to_owned()),
            group: group.map(|g| GroupId(g.to_owned())),
        });
        origins.push(at_line(line));
    }
}

/// The roster file's bytes, or `None` after a diagnostic saying why it
/// cannot be read.
fn roster_bytes(
    cx: &mut Cx<'_>,
    reader: &mut dyn RosterReader,
    opts: &LoadOptions,
    file: &Sp<String>,
) -> Option<Vec<u8>> {
    match reader.read(&file.v, opts.max_roster_bytes) {
        Ok(b) => Some(b),
        Err(e) => {
            let help = match e {
                ReadError::NotFound => {
                    "create the file beside the deal (first line `id,category,group`), or correct the path"
                }
                ReadError::TooLarge { .. } => {
                    "split the persons into smaller rosters, or raise the limit"
                }
                ReadError::Other(_) => "check that the file exists and can be read",
            };
            cx.error(
                "roster-unreadable",
                &file.span,
                format!("cannot read the roster file `{}`: {e}", file.v),
            )
            .label("this file")
            .help(help);
            None
        }
    }
}

/// Where a roster's columns are: found in its header line.
struct Columns {
    id: usize,
    category: usize,
    group: Option<usize>,
    width: usize,
}

/// Reads the header line (blank lines before it skipped) and finds the
/// columns, warning about ignored ones; `None` after a diagnostic when the
/// file is empty or the header is unusable.
fn read_header(
    cx: &mut Cx<'_>,
    csv: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    fid: FileId,
    src: &crate::source::SourceFile,
) -> Option<Columns> {
    let line_of = |pos: Option<&csv::Position>| pos.map_or(1, |p| p.line() as usize);
    let at_line = |line: usize| Span::new(fid, src.line_span(line));
    let header = loop {
        match csv.read_record(record) {
            Ok(true) if record.iter().all(str::is_empty) => continue,
            Ok(true) => break record.clone(),
            Ok(false) => return None,
            Err(e) => {
                csv_error(cx, fid, src, e);
                return None;
            }
        }
    };
    let header_line = line_of(header.position());
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (id_col, cat_col, group_col) = (col("id"), col("category"), col("group"));
    let (Some(id_col), Some(cat_col)) = (id_col, cat_col) else {
        let first = header.get(0).unwrap_or("");
        let looks_like_data = first.chars().any(|c| c.is_ascii_digit());
        cx.diags.push(
            Diagnostic::error(
                "roster-header",
                at_line(header_line),
                if looks_like_data {
                    "the roster has no header line".to_owned()
                } else {
                    "the roster header must name the columns `id` and `category`".to_owned()
                },
            )
            .label("expected a header such as `id,category,group`")
            .help("start the file with the line `id,category,group` (group is optional)"),
        );
        return None;
    };
    for (i, h) in header.iter().enumerate() {
        let known = ["id", "category", "group"]
            .iter()
            .any(|k| h.eq_ignore_ascii_case(k));
        if header.iter().take(i).any(|p| p.eq_ignore_ascii_case(h)) {
            cx.diags.push(
                Diagnostic::error(
                    "roster-header",
                    at_line(header_line),
                    format!("the column `{h}` appears twice in the header"),
                )
                .label("duplicate column")
                .help("name each column once: `id,category,group`"),
            );
            return None;
        } else if !known {
            cx.diags.push(
                Diagnostic::warning("ignored-column", at_line(header_line), format!("the column `{h}` is ignored"))
                    .label("not a roster column")
                    .help("a roster needs only id, category and group; keep names and other personal data out of it"),
            );
        }
    }
    Some(Columns {
        id: id_col,
        category: cat_col,
        group: group_col,
        width: header.len(),
    })
}

/// A person's category: present and defined by the deal (marked used when
/// it is); `false` after a diagnostic when not.
fn check_category(
    cx: &mut Cx<'_>,
    sym: &mut Symbols,
    at: Span,
    line: usize,
    category: &str,
) -> bool {
    if category.is_empty() {
        cx.diags.push(
            Diagnostic::error(
                "roster-field",
                at.clone(),
                format!("line {line} has no category"),
            )
            .label("missing category")
            .help("give every person a category defined by a [[category]] table"),
        );
        return false;
    }
    if !sym.categories.contains_key(category) {
        let known: Vec<&str> = sym.categories.keys().map(String::as_str).collect();
        let d = Diagnostic::error(
            "unknown-category",
            at.clone(),
            format!("line {line}: the category `{category}` is not defined in the deal"),
        )
        .label("unknown category");
        cx.diags.push(match super::read::nearest(category, &known) {
            Some(n) => d.help(format!("did you mean `{n}`?")),
            None => d.help(format!(
                "add a [[category]] with id = \"{category}\", or use one of: {}",
                super::symbols::sorted(&known)
            )),
        });
        return false;
    }
    if !sym.used_categories.contains(category) {
        sym.used_categories.insert(category.to_owned());
    }
    true
}

/// Contradictions within one roster's own numbers: checked even when other
/// sections have errors, so they are not hidden behind them.
fn check_numbers(cx: &mut Cx<'_>, sym: &Symbols, r: &Roster, held: Option<u64>) {
    let at = |path: String| sym.terms.get(&path).cloned().unwrap_or_default();
    let key = |k: &str| format!("roster.{}.{k}", r.holder);
    for (low, high) in [("min_per_day", "max_per_day"), ("total_min", "total_max")] {
        let value = |k: &str| match k {
            "min_per_day" => r.min_per_day,
            "max_per_day" => r.max_per_day,
            "total_min" => r.total_min,
            _ => r.total_max,
        };
        if let (Some(min), Some(max)) = (value(low), value(high))
            && min > max
        {
            cx.error(
                "min-above-max",
                &at(key(low)),
                format!(
                    "the roster of `{}` has {low} {min} above {high} {max}",
                    r.holder
                ),
            )
            .label(format!("above {high}"))
            .related(at(key(high)), high)
            .help(format!(
                "lower {low} to {max} or less, or raise {high} to {min}"
            ));
        }
    }
    if let (Some(base), Some(held)) = (r.min_in_base_days.map(u64::from), held)
        && base > held
    {
        cx.error("total-unmeetable", &at(key("min_in_base_days")), format!("the deal guarantees at least {base} persons from `{}` within the base days, but its roster lists {held}", r.holder))
            .label(format!("more than the {held} listed"))
            .help(format!("lower min_in_base_days to {held}, or complete the roster"));
    }
    if let (Some(total_min), Some(held)) = (r.total_min.map(u64::from), held)
        && total_min > held
    {
        cx.error("total-unmeetable", &at(key("total_min")), format!("the deal guarantees at least {total_min} persons from `{}`, but its roster lists {held}", r.holder))
            .label(format!("more than the {held} listed"))
            .help(format!("lower total_min to {held}, or complete the roster"));
    }
}

fn csv_error(cx: &mut Cx<'_>, fid: FileId, src: &crate::source::SourceFile, e: csv::Error) {
    let line = e.position().map_or(1, |p| p.line() as usize);
    cx.diags.push(
        Diagnostic::error(
            "roster-malformed",
            Span::new(fid, src.line_span(line)),
            format!("line {line} is not valid CSV: {e}"),
        )
        .label("malformed")
        .help(
            "check the quotes on this line: a field with a comma must be quoted, and quotes closed",
        ),
    );
}

/// Person and group ids are opaque codes (`A-0001`), never names.
fn check_person_id(cx: &mut Cx<'_>, at: Span, id: &str, what: &str) -> bool {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        let message = if id.is_empty() {
            format!("a {what} is missing")
        } else {
            format!("`{id}` is not a valid {what}")
        };
        cx.diags.push(
            Diagnostic::error("bad-person-id", at, message)
                .label(format!("invalid {what}"))
                .help("use an opaque code of letters, digits, '-', '_' or '.', at most 64, e.g. `A-0001`; never a name"),
        );
    }
    ok
}

fn check_duplicates(cx: &mut Cx<'_>, persons: &[Person], origins: &[Span]) {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(persons.len());
    for (i, p) in persons.iter().enumerate() {
        let Some(&first) = seen.get(p.id.as_str()) else {
            seen.insert(p.id.as_str(), i);
            continue;
        };
        let (Some(first), Some(second)) = (origins.get(first), origins.get(i)) else {
            continue;
        };
        cx.diags.push(
            Diagnostic::error(
                "duplicate-person",
                second.clone(),
                format!("the person `{}` is listed twice", p.id),
            )
            .label("second listing")
            .related(first.clone(), "first listed here")
            .help("list each person once, in the roster of the side that holds them"),
        );
    }
}
