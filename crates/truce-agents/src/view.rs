//! What an agent may know: its own preferences, the public outcome space and
//! the public offers. Nothing else reaches an agent.

use std::sync::Arc;

use serde::Serialize;

use crate::space::{Inverse, OutcomeId, OutcomeSpace, Prepared};

/// One party's private preferences, handed to that party's agent only.
///
/// A view can only be made by this crate, from one party of a
/// [`crate::Prepared`] domain; it holds that party's utilities and nothing
/// about any other party. Sessions take each party's view and give it to that
/// party's agent (or voter, in single-text): the type system has no path from
/// one party's view to another's preferences.
#[derive(Debug, Clone)]
pub struct PrivateView {
    party: usize,
    inverse: Arc<Inverse>,
    space: Arc<OutcomeSpace>,
    reservation: f64,
}

impl PrivateView {
    pub(crate) fn new(
        party: usize,
        inverse: Arc<Inverse>,
        space: Arc<OutcomeSpace>,
        reservation: f64,
    ) -> Self {
        Self {
            party,
            inverse,
            space,
            reservation,
        }
    }

    /// This party's index (profile-file order).
    pub fn party(&self) -> usize {
        self.party
    }

    /// This party's utility of an outcome.
    pub fn utility(&self, id: OutcomeId) -> f64 {
        self.inverse.utility(id)
    }

    /// This party's utility of disagreement.
    pub fn reservation(&self) -> f64 {
        self.reservation
    }

    /// This party's outcomes sorted by its own utility.
    pub fn inverse(&self) -> &Inverse {
        &self.inverse
    }

    /// The public outcome space.
    pub fn space(&self) -> &OutcomeSpace {
        &self.space
    }

    /// Lowest utility an agent may settle for: NegMAS's inverter minimum,
    /// `max(min utility, reservation)`.
    pub fn floor(&self) -> f64 {
        self.inverse.min().max(self.reservation)
    }

    /// Whether an outcome is individually rational for this party.
    pub fn is_rational(&self, id: OutcomeId) -> bool {
        self.utility(id) >= self.reservation
    }
}

/// One offer of a session, public to every party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PublicOffer {
    /// Round (NegMAS `step`, from 0).
    pub round: u32,
    /// Index of the party that made the offer.
    pub proposer: usize,
    /// The outcome offered.
    pub outcome: OutcomeId,
}

/// What an agent knows about the moment it acts: public facts only.
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    /// Current round, from 0.
    pub round: u32,
    /// NegMAS relative time: `max((round + 1) / (rounds + 1), elapsed /
    /// time limit)`, capped at 1.
    pub relative_time: f64,
    /// Every offer made so far, oldest first.
    pub offers: &'a [PublicOffer],
}

// Here rather than in `space`: the space knows nothing of views, so
// `view` depends on `space` and not the other way round.
impl Prepared {
    /// Each party's private view, in party order: what a session hands to
    /// that party's agent (and to nobody else).
    pub fn views(&self) -> impl Iterator<Item = PrivateView> + '_ {
        self.inverses
            .iter()
            .zip(&self.reservations)
            .enumerate()
            .map(|(party, (inverse, &reservation))| {
                PrivateView::new(party, inverse.clone(), self.space.clone(), reservation)
            })
    }
}
