//! ANAC 2014's large hyper-rectangle domains (`testdata/hyper-domains/`:
//! 10issueswithRV, 30issues, 50issues and 50issueswithRV, up to 10^40
//! outcomes): the branch and bound's frontier is exact, every point's
//! utilities are GENIUS's, no point is dominated, and GENIUS's own
//! `pareto.xml` is weakly dominated by it. The exact frontier itself is
//! checked against an independent MILP oracle in `hyper_milp.rs` (feature
//! `highs`).
//!
//! The oracle here reads the XML itself and follows GENIUS 10.4's
//! definitions, not truce's reader:
//! * `NonlinearUtilitySpace.getUtility` (genius/core/utility/NonlinearUtilitySpace.java):
//!   the utility function's value divided by `maxutility`, and 1 above 1
//!   (no floor).
//! * `UtilityFunction.getUtility` (UtilityFunction.java): with
//!   `aggregation="sum"`, the sum of its rectangles' utilities and of its
//!   inner functions' utilities times their `weight`.
//! * `InclusiveHyperRectangle.getUtility` (InclusiveHyperRectangle.java):
//!   `utility * weight` when every `INCLUDES` bound holds the integer value
//!   of the issue numbered `index` (`min <= value <= max`), else 0.

use std::path::{Path, PathBuf};

use truce_negotiate::{Analysis, AnalyzeOptions, Domain, ReadOptions, analyze, read_domain};

use crate::common::files_of;

/// The vendored large hyper-rectangle domains.
pub const HYPER_DOMAINS: [&str; 4] = ["10issueswithRV", "30issues", "50issues", "50issueswithRV"];

/// `testdata/hyper-domains/`.
pub fn hyper_domains() -> PathBuf {
    truce_test_support::repository().join("testdata/hyper-domains")
}

/// One integer issue: its name, its number in the file (`index`) and its
/// bounds.
pub struct HIssue {
    pub name: String,
    pub number: String,
    pub lower: i64,
    pub upper: i64,
}

/// A rectangle flattened out of its utility functions: the amount it adds
/// (its utility times its own and its functions' weights) and its bounds as
/// `(issue position, min, max)` on the issue's values.
pub struct HRect {
    pub amount: f64,
    pub bounds: Vec<(usize, i64, i64)>,
}

/// One profile.
pub struct HProfile {
    pub file: String,
    pub max_utility: f64,
    pub rects: Vec<HRect>,
    pub reservation: f64,
}

impl HProfile {
    /// The utility function's value before the division by `maxutility`.
    pub fn raw(&self, outcome: &[i64]) -> f64 {
        self.rects
            .iter()
            .filter(|r| {
                r.bounds
                    .iter()
                    .all(|&(i, lo, hi)| lo <= outcome[i] && outcome[i] <= hi)
            })
            .map(|r| r.amount)
            .sum()
    }

    /// GENIUS's utility: `raw / maxutility`, 1 above 1.
    pub fn utility(&self, outcome: &[i64]) -> f64 {
        let result = self.raw(outcome) / self.max_utility;
        if result > 1.0 { 1.0 } else { result }
    }
}

/// A domain as the oracle reads it.
pub struct HSpace {
    pub issues: Vec<HIssue>,
    pub profiles: Vec<HProfile>,
}

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name)
        .unwrap_or_else(|| panic!("<{}> without {name}", n.tag_name().name()))
}

fn number<T: std::str::FromStr>(n: roxmltree::Node, name: &str) -> T {
    attr(n, name)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number"))
}

fn weight(n: roxmltree::Node) -> f64 {
    n.attribute("weight")
        .map_or(1.0, |w| w.trim().parse().expect("weight"))
}

