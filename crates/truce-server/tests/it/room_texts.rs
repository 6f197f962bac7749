//! Single text with people in the room (`/room/texts`), over HTTP: each
//! role's page holds what the API shows that role (an observer's,
//! guarantor's and intermediary's no vote, in the page or on its stream),
//! texts and votes signed as the page signs them are posted through the
//! session (refused without the CSRF token), the agreed text's resolved
//! deal is what the overview asks the sides to sign and what `deal-agreed`
//! records; and flow and list events read in the timeline and the overview.

use axum::http::StatusCode;
use tower::ServiceExt;
use truce_ledger::{Event, Hash, Outcome};

use crate::room::{attribute, call, export_len, get, json_post, next_frame, sign_in, unescape};
use crate::support::*;
use crate::texts::negotiated_deal;

fn outcome(days: &str) -> Outcome {
    [
        ("pause-days", days),
        ("extension-max", "10"),
        ("aid-trucks", "200"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// What only the mediator and the sides may read: a vote or its result.
const VOTE_MARKS: [&str; 6] = [
    "data-accept",
    "class=\"votes",
    "class=\"vote",
    "accepted by every side",
    "Your vote",
    "agreed-h",
];

#[tokio::test]
async fn each_role_sees_the_texts_as_the_api_shows_them_and_sides_vote_in_the_room() {
    let app = test_app().await;
    let deal = negotiated_deal(&app).await;
    // `deal-created` now; `negotiation-started` later, as the event the
    // observer's stream must see before any vote.
    let (author, created) = to_active(&deal).remove(0);
    record(&app, &deal, author, created).await;
    let (med, med_csrf, _) = sign_in(&app, deal.token("mediator"), false).await;
    let (a, a_csrf, _) = sign_in(&app, deal.token("side-a"), false).await;
    let (b, b_csrf, _) = sign_in(&app, deal.token("side-b"), false).await;
    let mut others = Vec::new();
    for who in ["monitor", "guarantor", "relief"] {
        let (cookie, csrf, _) = sign_in(&app, deal.token(who), false).await;
        others.push((who, cookie, csrf));
    }

    // The mediator's page offers text 1, one select per open issue.
    let page = call(&app, get("/room/texts", &med)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("class=\"sign text\" data-round=\"1\""),
        "{}",
        page.text
    );
    for issue in ["pause-days", "extension-max", "aid-trucks"] {
        assert!(
            page.text.contains(&format!("data-issue=\"{issue}\"")),
            "{issue}"
        );
    }
    // No side or other role is offered a text form.
    let side_page = call(&app, get("/room/texts", &a)).await;
    assert!(!side_page.text.contains("class=\"sign text\""));

    // Text 1, signed as the page signs it, through the session: refused
    // without the CSRF token, or from a side; kept from the mediator.
    let text = outcome("4");
    let sig = truce_ledger::sign_text(key_of(&deal.keys, "mediator"), &deal.id, 1, &text).signature;
    let body = serde_json::json!({"round": 1, "outcome": text, "signature": sig}).to_string();
    let no_csrf = call(&app, json_post("/room/text", &med, "", body.clone())).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{}", no_csrf.text);
    assert!(no_csrf.text.contains("CSRF"), "{}", no_csrf.text);
    let wrong_csrf = call(&app, json_post("/room/text", &med, &a_csrf, body.clone())).await;
    assert_eq!(wrong_csrf.status, StatusCode::FORBIDDEN);
    let by_side = call(&app, json_post("/room/text", &a, &a_csrf, body.clone())).await;
    assert_eq!(by_side.status, StatusCode::FORBIDDEN, "{}", by_side.text);
    let kept = call(&app, json_post("/room/text", &med, &med_csrf, body)).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let hash = truce_ledger::text_hash(&deal.id, 1, &text);

    // Every role sees the text; the sides are offered a vote naming its hash.
    for cookie in [&med, &a, &b]
        .into_iter()
        .chain(others.iter().map(|o| &o.1))
    {
        let page = call(&app, get("/room/texts", cookie)).await;
        assert!(page.text.contains(&hash.to_string()), "the text's hash");
        assert!(page.text.contains("waiting for votes"));
    }
    let side_page = call(&app, get("/room/texts", &a)).await;
    assert_eq!(
        attribute(&side_page.text, "data-text"),
        Some(hash.to_string())
    );
    assert_eq!(
        attribute(&side_page.text, "data-deal"),
        Some(deal.id.to_string())
    );

    // The mediator's stream and the observer's, live before the votes.
    let head = export_len(&app, &med).await;
    let open_stream = async |cookie: &str| {
        let response = app
            .clone()
            .oneshot(get(&format!("/room/stream?after={head}"), cookie))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        let mut body = response.into_body();
        let mut read = String::new();
        while !read.contains(": live") {
            read += &next_frame(&mut body).await;
        }
        body
    };
    let mut med_stream = open_stream(&med).await;
    let mut observer_stream = open_stream(&others[0].1).await;

    // side-a votes through the session: CSRF checked, an observer refused.
    let vote_body = |side: &str, accept: bool| {
        let sig =
            truce_ledger::sign_vote(key_of(&deal.keys, side), &deal.id, 1, &hash, accept).signature;
        serde_json::json!({"accept": accept, "signature": sig}).to_string()
    };
    let no_csrf = call(
        &app,
        json_post("/room/text/1/votes", &a, "", vote_body("side-a", true)),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{}", no_csrf.text);
    let (_, obs, obs_csrf) = &others[0];
    let by_observer = call(
        &app,
        json_post(
            "/room/text/1/votes",
            obs,
            obs_csrf,
            vote_body("side-a", true),
        ),
    )
    .await;
    assert_eq!(
        by_observer.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_observer.text
    );
    let voted = call(
        &app,
        json_post("/room/text/1/votes", &a, &a_csrf, vote_body("side-a", true)),
    )
    .await;
    assert_eq!(voted.status, StatusCode::CREATED, "{}", voted.text);

    // The mediator's page hears of it live; the observer's stream does not
    // (an event recorded after the vote reaches it first: the stream sends
    // whatever was kept before an event ahead of that event).
    let mut heard = String::new();
    while !heard.contains("event: signed") {
        heard += &next_frame(&mut med_stream).await;
    }
    record(&app, &deal, "mediator", Event::NegotiationStarted {}).await;
    let mut seen = String::new();
    while !seen.contains("event: appended") {
        seen += &next_frame(&mut observer_stream).await;
    }
    assert!(
        !seen.contains("event: signed"),
        "a vote reached the observer: {seen}"
    );
    for word in ["accept", "vote"] {
        assert!(
            !seen.contains(word),
            "{word} on the observer's stream: {seen}"
        );
    }

    // The mediator sees side-a's vote; side-b sees none of it; the others
    // see no vote, in the page or in the API the page mirrors.
    let page = call(&app, get("/room/texts", &med)).await;
    assert!(
        page.text
            .contains("data-party=\"side-a\" data-accept=\"true\""),
        "{}",
        page.text
    );
    let page = call(&app, get("/room/texts", &b)).await;
    assert!(
        !page.text.contains("data-party=\"side-a\""),
        "side-a's vote on side-b's page"
    );
    assert!(
        page.text.contains("class=\"sign vote\""),
        "side-b still votes"
    );
    let page = call(&app, get("/room/texts", &a)).await;
    assert!(
        page.text
            .contains("data-party=\"side-a\" data-accept=\"true\""),
        "its own vote"
    );
    assert!(
        !page.text.contains("class=\"sign vote\""),
        "a vote is cast once"
    );
    for (who, cookie, _) in &others {
        let page = call(&app, get("/room/texts", cookie)).await;
        for mark in VOTE_MARKS {
            assert!(!page.text.contains(mark), "{mark} on {who}'s page");
        }
        assert!(
            !page.text.contains("class=\"sign "),
            "{who} is offered no form"
        );
    }

    // side-b's vote closes the round: now the observer is told (a closed
    // round is public), and sees "round closed", still no vote.
    let voted = call(
        &app,
        json_post("/room/text/1/votes", &b, &b_csrf, vote_body("side-b", true)),
    )
    .await;
    assert_eq!(voted.status, StatusCode::CREATED, "{}", voted.text);
    let mut seen = String::new();
    while !seen.contains("event: signed") {
        seen += &next_frame(&mut observer_stream).await;
    }
    for (who, cookie, _) in &others {
        let page = call(&app, get("/room/texts", cookie)).await;
        assert!(page.text.contains("round closed"), "{who}");
        for mark in VOTE_MARKS {
            assert!(!page.text.contains(mark), "{mark} on {who}'s page");
        }
    }

    // The agreed text: the sides sign the deal resolved to it, which the
    // API names (the stored draft's hash is no longer offered).
    let api = send(
        &app,
        request(
            "GET",
            &format!("/api/v1/deals/{}/texts", deal.id),
            Some(deal.token("side-a")),
            None,
        ),
    )
    .await;
    let resolved: Hash =
        serde_json::from_value(api.body["agreed"]["deal_hash"].clone()).expect("agreed");
    assert_ne!(resolved, deal.deal_hash);
    let page = call(&app, get("/room/texts", &a)).await;
    assert!(
        page.text.contains(&resolved.to_string()),
        "the texts page names the resolved hash"
    );
    let overview = call(&app, get("/room/overview", &a)).await;
    let stmt: serde_json::Value =
        serde_json::from_str(&attribute(&overview.text, "data-statement").expect("sign form"))
            .unwrap();
    assert_eq!(stmt["deal_hash"], resolved.to_string());
    assert!(
        overview.text.contains("data-round=\"1\""),
        "the overview names the text"
    );
    assert!(
        !overview.text.contains(&deal.deal_hash.to_string()),
        "not the draft's hash"
    );
    for (side, cookie, csrf) in [("side-a", &a, &a_csrf), ("side-b", &b, &b_csrf)] {
        let sig =
            truce_ledger::sign_agreement(key_of(&deal.keys, side), &deal.id, &resolved).signature;
        let body = serde_json::json!({"deal_hash": resolved, "signature": sig}).to_string();
        let kept = call(
            &app,
            json_post("/room/agreement-signatures", cookie, csrf, body),
        )
        .await;
        assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    }
    let page = call(&app, get("/room/overview", &med)).await;
    let event: serde_json::Value = page
        .text
        .split("data-event=\"")
        .skip(1)
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&unescape(r.split('"').next().unwrap()))
                .unwrap()
        })
        .find(|e| e["type"] == "deal-agreed")
        .expect("the record form");
    assert_eq!(event["deal_hash"], resolved.to_string());
    let event: Event = serde_json::from_value(event).expect("a deal-agreed event");
    let ev = sign_next(&app, &deal, "mediator", event).await;
    let recorded = call(
        &app,
        json_post("/room/events", &med, &med_csrf, ev.to_line().unwrap()),
    )
    .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);
    assert_eq!(state(&app, &deal).await.phase, "agreed");
    let page = call(&app, get("/room/texts", &med)).await;
    assert!(page.text.contains("its texts are closed"));
    assert!(
        !page.text.contains("class=\"sign text\""),
        "no text after the agreement"
    );
}

