//! TLS to PostgreSQL (with `postgres-tests`; `.ci/postgres.sh` serves TLS
//! with the test certificate of `crates/truce-server/tests/data/tls`):
//! the store connects with `sslmode=verify-full` against the test CA, and
//! refuses the same server when it may trust only the public authorities.

use std::path::Path;

use truce_store::Store;

use crate::support::url;

fn with(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

#[tokio::test]
async fn the_store_reaches_postgresql_over_verified_tls() {
    let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("../truce-server/tests/data/tls/ca.pem");
    let verified = with(
        &url(),
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let store = Store::open(&verified).await.expect("open over TLS");
    assert_eq!(store.transport().await.expect("transport"), "tls");
    // The public authorities do not know the test CA: refused.
    let unverified = with(&url(), "sslmode=verify-full");
    assert!(Store::open(&unverified).await.is_err());
}
