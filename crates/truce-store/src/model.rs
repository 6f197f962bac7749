//! Rows as the store reads and writes them. Ids are the ledger's spelling
//! (`truce_ledger::DealId::as_str`), hashes lowercase hex.

/// A deal to create, with its parties and the hashes of their tokens; all
/// written in one transaction.
#[derive(Debug, Clone)]
pub struct NewDeal {
    /// The deal's id.
    pub id: String,
    /// The normalised deal JSON as the mediator sent it.
    pub deal_json: String,
    /// `truce_ledger::deal_hash` of that JSON, hex.
    pub deal_hash: String,
    /// When the deal was created, in milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// The deal's person key (`truce_ledger::PersonKey`), 64 hex digits: the
    /// key of the pseudonyms its handovers carry.
    pub person_key: String,
    /// The deal's parties and their public keys.
    pub parties: Vec<PartyRecord>,
    /// `(token_hash, party_id)`: SHA-256 of each bearer token ([`crate::token_hash`]).
    pub tokens: Vec<(String, String)>,
}

/// A stored deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealRecord {
    /// The deal's id.
    pub id: String,
    /// The normalised deal JSON as created (opened when sealed at rest).
    pub deal_json: String,
    /// `truce_ledger::deal_hash` of the deal JSON, hex.
    pub deal_hash: String,
    /// When the deal was created, in milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// The deal's person key, hex; `None` only for a deal created before
    /// person keys existed (see [`crate::Store::fill_person_key`]).
    pub person_key: Option<String>,
}

/// A party of a deal and its ed25519 public key (64 hex digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRecord {
    /// The party's id in the deal.
    pub party_id: String,
    /// The ledger's role keyword (`side`, `mediator`, …).
    pub role: String,
    /// The party's ed25519 public key, 64 hex digits.
    pub public_key: String,
}

/// Whose a bearer token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The deal the token belongs to.
    pub deal_id: String,
    /// The party of that deal the token speaks for.
    pub party_id: String,
}

/// An event to append, already verified by the caller.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The deal the event belongs to.
    pub deal_id: String,
    /// The event's sequence number in its deal (1-based).
    pub seq: u64,
    /// Hash of the previous event, hex; `None` for seq 1.
    pub prev: Option<String>,
    /// SHA-256 of `line`, hex.
    pub hash: String,
    /// The canonical ledger line (no newline).
    pub line: String,
}

/// An acknowledged event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The event's sequence number in its deal (1-based).
    pub seq: u64,
    /// SHA-256 of `line`, hex.
    pub hash: String,
    /// The canonical ledger line (no newline).
    pub line: String,
}

/// The last event of a deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last event's sequence number.
    pub seq: u64,
    /// The last event's hash, hex (the next event's `prev`).
    pub hash: String,
}

/// What became of a side's vote on a text ([`crate::Store::put_vote`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VotePut {
    /// Kept; `closes` when it was the last side's vote (the round closed).
    Kept {
        /// Whether this vote closed the round.
        closes: bool,
    },
    /// Not kept: the side has voted on this text already.
    AlreadyVoted,
    /// Not kept: the mediator withdrew the text.
    Withdrawn,
}

/// What became of the mediator's withdrawal of a text
/// ([`crate::Store::put_withdrawal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalPut {
    /// Kept: the round is closed as withdrawn.
    Kept,
    /// Not kept: the deal has no text with that number.
    NoText,
    /// Not kept: the text was withdrawn already.
    AlreadyWithdrawn,
    /// Not kept: every side has voted on the text (its round is closed).
    Closed,
}
