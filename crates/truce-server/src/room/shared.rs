//! What every part of the room shares: its state, the page views, the
//! session of a request and the CSRF refusal (a leaf the room's modules use).

use std::sync::Arc;

use axum::Extension;
use axum::http::HeaderMap;

use super::session::{self, Session, Sessions};
use crate::error::AppError;

/// The room's shared state beside [`AppState`].
#[derive(Debug, Default)]
pub(crate) struct Room {
    pub sessions: Sessions,
}

pub(crate) type RoomRef = Extension<Arc<Room>>;

/// The session of a request, if its cookie names a live one.
pub(crate) fn session_of(room: &Room, headers: &HeaderMap) -> Option<Session> {
    session::cookie(headers, session::SESSION_COOKIE).and_then(|id| room.sessions.get(id))
}

/// The answer to a form whose CSRF token does not match its session.
pub(crate) fn csrf_refused() -> AppError {
    AppError::forbidden(
        "the form's CSRF token is missing or does not match this session: reload the page and try again",
    )
}

/// The views a party may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Overview,
    Plan,
    Timeline,
    /// Single text with people: the mediator's texts and the sides' votes.
    Texts,
    Persons,
    Manifest,
    Ledger,
}

impl View {
    pub const ALL: [View; 7] = [
        View::Overview,
        View::Plan,
        View::Timeline,
        View::Texts,
        View::Persons,
        View::Manifest,
        View::Ledger,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            View::Overview => "overview",
            View::Plan => "plan",
            View::Timeline => "timeline",
            View::Texts => "texts",
            View::Persons => "persons",
            View::Manifest => "manifest",
            View::Ledger => "ledger",
        }
    }

    /// Whether the role may open this view at all: Persons never for a
    /// guarantor or observer; the manifest for the intermediary and the
    /// mediator.
    pub fn allowed(self, role: truce_ledger::Role) -> bool {
        use truce_ledger::Role;
        match self {
            View::Persons => matches!(role, Role::Mediator | Role::Side | Role::Intermediary),
            View::Manifest => matches!(role, Role::Mediator | Role::Intermediary),
            _ => true,
        }
    }
}
