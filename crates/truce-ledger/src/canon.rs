//! Canonical encoding and hashing: the bytes every signature and every chain
//! link is computed over.
//!
//! The canonical form is RFC 8785 (JSON Canonicalization Scheme): object keys
//! sorted by UTF-16 code units, no insignificant whitespace, strings with the
//! minimal escapes, numbers in ECMAScript form. We use
//! `serde_json_canonicalizer` rather than sorting keys by hand: it streams
//! through serde (no intermediate `Value`) and follows the RFC's number and
//! string rules, which are easy to get subtly wrong. Every integer the ledger
//! writes stays below 2^53 so that the RFC's double-precision numbers are
//! exact.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The largest integer RFC 8785 (and I-JSON) represents exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The value could not be put in canonical form. Only a caller's value that
/// breaks the ledger's own limits (an integer past 2^53) gets here.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// serde could not serialise the value to JSON.
    #[error("failed to encode canonical json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{what} {value} is larger than 2^53-1, the largest exact canonical json integer")]
    /// An integer field is above [`MAX_SAFE_INTEGER`] (2^53-1).
    TooLarge {
        /// The field's name (`seq`, `at_ms`).
        what: &'static str,
        /// The value that was refused.
        value: u64,
    },
}

/// The RFC 8785 canonical JSON bytes of a value.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, EncodeError> {
    Ok(serde_json_canonicalizer::to_vec(value)?)
}

/// A SHA-256 digest, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The SHA-256 of these bytes.
    pub fn of(bytes: &[u8]) -> Hash {
        Hash(Sha256::digest(bytes).into())
    }

    /// The SHA-256 of a value's canonical JSON: how a deal or a plan is
    /// fingerprinted in the ledger without copying it in.
    pub fn of_canonical<T: Serialize>(value: &T) -> Result<Hash, EncodeError> {
        canonical_json(value).map(|b| Hash::of(&b))
    }

    /// The hash from 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Hash> {
        let mut out = [0; 32];
        hex::decode_to_slice(s, &mut out).ok().map(|()| Hash(out))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Hash::from_hex(&s).ok_or_else(|| serde::de::Error::custom("a hash must be 64 hex digits"))
    }
}

/// The canonical hash of a deal: [`Hash::of_canonical`] of the normalised
/// deal (`truce check --format json`, truce-spec's `Deal`), which is what
/// every side signs when the deal is agreed. Generic so the ledger needs no
/// deal model to verify.
pub fn deal_hash<D: Serialize>(normalised_deal: &D) -> Result<Hash, EncodeError> {
    Hash::of_canonical(normalised_deal)
}

/// Refuse integers that canonical JSON cannot carry exactly.
pub(crate) fn check_safe(what: &'static str, value: u64) -> Result<(), EncodeError> {
    if value > MAX_SAFE_INTEGER {
        Err(EncodeError::TooLarge { what, value })
    } else {
        Ok(())
    }
}