/// The rectangles of a `ufun` (and of its inner ones), times `scale`.
fn flatten(ufun: roxmltree::Node, scale: f64, issues: &[HIssue], out: &mut Vec<HRect>) {
    let aggregation = ufun.attribute("aggregation").unwrap_or("sum");
    assert_eq!(
        aggregation, "sum",
        "the oracle reads summing functions only"
    );
    for child in ufun.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "hyperRectangle" => {
                let mut bounds = Vec::new();
                for b in child.children().filter(roxmltree::Node::is_element) {
                    assert_eq!(
                        b.tag_name().name(),
                        "INCLUDES",
                        "the oracle reads inclusive rectangles only"
                    );
                    let position = issues
                        .iter()
                        .position(|i| i.number == attr(b, "index"))
                        .expect("a bound names an issue");
                    bounds.push((position, number(b, "min"), number(b, "max")));
                }
                out.push(HRect {
                    amount: number::<f64>(child, "utility") * weight(child) * scale,
                    bounds,
                });
            }
            "ufun" => flatten(child, scale * weight(child), issues, out),
            other => panic!("unexpected <{other}> in a utility function"),
        }
    }
}

/// Reads a folder: the file with `<negotiation_template>` is the domain,
/// the other `<utility_space>` files are the profiles, in file-name order.
pub fn read_space(dir: &Path) -> HSpace {
    let mut files = files_of(dir).files;
    files.sort();
    let domain = &files
        .iter()
        .find(|(_, t)| t.contains("<negotiation_template"))
        .expect("a domain file")
        .1;
    let doc = roxmltree::Document::parse(domain).expect("domain xml");
    let issues: Vec<HIssue> = doc
        .descendants()
        .filter(|n| n.has_tag_name("issue"))
        .map(|n| {
            assert_eq!(
                attr(n, "type"),
                "integer",
                "hyper-rectangle issues are integers"
            );
            HIssue {
                name: attr(n, "name").to_string(),
                number: attr(n, "index").to_string(),
                lower: number(n, "lowerbound"),
                upper: number(n, "upperbound"),
            }
        })
        .collect();
    let profiles = files
        .iter()
        .filter(|(_, t)| t.contains("<utility_space") && !t.contains("<negotiation_template"))
        .map(|(file, text)| {
            let doc = roxmltree::Document::parse(text).expect("profile xml");
            let utility = doc
                .descendants()
                .find(|n| n.has_tag_name("utility") && n.attribute("maxutility").is_some())
                .expect("a <utility maxutility=…>");
            let mut rects = Vec::new();
            flatten(utility, 1.0, &issues, &mut rects);
            HProfile {
                file: file.clone(),
                max_utility: number(utility, "maxutility"),
                rects,
                reservation: doc
                    .descendants()
                    .find(|n| n.has_tag_name("reservation"))
                    .map_or(0.0, |n| number(n, "value")),
            }
        })
        .collect();
    HSpace { issues, profiles }
}

impl HSpace {
    /// An outcome of an analysis (values as strings, in `issue_names`'
    /// order) as integers in the oracle's issue order.
    pub fn outcome(&self, issue_names: &[String], values: &[String]) -> Vec<i64> {
        self.issues
            .iter()
            .map(|issue| {
                let k = issue_names
                    .iter()
                    .position(|n| *n == issue.name)
                    .expect("the analysis names every issue");
                let v: i64 = values[k].parse().expect("an integer value");
                assert!(issue.lower <= v && v <= issue.upper, "{} = {v}", issue.name);
                v
            })
            .collect()
    }

    /// The profile truce reads from `file`.
    pub fn profile(&self, file: &str) -> &HProfile {
        self.profiles
            .iter()
            .find(|p| p.file == file)
            .unwrap_or_else(|| panic!("no profile {file}"))
    }

    /// The profiles in the domain's party order.
    pub fn in_party_order<'a>(&'a self, domain: &Domain) -> Vec<&'a HProfile> {
        assert_eq!(domain.parties.len(), self.profiles.len());
        domain
            .parties
            .iter()
            .map(|p| self.profile(&p.file))
            .collect()
    }
}

