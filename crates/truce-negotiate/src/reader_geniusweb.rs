//! GeniusWeb JSON: domains (`issuesValues` with discrete value lists or
//! number ranges) and `LinearAdditiveUtilitySpace` profiles with discrete
//! (old `discreteutils` and current `DiscreteValueSetUtilities` spellings) and
//! number (`NumberValueSetUtilities`) value utilities and reservation bids.

use crate::domain::{Additive, Issue, Party, Utility};
use crate::error::{ReadError, ReadErrorKind as K};
use crate::json::{Json, find_key, position};
use crate::reader_genius::{
    MAX_ISSUE_VALUES, MAX_ISSUES, WEIGHT_SUM_TOLERANCE, first_duplicate, stem,
};

/// Numeric value of each value of a number issue (empty for discrete ones).
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberMeta {
    numbers: Vec<f64>,
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    /// Byte offset of the key whose value is being read; errors point at
    /// keys found from here on.
    at: usize,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Self { file, text, at: 0 }
    }
    /// The context of the next `"key"` after the current one.
    fn within(&self, key: &str) -> Self {
        Self {
            at: find_key(self.text, self.at + 1, key).unwrap_or(self.at),
            ..*self
        }
    }
    /// An error at the current key.
    fn here(&self, kind: K) -> ReadError {
        ReadError::at(self.file, position(self.text, self.at), kind)
    }
    /// An error at the first `"key"` from the current key on.
    fn err(&self, key: &str, kind: K) -> ReadError {
        let at = find_key(self.text, self.at, key).unwrap_or(self.at);
        ReadError::at(self.file, position(self.text, at), kind)
    }
    fn missing(&self, near: &str, what: &str) -> ReadError {
        self.err(near, K::Missing { what: what.into() })
    }
    fn number(&self, j: Option<&Json>, key: &str) -> Result<f64, ReadError> {
        match j {
            None => Err(self.missing(key, &format!("key `{key}`"))),
            Some(v) => v.as_f64().ok_or_else(|| {
                self.err(
                    key,
                    K::BadNumber {
                        text: format!("{v:?}"),
                        what: format!("key `{key}`"),
                    },
                )
            }),
        }
    }
}

/// Reads a GeniusWeb domain object.
pub(crate) fn read_domain(
    file: &str,
    text: &str,
    json: &Json,
) -> Result<(String, Vec<Issue>, Vec<NumberMeta>), ReadError> {
    let cx = Ctx::new(file, text);
    let name = json
        .get("name")
        .and_then(Json::as_str)
        .map_or_else(|| stem(file), str::to_owned);
    let Some(members) = json.get("issuesValues").and_then(Json::members) else {
        return Err(cx.missing("issuesValues", "object `issuesValues`"));
    };
    let mut issues = Vec::new();
    let mut metas = Vec::new();
    if members.len() > MAX_ISSUES {
        return Err(cx.err("issuesValues", K::TooManyIssues { limit: MAX_ISSUES }));
    }
    for (issue, spec) in members {
        let (values, numbers) = if let Some(Json::Arr(vals)) = spec.get("values") {
            let mut values = Vec::with_capacity(vals.len());
            for v in vals {
                match v {
                    Json::Str(s) => values.push(s.clone()),
                    Json::Num(x) => values.push(format!("{x}")),
                    _ => return Err(cx.err(issue, K::Json("a value is not a string".into()))),
                }
            }
            (values, Vec::new())
        } else if let Some(range) = spec.get("range") {
            number_values(&cx, issue, range)?
        } else {
            return Err(cx.missing(issue, &format!("`values` or `range` for issue `{issue}`")));
        };
        if values.is_empty() {
            return Err(cx.err(
                issue,
                K::EmptyIssue {
                    issue: issue.clone(),
                },
            ));
        }
        let icx = cx.within("issuesValues").within(issue);
        if let Some(dup) = first_duplicate(&values) {
            return Err(icx.within(dup).within(dup).here(K::Duplicate {
                what: format!("value of issue `{issue}`"),
                name: dup.to_owned(),
            }));
        }
        if issues.iter().any(|i: &Issue| &i.name == issue) {
            return Err(icx.within(issue).here(K::Duplicate {
                what: "issue".into(),
                name: issue.clone(),
            }));
        }
        issues.push(Issue {
            name: issue.clone(),
            values,
        });
        metas.push(NumberMeta { numbers });
    }
    if issues.is_empty() {
        return Err(cx.missing("issuesValues", "issues in `issuesValues`"));
    }
    Ok((name, issues, metas))
}

