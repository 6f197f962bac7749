//! The replays of public agreements in `examples/replays/` (vendored into
//! this test by `include_str!`): each plan releases the historical totals,
//! in the historical number of days where the terms alone determine it.
//! The historical figures below are public aggregates, each checked against
//! more than one report (sources: examples/replays/README.md).

use truce_plan::{PlanOptions, check_plan, from_json, plan};

use crate::fixtures::load_files;

struct History {
    folder: &'static str,
    files: [(&'static str, &'static str); 3],
    plan_json: &'static str,
    /// Persons released by each holder, as reported.
    released: [(&'static str, u32); 2],
    days: u32,
    /// Whether the terms alone fix the number of days (a daily limit or
    /// release days); if not, the plan may only need fewer.
    days_determined: bool,
}

macro_rules! replay {
    ($folder:literal) => {
        (
            $folder,
            [
                (
                    "deal.toml",
                    include_str!(concat!(
                        "../../../../examples/replays/",
                        $folder,
                        "/deal.toml"
                    )),
                ),
                (
                    "rosters/hamas.csv",
                    include_str!(concat!(
                        "../../../../examples/replays/",
                        $folder,
                        "/rosters/hamas.csv"
                    )),
                ),
                (
                    "rosters/israel.csv",
                    include_str!(concat!(
                        "../../../../examples/replays/",
                        $folder,
                        "/rosters/israel.csv"
                    )),
                ),
            ],
            include_str!(concat!(
                "../../../../examples/replays/",
                $folder,
                "/plan.json"
            )),
        )
    };
}

fn histories() -> Vec<History> {
    let mut out = Vec::new();
    for ((folder, files, plan_json), released, days, days_determined) in [
        // 50 women and children for 150 women and minors over the four base days.
        (
            replay!("nov-2023-pause"),
            [("hamas", 50), ("israel", 150)],
            4,
            false,
        ),
        // 10 hostages and 30 prisoners on each of the two extra days.
        (
            replay!("nov-2023-extension"),
            [("hamas", 20), ("israel", 60)],
            2,
            true,
        ),
        // 3 hostages for 90 prisoners on the first day of phase one.
        (
            replay!("jan-2025-phase-one-day-1"),
            [("hamas", 3), ("israel", 90)],
            1,
            true,
        ),
    ] {
        out.push(History {
            folder,
            files,
            plan_json,
            released,
            days,
            days_determined,
        });
    }
    out
}

#[test]
fn each_replay_releases_the_historical_totals_in_the_historical_days() {
    for h in histories() {
        let files: Vec<(String, String)> = h
            .files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect();
        let deal = load_files(&files);
        let p = plan(&deal, &PlanOptions::default()).unwrap();
        for (holder, n) in h.released {
            assert_eq!(p.released[holder], n, "{}: {holder}", h.folder);
        }
        if h.days_determined {
            assert_eq!(p.days_used, h.days, "{}", h.folder);
        } else {
            assert!(
                p.days_used <= h.days,
                "{}: the terms allow the history",
                h.folder
            );
        }
        // The plan shipped beside the replay is the one truce computes.
        assert_eq!(
            from_json(h.plan_json).unwrap(),
            p,
            "{}: plan.json is stale",
            h.folder
        );
    }
}

#[test]
fn the_november_2023_daily_history_keeps_every_term_of_the_base_agreement() {
    let h = &histories()[0];
    let files: Vec<(String, String)> = h
        .files
        .iter()
        .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
        .collect();
    let deal = load_files(&files);
    let text = include_str!("../../../../examples/replays/nov-2023-pause/history.json");
    let report = check_plan(&deal, text);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    // 13, 13, 13 and 11 hostages; 39, 39, 39 and 33 prisoners, as reported.
    let history = from_json(text).unwrap();
    let per_day: Vec<(usize, usize)> = history
        .stages
        .iter()
        .map(|s| (s.handovers[0].persons.len(), s.handovers[1].persons.len()))
        .collect();
    assert_eq!(per_day, [(13, 39), (13, 39), (13, 39), (11, 33)]);
}
