//! Sessions of the room: a party signs in with its bearer token (or a
//! one-time sign-in code minted with that token) through a POST form, and
//! holds a random session id in an `HttpOnly`, `SameSite=Strict` cookie
//! (`Secure` when the request came over TLS). Every state-changing request
//! carries the session's CSRF token, in a form field or the
//! `X-CSRF-Token` header. Sessions and codes live in memory: a restarted
//! service signs everyone out.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::room::i18n::Lang;
use crate::state::Caller;

pub(crate) const SESSION_COOKIE: &str = "truce_session";
/// The sign-in form's CSRF cookie (double submit: the form repeats it).
pub(crate) const SIGNIN_COOKIE: &str = "truce_signin";
pub(crate) const LANG_COOKIE: &str = "truce_lang";
/// A session ends this long after sign-in.
pub(crate) const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// A sign-in code is good once, within this time.
pub(crate) const CODE_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub caller: Caller,
    pub csrf: String,
    expires: Instant,
}

/// Sessions by SHA-256 of their id, one-time codes by SHA-256 of the code.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    sessions: Mutex<HashMap<String, Session>>,
    codes: Mutex<HashMap<String, (Caller, Instant)>>,
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 32 random bytes from the operating system, as hex.
pub(crate) fn random_hex() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(&e))?;
    Ok(hex::encode(bytes))
}

impl Sessions {
    /// A new session for `caller`: its id (for the cookie only) and state.
    pub fn open(&self, caller: Caller) -> Result<(String, Session), AppError> {
        let id = random_hex()?;
        let session = Session {
            caller,
            csrf: random_hex()?,
            expires: Instant::now() + SESSION_TTL,
        };
        let mut map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        map.insert(digest(&id), session.clone());
        Ok((id, session))
    }

    pub fn get(&self, id: &str) -> Option<Session> {
        let map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&digest(id))
            .filter(|s| s.expires > Instant::now())
            .cloned()
    }

    pub fn close(&self, id: &str) {
        let mut map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(&digest(id));
    }

    /// A one-time sign-in code for `caller`.
    pub fn mint_code(&self, caller: Caller) -> Result<String, AppError> {
        // Short enough to type from a phone, long enough not to guess:
        // 20 bytes of randomness.
        let code = random_hex()?[..40].to_owned();
        let mut map = self.codes.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        map.retain(|_, (_, t)| *t > now);
        map.insert(digest(&code), (caller, now + CODE_TTL));
        Ok(code)
    }

    /// The caller of a code, which is then spent.
    pub fn redeem_code(&self, code: &str) -> Option<Caller> {
        let mut map = self.codes.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(&digest(code))
            .filter(|(_, t)| *t > Instant::now())
            .map(|(c, _)| c)
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request reached us over TLS: directly (an `https` URI), or
/// through a TLS-terminating proxy that says so. `truce serve` speaks
/// plain HTTP itself, so in practice this is the proxy's header; a client
/// forging it only makes its own cookie stricter.
pub(crate) fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure over
/// TLS; `max_age` 0 deletes it.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: u64, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}");
    // Names and values are ours: hex digits and ASCII words.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The language cookie (not secret, but kept HttpOnly like the others).
pub(crate) fn lang_cookie(lang: Lang, tls: bool) -> HeaderValue {
    set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, tls)
}

/// Constant-time comparison of two tokens.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
