//! Single text with people over the service: the mediator posts texts
//! (its own or the algorithm's), the sides vote with their own keys, an
//! observer or guarantor never reads a vote, forged and malformed input is
//! refused with a named problem, and the agreed text becomes the deal the
//! sides sign with `deal-agreed`.

use std::collections::BTreeMap;

use axum::Router;
use axum::http::StatusCode;
use truce_ledger::{Event, Hash, Outcome, PartyRole, sign_agreement, sign_text, sign_vote};
use truce_server::{AlgorithmChoice, NextTextView, PostText, PostVote, TextsView};

use crate::support::*;

/// The open issues of the test deal: what a text settles.
fn open_issues() -> serde_json::Value {
    serde_json::json!([
        {"id": "pause-days", "description": "days of the pause", "options": ["3", "4", "5", "6"], "sets": "pause.days"},
        {"id": "extension-max", "description": null, "options": ["5", "10"], "sets": "pause.extension.max_days"},
        {"id": "aid-trucks", "description": "trucks a day", "options": ["100", "200", "300"], "sets": null}
    ])
}

pub async fn negotiated_deal(app: &Router) -> TestDeal {
    let id = unique("text");
    let mut body = create_body(&id, 2);
    body["deal"]["open_issues"] = open_issues();
    body["deal"]["agreed_terms"] = serde_json::json!([]);
    let reply = send(
        app,
        request("POST", "/api/v1/deals", None, Some(body.to_string())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    TestDeal::from_created(serde_json::from_value(reply.body).expect("created"))
}

/// Each side's private worth of an outcome (the service never sees it):
/// side-a wants a long pause and many trucks, side-b a short pause; both
/// prefer the longer extension limit a little.
fn worth(side: &str, o: &Outcome) -> i64 {
    let n = |k: &str| o[k].parse::<i64>().expect("number");
    match side {
        "side-a" => 10 * n("pause-days") + n("aid-trucks") / 10 + n("extension-max"),
        _ => -10 * n("pause-days") + 40 + n("extension-max") + (300 - n("aid-trucks")) / 50,
    }
}

pub fn uri(deal: &TestDeal, rest: &str) -> String {
    format!("/api/v1/deals/{}/texts{rest}", deal.id)
}

pub async fn texts_as(app: &Router, deal: &TestDeal, who: &str) -> (TextsView, String) {
    let reply = send(
        app,
        request("GET", &uri(deal, ""), Some(deal.token(who)), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    (
        serde_json::from_value(reply.body).expect("texts"),
        reply.text,
    )
}

fn post_text_body(
    deal: &TestDeal,
    round: u32,
    outcome: &Outcome,
    algorithm: Option<&AlgorithmChoice>,
) -> String {
    let signed = sign_text(key_of(&deal.keys, "mediator"), &deal.id, round, outcome);
    serde_json::to_string(&PostText {
        round,
        outcome: outcome.clone(),
        signature: signed.signature,
        algorithm: algorithm.cloned(),
    })
    .expect("json")
}

pub async fn post_text(
    app: &Router,
    deal: &TestDeal,
    round: u32,
    outcome: &Outcome,
    algorithm: Option<&AlgorithmChoice>,
) -> Reply {
    let body = post_text_body(deal, round, outcome, algorithm);
    send(
        app,
        request(
            "POST",
            &uri(deal, ""),
            Some(deal.token("mediator")),
            Some(body),
        ),
    )
    .await
}

/// `side`'s vote on text `round` (hash `text`), signed with `signer`'s key
/// and sent with `sender`'s token.
pub async fn vote(
    app: &Router,
    deal: &TestDeal,
    round: u32,
    text: &Hash,
    accept: bool,
    signer: &str,
    sender: &str,
) -> Reply {
    let signed = sign_vote(key_of(&deal.keys, signer), &deal.id, round, text, accept);
    let body = serde_json::to_string(&PostVote {
        accept,
        signature: signed.signature,
    })
    .expect("json");
    let path = uri(deal, &format!("/{round}/votes"));
    send(
        app,
        request("POST", &path, Some(deal.token(sender)), Some(body)),
    )
    .await
}

/// Nothing an observer or guarantor reads names a vote or an acceptance.
pub fn assert_no_votes(json: &str) {
    for word in ["\"votes\"", "\"accept\"", "\"accepted\"", "\"agreed\""] {
        assert!(!json.contains(word), "{word} in {json}");
    }
}

#[tokio::test]
async fn people_negotiate_a_text_with_the_algorithm_and_sign_the_agreed_deal() {
    let url = database_url();
    let open = async || {
        let store = truce_store::Store::open(&url).await.expect("store");
        truce_server::app(truce_server::AppState::new(store, None))
    };
    let app = open().await;
    let deal = negotiated_deal(&app).await;
    let choice = AlgorithmChoice {
        mediator: "feedback".to_owned(),
        seed: 7,
        rounds: 40,
    };
    let next_uri = uri(&deal, "/next");
    let mut agreed: Option<Outcome> = None;
    let mut round = 0;
    loop {
        let reply = send(
            &app,
            request(
                "POST",
                &next_uri,
                Some(deal.token("mediator")),
                Some(serde_json::to_string(&choice).expect("json")),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let next: NextTextView = serde_json::from_value(reply.body).expect("next");
        let Some(outcome) = next.outcome else {
            // The algorithm holds the text the sides last accepted.
            assert_eq!(next.done.as_ref(), agreed.as_ref());
            break;
        };
        round += 1;
        assert_eq!(next.round, round);
        let kept = post_text(&app, &deal, round, &outcome, Some(&choice)).await;
        assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
        let text_hash: Hash = serde_json::from_value(kept.body["text_hash"].clone()).expect("hash");
        assert_eq!(
            text_hash,
            truce_ledger::text_hash(&deal.id, round, &outcome)
        );
        // A round is open until every side has voted: no new text before.
        let early = post_text(&app, &deal, round + 1, &outcome, None).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.text);
        assert_eq!(early.body["kind"], "round-open");
        // Each side votes honestly, with its own key and token: accept a
        // text at least as good as the agreed one (the first: any text).
        let mut all = true;
        for side in ["side-a", "side-b"] {
            let accept = agreed
                .as_ref()
                .is_none_or(|a| worth(side, &outcome) >= worth(side, a));
            all &= accept;
            let reply = vote(&app, &deal, round, &text_hash, accept, side, side).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        }
        if all {
            agreed = Some(outcome.clone());
        }
        // The observer and the guarantor see the text and that the round
        // closed, never a vote.
        for who in ["monitor", "guarantor", "relief"] {
            let (view, json) = texts_as(&app, &deal, who).await;
            assert_no_votes(&json);
            assert!(view.texts.iter().all(|t| t.closed && t.votes.is_none()));
            assert_eq!(view.texts.len(), round as usize);
        }
        assert!(round < 40, "the algorithm stops within its rounds");
    }
    assert!(round >= 3, "the algorithm proposed {round} texts");
    let agreed = agreed.expect("an agreed text");
    // The mediator reads every vote; a side only its own.
    let (m, _) = texts_as(&app, &deal, "mediator").await;
    assert!(
        m.texts
            .iter()
            .all(|t| t.votes.as_ref().map(Vec::len) == Some(2))
    );
    let (a, _) = texts_as(&app, &deal, "side-a").await;
    for t in &a.texts {
        let own = t.votes.as_ref().expect("own votes");
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].party.as_str(), "side-a");
    }
    let agreed_view = a.agreed.expect("the agreed text");
    assert_eq!(agreed_view.outcome, agreed);
    assert_eq!(m.agreed.expect("agreed").deal_hash, agreed_view.deal_hash);

    // The sides sign the resolved deal; the mediator records the agreement.
    let hash = agreed_view.deal_hash;
    assert_ne!(hash, deal.deal_hash);
    let parties = PARTIES
        .iter()
        .map(|(id, role)| PartyRole {
            id: party(id),
            role: *role,
        })
        .collect();
    record(
        &app,
        &deal,
        "mediator",
        Event::DealCreated {
            name: "Test pause".to_owned(),
            parties,
        },
    )
    .await;
    record(&app, &deal, "mediator", Event::NegotiationStarted {}).await;
    let signatures = ["side-a", "side-b"]
        .map(|s| sign_agreement(key_of(&deal.keys, s), &deal.id, &hash))
        .to_vec();
    record(
        &app,
        &deal,
        "mediator",
        Event::DealAgreed {
            deal_hash: hash,
            signatures,
        },
    )
    .await;
    // The deal in force is the draft with the agreed values written in.
    let reply = send(
        &app,
        request(
            "GET",
            &format!("/api/v1/deals/{}", deal.id),
            Some(deal.token("monitor")),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["deal_hash"], hash.to_string());
    let terms = &reply.body["terms"];
    assert_eq!(terms["pause"]["days"].to_string(), agreed["pause-days"]);
    assert_eq!(
        terms["pause"]["extension"]["max_days"].to_string(),
        agreed["extension-max"]
    );
    assert_eq!(terms["open_issues"], serde_json::json!([]));
    let record_of: BTreeMap<String, String> = terms["agreed_terms"]
        .as_array()
        .expect("agreed terms")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                t["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(record_of, agreed);
    // The state agrees, and after agreement no text moves.
    assert_eq!(state(&app, &deal).await.agreed_deal_hash, Some(hash));
    let late = post_text(&app, &deal, round + 1, &agreed, None).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text);
    assert_eq!(late.body["kind"], "deal-agreed");
    // Nor is a text withdrawn once the deal is agreed.
    let last = truce_ledger::text_hash(&deal.id, round, &view_outcome(&app, &deal, round).await);
    let withdrawal =
        truce_ledger::sign_withdrawal(key_of(&deal.keys, "mediator"), &deal.id, round, &last);
    let late = send(
        &app,
        request(
            "POST",
            &uri(&deal, &format!("/{round}/withdraw")),
            Some(deal.token("mediator")),
            Some(serde_json::json!({ "signature": withdrawal.signature }).to_string()),
        ),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text);
    assert_eq!(late.body["kind"], "deal-agreed");
    // A fresh server reads the same agreed deal back from the store.
    let fresh = open().await;
    let reply = send(
        &fresh,
        request(
            "GET",
            &format!("/api/v1/deals/{}", deal.id),
            Some(deal.token("side-b")),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["deal_hash"], hash.to_string());
    assert_eq!(
        reply.body["terms"]["pause"]["days"].to_string(),
        agreed["pause-days"]
    );
    let (view, _) = texts_as(&fresh, &deal, "monitor").await;
    assert!(view.concluded);
}

/// Text `round`'s outcome, as the mediator reads it.
async fn view_outcome(app: &Router, deal: &TestDeal, round: u32) -> Outcome {
    let (view, _) = texts_as(app, deal, "mediator").await;
    view.texts
        .into_iter()
        .find(|t| t.round == round)
        .expect("the text")
        .outcome
}

/// What `choice` proposes now, as the mediator asks it.
pub async fn ask(app: &Router, deal: &TestDeal, choice: &AlgorithmChoice) -> NextTextView {
    let reply = send(
        app,
        request(
            "POST",
            &uri(deal, "/next"),
            Some(deal.token("mediator")),
            Some(serde_json::to_string(choice).expect("json")),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    serde_json::from_value(reply.body).expect("next")
}

/// Posts text `round` (the algorithm's with `choice`) and has both sides
/// vote `votes`; returns nothing, asserting each step is kept.
pub async fn post_and_vote(
    app: &Router,
    deal: &TestDeal,
    round: u32,
    outcome: &Outcome,
    choice: Option<&AlgorithmChoice>,
    votes: [bool; 2],
) {
    let kept = post_text(app, deal, round, outcome, choice).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let hash = truce_ledger::text_hash(&deal.id, round, outcome);
    for (side, accept) in ["side-a", "side-b"].into_iter().zip(votes) {
        let reply = vote(app, deal, round, &hash, accept, side, side).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
}

/// Open issues in which two texts differ.
fn differing(a: &Outcome, b: &Outcome) -> usize {
    a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).count()
}

/// The mediator's own text in between, accepted by every side, is the
/// text the algorithm's next proposal changes (the feedback mediator: one
/// issue of it), and the talks go on from it; rejected, it changes nothing
/// the algorithm proposes.
#[tokio::test]
async fn the_algorithm_builds_on_a_persons_text_every_side_accepted() {
    let app = test_app().await;
    let choice = AlgorithmChoice {
        mediator: "feedback".to_owned(),
        seed: 3,
        rounds: 40,
    };
    // The same opening on two deals; then the mediator's own text, far
    // from it, accepted on one and rejected on the other.
    let (heard, refused) = (negotiated_deal(&app).await, negotiated_deal(&app).await);
    let mut opening = None;
    let mut proposed = None;
    for deal in [&heard, &refused] {
        let first = ask(&app, deal, &choice).await.outcome.expect("an opening");
        post_and_vote(&app, deal, 1, &first, Some(&choice), [true, true]).await;
        let next = ask(&app, deal, &choice).await.outcome.expect("a proposal");
        assert_eq!(differing(&next, &first), 1);
        assert!(opening.get_or_insert(first.clone()) == &first);
        assert!(proposed.get_or_insert(next.clone()) == &next);
    }
    let (opening, proposed) = (opening.expect("opening"), proposed.expect("proposed"));
    let options = |issue: &str| -> Vec<String> {
        open_issues()
            .as_array()
            .expect("issues")
            .iter()
            .find(|i| i["id"] == issue)
            .expect("issue")["options"]
            .as_array()
            .expect("options")
            .iter()
            .map(|o| o.as_str().expect("option").to_owned())
            .collect()
    };
    // The person's text: every issue at another option than the opening's.
    let person: Outcome = opening
        .iter()
        .map(|(issue, value)| {
            let all = options(issue);
            let at = all.iter().position(|o| o == value).expect("an option");
            (issue.clone(), all[(at + 1) % all.len()].clone())
        })
        .collect();
    assert_eq!(differing(&person, &opening), 3);

    post_and_vote(&app, &refused, 2, &person, None, [true, false]).await;
    let after_refused = ask(&app, &refused, &choice).await;
    assert_eq!(after_refused.outcome.as_ref(), Some(&proposed));
    assert_eq!((after_refused.heard, after_refused.heard_outside), (1, 1));

    post_and_vote(&app, &heard, 2, &person, None, [true, true]).await;
    let next = ask(&app, &heard, &choice).await;
    assert_eq!((next.heard, next.heard_outside), (1, 1));
    assert_eq!(next.round, 3);
    let next = next.outcome.expect("a proposal");
    assert_eq!(
        differing(&next, &person),
        1,
        "one issue of the person's text changed: {next:?} after {person:?}"
    );
    assert!(differing(&next, &opening) >= 2);

    // The talks go on from the person's text, the sides voting honestly
    // against the agreed text: the algorithm's texts are accepted as its
    // own (posting checks them), and what it ends on is the agreed text,
    // no worse than the person's for either side.
    let mut agreed = person.clone();
    let mut round = 3;
    loop {
        let view = ask(&app, &heard, &choice).await;
        let Some(outcome) = view.outcome else {
            assert_eq!(view.done.as_ref(), Some(&agreed));
            break;
        };
        let votes = ["side-a", "side-b"].map(|s| worth(s, &outcome) >= worth(s, &agreed));
        post_and_vote(&app, &heard, round, &outcome, Some(&choice), votes).await;
        if votes == [true, true] {
            agreed = outcome;
        }
        round += 1;
        assert!(round < 45, "the algorithm stops within its rounds");
    }
    for side in ["side-a", "side-b"] {
        assert!(worth(side, &agreed) >= worth(side, &person), "{side}");
    }
    let (view, _) = texts_as(&app, &heard, "side-a").await;
    assert_eq!(view.agreed.expect("agreed").outcome, agreed);
}

#[tokio::test]
async fn forged_doubled_and_malformed_votes_and_texts_are_refused() {
    let app = test_app().await;
    let deal = negotiated_deal(&app).await;
    let outcome: Outcome = [
        ("pause-days", "4"),
        ("extension-max", "10"),
        ("aid-trucks", "200"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let problem = |r: &Reply| (r.status, r.body["kind"].as_str().unwrap_or("").to_owned());

    // Texts: only the mediator; every issue once, with one of its options.
    let mut missing = outcome.clone();
    missing.remove("aid-trucks");
    let r = post_text(&app, &deal, 1, &missing, None).await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-text".to_owned())
    );
    assert!(
        r.body["detail"].as_str().unwrap().contains("`aid-trucks`"),
        "{}",
        r.text
    );
    let mut wrong = outcome.clone();
    wrong.insert("pause-days".to_owned(), "9".to_owned());
    let r = post_text(&app, &deal, 1, &wrong, None).await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-text".to_owned())
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("`pause-days` is not one of its options (3, 4, 5, 6)"),
        "{}",
        r.text
    );
    let mut extra = outcome.clone();
    extra.insert("fuel".to_owned(), "1".to_owned());
    let r = post_text(&app, &deal, 1, &extra, None).await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-text".to_owned())
    );
    let r = post_text(&app, &deal, 2, &outcome, None).await;
    assert_eq!(
        problem(&r),
        (StatusCode::CONFLICT, "wrong-round".to_owned())
    );
    // Signed for another round, sent as round 1.
    let mut body: serde_json::Value =
        serde_json::from_str(&post_text_body(&deal, 7, &outcome, None)).expect("json");
    body["round"] = 1.into();
    let r = send(
        &app,
        request(
            "POST",
            &uri(&deal, ""),
            Some(deal.token("mediator")),
            Some(body.to_string()),
        ),
    )
    .await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-signature".to_owned())
    );
    let r = send(
        &app,
        request(
            "POST",
            &uri(&deal, ""),
            Some(deal.token("side-a")),
            Some(post_text_body(&deal, 1, &outcome, None)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Claimed as the algorithm's when it is not.
    let choice = AlgorithmChoice {
        mediator: "hill-climb".to_owned(),
        seed: 1,
        rounds: 20,
    };
    let next = send(
        &app,
        request(
            "POST",
            &uri(&deal, "/next"),
            Some(deal.token("mediator")),
            Some(serde_json::to_string(&choice).unwrap()),
        ),
    )
    .await;
    let proposed: Outcome = serde_json::from_value(next.body["outcome"].clone()).expect("proposed");
    let other: Outcome = if proposed == outcome {
        let mut o = outcome.clone();
        o.insert("aid-trucks".to_owned(), "300".to_owned());
        o
    } else {
        outcome.clone()
    };
    let r = post_text(&app, &deal, 1, &other, Some(&choice)).await;
    assert_eq!(
        problem(&r),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "not-the-algorithms-text".to_owned()
        )
    );
    let unknown = serde_json::json!({"mediator": "oracle", "seed": 1});
    let r = send(
        &app,
        request(
            "POST",
            &uri(&deal, "/next"),
            Some(deal.token("mediator")),
            Some(unknown.to_string()),
        ),
    )
    .await;
    assert_eq!(
        problem(&r),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-mediator".to_owned()
        )
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("one of hill-climb, annealing, feedback"),
        "{}",
        r.text
    );
    // MOPaC needs the parties' own offers: it cannot be stepped from votes.
    let mopac = serde_json::json!({"mediator": "mopac", "seed": 1});
    let r = send(
        &app,
        request(
            "POST",
            &uri(&deal, "/next"),
            Some(deal.token("mediator")),
            Some(mopac.to_string()),
        ),
    )
    .await;
    assert_eq!(
        problem(&r),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-mediator".to_owned()
        )
    );
    let r = send(
        &app,
        request(
            "POST",
            &uri(&deal, "/next"),
            Some(deal.token("monitor")),
            Some(serde_json::to_string(&choice).unwrap()),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // A person's text, then the votes.
    let r = post_text(&app, &deal, 1, &outcome, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let hash = truce_ledger::text_hash(&deal.id, 1, &outcome);
    // Forged: side-a signs, side-b's token sends (the service checks the
    // signature against side-b's key).
    let r = vote(&app, &deal, 1, &hash, true, "side-a", "side-b").await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-signature".to_owned())
    );
    // The mediator cannot vote for a side, nor sign one's vote.
    let r = vote(&app, &deal, 1, &hash, true, "mediator", "mediator").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = vote(&app, &deal, 1, &hash, true, "mediator", "side-a").await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-signature".to_owned())
    );
    // Signed "accept", sent as "reject".
    let signed = sign_vote(key_of(&deal.keys, "side-a"), &deal.id, 1, &hash, true);
    let body = serde_json::json!({"accept": false, "signature": signed.signature});
    let r = send(
        &app,
        request(
            "POST",
            &uri(&deal, "/1/votes"),
            Some(deal.token("side-a")),
            Some(body.to_string()),
        ),
    )
    .await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-signature".to_owned())
    );
    // A vote on another text's hash.
    let r = vote(
        &app,
        &deal,
        1,
        &Hash::of(b"another text"),
        true,
        "side-a",
        "side-a",
    )
    .await;
    assert_eq!(
        problem(&r),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad-signature".to_owned())
    );
    let r = vote(&app, &deal, 2, &hash, true, "side-a", "side-a").await;
    assert_eq!(
        problem(&r),
        (StatusCode::NOT_FOUND, "no-such-text".to_owned())
    );
    let r = vote(&app, &deal, 1, &hash, true, "monitor", "monitor").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The real vote, once; a second is refused.
    let r = vote(&app, &deal, 1, &hash, false, "side-a", "side-a").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["closed"], false);
    let r = vote(&app, &deal, 1, &hash, true, "side-a", "side-a").await;
    assert_eq!(
        problem(&r),
        (StatusCode::CONFLICT, "already-voted".to_owned())
    );
    // side-b does not read side-a's vote; the observer reads none.
    let (b, json) = texts_as(&app, &deal, "side-b").await;
    assert_eq!(b.texts[0].votes.as_ref().map(Vec::len), Some(0));
    assert!(!json.contains(r#""party":"side-a""#), "{json}");
    let (_, json) = texts_as(&app, &deal, "monitor").await;
    assert_no_votes(&json);
    let r = vote(&app, &deal, 1, &hash, true, "side-b", "side-b").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["closed"], true);
    assert_eq!(r.body["accepted"], false);
    // Rejected by one side: no agreed text, and a deal-agreed on any other
    // hash than the stored deal's is refused.
    let (m, _) = texts_as(&app, &deal, "mediator").await;
    assert!(m.agreed.is_none());
    assert_eq!(m.next_round, 2);
    assert!(!m.open);
}

#[tokio::test]
async fn a_deal_without_open_issues_takes_no_text() {
    let app = test_app().await;
    let deal = create_deal(&app, 1).await;
    let outcome: Outcome = BTreeMap::from([("pause-days".to_owned(), "4".to_owned())]);
    let r = post_text(&app, &deal, 1, &outcome, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["kind"], "no-open-issues");
}
