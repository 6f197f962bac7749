//! GENIUS non-linear utility spaces: `PlainUfun` hyper-rectangles with
//! `INCLUDES` bounds on integer issues, summed.

use roxmltree::Node;

use super::xml::{Ctx, IssueMeta, Kind};
use crate::domain::{HyperRectangles, Issue, ReadOptions, Reading, Rect};
use crate::error::{ReadError, ReadErrorKind as K};

/// The hyper-rectangles of a non-linear profile, if it has any.
pub(super) fn read_rects(
    cx: &Ctx,
    root: Node,
    issues: &[Issue],
    metas: &[IssueMeta],
    opts: &ReadOptions,
) -> Result<Option<HyperRectangles>, ReadError> {
    let mut rects = Vec::new();
    let mut max_utility = None;
    let mut positive_total = 0.0;
    for utility in root
        .descendants()
        .filter(|n| n.has_tag_name("utility") || n.has_tag_name("utility_function"))
    {
        if let Some(m) = cx.opt_num_attr(utility, "maxutility")? {
            max_utility = Some(m);
        }
        for ufun in utility.children().filter(|c| c.has_tag_name("ufun")) {
            let ty = ufun.attribute("type").unwrap_or("PlainUfun");
            let agg = ufun.attribute("aggregation").unwrap_or("sum");
            if ty != "PlainUfun" || agg != "sum" {
                return Err(cx.err(
                    ufun,
                    K::Unsupported(format!("ufun type `{ty}` with aggregation `{agg}`")),
                ));
            }
            let weight = cx.opt_num_attr(ufun, "weight")?.unwrap_or(1.0);
            for rect in ufun.children().filter(Node::is_element) {
                if !rect.has_tag_name("hyperRectangle") {
                    return Err(cx.err(
                        rect,
                        K::Unsupported(format!("<{}> in a ufun", rect.tag_name().name())),
                    ));
                }
                let u = cx.opt_num_attr(rect, "utility")?.unwrap_or(0.0);
                positive_total += u.max(0.0);
                let mut includes = Vec::new();
                for inc in rect.children().filter(Node::is_element) {
                    if !inc.has_tag_name("INCLUDES") {
                        return Err(cx.err(
                            inc,
                            K::Unsupported(format!(
                                "<{}> in a hyperRectangle",
                                inc.tag_name().name()
                            )),
                        ));
                    }
                    includes.push(read_include(cx, inc, issues, metas)?);
                }
                rects.push(Rect {
                    utility: u * weight,
                    includes,
                });
            }
        }
    }
    if rects.is_empty() {
        return Ok(None);
    }
    let scale = match opts.reading {
        Reading::Raw => 1.0,
        Reading::Genius => match max_utility {
            Some(m) if m > 0.0 => m,
            _ if positive_total > 0.0 => positive_total,
            _ => 1.0,
        },
    };
    Ok(Some(HyperRectangles {
        rects,
        scale,
        clip: opts.reading == Reading::Genius,
    }))
}

fn read_include(
    cx: &Ctx,
    inc: Node,
    issues: &[Issue],
    metas: &[IssueMeta],
) -> Result<(usize, usize, usize), ReadError> {
    let ix = cx.num_attr(inc, "index")?;
    let by_attr = metas
        .iter()
        .position(|m| m.xml_index.is_some_and(|x| x as f64 == ix));
    // Fall back to the 1-based position when the domain has no index attributes.
    let i = by_attr.or_else(|| {
        let p = ix as i64 - 1;
        (p >= 0 && (p as usize) < issues.len()).then_some(p as usize)
    });
    let (Some(i), Some(meta)) = (i, i.and_then(|i| metas.get(i))) else {
        return Err(cx.err(
            inc,
            K::UnknownIssue {
                issue: format!("index {ix}"),
            },
        ));
    };
    if meta.kind != Kind::Integer {
        return Err(cx.err(
            inc,
            K::Unsupported("hyper-rectangle bounds on a non-integer issue".into()),
        ));
    }
    let n = meta.numbers.len() as f64;
    let lo = (cx.num_attr(inc, "min")? - meta.lower).max(0.0);
    let hi = (cx.num_attr(inc, "max")? - meta.lower).min(n - 1.0);
    // An empty range (lo > hi) stays empty: the rectangle never matches.
    let (lo, hi) = if lo > hi {
        (1, 0)
    } else {
        (lo.ceil() as usize, hi.floor() as usize)
    };
    Ok((i, lo, hi))
}
