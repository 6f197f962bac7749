//! Single text with people in the room: the page's posts, on the session
//! with its CSRF token in `X-CSRF-Token`, then exactly the API's handlers
//! (`crate::texts`), so a text or a vote is checked as for the CLI. The
//! page signs in the browser with the party's own key: the mediator's
//! text over `truce_ledger::text_message`, a side's vote over
//! `truce_ledger::vote_message`, the mediator's withdrawal of a text over
//! `truce_ledger::withdraw_message`.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::auth::DealCaller;
use crate::error::AppError;
use crate::room::session;
use crate::room::shared::{Room, RoomRef, csrf_refused, session_of};
use crate::state::AppState;

/// The session's caller, once the form's CSRF token matches.
fn checked(room: &Room, headers: &HeaderMap) -> Result<DealCaller, AppError> {
    let session = session_of(room, headers).ok_or_else(AppError::unauthorized)?;
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !session::same(&session.csrf, sent) {
        return Err(csrf_refused());
    }
    Ok(DealCaller {
        caller: session.caller,
    })
}

/// `POST /room/text`: the mediator's signed text (`PostText`).
pub(crate) async fn post_text(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let caller = checked(&room, &headers)?;
    crate::texts::post_text(State(state), caller, headers, body)
        .await
        .map(IntoResponse::into_response)
}

/// `POST /room/text/next`: what the named algorithm proposes now
/// (`AlgorithmChoice`); nothing is posted (the page signs it, then posts
/// it to `/room/text` with `algorithm`).
pub(crate) async fn next_text(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let caller = checked(&room, &headers)?;
    crate::texts::next_text(State(state), caller, headers, body)
        .await
        .map(IntoResponse::into_response)
}

/// `POST /room/text/{round}/votes`: a side's signed vote (`PostVote`).
pub(crate) async fn post_vote(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    Path(round): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let caller = checked(&room, &headers)?;
    let params = Path(vec![("round".to_owned(), round)]);
    crate::texts::post_vote(State(state), caller, params, headers, body)
        .await
        .map(IntoResponse::into_response)
}

/// `POST /room/text/{round}/withdraw`: the mediator's signed withdrawal
/// of an open text (`PostWithdrawal`).
pub(crate) async fn withdraw_text(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    Path(round): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let caller = checked(&room, &headers)?;
    let params = Path(vec![("round".to_owned(), round)]);
    crate::texts::withdraw_text(State(state), caller, params, headers, body)
        .await
        .map(IntoResponse::into_response)
}
