//! `truce keys export` / `truce keys import`: a party's ed25519 key as PEM
//! (PKCS#8 `PRIVATE KEY`, SubjectPublicKeyInfo `PUBLIC KEY`, RFC 8410), so
//! keys move to and from OpenSSL, HSM tooling and other signers.

use std::path::Path;

use truce_ledger::{KeyRing, PartyId, PemKey, read_pem_key};

use crate::cli::KeysCommand;
use crate::error::{CliError, Outcome};
use crate::files::{self, FileKind};

pub fn run(command: &KeysCommand) -> Result<Outcome, CliError> {
    match command {
        KeysCommand::Export {
            key,
            public,
            out,
            force,
        } => export(key, *public, out.as_deref(), *force),
        KeysCommand::Import {
            pem,
            party,
            out,
            force,
        } => import(pem, party, out, *force),
    }
}

fn export(key: &Path, public: bool, out: Option<&Path>, force: bool) -> Result<Outcome, CliError> {
    let key = crate::remote::party_key(key)?;
    let pem = if public {
        key.public_key().to_spki_pem()
    } else {
        key.to_pkcs8_pem()
    };
    let Some(out) = out else {
        print!("{pem}");
        return Ok(Outcome::Success);
    };
    if !force && out.exists() {
        return Err(CliError::WouldOverwrite(out.to_owned()));
    }
    if public {
        files::write_atomic(out, pem.as_bytes())?;
        println!("wrote {} (public key of {})", out.display(), key.party());
    } else {
        files::write_secret(out, pem.as_bytes())?;
        println!(
            "wrote {} (secret: keep it with {} only)",
            out.display(),
            key.party()
        );
    }
    Ok(Outcome::Success)
}

fn import(pem: &Path, party: &str, out: &Path, force: bool) -> Result<Outcome, CliError> {
    let party = PartyId::new(party)
        .map_err(|e| CliError::Usage(format!("`{party}` is not a party id: {e}")))?;
    let text = files::read_text(pem, FileKind::Certificate)?;
    let key = read_pem_key(&text).map_err(|e| {
        CliError::Usage(format!(
            "{}:{}:{}: not an ed25519 PEM key: {}",
            pem.display(),
            e.line,
            e.column,
            e.what
        ))
    })?;
    match key {
        PemKey::Secret(secret) => {
            if !force && out.exists() {
                return Err(CliError::WouldOverwrite(out.to_owned()));
            }
            let key = secret.into_party_key(party);
            files::write_secret(out, key.to_secret_file().as_bytes())?;
            println!(
                "wrote {} (secret: keep it with {} only; public key {})",
                out.display(),
                key.party(),
                key.public_key().to_hex()
            );
        }
        PemKey::Public(public) => {
            let mut ring = KeyRing::new();
            if out.exists() {
                let existing = files::read_text(out, FileKind::Keys)?;
                let old = KeyRing::parse(&existing).map_err(|e| {
                    let (l, c) = e
                        .position()
                        .unwrap_or_else(|| crate::ledger::key_error_place(&existing, &e));
                    CliError::Usage(format!(
                        "{}:{l}:{c}: not a valid key file: {e}",
                        out.display()
                    ))
                })?;
                for id in old.parties() {
                    if *id == party {
                        if !force {
                            return Err(CliError::Usage(format!(
                                "{} already holds a key for {party}; --force replaces it",
                                out.display()
                            )));
                        }
                        continue;
                    }
                    if let Some(k) = old.get(id) {
                        insert(&mut ring, id.clone(), *k)?;
                    }
                }
            }
            insert(&mut ring, party.clone(), public)?;
            files::write_atomic(out, ring.to_json().as_bytes())?;
            println!(
                "wrote {} (public key of {party}: {})",
                out.display(),
                public.to_hex()
            );
        }
    }
    Ok(Outcome::Success)
}

fn insert(
    ring: &mut KeyRing,
    party: PartyId,
    key: truce_ledger::PublicKey,
) -> Result<(), CliError> {
    ring.insert(party, key)
        .map_err(|e| CliError::Usage(format!("cannot add the key: {e}")))
}
