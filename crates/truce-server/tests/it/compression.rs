//! Answers are compressed as the client accepts (gzip, brotli), decode to
//! exactly the plain answer, and keep their headers (the CSP among them);
//! the room's live stream is never compressed.

use std::io::Read;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{activate, create_deal, test_app};

async fn fetch(
    app: &Router,
    uri: &str,
    encoding: Option<&str>,
    cookie: Option<&str>,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut r = Request::builder().uri(uri);
    if let Some(e) = encoding {
        r = r.header(header::ACCEPT_ENCODING, e);
    }
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let answer = app
        .clone()
        .oneshot(r.body(Body::empty()).expect("request"))
        .await
        .expect("answer");
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("brotli");
    out
}

#[tokio::test]
async fn pages_and_json_are_compressed_and_decode_to_the_plain_answer() {
    let app = test_app().await;
    let deal = create_deal(&app, 40).await;
    activate(&app, &deal).await;
    let (cookie, _, _) = crate::room::sign_in(&app, deal.token("mediator"), false).await;
    let state = format!("/api/v1/deals/{}/state", deal.id);
    let cases: [(&str, Option<&str>, Option<&str>); 4] = [
        ("/room/overview", Some(cookie.as_str()), None),
        ("/room/persons", Some(cookie.as_str()), None),
        ("/room/assets/room.js", None, None),
        (state.as_str(), None, Some(deal.token("mediator"))),
    ];
    for (uri, cookie, token) in cases {
        let (status, plain_headers, plain) = fetch(&app, uri, None, cookie, token).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            plain_headers.get(header::CONTENT_ENCODING).is_none(),
            "{uri}"
        );
        for (accept, encoding, decode) in [
            ("gzip", "gzip", gunzip as fn(&[u8]) -> Vec<u8>),
            ("br;q=1.0, gzip;q=0.5", "br", unbrotli),
        ] {
            let (status, headers, bytes) = fetch(&app, uri, Some(accept), cookie, token).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert_eq!(headers[header::CONTENT_ENCODING], encoding, "{uri}");
            assert!(bytes.len() < plain.len(), "{uri}: {encoding} is smaller");
            assert_eq!(decode(&bytes), plain, "{uri} as {encoding}");
            for name in [header::CONTENT_TYPE, header::CONTENT_SECURITY_POLICY] {
                assert_eq!(headers.get(&name), plain_headers.get(&name), "{uri} {name}");
            }
            assert!(
                headers[header::VARY]
                    .to_str()
                    .expect("vary")
                    .contains("accept-encoding"),
                "{uri}"
            );
        }
    }
}

#[tokio::test]
async fn the_live_stream_is_never_compressed() {
    let app = test_app().await;
    let deal = create_deal(&app, 1).await;
    let (cookie, _, _) = crate::room::sign_in(&app, deal.token("mediator"), false).await;
    let answer = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/room/stream")
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT_ENCODING, "br, gzip")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("answer");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::CONTENT_TYPE], "text/event-stream");
    assert!(answer.headers().get(header::CONTENT_ENCODING).is_none());
    // The first event arrives as it is sent, not when a buffer fills.
    let mut body = answer.into_body();
    let frame = body.frame().await.expect("a frame").expect("data");
    let data = frame.into_data().expect("data frame");
    assert!(
        String::from_utf8_lossy(&data).contains(": live"),
        "{data:?}"
    );
}
