//! ed25519 keys as PEM, the form OpenSSL and most tools exchange them in
//! (RFC 8410): a secret key as PKCS#8 `PRIVATE KEY` (what `openssl genpkey
//! -algorithm ed25519` writes), a public key as SubjectPublicKeyInfo
//! `PUBLIC KEY` (what `openssl pkey -pubout` writes).
//!
//! The PEM framing (RFC 7468) is read here, so that an error names its line
//! and column; the DER inside is read by `ed25519-dalek`'s `pkcs8`
//! support, which accepts both PKCS#8 versions (the OpenSSL form without
//! the public key, and the one that carries it, checked against the
//! secret).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::pkcs8::spki::EncodePublicKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, KeypairBytes};
use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::ids::PartyId;
use crate::keys::{PartyKey, PublicKey};

/// The label of a secret key's PEM block.
const PRIVATE: &str = "PRIVATE KEY";
/// The label of a public key's PEM block.
const PUBLIC: &str = "PUBLIC KEY";

/// A PEM key that could not be read, with its place (1-based line and
/// column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {what}")]
pub struct PemError {
    /// 1-based line in the key file.
    pub line: usize,
    /// 1-based column in that line.
    pub column: usize,
    /// What is wrong there, in words.
    pub what: String,
}

fn at(line: usize, column: usize, what: impl Into<String>) -> PemError {
    PemError {
        line,
        column,
        what: what.into(),
    }
}

/// What a PEM file holds.
#[derive(Debug, Clone)]
pub enum PemKey {
    /// A secret key (PKCS#8 `PRIVATE KEY`).
    Secret(PemSecret),
    /// A public key (`PUBLIC KEY`).
    Public(PublicKey),
}

/// A secret key read from PEM, not yet bound to a party. Its `Debug`
/// shows the public half only.
#[derive(Clone)]
pub struct PemSecret(SigningKey);

impl PemSecret {
    /// The key, as `party`'s.
    pub fn into_party_key(self, party: PartyId) -> PartyKey {
        PartyKey::from_seed(party, &self.0.to_bytes())
    }

    /// Its public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

impl std::fmt::Debug for PemSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PemSecret")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl PartyKey {
    /// This key as PKCS#8 PEM in OpenSSL's form (RFC 8410, version 1: the
    /// 32-byte secret only), for OpenSSL and other tools. A secret: keep
    /// it as the secret key file is kept.
    pub fn to_pkcs8_pem(&self) -> String {
        let bytes = KeypairBytes {
            secret_key: self.signing_key().to_bytes(),
            public_key: None,
        };
        // Encoding 32 bytes in a fixed structure cannot fail.
        let der = bytes.to_pkcs8_der().map(|d| d.as_bytes().to_vec());
        pem_block(PRIVATE, &der.unwrap_or_default())
    }

    /// A party key from a PKCS#8 `PRIVATE KEY` PEM (either version).
    pub fn from_pkcs8_pem(party: PartyId, text: &str) -> Result<PartyKey, PemError> {
        match read_pem_key(text)? {
            PemKey::Secret(secret) => Ok(secret.into_party_key(party)),
            PemKey::Public(_) => Err(at(
                1,
                1,
                "this is a public key (`PUBLIC KEY`); a secret key is a `PRIVATE KEY` block",
            )),
        }
    }
}

impl PublicKey {
    /// This key as a SubjectPublicKeyInfo `PUBLIC KEY` PEM (RFC 8410).
    pub fn to_spki_pem(&self) -> String {
        let der = self.0.to_public_key_der().map(|d| d.as_bytes().to_vec());
        pem_block(PUBLIC, &der.unwrap_or_default())
    }
}

/// The key in a PEM file: exactly one `PRIVATE KEY` or `PUBLIC KEY` block
/// holding an ed25519 key (text outside the block, as OpenSSL allows, is
/// ignored).
pub fn read_pem_key(text: &str) -> Result<PemKey, PemError> {
    let lines: Vec<&str> = text.lines().collect();
    let begin = lines
        .iter()
        .position(|l| l.trim_end().starts_with("-----BEGIN "))
        .ok_or_else(|| {
            at(
                1,
                1,
                "no `-----BEGIN PRIVATE KEY-----` or `-----BEGIN PUBLIC KEY-----` line",
            )
        })?;
    let begin_line = lines[begin].trim_end();
    let label = begin_line
        .strip_prefix("-----BEGIN ")
        .and_then(|r| r.strip_suffix("-----"))
        .ok_or_else(|| at(begin + 1, 1, "a BEGIN line ends with `-----`"))?;
    if label != PRIVATE && label != PUBLIC {
        let why = if label == "ENCRYPTED PRIVATE KEY" {
            "an encrypted key; decrypt it first (`openssl pkey -in KEY -out PLAIN`)".to_owned()
        } else {
            format!("a `{label}` block; an ed25519 key is a `PRIVATE KEY` or `PUBLIC KEY` block")
        };
        return Err(at(begin + 1, 12, why));
    }
    let end_text = format!("-----END {label}-----");
    let mut base64 = String::new();
    let mut end = None;
    for (i, line) in lines.iter().enumerate().skip(begin + 1) {
        let line = line.trim_end();
        if line.starts_with("-----") {
            if line != end_text {
                return Err(at(i + 1, 1, format!("expected `{end_text}`")));
            }
            end = Some(i);
            break;
        }
        for (c, ch) in line.char_indices() {
            if !(ch.is_ascii_alphanumeric() || matches!(ch, '+' | '/' | '=')) {
                return Err(at(
                    i + 1,
                    line[..c].chars().count() + 1,
                    format!("{ch:?} is not a base64 character"),
                ));
            }
        }
        base64.push_str(line);
    }
    let Some(end) = end else {
        return Err(at(lines.len().max(1), 1, format!("no `{end_text}` line")));
    };
    if let Some(extra) = lines[end + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with("-----BEGIN "))
    {
        return Err(at(end + extra + 2, 1, "more than one key in the file"));
    }
    let body = begin + 2;
    let der = STANDARD
        .decode(base64.as_bytes())
        .map_err(|e| at(body, 1, format!("the base64 does not decode: {e}")))?;
    if label == PRIVATE {
        SigningKey::from_pkcs8_der(&der)
            .map(|k| PemKey::Secret(PemSecret(k)))
            .map_err(|e| {
                at(
                    body,
                    1,
                    format!("not an ed25519 PKCS#8 key (RFC 8410): {e}"),
                )
            })
    } else {
        VerifyingKey::from_public_key_der(&der)
            .map(|k| PemKey::Public(PublicKey(k)))
            .map_err(|e| {
                at(
                    body,
                    1,
                    format!("not an ed25519 public key (RFC 8410): {e}"),
                )
            })
    }
}

/// A PEM block: the label, base64 in lines of 64 characters (RFC 7468).
fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // Base64 is ASCII.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
