//! NegMAS's `NaiveTitForTatNegotiator` with its defaults (kindness 0, no
//! punishment, initial concession "min", must concede, no concession in round
//! 0, plain tit-for-tat from round 3).
//!
//! It models the partner as zero-sum: the partner's concession is this
//! agent's own normalised utility of the partner's last offer (`norm(o) = (u -
//! lo) / (hi - lo)` with `lo = max(min u, reservation)`). In rounds 1 and 2 it
//! concedes the smallest step its own sorted outcomes allow, walking down the
//! list once per call exactly as NegMAS's stateful `next_worse` does (two
//! outcomes per call, one call when responding and one when proposing); from
//! round 3 on it mirrors the partner's concession. It accepts an offer when
//! `norm(offer) >= 1 - concession` and offers the worst outcome at or above
//! `1 - concession` of its full utility range.

use crate::agents::Agent;
use crate::space::OutcomeId;
use crate::view::{PrivateView, Turn};

const MIN_CONCESSION_EPS: f64 = 1e-12;
const KINDNESS_START_ROUND: u32 = 3;

/// Naive tit-for-tat.
#[derive(Debug)]
pub struct TitForTat {
    view: PrivateView,
    /// How many outcomes NegMAS's `next_worse` has walked past.
    walked: usize,
    partner_offer: Option<OutcomeId>,
}

impl TitForTat {
    /// A tit-for-tat agent for one party.
    pub fn new(view: PrivateView) -> Self {
        Self {
            view,
            walked: 0,
            partner_offer: None,
        }
    }

    /// NegMAS `eval_normalized(offer, above_reserve=True)`.
    fn normalized(&self, offer: OutcomeId) -> f64 {
        let inv = self.view.inverse();
        let r = self.view.reservation();
        let (mut mn, mut mx) = (inv.min(), inv.max());
        if mx < r {
            mn = f64::NEG_INFINITY;
            mx = f64::NEG_INFINITY;
        } else if mn < r {
            mn = r;
        }
        let d = mx - mn;
        if d.is_nan() || d < 1e-5 {
            return if mx.is_finite() { 1.0 } else { 0.0 };
        }
        (self.view.utility(offer) - mn) * (1.0 / d)
    }

    /// The utility of the next outcome of NegMAS's `next_worse` walk.
    fn next_worse(&mut self) -> f64 {
        let inv = self.view.inverse();
        let n = inv.len();
        let k = self.walked;
        self.walked += 1;
        match n.checked_sub(1 + k).and_then(|rank| inv.at_rank(rank)) {
            Some((_, u)) => u,
            // NegMAS evaluates `None` as the reservation value.
            None => self.view.reservation(),
        }
    }

    /// `KindConcessionRecommender.__call__`, then the policies' sanity check.
    fn concession(&mut self, partner_offer: Option<OutcomeId>, round: u32) -> f64 {
        let partner_u = match partner_offer {
            Some(o) => 1.0 - self.normalized(o),
            None => 1.0,
        };
        let pc = 1.0 - partner_u;
        let concession = if pc < 0.0 { 0.0 } else { pc };
        let c = if round == 0 {
            0.0
        } else if round >= KINDNESS_START_ROUND {
            concession
        } else {
            let best = self.next_worse();
            let next = self.next_worse();
            // The best and the worst outcome's utilities (ranks n − 1 and 0).
            let (lowest, highest) = self.view.inverse().extremes();
            let d = highest - lowest;
            (best - next + MIN_CONCESSION_EPS) / d
        };
        if !c.is_finite() || !(-1e-6..=1.0000001).contains(&c) {
            return 0.0;
        }
        c
    }
}

impl Agent for TitForTat {
    fn accepts(&mut self, turn: &Turn, offer: OutcomeId) -> bool {
        self.partner_offer = Some(offer);
        let c = self.concession(Some(offer), turn.round);
        let u = 1.0 - c;
        self.view.is_rational(offer) && self.normalized(offer) >= u
    }

    fn propose(&mut self, turn: &Turn) -> Option<OutcomeId> {
        let c = self.concession(self.partner_offer, turn.round);
        let target = 1.0 - c;
        let inv = self.view.inverse();
        let (mut lo, mut hi) = (target, 1.0);
        if lo > hi {
            if lo - hi > 0.1 {
                return None;
            }
            std::mem::swap(&mut lo, &mut hi);
        }
        let d = inv.max() - inv.min();
        let (lo, hi) = if d < 1e-6 {
            (0.0, 0.0)
        } else {
            (lo * d + inv.min(), hi * d + inv.min())
        };
        inv.worst_in(lo, hi, self.view.reservation())
    }
}
