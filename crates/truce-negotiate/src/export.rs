//! Writing a domain back out: GENIUS XML (a domain template and one utility
//! space per party) and GeniusWeb JSON (a domain and one
//! `LinearAdditiveUtilitySpace` per party). No I/O: the caller gets
//! `(file name, text)` pairs.
//!
//! Each issue's weight is written as its largest table entry and each value's
//! evaluation as its table entry, so GENIUS's `weight × evaluation / max
//! evaluation` (and GeniusWeb's `weight × value utility`) give back the table
//! (to within one rounding). Only additive profiles can be written: a
//! hyper-rectangle profile is an error naming the party. GeniusWeb profiles
//! state a reservation *bid*, not a value: a party whose reservation value is
//! above 0 gets as `reservationBid` the outcome the exported profile values
//! least among those it values at or above the reservation value (ties: the
//! first in value order), so a GeniusWeb reader takes a reservation at or just
//! above the original one; when no outcome reaches it, the best outcome (see
//! [`reservation_bid`]). GeniusWeb sums are not clipped: a GENIUS profile whose
//! weights add up to more than 1 (Laptop's add up to 1.00005) keeps its
//! weights, so the few outcomes GENIUS clips at 1 are worth up to the weight
//! sum in the GeniusWeb file.

use std::fmt::Write as _;

use crate::domain::{Domain, Utility};

/// Why a domain cannot be exported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    /// A party's utility is not additive.
    #[error(
        "party `{0}` has a non-linear (hyper-rectangle) profile; only additive profiles can be exported"
    )]
    NotAdditive(String),
    /// GENIUS XML divides each evaluation by its issue's best, so each
    /// issue's weight is its best value's worth; a profile whose best values
    /// add up far from 1 (GeniusWeb value utilities below 1) has no GENIUS
    /// form.
    #[error(
        "party `{party}`: GENIUS XML gives each issue's best value its whole weight, and this \
         profile's best values add up to {sum}, not 1; export it as GeniusWeb JSON instead"
    )]
    NoGeniusForm {
        /// The party.
        party: String,
        /// What the weights would add up to.
        sum: f64,
    },
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "domain".into() } else { s }
}

/// `(weight, evaluations)` of each issue of an additive table set. An issue
/// whose every evaluation is 0 shows no weight in its table: it gets an
/// equal share of what the other weights leave below 1, so the file's weights
/// still add up as they did (its utilities are 0 whatever its weight).
fn weights(tables: &[Vec<f64>]) -> Vec<(f64, Vec<f64>)> {
    let mut out: Vec<(f64, Vec<f64>)> = tables
        .iter()
        .map(|t| (t.iter().copied().fold(0.0, f64::max), t.clone()))
        .collect();
    let zero = out.iter().filter(|(w, _)| *w <= 0.0).count();
    let rest = 1.0 - out.iter().map(|(w, _)| w.max(0.0)).sum::<f64>();
    if zero > 0 && rest > 0.0 {
        let share = rest / zero as f64;
        for (w, _) in out.iter_mut().filter(|(w, _)| *w <= 0.0) {
            *w = share;
        }
    }
    out
}

fn tables_of(domain: &Domain) -> Result<Vec<&[Vec<f64>]>, ExportError> {
    domain
        .parties
        .iter()
        .map(|p| match &p.utility {
            Utility::Additive(a) => Ok(a.tables.as_slice()),
            Utility::HyperRectangles(_) => Err(ExportError::NotAdditive(p.name.clone())),
        })
        .collect()
}

