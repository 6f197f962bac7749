//! An SVG chart of an analysis: the outcome cloud, the Pareto frontier, the
//! reservation values and the solution points, in the first two parties'
//! utilities.

use std::fmt::Write;

use super::analysis::{Analysis, Point};
use crate::domain::Domain;
use crate::dynamics::Dynamics;

/// Utility vectors of outcomes to draw behind the frontier, and whether they
/// are a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Cloud {
    /// One utility vector per drawn outcome.
    pub points: Vec<Vec<f64>>,
    /// `true` when the domain has more than the requested number of
    /// outcomes and these are a deterministic pseudo-random sample.
    pub sampled: bool,
}

/// Every outcome's utilities when there are at most `max_points` outcomes,
/// otherwise `max_points` outcomes drawn with a fixed seed. Enumeration is
/// capped by `max_points`, so memory stays bounded on any domain.
pub fn outcome_cloud(domain: &Domain, max_points: usize) -> Cloud {
    let sizes: Vec<usize> = domain.issues.iter().map(|i| i.values.len()).collect();
    let total = domain.outcome_count();
    if total <= max_points as u128 {
        let mut points = Vec::with_capacity(max_points.min(total as usize));
        let mut outcome = vec![0usize; sizes.len()];
        'all: loop {
            points.push(domain.utilities(&outcome));
            for (k, &n) in sizes.iter().enumerate().rev() {
                let Some(v) = outcome.get_mut(k) else {
                    break 'all;
                };
                *v += 1;
                if *v < n {
                    continue 'all;
                }
                *v = 0;
            }
            break;
        }
        return Cloud {
            points,
            sampled: false,
        };
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut points = Vec::with_capacity(max_points);
    for _ in 0..max_points {
        let outcome: Vec<usize> = sizes
            .iter()
            .map(|&n| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((seed >> 33) % n.max(1) as u64) as usize
            })
            .collect();
        points.push(domain.utilities(&outcome));
    }
    Cloud {
        points,
        sampled: true,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const W: f64 = 640.0;
const H: f64 = 520.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 190.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;

struct Axes {
    lo: [f64; 2],
    hi: [f64; 2],
}

impl Axes {
    fn x(&self, u: f64) -> f64 {
        LEFT + (u - self.lo[0]) / (self.hi[0] - self.lo[0]) * (W - LEFT - RIGHT)
    }
    fn y(&self, u: f64) -> f64 {
        H - BOTTOM - (u - self.lo[1]) / (self.hi[1] - self.lo[1]) * (H - TOP - BOTTOM)
    }
}

/// Renders the chart; parties beyond the first two are not drawn (the title
/// says so).
pub fn render_svg(a: &Analysis, cloud: &Cloud) -> String {
    render(a, cloud, None)
}

/// The chart with a negotiation's offers over it: each party's offers in its
/// own colour, joined in the order made (a mediator's texts in grey), the
/// agreement as a filled star-like square.
pub fn render_trajectory_svg(a: &Analysis, cloud: &Cloud, d: &Dynamics) -> String {
    render(a, cloud, Some(d))
}

/// One proposer's offers in the first two utilities, in the order made.
type OfferLine = (Option<usize>, Vec<(f64, f64)>);

const PARTY_COLOURS: [&str; 4] = ["#e6550d", "#3182bd", "#31a354", "#756bb1"];

fn trajectory(s: &mut String, ax: &Axes, d: &Dynamics) {
    let mut lines: Vec<OfferLine> = Vec::new();
    for (who, u) in &d.trajectory {
        let (Some(&x), Some(&y)) = (u.first(), u.get(1)) else {
            continue;
        };
        match lines.iter_mut().find(|l| l.0 == *who) {
            Some(l) => l.1.push((x, y)),
            None => lines.push((*who, vec![(x, y)])),
        }
    }
    for (who, pts) in &lines {
        let colour = who.map_or("#777", |p| PARTY_COLOURS[p % PARTY_COLOURS.len()]);
        let path: Vec<String> = pts
            .iter()
            .map(|&(u, v)| format!("{:.1},{:.1}", ax.x(u), ax.y(v)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.2" stroke-opacity="0.8"/>"#,
            path.join(" ")
        );
        for &(u, v) in pts {
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"/>"#,
                ax.x(u),
                ax.y(v)
            );
        }
    }
    if d.outcome.agreement.is_some()
        && let (Some(&u), Some(&v)) = (d.outcome.utilities.first(), d.outcome.utilities.get(1))
    {
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="#000" transform="rotate(45 {:.1} {:.1})"/>"##,
            ax.x(u) - 5.0,
            ax.y(v) - 5.0,
            ax.x(u),
            ax.y(v)
        );
    }
    let lx = W - RIGHT + 20.0;
    let mut ly = H - BOTTOM - 20.0 * (d.parties.len() as f64 + 1.0);
    for (p, name) in d.parties.iter().enumerate().take(PARTY_COLOURS.len()) {
        let colour = PARTY_COLOURS[p];
        let _ = writeln!(
            s,
            r#"<circle cx="{lx:.1}" cy="{:.1}" r="4" fill="{colour}"/><text x="{:.1}" y="{ly:.1}">offers of {}</text>"#,
            ly - 4.0,
            lx + 12.0,
            escape(name)
        );
        ly += 20.0;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="#000" transform="rotate(45 {lx:.1} {:.1})"/><text x="{:.1}" y="{ly:.1}">agreement</text>"##,
        lx - 4.0,
        ly - 8.0,
        ly - 4.0,
        lx + 12.0
    );
}

