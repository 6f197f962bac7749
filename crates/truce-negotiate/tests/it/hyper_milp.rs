//! An independent oracle for the exact hyper-rectangle frontier (feature
//! `highs`): the frontier of each vendored ANAC 2014 hyper domain computed
//! by an ε-constraint sequence of MILPs solved by HiGHS, compared with the
//! branch and bound's point by point, and the utility ranges likewise.
//!
//! The model is written from the oracle's own reading of the XML
//! (`hyper::read_space`, GENIUS's definitions), sharing nothing with
//! truce's reader or search:
//! * a binary `z[i][v]` per issue and value, one value per issue;
//! * a binary `y[r]` per rectangle, exactly "every bound holds": `y[r] <=`
//!   the sum of `z` over the values a bound allows, for each bound, and
//!   `y[r] >=` the sum of those sums minus (bounds − 1);
//! * the raw sum `S[p] = Σ amount[r]·y[r]` of each party's rectangles, and
//!   GENIUS's cap as `c[p] = min(maxutility[p], S[p])` through a variable
//!   with `c[p] <= S[p]` and `c[p] <= maxutility[p]` (exact wherever `c` is
//!   maximised or bounded from below, which is all the sequence does).
//!
//! The sequence (two parties, rectangle utilities integers as in every
//! ANAC 2014 profile, so raw sums are integers): maximise `c[1]` subject to
//! `c[0]` above the last point's, then maximise `c[0]` subject to `c[1]` at
//! that optimum; the second optimum is the next frontier point; stop when
//! `c[0]` reaches its cap or no outcome is left. HiGHS stops at an absolute
//! gap of 0.5 on integer optima, so each optimum is exact. Each point's
//! utilities are recomputed from the outcome HiGHS returns.

use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, highs, variable,
};

use crate::hyper::{HProfile, HSpace, analysed, frontier_points, hyper_domains, read_space};

/// What one MILP optimises.
#[derive(Clone, Copy)]
enum Goal {
    /// The largest capped sum of a party.
    MaxCapped(usize),
    /// The smallest raw sum of a party.
    MinRaw(usize),
}

/// One MILP: `goal` subject to `c[p] >= t` for every `(p, t)` of `floors`
/// (raw units). Returns the outcome HiGHS found, or `None` when no outcome
/// satisfies the floors.
fn solve(
    space: &HSpace,
    profiles: &[&HProfile],
    goal: Goal,
    floors: &[(usize, f64)],
) -> Option<Vec<i64>> {
    let mut vars = ProblemVariables::new();
    let z: Vec<Vec<Variable>> = space
        .issues
        .iter()
        .map(|issue| {
            vars.add_vector(
                variable().binary(),
                (issue.upper - issue.lower + 1) as usize,
            )
        })
        .collect();
    let y: Vec<Vec<Variable>> = profiles
        .iter()
        .map(|p| vars.add_vector(variable().binary(), p.rects.len()))
        .collect();
    let capped: Vec<Variable> = profiles
        .iter()
        .map(|p| {
            // Bounded below by the least raw sum there can be (no free
            // column).
            let least: f64 = p.rects.iter().map(|r| r.amount.min(0.0)).sum();
            vars.add(variable().min(least).max(p.max_utility))
        })
        .collect();
    let raw = |k: usize| -> Expression {
        profiles[k]
            .rects
            .iter()
            .zip(&y[k])
            .map(|(r, &v)| r.amount * v)
            .sum()
    };
    let objective = match goal {
        Goal::MaxCapped(k) => Expression::from(capped[k]),
        Goal::MinRaw(k) => raw(k),
    };
    let mut model = match goal {
        Goal::MaxCapped(_) => vars.maximise(objective),
        Goal::MinRaw(_) => vars.minimise(objective),
    }
    .using(highs)
    // HiGHS 1.16's presolve called the first MILP of 10issueswithRV's second
    // step (c[0] >= 377) infeasible, though the outcome truce reports there
    // (raw sums 381 and 612, recomputed by `hyper.rs`) satisfies it and
    // HiGHS finds it without presolve. An oracle runs without it.
    .set_presolve(good_lp::solvers::highs::HighsPresolveType::Off)
    .set_mip_rel_gap(0.0)
    .expect("a gap")
    .set_mip_abs_gap(0.5)
    .expect("a gap");
    for zi in &z {
        model = model.with(constraint!(zi.iter().copied().sum::<Expression>() == 1));
    }
    for (k, p) in profiles.iter().enumerate() {
        for (r, &yr) in p.rects.iter().zip(&y[k]) {
            let mut all = Expression::from(0);
            for &(i, lo, hi) in &r.bounds {
                let issue = &space.issues[i];
                let allowed: Expression = (lo.max(issue.lower)..=hi.min(issue.upper))
                    .map(|v| z[i][(v - issue.lower) as usize])
                    .sum();
                model = model.with(constraint!(yr <= allowed.clone()));
                all += allowed;
            }
            let slack = r.bounds.len() as f64 - 1.0;
            model = model.with(constraint!(yr >= all - slack));
        }
        model = model.with(constraint!(capped[k] <= raw(k)));
    }
    for &(k, floor) in floors {
        model = model.with(constraint!(capped[k] >= floor));
    }
    let solution = match model.solve() {
        Ok(s) => s,
        Err(good_lp::ResolutionError::Infeasible) => return None,
        Err(e) => panic!("HiGHS failed: {e}"),
    };
    Some(
        space
            .issues
            .iter()
            .zip(&z)
            .map(|(issue, zi)| {
                let best = (0..zi.len())
                    .max_by(|&a, &b| solution.value(zi[a]).total_cmp(&solution.value(zi[b])))
                    .expect("an issue has values");
                issue.lower + best as i64
            })
            .collect(),
    )
}

