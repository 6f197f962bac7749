//! The one integration-test binary of truce-negotiate.

mod analytics;
mod common;
mod errors;
mod props;
mod readers;
mod render;
