//! A busy database is a `503` with `Retry-After` on every path, reads
//! included, never a `500`. A connection of the test's own holds the
//! database's write lock (SQLite `BEGIN IMMEDIATE` and a write; PostgreSQL
//! `LOCK TABLE deals IN EXCLUSIVE MODE`), deal creations pile up behind it
//! and hold every connection of the service's pool, and every read path is
//! then asked while no connection is free.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use sqlx::Connection;
use tokio::task::JoinSet;
use tower::ServiceExt;
use truce_server::{AppState, app};
use truce_store::{OpenOptions, Store};

use crate::support::{
    Reply, activate, create_body, create_deal, database_url, request, send, unique,
};

/// A lock the test holds, on the service's database, from outside it.
enum Holder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Holder {
    async fn take(url: &str) -> Holder {
        if url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql("BEGIN; LOCK TABLE deals IN EXCLUSIVE MODE")
                .execute(&mut c)
                .await
                .expect("lock");
            Holder::Postgres(c)
        } else {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{url}"))
                .await
                .expect("connect");
            // IMMEDIATE takes the write lock at BEGIN; the write keeps it
            // for a transaction that has changed something.
            sqlx::raw_sql(
                "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS busy_probe (x INTEGER); \
                 INSERT INTO busy_probe VALUES (1)",
            )
            .execute(&mut c)
            .await
            .expect("lock");
            Holder::Sqlite(c)
        }
    }

    async fn release(self) {
        match self {
            Holder::Sqlite(mut c) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut c)
                    .await
                    .expect("release");
            }
            Holder::Postgres(mut c) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut c)
                    .await
                    .expect("release");
            }
        }
    }
}

/// A database of this test's own on PostgreSQL (a lock on a shared one
/// would stall the other tests); a fresh SQLite file otherwise.
async fn own_database() -> String {
    let url = database_url();
    if !url.starts_with("postgres") {
        return url;
    }
    let name = unique("busy").replace('-', "_");
    let mut admin = sqlx::PgConnection::connect(&url).await.expect("connect");
    // The name is this test's own: letters, digits and underscores.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let (base, query) = url
        .split_once('?')
        .map_or((url.as_str(), ""), |(b, q)| (b, q));
    let server = base.rsplit_once('/').expect("database in url").0;
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

fn assert_busy(what: &str, reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {}",
        reply.text
    );
    assert_eq!(reply.content_type, "application/problem+json", "{what}");
    assert_eq!(reply.body["kind"], "store-busy", "{what}: {}", reply.text);
}

async fn get_as(app: &Router, uri: &str, token: Option<&str>, cookie: Option<&str>) -> Reply {
    let mut r = request("GET", uri, token, None);
    if let Some(c) = cookie {
        r.headers_mut()
            .insert(header::COOKIE, c.parse().expect("cookie"));
    }
    send(app, r).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_read_path_answers_503_when_the_database_is_busy() {
    let url = own_database().await;
    // Writers wait for the lock as long as the test holds it; a request
    // finding no free connection gives up at once.
    let store = Store::open_with(
        &url,
        OpenOptions {
            lock_wait: Duration::from_secs(120),
            acquire_wait: Duration::from_millis(200),
            ..OpenOptions::default()
        },
    )
    .await
    .expect("store");
    let service = app(AppState::new(store.clone(), None));
    let deal = create_deal(&service, 2).await;
    activate(&service, &deal).await;
    let (cookie, _, _) = crate::room::sign_in(&service, deal.token("mediator"), false).await;
    let mediator = Some(deal.token("mediator"));
    let id = deal.id.to_string();
    let api = [
        format!("/api/v1/deals/{id}"),
        format!("/api/v1/deals/{id}/state"),
        format!("/api/v1/deals/{id}/checkpoint"),
        format!("/api/v1/deals/{id}/events"),
        format!("/api/v1/deals/{id}/ledger.jsonl"),
    ];
    let room = [
        "/room/overview",
        "/room/plan",
        "/room/timeline",
        "/room/persons",
        "/room/ledger",
        "/room/ledger.jsonl",
        "/room/keys.json",
    ];
    for uri in &api {
        let reply = get_as(&service, uri, mediator, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text);
    }
    for uri in room {
        let reply = get_as(&service, uri, None, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text);
    }

    let holder = Holder::take(&url).await;
    // Deal creations wait on the lock, each holding a connection (one
    // more than the larger pool, 8 on PostgreSQL).
    let mut writers = JoinSet::new();
    for _ in 0..9 {
        let service = service.clone();
        writers.spawn(async move {
            let body = create_body(&unique("busy-deal"), 1).to_string();
            send(&service, request("POST", "/api/v1/deals", None, Some(body))).await
        });
    }
    // Until the pool is taken, a read may still be served; never a 500.
    let state_uri = &api[1];
    let mut busy = false;
    for _ in 0..500 {
        let reply = get_as(&service, state_uri, mediator, None).await;
        assert_ne!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            reply.text
        );
        if reply.status == StatusCode::SERVICE_UNAVAILABLE {
            busy = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(busy, "the pool was never taken by the waiting writers");

    for uri in &api {
        let reply = get_as(&service, uri, mediator, None).await;
        assert_busy(uri, &reply);
    }
    for uri in room {
        let reply = get_as(&service, uri, None, Some(&cookie)).await;
        assert_busy(uri, &reply);
    }
    // A service that has not yet seen this token or this deal reads both
    // from the store: busy too.
    let cold = app(AppState::new(store.clone(), None));
    assert_busy(
        "cold state",
        &get_as(&cold, state_uri, mediator, None).await,
    );
    let health = send(&service, request("GET", "/api/v1/health", None, None)).await;
    assert_eq!(
        health.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        health.text
    );
    // A busy answer tells when to come back.
    let raw = service
        .clone()
        .oneshot(request("GET", state_uri, mediator, None))
        .await
        .expect("answer");
    assert_eq!(raw.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(raw.headers()[header::RETRY_AFTER], "1");

    holder.release().await;
    while let Some(reply) = writers.join_next().await {
        let reply = reply.expect("writer");
        assert!(
            reply.status == StatusCode::CREATED || reply.status == StatusCode::SERVICE_UNAVAILABLE,
            "a deal creation behind the lock: {} {}",
            reply.status,
            reply.text
        );
    }
    for uri in &api {
        let reply = get_as(&cold, uri, mediator, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri} after: {}", reply.text);
    }
}
