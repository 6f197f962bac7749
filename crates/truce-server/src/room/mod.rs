//! The room: the web pages of `truce serve` at `/` (issue 13). Server-
//! rendered HTML (maud) with small progressive enhancement from one
//! embedded script: live timeline (server-sent events), signing events
//! with the party's own ed25519 key in the page (WebCrypto), verifying the
//! exported ledger in the browser. Everything is embedded in the binary.
//!
//! - [`session`]: sign-in, cookies, CSRF, one-time sign-in codes.
//! - [`data`]: what a page shows, cut to the caller's role.
//! - [`pages`]: the HTML.
//! - [`live`]: the event stream, the signing state, appends and exports.
//! - [`amend`]: the agreement and amendments waiting to be recorded, and
//!   the sides' signatures on them, collected in the page.
//! - [`texts`]: single text with people: the mediator's texts (and
//!   withdrawals) and the sides' votes, signed in the page, posted through
//!   the API's handlers.
//! - [`i18n`]: English, Arabic and Hebrew message files.

pub(crate) mod amend;
mod data;
pub(crate) mod i18n;
mod live;
mod pages;
pub(crate) mod session;
mod shared;
mod texts;

pub(crate) use shared::{Room, RoomRef, View, csrf_refused, session_of};

use std::sync::Arc;

use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;

use crate::auth::bearer;
use crate::error::AppError;
use crate::handlers::MAX_EVENT_BODY;
use crate::state::AppState;
use i18n::Lang;

/// The Content-Security-Policy of every room response: only our own
/// script and style, no inline script, no framing, forms post here only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The room's routes, to merge into the service's router.
pub(crate) fn router() -> Router<AppState> {
    let room = Arc::new(Room::default());
    Router::new()
        .route("/", get(home))
        .route("/room/signin", get(signin_page).post(signin))
        .route("/room/signout", post(signout))
        .route("/room/{view}", get(view))
        .route("/room/assets/{name}", get(asset))
        .route("/room/stream", get(live::stream))
        .route("/room/sign", get(live::sign_state))
        .route(
            "/room/events",
            post(live::append).layer(axum::extract::DefaultBodyLimit::max(MAX_EVENT_BODY)),
        )
        .route("/room/agreement-signatures", post(amend::sign_agreement))
        .route("/room/amendment-signatures", post(amend::sign_amendment))
        .route("/room/text", post(texts::post_text))
        .route("/room/text/next", post(texts::next_text))
        .route("/room/text/{round}/votes", post(texts::post_vote))
        .route("/room/text/{round}/withdraw", post(texts::withdraw_text))
        .route("/room/ledger.jsonl", get(live::ledger))
        .route("/room/keys.json", get(live::keys))
        .route("/room/signin-codes", post(mint_code))
        .layer(Extension(room))
        .layer(middleware::from_fn(security_headers))
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct LangQuery {
    lang: Option<String>,
    q: Option<String>,
    /// The timeline's page: the events before this seq.
    before: Option<u64>,
}

/// The language of a request: `?lang=`, else the cookie, else English.
fn language(headers: &HeaderMap, query: &LangQuery) -> (Lang, bool) {
    if let Some(l) = query.lang.as_deref().and_then(Lang::parse) {
        return (l, true);
    }
    let l = session::cookie(headers, session::LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    (l, false)
}

/// A page answer, setting the language cookie when `?lang=` chose one.
fn page(html: maud::Markup, lang: Lang, set_lang: bool, tls: bool) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html.into_string(),
    )
        .into_response();
    if set_lang {
        response
            .headers_mut()
            .append(header::SET_COOKIE, session::lang_cookie(lang, tls));
    }
    response
}

async fn home(Extension(room): RoomRef, headers: HeaderMap) -> Response {
    if session_of(&room, &headers).is_some() {
        Redirect::to("/room/overview").into_response()
    } else {
        Redirect::to("/room/signin").into_response()
    }
}

