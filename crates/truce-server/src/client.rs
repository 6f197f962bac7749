//! A small client of the API: one keep-alive HTTP/1.1 connection (hyper,
//! which axum already builds), typed calls for each endpoint, and
//! [`Client::record`], which reads `/state`, signs the next event and
//! appends it, as a party's own tool would.
//!
//! `truce demo` drives a whole deal with it; the tests use it too.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;
use truce_ledger::{DealId, Event, Hash, PartyKey, SignedEvent};

use crate::api::{CreatedDeal, DealView, EventPage, PlanKept, ReceiptView, StateView};

/// A call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the service: {0}")]
    Connect(#[from] std::io::Error),
    #[error("the connection to the service failed: {0}")]
    Http(#[from] hyper::Error),
    #[error("cannot build the request: {0}")]
    Request(#[from] hyper::http::Error),
    /// The service answered with an error (its problem+json `kind` and
    /// `detail`).
    #[error("the service answered {status} {kind}: {detail}")]
    Problem {
        status: u16,
        kind: String,
        detail: String,
    },
    #[error("the service's answer is not what the API documents: {0}")]
    Answer(String),
    #[error("cannot sign the event: {0}")]
    Sign(#[from] truce_ledger::SignError),
}

/// The problem+json fields a client reads.
#[derive(Deserialize)]
struct ProblemBody {
    kind: String,
    detail: String,
}

/// One connection to a truce service.
pub struct Client {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("host", &self.host).finish()
    }
}

impl Client {
    /// Connect to the service listening at `addr`.
    pub async fn connect(addr: SocketAddr) -> Result<Client, ClientError> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // The connection ends when the client is dropped or the server
            // closes it; either way the next call reports the error.
            let _ = conn.await;
        });
        Ok(Client {
            sender,
            host: addr.to_string(),
        })
    }

    /// One request: the status and the body, whatever the status.
    pub async fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, Bytes), ClientError> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(req).await?;
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }

    /// A call whose success is `expect` with a JSON body of type `T`; any
    /// other status is its problem.
    async fn json<T: DeserializeOwned>(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        expect: u16,
    ) -> Result<T, ClientError> {
        let (status, bytes) = self.call(method, path, token, body).await?;
        if status != expect {
            return Err(problem(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Answer(e.to_string()))
    }

    /// `POST /api/v1/deals` with a `CreateDeal` body (see
    /// [`crate::CreateDeal`]); `admin` is the service's admin token, if it
    /// requires one.
    pub async fn create_deal(
        &mut self,
        request: &serde_json::Value,
        admin: Option<&str>,
    ) -> Result<CreatedDeal, ClientError> {
        let body = request.to_string();
        self.json("POST", "/api/v1/deals", admin, Some(body), 201)
            .await
    }

    /// `GET /api/v1/deals/{deal}` as the token's party sees it.
    pub async fn deal(&mut self, deal: &DealId, token: &str) -> Result<DealView, ClientError> {
        let path = format!("/api/v1/deals/{deal}");
        self.json("GET", &path, Some(token), None, 200).await
    }

    /// `GET /api/v1/deals/{deal}/state`.
    pub async fn state(&mut self, deal: &DealId, token: &str) -> Result<StateView, ClientError> {
        let path = format!("/api/v1/deals/{deal}/state");
        self.json("GET", &path, Some(token), None, 200).await
    }

    /// `POST /api/v1/deals/{deal}/events`: append a signed event.
    pub async fn append(
        &mut self,
        token: &str,
        event: &SignedEvent,
    ) -> Result<ReceiptView, ClientError> {
        let path = format!("/api/v1/deals/{}/events", event.deal);
        let body = event
            .to_line()
            .map_err(|e| ClientError::Answer(e.to_string()))?;
        self.json("POST", &path, Some(token), Some(body), 201).await
    }

    /// `GET /api/v1/deals/{deal}/events` from `after`, one page.
    pub async fn events(
        &mut self,
        deal: &DealId,
        token: &str,
        after: u64,
    ) -> Result<EventPage, ClientError> {
        let path = format!("/api/v1/deals/{deal}/events?after={after}");
        self.json("GET", &path, Some(token), None, 200).await
    }

    /// `GET /api/v1/deals/{deal}/ledger.jsonl`: the export for `truce
    /// verify`.
    pub async fn ledger(&mut self, deal: &DealId, token: &str) -> Result<String, ClientError> {
        let path = format!("/api/v1/deals/{deal}/ledger.jsonl");
        let (status, bytes) = self.call("GET", &path, Some(token), None).await?;
        if status != 200 {
            return Err(problem(status, &bytes));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| ClientError::Answer(e.to_string()))
    }

    /// `GET /api/v1/deals/{deal}/checkpoint`: the head, signed by the service.
    pub async fn checkpoint(&mut self, deal: &DealId, token: &str) -> Result<String, ClientError> {
        let path = format!("/api/v1/deals/{deal}/checkpoint");
        let (status, bytes) = self.call("GET", &path, Some(token), None).await?;
        if status != 200 {
            return Err(problem(status, &bytes));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| ClientError::Answer(e.to_string()))
    }

    /// `GET /api/v1/service-key`: the key that signs checkpoints.
    pub async fn service_key(&mut self) -> Result<crate::api::ServiceKeyView, ClientError> {
        self.json("GET", "/api/v1/service-key", None, None, 200)
            .await
    }

    /// `POST /api/v1/deals/{deal}/plans` (the mediator): keep a plan JSON
    /// under its canonical hash, for a `plan-adopted` event to name.
    pub async fn keep_plan(
        &mut self,
        deal: &DealId,
        token: &str,
        plan_json: &str,
    ) -> Result<PlanKept, ClientError> {
        let path = format!("/api/v1/deals/{deal}/plans");
        self.json("POST", &path, Some(token), Some(plan_json.to_owned()), 201)
            .await
    }

    /// What a party's tool does to record an event: read `/state` for the
    /// next seq and the head, sign the event there with the party's key,
    /// append it. Returns the signed event and the service's receipt.
    pub async fn record(
        &mut self,
        deal: &DealId,
        token: &str,
        key: &PartyKey,
        at_ms: u64,
        event: Event,
    ) -> Result<(SignedEvent, ReceiptView), ClientError> {
        let state = self.state(deal, token).await?;
        let prev = match &state.head {
            None => None,
            Some(h) => Some(
                Hash::from_hex(h)
                    .ok_or_else(|| ClientError::Answer(format!("`head` is not a hash: {h}")))?,
            ),
        };
        let draft = truce_ledger::Draft {
            deal: deal.clone(),
            seq: state.next_seq,
            prev,
            author: key.party().clone(),
            at_ms,
            event,
        };
        let signed = draft.sign(key)?;
        let receipt = self.append(token, &signed).await?;
        Ok((signed, receipt))
    }
}

/// The error of a non-success answer, from its problem+json body.
fn problem(status: u16, body: &[u8]) -> ClientError {
    match serde_json::from_slice::<ProblemBody>(body) {
        Ok(p) => ClientError::Problem {
            status,
            kind: p.kind,
            detail: p.detail,
        },
        Err(_) => ClientError::Problem {
            status,
            kind: "unknown".to_owned(),
            detail: "the answer has no problem+json body".to_owned(),
        },
    }
}
