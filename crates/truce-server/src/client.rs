//! A small client of the API: one keep-alive HTTP/1.1 connection (hyper,
//! which axum already builds), reopened when the service closes it, typed
//! calls for each endpoint, and [`Client::record`], which reads `/state`,
//! signs the next event and appends it, as a party's own tool would, and
//! signs again on the new head when another party's event got there first.
//!
//! Every connection attempt gives up after [`CONNECT_TIMEOUT`] and every
//! answer after [`RESPONSE_TIMEOUT`]: a hung service never hangs a client.
//!
//! `truce demo` and `truce record` drive the service with it; the tests
//! use it too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;
use truce_ledger::{DealId, Event, Hash, PartyKey, SignedEvent};

use crate::api::{
    AlgorithmChoice, AmendmentKept, CreatedDeal, DealView, EventPage, NextTextView, PlanKept,
    PostText, PostVote, PostWithdrawal, ReceiptView, StateView, TextKept, TextWithdrawn, TextsView,
    VoteKept,
};

/// How long the client waits for the service to accept a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the client waits for an answer once its request is sent: the
/// service's own deadline ([`crate::REQUEST_DEADLINE`], 30 s) and time to
/// write the answer.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

/// Most attempts [`Client::record`] makes to append one event when other
/// parties' events keep taking the next seq (or the service is busy).
pub const RECORD_ATTEMPTS: u32 = 40;

