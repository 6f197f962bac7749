//! `truce status` in words: where a deal stands on the service.

use std::fmt::Write as _;

use truce_server::StateView;

/// The state view as a mediator reads it aloud.
pub fn render(state: &StateView) -> String {
    let mut out = String::new();
    let e = &state.execution;
    let _ = writeln!(out, "Deal {}: {}", state.deal, state.phase);
    let ended = e
        .ended
        .as_deref()
        .map_or(String::new(), |w| format!(" ({w})"));
    let end = e
        .pause_end
        .as_deref()
        .map_or(String::new(), |d| format!(", ending {d}"));
    let _ = writeln!(
        out,
        "Day {} of {}{end}{ended}: {} base day(s) and {} extra.",
        e.day, e.pause_days, e.base_days, e.extension_days
    );
    let _ = writeln!(
        out,
        "\n{:<12} {:<18} {:>9} {:>8} {:>7}",
        "holder", "category", "released", "planned", "roster"
    );
    for r in &e.released {
        let planned = r.planned.map_or("-".to_owned(), |p| p.to_string());
        let _ = writeln!(
            out,
            "{:<12} {:<18} {:>9} {:>8} {:>7}",
            r.holder, r.category, r.released, planned, r.roster
        );
    }
    if !e.exposure_now.is_empty() {
        let now: Vec<String> = e
            .exposure_now
            .iter()
            .filter(|x| x.exposure > 0.0)
            .map(|x| format!("{} {} (rule {})", x.side, x.exposure, x.rule))
            .collect();
        let now = if now.is_empty() {
            "none".to_owned()
        } else {
            now.join(", ")
        };
        let _ = writeln!(
            out,
            "\nExposure now: {now}; largest so far {}.",
            e.max_exposure
        );
    }
    let _ = writeln!(
        out,
        "Unconfirmed handovers: {}; open breach reports: {}.",
        list(&state.unconfirmed_handovers),
        list(&e.open_breaches)
    );
    if e.findings.is_empty() {
        let _ = writeln!(
            out,
            "Findings: none: execution keeps the terms and the plan so far."
        );
    } else {
        let _ = writeln!(
            out,
            "Findings: {} ({} open):",
            e.findings.len(),
            e.open_findings
        );
        for f in &e.findings {
            let state = match (&f.ruling, f.ruled_at) {
                (Some(r), Some(seq)) => format!("{r} at seq {seq}"),
                _ => "open".to_owned(),
            };
            let _ = writeln!(out, "  {} ({state}): {}", f.id, f.message);
        }
    }
    out
}

fn list(seqs: &[u64]) -> String {
    if seqs.is_empty() {
        "none".to_owned()
    } else {
        seqs.iter()
            .map(|s| format!("seq {s}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
