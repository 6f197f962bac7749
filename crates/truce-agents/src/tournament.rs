//! Tournaments: every ordered pairing of agents on every domain, repeated,
//! run in parallel and reported per session (CSV) and per agent (summary).
//!
//! Determinism: session `(domain d, pairing p, repetition r)` runs with the
//! seed `mix(mix(mix(seed, d), p), r)` and its row is stored at its own index,
//! so the results are the same for any thread count and any scheduling.
//! Threads are `std::thread::scope` workers taking the next session index from
//! an atomic counter: no dependency, and each domain's [`Prepared`] tables are
//! shared read-only between them (one copy per domain, whatever the thread
//! count, which keeps a Travel tournament small).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use serde::Serialize;
use truce_negotiate::{AnalyzeOptions, Domain, analyze};

use crate::agents::AgentKind;
use crate::error::SessionError;
use crate::seed::mix;
use crate::session::{Protocol, SessionOptions, run_raw};
use crate::space::Prepared;

/// Options of a tournament.
#[derive(Debug, Clone)]
pub struct TournamentOptions {
    /// The domains (two parties each), read by the caller.
    pub domains: Vec<Domain>,
    /// The agents; every ordered pair of distinct agents plays (an agent
    /// alone plays itself).
    pub agents: Vec<AgentKind>,
    /// Sessions per pairing and domain.
    pub repetitions: u32,
    /// Round limit of each session.
    pub rounds: u32,
    /// Protocol of every session.
    pub protocol: Protocol,
    /// Tournament seed.
    pub seed: u64,
    /// Worker threads; 0 uses every core.
    pub threads: usize,
    /// Single-text: the mediator of every session.
    pub mediator: crate::MediatorKind,
}

impl Default for TournamentOptions {
    fn default() -> Self {
        Self {
            domains: Vec::new(),
            agents: AgentKind::ALL.to_vec(),
            repetitions: 1,
            rounds: 100,
            protocol: Protocol::Sao,
            seed: 0,
            threads: 0,
            mediator: crate::MediatorKind::default(),
        }
    }
}

/// One session of a tournament.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TournamentRow {
    /// Domain name.
    pub domain: String,
    /// Agent of the first party (it opens).
    pub first: AgentKind,
    /// Agent of the second party.
    pub second: AgentKind,
    /// Repetition, from 0.
    pub repetition: u32,
    /// The session's seed.
    pub seed: u64,
    /// Whether the session ended in agreement.
    pub agreed: bool,
    /// Rounds used.
    pub rounds: u32,
    /// First party's utility (its reservation value without agreement).
    pub utility_first: f64,
    /// Second party's utility.
    pub utility_second: f64,
    /// Sum of the two utilities.
    pub welfare: f64,
    /// Euclidean distance in utility space to the nearest Pareto-frontier
    /// point (GENIUS definition).
    pub pareto_distance: f64,
    /// Euclidean distance to the Nash point (disagreement: reservations).
    pub nash_distance: f64,
}

/// Per-agent aggregates over every session it played, in either role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentSummary {
    /// The agent.
    pub agent: AgentKind,
    /// Sessions played.
    pub sessions: usize,
    /// Share of sessions that ended in agreement.
    pub agreement_rate: f64,
    /// Mean of the agent's own utility.
    pub mean_utility: f64,
    /// Mean distance to the Pareto frontier.
    pub mean_pareto_distance: f64,
    /// Mean distance to the Nash point.
    pub mean_nash_distance: f64,
    /// Mean welfare (sum of both utilities).
    pub mean_welfare: f64,
}

/// Every session and the per-agent summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TournamentResults {
    /// One row per session, ordered by domain, pairing, repetition.
    pub rows: Vec<TournamentRow>,
    /// One line per agent, in the order agents were given.
    pub summary: Vec<AgentSummary>,
}

/// What a worker needs to know about one domain.
struct Arena {
    domain: String,
    prepared: Prepared,
    frontier: Vec<[f64; 2]>,
    nash: Option<[f64; 2]>,
}

fn pairings(agents: &[AgentKind]) -> Vec<(AgentKind, AgentKind)> {
    if agents.len() == 1 {
        return vec![(agents[0], agents[0])];
    }
    let mut out = Vec::new();
    for &a in agents {
        for &b in agents {
            if a != b {
                out.push((a, b));
            }
        }
    }
    out
}

