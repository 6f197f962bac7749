//! Why an event is bad, and the checks shared by the append path
//! ([`crate::DealLedger`]) and offline verification ([`crate::verify`]):
//! the chain links and the signatures an event needs.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::envelope::{LEDGER_FORMAT_VERSION, SignedEvent};
use crate::event::{Event, agreement_message, amendment_message};
use crate::ids::{DealId, PartyId};
use crate::keys::KeyRing;
use crate::state::{DealState, Violation};

/// What is wrong with an event. Messages name deals, parties and sequence
/// numbers, never persons or free text, so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The line is not a ledger event: blank, not JSON, or JSON of another
    /// shape.
    #[error("malformed event at column {column}: {what}")]
    Malformed {
        /// 1-based column of the line where reading stopped.
        column: usize,
        /// What is wrong, in words.
        what: &'static str,
    },
    /// The event's `format_version` is not [`LEDGER_FORMAT_VERSION`].
    #[error("unsupported format_version {0} (this build reads {LEDGER_FORMAT_VERSION})")]
    UnsupportedVersion(u64),
    /// The line is not the canonical JSON of the event it holds (or the
    /// event cannot be put in canonical form).
    #[error("not in canonical form (RFC 8785): the line was edited or re-encoded")]
    NotCanonical,
    #[error("the event belongs to deal {found}, not {expected}")]
    /// An event appended to one deal's ledger belongs to another deal.
    WrongDeal {
        /// The ledger's deal.
        expected: DealId,
        /// The event's deal.
        found: DealId,
    },
    /// The event's seq is not the next one of its deal.
    #[error(
        "missing or reordered event: expected seq {expected} of deal {deal}, found seq {found}"
    )]
    OutOfOrder {
        /// The event's deal.
        deal: DealId,
        /// The next seq: one past the deal's last event (1 for a new deal).
        expected: u64,
        /// The seq the event carries.
        found: u64,
    },
    /// The event's `prev` is not the hash of its deal's previous event.
    #[error("broken chain: prev is not the hash of seq {prev_seq} of deal {deal}")]
    BrokenChain {
        /// The event's deal.
        deal: DealId,
        /// Seq of the previous event, whose hash `prev` should be.
        prev_seq: u64,
    },
    /// A deal's first event has a `prev` that is not `null`.
    #[error("broken chain: the first event of a deal has prev null")]
    PrevOnFirst,
    /// A party that signed has no key in the key ring.
    #[error("no public key for party {0}")]
    UnknownKey(PartyId),
    /// The event's signature does not verify under its author's key.
    #[error("bad signature: not signed by its author {0}")]
    BadSignature(PartyId),
    /// A side's signature in `deal-agreed` or `deal-amended` does not
    /// verify under that side's key.
    #[error("bad agreement signature of side {0}")]
    BadAgreementSignature(PartyId),
    /// The event differs from the one a receipt acknowledges.
    #[error(
        "seq {seq} of deal {deal} is not the event its receipt acknowledges: the ledger was rewritten"
    )]
    ReceiptMismatch {
        /// The receipt's deal.
        deal: DealId,
        /// The receipt's seq.
        seq: u64,
    },
    /// A receipt acknowledges an event past the end of its deal's chain.
    #[error(
        "the ledger ends at seq {last} of deal {deal}, but a receipt acknowledges seq {seq}: events were cut off"
    )]
    Truncated {
        /// The receipt's deal.
        deal: DealId,
        /// The receipt's seq.
        seq: u64,
        /// Seq of the deal's last event in the ledger (0 if it has none).
        last: u64,
    },
    /// The lifecycle rules do not allow the event.
    #[error("event not allowed: {0}")]
    NotAllowed(#[from] Violation),
}

impl Problem {
    /// A stable kebab-case name for tools (`--format json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::Malformed { .. } => "malformed",
            Problem::UnsupportedVersion(_) => "unsupported-version",
            Problem::NotCanonical => "not-canonical",
            Problem::WrongDeal { .. } => "wrong-deal",
            Problem::OutOfOrder { .. } => "out-of-order",
            Problem::BrokenChain { .. } | Problem::PrevOnFirst => "broken-chain",
            Problem::UnknownKey(_) => "unknown-key",
            Problem::BadSignature(_) => "bad-signature",
            Problem::BadAgreementSignature(_) => "bad-agreement-signature",
            Problem::ReceiptMismatch { .. } => "receipt-mismatch",
            Problem::Truncated { .. } => "truncated",
            Problem::NotAllowed(_) => "not-allowed",
        }
    }
}

/// Check that `ev` is the next link of its deal's chain: seq 1 with no
/// `prev` for a new deal, else the next seq with `prev` = the head's hash.
pub(crate) fn check_link(state: Option<&DealState>, ev: &SignedEvent) -> Result<(), Problem> {
    if ev.format_version != LEDGER_FORMAT_VERSION {
        return Err(Problem::UnsupportedVersion(ev.format_version.into()));
    }
    let (expected, head) = match state {
        None => (1, None),
        Some(s) => (s.last_seq().saturating_add(1), Some(s.head())),
    };
    if ev.seq != expected {
        return Err(Problem::OutOfOrder {
            deal: ev.deal.clone(),
            expected,
            found: ev.seq,
        });
    }
    match (head, ev.prev) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(Problem::PrevOnFirst),
        (Some(h), Some(p)) if h == p => Ok(()),
        (Some(_), _) => Err(Problem::BrokenChain {
            deal: ev.deal.clone(),
            prev_seq: expected.saturating_sub(1),
        }),
    }
}

/// One signature to check, and whose it is.
#[derive(Debug)]
pub(crate) struct SigCheck {
    pub message: Vec<u8>,
    pub signature: Signature,
    pub key: VerifyingKey,
    /// `None` for the author's signature, the side for an agreement one.
    pub side: Option<PartyId>,
}

impl SigCheck {
    pub fn problem(&self, ev_author: &PartyId) -> Problem {
        match &self.side {
            None => Problem::BadSignature(ev_author.clone()),
            Some(side) => Problem::BadAgreementSignature(side.clone()),
        }
    }
}

/// Every signature `ev` carries, with the key each must verify under: the
/// author's over the envelope, and each side's over the agreement.
pub(crate) fn signatures(
    ev: &SignedEvent,
    message: Vec<u8>,
    keys: &KeyRing,
) -> Result<Vec<SigCheck>, Problem> {
    let key_of = |p: &PartyId| {
        keys.get(p)
            .map(|k| k.0)
            .ok_or_else(|| Problem::UnknownKey(p.clone()))
    };
    let mut out = vec![SigCheck {
        message,
        signature: ev.signature.0,
        key: key_of(&ev.author)?,
        side: None,
    }];
    let sides = match &ev.event {
        Event::DealAgreed {
            deal_hash,
            signatures,
        } => Some((agreement_message(&ev.deal, deal_hash), signatures)),
        Event::DealAmended {
            amendment,
            deal_hash,
            replaces,
            signatures,
            ..
        } => Some((
            amendment_message(&ev.deal, *amendment, replaces, deal_hash),
            signatures,
        )),
        _ => None,
    };
    if let Some((message, signatures)) = sides {
        for s in signatures {
            out.push(SigCheck {
                message: message.clone(),
                signature: s.signature.0,
                key: key_of(&s.party)?,
                side: Some(s.party.clone()),
            });
        }
    }
    Ok(out)
}
