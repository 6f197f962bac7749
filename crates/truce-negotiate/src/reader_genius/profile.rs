//! A GENIUS profile (`<utility_space>`): weights, evaluators, reservation
//! value and discount, or hyper-rectangles, read against its domain.

use roxmltree::{Document, Node};

use super::rects;
use super::xml::{Ctx, IssueMeta, Kind, WEIGHT_SUM_TOLERANCE, stem};
use crate::domain::{Additive, Issue, Party, ReadOptions, Reading, Utility};
use crate::error::{ReadError, ReadErrorKind as K};

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
