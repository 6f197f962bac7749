//! Tournaments: the same results whatever the thread count.

use std::cell::Cell;

use truce_agents::{AgentKind, TournamentOptions, run_tournament};
use truce_negotiate::Reading;

use crate::common::load;

fn options(threads: usize) -> TournamentOptions {
    TournamentOptions {
        domains: vec![
            load("Laptop", Reading::Genius),
            load("ItexvsCypress", Reading::Raw),
        ],
        agents: vec![
            AgentKind::Aspiration,
            AgentKind::Boulware,
            AgentKind::TitForTat,
            AgentKind::Random,
        ],
        repetitions: 3,
        rounds: 50,
        seed: 42,
        threads,
        ..TournamentOptions::default()
    }
}

#[test]
fn results_are_identical_with_one_and_two_threads() {
    let calls = Cell::new(0);
    let one = run_tournament(&options(1), &|done, total| {
        calls.set(calls.get() + 1);
        assert!(done <= total);
    })
    .unwrap();
    let two = run_tournament(&options(2), &|_, _| {}).unwrap();
    assert_eq!(one, two);
    assert_eq!(one.rows.len(), 2 * 12 * 3);
    assert_eq!(calls.get(), one.rows.len());
    assert_eq!(one.to_csv(), two.to_csv());
    for row in &one.rows {
        assert!(row.pareto_distance >= 0.0);
    }
}

#[test]
fn summary_and_csv_render() {
    let results = run_tournament(
        &TournamentOptions {
            domains: vec![load("Laptop", Reading::Genius)],
            agents: vec![AgentKind::Aspiration, AgentKind::Conceder],
            repetitions: 1,
            rounds: 100,
            seed: 1,
            threads: 2,
            ..TournamentOptions::default()
        },
        &|_, _| {},
    )
    .unwrap();
    insta::assert_snapshot!(results.render_summary());
    insta::assert_snapshot!(results.to_csv());
}

/// A domain above the enumeration cap (10issues, 10^10 outcomes) plays its
/// sessions over a frontier-guided sample instead of aborting the
/// tournament.
#[test]
fn domains_above_the_cap_do_not_abort_a_tournament() {
    let results = run_tournament(
        &TournamentOptions {
            domains: vec![
                load("Laptop", Reading::Genius),
                load("10issues", Reading::Genius),
            ],
            agents: vec![AgentKind::Boulware, AgentKind::Conceder],
            repetitions: 1,
            rounds: 50,
            seed: 3,
            threads: 1,
            ..TournamentOptions::default()
        },
        &|_, _| {},
    )
    .expect("the tournament runs every domain");
    let domains: Vec<&str> = results.rows.iter().map(|r| r.domain.as_str()).collect();
    assert!(
        domains.iter().any(|d| d.contains("10issues")),
        "{domains:?}"
    );
    assert_eq!(results.rows.len(), 4);
}
