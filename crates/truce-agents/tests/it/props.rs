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

/// Two-party domains of up to a few thousand outcomes whose values are
/// multiples of 0.125, so that many outcomes tie in one party's utility.
fn arb_tied_domain() -> impl Strategy<Value = Domain> {
    prop::collection::vec(1usize..9, 2..5).prop_flat_map(|sizes| {
        let party = sizes
            .iter()
            .map(|&n| prop::collection::vec((0u8..9).prop_map(|k| f64::from(k) * 0.125), n))
            .collect::<Vec<_>>();
        (party.clone(), party).prop_map(|(a, b)| domain(vec![a, b], vec![0.0, 0.0]))
    })
}

proptest! {
    /// The agreement's distance to the frontier is the distance to the
    /// nearest point that no outcome of strictly higher first utility
    /// matches or beats on the second: checked by brute force over every
    /// outcome.
    #[test]
    fn frontier_distance_is_the_brute_force_one(
        d in arb_tied_domain(),
        rounds in 2u32..60,
        seed in any::<u64>(),
    ) {
        let opts = SessionOptions {
            agents: vec![AgentKind::Conceder, AgentKind::Linear],
            rounds,
            seed,
            ..SessionOptions::default()
        };
        let s = run_session(&d, &opts).unwrap();
        let Some(assessment) = &s.assessment else {
            return Ok(());
        };
        let sizes: Vec<usize> = d.issues.iter().map(|i| i.values.len()).collect();
        let mut points = Vec::new();
        let mut values = vec![0usize; sizes.len()];
        loop {
            let u = d.utilities(&values);
            points.push((u[0], u[1]));
            // Next outcome, last issue fastest.
            let mut k = sizes.len();
            loop {
                if k == 0 {
                    break;
                }
                k -= 1;
                values[k] += 1;
                if values[k] < sizes[k] {
                    break;
                }
                values[k] = 0;
            }
            if values.iter().all(|&v| v == 0) {
                break;
            }
        }
        let at = (s.utilities[0], s.utilities[1]);
        let nearest = points
            .iter()
            .map(|&(a, _)| {
                let g = points.iter().filter(|p| p.0 == a).map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
                (a, g)
            })
            .filter(|&(a, g)| !points.iter().any(|p| p.0 > a && p.1 >= g))
            .map(|(a, g)| ((a - at.0).powi(2) + (g - at.1).powi(2)).sqrt())
            .fold(f64::INFINITY, f64::min);
        prop_assert_eq!(assessment.distance_to_frontier, Some(nearest));
    }
}
