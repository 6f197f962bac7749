//! Many clients at once: deal creation never answers 500 for contention,
//! 20 parties recording on one deal at once all land (the client signs
//! again on the new head), and three servers on one database, one killed
//! mid-load, lose no acknowledged event. On SQLite by default, on
//! PostgreSQL with `postgres-tests`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use truce_ledger::{Event, KeyRing, Receipt, VerifyOptions, verify_with};
use truce_server::ReceiptView;
use truce_server::client::{Client, ClientError};

use crate::crash::{WAIT, spawn_server};
use crate::support::*;

/// Create a deal through `client`, and take it to `active`.
async fn active_deal(client: &mut Client) -> TestDeal {
    active_over(client, "many", 4).await
}

/// The deal's ledger verifies, with every receipt in `acked` in it.
async fn verify_ledger(client: &mut Client, deal: &TestDeal, acked: &[Receipt]) -> usize {
    let ledger = client
        .ledger(&deal.id, deal.token("guarantor"))
        .await
        .expect("ledger");
    let ring = KeyRing::of(&keys()).expect("ring");
    let options = VerifyOptions {
        receipts: acked.to_vec(),
        ..VerifyOptions::default()
    };
    let report = verify_with(ledger.as_bytes(), &ring, &options).expect("verify");
    assert!(report.intact, "{}", report.render_text());
    assert_eq!(report.events, ledger.lines().count());
    report.events
}

fn receipt(r: &ReceiptView) -> Receipt {
    Receipt {
        deal: r.deal.clone(),
        seq: r.seq,
        hash: r.hash,
    }
}

/// A breach report by `author`: every party may report one while the
/// pause is in force, so any party can race any other.
fn report(i: usize) -> Event {
    Event::BreachReported {
        against: party(if i.is_multiple_of(2) {
            "side-a"
        } else {
            "side-b"
        }),
        summary: format!("report {i}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deal_creation_answers_201_or_409_never_500() {
    let (addr, server) = truce_server::start_in_process(&database_url())
        .await
        .expect("server");
    // 54 deals, 8 at a time, as the issue measured (37 of 54 were 500).
    let mut statuses = Vec::new();
    for wave in 0..7 {
        let mut tasks = Vec::new();
        for i in 0..8 {
            if wave * 8 + i >= 54 {
                break;
            }
            tasks.push(tokio::spawn(async move {
                let mut client = Client::connect(addr).await.expect("connect");
                let body = create_body(&unique("create"), 50).to_string();
                let (status, _) = client
                    .call("POST", "/api/v1/deals", None, Some(body))
                    .await
                    .expect("answer");
                status
            }));
        }
        for t in tasks {
            statuses.push(t.await.expect("task"));
        }
    }
    assert_eq!(statuses.len(), 54);
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    // One id, 8 at once: one 201, seven 409, no 500.
    let id = unique("same");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(addr).await.expect("connect");
            let body = create_body(&id, 50).to_string();
            let (status, _) = client
                .call("POST", "/api/v1/deals", None, Some(body))
                .await
                .expect("answer");
            status
        }));
    }
    let mut same = Vec::new();
    for t in tasks {
        same.push(t.await.expect("task"));
    }
    same.sort_unstable();
    assert_eq!(same, [201, 409, 409, 409, 409, 409, 409, 409]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parties_recording_on_one_deal_at_once_all_land() {
    let (addr, server) = truce_server::start_in_process(&database_url())
        .await
        .expect("server");
    let mut client = Client::connect(addr).await.expect("connect");
    let deal = active_deal(&mut client).await;
    let start = tokio::sync::Barrier::new(20);
    let start = Arc::new(start);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (deal, start) = (deal.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            let author = PARTIES[i % PARTIES.len()].0;
            let mut client = Client::connect(addr).await.expect("connect");
            start.wait().await;
            client
                .record(
                    &deal.id,
                    deal.token(author),
                    key_of(&deal.keys, author),
                    1_772_431_200_000,
                    report(i),
                )
                .await
        }));
    }
    let mut acked = Vec::new();
    for t in tasks {
        let (_, r) = t.await.expect("task").expect("recorded");
        acked.push(receipt(&r));
    }
    let events = verify_ledger(&mut client, &deal, &acked).await;
    assert_eq!(events, 5 + 20);
    server.shutdown().await;
}

/// Three servers on one database, each driven by its own clients; the
/// third is killed (SIGKILL) mid-load. Every event any server acknowledged
/// is in the chain, and the chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_one_killed_mid_load_lose_no_acknowledged_event() {
    const PER_CLIENT: usize = 30;
    const CLIENTS_PER_REPLICA: usize = 2;
    let url = database_url();
    let mut replicas: Vec<_> = (0..3).map(|_| spawn_server(&url)).collect();
    let mut client = Client::connect(replicas[0].addr).await.expect("connect");
    let deal = active_deal(&mut client).await;
    let acked: Arc<Mutex<Vec<Receipt>>> = Arc::default();
    // Events acknowledged by the replica that will be killed.
    let by_third = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (r, replica) in replicas.iter().enumerate() {
        for c in 0..CLIENTS_PER_REPLICA {
            let (deal, acked, addr) = (deal.clone(), acked.clone(), replica.addr);
            let by_third = by_third.clone();
            tasks.push(tokio::spawn(async move {
                let Ok(mut client) = Client::connect(addr).await else {
                    return 0;
                };
                let author = PARTIES[(r * CLIENTS_PER_REPLICA + c) % PARTIES.len()].0;
                let mut refused = 0;
                for i in 0..PER_CLIENT {
                    let result = client
                        .record(
                            &deal.id,
                            deal.token(author),
                            key_of(&deal.keys, author),
                            1_772_431_200_000,
                            report(r * 1000 + c * 100 + i),
                        )
                        .await;
                    match result {
                        Ok((_, receipt_view)) => {
                            acked.lock().expect("lock").push(receipt(&receipt_view));
                            if r == 2 {
                                by_third.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                        // The killed replica: its clients stop.
                        Err(ClientError::Connect(_) | ClientError::Http(_)) => return refused,
                        Err(e) => {
                            eprintln!("replica {r} client {c}: {e}");
                            refused += 1;
                        }
                    }
                }
                refused
            }));
        }
    }
    // Kill the third replica once a third of the load is acknowledged,
    // some of it by the third replica itself.
    let total = 3 * CLIENTS_PER_REPLICA * PER_CLIENT;
    let start = Instant::now();
    while (acked.lock().expect("lock").len() < total / 3
        || by_third.load(std::sync::atomic::Ordering::Relaxed) == 0)
        && start.elapsed() < WAIT
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let killed = replicas.pop().expect("third");
    drop(killed); // SIGKILL, then reap
    let mut refused = 0;
    for t in tasks {
        refused += tokio::time::timeout(WAIT, t)
            .await
            .expect("client stops")
            .expect("task");
    }
    assert_eq!(refused, 0, "some events were refused rather than retried");
    let acked = acked.lock().expect("lock").clone();
    eprintln!(
        "three replicas, one killed: {} events acknowledged of {total}, {} of them by the killed replica",
        acked.len(),
        by_third.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert!(by_third.load(std::sync::atomic::Ordering::Relaxed) > 0);
    // The clients of the two survivors recorded everything.
    assert!(acked.len() >= 2 * CLIENTS_PER_REPLICA * PER_CLIENT);
    for replica in &replicas {
        let mut client = Client::connect(replica.addr).await.expect("connect");
        let events = verify_ledger(&mut client, &deal, &acked).await;
        assert!(events >= 5 + acked.len());
    }
}