/// Values of a GeniusWeb `NumberValueSet` range, computed in fixed-point
/// decimals so `12.2 + 0.3` prints as `12.5`.
fn number_values(
    cx: &Ctx,
    issue: &str,
    range: &Json,
) -> Result<(Vec<String>, Vec<f64>), ReadError> {
    let low = cx.number(range.get("low"), "low")?;
    let high = cx.number(range.get("high"), "high")?;
    let step = cx.number(range.get("step"), "step")?;
    let decimals = [low, high, step]
        .iter()
        .map(|x| format!("{x}").split_once('.').map_or(0, |(_, f)| f.len()))
        .max()
        .unwrap_or(0)
        .min(9);
    let scale = 10f64.powi(decimals as i32);
    let (lo, hi, st) = (
        (low * scale).round(),
        (high * scale).round(),
        (step * scale).round(),
    );
    if st < 1.0 || st.is_nan() || hi < lo {
        return Err(cx.err(
            issue,
            K::EmptyIssue {
                issue: issue.to_owned(),
            },
        ));
    }
    let count = ((hi - lo) / st).floor() + 1.0;
    if count > MAX_ISSUE_VALUES as f64 {
        return Err(cx.err(
            issue,
            K::TooManyValues {
                issue: issue.to_owned(),
                limit: MAX_ISSUE_VALUES,
            },
        ));
    }
    let mut values = Vec::new();
    let mut numbers = Vec::new();
    for k in 0..count as u64 {
        let fixed = lo + st * k as f64;
        values.push(fixed_decimal(fixed as i64, decimals));
        numbers.push(fixed / scale);
    }
    Ok((values, numbers))
}

fn fixed_decimal(fixed: i64, decimals: usize) -> String {
    if decimals == 0 {
        return fixed.to_string();
    }
    let sign = if fixed < 0 { "-" } else { "" };
    let digits = format!("{:0>width$}", fixed.unsigned_abs(), width = decimals + 1);
    let (int, frac) = digits.split_at(digits.len() - decimals);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Reads a `LinearAdditiveUtilitySpace` profile against its domain.
pub(crate) fn read_profile(
    file: &str,
    text: &str,
    json: &Json,
    domain_name: Option<&str>,
    issues: &[Issue],
    metas: &[NumberMeta],
) -> Result<Party, ReadError> {
    let cx = Ctx::new(file, text);
    let Some(space) = json.get("LinearAdditiveUtilitySpace") else {
        return Err(cx.err(
            "",
            K::Unsupported("GeniusWeb profile type (only LinearAdditiveUtilitySpace)".into()),
        ));
    };
    let profile_domain = space
        .get("domain")
        .and_then(|d| d.get("name"))
        .and_then(Json::as_str);
    if let (Some(profile), Some(domain)) = (profile_domain, domain_name)
        && profile != domain
    {
        return Err(cx.err(
            "domain",
            K::OtherDomain {
                profile: profile.to_owned(),
                domain: domain.to_owned(),
            },
        ));
    }
    let utils = space
        .get("issueUtilities")
        .and_then(Json::members)
        .ok_or_else(|| cx.missing("LinearAdditiveUtilitySpace", "object `issueUtilities`"))?;
    let weights = space
        .get("issueWeights")
        .and_then(Json::members)
        .ok_or_else(|| cx.missing("LinearAdditiveUtilitySpace", "object `issueWeights`"))?;
    for (section, members) in [("issueUtilities", utils), ("issueWeights", weights)] {
        for (name, _) in members {
            if !issues.iter().any(|i| &i.name == name) {
                let kind = K::UnknownIssue {
                    issue: name.clone(),
                };
                return Err(cx.within(section).err(name, kind));
            }
        }
    }
    let wcx = cx.within("issueWeights");
    let ucx = cx.within("issueUtilities");
    let mut tables = Vec::with_capacity(issues.len());
    let mut sum = 0.0;
    for (issue, meta) in issues.iter().zip(metas) {
        let w = match weights.iter().find(|(k, _)| *k == issue.name) {
            Some((_, w)) => wcx.number(Some(w), &issue.name)?,
            None => {
                return Err(wcx.here(K::MissingIssue {
                    issue: issue.name.clone(),
                }));
            }
        };
        if w < 0.0 {
            return Err(wcx.err(
                &issue.name,
                K::BadWeight {
                    what: format!("weight of issue `{}`", issue.name),
                    value: w,
                },
            ));
        }
        sum += w;
        let Some((_, spec)) = utils.iter().find(|(k, _)| *k == issue.name) else {
            return Err(ucx.here(K::MissingIssue {
                issue: issue.name.clone(),
            }));
        };
        let evals = value_utilities(&ucx.within(&issue.name), issue, meta, spec)?;
        tables.push(evals.into_iter().map(|e| w * e).collect());
    }
    if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
        return Err(wcx.here(K::WeightSum { sum }));
    }
    let utility = Utility::Additive(Additive::new(tables));
    let reservation = match space.get("reservationBid") {
        None | Some(Json::Null) => 0.0,
        Some(bid) => {
            let outcome = read_bid(&cx, bid, issues, metas)?;
            utility.eval(&outcome)
        }
    };
    Ok(Party {
        name: stem(file),
        file: file.to_owned(),
        utility,
        reservation,
        discount: None,
    })
}

