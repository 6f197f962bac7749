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