/// A call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The connection to the service could not be opened.
    #[error("cannot reach the service: {0}")]
    Connect(#[from] std::io::Error),
    /// The HTTP exchange failed once connected (the request may or may not
    /// have reached the service).
    #[error("the connection to the service failed: {0}")]
    Http(#[from] hyper::Error),
    /// The request could not be built (e.g. a malformed URL or header).
    #[error("cannot build the request: {0}")]
    Request(#[from] hyper::http::Error),
    /// No connection or no answer in time.
    #[error("the service did not {0} within {1:?}")]
    Timeout(&'static str, Duration),
    /// The service answered with an error (its problem+json `kind` and
    /// `detail`).
    #[error("the service answered {status} {kind}: {detail}")]
    Problem {
        /// The HTTP status code.
        status: u16,
        /// The problem's `kind` (`unknown` when the body is not problem+json).
        kind: String,
        /// The problem's `detail`.
        detail: String,
    },
    /// The answer could not be read as the API documents it.
    #[error("the service's answer is not what the API documents: {0}")]
    Answer(String),
    /// The event could not be signed with the party's key.
    #[error("cannot sign the event: {0}")]
    Sign(#[from] truce_ledger::SignError),
    /// TLS could not be set up (the CA file, the server name, the handshake).
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// Other events kept taking the next seq, or the service stayed busy.
    #[error(
        "the event was not recorded after {attempts} attempts (other events kept taking its place, or the service was busy); the last answer: {last}"
    )]
    Contended {
        /// How many appends were tried ([`RECORD_ATTEMPTS`]).
        attempts: u32,
        /// The error of the last attempt.
        last: Box<ClientError>,
    },
}

/// The problem+json fields a client reads.
#[derive(Deserialize)]
struct ProblemBody {
    kind: String,
    detail: String,
}

/// How a client reaches an `https://` service: the name its certificate
/// must carry, and the authorities trusted to sign it.
#[derive(Clone)]
pub struct TlsClient {
    connector: tokio_rustls::TlsConnector,
    name: tokio_rustls::rustls::pki_types::ServerName<'static>,
}

impl std::fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsClient")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TlsClient {
    /// TLS to the service named `server_name` (a DNS name or an IP
    /// address, as its certificate states it), trusting the certificate
    /// authorities in `ca_pem` only or, without it, the public ones
    /// (Mozilla's list, `webpki-roots`).
    pub fn new(server_name: &str, ca_pem: Option<&[u8]>) -> Result<TlsClient, ClientError> {
        use tokio_rustls::rustls::pki_types::pem::PemObject;
        use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
        use tokio_rustls::rustls::{ClientConfig, RootCertStore};
        let mut roots = RootCertStore::empty();
        match ca_pem {
            Some(pem) => {
                for cert in CertificateDer::pem_slice_iter(pem) {
                    let cert = cert.map_err(|e| ClientError::Tls(format!("the CA file: {e}")))?;
                    roots
                        .add(cert)
                        .map_err(|e| ClientError::Tls(format!("the CA file: {e}")))?;
                }
                if roots.is_empty() {
                    return Err(ClientError::Tls(
                        "the CA file holds no certificate".to_owned(),
                    ));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let name = ServerName::try_from(server_name.to_owned())
            .map_err(|e| ClientError::Tls(format!("`{server_name}`: {e}")))?;
        Ok(TlsClient {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            name,
        })
    }
}

/// One connection to a truce service, reopened as needed.
pub struct Client {
    addr: SocketAddr,
    tls: Option<TlsClient>,
    sender: Option<SendRequest<Full<Bytes>>>,
    host: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("host", &self.host).finish()
    }
}

/// Open a connection to `addr` (TLS first with `tls`), within
/// [`CONNECT_TIMEOUT`].
async fn open(
    addr: SocketAddr,
    tls: Option<&TlsClient>,
) -> Result<SendRequest<Full<Bytes>>, ClientError> {
    tokio::time::timeout(CONNECT_TIMEOUT, async {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        match tls {
            None => {
                let (sender, conn) = handshake(TokioIo::new(stream)).await?;
                // The connection ends when the client is dropped or the
                // server closes it; the next call opens another.
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                Ok(sender)
            }
            Some(tls) => {
                let stream = tls
                    .connector
                    .connect(tls.name.clone(), stream)
                    .await
                    .map_err(|e| ClientError::Tls(e.to_string()))?;
                let (sender, conn) = handshake(TokioIo::new(stream)).await?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                Ok(sender)
            }
        }
    })
    .await
    .map_err(|_| ClientError::Timeout("accept a connection", CONNECT_TIMEOUT))?
}

impl Client {
    /// Connect to the service listening at `addr` (plain HTTP).
    pub async fn connect(addr: SocketAddr) -> Result<Client, ClientError> {
        Client::connect_with(addr, None).await
    }

    /// Connect to the service listening at `addr`, over TLS with `tls`.
    pub async fn connect_with(
        addr: SocketAddr,
        tls: Option<TlsClient>,
    ) -> Result<Client, ClientError> {
        let sender = open(addr, tls.as_ref()).await?;
        let host = match &tls {
            Some(tls) => tls.name.to_str().into_owned(),
            None => addr.to_string(),
        };
        Ok(Client {
            addr,
            tls,
            sender: Some(sender),
            host,
        })
    }

    /// The open connection, ready for a request, or a new one if the
    /// service closed it (idle too long, or its last allowed request):
    /// nothing was sent on a closed one, so opening another is safe.
    async fn ready(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, ClientError> {
        let usable = match &mut self.sender {
            Some(sender) => !sender.is_closed() && sender.ready().await.is_ok(),
            None => false,
        };
        if !usable {
            self.sender = None;
            self.sender = Some(open(self.addr, self.tls.as_ref()).await?);
        }
        self.sender
            .as_mut()
            .ok_or(ClientError::Answer("no connection".to_owned()))
    }

    /// One request: the status and the body, whatever the status.
    pub async fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, Bytes), ClientError> {
        let host = self.host.clone();
        let build = || {
            let mut req = hyper::Request::builder()
                .method(method)
                .uri(path)
                .header("host", &host);
            if let Some(t) = token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            if body.is_some() {
                req = req.header("content-type", "application/json");
            }
            req.body(Full::new(Bytes::from(body.clone().unwrap_or_default())))
        };
        let req = build()?;
        let sender = self.ready().await?;
        let sent = match sender.send_request(req).await {
            // Closed before the request went out (the service closed the
            // idle connection at that moment): it was not sent, so send it
            // once more on a new connection.
            Err(e) if e.is_canceled() => {
                let req = build()?;
                self.sender = None;
                self.ready().await?.send_request(req).await
            }
            other => other,
        };
        let answer = tokio::time::timeout(RESPONSE_TIMEOUT, async {
            let response = sent?;
            let status = response.status().as_u16();
            let bytes = response.into_body().collect().await?.to_bytes();
            Ok::<_, ClientError>((status, bytes))
        })
        .await;
        match answer {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                // The connection may still carry the late answer: drop it.
                self.sender = None;
                Err(ClientError::Timeout("answer", RESPONSE_TIMEOUT))
            }
        }
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

    /// `GET /api/v1/deals/{deal}/plans/{plan}` (the mediator): the plan JSON
    /// kept under `plan_hash`, as it was kept.
    pub async fn plan(
        &mut self,
        deal: &DealId,
        token: &str,
        plan_hash: &Hash,
    ) -> Result<String, ClientError> {
        let path = format!("/api/v1/deals/{deal}/plans/{plan_hash}");
        let (status, bytes) = self.call("GET", &path, Some(token), None).await?;
        if status != 200 {
            return Err(problem(status, &bytes));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| ClientError::Answer(e.to_string()))
    }

    /// `POST /api/v1/deals/{deal}/amendments` (the mediator): keep an
    /// amended deal's normalised JSON under its deal hash, for the sides to
    /// sign and a `deal-amended` event to name.
    pub async fn keep_amendment(
        &mut self,
        deal: &DealId,
        token: &str,
        deal_json: &str,
    ) -> Result<AmendmentKept, ClientError> {
        let path = format!("/api/v1/deals/{deal}/amendments");
        self.json("POST", &path, Some(token), Some(deal_json.to_owned()), 201)
            .await
    }

    /// `GET /api/v1/deals/{deal}/texts`: the texts, with what the token's
    /// party may read of the votes.
    pub async fn texts(&mut self, deal: &DealId, token: &str) -> Result<TextsView, ClientError> {
        let path = format!("/api/v1/deals/{deal}/texts");
        self.json("GET", &path, Some(token), None, 200).await
    }

    /// `POST /api/v1/deals/{deal}/texts` (the mediator): post a signed text.
    pub async fn post_text(
        &mut self,
        deal: &DealId,
        token: &str,
        text: &PostText,
    ) -> Result<TextKept, ClientError> {
        let path = format!("/api/v1/deals/{deal}/texts");
        let body = serde_json::to_string(text).map_err(|e| ClientError::Answer(e.to_string()))?;
        self.json("POST", &path, Some(token), Some(body), 201).await
    }

    /// `POST /api/v1/deals/{deal}/texts/{round}/votes` (a side): a signed
    /// vote on text `round`.
    pub async fn vote(
        &mut self,
        deal: &DealId,
        token: &str,
        round: u32,
        vote: &PostVote,
    ) -> Result<VoteKept, ClientError> {
        let path = format!("/api/v1/deals/{deal}/texts/{round}/votes");
        let body = serde_json::to_string(vote).map_err(|e| ClientError::Answer(e.to_string()))?;
        self.json("POST", &path, Some(token), Some(body), 201).await
    }

    /// `POST /api/v1/deals/{deal}/texts/{round}/withdraw` (the mediator):
    /// withdraw text `round`, posted in error, while its round is open.
    pub async fn withdraw_text(
        &mut self,
        deal: &DealId,
        token: &str,
        round: u32,
        withdrawal: &PostWithdrawal,
    ) -> Result<TextWithdrawn, ClientError> {
        let path = format!("/api/v1/deals/{deal}/texts/{round}/withdraw");
        let body =
            serde_json::to_string(withdrawal).map_err(|e| ClientError::Answer(e.to_string()))?;
        self.json("POST", &path, Some(token), Some(body), 201).await
    }

    /// `POST /api/v1/deals/{deal}/texts/next` (the mediator): the text the
    /// algorithm proposes now.
    pub async fn next_text(
        &mut self,
        deal: &DealId,
        token: &str,
        algorithm: &AlgorithmChoice,
    ) -> Result<NextTextView, ClientError> {
        let path = format!("/api/v1/deals/{deal}/texts/next");
        let body =
            serde_json::to_string(algorithm).map_err(|e| ClientError::Answer(e.to_string()))?;
        self.json("POST", &path, Some(token), Some(body), 200).await
    }

    /// What a party's tool does to record an event: read `/state` for the
    /// next seq and the head, sign the event there with the party's key,
    /// append it. Returns the signed event and the service's receipt.
    ///
    /// When another event took the seq first (`409`) or the service was
    /// busy (`503`: nothing stored), it reads the head again and signs
    /// again, after a random pause that grows with each attempt (full
    /// jitter, 10 ms doubling up to 640 ms; a second after a `503`), at most
    /// [`RECORD_ATTEMPTS`] times. When an attempt's fate is unknown (the
    /// connection broke after the event was sent), it first looks for that
    /// event in the chain, so an event is never recorded twice. Any other
    /// refusal (`403`, `422`…) is returned at once: signing again would not
    /// change it.
    pub async fn record(
        &mut self,
        deal: &DealId,
        token: &str,
        key: &PartyKey,
        at_ms: u64,
        event: Event,
    ) -> Result<(SignedEvent, ReceiptView), ClientError> {
        let mut unknown: Vec<SignedEvent> = Vec::new();
        let mut last = None;
        for attempt in 0..RECORD_ATTEMPTS {
            let state = self.state(deal, token).await?;
            if let Some(found) = self.find_any(deal, token, &unknown, &state).await? {
                return Ok(found);
            }
            let prev = state.head;
            let draft = truce_ledger::Draft {
                deal: deal.clone(),
                seq: state.next_seq,
                prev,
                author: key.party().clone(),
                at_ms,
                event: event.clone(),
            };
            let signed = draft.sign(key)?;
            let pause = match self.append(token, &signed).await {
                Ok(receipt) => return Ok((signed, receipt)),
                Err(e @ ClientError::Problem { status: 409, .. }) => {
                    last = Some(e);
                    backoff(attempt)
                }
                Err(e @ ClientError::Problem { status: 503, .. }) => {
                    last = Some(e);
                    Duration::from_secs(1).max(backoff(attempt))
                }
                // Sent, perhaps stored: look for it before signing again.
                Err(e @ (ClientError::Http(_) | ClientError::Timeout("answer", _))) => {
                    unknown.push(signed);
                    last = Some(e);
                    backoff(attempt)
                }
                Err(e) => return Err(e),
            };
            tokio::time::sleep(pause).await;
        }
        Err(ClientError::Contended {
            attempts: RECORD_ATTEMPTS,
            last: Box::new(last.unwrap_or(ClientError::Answer("no attempt".to_owned()))),
        })
    }

    /// One of `sent` (events whose append had no answer) if the chain holds
    /// it, with its receipt.
    async fn find_any(
        &mut self,
        deal: &DealId,
        token: &str,
        sent: &[SignedEvent],
        state: &StateView,
    ) -> Result<Option<(SignedEvent, ReceiptView)>, ClientError> {
        for ev in sent {
            if ev.seq >= state.next_seq {
                continue;
            }
            let path = format!("/api/v1/deals/{deal}/events?after={}&limit=1", ev.seq - 1);
            let page: EventPage = self.json("GET", &path, Some(token), None, 200).await?;
            let Some(stored) = page.events.first() else {
                continue;
            };
            let hash = ev.hash().map_err(|e| ClientError::Answer(e.to_string()))?;
            if stored.seq == ev.seq && stored.hash == hash {
                return Ok(Some((
                    ev.clone(),
                    ReceiptView {
                        deal: deal.clone(),
                        seq: ev.seq,
                        hash,
                        // The answer that carried the service's signed
                        // checkpoint was lost; the head's is at
                        // `checkpoint()`.
                        checkpoint: String::new(),
                    },
                )));
            }
        }
        Ok(None)
    }
}

/// A random pause before attempt `attempt + 1`: up to 10 ms × 2^attempt,
/// at most 640 ms (full jitter, so racing parties spread out).
fn backoff(attempt: u32) -> Duration {
    let ceiling_ms = 10u64 << attempt.min(6);
    let mut bytes = [0u8; 8];
    // Without randomness, the ceiling itself: still bounded.
    let random = match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => u64::MAX,
    };
    Duration::from_millis(random % (ceiling_ms + 1))
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
