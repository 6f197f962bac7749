//! Session behaviour: determinism, agent names, errors, single-text.

use truce_agents::{
    AgentKind, End, Protocol, SessionError, SessionOptions, parse_agents, run_repeated, run_session,
};
use truce_negotiate::Reading;

use crate::common::load;

#[test]
fn a_deals_open_issues_negotiate_like_any_domain() {
    use truce_negotiate::{DomainFiles, Issue, ReadOptions, read_profiles};
    let issues = vec![
        Issue {
            name: "pause-days".into(),
            values: ["4", "5", "6", "7"].map(String::from).to_vec(),
        },
        Issue {
            name: "first-release".into(),
            values: ["children", "elderly"].map(String::from).to_vec(),
        },
    ];
    let profile = |days: [f64; 4], first: [f64; 2]| {
        format!(
            r#"{{"LinearAdditiveUtilitySpace":{{"issueWeights":{{"pause-days":0.7,"first-release":0.3}},
            "issueUtilities":{{
              "pause-days":{{"DiscreteValueSetUtilities":{{"valueUtilities":{{"4":{},"5":{},"6":{},"7":{}}}}}}},
              "first-release":{{"DiscreteValueSetUtilities":{{"valueUtilities":{{"children":{},"elderly":{}}}}}}}}}}},
            "reservationBid":null}}"#,
            days[0], days[1], days[2], days[3], first[0], first[1]
        )
    };
    let files = DomainFiles {
        files: vec![
            (
                "side-a.json".into(),
                profile([0.0, 0.4, 0.8, 1.0], [1.0, 0.5]),
            ),
            (
                "side-b.json".into(),
                profile([1.0, 0.8, 0.3, 0.0], [0.6, 1.0]),
            ),
        ],
    };
    let domain = read_profiles("deal", issues, &files, &ReadOptions::default()).unwrap();
    for protocol in [Protocol::Sao, Protocol::SingleText] {
        let s = run_session(
            &domain,
            &SessionOptions {
                protocol,
                rounds: 50,
                ..SessionOptions::default()
            },
        )
        .unwrap();
        let agreed = s.agreement.expect("the sides agree");
        assert_eq!(s.issues, ["pause-days", "first-release"]);
        assert!(domain.issues[0].values.contains(&agreed[0]));
        assert!(domain.issues[1].values.contains(&agreed[1]));
    }
}

#[test]
fn agent_names_parse_and_unknown_names_list_the_valid_ones() {
    assert_eq!(
        parse_agents("aspiration, Boulware,tit_for_tat").unwrap(),
        vec![
            AgentKind::Aspiration,
            AgentKind::Boulware,
            AgentKind::TitForTat
        ]
    );
    let err = parse_agents("aspiration,bulware").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown agent `bulware` (valid agents: boulware, linear, conceder, aspiration, tit-for-tat, hardliner, random)"
    );
    assert!("nope".parse::<Protocol>().is_err());
    assert_eq!(
        "single-text".parse::<Protocol>().unwrap(),
        Protocol::SingleText
    );
}

#[test]
fn errors_are_returned_not_panicked() {
    let domain = load("Laptop", Reading::Genius);
    let one = SessionOptions {
        agents: vec![AgentKind::Boulware],
        ..SessionOptions::default()
    };
    assert!(matches!(
        run_session(&domain, &one),
        Err(SessionError::AgentCount {
            agents: 1,
            parties: 2
        })
    ));
    let none = SessionOptions {
        rounds: 0,
        ..SessionOptions::default()
    };
    assert_eq!(run_session(&domain, &none), Err(SessionError::NoDeadline));
    let timed = SessionOptions {
        rounds: 0,
        time_limit: Some(1.0),
        ..SessionOptions::default()
    };
    assert_eq!(run_session(&domain, &timed), Err(SessionError::NoClock));
    let long = SessionOptions {
        rounds: u32::MAX,
        ..SessionOptions::default()
    };
    assert!(matches!(
        run_session(&domain, &long),
        Err(SessionError::TooManyRounds { .. })
    ));
}

/// A domain above the enumeration cap (10^10 outcomes) is negotiated over a
/// sample that holds the Pareto frontier, and the session says so; the same
/// seed gives the same session.
#[test]
fn domains_above_the_cap_negotiate_over_a_frontier_guided_sample() {
    let huge = load("10issues", Reading::Genius);
    let opts = SessionOptions::default();
    let s = run_session(&huge, &opts).expect("sampled, not refused");
    let note = s
        .outcome_space
        .as_deref()
        .expect("the session says it sampled");
    assert!(note.contains("10000000000 outcomes"), "{note}");
    assert!(note.contains("from the Pareto frontier"), "{note}");
    assert!(!s.trace.is_empty());
    for t in &s.trace {
        let refs: Vec<&str> = t.offer.iter().collect();
        let o = huge
            .outcome_indices(&refs)
            .expect("an outcome of the domain");
        assert_eq!(huge.utilities(&o), t.utilities);
    }
    assert_eq!(run_session(&huge, &opts).expect("again"), s);
    // The first offer of each time-based agent is its best outcome, which
    // the frontier-guided sample holds: utility 1 after GENIUS's cap.
    assert_eq!(s.trace[0].utilities[0], 1.0);
}

