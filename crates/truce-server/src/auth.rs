//! `Authorization: Bearer <token>` → (deal, party, role), and the request
//! body rules shared by the handlers.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use truce_ledger::DealId;

use crate::error::{AppError, json_error};
use crate::state::{AppState, Caller};

/// Tokens are 70 characters; anything much longer is not one of ours and
/// is not worth hashing.
const MAX_TOKEN_LEN: usize = 256;

/// The bearer token of a request, if it sent one in the right form.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= MAX_TOKEN_LEN)
        .then_some(token)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, AppError> {
        let token = bearer(&parts.headers).ok_or_else(AppError::unauthorized)?;
        state
            .caller(token)
            .await?
            .ok_or_else(AppError::unauthorized)
    }
}

/// The caller, if its token is one of this deal's: otherwise the same 404
/// as for a deal that does not exist.
pub(crate) struct DealCaller {
    pub caller: Caller,
}

impl FromRequestParts<AppState> for DealCaller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<DealCaller, AppError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        // Routes under a deal may take more parameters (`{round}`): the
        // deal is the one named `deal`.
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::no_deal())?;
        let deal = params
            .into_iter()
            .find_map(|(name, value)| (name == "deal").then_some(value))
            .ok_or_else(AppError::no_deal)?;
        match DealId::new(&deal) {
            Ok(id) if id == caller.deal => Ok(DealCaller { caller }),
            _ => Err(AppError::no_deal()),
        }
    }
}

/// Parse a JSON request body: `application/json`, within the route's limit,
/// shaped as `T`.
pub(crate) fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T, AppError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the body as `Content-Type: application/json`",
        ));
    }
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::too_large(limit)
        } else {
            AppError::bad_request("unreadable-body", "the request body could not be read")
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| json_error(&e))
}
