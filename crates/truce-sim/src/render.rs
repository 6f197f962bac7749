//! The report for people: text, and two SVG charts (survival over days,
//! histogram of persons released). Plain strings, deterministic.

use std::fmt::Write as _;

use crate::summary::{DraftReport, Report};

/// The report as text.
pub fn render_text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} simulated executions per draft, seed {} (same result on any number of threads)",
        r.runs, r.seed
    );
    for d in &r.drafts {
        draft_text(&mut s, d);
    }
    if !r.comparisons.is_empty() {
        let _ = writeln!(
            s,
            "\nDifferences against {} (common random numbers):",
            r.drafts[0].label
        );
        for c in &r.comparisons {
            let e = &c.completion_points;
            let more = if e.mean >= 0.0 { "more" } else { "less" };
            let _ = writeln!(
                s,
                "  {} completes {:.1} ± {:.1} points {more} often than {}",
                c.draft,
                e.mean.abs(),
                e.ci95,
                c.baseline
            );
            let _ = writeln!(
                s,
                "    and releases {:+.1} ± {:.1} persons per run ({} runs only it completed, {} only {})",
                c.released.mean,
                c.released.ci95,
                c.runs_only_draft_completed,
                c.runs_only_baseline_completed,
                c.baseline
            );
            if e.mean.abs() <= e.ci95 {
                let _ = writeln!(
                    s,
                    "    (the completion difference is within its interval of zero: not established)"
                );
            }
        }
    }
    let _ = writeln!(s, "\nIntervals: {}.", r.ci_method);
    let _ = writeln!(
        s,
        "The risk model is an assumption, not data: the results say what follows from it."
    );
    s
}

fn draft_text(s: &mut String, d: &DraftReport) {
    let _ = writeln!(
        s,
        "\n{}: plan of {} persons in {} day(s), peak exposure {}",
        d.label, d.planned_released, d.planned_days, d.planned_max_exposure
    );
    let _ = writeln!(
        s,
        "  completed  {:5.1}% ± {:.1}   collapsed {:5.1}%   pause ran out {:5.1}%",
        100.0 * d.completion.mean,
        100.0 * d.completion.ci95,
        100.0 * d.collapse_probability,
        100.0 * d.expiry_probability
    );
    let r = &d.released;
    let _ = writeln!(
        s,
        "  released   mean {:.1} of {}   5% {}   median {}   95% {}   (expected loss {:.1})",
        r.mean, r.planned, r.p5, r.p50, r.p95, d.expected_loss
    );
    if let (Some(x), Some(rel)) = (
        d.expected_exposure_at_collapse,
        d.expected_released_at_collapse,
    ) {
        let _ = writeln!(
            s,
            "  at collapse: {rel:.1} persons released, exposure {x:.2} on average"
        );
    }
    if d.planned_carried_exposure > 0.0 {
        let _ = writeln!(
            s,
            "  the plan carries exposure overnight (deferred counter-releases): up to {}",
            d.planned_carried_exposure
        );
    }
    if let Some(note) = &d.extension_note {
        let _ = writeln!(s, "  note: {note}");
    }
    let _ = writeln!(s, "  days used  mean {:.2}", d.days_used_mean);
    let _ = writeln!(
        s,
        "  holder / category            planned    mean    5%   50%   95%"
    );
    for h in &d.per_holder {
        let r = &h.released;
        let _ = writeln!(
            s,
            "  {:<28} {:>7} {:>7.1} {:>5} {:>5} {:>5}",
            h.holder, r.planned, r.mean, r.p5, r.p50, r.p95
        );
        for c in d.per_category.iter().filter(|c| c.holder == h.holder) {
            let r = &c.released;
            let _ = writeln!(
                s,
                "    {:<26} {:>7} {:>7.1} {:>5} {:>5} {:>5}",
                c.category, r.planned, r.mean, r.p5, r.p50, r.p95
            );
        }
    }
    if !d.channels.is_empty() {
        let _ = writeln!(
            s,
            "  released outside the exchange            planned    mean    5%   50%   95%"
        );
        for c in &d.channels {
            let r = &c.released;
            let name = format!("{} via {}", c.holder, c.via);
            let _ = writeln!(
                s,
                "    {:<38} {:>7} {:>7.1} {:>5} {:>5} {:>5}",
                name, r.planned, r.mean, r.p5, r.p50, r.p95
            );
        }
    }
    if !d.flows.is_empty() {
        // Amounts of fuel run to six digits and more: wider columns.
        let _ = writeln!(
            s,
            "  delivered (the days the pause held)     planned       mean        5%       50%       95%"
        );
        for f in &d.flows {
            let r = &f.delivered;
            let _ = writeln!(
                s,
                "    {:<30} {:>10} {:>10.1} {:>9} {:>9} {:>9}   {}",
                f.flow, r.planned, r.mean, r.p5, r.p50, r.p95, f.unit
            );
        }
    }
}

