//! Test databases: a fresh SQLite file per test, or the shared PostgreSQL
//! database with ids made unique per test.

use std::sync::atomic::{AtomicU32, Ordering};

use truce_store::{NewDeal, NewEvent, PartyRecord, Store, token_hash};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other test of any run uses.
pub fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}-{}-{nanos}-{n}", std::process::id())
}

/// The database URL tests run against.
pub fn url() -> String {
    if cfg!(feature = "postgres-tests") {
        std::env::var("TRUCE_TEST_POSTGRES_URL")
            .expect("postgres-tests needs TRUCE_TEST_POSTGRES_URL (see .ci/postgres.sh)")
    } else {
        let dir = test_dir(&std::env::temp_dir().join("truce-store-tests"));
        dir.join(format!("{}.db", unique("db")))
            .display()
            .to_string()
    }
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

/// This run's directory of test databases, `<root>/<pid>`. Entries more
/// than an hour old are removed first, so runs do not pile up.
fn test_dir(root: &std::path::Path) -> std::path::PathBuf {
    static CLEANED: std::sync::Once = std::sync::Once::new();
    CLEANED.call_once(|| {
        let hour = std::time::Duration::from_secs(3600);
        for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
            if old {
                let _ = std::fs::remove_dir_all(entry.path());
                let _ = std::fs::remove_file(entry.path());
            }
        }
    });
    let dir = root.join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
