use truce_agents::{AgentKind, Prepared, SessionOptions, run_outcome};
use truce_negotiate::Reading;
fn main() {
    for name in std::env::args().skip(1) {
        let domain = truce_test_support::domains::load(&name, Reading::Raw);
        let prepared = Prepared::new(&domain).expect("p");
        println!(
            "{name} sizes {:?} res {:?}",
            domain
                .issues
                .iter()
                .map(|i| i.values.len())
                .collect::<Vec<_>>(),
            domain
                .parties
                .iter()
                .map(|p| p.reservation)
                .collect::<Vec<_>>()
        );
        for p in &domain.parties {
            if let truce_negotiate::Utility::Additive(a) = &p.utility {
                println!(
                    "  ranges {:?}",
                    a.tables
                        .iter()
                        .map(|t| {
                            let mx = t.iter().cloned().fold(f64::MIN, f64::max);
                            let mn = t.iter().cloned().fold(f64::MAX, f64::min);
                            (mx - mn) / a.range().1.max(1e-9)
                        })
                        .map(|x| (x * 100.0).round() / 100.0)
                        .collect::<Vec<_>>()
                );
            }
        }
        for agents in [
            [AgentKind::Aspiration, AgentKind::Boulware],
            [AgentKind::Boulware, AgentKind::Conceder],
            [AgentKind::Aspiration, AgentKind::TitForTat],
        ] {
            let opts = SessionOptions {
                agents: agents.to_vec(),
                rounds: 100,
                seed: 1,
                ..SessionOptions::default()
            };
            let out = run_outcome(&prepared, &opts).expect("s");
            let n = prepared.space().len();
            let mut lowest = [f64::INFINITY; 2];
            for o in &out.offers {
                let u = prepared.utilities(o.outcome)[o.proposer];
                lowest[o.proposer] = lowest[o.proposer].min(u);
            }
            let mut frac = [0.0; 2];
            for p in 0..2 {
                let c = (0..n as u32)
                    .filter(|&id| prepared.utilities(id)[p] >= lowest[p] - 2e-6)
                    .count();
                frac[p] = c as f64 / n as f64;
            }
            println!(
                "{name:18} {agents:?} n={n} rounds={} offers={} frac_above={:.4} {:.4}",
                out.rounds,
                out.offers.len(),
                frac[0],
                frac[1]
            );
        }
    }
}
#[allow(dead_code)]
fn sizes() {}
