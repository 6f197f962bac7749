//! Service-signed checkpoints: the service's own ed25519 signature on a
//! deal's chain at a seq, in the C2SP signed-note form that transparency
//! logs use (<https://c2sp.org/signed-note>, body as in
//! <https://c2sp.org/tlog-checkpoint>):
//!
//! ```text
//! truce/four-day-pause
//! 29
//! 8xWqMn1jNf7c0x0vQW1mKpZ3m1l2iLkS7tq8vV0p6yE=
//!
//! — truce-service Tg7Yb…(base64 of key id and signature)
//! ```
//!
//! The body names the deal (origin `truce/<deal>`), the seq and the hash of
//! the event at that seq (standard base64 of its 32 bytes). Every answer to
//! an append carries one, so a party holding any checkpoint of a later seq
//! than a ledger's end knows events were cut off, and one whose hash differs
//! from the ledger's event knows it was shown another history (a split
//! view): [`Checkpoint::receipt`] feeds [`crate::verify_with`].
//!
//! The key's name goes into its key id (the first 4 bytes of SHA-256 of the
//! name, a newline, the signature type 0x01 and the public key), and its
//! verifier key is written `<name>+<key id hex>+<base64 of 0x01 and the public
//! key>`, as signed notes write them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::CryptoRng;
use sha2::{Digest as _, Sha256};

use crate::canon::Hash;
use crate::ids::DealId;
use crate::keys::PublicKey;
use crate::verify::Receipt;

/// Why a checkpoint, a service key or a verifier key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// A service name is empty, longer than 64 bytes, or holds a space, a
    /// non-printable or non-ASCII character, or `+`.
    #[error("a service name is 1 to 64 printable characters without spaces or '+'")]
    BadName,
    /// A verifier key is not `<name>+<key id hex>+<base64 of 0x01 and the
    /// key>`, or its key id does not match its name and key.
    #[error("not a verifier key `<name>+<8 hex digits>+<base64>`")]
    BadVerifierKey,
    /// A note or checkpoint body is not in the expected form.
    #[error("line {line}: {what}")]
    Malformed {
        /// 1-based line of the note where the problem is.
        line: usize,
        /// What is wrong, in words.
        what: &'static str,
    },
    /// No signature line of the note verifies under this service key.
    #[error("no signature by {name} with key id {key_id} verifies the checkpoint")]
    NotSigned {
        /// The service name the signature was looked for under.
        name: String,
        /// The key id looked for, 8 lowercase hex digits.
        key_id: String,
    },
    /// A secret service key file is not JSON of that shape, has another
    /// `format_version`, or its `secret_key` is not 64 hex digits.
    #[error(
        "a secret service key file is `{{\"format_version\":1,\"service\":NAME,\"secret_key\":64 hex}}`"
    )]
    BadKeyFile,
}

/// The name a service key carries unless its operator names it.
pub const DEFAULT_SERVICE_NAME: &str = "truce-service";

/// The signature type of Ed25519 in signed notes.
const ED25519: u8 = 0x01;

/// Longest note read: a body of three short lines and a few signatures.
pub const MAX_CHECKPOINT_LEN: usize = 4096;

fn check_name(name: &str) -> Result<(), CheckpointError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_graphic() && c != '+');
    if ok {
        Ok(())
    } else {
        Err(CheckpointError::BadName)
    }
}

fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// A deal's chain at a seq: what the service signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The deal whose chain is signed (the note's origin `truce/<deal>`).
    pub deal: DealId,
    /// The seq of the chain's head event, from 1.
    pub seq: u64,
    /// Hash of the event at `seq`.
    pub head: Hash,
}

impl Checkpoint {
    /// The note body: origin, seq, head hash, each on its own line.
    pub fn body(&self) -> String {
        format!(
            "truce/{}\n{}\n{}\n",
            self.deal,
            self.seq,
            B64.encode(self.head.0)
        )
    }

    /// The same facts as a receipt, for [`crate::verify_with`].
    pub fn receipt(&self) -> Receipt {
        Receipt {
            deal: self.deal.clone(),
            seq: self.seq,
            hash: self.head,
        }
    }
}

/// The service's signing key. Its `Debug` shows the verifier key only.
#[derive(Clone)]
pub struct ServiceKey {
    name: String,
    signing: SigningKey,
}

impl std::fmt::Debug for ServiceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceKey")
            .field("verifier", &self.verifier().to_vkey())
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretFile {
    format_version: u32,
    service: String,
    secret_key: String,
}

impl ServiceKey {
    /// A fresh key named `name`, from the caller's cryptographic RNG.
    pub fn generate<R: CryptoRng + ?Sized>(
        name: &str,
        rng: &mut R,
    ) -> Result<ServiceKey, CheckpointError> {
        check_name(name)?;
        Ok(ServiceKey {
            name: name.to_owned(),
            signing: SigningKey::generate(rng),
        })
    }

