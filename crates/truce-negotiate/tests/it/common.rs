//! Shared fixtures: the vendored negotiation domains and NegMAS baselines
//! (`truce-test-support`, shared with truce-agents' tests).

use truce_negotiate::Reading;
pub use truce_test_support::domains::{
    baselines, domain_names, domains, files_of, load, values_of,
};

/// The NegMAS baseline of a domain, if there is one.
pub fn baseline(name: &str) -> Option<serde_json::Value> {
    let path = baselines().join(format!("analytics-{name}.json"));
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).expect("baseline json"))
}

pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Our reading that corresponds to a baseline variant, or `None` when NegMAS
/// computes that variant differently from GENIUS on purpose-less grounds
/// (documented in BENCH-NOTES.md "Known differences").
pub fn reading_for(domain: &str, variant: &str) -> Option<Reading> {
    match variant {
        // The baselines' `genius` variant renormalised Laptop's weights
        // (1.0000518) to sum 1, which GENIUS 10.4 does not do when it loads a
        // file; `genius_oracle.rs` recomputes Laptop from GENIUS's
        // definitions instead (testdata/negotiation-baselines/README.md).
        "genius" if domain == "Laptop" => None,
        "genius" | "as_loaded" => Some(Reading::Genius),
        // NegMAS evaluates GENIUS integer issues as slope*v+offset, ignoring
        // the lower bound GENIUS counts from.
        "negmas_raw" if domain == "IntegerDomain" => None,
        "negmas_raw" => Some(Reading::Raw),
        _ => None,
    }
}
