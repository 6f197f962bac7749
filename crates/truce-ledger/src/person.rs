//! Persons in the ledger: keyed pseudonyms, never ids.
//!
//! A handover names the persons it carried by [`Pseudonym`]:
//! HMAC-SHA256 under the deal's [`PersonKey`] of
//! `truce/person/v1\n` ‖ deal id ‖ `\n` ‖ person id. Without the key a
//! pseudonym says nothing about the person (not even across deals: the
//! deal id is inside the MAC); with it, a party that holds the roster maps
//! each pseudonym back to its person.
//!
//! The key is one per deal, chosen when the deal is created (by the
//! service, or by the mediator who brings one) and given to the parties
//! who see persons: the mediator, the sides and the intermediary. Guarantors
//! and observers, and anyone who is only handed the ledger, never get it.
//!
//! Because the key is fixed for the deal, a person always gets the same
//! pseudonym, so the lifecycle rules (no person handed over twice, no
//! person twice in one handover) are checked on pseudonyms by any offline
//! verifier that has no key.
//!
//! Residual risk: whoever holds the key can compute the pseudonym of a
//! guessed person id and look for it in the ledger. Person ids are opaque
//! roster codes, and every key holder already sees the persons the ledger
//! could reveal to them through the service's views.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use rand::CryptoRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;

use crate::ids::{DealId, PersonId};

/// Domain separation: a pseudonym can never pass for any other MAC or
/// signature the ledger computes.
const PERSON_DOMAIN: &[u8] = b"truce/person/v1\n";

/// A deal's secret for person pseudonyms: 32 bytes, written as 64 hex
/// digits. Its `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonKey([u8; 32]);

impl PersonKey {
    /// A fresh key from the caller's cryptographic RNG (the crate never
    /// reaches for the operating system's randomness itself).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> PersonKey {
        let mut bytes = [0; 32];
        rng.fill_bytes(&mut bytes);
        PersonKey(bytes)
    }

    /// The key of these 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> PersonKey {
        PersonKey(bytes)
    }

    /// The key's 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The key from 64 hex digits (either case).
    pub fn from_hex(s: &str) -> Result<PersonKey, &'static str> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| "a person key must be 64 hex digits")?;
        Ok(PersonKey(bytes))
    }

    /// The key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The pseudonym of `person` in `deal`: HMAC-SHA256 under this key of
    /// `truce/person/v1\n` ‖ deal id ‖ `\n` ‖ person id. Neither id can
    /// hold a newline, so the message is unambiguous.
    pub fn pseudonym(&self, deal: &DealId, person: &PersonId) -> Pseudonym {
        // HMAC takes a key of any length; 32 bytes is never refused.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC-SHA256 accepts a 32-byte key");
        mac.update(PERSON_DOMAIN);
        mac.update(deal.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(person.as_str().as_bytes());
        Pseudonym(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for PersonKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonKey(..)")
    }
}

impl Serialize for PersonKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for PersonKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PersonKey::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// A person as a handover names it: [`PersonKey::pseudonym`], written as 64
/// lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pseudonym([u8; 32]);

impl Pseudonym {
    /// The pseudonym of these 32 bytes (for tests and tools; a real one
    /// comes from [`PersonKey::pseudonym`]).
    pub fn from_bytes(bytes: [u8; 32]) -> Pseudonym {
        Pseudonym(bytes)
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The pseudonym from 64 hex digits (either case; a ledger line holds
    /// lowercase, which the canonical-form check enforces).
    pub fn from_hex(s: &str) -> Option<Pseudonym> {
        let mut out = [0; 32];
        hex::decode_to_slice(s, &mut out)
            .ok()
            .map(|()| Pseudonym(out))
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pseudonym({self})")
    }
}

impl Serialize for Pseudonym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Pseudonym {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Pseudonym::from_hex(&s)
            .ok_or_else(|| serde::de::Error::custom("a pseudonym must be 64 hex digits"))
    }
}