/// The domain as GENIUS XML: `NAME-domain.xml` and `NAME-PARTY.xml` per party.
pub fn to_genius_xml(domain: &Domain) -> Result<Vec<(String, String)>, ExportError> {
    let tables = tables_of(domain)?;
    let stem = file_stem(&domain.name);
    let mut files = Vec::with_capacity(domain.parties.len() + 1);
    let mut d = String::new();
    let _ = writeln!(d, "<negotiation_template>");
    let _ = writeln!(
        d,
        "<utility_space number_of_issues=\"{}\">",
        domain.issues.len()
    );
    let _ = writeln!(
        d,
        "<objective description=\"\" etype=\"objective\" index=\"0\" name=\"{}\" type=\"objective\">",
        xml_escape(&domain.name)
    );
    for (i, issue) in domain.issues.iter().enumerate() {
        let _ = writeln!(
            d,
            "  <issue etype=\"discrete\" index=\"{}\" name=\"{}\" type=\"discrete\" vtype=\"discrete\">",
            i + 1,
            xml_escape(&issue.name)
        );
        for (k, v) in issue.values.iter().enumerate() {
            let _ = writeln!(
                d,
                "    <item index=\"{}\" value=\"{}\"/>",
                k + 1,
                xml_escape(v)
            );
        }
        let _ = writeln!(d, "  </issue>");
    }
    let _ = writeln!(d, "</objective>\n</utility_space>\n</negotiation_template>");
    files.push((format!("{stem}-domain.xml"), d));
    for (party, t) in domain.parties.iter().zip(tables) {
        let mut p = String::new();
        let _ = writeln!(p, "<utility_space>");
        let _ = writeln!(p, "  <reservation value=\"{}\"/>", party.reservation);
        if let Some(df) = party.discount {
            let _ = writeln!(p, "  <discount_factor value=\"{df}\"/>");
        }
        let _ = writeln!(
            p,
            "<objective index=\"0\" etype=\"objective\" type=\"objective\" name=\"{}\">",
            xml_escape(&domain.name)
        );
        let w = weights(t);
        let sum: f64 = w.iter().map(|(x, _)| x).sum();
        // The reader's tolerance (GENIUS files carry rounding errors).
        if (sum - 1.0).abs() > 0.01 {
            return Err(ExportError::NoGeniusForm {
                party: party.name.clone(),
                sum,
            });
        }
        for (i, (issue, (_, evals))) in domain.issues.iter().zip(&w).enumerate() {
            let _ = writeln!(
                p,
                "  <issue index=\"{}\" etype=\"discrete\" type=\"discrete\" vtype=\"discrete\" name=\"{}\">",
                i + 1,
                xml_escape(&issue.name)
            );
            for (k, (v, e)) in issue.values.iter().zip(evals).enumerate() {
                let _ = writeln!(
                    p,
                    "    <item index=\"{}\" value=\"{}\" evaluation=\"{e}\"/>",
                    k + 1,
                    xml_escape(v)
                );
            }
            let _ = writeln!(p, "  </issue>");
        }
        for (i, (weight, _)) in w.iter().enumerate() {
            let _ = writeln!(p, "  <weight index=\"{}\" value=\"{weight}\"/>", i + 1);
        }
        let _ = writeln!(p, "</objective>\n</utility_space>");
        files.push((format!("{stem}-{}.xml", file_stem(&party.name)), p));
    }
    Ok(files)
}

