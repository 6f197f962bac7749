//! Store errors. Messages name deals and sequence numbers only, never the
//! deal JSON or tokens, so they are safe to log.

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A deal with this id (given) is already stored.
    #[error("deal {0} already exists")]
    DealExists(String),
    /// The database URL names neither PostgreSQL nor SQLite.
    #[error("unsupported database url (use postgres://…, sqlite://PATH or a file path)")]
    BadUrl,
    /// Applying the embedded migrations failed.
    #[error("failed to migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database driver reported an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A value read from the database cannot be what the store wrote (the
    /// text says which kind of value).
    #[error("a stored value is out of range: {0}")]
    Corrupt(&'static str),
    /// The append writer task has ended, so the append was not made.
    #[error("the store's writer has stopped")]
    WriterGone,
    /// The batch this append was part of did not commit; nothing of it was
    /// stored.
    #[error("the database failed to commit a batch of events")]
    CommitFailed,
    /// Another process inserted the same row first (a unique-key violation).
    #[error("a concurrent writer appended to the same deal")]
    Concurrent,
    /// An at-rest key is not 64 hex digits.
    #[error("the at-rest key must be 64 hex digits (32 bytes, e.g. `openssl rand -hex 32`)")]
    BadSealKey,
    /// Sealing failed: no nonce could be drawn from the operating system.
    #[error("cannot seal a value: no randomness from the operating system")]
    Seal,
    /// A stored value is sealed with a key (its id given) that the store
    /// was not opened with.
    #[error(
        "a value in the database is sealed with the at-rest key {0}, which this service was not given (pass it as the current or previous key)"
    )]
    UnknownSealKey(String),
}

impl StoreError {
    /// The database was busy (locked, a serialisation failure, a deadlock
    /// broken, no free connection in time): nothing was done, and the same
    /// request may succeed in a moment. A service answers `503` with
    /// `Retry-After`, never `500`.
    pub fn is_contention(&self) -> bool {
        match self {
            StoreError::Concurrent | StoreError::CommitFailed => true,
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            StoreError::Database(sqlx::Error::Database(d)) => match d.code().as_deref() {
                // PostgreSQL's SQLSTATE: serialization_failure,
                // deadlock_detected, lock_not_available.
                Some(code) if code.len() == 5 => matches!(code, "40001" | "40P01" | "55P03"),
                // SQLite's (extended) result code: SQLITE_BUSY or
                // SQLITE_LOCKED in the low byte.
                Some(code) => code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)),
                None => false,
            },
            _ => false,
        }
    }
}

/// An append was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The event is not the next link: another event took its seq, or its
    /// `prev` is not the head's hash.
    #[error("the deal's next event is seq {expected}")]
    Conflict {
        /// The seq the deal expected when the event was refused; after a
        /// race with another process it is the event's own seq (re-read
        /// the head).
        expected: u64,
    },
    /// The store failed (nothing was appended).
    #[error(transparent)]
    Store(#[from] StoreError),
}
