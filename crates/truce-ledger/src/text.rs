//! Single-text negotiation with people: the mediator's signed texts and the
//! sides' signed votes on them. Neither is a ledger event (votes are private
//! to the mediator, and the ledger is read by every party): each has its
//! own signature domain, so a text or a vote can never pass for an event,
//! an agreement or the other.
//!
//! A text is a complete outcome over a deal's open issues: one option per
//! issue, as `issue id → option`. It is numbered in the deal from 1 (the
//! `round`), and a vote names the text by its hash, so a vote cannot be
//! moved to another text or another round.
//!
//! The mediator may withdraw a text posted in error while its round is
//! open: the withdrawal is signed in a third domain (`truce/withdraw/v1`)
//! and names the text by its hash, so it withdraws that text only.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::canon::{Hash, canonical_json};
use crate::event::{PartySignature, Sig};
use crate::ids::DealId;
use crate::keys::{PartyKey, PublicKey};

/// An outcome over a deal's open issues: `issue id → chosen option`.
pub type Outcome = BTreeMap<String, String>;

/// Domain separation for the mediator's texts.
const TEXT_DOMAIN: &[u8] = b"truce/text/v1\n";
/// Domain separation for the sides' votes.
const VOTE_DOMAIN: &[u8] = b"truce/vote/v1\n";
/// Domain separation for the mediator's withdrawals of texts.
const WITHDRAW_DOMAIN: &[u8] = b"truce/withdraw/v1\n";

#[derive(Serialize)]
struct TextStatement<'a> {
    deal: &'a DealId,
    outcome: &'a Outcome,
    round: u32,
}

#[derive(Serialize)]
struct VoteStatement<'a> {
    accept: bool,
    deal: &'a DealId,
    round: u32,
    text: &'a Hash,
}

#[derive(Serialize)]
struct WithdrawStatement<'a> {
    deal: &'a DealId,
    round: u32,
    text: &'a Hash,
}

/// The canonical JSON `{"deal":…,"outcome":{…},"round":k}` of text `round`.
fn text_statement(deal: &DealId, round: u32, outcome: &Outcome) -> Vec<u8> {
    // Strings and a number always encode; an empty statement never verifies.
    canonical_json(&TextStatement {
        deal,
        outcome,
        round,
    })
    .unwrap_or_default()
}

/// A text's hash: SHA-256 of its canonical statement (what votes name).
pub fn text_hash(deal: &DealId, round: u32, outcome: &Outcome) -> Hash {
    Hash::of(&text_statement(deal, round, outcome))
}

/// The bytes the mediator signs to post text `round`: a domain tag, then
/// the canonical JSON `{"deal":…,"outcome":{…},"round":k}`.
pub fn text_message(deal: &DealId, round: u32, outcome: &Outcome) -> Vec<u8> {
    [TEXT_DOMAIN, &text_statement(deal, round, outcome)].concat()
}

/// The mediator's signature on text `round`.
pub fn sign_text(key: &PartyKey, deal: &DealId, round: u32, outcome: &Outcome) -> PartySignature {
    PartySignature {
        party: key.party().clone(),
        signature: Sig(key.sign(&text_message(deal, round, outcome))),
    }
}

/// Whether `signature` is `key`'s signature on text `round`.
pub fn verify_text(
    key: &PublicKey,
    deal: &DealId,
    round: u32,
    outcome: &Outcome,
    signature: &Sig,
) -> bool {
    key.verify(&text_message(deal, round, outcome), &signature.0)
}

/// The bytes a side signs to vote on text `round` (hash `text`): a domain
/// tag, then the canonical JSON `{"accept":…,"deal":…,"round":k,"text":…}`.
pub fn vote_message(deal: &DealId, round: u32, text: &Hash, accept: bool) -> Vec<u8> {
    let body = canonical_json(&VoteStatement {
        accept,
        deal,
        round,
        text,
    })
    .unwrap_or_default();
    [VOTE_DOMAIN, &body].concat()
}

/// A side's signed vote on text `round`.
pub fn sign_vote(
    key: &PartyKey,
    deal: &DealId,
    round: u32,
    text: &Hash,
    accept: bool,
) -> PartySignature {
    PartySignature {
        party: key.party().clone(),
        signature: Sig(key.sign(&vote_message(deal, round, text, accept))),
    }
}

/// Whether `signature` is `key`'s vote (`accept`) on text `round`.
pub fn verify_vote(
    key: &PublicKey,
    deal: &DealId,
    round: u32,
    text: &Hash,
    accept: bool,
    signature: &Sig,
) -> bool {
    key.verify(&vote_message(deal, round, text, accept), &signature.0)
}

/// The bytes the mediator signs to withdraw text `round` (hash `text`): a
/// domain tag, then the canonical JSON `{"deal":…,"round":k,"text":…}`.
pub fn withdraw_message(deal: &DealId, round: u32, text: &Hash) -> Vec<u8> {
    let body = canonical_json(&WithdrawStatement { deal, round, text }).unwrap_or_default();
    [WITHDRAW_DOMAIN, &body].concat()
}

/// The mediator's signed withdrawal of text `round`.
pub fn sign_withdrawal(key: &PartyKey, deal: &DealId, round: u32, text: &Hash) -> PartySignature {
    PartySignature {
        party: key.party().clone(),
        signature: Sig(key.sign(&withdraw_message(deal, round, text))),
    }
}