/// A JSON object with its keys in the given order (serde_json's map sorts
/// them, and GeniusWeb readers, truce's included, keep file order).
fn object(pairs: &[(String, String)], indent: usize) -> String {
    if pairs.is_empty() {
        return "{}".into();
    }
    let pad = " ".repeat(indent + 2);
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{pad}{}: {v}", quote(k)))
        .collect();
    format!("{{\n{}\n{}}}", body.join(",\n"), " ".repeat(indent))
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn number(x: f64) -> String {
    serde_json::to_string(&x).unwrap_or_else(|_| "0".into())
}

/// The domain as GeniusWeb JSON: `NAME.json` and `NAME-PARTY.json` per party.
pub fn to_geniusweb_json(domain: &Domain) -> Result<Vec<(String, String)>, ExportError> {
    let tables = tables_of(domain)?;
    let stem = file_stem(&domain.name);
    let domain_json = |indent: usize| {
        let issues: Vec<(String, String)> = domain
            .issues
            .iter()
            .map(|i| {
                let values: Vec<String> = i.values.iter().map(|v| quote(v)).collect();
                (
                    i.name.clone(),
                    object(
                        &[("values".into(), format!("[{}]", values.join(", ")))],
                        indent + 4,
                    ),
                )
            })
            .collect();
        object(
            &[
                ("name".into(), quote(&domain.name)),
                ("issuesValues".into(), object(&issues, indent + 2)),
            ],
            indent,
        )
    };
    let mut files = vec![(format!("{stem}.json"), domain_json(0) + "\n")];
    for (party, t) in domain.parties.iter().zip(tables) {
        // GeniusWeb takes any weights adding up to 1 with value utilities
        // in [0, 1]: what the best values leave below 1 is spread evenly.
        let mut w = weights(t);
        let rest = 1.0 - w.iter().map(|(x, _)| x).sum::<f64>();
        if rest > 0.0 && !w.is_empty() {
            let share = rest / w.len() as f64;
            w.iter_mut().for_each(|(x, _)| *x += share);
        }
        let weights_json: Vec<(String, String)> = domain
            .issues
            .iter()
            .zip(&w)
            .map(|(i, (wt, _))| (i.name.clone(), number(*wt)))
            .collect();
        let utilities: Vec<(String, String)> = domain
            .issues
            .iter()
            .zip(&w)
            .map(|(i, (wt, evals))| {
                let vu: Vec<(String, String)> = i
                    .values
                    .iter()
                    .zip(evals)
                    .map(|(v, e)| (v.clone(), number(if *wt > 0.0 { e / wt } else { 0.0 })))
                    .collect();
                let inner = object(&[("valueUtilities".into(), object(&vu, 10))], 8);
                (
                    i.name.clone(),
                    object(&[("DiscreteValueSetUtilities".into(), inner)], 6),
                )
            })
            .collect();
        let mut fields = vec![
            ("name".into(), quote(&party.name)),
            ("domain".into(), domain_json(4)),
            ("issueWeights".into(), object(&weights_json, 4)),
            ("issueUtilities".into(), object(&utilities, 4)),
        ];
        if party.reservation > 0.0 {
            // The tables a GeniusWeb reader builds from this file: weight ×
            // value utility, as written.
            let read_back: Vec<Vec<f64>> = w
                .iter()
                .map(|(wt, evals)| {
                    evals
                        .iter()
                        .map(|e| if *wt > 0.0 { wt * (e / wt) } else { 0.0 })
                        .collect()
                })
                .collect();
            let bid = reservation_bid(&read_back, party.reservation);
            let values: Vec<(String, String)> = domain
                .issues
                .iter()
                .zip(&bid)
                .map(|(i, &v)| {
                    (
                        i.name.clone(),
                        quote(i.values.get(v).map_or("", String::as_str)),
                    )
                })
                .collect();
            fields.push((
                "reservationBid".into(),
                object(&[("issuevalues".into(), object(&values, 6))], 4),
            ));
        }
        let space = object(&fields, 2);
        let profile = object(&[("LinearAdditiveUtilitySpace".into(), space)], 0);
        files.push((
            format!("{stem}-{}.json", file_stem(&party.name)),
            profile + "\n",
        ));
    }
    Ok(files)
}

/// The reservation bid written for a reservation value `r` under additive
/// `tables` (weight × value utility per issue): the outcome whose utility
/// (summed in issue order, as the readers sum) is the smallest at or above
/// `r` (the first in value order among equals; past 5,000,000 search nodes,
/// the closest found so far); when no outcome reaches `r`,
/// the best outcome. Exact, by a depth-first branch and bound over the
/// issues (no enumeration of the outcome space).
pub fn reservation_bid(tables: &[Vec<f64>], r: f64) -> Vec<usize> {
    let n = tables.len();
    // Largest and smallest sums of the issues from `i` on.
    let mut max_from = vec![0.0; n + 1];
    let mut min_from = vec![0.0; n + 1];
    for i in (0..n).rev() {
        let t = tables.get(i).map_or(&[][..], Vec::as_slice);
        let hi = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = t.iter().copied().fold(f64::INFINITY, f64::min);
        let (hi, lo) = if t.is_empty() { (0.0, 0.0) } else { (hi, lo) };
        let (next_hi, next_lo) = (
            max_from.get(i + 1).copied().unwrap_or(0.0),
            min_from.get(i + 1).copied().unwrap_or(0.0),
        );
        if let Some(x) = max_from.get_mut(i) {
            *x = hi + next_hi;
        }
        if let Some(x) = min_from.get_mut(i) {
            *x = lo + next_lo;
        }
    }
    let best_outcome: Vec<usize> = tables
        .iter()
        .map(|t| {
            // First index of the largest entry.
            let mut k = 0;
            for (j, x) in t.iter().enumerate() {
                if t.get(k).is_some_and(|b| x > b) {
                    k = j;
                }
            }
            k
        })
        .collect();
    // A hair of slack in the bounds: partial sums round differently from
    // the bound sums; leaves are compared exactly.
    let slack = 1e-9;
    if max_from.first().copied().unwrap_or(0.0) + slack < r {
        return best_outcome;
    }
    let mut search = BidSearch {
        tables,
        max_from: &max_from,
        min_from: &min_from,
        r,
        slack,
        best: None,
        path: Vec::with_capacity(n),
        nodes: 0,
    };
    search.descend(0, 0.0);
    match search.best {
        Some((_, o)) => o,
        None => best_outcome,
    }
}

/// Search nodes after which [`reservation_bid`] keeps the closest bid found
/// so far (at or above the reservation value, but perhaps not the closest).
const BID_SEARCH_NODES: u64 = 5_000_000;

struct BidSearch<'a> {
    tables: &'a [Vec<f64>],
    max_from: &'a [f64],
    min_from: &'a [f64],
    r: f64,
    slack: f64,
    best: Option<(f64, Vec<usize>)>,
    path: Vec<usize>,
    nodes: u64,
}

