//! The text trace of a session.

use truce_agents::{AgentKind, Protocol, SessionOptions, render_trace_text, run_session};
use truce_negotiate::Reading;

use crate::common::load;

#[test]
fn sao_trace_text() {
    let domain = load("Laptop", Reading::Genius);
    let s = run_session(
        &domain,
        &SessionOptions {
            agents: vec![AgentKind::Aspiration, AgentKind::TitForTat],
            ..SessionOptions::default()
        },
    )
    .unwrap();
    insta::assert_snapshot!(render_trace_text(&s));
    insta::assert_json_snapshot!(s);
}

#[test]
fn single_text_trace_text() {
    let domain = load("Laptop", Reading::Genius);
    let s = run_session(
        &domain,
        &SessionOptions {
            protocol: Protocol::SingleText,
            rounds: 12,
            seed: 3,
            ..SessionOptions::default()
        },
    )
    .unwrap();
    insta::assert_snapshot!(render_trace_text(&s));
}