    /// The key whose ed25519 secret is `seed`, named
    /// [`DEFAULT_SERVICE_NAME`].
    pub fn with_default_name(seed: &[u8; 32]) -> ServiceKey {
        ServiceKey {
            name: DEFAULT_SERVICE_NAME.to_owned(),
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The key whose ed25519 secret is `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<ServiceKey, CheckpointError> {
        check_name(name)?;
        Ok(ServiceKey {
            name: name.to_owned(),
            signing: SigningKey::from_bytes(seed),
        })
    }

    /// The secret key file (for the service's operator only).
    pub fn to_secret_file(&self) -> String {
        let file = SecretFile {
            format_version: 1,
            service: self.name.clone(),
            secret_key: hex::encode(self.signing.to_bytes()),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// A key from its secret key file.
    pub fn from_secret_file(text: &str) -> Result<ServiceKey, CheckpointError> {
        let file: SecretFile =
            serde_json::from_str(text).map_err(|_| CheckpointError::BadKeyFile)?;
        if file.format_version != 1 {
            return Err(CheckpointError::BadKeyFile);
        }
        let mut seed = [0; 32];
        hex::decode_to_slice(file.secret_key.trim(), &mut seed)
            .map_err(|_| CheckpointError::BadKeyFile)?;
        ServiceKey::from_seed(&file.service, &seed)
    }

    /// The service's name, as its signatures carry it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What parties verify checkpoints with.
    pub fn verifier(&self) -> ServiceVerifier {
        ServiceVerifier {
            name: self.name.clone(),
            key: self.signing.verifying_key(),
        }
    }

    /// The signed note of `checkpoint`.
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        self.sign_text(&checkpoint.body())
    }

    /// A signed note of any text (lines ending in a newline).
    pub fn sign_text(&self, body: &str) -> String {
        let signature: Signature = self.signing.sign(body.as_bytes());
        let id = key_id(&self.name, &self.signing.verifying_key());
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&id);
        blob.extend_from_slice(&signature.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

/// A service's public key and name: what opens its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceVerifier {
    name: String,
    key: VerifyingKey,
}

impl ServiceVerifier {
    /// `<name>+<key id hex>+<base64 of 0x01 and the public key>`.
    pub fn to_vkey(&self) -> String {
        let mut blob = vec![ED25519];
        blob.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(key_id(&self.name, &self.key)),
            B64.encode(blob)
        )
    }

    /// A verifier from its `to_vkey` form; the key id must match.
    pub fn from_vkey(text: &str) -> Result<ServiceVerifier, CheckpointError> {
        let bad = || CheckpointError::BadVerifierKey;
        // The key data is base64, which may itself hold '+': only the first
        // two separate fields.
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        check_name(name).map_err(|_| bad())?;
        let blob = B64.decode(key).map_err(|_| bad())?;
        let [ED25519, rest @ ..] = blob.as_slice() else {
            return Err(bad());
        };
        let bytes: [u8; 32] = rest.try_into().map_err(|_| bad())?;
        let public = PublicKey::from_hex(&hex::encode(bytes)).map_err(|_| bad())?;
        let key = public.0;
        if hex::encode(key_id(name, &key)) != id {
            return Err(bad());
        }
        Ok(ServiceVerifier {
            name: name.to_owned(),
            key,
        })
    }

    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The checkpoint a note signed by this service states.
    pub fn open(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        let malformed = |line, what| CheckpointError::Malformed { line, what };
        if note.len() > MAX_CHECKPOINT_LEN {
            return Err(malformed(1, "the note is longer than a checkpoint can be"));
        }
        let body = self.verify_text(note)?;
        let mut lines = body.lines();
        let origin = lines.next().unwrap_or_default();
        let deal = origin
            .strip_prefix("truce/")
            .and_then(|d| DealId::new(d).ok())
            .ok_or_else(|| malformed(1, "the origin must be `truce/<deal id>`"))?;
        let seq = lines
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s >= 1 && s.to_string().len() == lines_len(&body, 1))
            .ok_or_else(|| {
                malformed(2, "the second line must be the seq, a whole number from 1")
            })?;
        let head = lines
            .next()
            .and_then(|h| B64.decode(h).ok())
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| malformed(3, "the third line must be the head hash in base64"))?;
        if lines.next().is_some() {
            return Err(malformed(4, "a checkpoint body has three lines"));
        }
        Ok(Checkpoint {
            deal,
            seq,
            head: Hash(head),
        })
    }

    /// The text of a signed note, if this key signed it.
    pub fn verify_text(&self, note: &str) -> Result<String, CheckpointError> {
        let Some((body, signatures)) = note.split_once("\n\n") else {
            return Err(CheckpointError::Malformed {
                line: 1,
                what: "a note is its text, a blank line, then signatures",
            });
        };
        let body = format!("{body}\n");
        let id = key_id(&self.name, &self.key);
        let prefix = format!("\u{2014} {} ", self.name);
        for line in signatures.lines() {
            let Some(sig) = line.strip_prefix(&prefix) else {
                continue;
            };
            let Ok(blob) = B64.decode(sig) else { continue };
            if blob.len() != 68 || blob[..4] != id {
                continue;
            }
            let Ok(bytes) = <[u8; 64]>::try_from(&blob[4..]) else {
                continue;
            };
            let signature = Signature::from_bytes(&bytes);
            if self.key.verify_strict(body.as_bytes(), &signature).is_ok() {
                return Ok(body);
            }
        }
        Err(CheckpointError::NotSigned {
            name: self.name.clone(),
            key_id: hex::encode(id),
        })
    }
}

/// Length of line `n` (from 0) of `text`: the seq line must be its number
/// exactly (no sign, no leading zero, no spaces).
fn lines_len(text: &str, n: usize) -> usize {
    text.lines().nth(n).map_or(0, str::len)
}