/// Whether `signature` is `key`'s withdrawal of text `round` (hash `text`).
pub fn verify_withdrawal(
    key: &PublicKey,
    deal: &DealId,
    round: u32,
    text: &Hash,
    signature: &Sig,
) -> bool {
    key.verify(&withdraw_message(deal, round, text), &signature.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PartyId;

    fn key(seed: u8, party: &str) -> PartyKey {
        PartyKey::from_seed(PartyId::new(party).unwrap(), &[seed; 32])
    }

    fn outcome() -> Outcome {
        Outcome::from([
            ("pause-days".to_owned(), "5".to_owned()),
            ("ratio".to_owned(), "3".to_owned()),
        ])
    }

    #[test]
    fn a_vote_binds_its_text_round_and_answer_and_never_passes_for_a_text() {
        let deal = DealId::new("d").unwrap();
        let side = key(1, "a");
        let text = text_hash(&deal, 2, &outcome());
        let vote = sign_vote(&side, &deal, 2, &text, true);
        let public = side.public_key();
        assert!(verify_vote(&public, &deal, 2, &text, true, &vote.signature));
        assert!(!verify_vote(
            &public,
            &deal,
            2,
            &text,
            false,
            &vote.signature
        ));
        assert!(!verify_vote(
            &public,
            &deal,
            3,
            &text,
            true,
            &vote.signature
        ));
        let other = text_hash(&deal, 2, &Outcome::new());
        assert!(!verify_vote(
            &public,
            &deal,
            2,
            &other,
            true,
            &vote.signature
        ));
        assert!(!verify_text(&public, &deal, 2, &outcome(), &vote.signature));
        let posted = sign_text(&side, &deal, 2, &outcome());
        assert!(verify_text(
            &public,
            &deal,
            2,
            &outcome(),
            &posted.signature
        ));
        assert!(!verify_agreement_like(
            &public,
            &deal,
            &text,
            &posted.signature
        ));
        assert!(!verify_vote(
            &key(2, "a").public_key(),
            &deal,
            2,
            &text,
            true,
            &vote.signature
        ));
    }

    #[test]
    fn a_withdrawal_binds_its_text_and_round_and_passes_for_nothing_else() {
        let deal = DealId::new("d").unwrap();
        let mediator = key(3, "m");
        let public = mediator.public_key();
        let text = text_hash(&deal, 2, &outcome());
        let withdrawn = sign_withdrawal(&mediator, &deal, 2, &text);
        assert!(verify_withdrawal(
            &public,
            &deal,
            2,
            &text,
            &withdrawn.signature
        ));
        // Another round, another text, another deal, another key: refused.
        assert!(!verify_withdrawal(
            &public,
            &deal,
            3,
            &text,
            &withdrawn.signature
        ));
        let other = text_hash(&deal, 2, &Outcome::new());
        assert!(!verify_withdrawal(
            &public,
            &deal,
            2,
            &other,
            &withdrawn.signature
        ));
        let elsewhere = DealId::new("e").unwrap();
        assert!(!verify_withdrawal(
            &public,
            &elsewhere,
            2,
            &text,
            &withdrawn.signature
        ));
        assert!(!verify_withdrawal(
            &key(4, "m").public_key(),
            &deal,
            2,
            &text,
            &withdrawn.signature
        ));
        // Neither a vote (of either answer), a text nor an agreement.
        for accept in [true, false] {
            assert!(!verify_vote(
                &public,
                &deal,
                2,
                &text,
                accept,
                &withdrawn.signature
            ));
        }
        assert!(!verify_text(
            &public,
            &deal,
            2,
            &outcome(),
            &withdrawn.signature
        ));
        assert!(!verify_agreement_like(
            &public,
            &deal,
            &text,
            &withdrawn.signature
        ));
        // And no vote or text signature passes for a withdrawal.
        let vote = sign_vote(&mediator, &deal, 2, &text, false);
        assert!(!verify_withdrawal(
            &public,
            &deal,
            2,
            &text,
            &vote.signature
        ));
        let posted = sign_text(&mediator, &deal, 2, &outcome());
        assert!(!verify_withdrawal(
            &public,
            &deal,
            2,
            &text,
            &posted.signature
        ));
    }

    #[test]
    fn the_withdraw_message_is_its_domain_and_canonical_statement() {
        let deal = DealId::new("d").unwrap();
        let text = Hash::of(b"t");
        // Written out by hand: keys sorted, no spaces (RFC 8785).
        let statement = format!(r#"{{"deal":"d","round":4,"text":"{text}"}}"#);
        assert_eq!(
            withdraw_message(&deal, 4, &text),
            [b"truce/withdraw/v1\n".as_slice(), statement.as_bytes()].concat()
        );
    }

    fn verify_agreement_like(key: &PublicKey, deal: &DealId, h: &Hash, sig: &Sig) -> bool {
        crate::event::verify_agreement(key, deal, h, sig)
    }

    #[test]
    fn the_text_hash_is_sha256_of_the_canonical_statement() {
        let deal = DealId::new("d").unwrap();
        // Written out by hand: keys sorted, no spaces (RFC 8785).
        let statement = br#"{"deal":"d","outcome":{"pause-days":"5","ratio":"3"},"round":1}"#;
        assert_eq!(text_hash(&deal, 1, &outcome()), Hash::of(statement));
        assert_eq!(
            text_message(&deal, 1, &outcome()),
            [b"truce/text/v1\n".as_slice(), statement].concat()
        );
    }
}
