//! The append path: one deal's chain as the store keeps it.
//!
//! The store assigns sequence numbers: it hands the author a [`Draft`] with
//! the next seq and the head hash, the author signs it, and [`DealLedger::append`]
//! accepts it only if it is still the next link, verifies every signature
//! and applies the lifecycle rules. A store that makes the event durable
//! only after `append` succeeds never acknowledges an event that
//! `truce verify` would later reject.

use crate::canon::Hash;
use crate::envelope::{Draft, SignedEvent};
use crate::event::Event;
use crate::ids::{DealId, PartyId};
use crate::keys::KeyRing;
use crate::problem::{Problem, check_link, signatures};
use crate::state::{DealState, Phase};
use crate::verify::Receipt;

/// One deal's chain: its state and head, not its events (the store keeps
/// those).
#[derive(Debug, Clone)]
pub struct DealLedger {
    deal: DealId,
    state: Option<DealState>,
}

impl DealLedger {
    /// An empty chain for a deal, waiting for its `deal-created` event.
    pub fn new(deal: DealId) -> DealLedger {
        DealLedger { deal, state: None }
    }

    /// The deal's id.
    pub fn deal(&self) -> &DealId {
        &self.deal
    }

    /// The seq the next event must carry.
    pub fn next_seq(&self) -> u64 {
        self.state
            .as_ref()
            .map_or(1, |s| s.last_seq().saturating_add(1))
    }

    /// Hash of the last event, the next event's `prev`; `None` while empty.
    pub fn head(&self) -> Option<Hash> {
        self.state.as_ref().map(DealState::head)
    }

    /// The deal's phase; `None` while empty.
    pub fn phase(&self) -> Option<Phase> {
        self.state.as_ref().map(DealState::phase)
    }

    /// The deal's state; `None` while empty.
    pub fn state(&self) -> Option<&DealState> {
        self.state.as_ref()
    }

    /// The next event for `author` to sign, stamped `at_ms` by the caller's
    /// clock.
    pub fn draft(&self, author: PartyId, at_ms: u64, event: Event) -> Draft {
        Draft {
            deal: self.deal.clone(),
            seq: self.next_seq(),
            prev: self.head(),
            author,
            at_ms,
            event,
        }
    }

    /// Append a signed event if it is the next link, every signature it
    /// carries verifies, and the lifecycle allows it; returns the receipt
    /// the store hands back once the event is durable. On error nothing
    /// changes.
    pub fn append(&mut self, ev: &SignedEvent, keys: &KeyRing) -> Result<Receipt, Problem> {
        if ev.deal != self.deal {
            return Err(Problem::WrongDeal {
                expected: self.deal.clone(),
                found: ev.deal.clone(),
            });
        }
        check_link(self.state.as_ref(), ev)?;
        let line = ev.to_line().map_err(|_| Problem::NotCanonical)?;
        let message = ev.signing_message().map_err(|_| Problem::NotCanonical)?;
        for check in signatures(ev, message, keys)? {
            if check
                .key
                .verify_strict(&check.message, &check.signature)
                .is_err()
            {
                return Err(check.problem(&ev.author));
            }
        }
        let hash = Hash::of(line.as_bytes());
        match &mut self.state {
            Some(state) => state.apply(ev, hash)?,
            None => self.state = Some(DealState::create(ev, hash)?),
        }
        Ok(Receipt {
            deal: self.deal.clone(),
            seq: ev.seq,
            hash,
        })
    }
}
