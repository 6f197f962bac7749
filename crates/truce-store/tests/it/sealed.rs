//! Encryption at rest: a store opened with an at-rest key seals deals
//! stored in clear before it, seals new ones, and a rotation (new key
//! current, old key previous) re-seals them all; a store without the key
//! that sealed a value refuses to read it, naming the key. SQLite only:
//! re-sealing touches every deal of the database, and the PostgreSQL test
//! database is shared by concurrent tests (the SQL is the same for both).

use truce_store::{SealKey, SealKeys, Store, StoreError, VotePut};

use crate::support::{new_deal, unique, url};

fn key(byte: u8) -> SealKey {
    SealKey::from_hex(&format!("{byte:02x}").repeat(32)).expect("key")
}

#[tokio::test]
async fn deals_are_sealed_at_rest_and_a_rotation_reseals_them() {
    let url = url();
    let (first, second) = (unique("clear"), unique("sealed"));
    let clear = Store::open(&url).await.expect("open");
    let mut deal = new_deal(&first);
    deal.deal_json = r#"{"persons":[{"id":"A-0001"}]}"#.to_owned();
    clear.create_deal(&deal).await.expect("create");
    // A kept plan names persons too.
    let plan = r#"{"stages":[{"day":1,"handovers":[{"from":"side-a","persons":["A-0001"]}]}]}"#;
    clear
        .put_plan(&first, "plan-hash", plan, 0)
        .await
        .expect("keep the plan");
    // So does an amended deal, kept apart from the plans: a plan's hash
    // never answers as an amended deal, nor the other way round.
    let amended = r#"{"persons":[{"id":"A-0001"}],"pause":{"days":5}}"#;
    clear
        .put_amended_deal(&first, "deal-hash", amended, 0)
        .await
        .expect("keep the amended deal");
    assert_eq!(clear.plan(&first, "deal-hash").await.expect("read"), None);
    assert_eq!(
        clear.amended_deal(&first, "plan-hash").await.expect("read"),
        None
    );
    // A side's vote is the mediator's and its own only: sealed like them.
    clear
        .put_text(&first, 1, r#"{"round":1}"#, 0)
        .await
        .expect("text");
    let vote = r#"{"party":"side-a","accept":true}"#;
    assert_eq!(
        clear
            .put_vote(&first, 1, "side-a", vote, 0, 2)
            .await
            .expect("vote"),
        VotePut::Kept { closes: false }
    );
    drop(clear);

    // Opened with a key, the deal stored in clear is sealed.
    let keys = SealKeys::new(key(1), vec![]);
    let sealed = Store::open_sealed(&url, Some(keys)).await.expect("open");
    sealed
        .create_deal(&new_deal(&second))
        .await
        .expect("create sealed");
    let read = sealed.deal(&first).await.expect("read").expect("deal");
    assert_eq!(read.deal_json, deal.deal_json);
    assert_eq!(read.person_key.as_deref(), Some(deal.person_key.as_str()));
    let kept = sealed.plan(&first, "plan-hash").await.expect("read");
    assert_eq!(kept.as_deref(), Some(plan));
    let votes = sealed.votes(&first).await.expect("votes");
    assert_eq!(votes, [(1, "side-a".to_owned(), vote.to_owned())]);
    drop(sealed);
    // Without the key nothing opens: the error names the key's id.
    let without = Store::open(&url).await.expect("open");
    assert!(matches!(
        without.plan(&first, "plan-hash").await,
        Err(StoreError::UnknownSealKey(_))
    ));
    assert!(matches!(
        without.votes(&first).await,
        Err(StoreError::UnknownSealKey(_))
    ));
    // The texts are not secret: stored as sent.
    assert_eq!(without.texts(&first).await.expect("texts").len(), 1);
    for id in [&first, &second] {
        match without.deal(id).await {
            Err(StoreError::UnknownSealKey(k)) => assert_eq!(k, key(1).id()),
            other => panic!("{other:?}"),
        }
    }
    drop(without);

    // Rotation: the new key current, the old one previous...
    let rotating = SealKeys::new(key(2), vec![key(1)]);
    drop(
        Store::open_sealed(&url, Some(rotating))
            .await
            .expect("rotate"),
    );
    // ...after which the new key alone reads everything,
    let rotated = Store::open_sealed(&url, Some(SealKeys::new(key(2), vec![])))
        .await
        .expect("open");
    let read = rotated.deal(&first).await.expect("read").expect("deal");
    assert_eq!(read.deal_json, deal.deal_json);
    assert!(rotated.deal(&second).await.expect("read").is_some());
    let kept = rotated.plan(&first, "plan-hash").await.expect("read");
    assert_eq!(kept.as_deref(), Some(plan));
    let kept = rotated
        .amended_deal(&first, "deal-hash")
        .await
        .expect("read");
    assert_eq!(kept.as_deref(), Some(amended));
    let votes = rotated.votes(&first).await.expect("votes");
    assert_eq!(votes, [(1, "side-a".to_owned(), vote.to_owned())]);
    drop(rotated);
    // and the old key alone cannot.
    let old = Store::open_sealed(&url, Some(SealKeys::new(key(1), vec![]))).await;
    assert!(matches!(old, Err(StoreError::UnknownSealKey(_))), "{old:?}");
}
