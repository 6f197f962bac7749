//! Changes another server made to the same database, as they commit.
//!
//! Several `truce serve` replicas on one database each hold their own live
//! viewers (the room's event stream). A replica learns that another
//! appended to a deal, or kept a side's signature:
//! - on PostgreSQL from a notification on the [`CHANNEL`] channel, sent
//!   inside the appending transaction (so it arrives at commit, never for a
//!   rolled-back event);
//! - on an SQLite file (replicas on one machine) by polling
//!   `PRAGMA data_version` on a connection of its own every
//!   [`SQLITE_POLL`], and reading the rows added since (by rowid) only when
//!   another connection has committed.
//!
//! A change names a deal and a seq, or that a signature was kept; never a
//! person, a roster or a text. An in-memory SQLite database has no other
//! server and is not watched.

use std::collections::VecDeque;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{Connection, SqliteConnection};

use crate::error::StoreError;

/// The PostgreSQL notification channel of the service.
pub const CHANNEL: &str = "truce_live";

/// What another server changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The deal's chain now reaches `seq`.
    Appended {
        /// The deal's id.
        deal: String,
        /// Its new head's seq.
        seq: u64,
    },
    /// A side's signature on the deal's agreement or an amendment was kept,
    /// or a single text posted, withdrawn, or its round of votes closed:
    /// news every party of the deal may have.
    Signed {
        /// The deal's id.
        deal: String,
    },
    /// A vote on a single text was kept: news for the mediator and the
    /// sides only (the room never tells other roles when a vote is cast).
    Talks {
        /// The deal's id.
        deal: String,
    },
}

/// News in a deal that is no ledger event, for [`crate::Store::announce`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announce {
    /// For every party: a kept signature, a posted or withdrawn text, a
    /// closed round.
    Public,
    /// For the mediator and the sides: a vote that left its round open.
    Talks,
}

/// The payload of an append reaching `seq` in `deal`.
pub(crate) fn appended_payload(deal: &str, seq: u64) -> String {
    format!("appended {seq} {deal}")
}

/// The payload of a kept signature in `deal`.
pub(crate) fn signed_payload(deal: &str) -> String {
    format!("signed {deal}")
}

/// The payload of a vote kept in `deal`.
pub(crate) fn talks_payload(deal: &str) -> String {
    format!("talks {deal}")
}

/// A payload read back; `None` for anything else on the channel.
pub(crate) fn parse(payload: &str) -> Option<Change> {
    let (kind, rest) = payload.split_once(' ')?;
    match kind {
        "appended" => {
            let (seq, deal) = rest.split_once(' ')?;
            Some(Change::Appended {
                deal: deal.to_owned(),
                seq: seq.parse().ok()?,
            })
        }
        "signed" if !rest.is_empty() => Some(Change::Signed {
            deal: rest.to_owned(),
        }),
        "talks" if !rest.is_empty() => Some(Change::Talks {
            deal: rest.to_owned(),
        }),
        _ => None,
    }
}

/// How often an SQLite watch asks whether another connection committed.
pub const SQLITE_POLL: Duration = Duration::from_millis(200);

/// Most rows an SQLite watch reads per poll (the rest at the next).
const SQLITE_ROWS: i64 = 1000;

/// A subscription to other servers' changes (see [`crate::Store::watch`]).
#[derive(Debug)]
pub struct Watch(Source);

#[derive(Debug)]
enum Source {
    Postgres(PgListener),
    Sqlite(SqliteWatch),
}

#[derive(Debug)]
struct SqliteWatch {
    conn: SqliteConnection,
    version: i64,
    /// Highest rowid seen in `events`, `plans`, `texts`, `votes` and
    /// `withdrawals`.
    events: i64,
    plans: i64,
    texts: i64,
    votes: i64,
    withdrawals: i64,
    pending: VecDeque<Change>,
    tick: tokio::time::Interval,
}

/// What [`Watch::next`] gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A change another (or this) server committed.
    Change(Change),
    /// The connection was lost and is back: changes in between were not
    /// seen, so whoever follows a deal should read its head again.
    Reconnected,
}

