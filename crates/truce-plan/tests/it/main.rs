//! Integration tests of truce-plan: hand-derived optima, the independent
//! checker on planner plans and on mutated ones, and property tests.

mod brute;
mod checker;
mod deals;
mod deferred;
mod infeasible;
#[cfg(feature = "highs")]
mod mip;
mod optimum;
mod props;
mod render;
mod replan;
mod routes;
mod terms;
mod written;