fn render(a: &Analysis, cloud: &Cloud, dynamics: Option<&Dynamics>) -> String {
    let ax = axes(a);
    let mut s = String::new();
    frame(&mut s, a, &ax);
    outcome_dots(&mut s, &ax, cloud);
    reservation_lines(&mut s, a, &ax);
    frontier(&mut s, a, &ax);
    legend(&mut s, a, &ax, cloud);
    if let Some(d) = dynamics {
        trajectory(&mut s, &ax, d);
    }
    s.push_str("</svg>\n");
    s
}

/// The axes: each party's utility range, widened to its reservation value.
fn axes(a: &Analysis) -> Axes {
    let range = |k: usize| a.utility_ranges.get(k).copied().unwrap_or([0.0, 1.0]);
    let mut lo = [range(0)[0], range(1)[0]];
    let mut hi = [range(0)[1], range(1)[1]];
    for k in 0..2 {
        let r = a.reservation.get(k).copied().unwrap_or(lo[k]);
        lo[k] = lo[k].min(r);
        if hi[k] <= lo[k] || hi[k].is_nan() {
            hi[k] = lo[k] + 1.0;
        }
    }
    Axes { lo, hi }
}

/// The chart's frame: the title, the plot box, the tick labels and the
/// axis names.
fn frame(s: &mut String, a: &Analysis, ax: &Axes) {
    let (lo, hi) = (ax.lo, ax.hi);
    let name = |k: usize| escape(a.parties.get(k).map_or("", String::as_str));
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let more = if a.parties.len() > 2 {
        format!(" (first 2 of {} parties)", a.parties.len())
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="15">{}: {} outcomes{more}</text>"#,
        escape(&a.domain),
        a.outcomes_text()
    );
    let (x0, x1, y0, y1) = (ax.x(lo[0]), ax.x(hi[0]), ax.y(lo[1]), ax.y(hi[1]));
    let _ = writeln!(
        s,
        r##"<rect x="{x0:.1}" y="{y1:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#444"/>"##,
        x1 - x0,
        y0 - y1
    );
    for (k, (x, y, anchor)) in [(x0, y0 + 16.0, "start"), (x1, y0 + 16.0, "end")]
        .into_iter()
        .enumerate()
    {
        let v = if k == 0 { lo[0] } else { hi[0] };
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{v:.3}</text>"#
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{y0:.1}" text-anchor="end">{:.3}</text>"#,
        x0 - 6.0,
        lo[1]
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{:.3}</text>"#,
        x0 - 6.0,
        y1 + 10.0,
        hi[1]
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">u0 = {}</text>"#,
        (x0 + x1) / 2.0,
        H - 20.0,
        name(0)
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">u1 = {}</text>"#,
        (y0 + y1) / 2.0,
        name(1)
    );
}