/// Two servers on one database (an SQLite file, or PostgreSQL): the vote
/// that closes a round, cast through one, reaches an observer's open page
/// on the other at once (a closed round is public), not at the next event;
/// the vote that left the round open never reaches it.
#[tokio::test]
async fn a_closing_vote_on_one_server_reaches_an_observer_on_another() {
    let url = database_url();
    let (here, there) = (app_on(&url).await, app_on(&url).await);
    let deal = negotiated_deal(&there).await;
    let (author, created) = to_active(&deal).remove(0);
    record(&there, &deal, author, created).await;
    let (observer, _, _) = sign_in(&here, deal.token("monitor"), false).await;
    let head = export_len(&here, &observer).await;
    let response = here
        .clone()
        .oneshot(get(&format!("/room/stream?after={head}"), &observer))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.into_body();
    let mut read = String::new();
    while !read.contains(": live") {
        read += &next_frame(&mut stream).await;
    }

    let text = outcome("5");
    let sig = truce_ledger::sign_text(key_of(&deal.keys, "mediator"), &deal.id, 1, &text).signature;
    let posted = send(
        &there,
        request(
            "POST",
            &format!("/api/v1/deals/{}/texts", deal.id),
            Some(deal.token("mediator")),
            Some(serde_json::json!({"round": 1, "outcome": text, "signature": sig}).to_string()),
        ),
    )
    .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
    let hash = truce_ledger::text_hash(&deal.id, 1, &text);

    // The text is news for every party: wait for it, so what follows is
    // the votes' news alone.
    let mut seen = String::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !seen.contains("event: signed") {
            seen += &next_frame(&mut stream).await;
        }
    })
    .await
    .expect("the text reaches the observer's page on the other server");

    // Both votes through the other server; the second closes the round.
    // (The stream's keep-alive comments come every 15 s: the bound is on
    // the whole wait, not an assertion on speed.)
    for side in ["side-a", "side-b"] {
        let reply = crate::texts::vote(&there, &deal, 1, &hash, true, side, side).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    let mut seen = String::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !seen.contains("event: signed") {
            seen += &next_frame(&mut stream).await;
        }
    })
    .await
    .expect("the closed round reaches the observer's page on the other server");
    for word in ["accept", "vote"] {
        assert!(!seen.contains(word), "{word} on the observer's stream");
    }
    let page = call(&here, get("/room/texts", &observer)).await;
    assert!(page.text.contains("round closed"), "{}", page.text);
    for mark in VOTE_MARKS {
        assert!(!page.text.contains(mark), "{mark} on the observer's page");
    }
}

