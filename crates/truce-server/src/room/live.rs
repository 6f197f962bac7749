//! The room's script endpoints, all on the session: the live timeline
//! (server-sent events), what a page needs to sign the next event, the
//! append itself (the API's own handler: verified exactly as for the
//! CLI), the ledger export and the deal's public keys.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use truce_ledger::Role;

use crate::auth::DealCaller;
use crate::error::AppError;
use crate::handlers::{self, MAX_PAGE, with_chain};
use crate::room::i18n::Lang;
use crate::room::pages;
use crate::room::session;
use crate::room::shared::{RoomRef, csrf_refused, session_of};
use crate::state::{AppState, Caller};
use crate::views;

/// How long one event stream stays open: the browser reconnects at once
/// (with `Last-Event-ID`, so nothing is missed), and a shutting-down
/// service is never held open by a viewer for longer than this.
pub(crate) const STREAM_LIFETIME: Duration = Duration::from_secs(15);

fn session_caller(
    room: &crate::room::shared::Room,
    headers: &HeaderMap,
) -> Result<Caller, AppError> {
    session_of(room, headers)
        .map(|s| s.caller)
        .ok_or_else(AppError::unauthorized)
}

/// The timeline rows after `after`, rendered for the caller.
async fn rows_after(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    after: u64,
) -> Result<Vec<(u64, String)>, AppError> {
    let stored = state
        .store()
        .events(caller.deal.as_str(), after, MAX_PAGE)
        .await
        .map_err(|e| AppError::store(&e))?;
    with_chain(state, &caller.deal, |chain| {
        let unconfirmed: Vec<u64> = chain
            .ledger
            .state()
            .map(|s| s.unconfirmed_handovers().collect())
            .unwrap_or_default();
        stored
            .iter()
            .map(|s| {
                let view = views::event_view(caller, s, chain)?;
                let html = pages::event_row(lang, caller, &view, &unconfirmed).into_string();
                Ok((s.seq, html))
            })
            .collect()
    })
    .await
}

/// What woke a waiting stream.
enum Wake {
    Appended(Result<(truce_ledger::DealId, u64), RecvError>),
    Signed(Result<truce_ledger::DealId, RecvError>),
}

#[derive(Deserialize)]
pub(crate) struct StreamQuery {
    after: Option<u64>,
}

struct Live {
    rx: tokio::sync::broadcast::Receiver<(truce_ledger::DealId, u64)>,
    /// Signatures kept in the room (`Inner::signed`): sent on as `signed`.
    signed: tokio::sync::broadcast::Receiver<truce_ledger::DealId>,
    /// For the mediator and the sides: votes kept (`Inner::talks`), sent on
    /// as `signed` too.
    talks: Option<tokio::sync::broadcast::Receiver<truce_ledger::DealId>>,
    state: AppState,
    caller: Caller,
    lang: Lang,
    last: u64,
    queue: VecDeque<(u64, String)>,
    until: Instant,
    hello: bool,
}

