//! The truce mediator service: an HTTP API (axum on tokio) over
//! [`truce_store`], on SQLite by default or PostgreSQL.
//!
//! Endpoints (under `/api/v1`; the OpenAPI 3.1 document is at
//! `/api/v1/openapi.json`, the API explorer at `/api/v1/explorer/`):
//!
//! | method, path | who | does |
//! |---|---|---|
//! | `GET /health` | anyone | the service and its database answer |
//! | `POST /deals` | anyone (or the admin token, if set) | create a deal from its normalised JSON, public keys and optional person key; answers the person key and each party's bearer token, once |
//! | `GET /deals/{deal}` | the deal's parties | the deal as the role may see it (below) |
//! | `GET /deals/{deal}/state` | the deal's parties | phase, next seq, head: what a client signs against |
//! | `POST /deals/{deal}/events` | the deal's parties, each for itself | append a signed event; `201` with a receipt only once it is durable |
//! | `GET /deals/{deal}/events` | the deal's parties | every signed event; a handover's person ids where the role may see them |
//! | `GET /deals/{deal}/ledger.jsonl` | the deal's parties | the ledger for `truce verify` (persons by pseudonym only) |
//! | `GET /metrics` (at the root, not under `/api/v1`) | anyone (or the admin token, if set) | Prometheus counters: requests, appends, refusals by kind, latency, queue, connections |
//!
//! # A deal's life over the API
//!
//! 1. The mediator runs `truce check DEAL --format json` and generates the
//!    parties' keys (`keys.json`), then `POST /deals` with
//!    `{"id", "deal": <normalised JSON>, "keys": <keys.json>, "person_key"?}`.
//!    The answer holds `deal_hash`, the deal's `person_key` (the one sent,
//!    or 32 bytes from the operating system) and one bearer token per
//!    party; the server keeps only SHA-256 of each token, so they are shown
//!    this once. The mediator hands the person key to the sides and the
//!    intermediary (they can also read it from `GET /deals/{deal}`), never
//!    to guarantors or observers.
//! 2. Each party, with its own token and key: `GET /deals/{deal}/state`
//!    gives `next_seq` and `head`; it signs a `truce_ledger::Draft` with
//!    those and `POST`s the `SignedEvent` JSON. The first event is the
//!    mediator's `deal-created`, listing exactly the registered parties
//!    and roles; the sides' signatures in `deal-agreed` must be on the
//!    stored deal's `deal_hash` (`422 wrong-deal-hash` otherwise). A
//!    handover names each person by
//!    `truce_ledger::PersonKey::pseudonym(deal, person id)`; the service
//!    refuses (`422 unknown-person`) a pseudonym that is not a person held
//!    by the handover's `holder`, without saying which person it is. A
//!    `201` carries the receipt (`deal`, `seq`, `hash`) to keep for
//!    `truce verify --receipts`.
//!
//! # Who sees what
//!
//! | role | persons in `GET /deals/{deal}` | `persons` of handover events | `person_key` | export |
//! |---|---|---|---|---|
//! | mediator | all | all | yes | yes |
//! | side | its own roster and the persons handed to it | those it gives or receives | yes | yes |
//! | intermediary | the persons of the handovers it recorded | those it recorded | yes | yes |
//! | guarantor, observer | none: aggregates only | none | null | yes |
//!
//! A signed event never holds a person id: a handover lists pseudonyms, so
//! every role reads every signed event whole (`EventView::signed`) and may
//! export the ledger; without the person key a handover tells its day,
//! holder, receiver and how many persons it carried. The service resolves
//! pseudonyms through the deal's roster and adds the person ids
//! (`EventView::persons`) only for the roles above. Every role sees the
//! terms without persons and the aggregates (persons per holder and
//! category). Whoever holds the person key can test a guessed person id
//! against the pseudonyms (SAFETY.md). A token of one deal
//! gets `404` on every other deal, exactly as for a deal that does not
//! exist. An event is accepted only from its author's token; the lifecycle
//! rules of `truce_ledger` decide what each role may author (`403` when the
//! role may not).
//!
//! # Answers
//!
//! `400` malformed body or query, `401` no or unknown token, `403` role or
//! author forbids, `404` no such deal for this token, `405`, `409` not the
//! next link (replayed, stale `prev`, out of order, or lost a race: read
//! `/state` and sign again), `413` body over the route's limit
//! ([`MAX_DEAL_BODY`], [`MAX_EVENT_BODY`], 64 KiB otherwise), `415` not
//! JSON, `422` bad signature, bad keys, deal or person key, an unknown
//! person, an agreement on another deal than the one stored, or a lifecycle
//! rule refuses;
//! `503` (with `Retry-After`) the store did not commit or was busy, the
//! service holds as many bodies as it may, or every connection is busy:
//! nothing was done, retry. `truce_server::client` retries `409` and `503`
//! itself, signing again on the new head.
//! Every error answer, from any route, is `application/problem+json`
//! ([`Problem`]).
//!
//! # The room
//!
//! `GET /` is the room, the web interface of every party (module `room`):
//! sign in at `/room/signin` with a token or a one-time code
//! (`POST /room/signin-codes` with the bearer token mints one), then
//! `/room/overview`, `/room/plan`, `/room/timeline` (live over
//! `/room/stream`), `/room/persons`, `/room/manifest`, `/room/ledger`,
//! each cut to the role as above. Pages sign events with the party's own
//! key in the browser and post them to `/room/events`, which is the API's
//! append behind the session and its CSRF token. Every answer carries
//! [`CONTENT_SECURITY_POLICY`].
//!
//! # Connections
//!
//! [`serve`] runs its own accept loop (hyper's HTTP/1.1 server, TCP_NODELAY):
//! a client has [`HEADER_READ_TIMEOUT`] (10 s) to send a request's line and
//! headers, and a keep-alive connection idle that long is closed; then
//! [`REQUEST_DEADLINE`] (30 s) bounds reading the body and answering. At
//! most [`MAX_CONNECTIONS`] (1024) are open, [`MAX_CONNECTIONS_PER_PEER`]
//! (128) from one peer; beyond a cap the connection idle longest is closed
//! to make room, and a newcomer is refused (`503`) only when all are busy.
//! Under pressure (¾ of the cap) the timeouts shorten to
//! [`PRESSURED_HEADER_READ_TIMEOUT`] and [`PRESSURED_REQUEST_DEADLINE`]. A
//! connection serves [`MAX_REQUESTS_PER_CONNECTION`] requests and lives
//! [`MAX_CONNECTION_LIFETIME`] at most. A body is read only after its
//! sender is authenticated and a declared length within the route's limit,
//! within the [`BODY_BUDGET`]. Shutdown (SIGTERM, SIGINT,
//! [`ServerHandle::shutdown`]) stops accepting and lets the requests in
//! flight finish.
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
pub mod client;
mod error;
mod handlers;
mod openapi;
mod room;
mod serve;
mod state;
mod texts;
mod views;

