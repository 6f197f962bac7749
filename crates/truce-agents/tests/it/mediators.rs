//! The single-text mediators on every shared domain: how far their
//! agreements land from the Pareto frontier, measured with
//! truce-negotiate's analysis (an independent frontier: exact merge or
//! branch and bound over the domain, not the session's outcome space).

use truce_agents::{MediatorKind, Protocol, SessionOptions, run_session};
use truce_negotiate::{AnalyzeOptions, Reading, Trace, TraceStep, analyze, analyze_trace};

use crate::common::load;

fn shared_domains() -> Vec<String> {
    truce_test_support::domains::domain_names()
}

/// Each session's distance to the domain's frontier (`None` without an
/// agreement), checking the session's own assessment on the way.
fn distances(kind: MediatorKind, rounds: u32, seeds: &[u64]) -> Vec<(String, Option<f64>)> {
    let mut out = Vec::new();
    for name in shared_domains() {
        let domain = load(&name, Reading::Genius);
        let analysis = analyze(&domain, &AnalyzeOptions::default());
        for &seed in seeds {
            let s = run_session(
                &domain,
                &SessionOptions {
                    protocol: Protocol::SingleText,
                    mediator: kind,
                    rounds,
                    seed,
                    ..SessionOptions::default()
                },
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(s.rounds <= rounds);
            let trace = Trace {
                steps: s
                    .trace
                    .iter()
                    .map(|t| TraceStep {
                        round: t.round,
                        proposer: None,
                        offer: t.offer.values(),
                    })
                    .collect(),
                agreement: s.agreement.clone(),
                rounds: s.rounds,
            };
            let d = analyze_trace(&domain, &analysis, &trace).expect("trace of the domain");
            let dist = s.agreement.as_ref().and(d.outcome.distance_to_frontier);
            match (&s.assessment, dist) {
                (Some(a), Some(oracle)) => {
                    assert!(a.rational && d.outcome.rational, "{name} seed {seed}");
                    // An enumerated space's frontier is the domain's: the
                    // session's own distance agrees with the analysis.
                    if s.outcome_space.is_none() {
                        let mine = a.distance_to_frontier.expect("two parties");
                        assert!((mine - oracle).abs() < 1e-7, "{name}: {mine} vs {oracle}");
                        assert_eq!(a.dominated, oracle > 1e-7, "{name} seed {seed}");
                    }
                    assert_eq!(a.warning.is_some(), a.dominated || !a.rational, "{name}");
                }
                (None, None) => {}
                other => panic!("{name}: assessment and agreement disagree: {other:?}"),
            }
            out.push((name.clone(), dist));
        }
    }
    out
}

fn check_goal(kind: MediatorKind) {
    let d = distances(kind, 3000, &[1, 2, 3]);
    assert_eq!(d.len(), shared_domains().len() * 3);
    for (name, x) in &d {
        assert!(x.is_some(), "{kind:?} reached no agreement on {name}");
    }
    let mean = d.iter().filter_map(|x| x.1).sum::<f64>() / d.len() as f64;
    // The figure BENCH-NOTES reports (`cargo test -- --nocapture`).
    println!("{kind:?}: mean distance to the frontier over 3 seeds: {mean:.5}");
    assert!(
        mean <= 0.02,
        "{kind:?}: mean distance to the frontier {mean}"
    );
}

#[test]
fn annealing_mediator_lands_near_the_frontier_on_every_shared_domain() {
    check_goal(MediatorKind::Annealing);
}

#[test]
fn feedback_mediator_lands_near_the_frontier_on_every_shared_domain() {
    check_goal(MediatorKind::Feedback);
}

#[test]
fn mopac_mediator_lands_near_the_frontier_on_every_shared_domain() {
    check_goal(MediatorKind::Mopac);
}

#[test]
fn a_dominated_agreement_is_flagged() {
    // Ten hill-climbing proposals from a random text: the agreement is
    // dominated on some seed, and the output says so.
    let domain = load("Laptop", Reading::Genius);
    let analysis = analyze(&domain, &AnalyzeOptions::default());
    let mut flagged = 0;
    for seed in 0..20 {
        let s = run_session(
            &domain,
            &SessionOptions {
                protocol: Protocol::SingleText,
                mediator: MediatorKind::HillClimb,
                rounds: 3,
                seed,
                ..SessionOptions::default()
            },
        )
        .unwrap();
        let Some(a) = &s.assessment else { continue };
        let on_frontier = analysis.pareto.iter().any(|p| {
            p.utilities
                .iter()
                .zip(&s.utilities)
                .all(|(f, u)| (f - u).abs() < 1e-9)
        });
        assert_eq!(a.dominated, !on_frontier, "seed {seed}");
        if a.dominated {
            flagged += 1;
            assert!(a.dominated_by.is_some());
            let text = truce_agents::render_trace_text(&s);
            assert!(
                text.contains("warning: the agreement is Pareto-dominated"),
                "{text}"
            );
        }
    }
    assert!(flagged > 0);
}

#[test]
fn tournaments_run_single_text_with_the_chosen_mediator() {
    use truce_agents::{AgentKind, TournamentOptions, run_tournament};
    let laptop = load("Laptop", Reading::Genius);
    let run = |mediator| {
        run_tournament(
            &TournamentOptions {
                domains: vec![laptop.clone()],
                agents: vec![AgentKind::Boulware, AgentKind::Conceder],
                repetitions: 5,
                rounds: 300,
                protocol: Protocol::SingleText,
                seed: 7,
                threads: 1,
                mediator,
            },
            &|_, _| {},
        )
        .unwrap()
    };
    // The tournament's sessions are those `run_session` plays with the same
    // mediator: the feedback mediator ends on the frontier of Laptop's 27
    // outcomes in every session, the hill climber's sessions differ.
    let feedback = run(MediatorKind::Feedback);
    assert!(
        feedback
            .rows
            .iter()
            .all(|r| r.agreed && r.pareto_distance < 1e-9)
    );
    let hill = run(MediatorKind::HillClimb);
    let rounds =
        |r: &truce_agents::TournamentResults| r.rows.iter().map(|x| x.rounds).collect::<Vec<_>>();
    // Polishing stops when a pass brings nothing; hill climbing uses every round.
    assert!(rounds(&hill).iter().all(|&n| n == 300));
    assert!(rounds(&feedback).iter().all(|&n| n < 300));
}

#[test]
fn mediator_names_parse() {
    for kind in MediatorKind::ALL {
        assert_eq!(kind.name().parse::<MediatorKind>().unwrap(), kind);
    }
    assert_eq!(
        "MOPAC".parse::<MediatorKind>().unwrap(),
        MediatorKind::Mopac
    );
    let e = "mopaq".parse::<MediatorKind>().unwrap_err().to_string();
    assert!(e.contains("valid mediators"), "{e}");
}

/// MOPaC rounds (one text per party each) never run past the deadline.
#[test]
fn mopac_keeps_the_deadline() {
    let domain = load("Laptop", Reading::Genius);
    for rounds in [1, 2, 3, 7] {
        let s = run_session(
            &domain,
            &SessionOptions {
                protocol: Protocol::SingleText,
                mediator: MediatorKind::Mopac,
                rounds,
                seed: 5,
                ..SessionOptions::default()
            },
        )
        .expect("a session");
        assert!(s.rounds <= rounds, "{} rounds of {rounds}", s.rounds);
    }
}