/// The capped raw sum of a party at an outcome (GENIUS's utility times
/// `maxutility`).
fn capped(p: &HProfile, o: &[i64]) -> f64 {
    p.raw(o).min(p.max_utility)
}

/// The exact frontier by the ε-constraint sequence, as GENIUS utilities
/// in ascending order of the first party's.
fn milp_frontier(space: &HSpace, profiles: &[&HProfile]) -> Vec<Vec<f64>> {
    let mut points = Vec::new();
    let mut floor: Option<f64> = None;
    loop {
        let floors: Vec<(usize, f64)> = floor.map(|f| (0, f)).into_iter().collect();
        let Some(first) = solve(space, profiles, Goal::MaxCapped(1), &floors) else {
            break;
        };
        let best1 = capped(profiles[1], &first);
        let mut both = floors.clone();
        both.push((1, best1));
        let o = solve(space, profiles, Goal::MaxCapped(0), &both)
            .expect("the first solve's outcome satisfies the second's floors");
        assert_eq!(
            capped(profiles[1], &o),
            best1,
            "the second solve keeps c[1]"
        );
        let reached = capped(profiles[0], &o);
        assert!(floor.is_none_or(|f| reached >= f), "the floor holds");
        points.push(profiles.iter().map(|p| p.utility(&o)).collect());
        if reached >= profiles[0].max_utility {
            break;
        }
        // Raw sums are integers: the next point's is at least one more.
        floor = Some((reached + 1.0).min(profiles[0].max_utility));
    }
    points
}

fn check(name: &str) {
    let space = read_space(&hyper_domains().join(name));
    for p in &space.profiles {
        assert!(
            p.rects.iter().all(|r| r.amount.fract() == 0.0),
            "{name}: the sequence steps by whole raw units"
        );
    }
    let (domain, a) = analysed(name);
    assert!(a.exact, "{name}: {}", a.method);
    let profiles = space.in_party_order(&domain);
    assert_eq!(profiles.len(), 2, "{name}: the sequence is for two parties");

    let mut ours = frontier_points(&a);
    ours.sort_by(|x, y| x[0].total_cmp(&y[0]));
    let theirs = milp_frontier(&space, &profiles);
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{name}: truce {ours:?}\nMILP {theirs:?}"
    );
    for (x, y) in ours.iter().zip(&theirs) {
        assert!(
            x.iter().zip(y).all(|(a, b)| (a - b).abs() <= 1e-9),
            "{name}: truce {x:?}, MILP {y:?}"
        );
    }

    // Utility ranges: the smallest raw sum of each party, and its best.
    for (k, p) in profiles.iter().enumerate() {
        let low = solve(&space, &profiles, Goal::MinRaw(k), &[]).expect("an outcome");
        let high = solve(&space, &profiles, Goal::MaxCapped(k), &[]).expect("an outcome");
        let range = [p.utility(&low), p.utility(&high)];
        assert!(
            (a.utility_ranges[k][0] - range[0]).abs() <= 1e-9
                && (a.utility_ranges[k][1] - range[1]).abs() <= 1e-9,
            "{name} party {k}: truce {:?}, MILP {range:?}",
            a.utility_ranges[k]
        );
    }
}

#[test]
fn milp_frontier_of_10issueswithrv() {
    check("10issueswithRV");
}

#[test]
fn milp_frontier_of_30issues() {
    check("30issues");
}

#[test]
fn milp_frontier_of_50issues() {
    check("50issues");
}

#[test]
fn milp_frontier_of_50issueswithrv() {
    check("50issueswithRV");
}
