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
        // The queries go to an index no query has sorted yet (the agents'
        // case); the sorted order comes from another one.
        let prepared = truce_agents::Prepared::new(&d).unwrap();
        let reference = truce_agents::Prepared::new(&d).unwrap();
        for (view, of) in prepared.views().zip(reference.views()) {
            let (inv, of) = (view.inverse(), of.inverse());
            let sorted: Vec<(u32, f64)> = (0..of.len()).filter_map(|k| of.at_rank(k)).collect();
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

/// Every outcome's value indices in enumeration order (the first issue
/// varies slowest, as NegMAS enumerates).
fn enumerate(d: &Domain) -> Vec<Vec<usize>> {
    let sizes: Vec<usize> = d.issues.iter().map(|i| i.values.len()).collect();
    let mut all = vec![Vec::new()];
    for &size in &sizes {
        all = all
            .into_iter()
            .flat_map(|o: Vec<usize>| {
                (0..size).map(move |v| {
                    let mut o = o.clone();
                    o.push(v);
                    o
                })
            })
            .collect();
    }
    all
}

/// A time-based agent written out from NegMAS's definitions over one
/// party's fully sorted outcomes: the reference the indexed agents are held
/// to.
struct ReferenceAgent {
    sorted: Vec<(u32, f64)>,
    utility: Vec<f64>,
    reservation: f64,
    exponent: f64,
    eps: f64,
}

impl ReferenceAgent {
    fn new(d: &Domain, party: usize, kind: AgentKind) -> Self {
        let utility: Vec<f64> = enumerate(d)
            .iter()
            .map(|o| d.parties[party].utility.eval(o))
            .collect();
        let mut sorted: Vec<(u32, f64)> = utility
            .iter()
            .enumerate()
            .map(|(id, &u)| (id as u32, u))
            .collect();
        sorted.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
        let (exponent, eps) = match kind {
            AgentKind::Boulware => (4.0, 1e-4),
            AgentKind::Linear => (1.0, 1e-4),
            AgentKind::Conceder => (0.25, 1e-4),
            AgentKind::Aspiration => (4.0, 1e-3),
            _ => (f64::INFINITY, 1e-4),
        };
        Self {
            sorted,
            utility,
            reservation: d.parties[party].reservation,
            exponent,
            eps,
        }
    }

    fn band(&self, t: f64) -> (f64, f64) {
        let lo_u = self.sorted[0].1.max(self.reservation);
        let hi_u = self.sorted[self.sorted.len() - 1].1;
        let a = if self.exponent.is_infinite() {
            1.0
        } else {
            1.0 - t.powf(self.exponent)
        };
        let clamp = |x: f64| lo_u.max(hi_u.min(x));
        (
            clamp((hi_u - lo_u) * a + lo_u - self.eps),
            clamp((hi_u - lo_u) * 1.0 + lo_u + self.eps),
        )
    }

    fn accepts(&self, t: f64, o: u32) -> bool {
        if self.reservation > self.sorted[self.sorted.len() - 1].1 {
            return false;
        }
        let (lo, hi) = self.band(t);
        let u = self.utility[o as usize];
        lo <= u && u <= hi
    }

    fn propose(&self, t: f64) -> Option<u32> {
        let (lo, hi) = self.band(t);
        worst_in_oracle(&self.sorted, lo, hi, self.reservation)
    }
}

/// Stacked alternating offers between reference agents, as NegMAS's
/// `SAOMechanism` runs them: the offers as (proposer, outcome), the
/// agreement and the rounds used.
fn reference_sao(
    d: &Domain,
    kinds: &[AgentKind],
    rounds: u32,
) -> (Vec<(usize, u32)>, Option<u32>, u32) {
    let agents: Vec<ReferenceAgent> = kinds
        .iter()
        .enumerate()
        .map(|(p, &k)| ReferenceAgent::new(d, p, k))
        .collect();
    let mut offers = Vec::new();
    let mut table: Option<(usize, u32)> = None;
    let mut acceptances = 0;
    for round in 0..rounds {
        let t = f64::from(round + 1) / (f64::from(rounds) + 1.0);
        for (p, agent) in agents.iter().enumerate() {
            if table.is_some_and(|(by, _)| by == p) {
                acceptances = 0;
            }
            if let Some((_, o)) = table
                && agent.accepts(t, o)
            {
                acceptances += 1;
                if acceptances == agents.len() {
                    return (offers, Some(o), round + 1);
                }
                continue;
            }
            let Some(o) = agent.propose(t) else {
                return (offers, None, round + 1);
            };
            acceptances = 1;
            table = Some((p, o));
            offers.push((p, o));
        }
    }
    (offers, None, rounds)
}

/// Two-party domains of up to 4,096 outcomes, with ties (values on a grid
/// of eighths) or spread utilities, sometimes clipped at 1 (GENIUS), with
/// reservations anywhere.
fn arb_indexed_domain() -> impl Strategy<Value = Domain> {
    let value = prop_oneof![(0u8..9).prop_map(|k| f64::from(k) * 0.125), 0.0f64..1.0,];
    prop::collection::vec(1usize..9, 1..5).prop_flat_map(move |sizes| {
        let party = sizes
            .iter()
            .map(|&n| prop::collection::vec(value.clone(), n))
            .collect::<Vec<_>>();
        (
            party.clone(),
            party,
            -0.2f64..1.5,
            -0.2f64..1.5,
            any::<bool>(),
        )
            .prop_map(|(a, b, ra, rb, clip)| {
                let mut d = domain(vec![a, b], vec![ra, rb]);
                for p in &mut d.parties {
                    if let Utility::Additive(a) = &mut p.utility {
                        a.clip = clip;
                    }
                }
                d
            })
    })
}

fn time_based() -> impl Strategy<Value = AgentKind> {
    prop::sample::select(vec![
        AgentKind::Boulware,
        AgentKind::Linear,
        AgentKind::Conceder,
        AgentKind::Aspiration,
        AgentKind::Hardliner,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Sessions on a domain indexed from the top down (what `run_session`
    /// prepares from 1,024 outcomes up) offer and agree exactly as the
    /// literal reference agents over fully sorted outcomes do.
    #[test]
    fn top_down_sessions_follow_the_reference(
        d in arb_indexed_domain(),
        a in time_based(),
        b in time_based(),
        rounds in 1u32..120,
    ) {
        let opts = SessionOptions {
            agents: vec![a, b],
            rounds,
            ..SessionOptions::default()
        };
        let top_down = truce_agents::Prepared::top_down(&d).unwrap();
        let s = truce_agents::run_prepared(&d, &top_down, &opts, None).unwrap();
        prop_assert_eq!(&s, &run_session(&d, &opts).unwrap());
        let (offers, agreement, used) = reference_sao(&d, &[a, b], rounds);
        let all = enumerate(&d);
        let named = |o: u32| d.outcome_values(&all[o as usize]);
        let want: Vec<(String, Vec<String>)> = offers
            .iter()
            .map(|&(p, o)| (d.parties[p].name.clone(), named(o)))
            .collect();
        let got: Vec<(String, Vec<String>)> = s
            .trace
            .iter()
            .map(|t| (t.proposer.to_string(), t.offer.values()))
            .collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(s.agreement, agreement.map(named));
        prop_assert_eq!(s.rounds, used);
    }

    /// Every agent, both protocols: a domain indexed from the top down and
    /// one indexed whole give the same session, assessment included, and
    /// the assessment's dominating outcome is the first one by number.
    #[test]
    fn top_down_and_whole_give_the_same_session(
        d in arb_indexed_domain(),
        a in arb_agent(),
        b in arb_agent(),
        rounds in 1u32..80,
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
        let lazy = truce_agents::Prepared::top_down(&d).unwrap();
        let whole = truce_agents::Prepared::whole(&d).unwrap();
        let s = truce_agents::run_prepared(&d, &lazy, &opts, None).unwrap();
        prop_assert_eq!(&s, &truce_agents::run_prepared(&d, &whole, &opts, None).unwrap());
        if let (Some(assessment), Some(agreement)) = (&s.assessment, &s.agreement) {
            let tol = truce_negotiate::DOMINANCE_TOLERANCE;
            let refs: Vec<&str> = agreement.iter().map(String::as_str).collect();
            let at = d.utilities(&d.outcome_indices(&refs).unwrap());
            let first = enumerate(&d).into_iter().find(|o| {
                let u = d.utilities(o);
                u.iter().zip(&at).all(|(v, t)| *v >= t - tol)
                    && u.iter().zip(&at).any(|(v, t)| *v > t + tol)
            });
            prop_assert_eq!(
                assessment.dominated_by.clone(),
                first.map(|o| d.outcome_values(&o))
            );
        }
    }
}
