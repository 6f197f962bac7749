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
//! state a reservation *bid*, not a value, so a reservation value is written
//! only to GENIUS XML. GeniusWeb sums are not clipped: a GENIUS profile whose
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
        let space = object(
            &[
                ("name".into(), quote(&party.name)),
                ("domain".into(), domain_json(4)),
                ("issueWeights".into(), object(&weights_json, 4)),
                ("issueUtilities".into(), object(&utilities, 4)),
            ],
            2,
        );
        let profile = object(&[("LinearAdditiveUtilitySpace".into(), space)], 0);
        files.push((
            format!("{stem}-{}.json", file_stem(&party.name)),
            profile + "\n",
        ));
    }
    Ok(files)
}
