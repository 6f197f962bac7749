//! Concession and move analysis against hand-worked traces.
//!
//! The domain: issues `i1` {p, q, r} and `i2` {s, t}, weights 0.5 each.
//! A values i1 as p=1, q=0.5, r=0 and i2 as s=1, t=0; B values i1 as p=0,
//! q=0.5, r=1 and i2 as A does. So (A, B) utilities are, by hand:
//! (p,s)=(1, .5), (p,t)=(.5, 0), (q,s)=(.75, .75), (q,t)=(.25, .25),
//! (r,s)=(.5, 1), (r,t)=(0, .5). The frontier is (p,s), (q,s), (r,s); Nash
//! and Kalai are (q,s).

use truce_negotiate::{
    AnalyzeOptions, DomainFiles, MoveClass, ReadOptions, Trace, TraceStep, analyze, analyze_trace,
    read_domain, render_dynamics_text,
};

fn domain() -> truce_negotiate::Domain {
    let profile = |i1: [f64; 3]| {
        format!(
            r#"{{"LinearAdditiveUtilitySpace":{{"issueWeights":{{"i1":0.5,"i2":0.5}},
            "issueUtilities":{{
              "i1":{{"DiscreteValueSetUtilities":{{"valueUtilities":{{"p":{},"q":{},"r":{}}}}}}},
              "i2":{{"DiscreteValueSetUtilities":{{"valueUtilities":{{"s":1,"t":0}}}}}}}}}}}}"#,
            i1[0], i1[1], i1[2]
        )
    };
    let files = DomainFiles {
        files: vec![
            (
                "d.json".into(),
                r#"{"name":"d","issuesValues":{"i1":{"values":["p","q","r"]},"i2":{"values":["s","t"]}}}"#
                    .into(),
            ),
            ("a.json".into(), profile([1.0, 0.5, 0.0])),
            ("b.json".into(), profile([0.0, 0.5, 1.0])),
        ],
    };
    read_domain(&files, &ReadOptions::default()).expect("domain")
}

