//! Party keys: the signing key a party keeps to itself, and the key ring of
//! public keys that is all a verifier needs.
//!
//! Key file (`keys.json`), format version 1:
//!
//! ```json
//! {"format_version":1,"parties":[{"id":"mediator","public_key":"<64 hex digits>"}]}
//! ```
//!
//! `public_key` is the 32-byte ed25519 public key in hex (either case on
//! input, lowercase on output). Secret key file, one per party, kept by that
//! party only:
//!
//! ```json
//! {"format_version":1,"party":"mediator","secret_key":"<64 hex digits>"}
//! ```

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::ids::{IdError, PartyId};

/// The only key file `format_version` this build reads and writes.
pub const KEY_FORMAT_VERSION: u32 = 1;

/// A party's signing key. Its `Debug` shows the public half only.
#[derive(Clone)]
pub struct PartyKey {
    party: PartyId,
    signing: SigningKey,
}

impl PartyKey {
    /// A fresh key for a party, from the caller's cryptographic RNG (the
    /// crate never reaches for the operating system's randomness itself).
    pub fn generate<R: CryptoRng + ?Sized>(party: PartyId, rng: &mut R) -> PartyKey {
        PartyKey {
            party,
            signing: SigningKey::generate(rng),
        }
    }

    /// The key whose 32-byte ed25519 secret is `seed`: for tests and for
    /// keys restored from a secret key file.
    pub fn from_seed(party: PartyId, seed: &[u8; 32]) -> PartyKey {
        PartyKey {
            party,
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The party this key signs for.
    pub fn party(&self) -> &PartyId {
        &self.party
    }

    /// The public key others verify with.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Signature {
        self.signing.sign(message)
    }

    /// The secret key file of this party, for that party only:
    /// `{"format_version":1,"party":"side-a","secret_key":"<64 hex>"}`.
    pub fn to_secret_file(&self) -> String {
        let file = SecretFile {
            format_version: KEY_FORMAT_VERSION,
            party: self.party.as_str().to_owned(),
            secret_key: hex::encode(self.signing.to_bytes()),
        };
        // A struct of strings and an integer always serialises.
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// A party key from its secret key file.
    pub fn from_secret_file(text: &str) -> Result<PartyKey, KeyFileError> {
        let file: SecretFile = serde_json::from_str(text).map_err(KeyFileError::Json)?;
        check_version(file.format_version)?;
        let party = PartyId::new(&file.party).map_err(KeyFileError::BadParty)?;
        let mut seed = [0; 32];
        hex::decode_to_slice(file.secret_key.trim(), &mut seed).map_err(|_| {
            KeyFileError::BadKey {
                party: party.clone(),
                why: "a secret key must be 64 hex digits",
            }
        })?;
        Ok(PartyKey::from_seed(party, &seed))
    }
}

impl fmt::Debug for PartyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartyKey")
            .field("party", &self.party)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// The key `truce keygen` makes for a party: a thin name for
/// [`PartyKey::generate`] that the CLI calls with its OS-seeded RNG.
pub fn keygen<R: CryptoRng + ?Sized>(party: PartyId, rng: &mut R) -> PartyKey {
    PartyKey::generate(party, rng)
}

/// What `truce keygen` writes: one secret key file per party (to be handed
/// to that party only) and the shared public key file.
#[derive(Debug)]
pub struct KeyFiles {
    /// Each party's key; `PartyKey::to_secret_file` gives the file text.
    pub secret: Vec<PartyKey>,
    /// The `keys.json` text for every party.
    pub public: String,
}

/// Fresh keys for these parties from the caller's cryptographic RNG, as
/// files; a party listed twice is refused.
pub fn keygen_files<R: CryptoRng + ?Sized>(
    parties: &[PartyId],
    rng: &mut R,
) -> Result<KeyFiles, KeyFileError> {
    let secret: Vec<PartyKey> = parties.iter().map(|p| keygen(p.clone(), rng)).collect();
    let public = KeyRing::of(&secret)?.to_json();
    Ok(KeyFiles { secret, public })
}

/// An ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub(crate) VerifyingKey);

impl PublicKey {
    /// The key from 64 hex digits, refusing keys that are not points of the
    /// curve or have small order (those would let anyone forge signatures).
    pub fn from_hex(s: &str) -> Result<PublicKey, &'static str> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| "a public key must be 64 hex digits")?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| "not an ed25519 public key")?;
        if key.is_weak() {
            return Err("a weak (small-order) ed25519 key is not accepted");
        }
        Ok(PublicKey(key))
    }

    /// The key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &Signature) -> bool {
        self.0.verify_strict(message, signature).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// Public keys by party: everything `verify` needs besides the ledger.
///
/// Its file, `keys.json` ([`KeyRing::parse`], [`KeyRing::to_json`]):
/// `{"format_version":1,"parties":[{"id":"side-a","public_key":"<64 hex>"},…]}`,
/// the 32-byte ed25519 public key in hex (either case read, lowercase
/// written); unknown fields, duplicate parties, malformed and weak
/// (small-order) keys are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRing {
    keys: BTreeMap<PartyId, PublicKey>,
}

/// A key file or secret key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file is not JSON of the key file's shape (unknown fields and
    /// missing fields included).
    #[error("malformed key file: {0}")]
    Json(serde_json::Error),
    /// The file's `format_version` is not [`KEY_FORMAT_VERSION`].
    #[error("unsupported key file format_version {0} (this build reads {KEY_FORMAT_VERSION})")]
    Version(u32),
    /// A party id in the file is not a well-formed [`PartyId`].
    #[error("bad party id in key file: {0}")]
    BadParty(IdError),
    /// The same party appears twice.
    #[error("party {0} has more than one key in the key file")]
    Duplicate(PartyId),
    #[error("bad key for party {party}: {why}")]
    /// A party's key could not be decoded or is unsafe to use.
    BadKey {
        /// The party whose key is bad.
        party: PartyId,
        /// Why the key was refused.
        why: &'static str,
    },
}