async fn signin_page(
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, AppError> {
    let (lang, set_lang) = language(&headers, &query);
    let tls = session::over_tls(&headers);
    let csrf = session::random_hex()?;
    let mut response = page(pages::signin(lang, &csrf, None), lang, set_lang, tls);
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(session::SIGNIN_COOKIE, &csrf, 3600, tls),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct SignIn {
    #[serde(default)]
    token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /room/signin`: a token or a one-time code, from the form. The
/// token is never logged (the request log names the route only) and never
/// put in a URL: a bad one answers the form again, with a fresh CSRF token.
async fn signin(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    form: Result<Form<SignIn>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let (lang, _) = language(
        &headers,
        &LangQuery {
            lang: None,
            q: None,
            before: None,
        },
    );
    let tls = session::over_tls(&headers);
    let Ok(Form(form)) = form else {
        return Err(AppError::bad_request(
            "bad-form",
            "the sign-in form could not be read",
        ));
    };
    let expected = session::cookie(&headers, session::SIGNIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !session::same(expected, form.csrf.trim()) {
        return Err(csrf_refused());
    }
    let caller = if !form.code.trim().is_empty() {
        room.sessions.redeem_code(form.code.trim())
    } else if !form.token.trim().is_empty() && form.token.trim().len() <= 256 {
        state.caller(form.token.trim()).await?
    } else {
        None
    };
    let Some(caller) = caller else {
        let csrf = session::random_hex()?;
        let mut response = page(
            pages::signin(lang, &csrf, Some(lang.t("signin.refused"))),
            lang,
            false,
            tls,
        );
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_cookie(session::SIGNIN_COOKIE, &csrf, 3600, tls),
        );
        return Ok(response);
    };
    let (id, _) = room.sessions.open(caller)?;
    let mut response = Redirect::to("/room/overview").into_response();
    let h = response.headers_mut();
    h.append(
        header::SET_COOKIE,
        session::set_cookie(
            session::SESSION_COOKIE,
            &id,
            session::SESSION_TTL.as_secs(),
            tls,
        ),
    );
    h.append(
        header::SET_COOKIE,
        session::set_cookie(session::SIGNIN_COOKIE, "", 0, tls),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn signout(
    Extension(room): RoomRef,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let tls = session::over_tls(&headers);
    let session = session_of(&room, &headers).ok_or_else(AppError::unauthorized)?;
    if !session::same(&session.csrf, form.csrf.trim()) {
        return Err(csrf_refused());
    }
    if let Some(id) = session::cookie(&headers, session::SESSION_COOKIE) {
        room.sessions.close(id);
    }
    let mut response = Redirect::to("/room/signin").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(session::SESSION_COOKIE, "", 0, tls),
    );
    Ok(response)
}

/// `POST /room/signin-codes` with a party's bearer token: a one-time code
/// (15 minutes) that signs that party in, for links such as `truce demo
/// --serve` prints (`/room/signin#code=…`: the fragment never reaches a
/// server or a log; the page's script posts it).
async fn mint_code(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let token = bearer(&headers).ok_or_else(AppError::unauthorized)?;
    let caller = state
        .caller(token)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    let code = room.sessions.mint_code(caller)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "code": code })),
    )
        .into_response())
}

async fn view(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, AppError> {
    let (lang, set_lang) = language(&headers, &query);
    let tls = session::over_tls(&headers);
    let Some(view) = View::ALL.into_iter().find(|v| v.slug() == slug) else {
        return Err(AppError::not_found());
    };
    let Some(session) = session_of(&room, &headers) else {
        return Ok(Redirect::to("/room/signin").into_response());
    };
    if !view.allowed(session.caller.role) {
        let html = pages::not_for_role(lang, &session);
        let mut response = page(html, lang, set_lang, tls);
        *response.status_mut() = StatusCode::FORBIDDEN;
        return Ok(response);
    }
    let snapshot = data::snapshot(&state, &session.caller, view, query.before).await?;
    let html = pages::view(&pages::Page {
        lang,
        view,
        session: &session,
        snap: &snapshot,
        query: query.q.as_deref().unwrap_or(""),
    });
    Ok(page(html, lang, set_lang, tls))
}

/// The embedded stylesheet and script.
async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind): (&'static str, &'static str) = match name.as_str() {
        "room.css" => (
            include_str!("../../room/assets/room.css"),
            "text/css; charset=utf-8",
        ),
        "room.js" => (
            include_str!("../../room/assets/room.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return AppError::not_found().into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
