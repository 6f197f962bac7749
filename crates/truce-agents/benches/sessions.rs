//! Session throughput against NegMAS's `bench_sao.py` (AspirationNegotiator
//! vs BoulwareTBNegotiator, 100 rounds) and a Travel tournament for memory.
//! Numbers, commands and the machine: `BENCH-NOTES.md`.

use truce_agents::{
    AgentKind, Prepared, SessionOptions, TournamentOptions, run_outcome, run_prepared, run_session,
    run_tournament,
};
use truce_negotiate::{Domain, Reading};

fn load(name: &str) -> Domain {
    truce_test_support::domains::load(name, Reading::Raw)
}

fn opts() -> SessionOptions {
    SessionOptions {
        agents: vec![AgentKind::Aspiration, AgentKind::Boulware],
        rounds: 100,
        seed: 20240607,
        ..SessionOptions::default()
    }
}

/// A session with its trace named (values as strings), as `truce negotiate`
/// prints it.
#[divan::bench(args = ["Grocery", "anl2023-domain00", "Travel"])]
fn session_named(bencher: divan::Bencher, name: &str) {
    let domain = load(name);
    let prepared = Prepared::whole(&domain).expect("prepare");
    let opts = opts();
    bencher.bench(|| run_prepared(&domain, &prepared, &opts, None).expect("session"));
}

/// Sessions on a domain read and sorted once (what `--repeat` and
/// tournaments do).
#[divan::bench(args = ["Grocery", "anl2023-domain00", "Travel"])]
fn session(bencher: divan::Bencher, name: &str) {
    let domain = load(name);
    let prepared = Prepared::whole(&domain).expect("prepare");
    let opts = opts();
    bencher.bench(|| run_outcome(&prepared, &opts).expect("session"));
}

/// A session including enumerating and sorting both parties' outcomes (what
/// NegMAS does for every negotiation in `bench_sao.py`).
#[divan::bench(args = ["Grocery", "anl2023-domain00", "Travel"], sample_count = 20)]
fn session_cold(bencher: divan::Bencher, name: &str) {
    let domain = load(name);
    let opts = opts();
    bencher.bench(|| run_session(&domain, &opts).expect("session"));
}

/// As `session_cold`, with outcome numbers instead of a named, assessed
/// session: preparing the domain and negotiating, the work NegMAS's
/// `bench_sao.py` times (its trace holds the outcome tuples it already has).
#[divan::bench(args = ["Grocery", "anl2023-domain00", "Travel"], sample_count = 20)]
fn session_cold_outcome(bencher: divan::Bencher, name: &str) {
    let domain = load(name);
    let opts = opts();
    bencher.bench(|| {
        let prepared = Prepared::new(&domain).expect("prepare");
        run_outcome(&prepared, &opts).expect("session")
    });
}

/// Every ordered pairing of the seven agents on Travel, once, on two threads.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn tournament_travel(bencher: divan::Bencher) {
    let domain = load("Travel");
    bencher.bench(|| {
        let opts = TournamentOptions {
            domains: vec![domain.clone()],
            agents: AgentKind::ALL.to_vec(),
            repetitions: 1,
            rounds: 100,
            seed: 1,
            threads: 2,
            ..TournamentOptions::default()
        };
        run_tournament(&opts, &|_, _| {}).expect("tournament")
    });
}

fn main() {
    divan::main();
}
