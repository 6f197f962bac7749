//! [`Store`]: open either backend from a URL, and the group-commit writer.

use std::str::FromStr;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{mpsc, oneshot};

use crate::error::{AppendError, StoreError};
use crate::model::{
    DealRecord, Head, NewDeal, NewEvent, PartyRecord, StoredEvent, TokenRecord, VotePut,
    WithdrawalPut,
};
use crate::seal::{SealKeys, open, seal, sealed_with_current};
use crate::sql::{PgStorage, SqliteStorage, Storage};

/// Connections of a PostgreSQL pool: eight for requests and the writer,
/// one for [`Store::watch`]'s listener.
const PG_CONNECTIONS: u32 = 9;

/// `plans.kind` of a kept plan.
const PLAN: &str = "plan";
/// `plans.kind` of a kept amended deal.
const AMENDED_DEAL: &str = "deal";
/// `plans.kind` of a deal with its open issues resolved to an agreed text.
const AGREED_DEAL: &str = "agreed-deal";
/// `plans.kind` of an amended deal offered for signing (key
/// `offer/{hash}/{seq}`: the table's key is the deal and key, whatever the
/// kind, and no other kind's key starts with a word).
const AMENDMENT_OFFER: &str = "amendment-offer";

/// What a collected signature signs (see [`Store::put_signature`]): each
/// kept as a `plans` row of its own kind (signatures over public hashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// A side's agreement to the deal hash (`agreement_message`).
    Agreement,
    /// A side's signature on an amendment (`amendment_message`).
    Amendment,
}

impl Signed {
    fn kind(self) -> &'static str {
        match self {
            Signed::Agreement => "agreement-signature",
            Signed::Amendment => "amendment-signature",
        }
    }
}

/// Most events committed in one transaction: enough to amortise an fsync
/// over a burst of clients, small enough to keep each commit short.
pub const MAX_BATCH: usize = 256;

/// Appends waiting for the writer; a full queue makes callers wait
/// (backpressure) rather than grow memory.
const QUEUE: usize = 4096;

/// How often the SQLite WAL is checkpointed, off the commit path.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// The hex SHA-256 of a bearer token: the only form in which tokens are
/// stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How long the store waits on a busy database before it answers
/// [`StoreError::is_contention`] (a service's `503`), never longer than a
/// request's deadline.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// At-rest keys (see [`Store::open_sealed`]).
    pub seal: Option<SealKeys>,
    /// How long a statement waits for a lock another connection holds:
    /// SQLite's `busy_timeout`, PostgreSQL's `lock_timeout`.
    pub lock_wait: Duration,
    /// How long a request waits for a free connection of the pool.
    pub acquire_wait: Duration,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions {
            seal: None,
            lock_wait: Duration::from_secs(10),
            acquire_wait: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(SqliteStorage),
    Postgres(PgStorage),
}

struct Job {
    event: NewEvent,
    reply: oneshot::Sender<Result<(), AppendError>>,
}

/// The store a server holds: cheap to clone, all clones share one pool and
/// one writer.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    writer: mpsc::Sender<Job>,
    /// The at-rest keys: deal JSON and person keys are sealed with them.
    seal: Option<SealKeys>,
    /// An in-memory SQLite database: no other server shares it.
    memory: bool,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("seq", &self.event.seq).finish()
    }
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match &$self.backend {
            Backend::Sqlite($s) => $e,
            Backend::Postgres($s) => $e,
        }
    };
}

