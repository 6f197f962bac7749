//! Request logs say method, route, status and latency: never a roster, a
//! person, a token or a body, whatever the request and its answer.

use std::io::Write;
use std::sync::{Arc, Mutex};

use truce_ledger::Event;

use crate::support::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_no_persons_tokens_or_bodies() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // The test runtime is single-threaded: every task logs through this.
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = test_app().await;
    let deal = create_deal(&app, 3).await;
    activate(&app, &deal).await;
    record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0002"]),
    )
    .await;
    // Failures too: a refused handover naming a person, a malformed body.
    let again = sign_next(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0002"]),
    )
    .await;
    post_event(&app, &deal, "relief", &again).await;
    let uri = format!("/api/v1/deals/{}/events", deal.id);
    send(
        &app,
        request(
            "POST",
            &uri,
            Some(deal.token("relief")),
            Some("{\"A-0003\":1".to_owned()),
        ),
    )
    .await;
    for role in ["mediator", "side-a", "monitor"] {
        send(
            &app,
            request(
                "GET",
                &format!("/api/v1/deals/{}", deal.id),
                Some(deal.token(role)),
                None,
            ),
        )
        .await;
    }
    record(
        &app,
        &deal,
        "side-b",
        Event::HandoverConfirmed { handover: 6 },
    )
    .await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("route=\"/api/v1/deals/{deal}/events\""),
        "{log}"
    );
    assert!(
        log.contains("status=409") || log.contains("status=422"),
        "{log}"
    );
    let secrets = ["A-0001", "A-0002", "A-0003", "B-0001", "Test pause"];
    for secret in secrets {
        assert!(!log.contains(secret), "the log shows {secret}:\n{log}");
    }
    for (_, token) in &deal.tokens {
        assert!(!log.contains(&token[6..]), "a token in the log");
    }
}