fn step(round: u32, proposer: Option<usize>, offer: &str) -> TraceStep {
    TraceStep {
        round,
        proposer,
        offer: offer.split(',').map(str::to_owned).collect(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn sao_moves_are_classified_as_worked_by_hand() {
    let d = domain();
    let a = analyze(&d, &AnalyzeOptions::default());
    let (pa, pb) = (Some(0), Some(1));
    let trace = Trace {
        steps: vec![
            step(0, pa, "p,t"), // A (.5, 0)
            step(0, pb, "r,s"), // B (.5, 1)
            step(1, pa, "p,s"), // A: +.5 own, +.5 other: fortunate
            step(1, pb, "r,s"), // B: unchanged: silent
            step(2, pa, "q,s"), // A: -.25 own, +.25 other: concession
            step(2, pb, "q,s"), // B: -.25 own, +.25 other: concession
            step(3, pa, "q,t"), // A: -.5 own, -.5 other: unfortunate
            step(4, pa, "p,t"), // A: +.25 own, -.25 other: selfish
            step(5, pa, "p,t"), // A: silent
            step(6, pa, "r,s"), // A: 0 own, +1 other: nice
        ],
        agreement: Some(vec!["q".into(), "s".into()]),
        rounds: 7,
    };
    let dy = analyze_trace(&d, &a, &trace).expect("analysed");
    let classes: Vec<(usize, MoveClass)> = dy.moves.iter().map(|m| (m.party, m.class)).collect();
    use MoveClass::*;
    assert_eq!(
        classes,
        vec![
            (0, Fortunate),
            (1, Silent),
            (0, Concession),
            (1, Concession),
            (0, Unfortunate),
            (0, Selfish),
            (0, Silent),
            (0, Nice),
        ]
    );
    let curve_a: Vec<f64> = dy.per_party[0].curve.iter().map(|c| c.utility).collect();
    assert_eq!(curve_a, vec![0.5, 1.0, 0.75, 0.25, 0.5, 0.5, 0.5]);
    assert!(close(dy.per_party[0].total_concession, 0.0));
    assert!(close(dy.per_party[1].total_concession, 0.25));
    assert_eq!(dy.per_party[0].moves, 6);
    let o = &dy.outcome;
    assert_eq!(o.utilities, vec![0.75, 0.75]);
    assert!(close(o.welfare, 1.5));
    assert_eq!(o.distance_to_frontier, Some(0.0));
    assert_eq!(o.distance_to_nash, Some(0.0));
    assert_eq!(o.distance_to_kalai, Some(0.0));
    assert!(o.rational && !o.dominated);
    assert_eq!(o.rounds, 7);
    let text = render_dynamics_text(&dy);
    assert!(text.contains("agreement in round 7 [q, s]"), "{text}");
    assert!(!text.contains("warning"), "{text}");
}

#[test]
fn single_text_moves_are_seen_from_each_side() {
    let d = domain();
    let a = analyze(&d, &AnalyzeOptions::default());
    let trace = Trace {
        steps: vec![
            step(0, None, "q,t"), // (.25, .25)
            step(1, None, "q,s"), // (.75, .75): fortunate for both
            step(2, None, "p,s"), // (1, .5): A selfish, B concession
        ],
        agreement: Some(vec!["q".into(), "t".into()]),
        rounds: 3,
    };
    let dy = analyze_trace(&d, &a, &trace).expect("analysed");
    use MoveClass::*;
    let classes: Vec<(usize, MoveClass, bool)> =
        dy.moves.iter().map(|m| (m.party, m.class, m.own)).collect();
    assert_eq!(
        classes,
        vec![
            (0, Fortunate, false),
            (1, Fortunate, false),
            (0, Selfish, false),
            (1, Concession, false),
        ]
    );
    // (q,t) = (.25, .25): the nearest frontier point is (q,s) = (.75, .75).
    let o = &dy.outcome;
    assert!(o.dominated && o.rational);
    assert!(close(o.distance_to_frontier.unwrap(), 0.5f64.sqrt()));
    assert!(close(o.distance_to_nash.unwrap(), 0.5f64.sqrt()));
    assert!(close(o.welfare, 0.5));
    assert!(render_dynamics_text(&dy).contains("Pareto-dominated"));
}

#[test]
fn no_agreement_uses_reservation_values_and_bad_offers_are_errors() {
    let d = domain();
    let a = analyze(&d, &AnalyzeOptions::default());
    let trace = Trace {
        steps: vec![step(0, Some(0), "p,s"), step(0, Some(1), "r,s")],
        agreement: None,
        rounds: 100,
    };
    let dy = analyze_trace(&d, &a, &trace).expect("analysed");
    assert_eq!(dy.outcome.utilities, vec![0.0, 0.0]);
    assert!(dy.moves.is_empty());
    assert!(render_dynamics_text(&dy).contains("no agreement after 100 rounds"));
    let bad = Trace {
        steps: vec![step(0, Some(0), "p,x")],
        agreement: None,
        rounds: 1,
    };
    let err = analyze_trace(&d, &a, &bad).unwrap_err();
    assert!(err.to_string().contains("not an outcome"), "{err}");
    let bad_party = Trace {
        steps: vec![step(0, Some(2), "p,s")],
        agreement: None,
        rounds: 1,
    };
    assert!(analyze_trace(&d, &a, &bad_party).is_err());
}

/// The class table itself, on its boundaries (changes within the tolerance
/// are none).
#[test]
fn class_table_boundaries() {
    use MoveClass::*;
    let e = 1e-9;
    assert_eq!(MoveClass::of(0.1, 0.1, e), Fortunate);
    assert_eq!(MoveClass::of(0.1, 0.0, e), Selfish);
    assert_eq!(MoveClass::of(0.1, -0.1, e), Selfish);
    assert_eq!(MoveClass::of(0.0, 0.1, e), Nice);
    assert_eq!(MoveClass::of(1e-12, -1e-12, e), Silent);
    assert_eq!(MoveClass::of(-0.1, 0.0, e), Concession);
    assert_eq!(MoveClass::of(-0.1, 0.1, e), Concession);
    assert_eq!(MoveClass::of(-0.1, -0.1, e), Unfortunate);
    assert_eq!(MoveClass::of(0.0, -0.1, e), Unfortunate);
}

/// The trajectory chart: the frontier, one line of offers per party (in its
/// colour, one dot per offer) and the agreement.
#[test]
fn trajectory_svg_draws_each_partys_offers_and_the_agreement() {
    let d = domain();
    let a = analyze(&d, &AnalyzeOptions::default());
    let trace = Trace {
        steps: vec![
            step(0, Some(0), "p,s"),
            step(0, Some(1), "r,s"),
            step(1, Some(0), "q,s"),
        ],
        agreement: Some(vec!["q".into(), "s".into()]),
        rounds: 2,
    };
    let dy = analyze_trace(&d, &a, &trace).expect("analysed");
    let cloud = truce_negotiate::outcome_cloud(&d, 100);
    let svg = truce_negotiate::render_trajectory_svg(&a, &cloud, &dy);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // Party 0 made two offers, party 1 one: dots in their colours.
    assert_eq!(svg.matches(r##"r="2.5" fill="#e6550d""##).count(), 2);
    assert_eq!(svg.matches(r##"r="2.5" fill="#3182bd""##).count(), 1);
    assert!(svg.contains("offers of a") && svg.contains("offers of b"));
    assert!(svg.contains(">agreement</text>"));
    // Without a trace the chart is the plain analysis chart.
    assert!(!truce_negotiate::render_svg(&a, &cloud).contains("offers of"));
}
