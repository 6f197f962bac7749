//! Tournaments and repeated sessions (placeholder until the next commit).
use crate::error::SessionError;
use crate::session::{Session, SessionOptions, run_prepared};
use crate::space::Prepared;
use truce_negotiate::Domain;

/// Options of a tournament.
#[derive(Debug, Clone, Default)]
pub struct TournamentOptions;
/// Tournament results.
#[derive(Debug, Clone, Default)]
pub struct TournamentResults;
/// Runs a tournament.
pub fn run_tournament(
    _opts: &TournamentOptions,
    _progress: &dyn Fn(usize, usize),
) -> Result<TournamentResults, SessionError> {
    Ok(TournamentResults)
}

/// K sessions on one domain and their throughput.
#[derive(Debug, Clone)]
pub struct Repeated {
    /// The first session.
    pub session: Session,
    /// Sessions run.
    pub repeat: usize,
    /// Negotiations per second, measured with the caller's clock.
    pub negotiations_per_second: f64,
}

/// Runs `repeat` sessions (seeds `seed`, `seed + 1`, …) and measures their
/// throughput with `clock` (seconds, any origin).
pub fn run_repeated(
    domain: &Domain,
    opts: &SessionOptions,
    repeat: usize,
    clock: &dyn Fn() -> f64,
) -> Result<Repeated, SessionError> {
    let prepared = Prepared::new(domain)?;
    let session = run_prepared(domain, &prepared, opts, None)?;
    let start = clock();
    for k in 0..repeat {
        let o = SessionOptions {
            seed: opts.seed.wrapping_add(k as u64),
            ..opts.clone()
        };
        let _ = crate::session::run_raw(&prepared, &o, None)?;
    }
    let secs = clock() - start;
    Ok(Repeated {
        session,
        repeat,
        negotiations_per_second: if secs > 0.0 {
            repeat as f64 / secs
        } else {
            f64::INFINITY
        },
    })
}
