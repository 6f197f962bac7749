//! Texts and votes: one text per number, one vote per side and text, a
//! vote only on a text that exists; read back in order. Withdrawals: one
//! per text, only while its round is open, and no vote after one.

use tokio::task::JoinHandle;
use truce_store::{Store, VotePut, WithdrawalPut};

use crate::support::{new_deal, unique, url};

#[tokio::test]
async fn texts_and_votes_are_kept_once_and_read_in_order() {
    let store = Store::open(&url()).await.expect("open");
    let id = unique("texts");
    store.create_deal(&new_deal(&id)).await.expect("create");
    assert!(
        store
            .put_text(&id, 1, r#"{"round":1}"#, 5)
            .await
            .expect("text 1")
    );
    assert!(
        !store
            .put_text(&id, 1, r#"{"round":"again"}"#, 6)
            .await
            .expect("text 1 again")
    );
    assert!(
        store
            .put_text(&id, 2, r#"{"round":2}"#, 7)
            .await
            .expect("text 2")
    );
    let texts = store.texts(&id).await.expect("texts");
    assert_eq!(
        texts,
        [
            (1, r#"{"round":1}"#.to_owned()),
            (2, r#"{"round":2}"#.to_owned())
        ]
    );
    // Two sides: the first vote leaves text 1 open, the second closes it;
    // a second vote by a side is refused.
    assert_eq!(
        store
            .put_vote(&id, 1, "side-b", "b1", 8, 2)
            .await
            .expect("vote"),
        VotePut::Kept { closes: false }
    );
    assert_eq!(
        store
            .put_vote(&id, 1, "side-a", "a1", 9, 2)
            .await
            .expect("vote"),
        VotePut::Kept { closes: true }
    );
    assert_eq!(
        store
            .put_vote(&id, 1, "side-a", "a1 again", 10, 2)
            .await
            .expect("twice"),
        VotePut::AlreadyVoted
    );
    assert_eq!(
        store
            .put_vote(&id, 2, "side-a", "a2", 11, 2)
            .await
            .expect("vote"),
        VotePut::Kept { closes: false }
    );
    // No vote on a text that does not exist (the foreign key).
    assert!(store.put_vote(&id, 3, "side-a", "a3", 12, 2).await.is_err());
    let votes = store.votes(&id).await.expect("votes");
    let got: Vec<(u64, &str, &str)> = votes
        .iter()
        .map(|(r, p, j)| (*r, p.as_str(), j.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "side-a", "a1"),
            (1, "side-b", "b1"),
            (2, "side-a", "a2")
        ]
    );
    // Other deals see none of them.
    let other = unique("texts");
    store.create_deal(&new_deal(&other)).await.expect("create");
    assert!(store.texts(&other).await.expect("texts").is_empty());
    assert!(store.votes(&other).await.expect("votes").is_empty());
}

/// A server follows another's single-text news on the same database (an
/// SQLite file: rows found by polling; PostgreSQL: the announcement): a
/// posted text is news for every party, a vote for the talks only.
#[tokio::test]
async fn a_watch_follows_another_stores_texts_and_votes() {
    use truce_store::{Announce, Change, Next};
    let url = url();
    let here = Store::open(&url).await.expect("open");
    let there = Store::open(&url).await.expect("open");
    let id = unique("watched");
    there.create_deal(&new_deal(&id)).await.expect("create");
    let mut watch = here
        .watch()
        .await
        .expect("watch")
        .expect("a file or PostgreSQL is watched");
    let mut next_of_deal = async |want: Change| {
        // Other tests share a PostgreSQL database: skip their news. The
        // bound is on a wait, not an assertion on speed.
        tokio::time::timeout(std::time::Duration::from_secs(20), async {
            loop {
                let next = watch.next().await.expect("watching");
                if next == Next::Change(want.clone()) {
                    return;
                }
            }
        })
        .await
        .expect("the change arrives within the bound");
    };
    assert!(
        there
            .put_text(&id, 1, r#"{"round":1}"#, 5)
            .await
            .expect("text")
    );
    there.announce(&id, Announce::Public).await;
    next_of_deal(Change::Signed { deal: id.clone() }).await;
    assert_eq!(
        there
            .put_vote(&id, 1, "side-a", "a1", 6, 2)
            .await
            .expect("vote"),
        VotePut::Kept { closes: false }
    );
    there.announce(&id, Announce::Talks).await;
    next_of_deal(Change::Talks { deal: id.clone() }).await;
    // The vote that closes the round is news for every party, on an SQLite
    // file too (the row says it closes).
    assert_eq!(
        there
            .put_vote(&id, 1, "side-b", "b1", 7, 2)
            .await
            .expect("vote"),
        VotePut::Kept { closes: true }
    );
    there.announce(&id, Announce::Public).await;
    next_of_deal(Change::Signed { deal: id.clone() }).await;
    // A withdrawn text is news for every party (its own table's rows on an
    // SQLite file).
    assert!(
        there
            .put_text(&id, 2, r#"{"round":2}"#, 8)
            .await
            .expect("text")
    );
    there.announce(&id, Announce::Public).await;
    next_of_deal(Change::Signed { deal: id.clone() }).await;
    assert_eq!(
        there
            .put_withdrawal(&id, 2, "w2", 9, 2)
            .await
            .expect("withdraw"),
        WithdrawalPut::Kept
    );
    there.announce(&id, Announce::Public).await;
    next_of_deal(Change::Signed { deal: id.clone() }).await;
}

/// Votes on one text kept at once by many stores on one database: exactly
/// one of them closes the round.
#[tokio::test]
async fn exactly_one_of_concurrent_votes_closes_the_round() {
    let url = url();
    let (first, id) = deal_with_text(&url, "race").await;
    let sides = 6;
    assert_eq!(closing_votes(vote_at_once(&url, &id, sides)).await, 1);
    assert_eq!(first.votes(&id).await.expect("votes").len(), sides);
}

/// A withdrawal closes an open round: it is kept once, refused on a text
/// every side voted on or on no text, and no vote is kept after it; the
/// votes cast before it stay.
#[tokio::test]
async fn a_withdrawal_is_kept_once_on_an_open_round_and_refuses_votes_after() {
    let store = Store::open(&url()).await.expect("open");
    let id = unique("withdraw");
    store.create_deal(&new_deal(&id)).await.expect("create");
    for round in 1..=2 {
        assert!(store.put_text(&id, round, "{}", 1).await.expect("text"));
    }
    // Text 1 closed by both sides' votes: not withdrawn.
    for side in ["side-a", "side-b"] {
        store.put_vote(&id, 1, side, "v", 2, 2).await.expect("vote");
    }
    assert_eq!(
        store
            .put_withdrawal(&id, 1, "w1", 3, 2)
            .await
            .expect("withdraw"),
        WithdrawalPut::Closed
    );
    // Text 2 with one vote: withdrawn once; the other side's vote refused.
    assert_eq!(
        store
            .put_vote(&id, 2, "side-a", "a2", 4, 2)
            .await
            .expect("vote"),
        VotePut::Kept { closes: false }
    );
    assert_eq!(
        store
            .put_withdrawal(&id, 2, "w2", 5, 2)
            .await
            .expect("withdraw"),
        WithdrawalPut::Kept
    );
    assert_eq!(
        store
            .put_withdrawal(&id, 2, "w2 again", 6, 2)
            .await
            .expect("withdraw"),
        WithdrawalPut::AlreadyWithdrawn
    );
    assert_eq!(
        store
            .put_vote(&id, 2, "side-b", "b2", 7, 2)
            .await
            .expect("vote"),
        VotePut::Withdrawn
    );
    assert_eq!(
        store
            .put_withdrawal(&id, 3, "w3", 8, 2)
            .await
            .expect("withdraw"),
        WithdrawalPut::NoText
    );
    assert_eq!(
        store.withdrawals(&id).await.expect("withdrawals"),
        [(2, "w2".to_owned())]
    );
    let votes = store.votes(&id).await.expect("votes");
    assert_eq!(
        votes.iter().filter(|(r, _, _)| *r == 2).count(),
        1,
        "the vote cast before the withdrawal stays"
    );
}

/// A withdrawal and the last votes at once, from many stores on one
/// database: the round is either closed by a vote or withdrawn, never both.
#[tokio::test]
async fn a_round_is_closed_or_withdrawn_never_both() {
    let url = url();
    for attempt in 0..4 {
        let (first, id) = deal_with_text(&url, "withdraw-race").await;
        let sides = 3;
        let votes = vote_at_once(&url, &id, sides);
        let withdrawal = {
            let (url, id) = (url.clone(), id.clone());
            tokio::spawn(async move {
                let store = Store::open(&url).await.expect("open");
                store
                    .put_withdrawal(&id, 1, "w", 1, sides)
                    .await
                    .expect("withdraw")
            })
        };
        let closed = closing_votes(votes).await;
        let withdrawn = withdrawal.await.expect("task") == WithdrawalPut::Kept;
        assert_eq!(
            closed + usize::from(withdrawn),
            1,
            "attempt {attempt}: closed {closed} times, withdrawn {withdrawn}"
        );
        let kept = first.votes(&id).await.expect("votes").len();
        assert_eq!(kept == sides, !withdrawn, "attempt {attempt}: {kept} votes");
    }
}

/// A new deal (its id from `prefix`) with text 1, and the store that made it.
async fn deal_with_text(url: &str, prefix: &str) -> (Store, String) {
    let id = unique(prefix);
    let store = Store::open(url).await.expect("open");
    store.create_deal(&new_deal(&id)).await.expect("create");
    assert!(store.put_text(&id, 1, "{}", 0).await.expect("text"));
    (store, id)
}

/// Every one of `sides` sides votes on text 1 at once, each from a store
/// of its own on the same database.
fn vote_at_once(url: &str, id: &str, sides: usize) -> Vec<JoinHandle<VotePut>> {
    (0..sides)
        .map(|side| {
            let (url, id) = (url.to_owned(), id.to_owned());
            tokio::spawn(async move {
                let store = Store::open(&url).await.expect("open");
                store
                    .put_vote(&id, 1, &format!("side-{side}"), "v", 1, sides)
                    .await
                    .expect("vote")
            })
        })
        .collect()
}

/// How many of the votes closed their round.
async fn closing_votes(votes: Vec<JoinHandle<VotePut>>) -> usize {
    let mut closed = 0;
    for v in votes {
        if v.await.expect("task") == (VotePut::Kept { closes: true }) {
            closed += 1;
        }
    }
    closed
}