pub use api::{
    Aggregate, AgreedText, AlgorithmChoice, AmendmentKept, CreateDeal, CreatedDeal,
    DEFAULT_TEXT_ROUNDS, DealView, EventPage, EventView, EventsQuery, ExecutionView, ExposureView,
    FindingView, FlowView, Health, ListView, NextTextView, PartyToken, PartyView, PlanKept,
    PostText, PostVote, PostWithdrawal, ReceiptView, ReleasedView, StateView, TextIssue, TextKept,
    TextView, TextWithdrawn, TextsView, VoteKept, VoteView, WithdrawalView,
};
pub use error::{AppError, PROBLEM_JSON, Problem};
pub use handlers::{MAX_DEAL_BODY, MAX_EVENT_BODY, MAX_PAGE};
pub use openapi::{ApiDoc, openapi};
pub use room::CONTENT_SECURITY_POLICY;
pub use room::i18n::message_files;
pub use serve::{
    BODY_BUDGET, HEADER_READ_TIMEOUT, Limits, MAX_CONNECTION_LIFETIME, MAX_CONNECTIONS,
    MAX_CONNECTIONS_PER_PEER, MAX_REQUESTS_PER_CONNECTION, PRESSURED_HEADER_READ_TIMEOUT,
    PRESSURED_REQUEST_DEADLINE, REQUEST_DEADLINE, ServeError, ServeOptions, ServerHandle, Tls,
    TlsFiles, app, init_logging, run, serve, serve_tls, serve_with, start_in_process,
    start_in_process_with_key, termination,
};
pub use state::{AppState, Caller};
pub use texts::{MAX_ALGORITHM_ROUNDS, MAX_TEXT_BODY};
/// The at-rest keys of [`ServeOptions::at_rest`].
pub use truce_store::{SealKey, SealKeys};
