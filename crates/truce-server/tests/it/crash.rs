//! kill -9 during a load of 1,000 signed events over loopback HTTP, then a
//! restart on the same database: every acknowledged event is there (the
//! receipts hold), the chain verifies, nothing is duplicated, and the chain
//! goes on. Bounded: 1,000 events, 4 deals, every wait capped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use truce_ledger::{Event, Hash, KeyRing, Receipt, VerifyOptions, verify_with};
use truce_server::{CreatedDeal, ReceiptView, StateView};

use crate::support::*;
use truce_server::client::Client;

const DEALS: usize = 4;
const EVENTS_PER_DEAL: usize = 250;
/// Kill once this many load events are acknowledged: mid-load.
const KILL_AFTER: usize = 400;
pub const WAIT: Duration = Duration::from_secs(120);

/// The server as a child process; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn spawn_server(database_url: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_truce-server"))
        .args([database_url, "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn truce-server");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads the address from the start-up line, then keeps draining the
    // request log so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr = rest.split('/').next().unwrap_or_default().to_owned();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx.recv_timeout(WAIT).expect("server did not start");
    Server {
        child,
        addr: addr.parse().expect("address"),
    }
}

/// A deal's chain as one client drives it.
struct Cursor {
    deal: TestDeal,
    seq: u64,
    head: Option<Hash>,
}

impl Cursor {
    async fn push(
        &mut self,
        client: &mut Client,
        author: &str,
        event: Event,
    ) -> Result<ReceiptView, String> {
        let ev = sign_at(&self.deal, author, self.seq, self.head, event);
        let path = format!("/api/v1/deals/{}/events", self.deal.id);
        let (status, body) = client
            .call(
                "POST",
                &path,
                Some(self.deal.token(author)),
                Some(ev.to_line().unwrap()),
            )
            .await
            .map_err(|e| e.to_string())?;
        if status != 201 {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
        }
        let receipt: ReceiptView = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        self.seq += 1;
        self.head = Some(receipt.hash);
        Ok(receipt)
    }
}

async fn create(client: &mut Client) -> Cursor {
    let id = unique("crash");
    let body = create_body(&id, EVENTS_PER_DEAL).to_string();
    let (status, bytes) = client
        .call("POST", "/api/v1/deals", None, Some(body))
        .await
        .unwrap();
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&bytes));
    let created: CreatedDeal = serde_json::from_slice(&bytes).unwrap();
    let deal = TestDeal::from_created(created);
    Cursor {
        deal,
        seq: 1,
        head: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_load_loses_no_acknowledged_event() {
    let url = database_url();
    let server = spawn_server(&url);
    let mut client = Client::connect(server.addr).await.unwrap();
    let mut cursors = Vec::new();
    for _ in 0..DEALS {
        let mut c = create(&mut client).await;
        client
            .keep_plan(
                &c.deal.id,
                c.deal.token("mediator"),
                &test_plan().to_string(),
            )
            .await
            .unwrap();
        for (author, event) in to_active(&c.deal) {
            c.push(&mut client, author, event).await.unwrap();
        }
        cursors.push(c);
    }

    let acked: Arc<Mutex<Vec<Receipt>>> = Arc::default();
    let mut workers = Vec::new();
    for mut c in cursors.iter().map(|c| Cursor {
        deal: c.deal.clone(),
        seq: c.seq,
        head: c.head,
    }) {
        let (acked, addr) = (acked.clone(), server.addr);
        workers.push(tokio::spawn(async move {
            let Ok(mut client) = Client::connect(addr).await else {
                return;
            };
            for i in 1..=EVENTS_PER_DEAL {
                let person = format!("A-{i:04}");
                let event = handover(&c.deal, "side-a", "side-b", &[person.as_str()]);
                // The first failure is the kill: stop there.
                let Ok(r) = c.push(&mut client, "relief", event).await else {
                    return;
                };
                acked.lock().unwrap().push(Receipt {
                    deal: c.deal.id.clone(),
                    seq: r.seq,
                    hash: r.hash,
                });
            }
        }));
    }
    let start = Instant::now();
    while acked.lock().unwrap().len() < KILL_AFTER
        && !workers.iter().all(|w| w.is_finished())
        && start.elapsed() < WAIT
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(server); // SIGKILL, then reap
    for w in workers {
        tokio::time::timeout(WAIT, w)
            .await
            .expect("worker stops")
            .unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    eprintln!("killed after {} acknowledged load events", acked.len());
    assert!(
        acked.len() >= KILL_AFTER.min(DEALS * EVENTS_PER_DEAL),
        "{}",
        acked.len()
    );

    let server = spawn_server(&url);
    let mut client = Client::connect(server.addr).await.unwrap();
    let ring = KeyRing::of(&keys()).unwrap();
    for c in &mut cursors {
        let mediator = Some(c.deal.token("mediator"));
        let path = format!("/api/v1/deals/{}/ledger.jsonl", c.deal.id);
        let (status, ledger) = client.call("GET", &path, mediator, None).await.unwrap();
        assert_eq!(status, 200);
        let ledger = String::from_utf8(ledger.to_vec()).unwrap();
        let receipts: Vec<Receipt> = acked
            .iter()
            .filter(|r| r.deal == c.deal.id)
            .cloned()
            .collect();
        let options = VerifyOptions {
            receipts: receipts.clone(),
            ..VerifyOptions::default()
        };
        let report = verify_with(ledger.as_bytes(), &ring, &options).unwrap();
        assert!(report.intact, "{}", report.render_text());
        // Verification checks seq 1, 2, 3… in order: no duplicate, no gap.
        let lines = ledger.lines().count();
        assert_eq!(report.events, lines);
        assert!(
            lines >= 5 + receipts.len(),
            "{lines} lines, {} acknowledged",
            receipts.len()
        );

        // The chain goes on from what the restarted server read.
        let (_, s) = client
            .call(
                "GET",
                &format!("/api/v1/deals/{}/state", c.deal.id),
                mediator,
                None,
            )
            .await
            .unwrap();
        let s: StateView = serde_json::from_slice(&s).unwrap();
        assert_eq!(s.next_seq as usize, lines + 1);
        (c.seq, c.head) = (s.next_seq, s.head);
        c.push(&mut client, "mediator", Event::Extended { days: 1 })
            .await
            .unwrap();
    }
}
