//! The envelope: who wrote an event, for which deal, where in the chain, and
//! the author's signature over all of it.
//!
//! A ledger line is the RFC 8785 canonical JSON of a [`SignedEvent`]:
//!
//! ```json
//! {"at_ms":1772431200000,"author":"mediator","deal":"four-day-pause","event":{…},"format_version":1,"prev":null,"seq":1,"signature":"…"}
//! ```
//!
//! The author signs the domain tag `truce/event/v1\n` followed by the
//! canonical JSON of every field but `signature`. The event's hash, which the
//! next event's `prev` repeats, is SHA-256 of the whole line. Because the
//! author signs `seq` and `prev`, an event cannot be moved to another place
//! in the chain without breaking its signature.

use serde::{Deserialize, Serialize};

use crate::canon::{EncodeError, Hash, MAX_SAFE_INTEGER, canonical_json, check_safe};
use crate::event::{Event, Sig};
use crate::ids::{DealId, PartyId};
use crate::keys::{PartyKey, PublicKey};

/// The only ledger `format_version` this build reads and writes.
pub const LEDGER_FORMAT_VERSION: u32 = 1;

/// Domain separation for event signatures (see [`crate::agreement_message`]).
const EVENT_DOMAIN: &[u8] = b"truce/event/v1\n";

/// An event ready to be signed: the store has told the author its `seq` and
/// `prev` (see [`crate::DealLedger::draft`]), the caller's clock its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The deal the event belongs to.
    pub deal: DealId,
    /// Position in the deal's chain, from 1; assigned by the store.
    pub seq: u64,
    /// Hash of the deal's previous event; `None` for seq 1.
    pub prev: Option<Hash>,
    /// The party that signs the event; its key must be this party's.
    pub author: PartyId,
    /// Unix time in milliseconds (UTC) from the caller's clock.
    pub at_ms: u64,
    /// What happened.
    pub event: Event,
}

/// A signed ledger event: one line of `ledger.jsonl`.
///
/// The line is the RFC 8785 canonical JSON of this struct (keys sorted,
/// no spaces), ending in `\n`:
///
/// ```json
/// {"at_ms":1772431260000,"author":"mediator","deal":"four-day-pause","event":{"type":"negotiation-started"},"format_version":1,"prev":"61f4…ca16","seq":2,"signature":"fff0…d30b"}
/// ```
///
/// - `seq` counts the deal's events from 1; `prev` is the hash of the deal's
///   previous event (`null` at seq 1).
/// - `at_ms` is Unix time in milliseconds from the caller's clock.
/// - `signature` is the author's ed25519 signature (128 hex digits) over
///   `truce/event/v1\n` followed by the canonical JSON of every other field.
/// - The event's hash, repeated by the next `prev`, is SHA-256 of the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedEvent {
    /// Unix time in milliseconds (UTC) from the author's clock.
    pub at_ms: u64,
    /// The party that signed the event.
    pub author: PartyId,
    /// The deal the event belongs to.
    pub deal: DealId,
    /// What happened.
    pub event: Event,
    /// The ledger format, [`LEDGER_FORMAT_VERSION`].
    pub format_version: u32,
    /// Hash of the deal's previous event; `None` (`null`) at seq 1.
    pub prev: Option<Hash>,
    /// Position in the deal's chain, from 1.
    pub seq: u64,
    /// The author's ed25519 signature over the other fields.
    pub signature: Sig,
}

/// Every field but the signature, borrowed: what the author signs.
#[derive(Serialize)]
struct Body<'a> {
    at_ms: u64,
    author: &'a PartyId,
    deal: &'a DealId,
    event: &'a Event,
    format_version: u32,
    prev: Option<&'a Hash>,
    seq: u64,
}

/// An event could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the key is {key}'s, but the event's author is {author}")]
    /// The signing key belongs to another party than the draft's author.
    WrongKey {
        /// The party whose key was given.
        key: PartyId,
        /// The draft's author.
        author: PartyId,
    },
    /// A field cannot be put in canonical JSON (an integer past 2^53-1).
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

fn signing_message(body: &Body<'_>) -> Result<Vec<u8>, EncodeError> {
    check_safe("seq", body.seq)?;
    check_safe("at_ms", body.at_ms)?;
    let json = canonical_json(body)?;
    Ok([EVENT_DOMAIN, &json].concat())
}