#[tokio::test]
async fn the_texts_page_and_its_forms_in_arabic_and_hebrew_keep_ids_left_to_right() {
    let app = test_app().await;
    let deal = negotiated_deal(&app).await;
    let (med, _, _) = sign_in(&app, deal.token("mediator"), false).await;
    for (lang, dir) in [("ar", "rtl"), ("he", "rtl"), ("en", "ltr")] {
        let page = call(&app, get(&format!("/room/texts?lang={lang}"), &med)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text
                .contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\"")),
            "{lang}"
        );
        assert!(
            page.text
                .contains("<bdi class=\"ltr\" dir=\"ltr\">pause-days</bdi>"),
            "{lang}"
        );
    }
}

/// The test deal with 200 aid trucks a day through `relief` (side-a lets
/// them in) and lists the night before each release day.
async fn deal_with_flows(app: &axum::Router) -> TestDeal {
    let id = unique("deal");
    let mut body = create_body(&id, 2);
    body["deal"]["flows"] = serde_json::json!([{
        "id": "aid-trucks", "unit": "truck", "by": "side-a", "min_per_day": 200,
        "max_per_day": null, "via": "relief"
    }]);
    body["deal"]["release"]["lists_night_before"] = true.into();
    let reply = send(
        app,
        request("POST", "/api/v1/deals", None, Some(body.to_string())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    TestDeal::from_created(serde_json::from_value(reply.body).expect("created"))
}

#[tokio::test]
async fn flows_and_lists_read_in_the_timeline_and_the_overview_for_every_role() {
    let app = test_app().await;
    let deal = deal_with_flows(&app).await;
    keep_plan(&app, &deal).await;
    let steps = to_active(&deal);
    for (author, event) in steps.iter().cloned() {
        record(&app, &deal, author, event).await;
    }
    let listed = [deal
        .person_key
        .pseudonym(&deal.id, &truce_ledger::PersonId::new("B-0001").unwrap())];
    let commitment = truce_ledger::list_commitment(&listed);
    let list = record(
        &app,
        &deal,
        "side-b",
        Event::ListsExchanged {
            commitment,
            count: 1,
            day: 2,
            to: party("side-a"),
        },
    )
    .await;
    record(
        &app,
        &deal,
        "side-a",
        Event::ListAcknowledged { list: list.seq },
    )
    .await;
    for (day, quantity) in [(1, 150), (2, 200)] {
        record(
            &app,
            &deal,
            "relief",
            Event::FlowRecorded {
                day,
                flow: "aid-trucks".into(),
                quantity,
            },
        )
        .await;
    }
    // The oracle: the service's own /state.
    let s = state(&app, &deal).await;
    assert_eq!(s.execution.flows[0].per_day, [150, 200]);
    for who in [
        "mediator",
        "side-a",
        "side-b",
        "relief",
        "guarantor",
        "monitor",
    ] {
        let (cookie, _, _) = sign_in(&app, deal.token(who), false).await;
        let page = call(&app, get("/room/timeline", &cookie)).await;
        let row = |kind: &str| {
            page.text
                .split(&format!("data-kind=\"{kind}\""))
                .nth(1)
                .and_then(|r| r.split("</li>").next())
                .unwrap_or_else(|| panic!("no {kind} row for {who}"))
                .to_owned()
        };
        let flow = row("flow-recorded");
        assert!(
            flow.contains(">aid-trucks</bdi>") && flow.contains(">200</bdi>"),
            "{who}: {flow}"
        );
        let lists = row("lists-exchanged");
        assert!(
            lists.contains(">side-a</bdi>") && lists.contains(">1</bdi> persons"),
            "{who}: {lists}"
        );
        assert!(
            !lists.contains(&commitment.to_string()),
            "the list's commitment is not shown"
        );
        assert!(
            !lists.contains("B-0001") && !lists.contains(&listed[0].to_string()),
            "never the list"
        );
        let ack = row("list-acknowledged");
        assert!(ack.contains(&format!("#{}", list.seq)), "{who}: {ack}");

        let page = call(&app, get("/room/overview", &cookie)).await;
        let table = page
            .text
            .split("data-flow=\"aid-trucks\"")
            .nth(1)
            .and_then(|r| r.split("</table>").next())
            .expect("the flow's table")
            .to_owned();
        for (day, q) in s.execution.flows[0].per_day.iter().enumerate() {
            let class = if *q >= u64::from(s.execution.flows[0].min_per_day) {
                "met"
            } else {
                "short"
            };
            let tr = format!(
                "<tr class=\"{class}\" data-day=\"{}\"><td class=\"num\"><bdi class=\"ltr\" dir=\"ltr\">{}</bdi></td><td class=\"num\"><bdi class=\"ltr\" dir=\"ltr\">{q}</bdi>",
                day + 1,
                day + 1
            );
            assert!(table.contains(&tr), "{who}: day {} in {table}", day + 1);
        }
        let lists = page
            .text
            .split("id=\"lists\"")
            .nth(1)
            .and_then(|r| r.split("</table>").next())
            .expect("the lists' table")
            .to_owned();
        assert!(
            lists.contains(&format!("data-seq=\"{}\"", list.seq)),
            "{who}"
        );
        assert!(
            lists.contains("acknowledged") && !lists.contains("not yet"),
            "{who}: {lists}"
        );
        assert!(!lists.contains("B-0001"), "never the list");
    }
}

/// The mediator's signed withdrawal as the page sends it.
fn withdrawal_body(deal: &TestDeal, round: u32, text: &Hash) -> String {
    let signed =
        truce_ledger::sign_withdrawal(key_of(&deal.keys, "mediator"), &deal.id, round, text);
    serde_json::json!({ "signature": signed.signature }).to_string()
}

/// Posts text `round` through the API as the mediator; its hash.
async fn api_text(app: &axum::Router, deal: &TestDeal, round: u32, text: &Outcome) -> Hash {
    let sig =
        truce_ledger::sign_text(key_of(&deal.keys, "mediator"), &deal.id, round, text).signature;
    let posted = send(
        app,
        request(
            "POST",
            &format!("/api/v1/deals/{}/texts", deal.id),
            Some(deal.token("mediator")),
            Some(
                serde_json::json!({"round": round, "outcome": text, "signature": sig}).to_string(),
            ),
        ),
    )
    .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
    truce_ledger::text_hash(&deal.id, round, text)
}

/// The mediator withdraws an open text from its page (session and CSRF
/// token, signed as the page signs it; never a side); every role's page
/// then labels the round withdrawn, the vote cast before it stays where it
/// was shown, no side is offered a vote on it, and the mediator is offered
/// the next text.
#[tokio::test]
async fn the_mediator_withdraws_a_text_in_the_room_and_every_role_sees_it_withdrawn() {
    let app = test_app().await;
    let deal = negotiated_deal(&app).await;
    let (med, med_csrf, _) = sign_in(&app, deal.token("mediator"), false).await;
    let (a, a_csrf, _) = sign_in(&app, deal.token("side-a"), false).await;
    let (b, _, _) = sign_in(&app, deal.token("side-b"), false).await;
    let (obs, _, _) = sign_in(&app, deal.token("monitor"), false).await;
    let text = outcome("6");
    let hash = api_text(&app, &deal, 1, &text).await;
    let reply = crate::texts::vote(&app, &deal, 1, &hash, true, "side-a", "side-a").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);

    // Only the mediator's page offers the withdrawal, naming the text.
    let page = call(&app, get("/room/texts", &med)).await;
    assert!(
        page.text.contains(&format!(
            r#"class="sign withdraw" data-round="1" data-text="{hash}""#
        )),
        "{}",
        page.text
    );
    assert!(page.text.contains("withdraw this text"), "{}", page.text);
    for who in [&a, &b, &obs] {
        let page = call(&app, get("/room/texts", who)).await;
        assert!(!page.text.contains("sign withdraw"), "{}", page.text);
    }

    let body = withdrawal_body(&deal, 1, &hash);
    let no_csrf = call(
        &app,
        json_post("/room/text/1/withdraw", &med, "", body.clone()),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{}", no_csrf.text);
    assert!(no_csrf.text.contains("CSRF"), "{}", no_csrf.text);
    let by_side = call(
        &app,
        json_post("/room/text/1/withdraw", &a, &a_csrf, body.clone()),
    )
    .await;
    assert_eq!(by_side.status, StatusCode::FORBIDDEN, "{}", by_side.text);
    let kept = call(
        &app,
        json_post("/room/text/1/withdraw", &med, &med_csrf, body),
    )
    .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);

    for (who, cookie) in [
        ("mediator", &med),
        ("side-a", &a),
        ("side-b", &b),
        ("monitor", &obs),
    ] {
        for (lang, label) in [
            ("en", "withdrawn by the mediator"),
            ("ar", "سحبه الوسيط"),
            ("he", "נמשך על ידי המתווך"),
        ] {
            let page = call(&app, get(&format!("/room/texts?lang={lang}"), cookie)).await;
            assert!(
                page.text
                    .contains(r#"data-round="1" data-closed="false" data-withdrawn="true""#),
                "{who} {lang}: {}",
                page.text
            );
            assert!(page.text.contains(label), "{who} {lang}: {}", page.text);
            assert!(!page.text.contains("sign withdraw"), "{who} {lang}");
            assert!(!page.text.contains("sign vote"), "{who} {lang}");
        }
    }
    let page = call(&app, get("/room/texts", &med)).await;
    assert!(page.text.contains(r#"class="sign text" data-round="2""#));
    assert!(
        page.text
            .contains(r#"data-party="side-a" data-accept="true""#)
    );
    let page = call(&app, get("/room/texts", &a)).await;
    assert!(
        page.text
            .contains(r#"data-party="side-a" data-accept="true""#)
    );
    let page = call(&app, get("/room/texts", &obs)).await;
    for mark in VOTE_MARKS {
        assert!(!page.text.contains(mark), "{mark} on the observer's page");
    }
}

/// Two servers on one database: a withdrawal through one reaches an
/// observer's open page on the other at once (a withdrawn round is public
/// news), and the page then labels the round withdrawn.
#[tokio::test]
async fn a_withdrawal_on_one_server_reaches_an_observer_on_another() {
    let url = database_url();
    let (here, there) = (app_on(&url).await, app_on(&url).await);
    let deal = negotiated_deal(&there).await;
    let (author, created) = to_active(&deal).remove(0);
    record(&there, &deal, author, created).await;
    let (observer, _, _) = sign_in(&here, deal.token("monitor"), false).await;
    let head = export_len(&here, &observer).await;
    let response = here
        .clone()
        .oneshot(get(&format!("/room/stream?after={head}"), &observer))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.into_body();
    let mut read = String::new();
    while !read.contains(": live") {
        read += &next_frame(&mut stream).await;
    }
    let text = outcome("4");
    let hash = api_text(&there, &deal, 1, &text).await;
    // The text's news first, so what follows is the withdrawal's alone.
    // (Bounds on the waits, not assertions on speed.)
    let mut seen = String::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !seen.contains("event: signed") {
            seen += &next_frame(&mut stream).await;
        }
    })
    .await
    .expect("the text reaches the observer's page on the other server");
    let withdrawn = send(
        &there,
        request(
            "POST",
            &format!("/api/v1/deals/{}/texts/1/withdraw", deal.id),
            Some(deal.token("mediator")),
            Some(withdrawal_body(&deal, 1, &hash)),
        ),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::CREATED, "{}", withdrawn.text);
    let mut seen = String::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !seen.contains("event: signed") {
            seen += &next_frame(&mut stream).await;
        }
    })
    .await
    .expect("the withdrawal reaches the observer's page on the other server");
    let page = call(&here, get("/room/texts", &observer)).await;
    assert!(
        page.text
            .contains(r#"data-round="1" data-closed="false" data-withdrawn="true""#),
        "{}",
        page.text
    );
}
