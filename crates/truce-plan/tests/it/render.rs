//! The forms people read: snapshots of text, CSV, calendar and chart.

use truce_plan::{ExportError, PlanOptions, export_csv, export_ics, export_svg, plan, render_text};
use truce_spec::AgreedDeal;

use crate::deals::*;

/// Two children and a family of two at 1:2 through capacity 6, two days.
fn small() -> AgreedDeal {
    B::new("Small pause")
        .days(3)
        .category("child", 1)
        .category("woman", 2)
        .category("detainee", 1)
        .via("relief", Some(6), Some(2))
        .side("side-a", [None, None, None, None], &many("detainee", 8))
        .side(
            "side-b",
            [None, None, None, None],
            &[
                ("child", None),
                ("woman", Some("f")),
                ("child", Some("f")),
                ("woman", None),
            ],
        )
        .exchange(
            ("side-b", &["child", "woman"]),
            ("side-a", &["detainee"]),
            2,
        )
        .max_exposure(2)
        .agreed()
}

#[test]
fn text_table() {
    let deal = small();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    insta::assert_snapshot!(render_text(&deal, &p));
}

#[test]
fn csv_one_row_per_person() {
    let deal = small();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    let csv = export_csv(&deal, &p).expect("csv");
    assert_eq!(csv.lines().count(), 1 + deal.persons.len());
    insta::assert_snapshot!(csv);
}

#[test]
fn calendar_one_event_per_handover() {
    let deal = small();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    let ics = export_ics(&deal, &p).expect("ics");
    let handovers: usize = p.stages.iter().map(|s| s.handovers.len()).sum();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), handovers);
    assert!(ics.lines().all(|l| l.len() <= 75));
    insta::assert_snapshot!(ics.replace("\r\n", "\n"));
}

#[test]
fn calendar_needs_a_start_date() {
    let mut deal = small().into_inner();
    deal.start = None;
    let deal = AgreedDeal::new(deal).expect("agreed");
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    assert_eq!(export_ics(&deal, &p), Err(ExportError::NoStartDate));
}

#[test]
fn chart() {
    let deal = small();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    insta::assert_snapshot!(export_svg(&deal, &p));
}

#[test]
fn infeasible_text_names_the_conflict() {
    let deal = crate::infeasible::short_pause();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    insta::assert_snapshot!(render_text(&deal, &p));
}

/// The plan JSON contract (`status`, `gap`, `released`, `days_used`,
/// `max_exposure`, `stages[{day, handovers[{from, via, persons}]}]`).
#[test]
fn plan_json_contract() {
    let deal = small();
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    insta::assert_snapshot!(truce_plan::to_json(&p));
}

/// A plan the step budget could not prove says, in words, which level is
/// not proven, how far it may be, and what is proven before it.
#[test]
fn unproven_text_names_the_level() {
    let deal = crate::deals::humanitarian();
    let opts = PlanOptions {
        step_budget: 3_000,
        method: truce_plan::Method::UnitSearch,
        ..PlanOptions::default()
    };
    let p = plan(&deal, &opts).expect("plan");
    let text = render_text(&deal, &p);
    let line = text.lines().nth(2).expect("a third line");
    insta::assert_snapshot!(line);
}

/// With a handover window of 10:00–16:00, each day's two handovers are timed
/// events in its two halves (10:00–13:00, 13:00–16:00), not all-day ones.
#[test]
fn calendar_with_a_window_of_day() {
    let mut deal = small().into_inner();
    deal.release.window = Some(truce_spec::Window {
        from: 10 * 60,
        to: 16 * 60,
    });
    let deal = AgreedDeal::new(deal).expect("agreed");
    let p = plan(&deal, &PlanOptions::default()).expect("plan");
    let ics = export_ics(&deal, &p).expect("ics");
    assert!(!ics.contains("VALUE=DATE"), "{ics}");
    assert!(
        ics.contains("DTSTART:20260302T100000\r\nDTEND:20260302T130000"),
        "{ics}"
    );
    assert!(
        ics.contains("DTSTART:20260302T130000\r\nDTEND:20260302T160000"),
        "{ics}"
    );
    assert!(render_text(&deal, &p).contains("Handovers between 10:00 and 16:00"));
}
