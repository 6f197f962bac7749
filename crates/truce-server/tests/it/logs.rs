//! Request logs say method, route, status and latency: never a roster, a
//! person, a token or a body, whatever the request and its answer.

use std::io::Write;
use std::sync::{Arc, Mutex};

use tower::ServiceExt;
use truce_ledger::Event;

use crate::support::*;

std::thread_local! {
    /// This thread's capture buffer, while a test captures.
    static CAPTURE: std::cell::RefCell<Option<Arc<Mutex<Vec<u8>>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Writes to the calling thread's capture buffer, if it has one.
struct ThreadWriter;

impl Write for ThreadWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|c| {
            if let Some(out) = &*c.borrow() {
                out.lock().unwrap().extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Capture what this thread logs. One global subscriber for the whole test
/// binary, writing to the logging thread's buffer: a thread-local
/// subscriber would race with the other tests registering the same call
/// sites at the same moment, and lose lines.
fn capture() -> Arc<Mutex<Vec<u8>>> {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| ThreadWriter)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    });
    let buf = Arc::new(Mutex::new(Vec::new()));
    CAPTURE.with(|c| *c.borrow_mut() = Some(buf.clone()));
    buf
}

#[tokio::test]
async fn logs_carry_no_persons_tokens_or_bodies() {
    // The test runtime is single-threaded: every task logs on this thread.
    let captured = capture();
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

    // The room: sign-in forms carrying a token, good and bad, and pages
    // full of person ids.
    for token in [
        deal.token("mediator").to_owned(),
        format!("{}x", deal.token("side-a")),
    ] {
        room_sign_in(&app, &token).await;
    }

    let log = String::from_utf8(captured.lock().unwrap().clone()).unwrap();
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
    assert!(log.contains("route=\"/room/signin\""), "{log}");
    assert!(log.contains("route=\"/room/{view}\""), "{log}");
}

/// Sign in to the room with `token` through its form, then open the
/// Persons view.
async fn room_sign_in(app: &axum::Router, token: &str) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let page = app
        .clone()
        .oneshot(Request::get("/room/signin").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let pre = page.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .trim_start_matches("truce_signin=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let answer = app
        .clone()
        .oneshot(
            Request::post("/room/signin")
                .header(header::COOKIE, format!("truce_signin={pre}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={pre}&token={token}")))
                .unwrap(),
        )
        .await
        .unwrap();
    let session = answer
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("truce_session="))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .unwrap_or_default();
    app.clone()
        .oneshot(
            Request::get("/room/persons")
                .header(header::COOKIE, session)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn logs_carry_no_vote() {
    let captured = capture();
    let app = test_app().await;
    let deal = crate::texts::negotiated_deal(&app).await;
    let outcome: truce_ledger::Outcome = [
        ("pause-days", "4"),
        ("extension-max", "5"),
        ("aid-trucks", "100"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let signed = truce_ledger::sign_text(key_of(&deal.keys, "mediator"), &deal.id, 1, &outcome);
    let body = serde_json::json!({"round": 1, "outcome": outcome, "signature": signed.signature});
    let uri = format!("/api/v1/deals/{}/texts", deal.id);
    let reply = send(
        &app,
        request(
            "POST",
            &uri,
            Some(deal.token("mediator")),
            Some(body.to_string()),
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        axum::http::StatusCode::CREATED,
        "{}",
        reply.text
    );
    let hash = truce_ledger::text_hash(&deal.id, 1, &outcome);
    // A refused vote and a kept one.
    crate::texts::vote(&app, &deal, 1, &hash, false, "side-a", "side-b").await;
    let kept = crate::texts::vote(&app, &deal, 1, &hash, false, "side-a", "side-a").await;
    assert_eq!(
        kept.status,
        axum::http::StatusCode::CREATED,
        "{}",
        kept.text
    );
    send(
        &app,
        request("GET", &uri, Some(deal.token("mediator")), None),
    )
    .await;
    let vote = truce_ledger::sign_vote(key_of(&deal.keys, "side-a"), &deal.id, 1, &hash, false);
    let log = String::from_utf8(captured.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("route=\"/api/v1/deals/{deal}/texts/{round}/votes\""),
        "{log}"
    );
    for secret in [
        hex::encode(vote.signature.to_bytes()),
        "accept".to_owned(),
        "reject".to_owned(),
    ] {
        assert!(!log.contains(&secret), "the log shows {secret}:\n{log}");
    }
}
