//! The one integration-test binary of truce-agents.

mod baselines;
mod common;
