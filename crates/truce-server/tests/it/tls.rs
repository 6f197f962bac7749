//! TLS end to end with the test certificate (`tests/data/tls`): the
//! service over HTTPS, the client trusting the test CA by name and by IP
//! address, and what fails: plain HTTP to the TLS port, a client that
//! trusts only the public authorities, a name the certificate lacks.

use std::path::{Path, PathBuf};

use tokio::net::TcpListener;
use truce_server::client::{Client, ClientError, TlsClient};
use truce_server::{AppState, Limits, Tls};

use crate::support::*;

fn tls_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tls")
        .join(name)
}

fn test_ca() -> Vec<u8> {
    std::fs::read(tls_file("ca.pem")).expect("ca.pem")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deal_is_recorded_over_https_and_plain_http_is_refused() {
    let tls = Tls::from_pem_files(&tls_file("cert.pem"), &tls_file("key.pem")).expect("tls");
    let store = truce_store::Store::open(&database_url())
        .await
        .expect("store");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(truce_server::serve_tls(
        listener,
        AppState::new(store, None),
        Limits::default(),
        tls,
        async {
            let _ = stopped.await;
        },
    ));

    for name in ["localhost", "127.0.0.1"] {
        let tls = TlsClient::new(name, Some(&test_ca())).expect("client tls");
        let mut client = Client::connect_with(addr, Some(tls))
            .await
            .expect("connect");
        let deal = active_over(&mut client, "tls", 2).await;
        let ledger = client.ledger(&deal.id, "truce_not-a-token").await;
        // An unknown token is refused over TLS as over HTTP.
        assert!(matches!(
            ledger,
            Err(ClientError::Problem { status: 401, .. })
        ));
        let ledger = client
            .ledger(&deal.id, deal.token("monitor"))
            .await
            .expect("ledger");
        assert_eq!(ledger.lines().count(), 5);
    }

    // Plain HTTP to the TLS port: no answer.
    let plain = match Client::connect(addr).await {
        Ok(mut client) => client.call("GET", "/api/v1/health", None, None).await.err(),
        Err(e) => Some(e),
    };
    assert!(plain.is_some(), "plain HTTP was answered on the TLS port");
    // The public authorities do not know the test CA.
    let public = TlsClient::new("localhost", None).expect("client tls");
    let refused = Client::connect_with(addr, Some(public)).await;
    assert!(matches!(refused, Err(ClientError::Tls(_))), "{refused:?}");
    // A name the certificate does not carry.
    let other = TlsClient::new("example.org", Some(&test_ca())).expect("client tls");
    let refused = Client::connect_with(addr, Some(other)).await;
    assert!(matches!(refused, Err(ClientError::Tls(_))), "{refused:?}");

    let _ = stop.send(());
    server.await.expect("task").expect("serve");
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused_at_start() {
    let missing = Tls::from_pem_files(&tls_file("cert.pem"), &tls_file("no-such-key.pem"));
    assert!(missing.is_err());
    // The CA's certificate as a key file: no key in it.
    let wrong = Tls::from_pem_files(&tls_file("cert.pem"), &tls_file("ca.pem"));
    assert!(wrong.is_err());
}