impl Store {
    /// Open (and for SQLite create) the database at `url`, run the
    /// migrations and start the writer. Must run inside a tokio runtime.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_sealed(url, None).await
    }

    /// [`Store::open`], sealing each deal's JSON (its rosters) and person
    /// key at rest with `seal` (see `seal.rs`): values not yet sealed with
    /// its current key (stored in clear, or under a previous key) are
    /// re-sealed before the store is returned.
    pub async fn open_sealed(url: &str, seal: Option<SealKeys>) -> Result<Store, StoreError> {
        Store::open_with(
            url,
            OpenOptions {
                seal,
                ..OpenOptions::default()
            },
        )
        .await
    }

    /// [`Store::open_sealed`] with the waits of `options`.
    pub async fn open_with(url: &str, options: OpenOptions) -> Result<Store, StoreError> {
        let OpenOptions {
            seal,
            lock_wait,
            acquire_wait,
        } = options;
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // A statement blocked by another session's lock gives up with
            // SQLSTATE 55P03 (contention, a 503) instead of waiting until
            // the request's deadline.
            let lock_timeout = format!("{}ms", lock_wait.as_millis());
            let connect =
                PgConnectOptions::from_str(url)?.options([("lock_timeout", lock_timeout.as_str())]);
            let pool = PgPoolOptions::new()
                .max_connections(PG_CONNECTIONS)
                .acquire_timeout(acquire_wait)
                .connect_with(connect)
                .await?;
            Backend::Postgres(PgStorage::new(pool))
        } else {
            Backend::Sqlite(SqliteStorage::new(
                sqlite_pool(url, lock_wait, acquire_wait).await?,
            ))
        };
        match &backend {
            Backend::Sqlite(s) => s.migrate().await?,
            Backend::Postgres(s) => s.migrate().await?,
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        match &backend {
            Backend::Sqlite(s) => {
                drop(tokio::spawn(writer(s.clone(), rx)));
                drop(tokio::spawn(checkpointer(s.clone(), tx.downgrade())));
            }
            Backend::Postgres(s) => drop(tokio::spawn(writer(s.clone(), rx))),
        }
        let store = Store {
            backend,
            writer: tx,
            seal,
            memory: url.contains(":memory:"),
        };
        let resealed = store.reseal().await?;
        if resealed > 0 {
            tracing::info!(deals = resealed, "sealed at rest with the current key");
        }
        Ok(store)
    }

    /// Seal every deal whose JSON or person key is not sealed with the
    /// current key; how many were.
    async fn reseal(&self) -> Result<usize, StoreError> {
        let Some(keys) = &self.seal else {
            return Ok(0);
        };
        let mut resealed = 0;
        for id in dispatch!(self, s => s.deal_ids().await)? {
            // A deal's kept plans name its persons: sealed like its rosters.
            for (hash, stored) in dispatch!(self, s => s.plans_of(&id).await)? {
                if sealed_with_current(keys, &stored) {
                    continue;
                }
                let plain = open(Some(keys), "plan_json", &id, &stored)?;
                let sealed = seal(keys, "plan_json", &id, &plain)?;
                dispatch!(self, s => s.replace_plan(&id, &hash, &stored, &sealed).await)?;
            }
            // Votes are the mediator's and their side's only.
            for (round, party, stored) in dispatch!(self, s => s.votes_of(&id).await)? {
                if sealed_with_current(keys, &stored) {
                    continue;
                }
                let plain = open(Some(keys), "vote_json", &id, &stored)?;
                let sealed = seal(keys, "vote_json", &id, &plain)?;
                dispatch!(self, s => s.replace_vote(&id, round, &party, &stored, &sealed).await)?;
            }
            let Some(raw) = dispatch!(self, s => s.deal(&id).await)? else {
                continue;
            };
            let current = sealed_with_current(keys, &raw.deal_json)
                && raw
                    .person_key
                    .as_deref()
                    .is_none_or(|k| sealed_with_current(keys, k));
            if current {
                continue;
            }
            let json = open(Some(keys), "deal_json", &id, &raw.deal_json)?;
            let json = seal(keys, "deal_json", &id, &json)?;
            let person_key = match raw.person_key.as_deref() {
                Some(k) => Some(seal(
                    keys,
                    "person_key",
                    &id,
                    &open(Some(keys), "person_key", &id, k)?,
                )?),
                None => None,
            };
            let replaced = dispatch!(self, s => s
                .replace_deal_secrets(&id, &raw.deal_json, &json, person_key.as_deref())
                .await)?;
            resealed += usize::from(replaced);
        }
        Ok(resealed)
    }

    /// Follow what other servers on this database commit (see
    /// `watch.rs`): on PostgreSQL holding one connection of the pool, on an
    /// SQLite file a connection of its own; `None` for an in-memory
    /// database, which no other server shares.
    pub async fn watch(&self) -> Result<Option<crate::watch::Watch>, StoreError> {
        match &self.backend {
            Backend::Postgres(s) => Ok(Some(crate::watch::Watch::postgres(s.pool()).await?)),
            Backend::Sqlite(_) if self.memory => Ok(None),
            Backend::Sqlite(s) => Ok(Some(crate::watch::Watch::sqlite(s.pool()).await?)),
        }
    }

    /// Appends waiting for the writer now (for metrics).
    pub fn queue_depth(&self) -> usize {
        self.writer.max_capacity() - self.writer.capacity()
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The settings that make a commit durable, as the database reports
    /// them: `sqlite journal_mode=wal synchronous=full` or `postgres
    /// synchronous_commit=on fsync=on`. Logged at start-up and tested.
    pub async fn durability(&self) -> Result<String, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => {
                let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
                    .fetch_one(s.pool())
                    .await?;
                let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
                    .fetch_one(s.pool())
                    .await?;
                let sync = match sync {
                    0 => "off",
                    1 => "normal",
                    2 => "full",
                    _ => "extra",
                };
                Ok(format!("sqlite journal_mode={mode} synchronous={sync}"))
            }
            Backend::Postgres(s) => {
                let (commit,): (String,) = sqlx::query_as("SHOW synchronous_commit")
                    .fetch_one(s.pool())
                    .await?;
                let (fsync,): (String,) = sqlx::query_as("SHOW fsync").fetch_one(s.pool()).await?;
                Ok(format!(
                    "postgres synchronous_commit={commit} fsync={fsync}"
                ))
            }
        }
    }

    /// How the store reaches its database: `"file"` (SQLite), or for
    /// PostgreSQL `"tls"` or `"plain"` as the server reports this
    /// connection (`pg_stat_ssl`). TLS is asked for in the URL:
    /// `sslmode=verify-full&sslrootcert=CA.pem` (rustls; without
    /// `sslrootcert`, the public authorities).
    pub async fn transport(&self) -> Result<&'static str, StoreError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok("file"),
            Backend::Postgres(s) => {
                let (ssl,): (bool,) = sqlx::query_as(
                    "SELECT COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                )
                .fetch_one(s.pool())
                .await?;
                Ok(if ssl { "tls" } else { "plain" })
            }
        }
    }

    /// Create a deal with its parties and token hashes, all or nothing.
    pub async fn create_deal(&self, deal: &NewDeal) -> Result<(), StoreError> {
        match &self.seal {
            None => dispatch!(self, s => s.create_deal(deal).await),
            Some(keys) => {
                let sealed = NewDeal {
                    deal_json: seal(keys, "deal_json", &deal.id, &deal.deal_json)?,
                    person_key: seal(keys, "person_key", &deal.id, &deal.person_key)?,
                    ..deal.clone()
                };
                dispatch!(self, s => s.create_deal(&sealed).await)
            }
        }
    }

    /// A deal by id (its JSON and person key opened).
    pub async fn deal(&self, id: &str) -> Result<Option<DealRecord>, StoreError> {
        let Some(mut record) = dispatch!(self, s => s.deal(id).await)? else {
            return Ok(None);
        };
        let keys = self.seal.as_ref();
        record.deal_json = open(keys, "deal_json", id, &record.deal_json)?;
        record.person_key = record
            .person_key
            .map(|k| open(keys, "person_key", id, &k))
            .transpose()?;
        Ok(Some(record))
    }

    /// Give a deal created before person keys existed this `person_key`
    /// (hex); a deal that has one keeps it. The deal's key afterwards, or
    /// `None` if there is no such deal.
    pub async fn fill_person_key(
        &self,
        id: &str,
        person_key: &str,
    ) -> Result<Option<String>, StoreError> {
        let keys = self.seal.as_ref();
        let stored = match keys {
            Some(keys) => seal(keys, "person_key", id, person_key)?,
            None => person_key.to_owned(),
        };
        dispatch!(self, s => s.fill_person_key(id, &stored).await)?
            .map(|k| open(keys, "person_key", id, &k))
            .transpose()
    }

    /// A deal's parties, in id order.
    pub async fn parties(&self, id: &str) -> Result<Vec<PartyRecord>, StoreError> {
        dispatch!(self, s => s.parties(id).await)
    }

    /// Whose token has this hash ([`token_hash`]).
    pub async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        dispatch!(self, s => s.token(token_hash).await)
    }

    /// Up to `limit` events with seq > `after`, in seq order.
    pub async fn events(
        &self,
        deal: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        dispatch!(self, s => s.events(deal, after, limit).await)
    }

    /// The deal's last event.
    pub async fn head(&self, deal: &str) -> Result<Option<Head>, StoreError> {
        dispatch!(self, s => s.head(deal).await)
    }

    /// Keep a plan of a deal under its canonical hash (idempotent).
    pub async fn put_plan(
        &self,
        deal: &str,
        plan_hash: &str,
        plan_json: &str,
        at_ms: u64,
    ) -> Result<(), StoreError> {
        self.put_kept(deal, PLAN, plan_hash, plan_json, at_ms).await
    }

    /// A kept plan's JSON, by deal and canonical hash (opened).
    pub async fn plan(&self, deal: &str, plan_hash: &str) -> Result<Option<String>, StoreError> {
        self.kept(deal, PLAN, plan_hash).await
    }

    /// Keep an amended deal's normalised JSON under its deal hash, for a
    /// `deal-amended` event to name (idempotent).
    pub async fn put_amended_deal(
        &self,
        deal: &str,
        deal_hash: &str,
        deal_json: &str,
        at_ms: u64,
    ) -> Result<(), StoreError> {
        self.put_kept(deal, AMENDED_DEAL, deal_hash, deal_json, at_ms)
            .await
    }

    /// A kept amended deal's JSON, by deal and deal hash (opened).
    pub async fn amended_deal(
        &self,
        deal: &str,
        deal_hash: &str,
    ) -> Result<Option<String>, StoreError> {
        self.kept(deal, AMENDED_DEAL, deal_hash).await
    }

    /// Every kept amended deal of `deal`, oldest first: (deal hash, JSON).
    pub async fn amended_deals(&self, deal: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.kept_all(deal, AMENDED_DEAL).await
    }

    /// Note that the mediator offered the amended deal `deal_hash` for
    /// signing when the deal's chain held the events before `next_seq`
    /// (idempotent): terms an earlier amendment put in force, kept again,
    /// are offered again (see [`Store::amendment_offers`]).
    pub async fn put_amendment_offer(
        &self,
        deal: &str,
        deal_hash: &str,
        next_seq: u64,
        at_ms: u64,
    ) -> Result<(), StoreError> {
        let key = format!("offer/{deal_hash}/{next_seq}");
        self.put_kept(deal, AMENDMENT_OFFER, &key, "{}", at_ms)
            .await
    }

    /// Every offer of an amended deal for signing: (deal hash, the chain's
    /// next seq when it was offered).
    pub async fn amendment_offers(&self, deal: &str) -> Result<Vec<(String, u64)>, StoreError> {
        Ok(self
            .kept_all(deal, AMENDMENT_OFFER)
            .await?
            .into_iter()
            .filter_map(|(key, _)| {
                let (hash, seq) = key.strip_prefix("offer/")?.rsplit_once('/')?;
                Some((hash.to_owned(), seq.parse().ok()?))
            })
            .collect())
    }

    /// Keep a side's signature on an agreement or an amendment under `key`
    /// (who signed what; idempotent), collected in the room until the
    /// mediator records the event: `json` holds the signature and what it
    /// covers.
    pub async fn put_signature(
        &self,
        deal: &str,
        what: Signed,
        key: &str,
        json: &str,
        at_ms: u64,
    ) -> Result<(), StoreError> {
        self.put_kept(deal, what.kind(), key, json, at_ms).await?;
        self.announce(deal, crate::watch::Announce::Public).await;
        Ok(())
    }

    /// Tell the other servers on this PostgreSQL database of news in
    /// `deal` that is no event (see `watch.rs`; an SQLite watch finds the
    /// rows itself). A lost notice only delays their pages to the next
    /// event or reload, so it is logged, not returned.
    pub async fn announce(&self, deal: &str, what: crate::watch::Announce) {
        let payload = match what {
            crate::watch::Announce::Public => crate::watch::signed_payload(deal),
            crate::watch::Announce::Talks => crate::watch::talks_payload(deal),
        };
        if let Err(e) = dispatch!(self, s => s.notify(&payload).await) {
            tracing::warn!(error = %e, "other servers not told of news in a deal");
        }
    }

    /// Every kept signature of one kind for `deal`: (key, JSON).
    pub async fn signatures(
        &self,
        deal: &str,
        what: Signed,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.kept_all(deal, what.kind()).await
    }

    /// Keep text `round` of a deal (its signed JSON, public to the deal's
    /// parties); `false` when the deal has a text with that number already.
    pub async fn put_text(
        &self,
        deal: &str,
        round: u64,
        json: &str,
        at_ms: u64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.put_text(deal, round, json, at_ms).await)
    }

    /// Every text of a deal: (round, JSON), in round order.
    pub async fn texts(&self, deal: &str) -> Result<Vec<(u64, String)>, StoreError> {
        dispatch!(self, s => s.texts_of(deal).await)
    }

    /// Keep a side's signed vote on text `round`, sealed at rest (only the
    /// mediator and the side may read it), one of `sides` votes the text
    /// takes: [`VotePut::Kept`] says whether it closes the round (decided
    /// with every server's votes, kept in the row for the other servers'
    /// watch); not kept when the side has voted on that text already or
    /// the mediator withdrew it.
    pub async fn put_vote(
        &self,
        deal: &str,
        round: u64,
        party: &str,
        json: &str,
        at_ms: u64,
        sides: usize,
    ) -> Result<VotePut, StoreError> {
        let stored = match &self.seal {
            Some(keys) => seal(keys, "vote_json", deal, json)?,
            None => json.to_owned(),
        };
        dispatch!(self, s => s.put_vote(deal, round, party, &stored, at_ms, sides).await)
    }

    /// Keep the mediator's signed withdrawal of text `round` (public to the
    /// deal's parties, like the text), unless every one of the `sides` has
    /// voted on it (its round closed, whichever server kept the votes) or
    /// it was withdrawn already.
    pub async fn put_withdrawal(
        &self,
        deal: &str,
        round: u64,
        json: &str,
        at_ms: u64,
        sides: usize,
    ) -> Result<WithdrawalPut, StoreError> {
        dispatch!(self, s => s.put_withdrawal(deal, round, json, at_ms, sides).await)
    }

    /// Every withdrawal of a deal: (round, JSON), in round order.
    pub async fn withdrawals(&self, deal: &str) -> Result<Vec<(u64, String)>, StoreError> {
        dispatch!(self, s => s.withdrawals_of(deal).await)
    }

    /// Every vote of a deal, opened: (round, party, JSON), by round and party.
    pub async fn votes(&self, deal: &str) -> Result<Vec<(u64, String, String)>, StoreError> {
        dispatch!(self, s => s.votes_of(deal).await)?
            .into_iter()
            .map(|(round, party, stored)| {
                open(self.seal.as_ref(), "vote_json", deal, &stored).map(|j| (round, party, j))
            })
            .collect()
    }

    /// Keep the deal with its open issues resolved to an agreed text, under
    /// its deal hash, for a `deal-agreed` event to name (idempotent).
    pub async fn put_agreed_deal(
        &self,
        deal: &str,
        deal_hash: &str,
        deal_json: &str,
        at_ms: u64,
    ) -> Result<(), StoreError> {
        self.put_kept(deal, AGREED_DEAL, deal_hash, deal_json, at_ms)
            .await
    }

    /// A kept resolved deal's JSON, by deal and deal hash (opened).
    pub async fn agreed_deal(
        &self,
        deal: &str,
        deal_hash: &str,
    ) -> Result<Option<String>, StoreError> {
        self.kept(deal, AGREED_DEAL, deal_hash).await
    }

    async fn kept_all(&self, deal: &str, kind: &str) -> Result<Vec<(String, String)>, StoreError> {
        dispatch!(self, s => s.kept_of(deal, kind).await)?
            .into_iter()
            .map(|(hash, stored)| {
                open(self.seal.as_ref(), "plan_json", deal, &stored).map(|json| (hash, json))
            })
            .collect()
    }

    async fn put_kept(
        &self,
        deal: &str,
        kind: &str,
        hash: &str,
        json: &str,
        at_ms: u64,
    ) -> Result<(), StoreError> {
        // Plans and amended deals name persons by id, as the rosters do:
        // sealed like them.
        let stored = match &self.seal {
            Some(keys) => seal(keys, "plan_json", deal, json)?,
            None => json.to_owned(),
        };
        dispatch!(self, s => s.put_plan(deal, kind, hash, &stored, at_ms).await)
    }

    async fn kept(&self, deal: &str, kind: &str, hash: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, s => s.plan(deal, kind, hash).await)?
            .map(|stored| open(self.seal.as_ref(), "plan_json", deal, &stored))
            .transpose()
    }

    /// Append one verified event; returns once it is committed (durable),
    /// or says which seq the deal expects next.
    pub async fn append(&self, event: NewEvent) -> Result<(), AppendError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(Job { event, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn sqlite_pool(
    url: &str,
    lock_wait: Duration,
    acquire_wait: Duration,
) -> Result<sqlx::SqlitePool, StoreError> {
    let options = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url)?
    } else if url.contains("://") {
        return Err(StoreError::BadUrl);
    } else {
        SqliteConnectOptions::new().filename(url)
    };
    let memory = url.contains(":memory:");
    let options = options
        .create_if_missing(true)
        .journal_mode(if memory {
            SqliteJournalMode::Memory
        } else {
            SqliteJournalMode::Wal
        })
        // FULL: the WAL is fsynced at every commit, so a commit that
        // returned survives a power cut, not only a process kill.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(lock_wait)
        // Checkpoints copy the WAL into the database file and fsync it; run
        // inside a commit they stall every append queued behind it. The
        // writer checkpoints instead between batches (see `writer`).
        .pragma("wal_autocheckpoint", "0");
    // An in-memory database lives in one connection; a file takes a few
    // readers beside the writer (WAL lets them read during a commit).
    let max = if memory { 1 } else { 4 };
    Ok(SqlitePoolOptions::new()
        .max_connections(max)
        .acquire_timeout(acquire_wait)
        .connect_with(options)
        .await?)
}