impl Watch {
    pub(crate) async fn postgres(pool: &sqlx::PgPool) -> Result<Watch, StoreError> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Watch(Source::Postgres(listener)))
    }

    /// A watch on the SQLite file `pool` opens, on a connection of its own.
    pub(crate) async fn sqlite(pool: &sqlx::SqlitePool) -> Result<Watch, StoreError> {
        let mut conn = SqliteConnection::connect_with(&pool.connect_options()).await?;
        let version = data_version(&mut conn).await?;
        let (events,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(rowid), 0) FROM events")
            .fetch_one(&mut conn)
            .await?;
        let (plans,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(rowid), 0) FROM plans")
            .fetch_one(&mut conn)
            .await?;
        let texts = max_rowid(&mut conn, Table::Texts).await?;
        let votes = max_rowid(&mut conn, Table::Votes).await?;
        let withdrawals = max_rowid(&mut conn, Table::Withdrawals).await?;
        let mut tick = tokio::time::interval(SQLITE_POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ok(Watch(Source::Sqlite(SqliteWatch {
            conn,
            version,
            events,
            plans,
            texts,
            votes,
            withdrawals,
            pending: VecDeque::new(),
            tick,
        })))
    }

    /// The next change, waiting for it. An error means the database is
    /// gone for good (the pool was closed): stop watching.
    pub async fn next(&mut self) -> Result<Next, StoreError> {
        match &mut self.0 {
            Source::Postgres(listener) => loop {
                match listener.try_recv().await? {
                    None => return Ok(Next::Reconnected),
                    Some(n) => {
                        if let Some(change) = parse(n.payload()) {
                            return Ok(Next::Change(change));
                        }
                    }
                }
            },
            Source::Sqlite(w) => loop {
                if let Some(change) = w.pending.pop_front() {
                    return Ok(Next::Change(change));
                }
                w.tick.tick().await;
                // A read that fails (a file briefly locked by a checkpoint)
                // is tried again at the next tick: rows are found by rowid,
                // so nothing is missed.
                if let Err(e) = w.poll().await {
                    tracing::debug!(error = %e, "watch poll failed; tried again");
                }
            },
        }
    }
}

impl SqliteWatch {
    /// If another connection committed since the last poll, queue the
    /// changes it made (each deal's newest seq; each deal with a new
    /// signature).
    async fn poll(&mut self) -> Result<(), StoreError> {
        let version = data_version(&mut self.conn).await?;
        if version == self.version && self.pending.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT rowid, deal_id, seq FROM events WHERE rowid > $1 ORDER BY rowid LIMIT $2",
        )
        .bind(self.events)
        .bind(SQLITE_ROWS)
        .fetch_all(&mut self.conn)
        .await?;
        let (signed, signed_full) = deals_after(
            &mut self.conn,
            "SELECT rowid, deal_id FROM plans WHERE rowid > $1 AND kind LIKE '%-signature' ORDER BY rowid LIMIT $2",
            &mut self.plans,
        )
        .await?;
        let (max_plan,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(rowid), 0) FROM plans")
            .fetch_one(&mut self.conn)
            .await?;
        if !signed_full {
            // Kept plans and amended deals are no change to tell.
            self.plans = self.plans.max(max_plan);
        }
        // A new text is news for every party, and so is a vote that closes
        // its round (its row says so: migration 0006); a vote that leaves
        // the round open is news for the mediator and the sides only.
        let (texts, texts_full) = deals_after(
            &mut self.conn,
            "SELECT rowid, deal_id FROM texts WHERE rowid > $1 ORDER BY rowid LIMIT $2",
            &mut self.texts,
        )
        .await?;
        let (closed, votes, votes_full) = votes_after(&mut self.conn, &mut self.votes).await?;
        // A withdrawn text is news for every party (migration 0007).
        let (withdrawn, withdrawn_full) = deals_after(
            &mut self.conn,
            "SELECT rowid, deal_id FROM withdrawals WHERE rowid > $1 ORDER BY rowid LIMIT $2",
            &mut self.withdrawals,
        )
        .await?;
        // Read everything new before taking the version: a full page
        // means more rows wait, read at the next tick.
        let full = rows.len() as i64 == SQLITE_ROWS
            || signed_full
            || texts_full
            || votes_full
            || withdrawn_full;
        if !full {
            self.version = version;
        }
        let mut heads: Vec<(String, u64)> = Vec::new();
        for (rowid, deal, seq) in rows {
            self.events = self.events.max(rowid);
            let seq = u64::try_from(seq).unwrap_or(0);
            match heads.iter_mut().find(|(d, _)| *d == deal) {
                Some(h) => h.1 = h.1.max(seq),
                None => heads.push((deal, seq)),
            }
        }
        self.pending.extend(
            heads
                .into_iter()
                .map(|(deal, seq)| Change::Appended { deal, seq }),
        );
        let mut public: Vec<String> = Vec::new();
        for deal in signed
            .into_iter()
            .chain(texts)
            .chain(closed)
            .chain(withdrawn)
        {
            if !public.contains(&deal) {
                public.push(deal);
            }
        }
        // A deal told of in public needs no word to the talks as well.
        let talks: Vec<String> = votes.into_iter().filter(|d| !public.contains(d)).collect();
        self.pending
            .extend(public.into_iter().map(|deal| Change::Signed { deal }));
        self.pending
            .extend(talks.into_iter().map(|deal| Change::Talks { deal }));
        Ok(())
    }
}

