//! Typed reads from the spanned TOML tree, each reporting a precise
//! diagnostic instead of failing: the loader keeps going after a bad value so
//! one run shows every problem.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Diagnostics, Span};
use crate::source::FileId;

/// A value with the byte range it came from.
#[derive(Debug, Clone)]
pub(crate) struct Sp<T> {
    pub v: T,
    pub span: Range<usize>,
}

/// Where diagnostics go while reading one file.
pub(crate) struct Cx<'d> {
    pub file: FileId,
    pub diags: &'d mut Diagnostics,
}

impl Cx<'_> {
    pub fn error(&mut self, code: &'static str, range: &Range<usize>, message: String) -> Diag<'_> {
        Diag {
            diags: self.diags,
            d: Some(Diagnostic::error(
                code,
                Span::new(self.file, range.clone()),
                message,
            )),
        }
    }

    pub fn warning(
        &mut self,
        code: &'static str,
        range: &Range<usize>,
        message: String,
    ) -> Diag<'_> {
        Diag {
            diags: self.diags,
            d: Some(Diagnostic::warning(
                code,
                Span::new(self.file, range.clone()),
                message,
            )),
        }
    }
}

/// A diagnostic being built; it is recorded when dropped, so a call site
/// cannot forget to push it.
pub(crate) struct Diag<'d> {
    diags: &'d mut Diagnostics,
    d: Option<Diagnostic>,
}

impl Diag<'_> {
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.d = self.d.take().map(|d| d.label(label));
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.d = self.d.take().map(|d| d.help(help));
        self
    }
    /// Another place in the same file that explains the problem.
    pub fn related(mut self, range: Range<usize>, note: impl Into<String>) -> Self {
        self.d = self.d.take().map(|d| {
            let span = Span::new(d.span.file, range);
            d.related(span, note)
        });
        self
    }
}

impl Drop for Diag<'_> {
    fn drop(&mut self) {
        if let Some(d) = self.d.take() {
            self.diags.push(d);
        }
    }
}

/// A TOML table and the name people know it by (`[pause]`, `[[party]] #2`).
#[derive(Clone, Copy)]
pub(crate) struct Tbl<'a, 'i> {
    pub map: &'a DeTable<'i>,
    pub span: &'a Range<usize>,
    pub name: &'a str,
}

type Value<'a, 'i> = &'a Spanned<DeValue<'i>>;

impl<'a, 'i> Tbl<'a, 'i> {
    /// Reports every key not in `known`, suggesting the nearest known one.
    pub fn check_keys(&self, cx: &mut Cx<'_>, known: &[&str]) {
        for (key, _) in self.map.iter() {
            let k = key.get_ref().as_ref();
            if known.contains(&k) {
                continue;
            }
            let d = cx
                .error(
                    "unknown-key",
                    &key.span(),
                    format!("unknown key `{k}` in {}", self.name),
                )
                .label("not a key of this table");
            match nearest(k, known) {
                Some(n) => d.help(format!("did you mean `{n}`?")),
                None => d.help(format!(
                    "the keys of {} are: {}",
                    self.name,
                    known.join(", ")
                )),
            };
        }
    }

    pub fn get(&self, key: &str) -> Option<Value<'a, 'i>> {
        self.map.get(key)
    }

    /// The value of a key that must be present.
    pub fn require(&self, cx: &mut Cx<'_>, key: &str, example: &str) -> Option<Value<'a, 'i>> {
        let v = self.get(key);
        if v.is_none() {
            cx.error(
                "missing-key",
                self.span,
                format!("{} has no `{key}`", self.name),
            )
            .label(format!("`{key}` is required here"))
            .help(format!("add `{example}`"));
        }
        v
    }

