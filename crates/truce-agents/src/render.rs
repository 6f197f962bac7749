//! The text form of a session: one line per offer with every party's
//! utility, then the result.

use std::fmt::Write as _;

use crate::outcome::End;
use crate::session::{Protocol, Session};

/// The session as a readable table: one line per offer with every party's
/// utility, then the result.
pub fn render_trace_text(session: &Session) -> String {
    let mut out = String::new();
    let agents: Vec<&str> = session.agents.iter().map(|a| a.name()).collect();
    let _ = writeln!(
        out,
        "{} — {} — {}",
        session.domain,
        match session.protocol {
            Protocol::Sao => "stacked alternating offers",
            Protocol::SingleText => match session.mediator {
                Some(m) => match m {
                    crate::MediatorKind::HillClimb => "mediated single text (hill-climb mediator)",
                    crate::MediatorKind::Annealing => "mediated single text (annealing mediator)",
                    crate::MediatorKind::Feedback => "mediated single text (feedback mediator)",
                    crate::MediatorKind::Mopac =>
                        "mediated single text (MOPaC rounds, then polishing)",
                },
                None => "mediated single text",
            },
        },
        if session.protocol == Protocol::Sao {
            session
                .parties
                .iter()
                .zip(&agents)
                .map(|(p, a)| format!("{p} ({a})"))
                .collect::<Vec<_>>()
                .join(" vs ")
        } else {
            session.parties.join(", ")
        }
    );
    let name_width = session
        .trace
        .iter()
        .map(|t| t.proposer.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = write!(out, "{:>5}  {:<name_width$}", "round", "proposer");
    for p in &session.parties {
        let _ = write!(out, "  {:>10}", truncate(p, 10));
    }
    let _ = writeln!(out, "  offer");
    for t in &session.trace {
        let _ = write!(out, "{:>5}  {:<name_width$}", t.round, t.proposer);
        for u in &t.utilities {
            let _ = write!(out, "  {:>10.4}", u);
        }
        let mark = match t.accepted {
            Some(true) => "  ✓ ",
            Some(false) => "  ✗ ",
            None => "  ",
        };
        let _ = writeln!(out, "{mark}{}", t.offer.join(", "));
    }
    match &session.agreement {
        Some(a) => {
            let utils: Vec<String> = session
                .utilities
                .iter()
                .map(|u| format!("{u:.4}"))
                .collect();
            let _ = writeln!(
                out,
                "agreement after {} rounds: {} (utilities {})",
                session.rounds,
                a.join(", "),
                utils.join(", ")
            );
            if let Some(w) = session.assessment.as_ref().and_then(|a| a.warning.as_ref()) {
                let _ = writeln!(out, "warning: {w}");
            }
        }
        None => {
            let why = match session.end {
                End::Timeout => "deadline reached",
                End::Left => "an agent left",
                End::Rejected => "a party vetoed the final text",
                End::Agreement => "",
            };
            let _ = writeln!(out, "no agreement after {} rounds ({why})", session.rounds);
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}
