//! What both GENIUS readers share: XML parsing with positions, the
//! domain's issue metadata, the reading context and the limits. A leaf
//! module: the template and profile readers and the hyper-rectangles use it.

use roxmltree::{Document, Node};

use crate::error::{ReadError, ReadErrorKind as K};

/// Largest number of values an integer issue may have: larger ranges would
/// allocate without bound and cannot be analysed by enumeration anyway.
pub(crate) const MAX_ISSUE_VALUES: u64 = 1_000_000;

/// Largest number of issues: analytics recurse once per issue.
pub(crate) const MAX_ISSUES: usize = 10_000;

/// How far issue weights may add up away from 1 before the file is rejected:
/// GENIUS files carry rounding errors (Laptop adds up to 1.0000518).
pub(crate) const WEIGHT_SUM_TOLERANCE: f64 = 0.01;

/// What the analytics need to know about a domain issue beyond its values.
#[derive(Debug, Clone)]
pub(crate) struct IssueMeta {
    pub(super) kind: Kind,
    /// Numeric value of each value (integer and real issues).
    pub(super) numbers: Vec<f64>,
    /// Lower bound (integer and real issues).
    pub(super) lower: f64,
    /// The `index` attribute, which hyper-rectangles refer to.
    pub(super) xml_index: Option<i64>,
}

impl IssueMeta {
    /// A discrete issue (values are plain strings).
    pub(crate) fn discrete() -> Self {
        Self {
            kind: Kind::Discrete,
            numbers: Vec::new(),
            lower: 0.0,
            xml_index: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Discrete,
    Integer,
    Real,
}

pub(super) fn pos(doc: &Document, node: Node) -> (usize, usize) {
    let p = doc.text_pos_at(node.range().start);
    (p.row as usize, p.col as usize)
}

pub(super) struct Ctx<'a, 'input> {
    pub(super) file: &'a str,
    pub(super) doc: &'a Document<'input>,
}

impl<'input> Ctx<'_, 'input> {
    pub(super) fn err(&self, node: Node, kind: K) -> ReadError {
        ReadError::at(self.file, pos(self.doc, node), kind)
    }

    pub(super) fn attr<'n>(
        &self,
        node: Node<'n, 'input>,
        name: &str,
    ) -> Result<&'n str, ReadError> {
        node.attribute(name).ok_or_else(|| {
            self.err(
                node,
                K::Missing {
                    what: format!("attribute `{name}` on <{}>", node.tag_name().name()),
                },
            )
        })
    }

    pub(super) fn number(&self, node: Node, name: &str, text: &str) -> Result<f64, ReadError> {
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.err(
                node,
                K::BadNumber {
                    text: text.to_owned(),
                    what: format!("attribute `{name}` on <{}>", node.tag_name().name()),
                },
            )),
        }
    }

    pub(super) fn num_attr(&self, node: Node, name: &str) -> Result<f64, ReadError> {
        let text = self.attr(node, name)?;
        self.number(node, name, text)
    }

    pub(super) fn opt_num_attr(&self, node: Node, name: &str) -> Result<Option<f64>, ReadError> {
        node.attribute(name)
            .map(|t| self.number(node, name, t))
            .transpose()
    }
}

/// Parses XML text, mapping a syntax error to its position.
pub(crate) fn parse_xml<'a>(file: &str, text: &'a str) -> Result<Document<'a>, ReadError> {
    Document::parse(text).map_err(|e| {
        let p = e.pos();
        ReadError::at(
            file,
            (p.row as usize, p.col as usize),
            K::Xml(e.to_string()),
        )
    })
}

pub(super) fn issue_kind(node: Node) -> Kind {
    let t = node
        .attribute("vtype")
        .or_else(|| node.attribute("type"))
        .or_else(|| node.attribute("etype"))
        .unwrap_or("discrete");
    match t {
        "integer" => Kind::Integer,
        "real" => Kind::Real,
        _ => Kind::Discrete,
    }
}

/// Bounds of an integer or real issue: attributes, or a `<range>` child.
pub(super) fn bounds(cx: &Ctx, node: Node) -> Result<(f64, f64), ReadError> {
    let range = node.children().find(|c| c.has_tag_name("range"));
    let holder = match (node.attribute("lowerbound"), range) {
        (None, Some(r)) => r,
        _ => node,
    };
    Ok((
        cx.num_attr(holder, "lowerbound")?,
        cx.num_attr(holder, "upperbound")?,
    ))
}

/// File name without directory and extension.
pub(crate) fn stem(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    match base.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s.to_owned(),
        _ => base.to_owned(),
    }
}

/// The first value that occurs twice, if any.
pub(crate) fn first_duplicate(values: &[String]) -> Option<&str> {
    let mut seen = std::collections::HashSet::new();
    values
        .iter()
        .find(|v| !seen.insert(v.as_str()))
        .map(String::as_str)
}
