//! The one integration-test binary of truce-negotiate.

mod analytics;
mod common;
mod dynamics;
mod errors;
mod export;
mod genius_oracle;
mod hyper;
#[cfg(feature = "highs")]
mod hyper_milp;
mod props;
mod readers;
mod render;