/// Every outcome (or the sample) as a grey dot.
fn outcome_dots(s: &mut String, ax: &Axes, cloud: &Cloud) {
    let _ = writeln!(s, r##"<g fill="#bbb">"##);
    for p in &cloud.points {
        if let (Some(&u), Some(&v)) = (p.first(), p.get(1)) {
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="1.5"/>"#,
                ax.x(u),
                ax.y(v)
            );
        }
    }
    let _ = writeln!(s, "</g>");
}

/// Each party's reservation value as a dashed line across the plot.
fn reservation_lines(s: &mut String, a: &Analysis, ax: &Axes) {
    let (x0, x1, y0, y1) = (
        ax.x(ax.lo[0]),
        ax.x(ax.hi[0]),
        ax.y(ax.lo[1]),
        ax.y(ax.hi[1]),
    );
    for k in 0..2 {
        let Some(&r) = a.reservation.get(k) else {
            continue;
        };
        let (xa, ya, xb, yb) = if k == 0 {
            (ax.x(r), y0, ax.x(r), y1)
        } else {
            (x0, ax.y(r), x1, ax.y(r))
        };
        let _ = writeln!(
            s,
            r##"<line x1="{xa:.1}" y1="{ya:.1}" x2="{xb:.1}" y2="{yb:.1}" stroke="#999" stroke-dasharray="4 3"/>"##
        );
    }
}

/// The Pareto frontier as a line through its points.
fn frontier(s: &mut String, a: &Analysis, ax: &Axes) {
    let mut front: Vec<(f64, f64)> = a
        .pareto
        .iter()
        .filter_map(|p| Some((*p.utilities.first()?, *p.utilities.get(1)?)))
        .collect();
    front.sort_by(|p, q| p.0.total_cmp(&q.0));
    front.dedup();
    let path: Vec<String> = front
        .iter()
        .map(|&(u, v)| format!("{:.1},{:.1}", ax.x(u), ax.y(v)))
        .collect();
    let _ = writeln!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#222" stroke-width="1.5"/>"##,
        path.join(" ")
    );
    for &(u, v) in &front {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#222"/>"##,
            ax.x(u),
            ax.y(v)
        );
    }
}

/// The solution concepts marked on the plot, and the legend beside it.
fn legend(s: &mut String, a: &Analysis, ax: &Axes, cloud: &Cloud) {
    let marks: [(&str, &str, Option<&Point>); 4] = [
        ("Nash", "#d62728", a.nash.as_ref()),
        ("Kalai (GENIUS)", "#1f77b4", a.kalai.as_ref()),
        ("Kalai (max-min)", "#9467bd", a.kalai_maxmin.as_ref()),
        ("max welfare", "#2ca02c", a.max_welfare.as_ref()),
    ];
    let lx = W - RIGHT + 20.0;
    for (k, (label, color, p)) in marks.iter().enumerate() {
        let ly = TOP + 20.0 + 22.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<circle cx="{lx:.1}" cy="{:.1}" r="6" fill="none" stroke="{color}" stroke-width="2"/>"#,
            ly - 4.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{ly:.1}">{label}</text>"#,
            lx + 12.0
        );
        if let Some((Some(&u), Some(&v))) = p.map(|p| (p.utilities.first(), p.utilities.get(1))) {
            let r = 6.0 + 2.0 * k as f64;
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="none" stroke="{color}" stroke-width="2"/>"#,
                ax.x(u),
                ax.y(v)
            );
        }
    }
    let ly = TOP + 20.0 + 22.0 * 4.0;
    let _ = writeln!(
        s,
        r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#999" stroke-dasharray="4 3"/>"##,
        lx - 6.0,
        ly - 4.0,
        lx + 6.0,
        ly - 4.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{ly:.1}">reservation</text>"#,
        lx + 12.0
    );
    let sample = if cloud.sampled {
        format!("{} sampled outcomes", cloud.points.len())
    } else {
        "all outcomes".to_owned()
    };
    // Two short lines: one long line would run past the legend column.
    let _ = writeln!(
        s,
        r##"<text x="{lx:.1}" y="{:.1}" fill="#666">grey dots:</text>"##,
        ly + 22.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{lx:.1}" y="{:.1}" fill="#666">{sample}</text>"##,
        ly + 38.0
    );
}