fn value_utilities(
    cx: &Ctx,
    issue: &Issue,
    meta: &NumberMeta,
    spec: &Json,
) -> Result<Vec<f64>, ReadError> {
    let discrete = spec
        .get("DiscreteValueSetUtilities")
        .or_else(|| spec.get("discreteutils"));
    if let Some(d) = discrete {
        let Some(map) = d.get("valueUtilities").and_then(Json::members) else {
            return Err(cx.missing(&issue.name, "object `valueUtilities`"));
        };
        for (value, _) in map {
            if !issue.values.contains(value) {
                return Err(cx.err(
                    value,
                    K::UnknownValue {
                        issue: issue.name.clone(),
                        value: value.clone(),
                    },
                ));
            }
        }
        let mut out = Vec::with_capacity(issue.values.len());
        for value in &issue.values {
            let Some((_, u)) = map.iter().find(|(k, _)| k == value) else {
                return Err(cx.here(K::MissingValue {
                    issue: issue.name.clone(),
                    value: value.clone(),
                }));
            };
            out.push(cx.number(Some(u), value)?);
        }
        return Ok(out);
    }
    let number = spec
        .get("NumberValueSetUtilities")
        .or_else(|| spec.get("numberutils"));
    if let Some(n) = number {
        let lv = cx.number(n.get("lowValue"), "lowValue")?;
        let lu = cx.number(n.get("lowUtility"), "lowUtility")?;
        let hv = cx.number(n.get("highValue"), "highValue")?;
        let hu = cx.number(n.get("highUtility"), "highUtility")?;
        if meta.numbers.len() != issue.values.len() {
            return Err(cx.err(
                &issue.name,
                K::Unsupported(format!(
                    "number utilities on discrete issue `{}`",
                    issue.name
                )),
            ));
        }
        // GeniusWeb NumberValueSetUtilities: linear between the two points,
        // 0 outside them.
        return Ok(meta
            .numbers
            .iter()
            .map(|&x| {
                if x < lv || x > hv || hv <= lv {
                    0.0
                } else {
                    lu + (hu - lu) * (x - lv) / (hv - lv)
                }
            })
            .collect());
    }
    Err(cx.missing(
        &issue.name,
        "`DiscreteValueSetUtilities`, `discreteutils` or `NumberValueSetUtilities`",
    ))
}

fn read_bid(
    outer: &Ctx,
    bid: &Json,
    issues: &[Issue],
    metas: &[NumberMeta],
) -> Result<Vec<usize>, ReadError> {
    let cx = &outer.within("reservationBid");
    let Some(values) = bid.get("issuevalues").and_then(Json::members) else {
        return Err(cx.missing("reservationBid", "object `issuevalues` in `reservationBid`"));
    };
    let mut outcome = Vec::with_capacity(issues.len());
    for (issue, meta) in issues.iter().zip(metas) {
        let Some((_, v)) = values.iter().find(|(k, _)| *k == issue.name) else {
            return Err(cx.here(K::MissingValue {
                issue: issue.name.clone(),
                value: "(reservation bid)".into(),
            }));
        };
        let index = match v {
            Json::Str(s) => issue.values.iter().position(|x| x == s),
            Json::Num(x) => meta.numbers.iter().position(|n| (n - x).abs() < 1e-9),
            _ => None,
        };
        let Some(index) = index else {
            return Err(cx.err(
                &issue.name,
                K::UnknownValue {
                    issue: issue.name.clone(),
                    value: match v {
                        Json::Str(s) => s.clone(),
                        Json::Num(x) => format!("{x}"),
                        other => format!("{other:?}"),
                    },
                },
            ));
        };
        outcome.push(index);
    }
    Ok(outcome)
}
