use truce_store::{AppendError, Store};

use crate::support::{event, new_deal, open, unique};

async fn deal(store: &Store) -> String {
    let id = unique("deal");
    store.create_deal(&new_deal(&id)).await.unwrap();
    id
}

fn expected(r: Result<(), AppendError>) -> Option<u64> {
    match r {
        Ok(()) => None,
        Err(AppendError::Conflict { expected }) => Some(expected),
        Err(e) => panic!("unexpected store error: {e}"),
    }
}

#[tokio::test]
async fn the_store_appends_only_the_next_link() {
    let (store, _) = open().await;
    let id = deal(&store).await;
    // (event to append, the seq a conflict names; None = accepted)
    let mut wrong_prev = event(&id, 3);
    wrong_prev.prev = Some("00".repeat(32));
    let mut prev_on_first = event(&id, 1);
    prev_on_first.prev = Some("00".repeat(32));
    let cases = [
        (prev_on_first, Some(1)),
        (event(&id, 2), Some(1)),
        (event(&id, 1), None),
        (event(&id, 1), Some(2)), // a replay
        (event(&id, 2), None),
        (wrong_prev, Some(3)),
        (event(&id, 4), Some(3)), // a gap
        (event(&id, 3), None),
    ];
    for (i, (ev, want)) in cases.into_iter().enumerate() {
        assert_eq!(expected(store.append(ev).await), want, "case {i}");
    }
    let head = store.head(&id).await.unwrap().unwrap();
    assert_eq!(
        (head.seq, head.hash),
        (3, crate::support::fake_hash(&id, 3))
    );
    let seqs: Vec<u64> = store
        .events(&id, 0, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    let page: Vec<u64> = store
        .events(&id, 1, 1)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(page, [2]);
}

#[tokio::test]
async fn concurrent_appends_to_many_deals_all_commit_once() {
    let (store, url) = open().await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(deal(&store).await);
    }
    let mut tasks = Vec::new();
    for id in &ids {
        let (store, id) = (store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            for seq in 1..=50 {
                store.append(event(&id, seq)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Read back through a fresh connection: what was acknowledged is there.
    drop(store);
    let store = Store::open(&url).await.unwrap();
    for id in &ids {
        let events = store.events(id, 0, 1000).await.unwrap();
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn every_stale_writer_racing_for_one_seq_but_one_gets_a_conflict() {
    let (store, _) = open().await;
    let id = deal(&store).await;
    store.append(event(&id, 1)).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (store, id) = (store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            expected(store.append(event(&id, 2)).await)
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    outcomes.sort();
    let mut want = vec![Some(3); 15];
    want.insert(0, None);
    assert_eq!(outcomes, want);
}
