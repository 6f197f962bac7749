//! Odd requests: every query value is answered without a 500, and every
//! error answer, from any route (the explorer's too), is problem+json.

use axum::http::StatusCode;

use crate::support::*;

#[tokio::test]
async fn a_query_value_beyond_any_seq_is_an_empty_page_not_a_500() {
    let app = test_app().await;
    let deal = create_deal(&app, 2).await;
    activate(&app, &deal).await;
    for after in [
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
    ] {
        let uri = format!("/api/v1/deals/{}/events?after={after}", deal.id);
        let reply = send(
            &app,
            request("GET", &uri, Some(deal.token("mediator")), None),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "after={after}: {}",
            reply.text
        );
        assert_eq!(
            reply.body["events"],
            serde_json::json!([]),
            "{}",
            reply.text
        );
    }
    for query in [
        "after=18446744073709551616",
        "after=-1",
        "after=1e3",
        "limit=abc",
        "limit=4294967296",
        "after=%FF",
    ] {
        let uri = format!("/api/v1/deals/{}/events?{query}", deal.id);
        let reply = send(
            &app,
            request("GET", &uri, Some(deal.token("mediator")), None),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.text
        );
        assert_eq!(reply.content_type, "application/problem+json", "{query}");
    }
}

#[tokio::test]
async fn every_error_answer_is_problem_json() {
    let app = test_app().await;
    let cases = [
        ("GET", "/api/v1/explorer/no-such-file.js"),
        ("POST", "/api/v1/explorer/"),
        ("POST", "/api/v1/openapi.json"),
        ("DELETE", "/api/v1/health"),
        ("GET", "/api/v1/deals/%FF%FE"),
        ("GET", "/api/v1/deals/x/events/y"),
        ("GET", "/nothing-here"),
    ];
    for (method, uri) in cases {
        let reply = send(&app, request(method, uri, None, None)).await;
        assert!(
            reply.status.is_client_error(),
            "{method} {uri}: {}",
            reply.status
        );
        assert_eq!(
            reply.content_type, "application/problem+json",
            "{method} {uri}: {}",
            reply.text
        );
        assert_eq!(
            reply.body["status"],
            reply.status.as_u16(),
            "{method} {uri}"
        );
    }
}

/// The value of the metric line that starts with `name` (labels included).
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_what_was_asked_and_refused() {
    let app = test_app().await;
    for _ in 0..3 {
        let reply = send(&app, request("GET", "/api/v1/health", None, None)).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let reply = send(&app, request("GET", "/api/v1/deals/x", None, None)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = send(&app, request("GET", "/metrics", None, None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type.starts_with("text/plain; version=0.0.4"));
    let text = reply.text;
    let health = r#"truce_requests_total{method="GET",route="/api/v1/health",status="200"}"#;
    assert_eq!(metric(&text, health), Some(3.0), "{text}");
    assert_eq!(
        metric(&text, r#"truce_refusals_total{kind="unauthorized"}"#),
        Some(1.0),
        "{text}"
    );
    // Every request before this one, once in the histogram.
    assert_eq!(
        metric(&text, "truce_request_duration_seconds_count"),
        Some(4.0)
    );
    assert_eq!(
        metric(&text, r#"truce_request_duration_seconds_bucket{le="+Inf"}"#),
        Some(4.0)
    );
    assert_eq!(metric(&text, "truce_append_queue_depth"), Some(0.0));
    assert_eq!(metric(&text, "truce_events_appended_total"), Some(0.0));
}

#[tokio::test]
async fn with_an_admin_token_metrics_need_it() {
    let store = truce_store::Store::open(&database_url())
        .await
        .expect("store");
    let app = truce_server::app(truce_server::AppState::new(
        store,
        Some("admin-t".to_owned()),
    ));
    let reply = send(&app, request("GET", "/metrics", None, None)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = send(&app, request("GET", "/metrics", Some("admin-t"), None)).await;
    assert_eq!(reply.status, StatusCode::OK);
}
