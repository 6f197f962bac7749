//! Time-based conceding agents: NegMAS's `BoulwareTBNegotiator`,
//! `LinearTBNegotiator`, `ConcederTBNegotiator` and `AspirationNegotiator`
//! (all `TimeBasedConcedingNegotiator`s with a polynomial aspiration curve),
//! and the hardliner (exponent infinity: the curve never leaves 1).
//!
//! At relative time `t` the aspiration is `a(t) = 1 - t^e` (GENIUS/NegMAS
//! exponents: Boulware `e = 4`, linear `1`, conceder `0.25`). It is mapped
//! onto the agent's own utility range `[lo, hi] = [max(min u, reservation),
//! max u]` as `(hi - lo) * a + lo - eps`, clamped into `[lo, hi]`, where `eps`
//! is NegMAS's tolerance (`1e-4` for the TB negotiators, `1e-3` for
//! `AspirationNegotiator`). The agent offers the worst outcome at or above
//! that level (the inverter's `worst_in`) and accepts any offer whose utility
//! reaches it. Both use the same curve, as in NegMAS.

use crate::agents::Agent;
use crate::space::OutcomeId;
use crate::view::{PrivateView, Turn};

/// A polynomial time-based conceder.
#[derive(Debug)]
pub struct TimeBased {
    view: PrivateView,
    exponent: f64,
    eps: f64,
    /// The last relative time asked and its band: an agent that rejects
    /// an offer proposes at the same time, and `powf` is not free.
    last: Option<(f64, (f64, f64))>,
}

impl TimeBased {
    /// An agent with aspiration `1 - t^exponent` and NegMAS tolerance `eps`.
    pub fn new(view: PrivateView, exponent: f64, eps: f64) -> Self {
        Self {
            view,
            exponent,
            eps,
            last: None,
        }
    }

    /// The lowest utility this agent offers or accepts at relative time `t`,
    /// and the upper end of its band (NegMAS `scale_utilities`).
    fn band(&mut self, t: f64) -> (f64, f64) {
        if let Some((at, band)) = self.last
            && at.to_bits() == t.to_bits()
        {
            return band;
        }
        let band = self.band_at(t);
        self.last = Some((t, band));
        band
    }

    /// [`TimeBased::band`], computed.
    fn band_at(&self, t: f64) -> (f64, f64) {
        let lo_u = self.view.floor();
        let hi_u = self.view.inverse().max();
        // A hardliner keeps its aspiration even at t = 1, where `t^inf` is 1.
        let aspiration = if self.exponent.is_infinite() {
            1.0
        } else {
            1.0 - power(t, self.exponent)
        };
        let clamp = |x: f64| lo_u.max(hi_u.min(x));
        let lo = clamp((hi_u - lo_u) * aspiration + lo_u - self.eps);
        let hi = clamp((hi_u - lo_u) * 1.0 + lo_u + self.eps);
        (lo, hi)
    }
}

std::thread_local! {
    /// The last power [`power`] computed on this thread, by its operands'
    /// bits.
    static LAST_POWER: std::cell::Cell<Option<(u64, u64, f64)>> =
        const { std::cell::Cell::new(None) };
}

/// `t.powf(e)`, remembering the last one computed on the thread: the
/// parties of an SAO round share its relative time, so agents of the same
/// exponent (Aspiration against Boulware) ask for the same power in turn,
/// and `powf` is a tenth of a session on the smaller domains.
fn power(t: f64, e: f64) -> f64 {
    let key = (t.to_bits(), e.to_bits());
    LAST_POWER
        .try_with(|last| match last.get() {
            Some((tb, eb, v)) if (tb, eb) == key => v,
            _ => {
                let v = t.powf(e);
                last.set(Some((key.0, key.1, v)));
                v
            }
        })
        .unwrap_or_else(|_| t.powf(e))
}

impl Agent for TimeBased {
    fn accepts(&mut self, turn: &Turn, offer: OutcomeId) -> bool {
        if self.view.reservation() > self.view.inverse().max() {
            return false;
        }
        let (lo, hi) = self.band(turn.relative_time);
        let u = self.view.utility(offer);
        lo <= u && u <= hi
    }

    fn propose(&mut self, turn: &Turn) -> Option<OutcomeId> {
        let (lo, hi) = self.band(turn.relative_time);
        self.view
            .inverse()
            .worst_in(lo, hi, self.view.reservation())
    }
}