/// The single writer: takes what is queued (up to [`MAX_BATCH`]), commits it
/// in one transaction, then answers every caller. Ends when every `Store`
/// clone is gone.
async fn writer<S: Storage>(storage: S, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let events: Vec<NewEvent> = jobs.iter().map(|j| j.event.clone()).collect();
        match storage.append_batch(&events).await {
            Ok(results) => {
                for (job, result) in jobs.drain(..).zip(results) {
                    // A caller that went away just misses its answer.
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                // sqlx errors name tables and constraints, never row values.
                tracing::error!(error = %e, events = jobs.len(), "append batch not committed");
                let concurrent = matches!(e, StoreError::Concurrent);
                for job in jobs.drain(..) {
                    let err = if concurrent {
                        // Another process won the race: the caller re-reads the head.
                        AppendError::Conflict {
                            expected: job.event.seq,
                        }
                    } else {
                        // `StoreError` is not `Clone`; every caller of the batch
                        // learns that its commit failed, and nothing was stored.
                        AppendError::Store(StoreError::CommitFailed)
                    };
                    let _ = job.reply.send(Err(err));
                }
            }
        }
    }
}

/// Checkpoints the SQLite WAL every [`CHECKPOINT_EVERY`] on its own
/// connection: a PASSIVE checkpoint runs beside the writer instead of
/// stalling the commit that crosses the autocheckpoint size. Ends with the
/// writer.
async fn checkpointer<S: Storage>(storage: S, writer: mpsc::WeakSender<Job>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    loop {
        tick.tick().await;
        if writer.upgrade().is_none() {
            return;
        }
        if let Err(e) = storage.checkpoint().await {
            tracing::warn!(error = %e, "wal checkpoint failed; retried");
        }
    }
}
