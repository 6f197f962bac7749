//! Properties: individual rationality of every agreement, and no panic on
//! random domains, agents, reservations and deadlines.

use proptest::prelude::*;
use truce_agents::{AgentKind, Protocol, SessionOptions, run_session};
use truce_negotiate::{Additive, Domain, Format, Utility};

fn domain(tables: Vec<Vec<Vec<f64>>>, reservations: Vec<f64>) -> Domain {
    let sizes: Vec<usize> = tables[0].iter().map(Vec::len).collect();
    let parties = tables
        .into_iter()
        .map(|t| Utility::Additive(Additive::new(t)))
        .zip(reservations)
        .collect();
    truce_test_support::domains::synthetic(Format::GeniusWebJson, &sizes, parties)
}

fn arb_domain() -> impl Strategy<Value = Domain> {
    prop::collection::vec(1usize..5, 1..4).prop_flat_map(|sizes| {
        let party = sizes
            .iter()
            .map(|&n| prop::collection::vec(0.0f64..1.0, n))
            .collect::<Vec<_>>();
        (party.clone(), party, (-0.2f64..1.5), (-0.2f64..1.5))
            .prop_map(|(a, b, ra, rb)| domain(vec![a, b], vec![ra, rb]))
    })
}

fn arb_agent() -> impl Strategy<Value = AgentKind> {
    prop::sample::select(AgentKind::ALL.to_vec())
}

/// NegMAS's `worst_in` written out literally over the whole sorted array
/// (`index_above_or_equal`, then `_nearest_around`'s argmin), restricted to
/// rational outcomes: the oracle for the binary-search version.
fn worst_in_oracle(sorted: &[(u32, f64)], lo: f64, hi: f64, floor: f64) -> Option<u32> {
    let first = sorted.iter().position(|&(_, u)| u >= floor)?;
    let i = (first..sorted.len())
        .find(|&k| sorted[k].1 >= lo)
        .unwrap_or(sorted.len() - 1);
    let mut best = i;
    let mut best_diff = (sorted[i].1 - lo).abs();
    for (k, &(_, u)) in sorted.iter().enumerate().skip(first) {
        let in_range = u >= lo - 1e-6 && u <= hi + 2e-6;
        if in_range && (u - lo).abs() < best_diff {
            best = k;
            best_diff = (u - lo).abs();
        }
    }
    Some(sorted[best].0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn worst_in_is_negmas_worst_in(
        d in arb_domain(),
        lo in -0.5f64..3.5,
        width in 0.0f64..1.0,
        floor in -0.5f64..2.0,
        snap in any::<bool>(),
    ) {
        let prepared = truce_agents::Prepared::new(&d).unwrap();
        for view in prepared.views() {
            let inv = view.inverse();
            let sorted: Vec<(u32, f64)> = (0..inv.len()).filter_map(|k| inv.at_rank(k)).collect();
            // Bounds just above an outcome's utility exercise the 1e-6 rule.
            let lo = if snap { sorted[sorted.len() / 2].1 + 5e-7 } else { lo };
            prop_assert_eq!(
                inv.worst_in(lo, lo + width, floor),
                worst_in_oracle(&sorted, lo, lo + width, floor)
            );
        }
    }

    #[test]
    fn agreements_are_individually_rational(
        d in arb_domain(),
        a in arb_agent(),
        b in arb_agent(),
        rounds in 1u32..40,
        seed in any::<u64>(),
        single_text in any::<bool>(),
    ) {
        let opts = SessionOptions {
            agents: vec![a, b],
            protocol: if single_text { Protocol::SingleText } else { Protocol::Sao },
            rounds,
            seed,
            ..SessionOptions::default()
        };
        let s = run_session(&d, &opts).unwrap();
        prop_assert!(s.rounds <= rounds);
        if s.agreement.is_some() {
            for (u, p) in s.utilities.iter().zip(&d.parties) {
                prop_assert!(*u >= p.reservation, "{u} < {}", p.reservation);
            }
        }
        if !single_text {
            // No agent ever offers below its own reservation value.
            for t in &s.trace {
                let k = s.parties.iter().position(|p| *p == t.proposer).unwrap();
                prop_assert!(t.utilities[k] >= d.parties[k].reservation);
            }
        }
    }
}
