//! Sessions per second with the domain prepared in every session, in wall
//! and CPU time (the CPU time is the figure to compare on a shared machine):
//! `cargo run --release -p truce-agents --example cold_sessions -- SECONDS
//! [--agents A,B] [--only named|outcome] [--prepare new|top-down|whole] DOMAIN...` (domains from
//! `testdata/negotiation-domains`).
//! Aspiration vs Boulware unless `--agents` names others, 100 rounds, as
//! NegMAS's `bench_sao.py` times them.

use std::time::Instant;

use truce_agents::{AgentKind, Prepared, SessionOptions, run_outcome, run_session};
use truce_negotiate::Reading;

/// This process's user + system CPU time in seconds (Linux
/// `/proc/self/stat`, clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 12th and 13th of them.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let mut args = args.peekable();
    let mut agents = vec![AgentKind::Aspiration, AgentKind::Boulware];
    if args.peek().map(String::as_str) == Some("--agents") {
        args.next();
        let list = args.next().unwrap_or_default();
        agents = truce_agents::parse_agents(&list).expect("agents");
    }
    let mut modes = vec!["named", "outcome"];
    if args.peek().map(String::as_str) == Some("--only") {
        args.next();
        let only = args.next().unwrap_or_default();
        modes.retain(|m| *m == only);
    }
    let mut prepare: fn(&truce_negotiate::Domain) -> Result<Prepared, truce_agents::SessionError> =
        Prepared::new;
    if args.peek().map(String::as_str) == Some("--prepare") {
        args.next();
        prepare = match args.next().unwrap_or_default().as_str() {
            "top-down" => Prepared::top_down,
            "whole" => Prepared::whole,
            _ => Prepared::new,
        };
    }
    let opts = SessionOptions {
        agents,
        rounds: 100,
        seed: 20240607,
        ..SessionOptions::default()
    };
    println!("domain            mode      sessions   wall/s     cpu/s   cpu ms/session");
    for name in args {
        let domain = truce_test_support::domains::load(&name, Reading::Raw);
        for &mode in &modes {
            let (wall0, cpu0) = (Instant::now(), cpu_seconds());
            let mut n = 0u64;
            while wall0.elapsed().as_secs_f64() < seconds {
                match mode {
                    "named" => {
                        std::hint::black_box(run_session(&domain, &opts).expect("session"));
                    }
                    _ => {
                        let prepared = prepare(&domain).expect("prepare");
                        std::hint::black_box(run_outcome(&prepared, &opts).expect("session"));
                    }
                }
                n += 1;
            }
            let wall = wall0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu0;
            println!(
                "{name:17} {mode:8} {n:9} {:9.0} {:9.0} {:14.4}",
                n as f64 / wall,
                n as f64 / cpu.max(0.01),
                1e3 * cpu / n as f64
            );
        }
    }
}