const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const W: f64 = 640.0;
const H: f64 = 360.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

fn frame(s: &mut String, title: &str, x_label: &str, y_label: &str) {
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    let _ = writeln!(s, "<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>");
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"22\" font-size=\"14\" text-anchor=\"middle\">{}</text>",
        W / 2.0,
        escape(title)
    );
    let (x0, y0, x1, y1) = (LEFT, H - BOTTOM, W - RIGHT, TOP);
    let _ = writeln!(
        s,
        "<path d=\"M{x0} {y1}V{y0}H{x1}\" stroke=\"black\" fill=\"none\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        (x0 + x1) / 2.0,
        H - 12.0,
        escape(x_label)
    );
    let _ = writeln!(
        s,
        "<text x=\"16\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {})\">{}</text>",
        (y0 + y1) / 2.0,
        (y0 + y1) / 2.0,
        escape(y_label)
    );
}

/// The legend inside the plot, at its top (`top`) or bottom left corner.
fn legend(s: &mut String, labels: &[&str], top: bool) {
    let first = if top {
        TOP + 16.0
    } else {
        H - BOTTOM - 8.0 - 14.0 * (labels.len() as f64 - 1.0)
    };
    for (i, l) in labels.iter().enumerate() {
        let y = first + 14.0 * i as f64;
        let x = LEFT + 12.0;
        let _ = writeln!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            y - 9.0,
            COLOURS[i % COLOURS.len()],
            x + 14.0,
            y,
            escape(l)
        );
    }
}

/// P(not collapsed) by the end of each day, one step line per draft.
pub fn survival_svg(r: &Report) -> String {
    let mut s = String::new();
    frame(
        &mut s,
        "Survival: probability the deal has not collapsed",
        "day of the pause",
        "P(not collapsed)",
    );
    let days = r
        .drafts
        .iter()
        .map(|d| d.survival.len().saturating_sub(1))
        .max()
        .unwrap_or(1)
        .max(1);
    let (x0, y0, x1, y1) = (LEFT, H - BOTTOM, W - RIGHT, TOP);
    let x = |d: usize| x0 + (x1 - x0) * d as f64 / days as f64;
    let y = |p: f64| y0 - (y0 - y1) * p;
    for t in 0..=4 {
        let p = f64::from(t) / 4.0;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{p:.2}</text><path d=\"M{x0} {}H{x1}\" stroke=\"#ddd\"/>",
            x0 - 4.0,
            y(p) + 4.0,
            y(p)
        );
    }
    let step = days.div_ceil(10).max(1);
    for d in (0..=days).step_by(step) {
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{d}</text>",
            x(d),
            y0 + 16.0
        );
    }
    for (i, d) in r.drafts.iter().enumerate() {
        let mut path = format!("M{:.1} {:.1}", x(0), y(1.0));
        for (day, &p) in d.survival.iter().enumerate().skip(1) {
            let _ = write!(path, "H{:.1}V{:.1}", x(day), y(p));
        }
        let _ = writeln!(
            s,
            "<path d=\"{path}\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"/>",
            COLOURS[i % COLOURS.len()]
        );
    }
    let labels: Vec<&str> = r.drafts.iter().map(|d| d.label.as_str()).collect();
    legend(&mut s, &labels, false);
    s.push_str("</svg>\n");
    s
}