    pub fn str(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<String>> {
        self.get(key).and_then(|v| as_str(cx, v, key))
    }

    pub fn req_str(&self, cx: &mut Cx<'_>, key: &str, example: &str) -> Option<Sp<String>> {
        self.require(cx, key, example)
            .and_then(|v| as_str(cx, v, key))
    }

    pub fn uint(&self, cx: &mut Cx<'_>, key: &str, min: u32, max: u32) -> Option<Sp<u32>> {
        self.get(key).and_then(|v| as_uint(cx, v, key, min, max))
    }

    pub fn req_uint(
        &self,
        cx: &mut Cx<'_>,
        key: &str,
        min: u32,
        max: u32,
        example: &str,
    ) -> Option<Sp<u32>> {
        self.require(cx, key, example)
            .and_then(|v| as_uint(cx, v, key, min, max))
    }

    pub fn bool(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<bool>> {
        let v = self.get(key)?;
        match v.get_ref().as_bool() {
            Some(b) => Some(Sp {
                v: b,
                span: v.span(),
            }),
            None => {
                type_error(cx, v, key, "true or false", &format!("{key} = true"));
                None
            }
        }
    }

    /// A sub-table (`[pause.extension]`, or an inline table).
    pub fn table(&self, cx: &mut Cx<'_>, key: &str) -> Option<(&'a DeTable<'i>, Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref().as_table() {
            Some(t) => Some((t, v.span())),
            None => {
                type_error(cx, v, key, "a table", &format!("[{key}]"));
                None
            }
        }
    }

    /// An array of strings.
    pub fn str_list(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<Vec<Sp<String>>>> {
        let v = self.get(key)?;
        let Some(items) = v.get_ref().as_array() else {
            type_error(
                cx,
                v,
                key,
                "a list of strings",
                &format!("{key} = [\"a\", \"b\"]"),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            if let Some(s) = as_str(cx, item, key) {
                out.push(s);
            }
        }
        Some(Sp {
            v: out,
            span: v.span(),
        })
    }
}

pub(crate) fn as_str(cx: &mut Cx<'_>, v: Value<'_, '_>, key: &str) -> Option<Sp<String>> {
    match v.get_ref().as_str() {
        Some(s) => Some(Sp {
            v: s.to_owned(),
            span: v.span(),
        }),
        None => {
            type_error(cx, v, key, "a string", &format!("{key} = \"…\""));
            None
        }
    }
}

/// A whole number in `min..=max`; the bound keeps later arithmetic (days ×
/// persons per day, ratios × persons) far from overflow.
pub(crate) fn as_uint(
    cx: &mut Cx<'_>,
    v: Value<'_, '_>,
    key: &str,
    min: u32,
    max: u32,
) -> Option<Sp<u32>> {
    let span = v.span();
    let Some(int) = v.get_ref().as_integer() else {
        let example = format!("{key} = {}", min.max(1));
        if v.get_ref().is_float() {
            cx.error(
                "wrong-type",
                &span,
                format!("`{key}` must be a whole number, found a decimal number"),
            )
            .label("not a whole number")
            .help(format!("write a whole number, e.g. `{example}`"));
        } else {
            type_error(cx, v, key, "a whole number", &example);
        }
        return None;
    };
    // Parsed as i128 so that any literal TOML accepts fits: the bound check
    // below then catches absurd values instead of an overflow.
    let parsed = i128::from_str_radix(int.as_str(), int.radix()).ok();
    match parsed {
        Some(n) if n < i128::from(min) => {
            let what = if min == 1 { "at least 1" } else { "0 or more" };
            cx.error(
                "out-of-range",
                &span,
                format!("`{key}` must be {what}, found {n}"),
            )
            .label(format!("must be {what}"))
            .help(format!("write a number of {min} or more"));
            None
        }
        Some(n) if n <= i128::from(max) => Some(Sp {
            v: u32::try_from(n).unwrap_or(max),
            span,
        }),
        _ => {
            cx.error(
                "out-of-range",
                &span,
                format!("`{key}` is larger than the largest supported value ({max})"),
            )
            .label("too large")
            .help(format!("write a number from {min} to {max}"));
            None
        }
    }
}

pub(crate) fn type_error(
    cx: &mut Cx<'_>,
    v: Value<'_, '_>,
    key: &str,
    expected: &str,
    example: &str,
) {
    cx.error(
        "wrong-type",
        &v.span(),
        format!(
            "`{key}` must be {expected}, found {}",
            article(v.get_ref().type_str())
        ),
    )
    .label(format!("expected {expected}"))
    .help(format!("write it like `{example}`"));
}

fn article(type_str: &str) -> String {
    match type_str {
        "integer" => "a whole number".into(),
        "float" => "a decimal number".into(),
        "array" => "a list".into(),
        t if t.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {t}"),
        t => format!("a {t}"),
    }
}

/// The known word closest to a misspelt one, if any is close enough to be
/// what was meant.
pub(crate) fn nearest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        // Ties go to the alphabetically first name: callers pass names from
        // hash maps, and the suggestion must not change from run to run.
        .min_by_key(|&(d, k)| (d, k))
        .map(|(_, k)| k)
}

/// An array of tables (`[[party]]`): each element with its display name.
pub(crate) fn table_array<'a, 'i>(
    cx: &mut Cx<'_>,
    root: &Tbl<'a, 'i>,
    key: &str,
) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
    let Some(v) = root.get(key) else {
        return Vec::new();
    };
    let Some(items) = v.get_ref().as_array() else {
        let d = cx
            .error(
                "wrong-type",
                &v.span(),
                format!("`{key}` must be a list of tables, written [[{key}]]"),
            )
            .label(format!("expected [[{key}]]"));
        if v.get_ref().is_table() {
            d.help(format!(
                "write `[[{key}]]` (double brackets): a deal may have several"
            ));
        } else {
            d.help(format!("write one `[[{key}]]` table per entry"));
        }
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item.get_ref().as_table() {
            Some(t) => out.push((t, item.span())),
            None => type_error(cx, item, key, "a table", &format!("[[{key}]]")),
        }
    }
    out
}