/// `GET /room/stream?after=SEQ`: every event after `SEQ` (or after the
/// browser's `Last-Event-ID`), as timeline rows (`appended`), as each
/// becomes durable; and a `signed` event (no id: nothing to catch up) each
/// time a side's signature on the agreement or an amendment, a text, or a
/// vote closing its round is kept (and, for the mediator and the sides,
/// any vote).
pub(crate) async fn stream(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    let caller = session_caller(&room, &headers)?;
    let lang = session::cookie(&headers, session::LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // Subscribe before the catch-up read, so nothing falls between.
    let rx = state.inner.appended.subscribe();
    let signed = state.inner.signed.subscribe();
    // Votes that leave a round open reach the mediator's and the sides'
    // pages only (`Inner::talks`): no other role learns of a vote.
    let talks =
        matches!(caller.role, Role::Mediator | Role::Side).then(|| state.inner.talks.subscribe());
    let after = last_id.or(q.after).unwrap_or(0);
    let queue: VecDeque<_> = rows_after(&state, &caller, lang, after).await?.into();
    let last = queue.back().map_or(after, |(s, _)| *s);
    let live = Live {
        rx,
        signed,
        talks,
        state,
        caller,
        lang,
        last,
        queue,
        until: Instant::now() + STREAM_LIFETIME,
        hello: true,
    };
    let stream = futures_util::stream::unfold(live, |mut s| async move {
        if s.hello {
            s.hello = false;
            let hello = SseEvent::default()
                .retry(Duration::from_millis(250))
                .comment("live");
            return Some((Ok(hello), s));
        }
        loop {
            if let Some((seq, html)) = s.queue.pop_front() {
                let ev = SseEvent::default()
                    .event("appended")
                    .id(seq.to_string())
                    .data(html.replace('\r', "&#13;").replace('\n', "&#10;"));
                return Some((Ok(ev), s));
            }
            let left = s.until.saturating_duration_since(Instant::now());
            let woke = tokio::time::timeout(left, async {
                // Signatures, texts and votes before events: whatever was
                // kept before an event reaches the page before that event.
                tokio::select! {
                    biased;
                    signed = s.signed.recv() => Wake::Signed(signed),
                    Some(talked) = async {
                        match s.talks.as_mut() {
                            Some(rx) => Some(rx.recv().await),
                            None => std::future::pending().await,
                        }
                    } => Wake::Signed(talked),
                    appended = s.rx.recv() => Wake::Appended(appended),
                }
            })
            .await;
            match woke {
                Err(_)
                | Ok(Wake::Appended(Err(RecvError::Closed)))
                | Ok(Wake::Signed(Err(RecvError::Closed))) => return None,
                Ok(Wake::Appended(Ok((deal, seq)))) if deal != s.caller.deal || seq <= s.last => {
                    continue;
                }
                Ok(Wake::Appended(_)) => {}
                Ok(Wake::Signed(Ok(deal))) if deal != s.caller.deal => continue,
                Ok(Wake::Signed(_)) => {
                    let ev = SseEvent::default().event("signed").data("1");
                    return Some((Ok(ev), s));
                }
            }
            match rows_after(&s.state, &s.caller, s.lang, s.last).await {
                Ok(rows) => {
                    if let Some((seq, _)) = rows.last() {
                        s.last = *seq;
                    }
                    s.queue.extend(rows);
                }
                Err(_) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `GET /room/sign`: what the page signs against, and the deal's person key
/// for the roles that hold it (a handover names persons by pseudonym).
pub(crate) async fn sign_state(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let caller = session_caller(&room, &headers)?;
    let body = with_chain(&state, &caller.deal, |chain| {
        let holds = matches!(
            caller.role,
            Role::Mediator | Role::Side | Role::Intermediary
        );
        Ok(serde_json::json!({
            "deal": caller.deal.as_str(),
            "party": caller.party.as_str(),
            "role": caller.role.to_string(),
            "next_seq": chain.ledger.next_seq(),
            "head": chain.ledger.head().map(|h| h.to_string()),
            "person_key": holds.then(|| chain.person_key.to_hex()),
        }))
    })
    .await?;
    Ok(Json(body).into_response())
}

/// `POST /room/events`: a signed event from the page, with the session's
/// CSRF token in `X-CSRF-Token`; then exactly the API's append.
pub(crate) async fn append(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let session = session_of(&room, &headers).ok_or_else(AppError::unauthorized)?;
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !session::same(&session.csrf, sent) {
        return Err(csrf_refused());
    }
    let caller = DealCaller {
        caller: session.caller,
    };
    handlers::append_event(State(state), caller, headers, body)
        .await
        .map(IntoResponse::into_response)
}

/// `GET /room/ledger.jsonl`: the API's export, on the session.
pub(crate) async fn ledger(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let caller = session_caller(&room, &headers)?;
    handlers::export_ledger(State(state), DealCaller { caller }).await
}

/// `GET /room/keys.json`: the deal's public keys, in `keys.json` form.
pub(crate) async fn keys(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let caller = session_caller(&room, &headers)?;
    let parties = state
        .store()
        .parties(caller.deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?;
    let parties: Vec<_> = parties
        .iter()
        .map(|p| serde_json::json!({"id": p.party_id, "public_key": p.public_key}))
        .collect();
    Ok(Json(serde_json::json!({"format_version": 1, "parties": parties})).into_response())
}
