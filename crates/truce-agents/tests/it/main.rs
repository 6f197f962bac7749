//! The one integration-test binary of truce-agents.

mod baselines;
mod common;
mod mediators;
mod privacy;
mod props;
mod render;
mod sessions;
mod tournament;
