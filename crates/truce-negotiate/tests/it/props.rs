//! Properties of the frontier on small random domains, against brute force:
//! no frontier point dominates another, every outcome is dominated by or
//! equal to a frontier point, and the frontier lists exactly the
//! non-dominated outcomes (ties kept).

use proptest::prelude::*;
use truce_negotiate::{
    Additive, AnalyzeOptions, Domain, Format, HyperRectangles, Rect, Utility, analyze,
};

fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
}

fn all_outcomes(sizes: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for &n in sizes {
        out = out
            .into_iter()
            .flat_map(|o| {
                (0..n).map(move |v| {
                    let mut o = o.clone();
                    o.push(v);
                    o
                })
            })
            .collect();
    }
    out
}

fn domain(sizes: &[usize], utilities: Vec<Utility>) -> Domain {
    let parties = utilities.into_iter().map(|u| (u, 0.0)).collect();
    truce_test_support::domains::synthetic(Format::GeniusXml, sizes, parties)
}

/// `a` is at least as good as `b` minus `eps` for everyone and better by
/// more than `eps` for someone (the tolerance the analysis states).
fn dominates_eps(a: &[f64], b: &[f64], eps: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| *x >= y - eps) && a.iter().zip(b).any(|(x, y)| *x > y + eps)
}

/// The one check: the analysis frontier against brute force, with ties
/// listed, then with ties summarised.
fn check(d: &Domain) -> Result<(), TestCaseError> {
    let sizes: Vec<usize> = d.issues.iter().map(|i| i.values.len()).collect();
    let opts = AnalyzeOptions {
        list_ties: true,
        // Every tie listed, however many (the domains here are small).
        max_listed_outcomes: 1 << 20,
        ..AnalyzeOptions::default()
    };
    let a = analyze(d, &opts);
    let eps = a.tolerance;
    prop_assert!(a.exact && a.pareto_complete);
    let front: Vec<Vec<f64>> = a.pareto.iter().map(|p| p.utilities.clone()).collect();
    for x in &front {
        for y in &front {
            prop_assert!(!dominates_eps(x, y, eps), "{x:?} dominates {y:?}");
        }
    }
    let outcomes = all_outcomes(&sizes);
    let utils: Vec<Vec<f64>> = outcomes.iter().map(|o| d.utilities(o)).collect();
    let mut expected = Vec::new();
    for (o, u) in outcomes.iter().zip(&utils) {
        prop_assert!(
            front
                .iter()
                .any(|f| f == u || dominates(f, u) || dominates_eps(f, u, eps)),
            "{o:?} {u:?} not covered"
        );
        // No reported point is dominated by any outcome within the tolerance.
        if !utils.iter().any(|v| dominates_eps(v, u, eps)) {
            expected.push(d.outcome_values(o));
        }
    }
    // Summarised ties: one outcome per point, and the values each issue
    // takes among the tied outcomes, as brute force finds them.
    let s = analyze(d, &AnalyzeOptions::default());
    prop_assert_eq!(s.pareto_points, a.pareto_points);
    prop_assert_eq!(s.pareto.len(), s.pareto_points);
    for p in &s.pareto {
        let tied: Vec<&Vec<usize>> = outcomes
            .iter()
            .zip(&utils)
            .filter(|(_, u)| **u == p.utilities)
            .map(|(o, _)| o)
            .collect();
        prop_assert_eq!(p.ties, tied.len() as u128);
        if let Some(t) = &p.tied_values {
            // Tiny domains: every tie summarised. Past the 256 cells a
            // summary keeps, it says it is incomplete and lists only values
            // tied outcomes take.
            prop_assert!(t.complete || tied.len() > 256);
            for (i, vs) in t.values.iter().enumerate() {
                let mut want: Vec<String> = tied.iter().map(|o| o[i].to_string()).collect();
                want.sort_by_key(|v| v.parse::<usize>().unwrap_or(0));
                want.dedup();
                if t.complete {
                    prop_assert_eq!(vs, &want);
                } else {
                    prop_assert!(vs.iter().all(|v| want.contains(v)));
                }
            }
        } else {
            prop_assert_eq!(tied.len(), 1);
        }
    }
    for (k, range) in a.utility_ranges.iter().enumerate() {
        let lo = utils
            .iter()
            .filter_map(|u| u.get(k))
            .copied()
            .fold(f64::INFINITY, f64::min);
        let hi = utils
            .iter()
            .filter_map(|u| u.get(k))
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        prop_assert!(
            (range[0] - lo).abs() < 1e-9 && (range[1] - hi).abs() < 1e-9,
            "{range:?} vs {lo} {hi}"
        );
    }
    let mut listed: Vec<Vec<String>> = a.pareto.iter().map(|p| p.outcome.clone()).collect();
    listed.sort();
    expected.sort();
    prop_assert_eq!(listed, expected);
    Ok(())
}

