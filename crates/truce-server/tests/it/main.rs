//! The service's tests. Every module runs on SQLite by default; with the
//! `postgres-tests` feature the same modules run on the PostgreSQL at
//! `TRUCE_TEST_POSTGRES_URL` (see `.ci/postgres.sh`).

mod attacks;
mod browser;
mod busy;
mod compliance;
mod compression;
mod concurrency;
mod crash;
mod drain;
mod edges;
mod flow;
mod logs;
mod openapi;
mod problems;
mod roles;
mod room;
mod room_texts;
mod scenarios;
mod support;
mod texts;
mod tls;
mod withdraw;
