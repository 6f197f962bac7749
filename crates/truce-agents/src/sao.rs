//! Stacked alternating offers, as NegMAS's `SAOMechanism` runs it with its
//! defaults (`one_offer_per_step=False`, `offering_is_accepting=True`,
//! `allow_offering_just_rejected_outcome=True`).
//!
//! * A round (NegMAS `step`) gives every agent one turn, in party order: the
//!   first agent opens in round 0 without answering anything.
//! * In its turn an agent answers the offer on the table; if it rejects it,
//!   it counters with an offer of its own. Making an offer counts as accepting
//!   it, so an offer is agreed as soon as every other agent has accepted it in
//!   turn (the proposer's acceptance count restarts when its turn comes back).
//! * Relative time in round `r` of `R` is `(r + 1) / (R + 1)`, or the elapsed
//!   share of the time limit if that is larger, capped at 1; the session
//!   times out before round `R` or once the time limit has passed.
//! * An agent that leaves, or has no offer to make, ends the session without
//!   agreement.

use crate::agents::Agent;
use crate::outcome::{End, SessionOutcome};
use crate::view::{PublicOffer, Turn};

/// The deadline of a session.
#[derive(Clone, Copy)]
pub(crate) struct Deadline<'a> {
    pub rounds: Option<u32>,
    pub seconds: Option<f64>,
    pub clock: Option<&'a dyn Fn() -> f64>,
}

impl std::fmt::Debug for Deadline<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deadline")
            .field("rounds", &self.rounds)
            .field("seconds", &self.seconds)
            .finish_non_exhaustive()
    }
}

impl Deadline<'_> {
    fn relative_time(&self, round: u32) -> f64 {
        let by_rounds = self
            .rounds
            .map_or(-1.0, |n| f64::from(round + 1) / (f64::from(n) + 1.0));
        let by_time = match (self.seconds, self.clock) {
            (Some(limit), Some(clock)) => clock() / limit,
            _ => -1.0,
        };
        by_rounds.max(by_time).min(1.0)
    }

    fn over(&self, round: u32) -> bool {
        self.rounds.is_some_and(|n| round >= n)
            || matches!((self.seconds, self.clock), (Some(limit), Some(clock)) if clock() >= limit)
    }
}

/// Runs SAO with agents of the caller's making: `make` is called once per
/// party, in party order, with that party's view and nothing else, and the
/// agent it returns plays for that party. This is the privacy boundary: the
/// only preferences an agent can ever hold are the ones in the view it was
/// built from.
pub fn run_with(
    prepared: &crate::space::Prepared,
    make: &mut dyn FnMut(crate::view::PrivateView) -> Box<dyn Agent>,
    rounds: u32,
) -> SessionOutcome {
    let mut agents: Vec<Box<dyn Agent>> = prepared.views().map(make).collect();
    let deadline = Deadline {
        rounds: Some(rounds.max(1)),
        seconds: None,
        clock: None,
    };
    run(&mut agents, &deadline)
}

/// Runs one SAO session between `agents` (one per party, in party order).
pub(crate) fn run(agents: &mut [Box<dyn Agent>], deadline: &Deadline) -> SessionOutcome {
    let n = agents.len();
    // Room for the first 32 offers (768 bytes): many sessions end within
    // them, and a request of a kilobyte or more makes the allocator
    // consolidate its free lists every session; longer ones grow the list.
    let mut offers: Vec<PublicOffer> =
        Vec::with_capacity((n * deadline.rounds.unwrap_or(16) as usize).min(32));
    let mut on_table: Option<PublicOffer> = None;
    let mut acceptances = 0usize;
    let mut round = 0u32;
    loop {
        if deadline.over(round) {
            return SessionOutcome::new(None, round, End::Timeout, offers);
        }
        let relative_time = deadline.relative_time(round);
        for (index, agent) in agents.iter_mut().enumerate() {
            if on_table.is_some_and(|o| o.proposer == index) {
                acceptances = 0;
            }
            let turn = Turn {
                round,
                relative_time,
                offers: &offers,
            };
            if let Some(current) = on_table
                && agent.accepts(&turn, current.outcome)
            {
                acceptances += 1;
                if acceptances == n {
                    return SessionOutcome::new(
                        Some(current.outcome),
                        round + 1,
                        End::Agreement,
                        offers,
                    );
                }
                continue;
            }
            let Some(outcome) = agent.propose(&turn) else {
                return SessionOutcome::new(None, round + 1, End::Left, offers);
            };
            let offer = PublicOffer {
                round,
                proposer: index,
                outcome,
            };
            acceptances = 1;
            on_table = Some(offer);
            offers.push(offer);
        }
        round += 1;
    }
}