fn additive(sizes: Vec<usize>, parties: usize) -> impl Strategy<Value = Domain> {
    // Utilities on a coarse grid so that ties are frequent, some nudged by
    // rounding-sized amounts (what renormalising weights by a sum of 1 ± 1 ulp
    // does), some clipped at 1 as GENIUS clips.
    let table = sizes
        .iter()
        .map(|&n| proptest::collection::vec((0u8..4, -1i8..2), n))
        .collect::<Vec<_>>();
    (proptest::collection::vec(table, parties), any::<bool>()).prop_map(move |(ps, clip)| {
        let utilities = ps
            .into_iter()
            .map(|t| {
                Utility::Additive(Additive {
                    tables: t
                        .into_iter()
                        .map(|col| {
                            col.into_iter()
                                .map(|(x, nudge)| f64::from(x) * 0.25 + f64::from(nudge) * 1e-15)
                                .collect()
                        })
                        .collect(),
                    clip,
                })
            })
            .collect();
        domain(&sizes, utilities)
    })
}

fn rects(sizes: Vec<usize>, parties: usize) -> impl Strategy<Value = Domain> {
    let n = sizes.len();
    let sizes2 = sizes.clone();
    let rect = (
        -2i8..6,
        proptest::collection::vec((0..n, 0usize..4, 0usize..4), 1..3),
    );
    (
        proptest::collection::vec(proptest::collection::vec(rect, 1..5), parties),
        any::<bool>(),
    )
        .prop_map(move |(ps, clip)| {
            let utilities = ps
                .into_iter()
                .map(|rs| {
                    Utility::HyperRectangles(HyperRectangles {
                        rects: rs
                            .into_iter()
                            .map(|(u, inc)| Rect {
                                utility: f64::from(u),
                                includes: inc
                                    .into_iter()
                                    .map(|(i, a, b)| (i, a.min(b), a.max(b)))
                                    .collect(),
                            })
                            .collect(),
                        scale: 4.0,
                        clip,
                    })
                })
                .collect();
            domain(&sizes2, utilities)
        })
}

