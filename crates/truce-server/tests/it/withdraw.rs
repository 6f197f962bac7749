//! The mediator withdraws a text posted in error: only the mediator, only
//! while the round is open, with a signature that names the deal, the
//! round and the text's hash; the withdrawn round takes no vote, keeps the
//! votes cast (shown to the same roles as before), and the algorithm
//! treats the text as never proposed.

use axum::Router;
use axum::http::StatusCode;
use truce_ledger::{Hash, Outcome, sign_vote, sign_withdrawal};
use truce_server::{AlgorithmChoice, PostWithdrawal, TextWithdrawn};

use crate::support::*;
use crate::texts::{
    ask, assert_no_votes, negotiated_deal, post_and_vote, post_text, texts_as, uri, vote,
};

fn outcome(days: &str, extension: &str, trucks: &str) -> Outcome {
    [
        ("pause-days", days),
        ("extension-max", extension),
        ("aid-trucks", trucks),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Posts a withdrawal of text `round` signed over `signed_round` and
/// `signed_text` by `signer`, sent with `sender`'s token.
async fn withdraw_signed(
    app: &Router,
    deal: &TestDeal,
    round: u32,
    (signed_round, signed_text): (u32, &Hash),
    signer: &str,
    sender: &str,
) -> Reply {
    let signed = sign_withdrawal(
        key_of(&deal.keys, signer),
        &deal.id,
        signed_round,
        signed_text,
    );
    let body = serde_json::to_string(&PostWithdrawal {
        signature: signed.signature,
    })
    .expect("json");
    send(
        app,
        request(
            "POST",
            &uri(deal, &format!("/{round}/withdraw")),
            Some(deal.token(sender)),
            Some(body),
        ),
    )
    .await
}

/// The mediator's own withdrawal of text `round` (hash `text`).
async fn withdraw(app: &Router, deal: &TestDeal, round: u32, text: &Hash) -> Reply {
    withdraw_signed(app, deal, round, (round, text), "mediator", "mediator").await
}

#[tokio::test]
async fn the_mediator_withdraws_an_open_text_and_its_round_takes_no_vote() {
    let app = test_app().await;
    let deal = negotiated_deal(&app).await;
    let first = outcome("4", "10", "200");
    let kept = post_text(&app, &deal, 1, &first, None).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let hash = truce_ledger::text_hash(&deal.id, 1, &first);
    let reply = vote(&app, &deal, 1, &hash, true, "side-a", "side-a").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);

    // No other role withdraws, even with the mediator's signature.
    for who in ["side-a", "side-b", "relief", "guarantor", "monitor"] {
        let reply = withdraw_signed(&app, &deal, 1, (1, &hash), "mediator", who).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{who}: {}", reply.text);
    }
    // A signature that is not the mediator's withdrawal of this text: a
    // side's key, another round, another text, a vote's signature.
    let other_text = truce_ledger::text_hash(&deal.id, 1, &outcome("5", "10", "200"));
    for (signed, signer) in [
        ((1, &hash), "side-a"),
        ((2, &hash), "mediator"),
        ((1, &other_text), "mediator"),
    ] {
        let reply = withdraw_signed(&app, &deal, 1, signed, signer, "mediator").await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text
        );
        assert_eq!(reply.body["kind"], "bad-signature");
    }
    let vote_signature = sign_vote(key_of(&deal.keys, "mediator"), &deal.id, 1, &hash, false);
    let reply = send(
        &app,
        request(
            "POST",
            &uri(&deal, "/1/withdraw"),
            Some(deal.token("mediator")),
            Some(
                serde_json::to_string(&PostWithdrawal {
                    signature: vote_signature.signature,
                })
                .expect("json"),
            ),
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.body["kind"], "bad-signature");
    // No such text.
    let reply = withdraw(&app, &deal, 9, &hash).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    assert_eq!(reply.body["kind"], "no-such-text");

    // The mediator's own: kept, and provable with its public key.
    let reply = withdraw(&app, &deal, 1, &hash).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let withdrawn: TextWithdrawn = serde_json::from_value(reply.body).expect("withdrawn");
    assert_eq!((withdrawn.round, withdrawn.text_hash), (1, hash));
    let mediator = key_of(&deal.keys, "mediator").public_key();
    assert!(truce_ledger::verify_withdrawal(
        &mediator,
        &deal.id,
        1,
        &hash,
        &withdrawn.withdrawn.signature
    ));
    // Once only; and the round takes no vote after it.
    let again = withdraw(&app, &deal, 1, &hash).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(again.body["kind"], "already-withdrawn");
    let late = vote(&app, &deal, 1, &hash, true, "side-b", "side-b").await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text);
    assert_eq!(late.body["kind"], "text-withdrawn");

    // Every role sees the text withdrawn; the vote cast before stays, seen
    // by the mediator and its side only, as before.
    for who in [
        "mediator",
        "side-a",
        "side-b",
        "relief",
        "guarantor",
        "monitor",
    ] {
        let (view, json) = texts_as(&app, &deal, who).await;
        assert!(!view.open, "{who}: a withdrawn round is over");
        assert_eq!(view.next_round, 2);
        assert!(view.agreed.is_none());
        let text = &view.texts[0];
        assert!(!text.closed && text.accepted.is_none(), "{who}");
        let shown = text.withdrawn.as_ref().expect("withdrawn");
        assert_eq!(shown, &withdrawn.withdrawn, "{who}");
        let votes: Option<Vec<&str>> = text
            .votes
            .as_ref()
            .map(|v| v.iter().map(|v| v.party.as_str()).collect());
        match who {
            "mediator" | "side-a" => assert_eq!(votes, Some(vec!["side-a"]), "{who}"),
            "side-b" => assert_eq!(votes, Some(vec![]), "{who}"),
            _ => assert_no_votes(&json),
        }
    }

    // The next text is posted as after a closed round; a replay of the
    // withdrawal's signature on it is refused (it names text 1).
    let second = outcome("5", "5", "300");
    let kept = post_text(&app, &deal, 2, &second, None).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let replay = send(
        &app,
        request(
            "POST",
            &uri(&deal, "/2/withdraw"),
            Some(deal.token("mediator")),
            Some(
                serde_json::to_string(&PostWithdrawal {
                    signature: withdrawn.withdrawn.signature,
                })
                .expect("json"),
            ),
        ),
    )
    .await;
    assert_eq!(
        replay.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        replay.text
    );
    assert_eq!(replay.body["kind"], "bad-signature");

    // Anyone can check the whole history from an observer's answer alone:
    // each text's and each withdrawal's signature over what it names.
    let (view, _) = texts_as(&app, &deal, "monitor").await;
    for text in &view.texts {
        assert_eq!(
            text.text_hash,
            truce_ledger::text_hash(&deal.id, text.round, &text.outcome)
        );
        assert!(truce_ledger::verify_text(
            &mediator,
            &deal.id,
            text.round,
            &text.outcome,
            &text.signature
        ));
        if let Some(w) = &text.withdrawn {
            assert!(truce_ledger::verify_withdrawal(
                &mediator,
                &deal.id,
                text.round,
                &text.text_hash,
                &w.signature
            ));
        }
    }
    assert_eq!(
        view.texts
            .iter()
            .map(|t| t.withdrawn.is_some())
            .collect::<Vec<_>>(),
        [true, false]
    );
    // The mediator's answer carries side-a's vote on the withdrawn text,
    // still provable.
    let (view, _) = texts_as(&app, &deal, "mediator").await;
    let kept_vote = &view.texts[0].votes.as_ref().expect("votes")[0];
    assert!(truce_ledger::verify_vote(
        &key_of(&deal.keys, "side-a").public_key(),
        &deal.id,
        1,
        &hash,
        kept_vote.accept,
        &kept_vote.signature
    ));
}

