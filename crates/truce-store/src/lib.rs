//! The truce event store: deals, parties, bearer-token hashes and each
//! deal's hash-chained events, on SQLite (embedded, one file) or PostgreSQL.
//!
//! - [`Storage`] is the storage trait; [`SqliteStorage`] and
//!   [`PgStorage`] implement it over sqlx with the *same* SQL text
//!   (`$1` placeholders, `BIGINT` and `TEXT` columns only) and the same
//!   migration files (`migrations/`, embedded with `include_str!`).
//! - [`Store`] is what a server holds: it opens either backend from a URL,
//!   runs the migrations, and puts appends through one writer task that
//!   commits them in groups (see "Durability").
//! - A deal row holds the normalised deal JSON and its hash, and the deal's
//!   person key (`truce_ledger::PersonKey`, hex): the key of the
//!   pseudonyms its handover events carry (migration `0002_person_key.sql`;
//!   deals created before it get one with [`Store::fill_person_key`]).
//!
//! # Durability
//!
//! [`Store::append`] returns only after the transaction holding the event
//! has committed: SQLite runs in WAL mode with `synchronous=FULL` (the WAL
//! is fsynced at every commit); PostgreSQL uses its default durable commit
//! (`synchronous_commit=on`). Appends that arrive while a commit is in
//! flight are committed together in the next transaction (group commit, at
//! most [`MAX_BATCH`] events), which is what lets one fsync serve many
//! events without weakening the rule that an acknowledged event is on disk.
//!
//! # Sequence numbers and optimistic concurrency
//!
//! The store assigns `seq`: an event is inserted only if its `seq` is the
//! deal's head seq + 1 and its `prev` equals the head's hash, checked inside
//! the same transaction; otherwise [`AppendError::Conflict`] (HTTP 409) says
//! which seq was expected. The primary key `(deal_id, seq)` is the backstop
//! when two server processes share one PostgreSQL database.
//!
//! The store does not verify signatures or lifecycle rules: the server does
//! that with `truce_ledger::DealLedger` before it calls [`Store::append`].
//!
//! # Other servers' changes
//!
//! [`Store::watch`] follows what other servers on the same database commit,
//! so each replica's live viewers see what another replica recorded: on
//! PostgreSQL every append (and every kept signature) sends a notification
//! on the [`CHANNEL`] channel at its commit, naming the deal and its new
//! head's seq; on an SQLite file the watch polls `PRAGMA data_version`
//! every [`SQLITE_POLL`] and reads the rows added since.
//!
//! # Encryption at rest
//!
//! Opened with [`Store::open_sealed`], the store seals each deal's JSON
//! (its rosters) and person key with XChaCha20-Poly1305 under the
//! operator's key ([`SealKeys`]), bound to the deal and column; tokens are
//! stored as hashes and events name persons by pseudonym only, so nothing
//! else in the database names a person. Rotation: open with the new key as
//! current and the old as previous; every value is re-sealed with the new
//! key before the store is returned, after which the old key may go.
//!
//! # URLs
//!
//! `postgres://…` / `postgresql://…` open PostgreSQL; `sqlite://PATH`,
//! `sqlite:PATH` or a bare file path open (and create) an SQLite file;
//! `sqlite::memory:` is an in-memory database for tests.

mod error;
mod model;
mod seal;
mod sql;
mod store;
mod watch;

pub use error::{AppendError, StoreError};
pub use model::{
    DealRecord, Head, NewDeal, NewEvent, PartyRecord, StoredEvent, TokenRecord, VotePut,
    WithdrawalPut,
};
pub use seal::{SealKey, SealKeys};
pub use sql::{PgStorage, SqliteStorage, Storage};
pub use store::{MAX_BATCH, OpenOptions, Signed, Store, token_hash};
pub use watch::{Announce, CHANNEL, Change, Next, SQLITE_POLL, Watch};