fn shape() -> impl Strategy<Value = (Vec<usize>, usize)> {
    (proptest::collection::vec(1usize..5, 1..5), 2usize..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn additive_frontier_equals_brute_force(d in shape().prop_flat_map(|(s, p)| additive(s, p))) {
        check(&d)?;
    }

    #[test]
    fn hyper_rectangle_frontier_equals_brute_force(d in shape().prop_flat_map(|(s, p)| rects(s, p))) {
        check(&d)?;
    }

    /// A search stopped at its node limit is labelled not exact, and its
    /// bound is proven: every outcome is either covered by a listed point or
    /// worth no more than the bound to every party.
    #[test]
    fn a_stopped_search_states_a_proven_bound(
        d in shape().prop_flat_map(|(s, p)| rects(s, p)),
        nodes in 1u64..30,
    ) {
        let opts = AnalyzeOptions { max_search_nodes: nodes, ..AnalyzeOptions::default() };
        let a = analyze(&d, &opts);
        let eps = a.tolerance;
        let Some(bound) = &a.unexamined_bound else {
            prop_assert!(!a.method.contains("not exact"));
            return Ok(());
        };
        prop_assert!(!a.exact);
        prop_assert!(a.method.contains("not exact") && !a.method.contains("(exact)"), "{}", a.method);
        let sizes: Vec<usize> = d.issues.iter().map(|i| i.values.len()).collect();
        for o in all_outcomes(&sizes) {
            let u = d.utilities(&o);
            let covered = a.pareto.iter().any(|f| {
                f.utilities == u
                    || dominates(&f.utilities, &u)
                    || dominates_eps(&f.utilities, &u, eps)
                    || f.utilities.iter().zip(&u).all(|(x, y)| (x - y).abs() <= eps)
            });
            let below = u.iter().zip(bound).all(|(x, b)| *x <= *b);
            prop_assert!(covered || below, "{o:?} {u:?} above the bound {bound:?}");
            // Two parties: within the proven gap of a listed point.
            if let Some(g) = a.unexamined_gap {
                let near = a.pareto.iter().any(|f| {
                    f.utilities.iter().zip(&u).all(|(q, x)| *x <= q + g + 1e-9)
                });
                prop_assert!(covered || near, "{o:?} {u:?} beyond the gap {g}");
            }
        }
    }
}

/// A frontier larger than the cap is thinned, flagged as not exact, and
/// still mutually non-dominated; the listing cap keeps counts exact.
#[test]
fn caps_are_reported_not_silent() {
    // Zero-sum: every outcome with a distinct sum is on the frontier.
    let table: Vec<Vec<f64>> = (0..3)
        .map(|i| (0..40).map(|v| f64::from(v) * 10f64.powi(i)).collect())
        .collect();
    let neg: Vec<Vec<f64>> = table
        .iter()
        .map(|t| t.iter().map(|x| -x).collect())
        .collect();
    let d = domain(
        &[40, 40, 40],
        vec![
            Utility::Additive(Additive::new(table)),
            Utility::Additive(Additive::new(neg)),
        ],
    );
    let full = analyze(
        &d,
        &AnalyzeOptions {
            list_ties: true,
            ..AnalyzeOptions::default()
        },
    );
    assert!(full.exact);
    assert_eq!(full.pareto_outcomes, 64_000);
    assert_eq!(full.pareto.len(), 10_000);
    assert!(!full.pareto_complete);
    // By default each point lists one outcome and summarises its ties.
    let summary = analyze(&d, &AnalyzeOptions::default());
    assert_eq!(summary.pareto.len(), summary.pareto_points);
    assert_eq!(summary.pareto_outcomes, 64_000);
    let capped = analyze(
        &d,
        &AnalyzeOptions {
            max_frontier_points: 100,
            ..AnalyzeOptions::default()
        },
    );
    assert!(!capped.exact);
    assert!(capped.notes.iter().any(|n| n.contains("not exact")));
    assert!(capped.pareto_points <= 100);
    for x in &capped.pareto {
        for y in &capped.pareto {
            assert!(!dominates_eps(&x.utilities, &y.utilities, capped.tolerance));
        }
    }
}

/// Readers and analytics never panic, whatever bytes a file holds: random
/// edits of real domain files must give a domain or a typed error.
mod mangled {
    use proptest::prelude::*;
    use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};

    use crate::common::{domains, files_of};

    fn mangle(text: &str, edits: &[(usize, u8, u8)]) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for &(at, op, byte) in edits {
            let at = at % (bytes.len() + 1);
            let b = b"<>\"&{}[]:,0-9.e/ a"[usize::from(byte) % 18];
            match op % 3 {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, b),
                _ if at < bytes.len() => bytes[at] = b,
                _ => {}
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn check(dir: &str, file: usize, edits: &[(usize, u8, u8)]) {
        let mut files = files_of(&domains().join(dir));
        files.files.sort();
        let k = file % files.files.len();
        if let Some(f) = files.files.get_mut(k) {
            f.1 = mangle(&f.1, edits);
        }
        let files = DomainFiles { files: files.files };
        if let Ok(d) = read_domain(&files, &ReadOptions::default()) {
            let _ = analyze(&d, &AnalyzeOptions::default());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn mangled_files_never_panic(
            dir in prop::sample::select(vec!["Laptop", "IntegerDomain", "JapnTrip", "anl2023-domain09"]),
            file in 0usize..4,
            edits in proptest::collection::vec((0usize..4000, 0u8..3, 0u8..18), 1..6),
        ) {
            check(dir, file, &edits);
        }
    }
}

/// Medium domains with continuous random utilities (no ties) for two to
/// four parties: the merge must agree with brute force beyond the tiny
/// proptest sizes.
#[test]
fn medium_random_domains_equal_brute_force() {
    let mut seed: u64 = 7;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for parties in 2..=4 {
        let sizes = [4, 5, 3, 4, 3];
        let utilities = (0..parties)
            .map(|_| {
                Utility::Additive(Additive::new(
                    sizes
                        .iter()
                        .map(|&n| (0..n).map(|_| next()).collect())
                        .collect(),
                ))
            })
            .collect();
        check(&domain(&sizes, utilities)).expect("frontier equals brute force");
    }
}

/// Outcome counts past 2^64 stay serialisable.
#[test]
fn astronomic_counts_serialise() {
    let sizes = vec![1000; 8];
    let d = domain(
        &sizes,
        vec![
            Utility::Additive(Additive::new(sizes.iter().map(|&n| vec![0.5; n]).collect())),
            Utility::Additive(Additive::new(
                sizes.iter().map(|&n| vec![0.25; n]).collect(),
            )),
        ],
    );
    let a = analyze(&d, &AnalyzeOptions::default());
    assert_eq!(a.outcomes, 10u128.pow(24));
    assert_eq!(a.pareto_outcomes, 10u128.pow(24));
    // One row, its ties summarised: every issue takes all its values.
    assert_eq!(a.pareto.len(), 1);
    let tied = a.pareto[0].tied_values.as_ref().expect("ties summarised");
    assert!(tied.complete && tied.values.iter().all(|v| v.len() == 1000));
    let v = serde_json::to_value(&a).expect("serialisable");
    assert_eq!(v["outcomes"].as_f64(), Some(1e24));
}

/// A count past 2^128 is never printed as u128::MAX.
#[test]
fn counts_past_u128_are_powers_of_ten() {
    let sizes = vec![10; 50];
    let d = domain(
        &sizes,
        vec![
            Utility::Additive(Additive::new(
                sizes.iter().map(|&n| vec![0.02; n]).collect(),
            )),
            Utility::Additive(Additive::new(
                sizes
                    .iter()
                    .map(|&n| (0..n).map(|v| v as f64 / 500.0).collect())
                    .collect(),
            )),
        ],
    );
    let a = analyze(&d, &AnalyzeOptions::default());
    assert_eq!(a.outcomes_text(), "about 10^50.0");
    let v = serde_json::to_value(&a).expect("serialisable");
    let n = v["outcomes"].as_f64().expect("a number");
    assert!((n / 1e50 - 1.0).abs() < 1e-9, "{n}");
    assert!(!truce_negotiate::render_text(&a).contains(&u128::MAX.to_string()));
}

/// Hyper-rectangle domains shaped like ANAC 2014's (integer utilities, one
/// to four bounded issues per rectangle, `maxutility` below the best sum so
/// the clip at 1 bites), large enough that the branch and bound prunes with
/// its per-issue bounds, issue order and seeds: the frontier, with every
/// tie, equals brute force over all 46,656 outcomes.
#[test]
fn anac_shaped_hyper_rectangle_domains_equal_brute_force() {
    let mut seed: u64 = 2014;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n
    };
    let sizes = [6usize; 6];
    for _ in 0..4 {
        let utilities = (0..2)
            .map(|_| {
                let rects: Vec<Rect> = (0..25)
                    .map(|_| {
                        let width = 1 + next(4);
                        let mut issues: Vec<usize> = (0..width).map(|_| next(6)).collect();
                        issues.sort_unstable();
                        issues.dedup();
                        Rect {
                            utility: (1 + next(100)) as f64,
                            includes: issues
                                .into_iter()
                                .map(|i| {
                                    let (a, b) = (next(6), next(6));
                                    (i, a.min(b), a.max(b))
                                })
                                .collect(),
                        }
                    })
                    .collect();
                let total: f64 = rects.iter().map(|r| r.utility).sum();
                Utility::HyperRectangles(HyperRectangles {
                    rects,
                    scale: (total / 3.0).round(),
                    clip: true,
                })
            })
            .collect();
        check(&domain(&sizes, utilities)).expect("frontier equals brute force");
    }
}

/// A 24-issue hyper-rectangle domain (5^24 ≈ 6·10^16 outcomes) built from
/// 8 independent blocks of 3 issues, every rectangle inside one block:
/// its frontier is the non-dominated set of sums of one outcome per block,
/// which this test computes on its own in integers (each block enumerated,
/// the blocks' non-dominated sums merged with their outcome counts; a sum
/// that is not dominated has a non-dominated part in every block). The
/// analysis must be exact and equal it point for point, ties counted.
#[test]
fn block_structured_hyper_domain_equals_its_block_oracle() {
    const BLOCKS: usize = 8;
    const WIDTH: usize = 3;
    const VALUES: usize = 5;
    let mut seed: u64 = 1440;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n
    };
    // rects[party] = (utility, block, [(issue in block, lo, hi)]).
    type BlockRect = (i64, usize, Vec<(usize, usize, usize)>);
    let mut rects: Vec<Vec<BlockRect>> = vec![Vec::new(); 2];
    for block in 0..BLOCKS {
        for party_rects in &mut rects {
            for _ in 0..4 {
                let mut issues: Vec<usize> = (0..1 + next(WIDTH)).map(|_| next(WIDTH)).collect();
                issues.sort_unstable();
                issues.dedup();
                let bounds = issues
                    .into_iter()
                    .map(|i| {
                        let (a, b) = (next(VALUES), next(VALUES));
                        (i, a.min(b), a.max(b))
                    })
                    .collect();
                party_rects.push((1 + next(60) as i64, block, bounds));
            }
        }
    }
    let scale: Vec<i64> = rects
        .iter()
        .map(|rs| rs.iter().map(|r| r.0).sum())
        .collect();
    // The oracle: non-dominated integer sums with their outcome counts.
    let mut front: Vec<([i64; 2], u128)> = vec![([0, 0], 1)];
    for block in 0..BLOCKS {
        let mut here: std::collections::HashMap<[i64; 2], u128> = Default::default();
        for o in all_outcomes(&[VALUES; WIDTH]) {
            let mut u = [0i64; 2];
            for (p, rs) in rects.iter().enumerate() {
                for (w, b, bounds) in rs {
                    if *b == block && bounds.iter().all(|&(i, lo, hi)| (lo..=hi).contains(&o[i])) {
                        u[p] += w;
                    }
                }
            }
            *here.entry(u).or_default() += 1;
        }
        let mut sums: std::collections::HashMap<[i64; 2], u128> = Default::default();
        for (a, ca) in &front {
            for (b, cb) in &here {
                *sums.entry([a[0] + b[0], a[1] + b[1]]).or_default() += ca * cb;
            }
        }
        let mut all: Vec<([i64; 2], u128)> = sums.into_iter().collect();
        all.sort_by(|x, y| y.0[0].cmp(&x.0[0]).then(y.0[1].cmp(&x.0[1])));
        front.clear();
        let mut best = i64::MIN;
        for (v, c) in all {
            if v[1] > best {
                best = v[1];
                front.push((v, c));
            }
        }
    }
    let utilities = rects
        .iter()
        .zip(&scale)
        .map(|(rs, &s)| {
            Utility::HyperRectangles(HyperRectangles {
                rects: rs
                    .iter()
                    .map(|(w, b, bounds)| Rect {
                        utility: *w as f64,
                        includes: bounds
                            .iter()
                            .map(|&(i, lo, hi)| (b * WIDTH + i, lo, hi))
                            .collect(),
                    })
                    .collect(),
                scale: s as f64,
                clip: true,
            })
        })
        .collect();
    let d = domain(&[VALUES; BLOCKS * WIDTH], utilities);
    let a = analyze(&d, &AnalyzeOptions::default());
    assert!(a.exact, "{}", a.method);
    assert_eq!(a.pareto_points, front.len());
    let mut got: Vec<(Vec<f64>, u128)> = a
        .pareto
        .iter()
        .map(|p| (p.utilities.clone(), p.ties))
        .collect();
    got.sort_by(|x, y| y.0[0].total_cmp(&x.0[0]));
    for ((u, ties), (v, count)) in got.iter().zip(&front) {
        for p in 0..2 {
            let want = v[p] as f64 / scale[p] as f64;
            assert!((u[p] - want).abs() < 1e-12, "{u:?} vs {v:?}");
        }
        assert_eq!(ties, count, "ties of {u:?}");
    }
    // Each listed outcome is worth what its point says.
    for p in &a.pareto {
        let o: Vec<usize> = p
            .outcome
            .iter()
            .map(|v| v.parse().expect("an index"))
            .collect();
        assert_eq!(d.utilities(&o), p.utilities);
    }
}

