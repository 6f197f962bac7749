//! Shared fixtures: the vendored negotiation domains and NegMAS baselines
//! (`truce-test-support`, shared with truce-negotiate's tests).

pub use truce_test_support::domains::{baselines, load, values_of};