impl Draft {
    fn body(&self) -> Body<'_> {
        Body {
            at_ms: self.at_ms,
            author: &self.author,
            deal: &self.deal,
            event: &self.event,
            format_version: LEDGER_FORMAT_VERSION,
            prev: self.prev.as_ref(),
            seq: self.seq,
        }
    }

    /// Sign with the author's key.
    pub fn sign(self, key: &PartyKey) -> Result<SignedEvent, SignError> {
        if key.party() != &self.author {
            return Err(SignError::WrongKey {
                key: key.party().clone(),
                author: self.author,
            });
        }
        let signature = Sig(key.sign(&signing_message(&self.body())?));
        Ok(SignedEvent {
            at_ms: self.at_ms,
            author: self.author,
            deal: self.deal,
            event: self.event,
            format_version: LEDGER_FORMAT_VERSION,
            prev: self.prev,
            seq: self.seq,
            signature,
        })
    }
}

impl SignedEvent {
    fn body(&self) -> Body<'_> {
        Body {
            at_ms: self.at_ms,
            author: &self.author,
            deal: &self.deal,
            event: &self.event,
            format_version: self.format_version,
            prev: self.prev.as_ref(),
            seq: self.seq,
        }
    }

    /// The bytes the author signed.
    pub fn signing_message(&self) -> Result<Vec<u8>, EncodeError> {
        signing_message(&self.body())
    }

    /// The ledger line: canonical JSON, without the newline.
    pub fn to_line(&self) -> Result<String, EncodeError> {
        check_safe("seq", self.seq)?;
        check_safe("at_ms", self.at_ms)?;
        let bytes = canonical_json(self)?;
        // Canonical JSON is UTF-8 by construction.
        String::from_utf8(bytes).map_err(|e| EncodeError::Json(serde::ser::Error::custom(e)))
    }

    /// The event's hash: SHA-256 of its ledger line.
    pub fn hash(&self) -> Result<Hash, EncodeError> {
        self.to_line().map(|l| Hash::of(l.as_bytes()))
    }

    /// Whether `line` is this event's canonical line, checked with plain
    /// `serde_json`, which writes our types in RFC 8785 order (see
    /// [`Event`]'s `Serialize`). `false` only means "ask the canonicalizer".
    pub(crate) fn is_line_fast(&self, line: &[u8]) -> bool {
        let ints = [self.seq, self.at_ms, self.event_int()];
        ints.iter().all(|i| *i <= MAX_SAFE_INTEGER)
            && serde_json::to_vec(self).is_ok_and(|v| v == line)
    }

    /// The event's u64 field, if any (0 otherwise): integers past 2^53 are
    /// written differently by serde_json and RFC 8785.
    fn event_int(&self) -> u64 {
        match self.event {
            Event::HandoverConfirmed { handover } => handover,
            Event::BreachResolved { breach, .. } => breach,
            Event::ListAcknowledged { list } => list,
            _ => 0,
        }
    }

    /// Whether `key` made this event's signature (strict ed25519).
    pub fn signature_valid(&self, key: &PublicKey) -> bool {
        self.signing_message()
            .is_ok_and(|m| key.verify(&m, &self.signature.0))
    }
}

/// The signing message of a ledger line already known to be canonical,
/// without encoding it again: `signature` sorts after every other key, so
/// the signed body is the line without its last member. `None` if the line
/// does not end in a signature member (the caller then encodes).
pub(crate) fn signing_message_of_line(line: &[u8]) -> Option<Vec<u8>> {
    const MEMBER: &[u8] = br#","signature":""#;
    let cut = line.len().checked_sub(MEMBER.len() + 128 + 2)?;
    let tail = line.get(cut..)?;
    (tail.starts_with(MEMBER) && tail.ends_with(b"\"}"))
        .then(|| [EVENT_DOMAIN, &line[..cut], b"}"].concat())
}

/// The `ledger.jsonl` text of these events: one canonical line each, each
/// ending in a newline.
pub fn export<'a>(
    events: impl IntoIterator<Item = &'a SignedEvent>,
) -> Result<String, EncodeError> {
    let mut out = String::new();
    for e in events {
        out += &e.to_line()?;
        out.push('\n');
    }
    Ok(out)
}
