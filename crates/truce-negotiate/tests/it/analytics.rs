//! Analytics against the NegMAS baselines, the ANL 2023 organisers'
//! `specials.json` and GENIUS's own `pareto.xml`.

use truce_negotiate::{AnalyzeOptions, Disagreement, Point, Reading, analyze};

use crate::common::{baseline, domain_names, domains, floats, load, reading_for};

const TOL: f64 = 1e-9;

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= TOL)
}

fn in_list(p: Option<&Point>, list: &serde_json::Value) -> bool {
    let Some(p) = p else {
        return list.as_array().is_some_and(Vec::is_empty);
    };
    list.as_array()
        .expect("list")
        .iter()
        .any(|x| close(&p.utilities, &floats(&x["utilities"])))
}

fn sorted(mut v: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    v.sort_by(|a, b| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    v
}

/// One check per (domain, variant): frontier, Nash, max welfare, max-min
/// Kalai, opposition and ranges equal NegMAS's with NegMAS's disagreement
/// point.
fn check(name: &str, variant: &str, reading: Reading, b: &serde_json::Value) {
    let domain = load(name, reading);
    // NegMAS compares utilities exactly and lists every outcome.
    let opts = AnalyzeOptions {
        disagreement: Disagreement::ReservationOrWorst,
        tolerance: 0.0,
        list_ties: true,
        ..AnalyzeOptions::default()
    };
    let a = analyze(&domain, &opts);
    let v = &b["variants"][variant];
    assert_eq!(a.outcomes, b["n_outcomes"].as_u64().unwrap() as u128);
    assert!(a.exact && a.pareto_complete, "{name}");
    // NegMAS drops irrational outcomes before taking the frontier and keeps
    // one outcome per utility vector.
    let mut ours: Vec<Vec<f64>> = a
        .pareto
        .iter()
        .filter(|p| p.rational)
        .map(|p| p.utilities.clone())
        .collect();
    ours.dedup();
    let ours = sorted(ours);
    let theirs = sorted(
        v["pareto"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| floats(&p["utilities"]))
            .collect(),
    );
    assert_eq!(ours.len(), theirs.len(), "{name}/{variant} frontier size");
    for (x, y) in ours.iter().zip(&theirs) {
        assert!(close(x, y), "{name}/{variant} frontier {x:?} vs {y:?}");
    }
    assert!(
        in_list(a.nash.as_ref(), &v["nash"]),
        "{name}/{variant} nash {:?}",
        a.nash
    );
    assert!(
        in_list(a.max_welfare.as_ref(), &v["max_welfare"]),
        "{name}/{variant} max welfare {:?}",
        a.max_welfare
    );
    assert!(
        in_list(a.kalai_maxmin.as_ref(), &v["kalai"]),
        "{name}/{variant} kalai {:?}",
        a.kalai_maxmin
    );
    let ranges: Vec<Vec<f64>> = a.utility_ranges.iter().map(|r| r.to_vec()).collect();
    for (x, y) in ranges.iter().zip(v["utility_ranges"].as_array().unwrap()) {
        assert!(close(x, &floats(y)), "{name}/{variant} range {x:?} vs {y}");
    }
    let opp = v["opposition_level"].as_f64().unwrap();
    assert!(
        (a.opposition.unwrap() - opp).abs() <= TOL,
        "{name}/{variant} opposition {:?} vs {opp}",
        a.opposition
    );
}

#[test]
fn frontier_and_solutions_equal_negmas_baselines() {
    let mut checked = 0;
    for name in domain_names() {
        let Some(b) = baseline(&name) else { continue };
        for variant in b["variants"].as_object().unwrap().keys() {
            if let Some(reading) = reading_for(&name, variant) {
                check(&name, variant, reading, &b);
                checked += 1;
            }
        }
    }
    // Laptop's `genius` variant renormalised the weights (see common.rs).
    assert_eq!(checked, 33);
}

#[test]
fn kalai_and_solutions_equal_anl_specials() {
    for name in ["anl2023-domain00", "anl2023-domain01", "anl2023-domain09"] {
        let text = std::fs::read_to_string(domains().join(name).join("specials.json")).unwrap();
        let s: serde_json::Value = serde_json::from_str(&text).unwrap();
        let a = analyze(&load(name, Reading::Genius), &AnalyzeOptions::default());
        let u = |p: &Option<Point>| p.as_ref().unwrap().utilities.clone();
        assert!(
            close(&u(&a.kalai), &floats(&s["kalai"]["utility"])),
            "{name} kalai"
        );
        assert!(
            close(&u(&a.nash), &floats(&s["nash"]["utility"])),
            "{name} nash"
        );
        assert!(
            close(&u(&a.max_welfare), &floats(&s["social_welfare"]["utility"])),
            "{name} welfare"
        );
        let front = s["pareto_front"].as_array().unwrap();
        assert_eq!(a.pareto_points, front.len(), "{name}");
    }
}

#[test]
fn hyper_rectangle_frontier_equals_genius_pareto_xml() {
    let a = analyze(
        &load("10issues", Reading::Genius),
        &AnalyzeOptions::default(),
    );
    assert!(a.exact);
    let text = std::fs::read_to_string(domains().join("10issues/pareto.xml")).unwrap();
    let genius: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|x| x.trim().parse().unwrap()).collect())
        .collect();
    let ours: Vec<Vec<f64>> = {
        let mut v: Vec<Vec<f64>> = a.pareto.iter().map(|p| p.utilities.clone()).collect();
        v.dedup();
        v
    };
    // pareto.xml holds single-precision numbers.
    assert_eq!(ours.len(), genius.len(), "{ours:?}");
    for (x, y) in sorted(ours).iter().zip(&sorted(genius)) {
        assert!(
            x.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-6),
            "{x:?} vs {y:?}"
        );
    }
}
