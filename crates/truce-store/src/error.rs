//! Store errors. Messages name deals and sequence numbers only, never the
//! deal JSON or tokens, so they are safe to log.

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("deal {0} already exists")]
    DealExists(String),
    #[error("unsupported database url (use postgres://…, sqlite://PATH or a file path)")]
    BadUrl,
    #[error("failed to migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("a stored value is out of range: {0}")]
    Corrupt(&'static str),
    #[error("the store's writer has stopped")]
    WriterGone,
    #[error("the database failed to commit a batch of events")]
    CommitFailed,
    #[error("a concurrent writer appended to the same deal")]
    Concurrent,
}

/// An append was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The event is not the next link: another event took its seq, or its
    /// `prev` is not the head's hash.
    #[error("the deal's next event is seq {expected}")]
    Conflict { expected: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}
