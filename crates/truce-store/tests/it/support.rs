//! Test databases: a fresh SQLite file per test, or the shared PostgreSQL
//! database with ids made unique per test.

use truce_store::{NewDeal, NewEvent, PartyRecord, Store, token_hash};

pub use truce_test_support::scratch::unique;

/// The database URL tests run against.
pub fn url() -> String {
    truce_test_support::database_url(cfg!(feature = "postgres-tests"), "truce-store-tests")
}

pub async fn open() -> (Store, String) {
    let url = url();
    let store = Store::open(&url).await.expect("open store");
    (store, url)
}

/// A deal row with two sides and a mediator, tokens `<deal>/<party>`.
pub fn new_deal(id: &str) -> NewDeal {
    let party = |p: &str, role: &str| PartyRecord {
        party_id: p.to_owned(),
        role: role.to_owned(),
        public_key: "00".repeat(32),
    };
    NewDeal {
        id: id.to_owned(),
        deal_json: r#"{"name":"test"}"#.to_owned(),
        deal_hash: "ab".repeat(32),
        created_at_ms: 1_000,
        person_key: "cd".repeat(32),
        parties: vec![
            party("mediator", "mediator"),
            party("side-a", "side"),
            party("side-b", "side"),
        ],
        tokens: ["mediator", "side-a", "side-b"]
            .map(|p| (token_hash(&format!("{id}/{p}")), p.to_owned()))
            .to_vec(),
    }
}

/// Run one statement taking the deal id as `$1` on the test database
/// behind the store's back (to make rows the store itself no longer writes).
pub async fn execute(url: &str, sql: &'static str, id: &str) {
    if cfg!(feature = "postgres-tests") {
        let pool = sqlx::PgPool::connect(url).await.expect("connect");
        sqlx::query(sql).bind(id).execute(&pool).await.expect("sql");
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(url);
        let pool = sqlx::SqlitePool::connect_with(options)
            .await
            .expect("connect");
        sqlx::query(sql).bind(id).execute(&pool).await.expect("sql");
    }
}

/// Event `seq` of a fake chain: hashes are derived from the seq, so the
/// chain links without real signatures (the store checks links only).
pub fn event(deal: &str, seq: u64) -> NewEvent {
    NewEvent {
        deal_id: deal.to_owned(),
        seq,
        prev: (seq > 1).then(|| fake_hash(deal, seq - 1)),
        hash: fake_hash(deal, seq),
        line: format!(r#"{{"seq":{seq}}}"#),
    }
}

pub fn fake_hash(deal: &str, seq: u64) -> String {
    token_hash(&format!("{deal}#{seq}"))
}