async fn max_rowid(conn: &mut SqliteConnection, table: Table) -> Result<i64, StoreError> {
    let sql = match table {
        Table::Texts => "SELECT COALESCE(MAX(rowid), 0) FROM texts",
        Table::Votes => "SELECT COALESCE(MAX(rowid), 0) FROM votes",
        Table::Withdrawals => "SELECT COALESCE(MAX(rowid), 0) FROM withdrawals",
    };
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(conn).await?;
    Ok(n)
}

/// The single-text tables an SQLite watch follows.
#[derive(Clone, Copy)]
enum Table {
    Texts,
    Votes,
    Withdrawals,
}

/// The deals of the rows `sql` reads (`rowid, deal_id` after rowid `$1`,
/// at most `$2`), each once in order of first appearance, moving `*after`
/// past them; and whether the page was full (more rows wait).
async fn deals_after(
    conn: &mut SqliteConnection,
    sql: &'static str,
    after: &mut i64,
) -> Result<(Vec<String>, bool), StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(sql)
        .bind(*after)
        .bind(SQLITE_ROWS)
        .fetch_all(conn)
        .await?;
    let full = rows.len() as i64 == SQLITE_ROWS;
    let mut deals: Vec<String> = Vec::new();
    for (rowid, deal) in rows {
        *after = (*after).max(rowid);
        if !deals.contains(&deal) {
            deals.push(deal);
        }
    }
    Ok((deals, full))
}

/// The deals of the votes kept after rowid `*after` (at most
/// [`SQLITE_ROWS`]): those with a vote that closed its round, those with
/// one that left it open (each deal once, in order of first appearance),
/// moving `*after` past them; and whether the page was full.
async fn votes_after(
    conn: &mut SqliteConnection,
    after: &mut i64,
) -> Result<(Vec<String>, Vec<String>, bool), StoreError> {
    let rows: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT rowid, deal_id, closes FROM votes WHERE rowid > $1 ORDER BY rowid LIMIT $2",
    )
    .bind(*after)
    .bind(SQLITE_ROWS)
    .fetch_all(conn)
    .await?;
    let full = rows.len() as i64 == SQLITE_ROWS;
    let (mut closed, mut open): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (rowid, deal, closes) in rows {
        *after = (*after).max(rowid);
        let list = if closes { &mut closed } else { &mut open };
        if !list.contains(&deal) {
            list.push(deal);
        }
    }
    Ok((closed, open, full))
}

async fn data_version(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    let (v,): (i64,) = sqlx::query_as("PRAGMA data_version")
        .fetch_one(conn)
        .await?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back() {
        assert_eq!(
            parse(&appended_payload("deal-7", 42)),
            Some(Change::Appended {
                deal: "deal-7".into(),
                seq: 42
            })
        );
        assert_eq!(
            parse(&signed_payload("deal-7")),
            Some(Change::Signed {
                deal: "deal-7".into()
            })
        );
        assert_eq!(
            parse(&talks_payload("deal-7")),
            Some(Change::Talks {
                deal: "deal-7".into()
            })
        );
        for junk in [
            "",
            "appended",
            "appended x deal",
            "signed",
            "talks",
            "other 1 d",
        ] {
            assert_eq!(parse(junk), None, "{junk:?}");
        }
    }
}
