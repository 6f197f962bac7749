//! How a session ended, as outcome numbers: a leaf module that the
//! protocols (`sao`, `single_text`) return and `session` names, so neither
//! protocol depends on the session that runs it.

use serde::Serialize;

use crate::space::OutcomeId;
use crate::view::PublicOffer;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// Every party accepted an offer.
    Agreement,
    /// The deadline passed.
    Timeout,
    /// An agent left (it had no acceptable offer to make).
    Left,
    /// Single-text: a party vetoed the final text.
    Rejected,
}

/// A session's result as outcome numbers, before names are attached: what
/// tournaments and throughput loops keep.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionOutcome {
    /// The agreed outcome.
    pub agreement: Option<OutcomeId>,
    /// Rounds used.
    pub rounds: u32,
    /// How the session ended.
    pub end: End,
    /// Every offer (single-text: every text proposed), oldest first.
    pub offers: Vec<PublicOffer>,
}

impl SessionOutcome {
    pub(crate) fn new(
        agreement: Option<OutcomeId>,
        rounds: u32,
        end: End,
        offers: Vec<PublicOffer>,
    ) -> Self {
        Self {
            agreement,
            rounds,
            end,
            offers,
        }
    }
}