#[test]
fn every_pairing_is_deterministic_for_a_seed() {
    let domain = load("ItexvsCypress", Reading::Genius);
    for &a in &AgentKind::ALL {
        for &b in &AgentKind::ALL {
            let opts = SessionOptions {
                agents: vec![a, b],
                rounds: 60,
                seed: 7,
                ..SessionOptions::default()
            };
            let one = run_session(&domain, &opts).unwrap();
            let two = run_session(&domain, &opts).unwrap();
            assert_eq!(one, two, "{a} vs {b}");
            assert!(one.rounds <= 60);
        }
    }
}

#[test]
fn a_time_limit_ends_the_session_by_the_given_clock() {
    let domain = load("Laptop", Reading::Genius);
    let prepared = truce_agents::Prepared::new(&domain).unwrap();
    let ticks = std::cell::Cell::new(0.0);
    // A fake clock: each reading is 0.1 s later.
    let clock = || {
        ticks.set(ticks.get() + 0.1);
        ticks.get()
    };
    let opts = SessionOptions {
        agents: vec![AgentKind::Hardliner, AgentKind::Hardliner],
        rounds: 0,
        time_limit: Some(2.0),
        ..SessionOptions::default()
    };
    let s = truce_agents::run_prepared(&domain, &prepared, &opts, Some(&clock)).unwrap();
    assert_eq!(s.end, End::Timeout);
    assert!(s.rounds > 0 && s.rounds < 20, "{}", s.rounds);
}

#[test]
fn single_text_agrees_on_a_rational_text_and_is_reproducible() {
    let domain = load("Grocery", Reading::Genius);
    let opts = SessionOptions {
        protocol: Protocol::SingleText,
        rounds: 300,
        seed: 11,
        ..SessionOptions::default()
    };
    let a = run_session(&domain, &opts).unwrap();
    assert_eq!(a, run_session(&domain, &opts).unwrap());
    assert_eq!(a.end, End::Agreement);
    for (u, p) in a.utilities.iter().zip(&domain.parties) {
        assert!(*u >= p.reservation);
    }
    assert!(a.trace.iter().all(|t| t.proposer == "mediator"));
    // Accepted texts never make any party worse off.
    let mut last: Option<&[f64]> = None;
    for t in a.trace.iter().filter(|t| t.accepted == Some(true)) {
        if let Some(prev) = last {
            assert!(t.utilities.iter().zip(prev).all(|(n, o)| n >= o));
        }
        last = Some(&t.utilities[..]);
    }
}

#[test]
fn repeat_measures_with_the_callers_clock() {
    let domain = load("Laptop", Reading::Genius);
    let t = std::cell::Cell::new(0.0);
    let clock = || {
        let now = t.get();
        t.set(now + 0.5);
        now
    };
    let r = run_repeated(&domain, &SessionOptions::default(), 10, &clock).unwrap();
    assert_eq!(r.repeat, 10);
    assert_eq!(r.negotiations_per_second, 20.0);
    let json = serde_json::to_value(&r).unwrap();
    for key in [
        "agreement",
        "utilities",
        "rounds",
        "trace",
        "negotiations_per_second",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn trace_offers_are_ids_named_like_the_domain_names_them() {
    // The trace holds outcome ids; its JSON names them as the domain does.
    for name in ["Laptop", "10issues"] {
        let domain = load(name, Reading::Genius);
        let prepared = truce_agents::Prepared::new(&domain).expect("prepared");
        let s = truce_agents::run_prepared(&domain, &prepared, &SessionOptions::default(), None)
            .expect("session");
        let json = serde_json::to_value(&s).expect("json");
        let trace = json["trace"].as_array().expect("trace");
        assert_eq!(trace.len(), s.trace.len());
        assert!(!trace.is_empty());
        for (t, j) in s.trace.iter().zip(trace) {
            let values = domain.outcome_values(&prepared.space().decode(t.offer.id()));
            assert_eq!(j["offer"], serde_json::json!(values), "{name}");
            assert_eq!(t.offer, values);
            assert_eq!(t.offer.join(", "), values.join(", "));
            let utilities = prepared.utilities(t.offer.id());
            assert_eq!(t.utilities, utilities);
            assert_eq!(j["utilities"], serde_json::json!(utilities));
            assert!(s.parties.contains(&t.proposer.to_string()));
            assert_eq!(j["proposer"], serde_json::json!(t.proposer.as_str()));
        }
    }
}
