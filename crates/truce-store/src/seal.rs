//! Encryption at rest of what the database holds about persons: each
//! deal's normalised JSON (its rosters) and its person key. A value is
//! sealed with XChaCha20-Poly1305 under the operator's key, bound to its
//! deal and column (so a sealed value cannot be moved to another row), and
//! stored as `sealed:v1:<key id>:<hex of nonce and ciphertext>`.
//!
//! Rotation: give the store the new key as current and the old one as
//! previous ([`SealKeys::new`]); at open it re-seals every value not
//! sealed with the current key (values from before encryption included),
//! then the old key can be dropped. A value sealed with a key the store
//! was not given is an error naming that key's id, never a silent
//! fallback.

use std::fmt;
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

use crate::error::StoreError;

const PREFIX: &str = "sealed:v1:";

/// One 32-byte key; its id (the first 16 hex digits of a SHA-256 of it)
/// names it in sealed values and messages.
#[derive(Clone)]
pub struct SealKey {
    cipher: XChaCha20Poly1305,
    id: String,
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKey").field("id", &self.id).finish()
    }
}

impl SealKey {
    /// A key from 64 hex digits (e.g. `openssl rand -hex 32`).
    pub fn from_hex(hex: &str) -> Result<SealKey, StoreError> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(hex.trim(), &mut key).map_err(|_| StoreError::BadSealKey)?;
        let id =
            hex::encode(&Sha256::digest([b"truce/seal-key/v1\n".as_slice(), &key].concat())[..8]);
        Ok(SealKey {
            cipher: XChaCha20Poly1305::new(&key.into()),
            id,
        })
    }

    /// The key's id, as sealed values and logs name it.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The keys a store seals and opens with: the current one, and those of
/// an unfinished rotation.
#[derive(Debug, Clone)]
pub struct SealKeys(Arc<(SealKey, Vec<SealKey>)>);

/// Two sets of keys are equal when their keys' ids are.
impl PartialEq for SealKeys {
    fn eq(&self, other: &SealKeys) -> bool {
        let ids = |k: &SealKeys| {
            std::iter::once(&k.0.0)
                .chain(&k.0.1)
                .map(|k| k.id.clone())
                .collect::<Vec<_>>()
        };
        ids(self) == ids(other)
    }
}

impl Eq for SealKeys {}

impl SealKeys {
    /// Seal with `current`; open with it or any of `previous`.
    pub fn new(current: SealKey, previous: Vec<SealKey>) -> SealKeys {
        SealKeys(Arc::new((current, previous)))
    }

    /// The key new values are sealed with.
    pub fn current(&self) -> &SealKey {
        &self.0.0
    }

    fn by_id(&self, id: &str) -> Option<&SealKey> {
        std::iter::once(&self.0.0)
            .chain(&self.0.1)
            .find(|k| k.id == id)
    }
}

/// What binds a sealed value to its place.
fn aad(column: &str, deal: &str) -> Vec<u8> {
    format!("truce/at-rest/v1\n{column}\n{deal}").into_bytes()
}

/// `plain` sealed under the current key, for `column` of `deal`.
pub(crate) fn seal(
    keys: &SealKeys,
    column: &str,
    deal: &str,
    plain: &str,
) -> Result<String, StoreError> {
    let key = keys.current();
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|_| StoreError::Seal)?;
    let sealed = key
        .cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plain.as_bytes(),
                aad: &aad(column, deal),
            },
        )
        .map_err(|_| StoreError::Seal)?;
    Ok(format!(
        "{PREFIX}{}:{}{}",
        key.id,
        hex::encode(nonce),
        hex::encode(sealed)
    ))
}

/// Whether `stored` is sealed under the current key already.
pub(crate) fn sealed_with_current(keys: &SealKeys, stored: &str) -> bool {
    stored
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(id, _)| id == keys.current().id)
}

/// The plain text of `stored` (as is, if it was stored before encryption).
pub(crate) fn open(
    keys: Option<&SealKeys>,
    column: &str,
    deal: &str,
    stored: &str,
) -> Result<String, StoreError> {
    let Some(rest) = stored.strip_prefix(PREFIX) else {
        return Ok(stored.to_owned());
    };
    let (id, body) = rest
        .split_once(':')
        .ok_or(StoreError::Corrupt("a sealed value"))?;
    let key = keys
        .and_then(|k| k.by_id(id))
        .ok_or_else(|| StoreError::UnknownSealKey(id.to_owned()))?;
    let bytes = hex::decode(body).map_err(|_| StoreError::Corrupt("a sealed value"))?;
    if bytes.len() < 24 {
        return Err(StoreError::Corrupt("a sealed value"));
    }
    let (nonce, sealed) = bytes.split_at(24);
    let nonce: [u8; 24] = nonce
        .try_into()
        .map_err(|_| StoreError::Corrupt("a sealed value"))?;
    let plain = key
        .cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: sealed,
                aad: &aad(column, deal),
            },
        )
        .map_err(|_| {
            StoreError::Corrupt("a sealed value that does not open (altered, or moved)")
        })?;
    String::from_utf8(plain).map_err(|_| StoreError::Corrupt("a sealed value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SealKey {
        SealKey::from_hex(&hex::encode([byte; 32])).unwrap()
    }

    #[test]
    fn a_value_opens_only_with_its_key_in_its_place() {
        let keys = SealKeys::new(key(1), vec![]);
        let sealed = seal(&keys, "deal_json", "d1", "{\"persons\":[\"A-0001\"]}").unwrap();
        assert!(!sealed.contains("A-0001"));
        assert!(sealed_with_current(&keys, &sealed));
        assert_eq!(
            open(Some(&keys), "deal_json", "d1", &sealed).unwrap(),
            "{\"persons\":[\"A-0001\"]}"
        );
        // Another deal's row, or another column: refused.
        assert!(open(Some(&keys), "deal_json", "d2", &sealed).is_err());
        assert!(open(Some(&keys), "person_key", "d1", &sealed).is_err());
        // Another key: refused, naming the key it needs.
        let other = SealKeys::new(key(2), vec![]);
        match open(Some(&other), "deal_json", "d1", &sealed) {
            Err(StoreError::UnknownSealKey(id)) => assert_eq!(id, keys.current().id()),
            r => panic!("{r:?}"),
        }
        assert!(open(None, "deal_json", "d1", &sealed).is_err());
        // A flipped ciphertext digit: refused.
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(open(Some(&keys), "deal_json", "d1", &flipped).is_err());
        // During a rotation the old key still opens it, and it is not
        // sealed with the new current key.
        let rotating = SealKeys::new(key(2), vec![key(1)]);
        assert!(!sealed_with_current(&rotating, &sealed));
        assert!(open(Some(&rotating), "deal_json", "d1", &sealed).is_ok());
        // Plain text from before encryption reads as is.
        assert_eq!(open(Some(&keys), "deal_json", "d1", "{}").unwrap(), "{}");
    }

    #[test]
    fn a_key_is_64_hex_digits() {
        assert!(SealKey::from_hex("00").is_err());
        assert!(SealKey::from_hex(&"g".repeat(64)).is_err());
        assert_eq!(key(1).id().len(), 16);
        assert_ne!(key(1).id(), key(2).id());
    }
}
