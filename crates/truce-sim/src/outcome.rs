//! What one run is asked for and what it ends with: a leaf both the engine
//! and the summary read.

/// How many runs, from which seed, on how many threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOptions {
    /// Runs per schedule (capped at [`MAX_RUNS`]).
    pub runs: u64,
    /// The seed every run's random streams derive from (see [`seed_key`](crate::seed_key)).
    pub seed: u64,
    /// Worker threads (at least 1; the result does not depend on it).
    pub threads: usize,
}

/// The most runs one simulation may ask for.
pub const MAX_RUNS: u64 = 1_000_000_000;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every planned person released.
    Completed,
    /// The deal collapsed (on `end_day`).
    Collapsed,
    /// The pause ran out with persons still to release.
    Expired,
}

/// One run's result (its `released` buffer is reused between runs).
#[derive(Debug, Clone)]
pub struct RunResult {
    /// How the run ended.
    pub ending: Ending,
    /// The day of the collapse, or the last day of the pause simulated.
    pub end_day: u32,
    /// The last day with a release (0 when none).
    pub days_used: u32,
    /// Exposure at the end × the schedule's scale.
    pub exposure_scaled: u64,
    /// Persons released per cell.
    pub released: Vec<u32>,
    /// Per resource flow of the schedule: the days of its plan on which
    /// the pause was in force (reached, not suspended) before the run
    /// ended; delivered = this × the flow's daily amount.
    pub flow_days: Vec<u32>,
}

impl RunResult {
    /// An empty result for `s`, to run into.
    pub(crate) fn empty(s: &crate::Schedule) -> RunResult {
        RunResult {
            ending: Ending::Completed,
            end_day: 0,
            days_used: 0,
            exposure_scaled: 0,
            released: vec![0; s.cells.len()],
            flow_days: vec![0; s.flows.len()],
        }
    }

    pub(crate) fn total(&self) -> u64 {
        self.released.iter().map(|&n| u64::from(n)).sum()
    }
}
