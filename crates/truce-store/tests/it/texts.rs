//! Texts and votes: one text per number, one vote per side and text, a
//! vote only on a text that exists; read back in order.

use truce_store::Store;

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
        Some(false)
    );
    assert_eq!(
        store
            .put_vote(&id, 1, "side-a", "a1", 9, 2)
            .await
            .expect("vote"),
        Some(true)
    );
    assert_eq!(
        store
            .put_vote(&id, 1, "side-a", "a1 again", 10, 2)
            .await
            .expect("twice"),
        None
    );
    assert_eq!(
        store
            .put_vote(&id, 2, "side-a", "a2", 11, 2)
            .await
            .expect("vote"),
        Some(false)
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
        Some(false)
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
        Some(true)
    );
    there.announce(&id, Announce::Public).await;
    next_of_deal(Change::Signed { deal: id.clone() }).await;
}

/// Votes on one text kept at once by many stores on one database: exactly
/// one of them closes the round.
#[tokio::test]
async fn exactly_one_of_concurrent_votes_closes_the_round() {
    let url = url();
    let id = unique("race");
    let first = Store::open(&url).await.expect("open");
    first.create_deal(&new_deal(&id)).await.expect("create");
    assert!(first.put_text(&id, 1, "{}", 0).await.expect("text"));
    let sides = 6;
    let mut tasks = Vec::new();
    for side in 0..sides {
        let (url, id) = (url.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let store = Store::open(&url).await.expect("open");
            store
                .put_vote(&id, 1, &format!("side-{side}"), "v", 1, sides)
                .await
                .expect("vote")
        }));
    }
    let mut closed = 0;
    for t in tasks {
        if t.await.expect("task") == Some(true) {
            closed += 1;
        }
    }
    assert_eq!(closed, 1);
    assert_eq!(first.votes(&id).await.expect("votes").len(), sides);
}
