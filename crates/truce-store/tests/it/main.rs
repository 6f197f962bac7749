//! The store's tests. Every module runs on SQLite by default; with the
//! `postgres-tests` feature the same modules run on the PostgreSQL at
//! `TRUCE_TEST_POSTGRES_URL` (see `.ci/postgres.sh`).

mod append;
mod deals;
#[cfg(not(feature = "postgres-tests"))]
mod sealed;
mod support;
mod texts;
#[cfg(feature = "postgres-tests")]
mod tls;
