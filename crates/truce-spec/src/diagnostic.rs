//! Problems found in a deal, each with its place, what is wrong and how to
//! fix it. Validation collects them all instead of stopping at the first.

use std::collections::HashMap;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Rendered, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde::Serialize;

use crate::source::{FileId, SourceMap};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the deal is still valid.
    Warning,
    /// The deal is invalid.
    Error,
}

/// A place in a loaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The file, in the load's [`SourceMap`].
    pub file: FileId,
    /// Byte offsets in the file's text, end exclusive.
    pub range: Range<usize>,
}

impl Span {
    /// The span of these bytes of `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, range }
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether the problem makes the deal invalid.
    pub severity: Severity,
    /// A stable, kebab-case name of the kind of problem (`unknown-key`).
    pub code: &'static str,
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in one sentence without a final period.
    pub message: String,
    /// A short label shown under the offending text.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places that explain the problem ("first defined here").
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error: the deal is invalid. Add a label, help and related places
    /// with the builder methods.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            span,
            message: message.into(),
            label: String::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// A warning: worth knowing, the deal stays valid.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// With this label under the offending text.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// With this advice on how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// With another place that explains the problem, and a note on it.
    pub fn related(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.related.push((span, note.into()));
        self
    }
}

/// Beyond this many problems of one kind in one file, the rest are counted,
/// not kept: a 100,000-line roster with a wrong column must not print
/// 100,000 snippets.
const MAX_PER_KIND_AND_FILE: usize = 20;

/// The problems found so far.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    counts: HashMap<(FileId, &'static str), usize>,
    suppressed: Vec<(FileId, &'static str, Severity, usize)>,
}

impl Diagnostics {
    /// Records a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        let key = (diagnostic.span.file, diagnostic.code);
        let seen = self.counts.entry(key).or_insert(0);
        *seen += 1;
        if *seen <= MAX_PER_KIND_AND_FILE {
            self.items.push(diagnostic);
        } else if let Some(s) = self
            .suppressed
            .iter_mut()
            .find(|s| s.0 == key.0 && s.1 == key.1)
        {
            s.3 += 1;
        } else {
            self.suppressed.push((key.0, key.1, diagnostic.severity, 1));
        }
    }

    /// Orders the problems by file (deal first, then rosters) and position,
    /// the order a person fixes them in.
    pub fn sort(&mut self) {
        self.items
            .sort_by_key(|d| (d.span.file, d.span.range.start));
    }

    /// The problems kept, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Problems of one kind beyond the per-file limit: (file, code, severity, count).
    pub fn suppressed(&self) -> &[(FileId, &'static str, Severity, usize)] {
        &self.suppressed
    }

    /// How many errors, including those counted but not kept.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many warnings, including those counted but not kept.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
            + self
                .suppressed
                .iter()
                .filter(|s| s.2 == severity)
                .map(|s| s.3)
                .sum::<usize>()
    }

    /// True when any error was found.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// True when an error of this code was found.
    pub fn has_code(&self, code: &str) -> bool {
        self.counts.keys().any(|(_, c)| *c == code)
    }
}

/// Renders every problem as people read it: an `error: FILE:LINE:COL: what`
/// line, the source snippet, and the fix.
pub fn render_text(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let mut files = SimpleFiles::new();
    for (_, f) in sources.files() {
        files.add(f.name.as_str(), f.text.as_str());
    }
    let config = term::Config::default();
    let mut out = String::new();
    for d in diagnostics.iter() {
        let file = sources.get(d.span.file);
        let (line, col) = file.line_col(d.span.range.start);
        let head = format!("{}:{line}:{col}: {}", file.name, d.message);
        let rendered = match d.severity {
            Severity::Error => Rendered::error(),
            Severity::Warning => Rendered::warning(),
        }
        .with_message(head)
        .with_labels(
            std::iter::once(
                Label::primary(d.span.file.0, clamp(&d.span.range, file.text.len()))
                    .with_message(d.label.clone()),
            )
            .chain(d.related.iter().map(|(s, note)| {
                Label::secondary(s.file.0, clamp(&s.range, sources.get(s.file).text.len()))
                    .with_message(note.clone())
            }))
            .collect(),
        )
        .with_notes(d.help.iter().map(|h| format!("help: {h}")).collect());
        match term::emit_into_string(&config, &files, &rendered) {
            Ok(s) => out.push_str(&s),
            // Rendering only fails on a span outside its file, which clamp()
            // prevents; keep the one-line form rather than lose the problem.
            Err(_) => {
                out.push_str(&format!(
                    "{}: {}\n",
                    severity_word(d.severity),
                    rendered.message
                ));
            }
        }
    }
    for (file, code, severity, n) in diagnostics.suppressed() {
        out.push_str(&format!(
            "{}: {}: {n} more problems of the kind `{code}` not shown\n\n",
            severity_word(*severity),
            sources.get(*file).name
        ));
    }
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn clamp(range: &Range<usize>, len: usize) -> Range<usize> {
    let start = range.start.min(len);
    start..range.end.clamp(start, len)
}

/// A problem as JSON: what outside tools read from `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// `error` or `warning`.
    pub severity: Severity,
    /// The kebab-case kind of problem ([`Diagnostic::code`]).
    pub code: &'a str,
    /// The file's name as the reader displays it.
    pub file: &'a str,
    /// 1-based line where the problem starts.
    pub line: usize,
    /// 1-based column (in characters) where the problem starts.
    pub column: usize,
    /// 1-based line where the problem ends.
    pub end_line: usize,
    /// 1-based column (in characters) just past the problem's end.
    pub end_column: usize,
    /// What is wrong.
    pub message: &'a str,
    /// How to fix it, when known.
    pub help: Option<&'a str>,
}

/// Every problem in its JSON form, in the order found.
pub fn to_json<'a>(
    diagnostics: &'a Diagnostics,
    sources: &'a SourceMap,
) -> Vec<JsonDiagnostic<'a>> {
    diagnostics
        .iter()
        .map(|d| {
            let file = sources.get(d.span.file);
            let (line, column) = file.line_col(d.span.range.start);
            let (end_line, end_column) = file.line_col(d.span.range.end);
            JsonDiagnostic {
                severity: d.severity,
                code: d.code,
                file: &file.name,
                line,
                column,
                end_line,
                end_column,
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect()
}