#[tokio::test]
async fn an_agreed_or_closed_text_is_not_withdrawn() {
    let app = test_app().await;
    let deal = negotiated_deal(&app).await;
    let agreed = outcome("4", "10", "200");
    post_and_vote(&app, &deal, 1, &agreed, None, [true, true]).await;
    let hash = truce_ledger::text_hash(&deal.id, 1, &agreed);
    let reply = withdraw(&app, &deal, 1, &hash).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);
    assert_eq!(reply.body["kind"], "text-agreed");

    let rejected = outcome("6", "5", "100");
    post_and_vote(&app, &deal, 2, &rejected, None, [true, false]).await;
    let hash = truce_ledger::text_hash(&deal.id, 2, &rejected);
    let reply = withdraw(&app, &deal, 2, &hash).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);
    assert_eq!(reply.body["kind"], "round-closed");
    // Nothing changed: text 1 is still the agreed text.
    let (view, _) = texts_as(&app, &deal, "side-b").await;
    assert_eq!(view.agreed.expect("agreed").outcome, agreed);
    assert!(view.texts.iter().all(|t| t.withdrawn.is_none()));
}

/// The algorithm treats a withdrawn text as never proposed: its own (with
/// a side's vote on it) and a person's (with none). Before withdrawals were
/// skipped, either left the replay a text short of votes (`round-open`).
#[tokio::test]
async fn the_algorithm_treats_a_withdrawn_text_as_never_proposed() {
    let app = test_app().await;
    let deal = negotiated_deal(&app).await;
    let choice = AlgorithmChoice {
        mediator: "feedback".to_owned(),
        seed: 11,
        rounds: 40,
    };
    let opening = ask(&app, &deal, &choice).await;
    let first = opening.outcome.clone().expect("an opening");
    let kept = post_text(&app, &deal, 1, &first, Some(&choice)).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let hash = truce_ledger::text_hash(&deal.id, 1, &first);
    let reply = vote(&app, &deal, 1, &hash, false, "side-b", "side-b").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let reply = withdraw(&app, &deal, 1, &hash).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    // Asked again, the algorithm opens as it did: it heard nothing.
    let again = ask(&app, &deal, &choice).await;
    assert_eq!(again.outcome.as_ref(), Some(&first));
    assert_eq!((again.heard, again.heard_outside, again.round), (0, 0, 2));
    // And its text, posted again as round 2, is checked to be its own.
    post_and_vote(&app, &deal, 2, &first, Some(&choice), [true, true]).await;
    let proposed = ask(&app, &deal, &choice).await;
    assert_eq!((proposed.heard, proposed.heard_outside), (1, 0));

    // A person's text in between, withdrawn before any vote: the
    // algorithm proposes what it proposed before it was posted.
    let person = outcome("6", "5", "100");
    let kept = post_text(&app, &deal, 3, &person, None).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let person_hash = truce_ledger::text_hash(&deal.id, 3, &person);
    let reply = withdraw(&app, &deal, 3, &person_hash).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let after = ask(&app, &deal, &choice).await;
    assert_eq!(after.outcome, proposed.outcome);
    assert_eq!((after.heard, after.heard_outside, after.round), (1, 0, 4));
    let next = after.outcome.expect("a proposal");
    post_and_vote(&app, &deal, 4, &next, Some(&choice), [true, false]).await;
}
