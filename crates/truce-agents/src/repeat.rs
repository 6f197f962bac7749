//! `--repeat K`: many sessions on one domain and their throughput, timed
//! with the caller's clock (this crate reads none).

use serde::Serialize;
use truce_negotiate::Domain;

use crate::error::SessionError;
use crate::session::{Session, SessionOptions, run_prepared, run_raw};
use crate::space::Prepared;

/// `--repeat K`: the first session in full and the throughput of K sessions.
#[derive(Debug, Clone, Serialize)]
pub struct Repeated {
    /// The first session (seed `seed`).
    #[serde(flatten)]
    pub session: Session,
    /// Sessions timed.
    pub repeat: usize,
    /// Sessions per second over the timed loop (domain preparation excluded:
    /// it is done once, before the clock starts).
    pub negotiations_per_second: f64,
}

/// Runs `repeat` sessions with seeds `seed`, `seed + 1`, … on a domain
/// prepared once, timing the loop with `clock` (seconds from any origin; the
/// CLI passes `Instant`-based time, tests a fake).
pub fn run_repeated(
    domain: &Domain,
    opts: &SessionOptions,
    repeat: usize,
    clock: &dyn Fn() -> f64,
) -> Result<Repeated, SessionError> {
    let prepared = Prepared::whole(domain)?;
    let session = run_prepared(domain, &prepared, opts, None)?;
    let start = clock();
    for k in 0..repeat {
        let o = SessionOptions {
            seed: opts.seed.wrapping_add(k as u64),
            ..opts.clone()
        };
        run_raw(&prepared, &o, None)?;
    }
    let seconds = clock() - start;
    Ok(Repeated {
        session,
        repeat,
        negotiations_per_second: if seconds > 0.0 {
            repeat as f64 / seconds
        } else {
            f64::INFINITY
        },
    })
}