/// What each draft delivers besides the exchange, as a share of its plan:
/// one group of bars per resource flow (aid, fuel) and per channel outside
/// the exchange, one bar per draft (the mean over runs); `None` when no
/// draft has a flow or a channel.
pub fn delivered_svg(r: &Report) -> Option<String> {
    // (label, per draft: mean / planned)
    let mut groups: Vec<(String, Vec<f64>)> = Vec::new();
    let share = |mean: f64, planned: u64| {
        if planned == 0 {
            0.0
        } else {
            mean / planned as f64
        }
    };
    for d in &r.drafts {
        for f in &d.flows {
            if !groups.iter().any(|(l, _)| *l == f.flow) {
                groups.push((f.flow.clone(), Vec::new()));
            }
        }
        for c in &d.channels {
            let label = format!("{} via {}", c.holder, c.via);
            if !groups.iter().any(|(l, _)| *l == label) {
                groups.push((label, Vec::new()));
            }
        }
    }
    if groups.is_empty() {
        return None;
    }
    for (label, values) in &mut groups {
        for d in &r.drafts {
            let flow = d
                .flows
                .iter()
                .find(|f| f.flow == *label)
                .map(|f| share(f.delivered.mean, f.delivered.planned));
            let channel = d
                .channels
                .iter()
                .find(|c| format!("{} via {}", c.holder, c.via) == *label)
                .map(|c| share(c.released.mean, c.released.planned));
            values.push(flow.or(channel).unwrap_or(0.0));
        }
    }
    let mut s = String::new();
    frame(
        &mut s,
        "Aid, fuel and releases outside the exchange: mean share of the plan delivered",
        "resource flow or channel",
        "share of the plan",
    );
    let (x0, y0, x1, y1) = (LEFT, H - BOTTOM, W - RIGHT, TOP);
    let y = |p: f64| y0 - (y0 - y1) * p;
    for t in 0..=4 {
        let p = f64::from(t) / 4.0;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{p:.2}</text><path d=\"M{x0} {}H{x1}\" stroke=\"#ddd\"/>",
            x0 - 4.0,
            y(p) + 4.0,
            y(p)
        );
    }
    let gw = (x1 - x0) / groups.len() as f64;
    let bw = gw * 0.8 / r.drafts.len().max(1) as f64;
    for (g, (label, values)) in groups.iter().enumerate() {
        let gx = x0 + gw * g as f64 + gw * 0.1;
        for (i, &v) in values.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.6\" stroke=\"{colour}\"><title>{}: {:.1}%</title></rect>",
                gx + bw * i as f64,
                y(v.clamp(0.0, 1.0)),
                bw,
                y0 - y(v.clamp(0.0, 1.0)),
                escape(&r.drafts[i].label),
                100.0 * v
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x0 + gw * (g as f64 + 0.5),
            y0 + 16.0,
            escape(label)
        );
    }
    let labels: Vec<&str> = r.drafts.iter().map(|d| d.label.as_str()).collect();
    legend(&mut s, &labels, true);
    s.push_str("</svg>\n");
    Some(s)
}

/// Share of runs by persons released, one outlined histogram per draft
/// (at most 60 bins).
pub fn released_svg(r: &Report) -> String {
    let mut s = String::new();
    frame(
        &mut s,
        "Persons released at the end or at collapse",
        "persons released",
        "share of runs",
    );
    let max = r
        .drafts
        .iter()
        .map(|d| d.released.planned)
        .max()
        .unwrap_or(0)
        .max(1);
    let width = (max + 1).div_ceil(60);
    let bins = (max + 1).div_ceil(width);
    let shares: Vec<Vec<f64>> = r
        .drafts
        .iter()
        .map(|d| {
            let mut v = vec![0.0; bins as usize];
            for &[persons, runs] in &d.released_histogram {
                let b = ((persons / width) as usize).min(v.len() - 1);
                v[b] += runs as f64 / (r.runs.max(1)) as f64;
            }
            v
        })
        .collect();
    let top = shares
        .iter()
        .flatten()
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let (x0, y0, x1, y1) = (LEFT, H - BOTTOM, W - RIGHT, TOP);
    let bw = (x1 - x0) / bins as f64;
    let y = |p: f64| y0 - (y0 - y1) * p / top;
    for t in 0..=4 {
        let p = top * f64::from(t) / 4.0;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{p:.2}</text>",
            x0 - 4.0,
            y(p) + 4.0
        );
    }
    for b in (0..bins).step_by((bins as usize).div_ceil(8).max(1)) {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x0 + bw * (b as f64 + 0.5),
            y0 + 16.0,
            b * width
        );
    }
    for (i, v) in shares.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        for (b, &p) in v.iter().enumerate() {
            if p > 0.0 {
                let _ = writeln!(
                    s,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.35\" stroke=\"{colour}\"/>",
                    x0 + bw * b as f64,
                    y(p),
                    bw,
                    y0 - y(p)
                );
            }
        }
    }
    let labels: Vec<&str> = r.drafts.iter().map(|d| d.label.as_str()).collect();
    legend(&mut s, &labels, true);
    s.push_str("</svg>\n");
    s
}