/// Two-party hyper-rectangle domains deep enough for every pruning device
/// of the branch and bound (split tables, re-splitting, grouped classes,
/// the non-convex tail test, the clip at 1): 6 to 8 issues of 3 or 4
/// values, 5 to 12 rectangles a party over 1 to 3 issues, integer
/// utilities (ties), some negative.
fn medium_rects() -> impl Strategy<Value = Domain> {
    proptest::collection::vec(3usize..5, 6..9).prop_flat_map(|sizes| {
        let n = sizes.len();
        let rect = (
            -3i8..40,
            proptest::collection::vec((0..n, 0usize..4, 0usize..4), 1..4),
        );
        (
            proptest::collection::vec(proptest::collection::vec(rect, 5..13), 2),
            any::<bool>(),
            Just(sizes),
        )
            .prop_map(|(ps, clip, sizes)| {
                let utilities = ps
                    .into_iter()
                    .map(|rs| {
                        let total: f64 = rs.iter().map(|r| f64::from(r.0.max(0))).sum();
                        Utility::HyperRectangles(HyperRectangles {
                            rects: rs
                                .into_iter()
                                .map(|(u, inc)| Rect {
                                    utility: f64::from(u),
                                    includes: inc
                                        .into_iter()
                                        .map(|(i, a, b)| (i, a.min(b), a.max(b)))
                                        .collect(),
                                })
                                .collect(),
                            scale: if clip {
                                (total / 2.0).max(1.0)
                            } else {
                                total.max(1.0)
                            },
                            clip,
                        })
                    })
                    .collect();
                domain(&sizes, utilities)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn medium_hyper_rectangle_frontier_equals_brute_force(d in medium_rects()) {
        check(&d)?;
    }
}
