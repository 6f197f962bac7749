//! The truce execution ledger, without I/O: signed, hash-chained events of a
//! deal's execution, the lifecycle rules they must follow, and offline
//! verification with only the parties' public keys.
//!
//! - An event ([`Event`]) is wrapped in an envelope ([`SignedEvent`]): deal,
//!   seq, hash of the previous event, author, the caller's timestamp, and the
//!   author's ed25519 signature. Its ledger line is RFC 8785 canonical JSON.
//! - [`DealLedger`] is the append path a store uses: it drafts the next
//!   event for an author and accepts it only if chain, signatures and
//!   lifecycle rules ([`DealState`]) all hold.
//! - [`verify`] checks a whole `ledger.jsonl` export and names the first bad
//!   event ([`VerifyReport`]); [`verify_with`] adds options: signature
//!   threads, and the [`Receipt`]s a party kept, which expose events cut off
//!   the end or a rewritten history.
//! - Keys: [`keygen`] / [`keygen_files`] from the caller's RNG, the public
//!   key file [`KeyRing`] (format below) and the
//!   secret key file [`PartyKey::to_secret_file`].
//! - Persons: a handover names the persons it carried by [`Pseudonym`], the
//!   HMAC-SHA256 of deal and person id under the deal's [`PersonKey`]
//!   (see [`PersonKey::pseudonym`]), never by id. The key is the deal's,
//!   held by the mediator, the sides and the intermediary (the service
//!   creates it with the deal, or the mediator brings one); a guarantor, an
//!   observer or anyone verifying a ledger without it learns from a
//!   handover only its day, holder, receiver and how many persons it
//!   carried. A person keeps one pseudonym for the whole deal, so the rules
//!   against handing a person over twice hold for every verifier.
//!
//! Key file (`keys.json`, party id → ed25519 public key in hex):
//!
//! ```json
//! {"format_version":1,"parties":[
//! {"id":"mediator","public_key":"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"}
//! ]}
//! ```
//!
//! Ledger (`ledger.jsonl`): one event per line, each line the RFC 8785
//! canonical JSON of a [`SignedEvent`] (see [`SignedEvent`] for the fields
//! and what is signed and hashed).
//!
//! The crate reads no clock, no file and no global RNG: time and randomness
//! come from the caller. It starts threads only when asked
//! ([`VerifyOptions::threads`]).
//!
//! # For `truce verify LEDGER --keys KEYS`
//!
//! Read both files as bytes, parse the keys with [`KeyRing::parse`] (an
//! error is exit 2, with [`KeyFileError::position`]), then call
//! [`verify_bytes`] (or [`verify_with`] for `--threads` / receipts):
//! `Ok(report)` with `report.intact` is exit 0, `Ok` with a
//! [`VerifyReport::first_bad`] is exit 1, `Err(VerifyError)` is exit 2.
//! Print [`VerifyReport::render_text`] or [`VerifyReport::to_json`]. No
//! message names a person (the ledger holds none: only pseudonyms) or
//! quotes free text from the ledger.
//!
//! # Example: sign, append, verify; persons by pseudonym
//!
//! ```
//! use rand_chacha::ChaCha20Rng;
//! use rand_chacha::rand_core::SeedableRng;
//! use truce_ledger::*;
//!
//! let mut rng = ChaCha20Rng::seed_from_u64(7); // the CLI seeds from the OS
//! let party = |id: &str| PartyId::new(id).unwrap();
//! let mediator = keygen(party("mediator"), &mut rng);
//! let side_a = keygen(party("side-a"), &mut rng);
//! let side_b = keygen(party("side-b"), &mut rng);
//! let relief = keygen(party("relief"), &mut rng);
//! let keys = KeyRing::of([&mediator, &side_a, &side_b, &relief]).unwrap();
//!
//! let deal = DealId::new("four-day-pause").unwrap();
//! let mut ledger = DealLedger::new(deal.clone());
//! let mut events = Vec::new();
//! let mut record = |ledger: &mut DealLedger, key: &PartyKey, at_ms, event| {
//!     let signed = ledger.draft(key.party().clone(), at_ms, event).sign(key).unwrap();
//!     ledger.append(&signed, &keys).unwrap();
//!     events.push(signed);
//! };
//!
//! let parties = [
//!     ("mediator", Role::Mediator),
//!     ("side-a", Role::Side),
//!     ("side-b", Role::Side),
//!     ("relief", Role::Intermediary),
//! ]
//! .map(|(id, role)| PartyRole { id: party(id), role })
//! .to_vec();
//! let name = "Four-day pause".to_owned();
//! record(&mut ledger, &mediator, 1_000, Event::DealCreated { name, parties });
//! record(&mut ledger, &mediator, 2_000, Event::NegotiationStarted {});
//! let deal_hash = Hash::of(b"the normalised deal json"); // deal_hash(&deal) in practice
//! let signatures = [&side_a, &side_b].map(|k| sign_agreement(k, &deal, &deal_hash)).to_vec();
//! record(&mut ledger, &mediator, 3_000, Event::DealAgreed { deal_hash, signatures });
//! assert_eq!(ledger.phase(), Some(Phase::Agreed));
//! let plan_hash = Hash::of(b"the plan json");
//! record(&mut ledger, &mediator, 4_000, Event::PlanAdopted { days: 4, plan_hash });
//! record(&mut ledger, &mediator, 5_000, Event::PauseStarted {});
//!
//! // The deal's person key, made once and given to the mediator, the sides
//! // and the intermediary. A handover carries pseudonyms, never ids.
//! let person_key = PersonKey::generate(&mut rng);
//! let pseudonyms = ["A-0001", "A-0002"]
//!     .map(|p| person_key.pseudonym(&deal, &PersonId::new(p).unwrap()))
//!     .to_vec();
//! let (holder, to) = (party("side-a"), party("side-b"));
//! // Its counts per category, signed, let a party without the roster check
//! // the terms.
//! let counts = Some([(CategoryId::new("child").unwrap(), 2)].into_iter().collect());
//! let handover = Event::HandoverRecorded { counts, day: 1, holder, pseudonyms, to };
//! record(&mut ledger, &relief, 6_000, handover.clone());
//!
//! let jsonl = export(&events).unwrap();
//! assert!(!jsonl.contains("A-0001"));
//! let report = verify(&jsonl, &keys).unwrap();
//! assert!(report.intact, "{}", report.render_text());
//!
//! // The same persons again: caught on their pseudonyms, without the key.
//! let again = ledger.draft(party("relief"), 7_000, handover).sign(&relief).unwrap();
//! let refused = ledger.append(&again, &keys).unwrap_err();
//! assert_eq!(refused.kind(), "not-allowed");
//!
//! // Any edit is caught and located.
//! let tampered = jsonl.replacen("Four-day", "Five-day", 1);
//! let report = verify(&tampered, &keys).unwrap();
//! let bad = report.first_bad.unwrap();
//! assert_eq!((bad.line, bad.kind), (1, "bad-signature"));
//! ```

