//! The text rendering of an analysis: a readable report with one table.

use std::fmt::Write;

use super::analysis::{Analysis, Disagreement, Point, TiedValues};

fn utils(u: &[f64]) -> String {
    u.iter()
        .map(|x| format!("{x:.6}"))
        .collect::<Vec<_>>()
        .join("  ")
}

fn point_line(out: &mut String, label: &str, p: Option<&Point>) {
    let _ = match p {
        Some(p) => writeln!(
            out,
            "{label}: {}  [{}]",
            utils(&p.utilities),
            p.outcome.join(", ")
        ),
        None => writeln!(out, "{label}: none (no rational outcome on the frontier)"),
    };
}

/// The issues on which tied outcomes differ, with their values.
fn tie_summary(a: &Analysis, t: &TiedValues) -> String {
    let free: Vec<String> = a
        .issues
        .iter()
        .zip(&t.values)
        .filter(|(_, vs)| vs.len() > 1)
        .map(|(name, vs)| {
            if vs.len() <= 4 {
                format!("{name} in {{{}}}", vs.join(", "))
            } else {
                format!("{name}: {} values", vs.len())
            }
        })
        .collect();
    let mut s = if free.is_empty() {
        "same values".to_owned()
    } else {
        free.join("; ")
    };
    if !t.complete {
        s.push_str("; at least");
    }
    s
}

/// Renders an analysis as a readable report with a frontier table.
pub fn render_text(a: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "domain {} ({:?}, {:?} reading): {} issues, {} outcomes, {} parties",
        a.domain,
        a.format,
        a.reading,
        a.issues.len(),
        a.outcomes_text(),
        a.parties.len()
    );
    for (k, name) in a.parties.iter().enumerate() {
        let r = a.reservation.get(k).copied().unwrap_or(0.0);
        let [lo, hi] = a.utility_ranges.get(k).copied().unwrap_or([0.0, 0.0]);
        let discount = match a.discount.get(k).copied().flatten() {
            Some(d) if d > 0.0 && d < 1.0 => format!(", discount {d} (ignored)"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  u{k} = {name}: reservation {r:.6}, utility {lo:.6} .. {hi:.6}{discount}"
        );
    }
    let _ = writeln!(
        out,
        "Pareto frontier: {} points, {} outcomes{} ({}){}",
        a.pareto_points,
        a.pareto_outcomes,
        if a.pareto_complete {
            ""
        } else if a.pareto.iter().any(|p| p.tied_values.is_some()) {
            ", ties summarised"
        } else {
            ", not all listed"
        },
        a.method,
        if a.exact { "" } else { ", NOT EXACT" }
    );
    let _ = if a.tolerance > 0.0 {
        writeln!(
            out,
            "  dominance decided with tolerance {:e} (utilities closer than this count as equal)",
            a.tolerance
        )
    } else {
        writeln!(
            out,
            "  dominance decided by exact comparison (tolerance 0, as GENIUS compares)"
        )
    };
    let width = a.parties.len() * 10;
    let _ = writeln!(
        out,
        "  {:>4}  {:<width$}  {:<8}  outcome",
        "#", "utilities", "rational"
    );
    for (k, p) in a.pareto.iter().enumerate() {
        let tie = match (&p.tied_values, p.ties > 1) {
            (Some(t), true) => format!(" (1 of {} tied: {})", p.ties, tie_summary(a, t)),
            (None, true) => format!(" (1 of {} tied)", p.ties),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {:>4}  {:<width$}  {:<8}  {}{tie}",
            k + 1,
            utils(&p.utilities),
            if p.rational { "yes" } else { "no" },
            p.outcome.join(", ")
        );
    }
    let d = match a.disagreement.definition {
        Disagreement::Reservation => "reservation values",
        Disagreement::ReservationOrWorst => "max(reservation, lowest utility)",
    };
    let _ = writeln!(
        out,
        "disagreement point ({d}): {}",
        utils(&a.disagreement.utilities)
    );
    point_line(&mut out, "Nash (max product of gains)", a.nash.as_ref());
    point_line(&mut out, "Kalai (GENIUS, min |u0-u1|)", a.kalai.as_ref());
    point_line(
        &mut out,
        "Kalai (NegMAS, max-min gain)",
        a.kalai_maxmin.as_ref(),
    );
    point_line(&mut out, "max welfare", a.max_welfare.as_ref());
    let _ = match a.opposition {
        Some(o) => writeln!(
            out,
            "opposition (NegMAS, nearest rational outcome to the ideal): {o:.6}"
        ),
        None => writeln!(out, "opposition (NegMAS): none"),
    };
    let _ = match a.opposition_anl {
        Some(o) => writeln!(
            out,
            "opposition (ANL 2023, GENIUS Kalai to the ideal): {o:.6}"
        ),
        None => writeln!(out, "opposition (ANL 2023): none"),
    };
    for n in &a.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}
