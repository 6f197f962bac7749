use truce_store::{StoreError, token_hash};

use crate::support::{new_deal, open, unique};

#[tokio::test]
async fn a_created_deal_reads_back_with_parties_and_tokens() {
    let (store, _) = open().await;
    let id = unique("deal");
    store.create_deal(&new_deal(&id)).await.unwrap();

    let deal = store.deal(&id).await.unwrap().unwrap();
    assert_eq!(
        (deal.deal_json.as_str(), deal.created_at_ms),
        (r#"{"name":"test"}"#, 1_000)
    );
    let parties: Vec<_> = store
        .parties(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.party_id)
        .collect();
    assert_eq!(parties, ["mediator", "side-a", "side-b"]);

    let token = store
        .token(&token_hash(&format!("{id}/side-b")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (token.deal_id.as_str(), token.party_id.as_str()),
        (id.as_str(), "side-b")
    );
    assert_eq!(store.token(&token_hash("not a token")).await.unwrap(), None);
    assert_eq!(store.deal("no-such-deal").await.unwrap(), None);
}

#[tokio::test]
async fn a_deal_id_is_created_once() {
    let (store, _) = open().await;
    let id = unique("deal");
    store.create_deal(&new_deal(&id)).await.unwrap();
    let err = store.create_deal(&new_deal(&id)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::DealExists(ref d) if d == &id),
        "{err:?}"
    );
}

#[tokio::test]
async fn migrations_run_again_on_an_existing_database() {
    let (store, url) = open().await;
    let id = unique("deal");
    store.create_deal(&new_deal(&id)).await.unwrap();
    drop(store);
    let again = truce_store::Store::open(&url).await.unwrap();
    assert!(again.deal(&id).await.unwrap().is_some());
}

#[tokio::test]
async fn a_file_url_without_scheme_and_a_sqlite_url_both_open() {
    if cfg!(feature = "postgres-tests") {
        return;
    }
    let path = crate::support::url();
    let store = truce_store::Store::open(&format!("sqlite://{path}"))
        .await
        .unwrap();
    assert_eq!(store.backend_name(), "sqlite");
    let err = truce_store::Store::open("mysql://localhost/x")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadUrl), "{err:?}");
}

#[tokio::test]
async fn commits_are_durable_by_configuration() {
    let (store, _) = open().await;
    let want = if cfg!(feature = "postgres-tests") {
        "postgres synchronous_commit=on fsync=on"
    } else {
        "sqlite journal_mode=wal synchronous=full"
    };
    // Every pooled connection must carry the settings: ask a few times.
    for _ in 0..4 {
        assert_eq!(store.durability().await.unwrap(), want);
    }
}