/// A vendored hyper domain read by truce, and its analysis (default
/// options: exact search, dominance tolerance 1e-9).
pub fn analysed(name: &str) -> (Domain, Analysis) {
    let files = files_of(&hyper_domains().join(name));
    let domain =
        read_domain(&files, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let a = analyze(&domain, &AnalyzeOptions::default());
    (domain, a)
}

/// The distinct utility vectors of an analysis' frontier.
pub fn frontier_points(a: &Analysis) -> Vec<Vec<f64>> {
    let mut points: Vec<Vec<f64>> = a.pareto.iter().map(|p| p.utilities.clone()).collect();
    points.dedup();
    points
}

/// `q` dominates `p` within `tol`: at least as good minus `tol` for every
/// party and better by more than `tol` for one.
fn dominates(q: &[f64], p: &[f64], tol: f64) -> bool {
    q.iter().zip(p).all(|(x, y)| *x >= y - tol) && q.iter().zip(p).any(|(x, y)| *x > y + tol)
}

/// GENIUS's `pareto.xml` (plain lines `u1, u2`, single precision).
fn genius_pareto(dir: &Path) -> Vec<Vec<f64>> {
    std::fs::read_to_string(dir.join("pareto.xml"))
        .expect("pareto.xml")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|x| x.trim().parse().expect("number"))
                .collect()
        })
        .collect()
}

#[test]
fn large_hyper_domains_have_exact_genius_frontiers() {
    for name in HYPER_DOMAINS {
        let dir = hyper_domains().join(name);
        let space = read_space(&dir);
        let (domain, a) = analysed(name);
        let profiles = space.in_party_order(&domain);
        assert!(a.exact, "{name}: {}", a.method);
        assert!(a.unexamined_gap.is_none(), "{name}");
        assert!(
            a.pareto_complete || a.pareto.len() >= a.pareto_points,
            "{name}"
        );

        // Every listed outcome's utilities are GENIUS's, and its
        // rationality follows the profiles' reservation values.
        for p in &a.pareto {
            let o = space.outcome(&a.issues, &p.outcome);
            let want: Vec<f64> = profiles.iter().map(|h| h.utility(&o)).collect();
            assert!(
                want.iter()
                    .zip(&p.utilities)
                    .all(|(x, y)| (x - y).abs() <= 1e-12),
                "{name}: {:?} is worth {want:?}, reported {:?}",
                p.outcome,
                p.utilities
            );
            let rational = want.iter().zip(&profiles).all(|(u, h)| *u >= h.reservation);
            assert_eq!(p.rational, rational, "{name}: {:?}", p.outcome);
        }
        assert_eq!(
            a.reservation,
            profiles.iter().map(|h| h.reservation).collect::<Vec<_>>(),
            "{name}"
        );

        // No point is dominated by another within the tolerance.
        let points = frontier_points(&a);
        assert_eq!(points.len(), a.pareto_points, "{name}");
        for p in &points {
            for q in &points {
                assert!(
                    !dominates(q, p, a.tolerance),
                    "{name}: {q:?} dominates {p:?}"
                );
            }
        }

        // GENIUS's own reference frontier (found without enumeration) is
        // weakly dominated: every one of its points has a frontier point at
        // least as good for both (within its single precision).
        for g in genius_pareto(&dir) {
            assert!(
                points
                    .iter()
                    .any(|p| p.iter().zip(&g).all(|(x, y)| *x >= y - 1e-6)),
                "{name}: GENIUS's {g:?} is better than the frontier"
            );
        }

        // The solutions are frontier points, recomputed from their outcomes.
        for s in [&a.nash, &a.kalai, &a.kalai_maxmin, &a.max_welfare]
            .into_iter()
            .flatten()
        {
            let o = space.outcome(&a.issues, &s.outcome);
            let want: Vec<f64> = profiles.iter().map(|h| h.utility(&o)).collect();
            assert!(
                points.contains(&want),
                "{name}: {want:?} is not on the frontier"
            );
            assert_eq!(s.utilities, want, "{name}");
        }
        // The best utility of each party is its frontier extreme.
        for (k, range) in a.utility_ranges.iter().enumerate() {
            let best = points
                .iter()
                .map(|p| p[k])
                .fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(range[1], best, "{name} party {k}");
        }
    }
}
