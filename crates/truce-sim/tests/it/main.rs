//! truce-sim's integration tests: one binary, modules by feature.

mod fixtures;
mod replays;
mod risk_file;
mod robust;
mod stats;
mod terms;
