use truce_store::{StoreError, token_hash};

use crate::support::{execute, new_deal, open, unique};

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
    assert_eq!(deal.person_key, Some("cd".repeat(32)));
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

#[tokio::test]
async fn a_deal_keeps_its_person_key_and_an_older_deal_gets_one_once() {
    let (store, url) = open().await;
    let id = unique("deal");
    store.create_deal(&new_deal(&id)).await.unwrap();
    // A deal with a key keeps it.
    let kept = store.fill_person_key(&id, &"ef".repeat(32)).await.unwrap();
    assert_eq!(kept, Some("cd".repeat(32)));

    // A deal created before migration 0002 has none; the first key given
    // sticks, later ones do not replace it.
    execute(
        &url,
        "UPDATE deals SET person_key = NULL WHERE id = $1",
        &id,
    )
    .await;
    assert_eq!(store.deal(&id).await.unwrap().unwrap().person_key, None);
    let first = store.fill_person_key(&id, &"01".repeat(32)).await.unwrap();
    assert_eq!(first, Some("01".repeat(32)));
    let second = store.fill_person_key(&id, &"02".repeat(32)).await.unwrap();
    assert_eq!(second, Some("01".repeat(32)));
    assert_eq!(
        store.deal(&id).await.unwrap().unwrap().person_key,
        Some("01".repeat(32))
    );
    assert_eq!(
        store
            .fill_person_key("no-such-deal", &"01".repeat(32))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_database_at_the_first_migration_is_upgraded_in_place() {
    if cfg!(feature = "postgres-tests") {
        return; // the shared database is already migrated
    }
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    use std::borrow::Cow;
    let url = crate::support::url();
    // The schema as released before person keys, with a deal in it.
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&url)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        let first = Migrator {
            migrations: Cow::Owned(vec![Migration::new(
                1,
                Cow::Borrowed("init"),
                MigrationType::Simple,
                sqlx::SqlStr::from_static(include_str!("../../migrations/0001_init.sql")),
                false,
            )]),
            ..Migrator::DEFAULT
        };
        first.run(&pool).await.unwrap();
        sqlx::query(
            "INSERT INTO deals (id, deal_json, deal_hash, created_at_ms) VALUES ('old', '{}', 'ab', 1)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let store = truce_store::Store::open(&url).await.unwrap();
    let old = store.deal("old").await.unwrap().unwrap();
    assert_eq!((old.deal_hash.as_str(), old.person_key), ("ab", None));
    let key = store
        .fill_person_key("old", &"01".repeat(32))
        .await
        .unwrap();
    assert_eq!(key, Some("01".repeat(32)));
}
