//! GENIUS XML: the domain template (`<negotiation_template>`) and the
//! utility-space profiles (`<utility_space>`), with discrete, integer and real
//! evaluators, weights, reservation values, discount factors and non-linear
//! hyper-rectangle spaces.

use roxmltree::{Document, Node};

mod rects;

use crate::domain::{Additive, Issue, Party, ReadOptions, Reading, Utility};
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
    kind: Kind,
    /// Numeric value of each value (integer and real issues).
    numbers: Vec<f64>,
    /// Lower bound (integer and real issues).
    lower: f64,
    /// The `index` attribute, which hyper-rectangles refer to.
    xml_index: Option<i64>,
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
enum Kind {
    Discrete,
    Integer,
    Real,
}

fn pos(doc: &Document, node: Node) -> (usize, usize) {
    let p = doc.text_pos_at(node.range().start);
    (p.row as usize, p.col as usize)
}

struct Ctx<'a, 'input> {
    file: &'a str,
    doc: &'a Document<'input>,
}

impl<'input> Ctx<'_, 'input> {
    fn err(&self, node: Node, kind: K) -> ReadError {
        ReadError::at(self.file, pos(self.doc, node), kind)
    }

    fn attr<'n>(&self, node: Node<'n, 'input>, name: &str) -> Result<&'n str, ReadError> {
        node.attribute(name).ok_or_else(|| {
            self.err(
                node,
                K::Missing {
                    what: format!("attribute `{name}` on <{}>", node.tag_name().name()),
                },
            )
        })
    }

    fn number(&self, node: Node, name: &str, text: &str) -> Result<f64, ReadError> {
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

    fn num_attr(&self, node: Node, name: &str) -> Result<f64, ReadError> {
        let text = self.attr(node, name)?;
        self.number(node, name, text)
    }

    fn opt_num_attr(&self, node: Node, name: &str) -> Result<Option<f64>, ReadError> {
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

fn issue_kind(node: Node) -> Kind {
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
fn bounds(cx: &Ctx, node: Node) -> Result<(f64, f64), ReadError> {
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

/// Reads a `<negotiation_template>` domain file.
pub(crate) fn read_domain(
    file: &str,
    doc: &Document,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<(Vec<Issue>, Vec<IssueMeta>), ReadError> {
    let cx = Ctx { file, doc };
    let mut issues = Vec::new();
    let mut metas = Vec::new();
    for node in doc.descendants().filter(|n| n.has_tag_name("issue")) {
        if issues.len() == MAX_ISSUES {
            return Err(cx.err(node, K::TooManyIssues { limit: MAX_ISSUES }));
        }
        let name = cx.attr(node, "name")?.to_owned();
        let kind = issue_kind(node);
        let xml_index = node.attribute("index").and_then(|i| i.trim().parse().ok());
        let empty = || {
            cx.err(
                node,
                K::EmptyIssue {
                    issue: name.clone(),
                },
            )
        };
        let (values, numbers, lower) = match kind {
            Kind::Discrete => {
                let mut values = Vec::new();
                for item in node.children().filter(|c| c.has_tag_name("item")) {
                    values.push(cx.attr(item, "value")?.to_owned());
                }
                (values, Vec::new(), 0.0)
            }
            Kind::Integer => {
                let (lo, hi) = bounds(&cx, node)?;
                let (lo, hi) = (lo.round(), hi.round());
                if hi < lo {
                    return Err(empty());
                }
                if hi - lo >= MAX_ISSUE_VALUES as f64 {
                    return Err(cx.err(
                        node,
                        K::TooManyValues {
                            issue: name.clone(),
                            limit: MAX_ISSUE_VALUES,
                        },
                    ));
                }
                // In range: checked just above, so the cast cannot truncate.
                let n = (hi - lo) as u64 + 1;
                let numbers: Vec<f64> = (0..n).map(|k| lo + k as f64).collect();
                let values = numbers.iter().map(|x| format!("{x}")).collect();
                (values, numbers, lo)
            }
            Kind::Real => {
                let (lo, hi) = bounds(&cx, node)?;
                if hi < lo {
                    return Err(empty());
                }
                let steps = opts.real_steps.max(2);
                let numbers: Vec<f64> = (0..steps)
                    .map(|k| lo + (hi - lo) * k as f64 / (steps - 1) as f64)
                    .collect();
                notes.push(format!(
                    "real issue `{name}` discretised to {steps} evenly spaced values from {lo} to {hi}"
                ));
                let values = numbers.iter().map(|x| format!("{x}")).collect();
                (values, numbers, lo)
            }
        };
        if values.is_empty() {
            return Err(empty());
        }
        if let Some(dup) = first_duplicate(&values) {
            return Err(cx.err(
                node,
                K::Duplicate {
                    what: format!("value of issue `{name}`"),
                    name: dup.to_owned(),
                },
            ));
        }
        if issues.iter().any(|i: &Issue| i.name == name) {
            return Err(cx.err(
                node,
                K::Duplicate {
                    what: "issue".into(),
                    name,
                },
            ));
        }
        issues.push(Issue { name, values });
        metas.push(IssueMeta {
            kind,
            numbers,
            lower,
            xml_index,
        });
    }
    if issues.is_empty() {
        let root = doc.root_element();
        return Err(cx.err(
            root,
            K::Missing {
                what: "<issue> elements in the domain".into(),
            },
        ));
    }
    Ok((issues, metas))
}

/// How one profile issue is evaluated, before weights and normalisation.
enum Evaluation {
    /// Raw evaluation per domain value.
    Table(Vec<f64>),
    /// `slope * x + offset` on the issue's numbers (integer: x - lowerbound).
    Linear { slope: f64, offset: f64 },
}

/// Reads a `<utility_space>` profile against its domain.
pub(crate) fn read_profile(
    file: &str,
    doc: &Document,
    issues: &[Issue],
    metas: &[IssueMeta],
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Party, ReadError> {
    let cx = Ctx { file, doc };
    let root = doc.root_element();
    let mut reservation = 0.0;
    let mut discount = None;
    for child in root.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "reservation" => reservation = cx.num_attr(child, "value")?,
            "discount_factor" => discount = cx.opt_num_attr(child, "value")?,
            _ => {}
        }
    }
    let name = stem(file);
    let rects = rects::read_rects(&cx, root, issues, metas, opts)?;
    let mut evals: Vec<Option<(Evaluation, Node)>> = issues.iter().map(|_| None).collect();
    let mut index_to_issue = Vec::new();
    for node in root.descendants().filter(|n| n.has_tag_name("issue")) {
        let issue_name = cx.attr(node, "name")?;
        let Some(i) = issues.iter().position(|x| x.name == issue_name) else {
            return Err(cx.err(
                node,
                K::UnknownIssue {
                    issue: issue_name.to_owned(),
                },
            ));
        };
        if let Some(ix) = node
            .attribute("index")
            .and_then(|t| t.trim().parse::<i64>().ok())
        {
            index_to_issue.push((ix, i));
        }
        if let Some(e) = read_evaluation(&cx, node, i, issues, metas)?
            && let Some(slot) = evals.get_mut(i)
        {
            *slot = Some((e, node));
        }
    }
    if let Some(h) = rects {
        if evals.iter().any(Option::is_some) {
            return Err(cx.err(
                root,
                K::Unsupported("profile mixing issue evaluators and hyper-rectangles".into()),
            ));
        }
        return Ok(Party {
            name,
            file: file.to_owned(),
            utility: Utility::HyperRectangles(h),
            reservation,
            discount,
        });
    }
    let weights = read_weights(&cx, root, issues, &index_to_issue, &evals)?;
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || sum.is_nan() || (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
        let at = root
            .descendants()
            .find(|n| n.has_tag_name("weight"))
            .unwrap_or(root);
        return Err(cx.err(at, K::WeightSum { sum }));
    }
    if opts.reading == Reading::Genius && sum != 1.0 {
        notes.push(format!(
            "{name}: issue weights add up to {sum}; used as written and the sum clipped at 1, \
             as GENIUS 10.4 does when it loads a file (AdditiveUtilitySpace)"
        ));
    }
    let mut tables = Vec::with_capacity(issues.len());
    for (i, ((slot, w), meta)) in evals.into_iter().zip(&weights).zip(metas).enumerate() {
        let Some((eval, _)) = slot else {
            let issue = issues.get(i).map(|x| x.name.clone()).unwrap_or_default();
            return Err(cx.err(root, K::MissingIssue { issue }));
        };
        // GENIUS 10.4 keeps the weights as written when it loads a file
        // (`AdditiveUtilitySpace.loadTreeRecursive`); only the map
        // constructor calls `normalizeWeights()`.
        tables.push(table(eval, meta, *w, opts.reading));
    }
    Ok(Party {
        name,
        file: file.to_owned(),
        utility: Utility::Additive(Additive {
            tables,
            clip: opts.reading == Reading::Genius,
        }),
        reservation,
        discount,
    })
}

fn table(eval: Evaluation, meta: &IssueMeta, w: f64, reading: Reading) -> Vec<f64> {
    match eval {
        Evaluation::Table(raw) => {
            let max = raw.iter().copied().fold(0.0, f64::max);
            raw.iter()
                .map(|&e| match reading {
                    // GENIUS EvaluatorDiscrete: evaluation / max evaluation,
                    // and 0 when every evaluation is (nearly) zero.
                    Reading::Genius if max < 1e-5 => 0.0,
                    Reading::Genius => w * (e / max),
                    Reading::Raw => w * e,
                })
                .collect()
        }
        Evaluation::Linear { slope, offset } => meta
            .numbers
            .iter()
            .map(|&x| {
                // GENIUS EvaluatorInteger counts from the lower bound;
                // EvaluatorReal evaluates the value itself.
                let x = if meta.kind == Kind::Integer {
                    x - meta.lower
                } else {
                    x
                };
                let e = slope * x + offset;
                match reading {
                    Reading::Genius => w * e.clamp(0.0, 1.0),
                    Reading::Raw => w * e,
                }
            })
            .collect(),
    }
}

fn read_evaluation(
    cx: &Ctx,
    node: Node,
    i: usize,
    issues: &[Issue],
    metas: &[IssueMeta],
) -> Result<Option<Evaluation>, ReadError> {
    let (Some(issue), Some(meta)) = (issues.get(i), metas.get(i)) else {
        return Ok(None);
    };
    let items: Vec<Node> = node.children().filter(|c| c.has_tag_name("item")).collect();
    if !items.is_empty() {
        let mut raw: Vec<Option<f64>> = vec![None; issue.values.len()];
        for item in items {
            let value = cx.attr(item, "value")?;
            let Some(v) = issue.values.iter().position(|x| x == value) else {
                return Err(cx.err(
                    item,
                    K::UnknownValue {
                        issue: issue.name.clone(),
                        value: value.to_owned(),
                    },
                ));
            };
            let e = cx.num_attr(item, "evaluation")?;
            if e < 0.0 {
                return Err(cx.err(
                    item,
                    K::BadWeight {
                        what: format!("evaluation of `{value}`"),
                        value: e,
                    },
                ));
            }
            if let Some(slot) = raw.get_mut(v) {
                *slot = Some(e);
            }
        }
        let mut table = Vec::with_capacity(raw.len());
        for (v, e) in raw.into_iter().enumerate() {
            let Some(e) = e else {
                return Err(cx.err(
                    node,
                    K::MissingValue {
                        issue: issue.name.clone(),
                        value: issue.values.get(v).cloned().unwrap_or_default(),
                    },
                ));
            };
            table.push(e);
        }
        return Ok(Some(Evaluation::Table(table)));
    }
    let Some(ev) = node.children().find(|c| c.has_tag_name("evaluator")) else {
        return Ok(None);
    };
    let ftype = ev.attribute("ftype").unwrap_or("linear");
    if ftype != "linear" || meta.kind == Kind::Discrete {
        return Err(cx.err(
            ev,
            K::Unsupported(format!(
                "evaluator ftype `{ftype}` on issue `{}`",
                issue.name
            )),
        ));
    }
    // GENIUS writes integer evaluators with slope/offset and real ones with
    // parameter1 (slope) / parameter0 (offset); accept either spelling.
    let slope = match cx.opt_num_attr(ev, "slope")? {
        Some(s) => s,
        None => cx.num_attr(ev, "parameter1")?,
    };
    let offset = match cx.opt_num_attr(ev, "offset")? {
        Some(o) => o,
        None => cx.num_attr(ev, "parameter0")?,
    };
    Ok(Some(Evaluation::Linear { slope, offset }))
}

fn read_weights(
    cx: &Ctx,
    root: Node,
    issues: &[Issue],
    index_to_issue: &[(i64, usize)],
    evals: &[Option<(Evaluation, Node)>],
) -> Result<Vec<f64>, ReadError> {
    let mut weights: Vec<Option<f64>> = vec![None; issues.len()];
    for node in root.descendants().filter(|n| n.has_tag_name("weight")) {
        let ix = cx.num_attr(node, "index")?;
        let value = cx.num_attr(node, "value")?;
        // Weights of sub-objectives share the index space; only issue
        // weights count.
        let Some(&(_, i)) = index_to_issue.iter().find(|(x, _)| *x as f64 == ix) else {
            continue;
        };
        if value < 0.0 {
            return Err(cx.err(
                node,
                K::BadWeight {
                    what: format!(
                        "weight of issue `{}`",
                        issues.get(i).map_or("", |x| &x.name)
                    ),
                    value,
                },
            ));
        }
        if let Some(slot) = weights.get_mut(i) {
            *slot = Some(value);
        }
    }
    let mut out = Vec::with_capacity(issues.len());
    for (i, w) in weights.into_iter().enumerate() {
        match (w, evals.get(i)) {
            (Some(w), _) => out.push(w),
            (None, Some(Some((_, node)))) => {
                return Err(cx.err(
                    *node,
                    K::Missing {
                        what: format!(
                            "<weight> for issue `{}`",
                            issues.get(i).map_or("", |x| &x.name)
                        ),
                    },
                ));
            }
            // Reported as a missing issue by the caller.
            (None, _) => out.push(0.0),
        }
    }
    Ok(out)
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
