//! A random agent: a baseline any strategy should beat.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::agents::Agent;
use crate::space::OutcomeId;
use crate::view::{PrivateView, Turn};

/// Probability of accepting a rational offer (NegMAS `RandomNegotiator`).
const P_ACCEPT: f64 = 0.15;

/// Offers uniformly random rational outcomes; accepts rational offers at
/// random. Its stream is fixed by its seed (ChaCha8).
#[derive(Debug)]
pub struct RandomAgent {
    view: PrivateView,
    rng: ChaCha8Rng,
    first_rational: usize,
}

impl RandomAgent {
    /// A random agent for one party.
    pub fn new(view: PrivateView, seed: u64) -> Self {
        let first_rational = view.inverse().rank_at_least(view.reservation());
        Self {
            view,
            rng: ChaCha8Rng::seed_from_u64(seed),
            first_rational,
        }
    }
}

impl Agent for RandomAgent {
    fn accepts(&mut self, _turn: &Turn, offer: OutcomeId) -> bool {
        self.view.is_rational(offer) && self.rng.random_bool(P_ACCEPT)
    }

    fn propose(&mut self, _turn: &Turn) -> Option<OutcomeId> {
        let n = self.view.inverse().len();
        if self.first_rational >= n {
            return None;
        }
        let rank = self.rng.random_range(self.first_rational..n);
        self.view.inverse().at_rank(rank).map(|(o, _)| o)
    }
}