/// Runs a tournament. `progress(done, total)` is called on the calling
/// thread after every finished session.
pub fn run_tournament(
    opts: &TournamentOptions,
    progress: &dyn Fn(usize, usize),
) -> Result<TournamentResults, SessionError> {
    if opts.domains.is_empty() || opts.agents.is_empty() {
        return Err(SessionError::EmptyTournament);
    }
    let mut agents: Vec<AgentKind> = Vec::with_capacity(opts.agents.len());
    for &a in &opts.agents {
        if !agents.contains(&a) {
            agents.push(a);
        }
    }
    let pairs = pairings(&agents);
    let mut arenas = Vec::with_capacity(opts.domains.len());
    for domain in &opts.domains {
        if domain.parties.len() != 2 {
            return Err(SessionError::NotBilateral {
                domain: domain.name.clone(),
                parties: domain.parties.len(),
            });
        }
        let prepared = Prepared::whole(domain)?;
        let analysis = analyze(domain, &AnalyzeOptions::default());
        let point = |u: &[f64]| {
            [
                u.first().copied().unwrap_or(0.0),
                u.get(1).copied().unwrap_or(0.0),
            ]
        };
        arenas.push(Arena {
            domain: domain.name.clone(),
            prepared,
            frontier: analysis
                .pareto
                .iter()
                .map(|f| point(&f.utilities))
                .collect(),
            nash: analysis.nash.as_ref().map(|p| point(&p.utilities)),
        });
    }
    let reps = opts.repetitions.max(1) as usize;
    let total = arenas.len() * pairs.len() * reps;
    let job = |index: usize| -> Result<TournamentRow, SessionError> {
        let d = index / (pairs.len() * reps);
        let p = (index / reps) % pairs.len();
        let r = index % reps;
        let arena = &arenas[d];
        let (first, second) = pairs[p];
        let seed = mix(mix(mix(opts.seed, d as u64), p as u64), r as u64);
        let session_opts = SessionOptions {
            agents: vec![first, second],
            protocol: opts.protocol,
            rounds: opts.rounds,
            time_limit: None,
            seed,
            mediator: opts.mediator,
        };
        let (raw, _) = run_raw(&arena.prepared, &session_opts, None)?;
        let u = match raw.agreement {
            Some(id) => arena.prepared.utilities(id),
            None => arena.prepared.reservations.clone(),
        };
        let point = [u[0], u[1]];
        let dist =
            |a: [f64; 2], b: [f64; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
        Ok(TournamentRow {
            domain: arena.domain.clone(),
            first,
            second,
            repetition: r as u32,
            seed,
            agreed: raw.agreement.is_some(),
            rounds: raw.rounds,
            utility_first: point[0],
            utility_second: point[1],
            welfare: point[0] + point[1],
            pareto_distance: arena
                .frontier
                .iter()
                .map(|&f| dist(point, f))
                .fold(f64::INFINITY, f64::min),
            nash_distance: arena.nash.map_or(f64::NAN, |n| dist(point, n)),
        })
    };
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .min(total.max(1));
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<TournamentRow>> = vec![None; total];
    let mut first_error = None;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, job) = (&next, &job);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= total {
                        break;
                    }
                    if tx.send((index, job(index))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (done, (index, row)) in rx.into_iter().enumerate() {
            match row {
                Ok(row) => slots[index] = Some(row),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
            progress(done + 1, total);
        }
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    let rows: Vec<TournamentRow> = slots.into_iter().flatten().collect();
    let summary = agents.iter().map(|&a| summarise(a, &rows)).collect();
    Ok(TournamentResults { rows, summary })
}

fn summarise(agent: AgentKind, rows: &[TournamentRow]) -> AgentSummary {
    let mut n = 0usize;
    let (mut agreed, mut utility, mut pareto, mut nash, mut welfare) = (0usize, 0.0, 0.0, 0.0, 0.0);
    for row in rows {
        // Self-play counts once, with the first party's utility.
        let own = if row.first == agent {
            row.utility_first
        } else if row.second == agent {
            row.utility_second
        } else {
            continue;
        };
        n += 1;
        agreed += usize::from(row.agreed);
        utility += own;
        pareto += row.pareto_distance;
        nash += row.nash_distance;
        welfare += row.welfare;
    }
    let mean = |x: f64| if n == 0 { f64::NAN } else { x / n as f64 };
    AgentSummary {
        agent,
        sessions: n,
        agreement_rate: mean(agreed as f64),
        mean_utility: mean(utility),
        mean_pareto_distance: mean(pareto),
        mean_nash_distance: mean(nash),
        mean_welfare: mean(welfare),
    }
}

impl TournamentResults {
    /// One CSV line per session, with a header.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        for row in &self.rows {
            // Serialising plain numbers and names into memory cannot fail.
            let _ = w.serialize(row);
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The per-agent summary as a text table.
    pub fn render_summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<12} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "agent", "sessions", "agreement", "utility", "pareto-d", "nash-d", "welfare"
        );
        for s in &self.summary {
            let _ = writeln!(
                out,
                "{:<12} {:>8} {:>8.1}% {:>9.4} {:>9.4} {:>9.4} {:>9.4}",
                s.agent.name(),
                s.sessions,
                100.0 * s.agreement_rate,
                s.mean_utility,
                s.mean_pareto_distance,
                s.mean_nash_distance,
                s.mean_welfare
            );
        }
        let _ = writeln!(out, "{} sessions", self.rows.len());
        out
    }
}
