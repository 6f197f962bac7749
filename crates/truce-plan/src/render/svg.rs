//! An SVG chart: cumulative releases per side (lines) and exposure per day
//! (bars, with the deal's bound dashed).
//!
//! Written by hand rather than with a plotting crate: the chart is two
//! panels of lines and bars (~100 lines of text), and plotting crates bring
//! font and image stacks we would not otherwise need, and output that is
//! harder to keep byte-stable for snapshots. The figures come from the
//! independent checker, so the chart shows recomputed numbers, not claims.

use std::fmt::Write;

use truce_spec::Deal;

use super::number;
use crate::check::check_plan;
use crate::plan::{Plan, to_json};

const WIDTH: f64 = 640.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP_Y: (f64, f64) = (50.0, 230.0);
const BOTTOM_Y: (f64, f64) = (280.0, 370.0);
const HEIGHT: f64 = 410.0;
const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

/// The chart as a standalone SVG document.
pub fn export_svg(deal: &Deal, plan: &Plan) -> String {
    let report = check_plan(deal, &to_json(plan));
    let days = plan.days_used.max(1);
    let x = |day: f64| LEFT + (WIDTH - LEFT - RIGHT) * day / f64::from(days);
    let holders: Vec<&String> = report.released.keys().collect();
    let most = report.released.values().copied().max().unwrap_or(0).max(1);
    let y_top = |n: f64| TOP_Y.1 - (TOP_Y.1 - TOP_Y.0) * n / f64::from(most);
    let bound = deal.release.max_exposure.map(f64::from);
    let most_exposure = report
        .days
        .iter()
        .map(|d| d.max_exposure)
        .fold(bound.unwrap_or(0.0), f64::max)
        .max(1.0);
    let y_bottom = |e: f64| BOTTOM_Y.1 - (BOTTOM_Y.1 - BOTTOM_Y.0) * e / most_exposure;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<title>{}</title>"#, xml(&plan.deal));
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="20" font-size="14">{} — cumulative releases and exposure</text>"#,
        xml(&plan.deal)
    );
    // Axes and day ticks for both panels.
    for (y0, y1) in [TOP_Y, BOTTOM_Y] {
        let _ = writeln!(
            s,
            r##"<path d="M{LEFT} {y0}V{y1}H{}" fill="none" stroke="#333"/>"##,
            WIDTH - RIGHT
        );
    }
    for day in 0..=days {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{day}</text>"#,
            x(f64::from(day)),
            BOTTOM_Y.1 + 15.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">day</text>"#,
        (LEFT + WIDTH - RIGHT) / 2.0,
        BOTTOM_Y.1 + 30.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="end">{most}</text>"#,
        LEFT - 5.0,
        TOP_Y.0 + 4.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="end">0</text>"#,
        LEFT - 5.0,
        TOP_Y.1 + 4.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
        LEFT - 5.0,
        BOTTOM_Y.0 + 4.0,
        number(most_exposure)
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}">exposure per day</text>"#,
        LEFT + 5.0,
        BOTTOM_Y.0 - 5.0
    );
    // Cumulative releases, one line per holder, starting from 0 at day 0.
    for (i, h) in holders.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let mut total = 0u32;
        let mut points = vec![format!("{:.1},{:.1}", x(0.0), y_top(0.0))];
        for d in &report.days {
            total += d.released.get(*h).copied().unwrap_or(0);
            points.push(format!(
                "{:.1},{:.1}",
                x(f64::from(d.day)),
                y_top(f64::from(total))
            ));
        }
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            points.join(" ")
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" fill="{colour}">{} ({total})</text>"#,
            LEFT + 5.0,
            TOP_Y.0 + 14.0 * (i as f64 + 1.0),
            xml(h)
        );
    }
    // Exposure bars, centred on their day.
    let bar = (WIDTH - LEFT - RIGHT) / f64::from(days) * 0.5;
    for d in &report.days {
        let top = y_bottom(d.max_exposure);
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{top:.1}" width="{bar:.1}" height="{:.1}" fill="#999"><title>day {}: {}</title></rect>"##,
            x(f64::from(d.day)) - bar / 2.0,
            BOTTOM_Y.1 - top,
            d.day,
            number(d.max_exposure)
        );
    }
    if let Some(b) = bound {
        let _ = writeln!(
            s,
            r##"<path d="M{LEFT} {:.1}H{}" stroke="#d62728" stroke-dasharray="4 3"/>"##,
            y_bottom(b),
            WIDTH - RIGHT
        );
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{:.1}" text-anchor="end" fill="#d62728">bound {}</text>"##,
            WIDTH - RIGHT,
            y_bottom(b) - 3.0,
            number(b)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