impl BidSearch<'_> {
    fn descend(&mut self, depth: usize, sum: f64) {
        self.nodes += 1;
        let Some(table) = self.tables.get(depth) else {
            if sum >= self.r && self.best.as_ref().is_none_or(|(b, _)| sum < *b) {
                self.best = Some((sum, self.path.clone()));
            }
            return;
        };
        let hi = sum + self.max_from.get(depth).copied().unwrap_or(0.0);
        let lo = sum + self.min_from.get(depth).copied().unwrap_or(0.0);
        if lo >= self.r {
            // Every completion reaches r: the least one is each remaining
            // issue's smallest entry (the first of equals).
            let mut o = self.path.clone();
            let mut s = sum;
            for t in self.tables.get(depth..).unwrap_or(&[]) {
                let mut k = 0;
                for (j, x) in t.iter().enumerate() {
                    if t.get(k).is_some_and(|b| x < b) {
                        k = j;
                    }
                }
                s += t.get(k).copied().unwrap_or(0.0);
                o.push(k);
            }
            if s >= self.r {
                if self.best.as_ref().is_none_or(|(b, _)| s < *b) {
                    self.best = Some((s, o));
                }
                return;
            }
        }
        // Cannot reach r, cannot beat the best found, or out of budget
        // (the best found so far still reaches r).
        if self.nodes > BID_SEARCH_NODES && self.best.is_some() {
            return;
        }
        if hi + self.slack < self.r
            || self
                .best
                .as_ref()
                .is_some_and(|(b, _)| lo - self.slack > *b)
        {
            return;
        }
        for (v, &x) in table.iter().enumerate() {
            self.path.push(v);
            self.descend(depth + 1, sum + x);
            self.path.pop();
            if self.best.as_ref().is_some_and(|(b, _)| *b == self.r) {
                // Nothing is closer than r itself.
                return;
            }
        }
    }
}
