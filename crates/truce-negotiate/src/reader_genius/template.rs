//! The GENIUS domain file (`<negotiation_template>`): issues and their
//! values.

use roxmltree::Document;

use super::xml::{
    Ctx, IssueMeta, Kind, MAX_ISSUE_VALUES, MAX_ISSUES, bounds, first_duplicate, issue_kind,
};
use crate::domain::{Issue, ReadOptions};
use crate::error::{ReadError, ReadErrorKind as K};

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