mod canon;
mod checkpoint;
mod envelope;
mod event;
mod ids;
mod keys;
mod ledger;
mod pem;
mod person;
mod problem;
mod state;
mod text;
mod verify;

pub use canon::{EncodeError, Hash, MAX_SAFE_INTEGER, canonical_json, deal_hash};
pub use checkpoint::{
    Checkpoint, CheckpointError, DEFAULT_SERVICE_NAME, MAX_CHECKPOINT_LEN, ServiceKey,
    ServiceVerifier,
};
pub use envelope::{Draft, LEDGER_FORMAT_VERSION, SignError, SignedEvent, export};
pub use event::{
    Event, Finding, MAX_CATEGORIES_PER_HANDOVER, MAX_FINDING_ID_LEN, MAX_FLOW_ID_LEN,
    MAX_PERSONS_PER_HANDOVER, MAX_TEXT_LEN, PartyRole, PartySignature, Ruling, Sig,
    agreement_message, amendment_message, check_finding_id, check_flow_id, list_commitment,
    sign_agreement, sign_amendment, verify_agreement, verify_amendment,
};
pub use ids::{
    CategoryId, DealId, IdError, MAX_ID_LEN, PartyId, PersonId, Role, check_person, check_slug,
};
pub use keys::{
    KEY_FORMAT_VERSION, KeyFileError, KeyFiles, KeyRing, PartyKey, PublicKey, keygen, keygen_files,
};
pub use ledger::DealLedger;
pub use pem::{PemError, PemKey, PemSecret, read_pem_key};
pub use person::{PersonKey, Pseudonym};
pub use problem::Problem;
pub use state::{DealState, MAX_PERSONS_PER_LIST, Phase, Violation};
pub use text::{
    Outcome, sign_text, sign_vote, sign_withdrawal, text_hash, text_message, verify_text,
    verify_vote, verify_withdrawal, vote_message, withdraw_message,
};
pub use verify::{
    BadEvent, DEFAULT_BATCH, DealSummary, Receipt, VerifyError, VerifyOptions, VerifyReport,
    verify, verify_bytes, verify_with,
};