impl KeyFileError {
    /// Line and column (1-based) in the key file, when the JSON itself is bad.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            KeyFileError::Json(e) => Some((e.line(), e.column())),
            _ => None,
        }
    }
}

impl KeyRing {
    /// An empty key ring.
    pub fn new() -> KeyRing {
        KeyRing::default()
    }

    /// Add a party's public key; a party has one key.
    pub fn insert(&mut self, party: PartyId, key: PublicKey) -> Result<(), KeyFileError> {
        if self.keys.contains_key(&party) {
            return Err(KeyFileError::Duplicate(party));
        }
        self.keys.insert(party, key);
        Ok(())
    }

    /// The public key of a party.
    pub fn get(&self, party: &PartyId) -> Option<&PublicKey> {
        self.keys.get(party)
    }

    /// The parties with a key, in id order.
    pub fn parties(&self) -> impl Iterator<Item = &PartyId> {
        self.keys.keys()
    }

    /// The key ring of these party keys' public halves.
    pub fn of<'a>(keys: impl IntoIterator<Item = &'a PartyKey>) -> Result<KeyRing, KeyFileError> {
        let mut ring = KeyRing::new();
        for k in keys {
            ring.insert(k.party.clone(), k.public_key())?;
        }
        Ok(ring)
    }

    /// Read a key file (see the module documentation).
    pub fn parse(text: &str) -> Result<KeyRing, KeyFileError> {
        let file: KeyFile = serde_json::from_str(text).map_err(KeyFileError::Json)?;
        check_version(file.format_version)?;
        let mut ring = KeyRing::new();
        for entry in file.parties {
            let party = PartyId::new(&entry.id).map_err(KeyFileError::BadParty)?;
            let key =
                PublicKey::from_hex(&entry.public_key).map_err(|why| KeyFileError::BadKey {
                    party: party.clone(),
                    why,
                })?;
            ring.insert(party, key)?;
        }
        Ok(ring)
    }

    /// The key file text, parties in id order, one per line.
    pub fn to_json(&self) -> String {
        let mut out = format!("{{\"format_version\":{KEY_FORMAT_VERSION},\"parties\":[");
        for (i, (party, key)) in self.keys.iter().enumerate() {
            let sep = if i == 0 { "\n" } else { ",\n" };
            let entry = KeyEntry {
                id: party.as_str().to_owned(),
                public_key: key.to_hex(),
            };
            // A struct of two strings always serialises.
            out += sep;
            out += &serde_json::to_string(&entry).unwrap_or_default();
        }
        out + "\n]}\n"
    }
}

fn check_version(v: u32) -> Result<(), KeyFileError> {
    if v == KEY_FORMAT_VERSION {
        Ok(())
    } else {
        Err(KeyFileError::Version(v))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format_version: u32,
    parties: Vec<KeyEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    id: String,
    public_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretFile {
    format_version: u32,
    party: String,
    secret_key: String,
}
