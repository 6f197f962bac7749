//! Properties: individual rationality of every agreement, and no panic on
//! random domains, agents, reservations and deadlines.

use proptest::prelude::*;
use truce_agents::{AgentKind, Protocol, SessionOptions, run_session};
use truce_negotiate::{Additive, Domain, Format, Issue, Party, Reading, Utility};

fn domain(tables: Vec<Vec<Vec<f64>>>, reservations: Vec<f64>) -> Domain {
    let sizes: Vec<usize> = tables[0].iter().map(Vec::len).collect();
    Domain {
        name: "random".into(),
        format: Format::GeniusWebJson,
        reading: Reading::Genius,
        issues: sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| Issue {
                name: format!("i{i}"),
                values: (0..n).map(|v| v.to_string()).collect(),
            })
            .collect(),
        parties: tables
            .into_iter()
            .zip(reservations)
            .enumerate()
            .map(|(k, (t, r))| Party {
                name: format!("p{k}"),
                file: format!("p{k}.json"),
                utility: Utility::Additive(Additive { tables: t }),
                reservation: r,
                discount: None,
            })
            .collect(),
        ignored_files: vec![],
        notes: vec![],
    }
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

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
