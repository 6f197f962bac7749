//! One error type for every handler, answered as `application/problem+json`
//! (RFC 9457). Details name deals, parties, sequence numbers and positions,
//! never persons, rosters, tokens or internal errors.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An answer other than success: an HTTP status, a stable `kind` for tools
/// and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// The HTTP status answered.
    pub status: StatusCode,
    /// Stable kebab-case name of the problem (the body's `kind`).
    pub kind: &'static str,
    /// The sentence for people (the body's `detail`).
    pub detail: String,
}

/// The `kind` of an error answer, carried in the response's extensions
/// (never on the wire) so that metrics can count refusals by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemKind(pub &'static str);

/// The problem+json body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:truce:problem:<kind>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP reason phrase.
    pub title: String,
    /// The HTTP status code, as answered.
    pub status: u16,
    /// What went wrong and, where it helps, what to do.
    pub detail: String,
    /// Stable kebab-case name of the problem.
    pub kind: String,
}

impl AppError {
    /// An answer with this status, kind and detail.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> AppError {
        AppError {
            status,
            kind,
            detail: detail.into(),
        }
    }

    /// `400` with this kind and detail.
    pub fn bad_request(kind: &'static str, detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, kind, detail)
    }

    /// `401 unauthorized`: the bearer token is missing or not one this
    /// request accepts.
    pub fn unauthorized() -> AppError {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send the party's token as `Authorization: Bearer <token>`",
        )
    }

    /// `403 forbidden`: the caller is known but may not do this (its role,
    /// or an event it did not author).
    pub fn forbidden(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// The same answer whether the deal does not exist or the token is not
    /// one of its parties': a token never learns which other deals exist.
    pub fn no_deal() -> AppError {
        AppError::new(
            StatusCode::NOT_FOUND,
            "no-such-deal",
            "no deal with this id is open to this token",
        )
    }

    /// `404 not-found`: no such endpoint.
    pub fn not_found() -> AppError {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no such endpoint; the API is described at /api/v1/openapi.json",
        )
    }

    /// `405 method-not-allowed`: the endpoint exists but not with this method.
    pub fn method_not_allowed() -> AppError {
        AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "this endpoint does not take this method; see /api/v1/openapi.json",
        )
    }

    /// `409` with this kind and detail.
    pub fn conflict(kind: &'static str, detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::CONFLICT, kind, detail)
    }

    /// `422` with this kind and detail.
    pub fn unprocessable(kind: &'static str, detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail)
    }

    /// `413 body-too-large`: the body exceeds `limit` bytes.
    pub fn too_large(limit: usize) -> AppError {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!("the request body is larger than this endpoint's limit of {limit} bytes"),
        )
    }

    /// A failure of ours: logged with its cause, answered without it.
    pub fn internal(cause: &dyn std::fmt::Display) -> AppError {
        tracing::error!(error = %cause, "internal error");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the request may be retried",
        )
    }

    /// The database did not take the write; nothing was stored.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> AppError {
        tracing::error!(error = %cause, "store unavailable");
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store-unavailable",
            "the event was not stored; retry with the same event",
        )
    }

    /// A store failure: `503` (with `Retry-After`) when the database was
    /// only busy and the same request may succeed in a moment, else
    /// [`AppError::internal`].
    pub fn store(e: &truce_store::StoreError) -> AppError {
        if e.is_contention() {
            tracing::warn!(error = %e, "store busy");
            AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-busy",
                "the database is busy; nothing was done, retry in a moment",
            )
        } else {
            AppError::internal(e)
        }
    }

    /// The problem+json body of this answer.
    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:truce:problem:{}", self.kind),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            kind: self.kind.to_owned(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // A struct of strings and a number always serialises.
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        // For the metrics: refusals counted by kind.
        response.extensions_mut().insert(ProblemKind(self.kind));
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // Nothing was done; a client may try again this soon.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The ledger's reasons to refuse an event, as HTTP answers: chain position
/// problems are conflicts (re-read the head and sign again), role problems
/// are forbidden, the rest cannot be processed as sent.
impl From<truce_ledger::Problem> for AppError {
    fn from(p: truce_ledger::Problem) -> AppError {
        use truce_ledger::{Problem as P, Violation as V};
        let detail = p.to_string();
        match &p {
            P::OutOfOrder { .. } | P::BrokenChain { .. } | P::PrevOnFirst => {
                AppError::conflict(p.kind(), detail)
            }
            P::NotAllowed(V::WrongRole { .. } | V::NotAParty { .. } | V::NotReceiver { .. }) => {
                AppError::forbidden(detail)
            }
            _ => AppError::unprocessable(p.kind(), detail),
        }
    }
}

/// A JSON body that did not parse: the position and the class of error,
/// never serde's message, which can quote the offending value (a name typed
/// where an id belongs must not travel on into logs or other screens).
pub fn json_error(e: &serde_json::Error) -> AppError {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax => "is not valid JSON",
        Category::Eof => "ends early",
        Category::Data => "does not have the expected fields and types",
        Category::Io => "could not be read",
    };
    AppError::bad_request(
        "malformed-body",
        format!(
            "the body {what} (line {}, column {}); see /api/v1/openapi.json",
            e.line(),
            e.column()
        ),
    )
}
