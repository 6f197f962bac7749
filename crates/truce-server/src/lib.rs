//! The truce mediator service: an HTTP API (axum on tokio) over
//! [`truce_store`], on SQLite by default or PostgreSQL.
//!
//! Endpoints (under `/api/v1`; the OpenAPI 3.1 document is at
//! `/api/v1/openapi.json`, the API explorer at `/api/v1/explorer/`):
//!
//! | method, path | who | does |
//! |---|---|---|
//! | `GET /health` | anyone | the service and its database answer |
//! | `POST /deals` | anyone (or the admin token, if set) | create a deal from its normalised JSON and public keys; answers each party's bearer token, once |
//! | `GET /deals/{deal}` | the deal's parties | the deal as the role may see it ([`views`](crate) table in `views.rs`) |
//! | `GET /deals/{deal}/state` | the deal's parties | phase, next seq, head: what a client signs against |
//! | `POST /deals/{deal}/events` | the deal's parties, as authors | append a signed event; `201` with a receipt only once it is durable |
//! | `GET /deals/{deal}/events` | the deal's parties | events, with the persons of handovers the role may not see redacted to a count |
//! | `GET /deals/{deal}/ledger.jsonl` | parties who may see every event | the ledger for `truce verify` |
//!
//! The client signs; the server verifies the signature, the chain link and
//! the lifecycle rules with `truce_ledger::DealLedger` before storing, and
//! answers `201` only after the store's commit.
//!
//! Errors are `application/problem+json` ([`AppError`]): 4xx for anything
//! the client can fix (never a 500), with no persons, rosters or tokens in
//! them. Request logs carry method, route, status and latency only.
//!
//! ```no_run
//! # async fn demo() -> Result<(), truce_server::ServeError> {
//! let (addr, handle) = truce_server::start_in_process("sqlite::memory:").await?;
//! println!("http://{addr}/api/v1/explorer/");
//! handle.shutdown().await;
//! # Ok(()) }
//! ```

mod api;
mod auth;
mod error;
mod handlers;
mod openapi;
mod serve;
mod state;
mod views;

pub use api::{
    Aggregate, CreateDeal, CreatedDeal, DealView, EventPage, EventView, EventsQuery, Health,
    PartyToken, PartyView, ReceiptView, RedactedHandover, StateView,
};
pub use error::{AppError, PROBLEM_JSON, Problem};
pub use handlers::{MAX_DEAL_BODY, MAX_EVENT_BODY, MAX_PAGE};
pub use openapi::{ApiDoc, openapi};
pub use serve::{
    ServeError, ServeOptions, ServerHandle, app, init_logging, run, serve, start_in_process,
};
pub use state::{AppState, Caller};
