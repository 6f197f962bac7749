//! The room over HTTP (`app().oneshot`): the session cookie's flags, CSRF
//! refusals, the Content-Security-Policy, the token never in a URL or a
//! page, what each role's pages hold (an observer's: no roster id), and an
//! event signed as the page signs it, appended through the session; the
//! agreement and an amendment signed by the sides and recorded by the
//! mediator through the room.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use truce_ledger::Event;

use crate::support::*;

pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

pub(crate) async fn call(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub(crate) fn get(uri: &str, cookies: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .expect("request")
}

fn form(uri: &str, cookies: &str, body: String, tls: bool) -> Request<Body> {
    let mut r = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if tls {
        r = r.header("x-forwarded-proto", "https");
    }
    r.body(Body::from(body)).expect("request")
}

fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect()
}

/// The value `name=` sets, from a `Set-Cookie` list.
fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        c.strip_prefix(&format!("{name}="))
            .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
    })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sign in through the form: (session cookie header, the page's CSRF
/// token, every `Set-Cookie` of the sign-in answer).
pub(crate) async fn sign_in(app: &Router, token: &str, tls: bool) -> (String, String, Vec<String>) {
    let page = call(app, get("/room/signin", "")).await;
    assert_eq!(page.status, StatusCode::OK);
    let pre = cookie_value(&set_cookies(&page.headers), "truce_signin").expect("signin cookie");
    assert!(
        page.text.contains(&format!("value=\"{pre}\"")),
        "the form repeats the cookie"
    );
    let answer = call(
        app,
        form(
            "/room/signin",
            &format!("truce_signin={pre}"),
            format!("csrf={pre}&token={}", urlencode(token)),
            tls,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
    let location = answer.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(location, "/room/overview");
    let cookies = set_cookies(&answer.headers);
    let session = cookie_value(&cookies, "truce_session").expect("session cookie");
    let cookie = format!("truce_session={session}");
    let overview = call(app, get("/room/overview", &cookie)).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.text);
    let csrf = overview
        .text
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("csrf meta")
        .to_owned();
    (cookie, csrf, cookies)
}

async fn active_deal() -> (Router, TestDeal) {
    let app = test_app().await;
    let deal = create_deal(&app, 3).await;
    activate(&app, &deal).await;
    record(
        &app,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    (app, deal)
}

#[tokio::test]
async fn the_session_cookie_is_httponly_strict_and_secure_over_tls() {
    let (app, deal) = active_deal().await;
    let (_, _, plain) = sign_in(&app, deal.token("mediator"), false).await;
    let session = plain
        .iter()
        .find(|c| c.starts_with("truce_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(flag), "{session}");
    }
    assert!(!session.contains("Secure"), "no TLS, no Secure: {session}");
    let (_, _, tls) = sign_in(&app, deal.token("mediator"), true).await;
    let session = tls
        .iter()
        .find(|c| c.starts_with("truce_session="))
        .unwrap();
    assert!(session.contains("; Secure"), "{session}");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
}

#[tokio::test]
async fn every_room_answer_has_a_strict_csp_without_inline_script() {
    let (app, deal) = active_deal().await;
    let (cookie, _, _) = sign_in(&app, deal.token("mediator"), false).await;
    for uri in [
        "/room/signin",
        "/room/overview",
        "/room/plan",
        "/room/timeline",
        "/room/persons",
        "/room/manifest",
        "/room/ledger",
        "/room/assets/room.js",
    ] {
        let a = call(&app, get(uri, &cookie)).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        assert!(directives.contains(&"script-src 'self'"), "{uri}: {csp}");
        assert!(directives.contains(&"default-src 'none'"), "{uri}: {csp}");
        assert!(
            directives.contains(&"frame-ancestors 'none'"),
            "{uri}: {csp}"
        );
        assert!(!csp.contains("unsafe"), "{uri}: {csp}");
        assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        if uri.ends_with(".js") {
            continue;
        }
        // No inline script, no inline handler, no inline style.
        let lower = a.text.to_lowercase();
        assert_eq!(lower.matches("<script").count(), 1, "{uri}");
        assert!(
            lower.contains("<script src=\"/room/assets/room.js\""),
            "{uri}"
        );
        for inline in [
            " onclick=",
            " onload=",
            " onsubmit=",
            " style=",
            "<style",
            "javascript:",
        ] {
            assert!(!lower.contains(inline), "{uri} has {inline}");
        }
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let (app, deal) = active_deal().await;
    // Sign-in: the form must repeat its cookie.
    let page = call(&app, get("/room/signin", "")).await;
    let pre = cookie_value(&set_cookies(&page.headers), "truce_signin").unwrap();
    let token = urlencode(deal.token("mediator"));
    for (cookie, body) in [
        (String::new(), format!("csrf={pre}&token={token}")),
        (format!("truce_signin={pre}"), format!("token={token}")),
        (
            format!("truce_signin={pre}"),
            // The cookie's value with its first digit changed.
            format!(
                "csrf={}{}&token={token}",
                if pre.starts_with('0') { '1' } else { '0' },
                &pre[1..]
            ),
        ),
    ] {
        let a = call(&app, form("/room/signin", &cookie, body, false)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert!(cookie_value(&set_cookies(&a.headers), "truce_session").is_none());
    }
    let (cookie, csrf, _) = sign_in(&app, deal.token("side-b"), false).await;
    // Sign-out.
    let a = call(
        &app,
        form("/room/signout", &cookie, "csrf=nope".to_owned(), false),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // An event: right session, missing or wrong header.
    let ev = sign_next(
        &app,
        &deal,
        "side-b",
        Event::HandoverConfirmed { handover: 6 },
    )
    .await;
    for header_value in [None, Some("0".repeat(64))] {
        let mut r = Request::builder()
            .method("POST")
            .uri("/room/events")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(h) = &header_value {
            r = r.header("x-csrf-token", h);
        }
        let a = call(&app, r.body(Body::from(ev.to_line().unwrap())).unwrap()).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert!(a.text.contains("CSRF"), "{}", a.text);
    }
    // Nothing was appended.
    assert_eq!(state(&app, &deal).await.next_seq, ev.seq);
    // With the token, the same event goes in, verified as for the CLI.
    let a = call(
        &app,
        Request::builder()
            .method("POST")
            .uri("/room/events")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", &csrf)
            .body(Body::from(ev.to_line().unwrap()))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    // Signing out with the token ends the session.
    let a = call(
        &app,
        form("/room/signout", &cookie, format!("csrf={csrf}"), false),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = call(&app, get("/room/overview", &cookie)).await;
    assert_eq!(a.headers[header::LOCATION], "/room/signin");
}

#[tokio::test]
async fn a_refused_event_answers_the_services_reason() {
    let (app, deal) = active_deal().await;
    let (cookie, csrf, _) = sign_in(&app, deal.token("side-a"), false).await;
    // side-a is not the handover's receiver: the ledger's rule says so.
    let ev = sign_next(
        &app,
        &deal,
        "side-a",
        Event::HandoverConfirmed { handover: 6 },
    )
    .await;
    let a = call(
        &app,
        Request::builder()
            .method("POST")
            .uri("/room/events")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", &csrf)
            .body(Body::from(ev.to_line().unwrap()))
            .unwrap(),
    )
    .await;
    let api = post_event(&app, &deal, "side-a", &ev).await;
    assert_eq!(a.status, api.status, "the room answers as the API does");
    let problem: serde_json::Value = serde_json::from_str(&a.text).unwrap();
    assert_eq!(problem["detail"], api.body["detail"]);
    assert!(
        problem["detail"].as_str().unwrap().contains("side-b"),
        "{problem}"
    );
}

#[tokio::test]
async fn the_token_is_never_in_a_url_nor_in_a_page() {
    let (app, deal) = active_deal().await;
    let token = deal.token("mediator").to_owned();
    // A token in the query string signs no one in.
    let a = call(&app, get(&format!("/room/signin?token={token}"), "")).await;
    assert!(cookie_value(&set_cookies(&a.headers), "truce_session").is_none());
    let a = call(&app, get(&format!("/room/overview?token={token}"), "")).await;
    assert_eq!(a.headers[header::LOCATION], "/room/signin");
    // The sign-in answer redirects to a URL without it; no page shows it.
    let (cookie, _, cookies) = sign_in(&app, &token, false).await;
    assert!(cookies.iter().all(|c| !c.contains(&token)));
    for view in [
        "overview", "plan", "timeline", "texts", "persons", "manifest", "ledger",
    ] {
        let a = call(&app, get(&format!("/room/{view}"), &cookie)).await;
        assert!(!a.text.contains(&token), "{view}");
    }
    // The sign-in form posts the token: it is a password field, in a POST.
    let page = call(&app, get("/room/signin", "")).await;
    assert!(
        page.text
            .contains("method=\"post\" action=\"/room/signin\"")
    );
    assert!(page.text.contains("type=\"password\" name=\"token\""));
}

#[tokio::test]
async fn a_sign_in_code_works_once() {
    let (app, deal) = active_deal().await;
    let minted = send(
        &app,
        request(
            "POST",
            "/room/signin-codes",
            Some(deal.token("monitor")),
            None,
        ),
    )
    .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.text);
    let code = minted.body["code"].as_str().unwrap().to_owned();
    for expect in [StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED] {
        let page = call(&app, get("/room/signin", "")).await;
        let pre = cookie_value(&set_cookies(&page.headers), "truce_signin").unwrap();
        let a = call(
            &app,
            form(
                "/room/signin",
                &format!("truce_signin={pre}"),
                format!("csrf={pre}&code={code}"),
                false,
            ),
        )
        .await;
        assert_eq!(a.status, expect);
    }
    let none = send(&app, request("POST", "/room/signin-codes", None, None)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}

/// The roster ids of the test deal with 3 persons per side.
fn roster_ids() -> Vec<String> {
    deal_json(3)["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_role_sees_only_its_persons_and_observers_none() {
    let (app, deal) = active_deal().await;
    let ids = roster_ids();
    assert_eq!(ids.len(), 6);
    // role → (views it may open, the roster ids its pages may show).
    let cases: [(&str, bool, &[&str]); 6] = [
        (
            "mediator",
            true,
            &["A-0001", "A-0002", "A-0003", "B-0001", "B-0002", "B-0003"],
        ),
        ("side-a", true, &["A-0001", "A-0002", "A-0003"]),
        ("side-b", true, &["B-0001", "B-0002", "B-0003", "A-0001"]),
        // The intermediary: the persons it carried, and the planned ones
        // it is to carry (the test plan: A-0001 and B-0001).
        ("relief", true, &["A-0001", "B-0001"]),
        ("guarantor", false, &[]),
        ("monitor", false, &[]),
    ];
    for (party, persons_view, may_see) in cases {
        let (cookie, _, _) = sign_in(&app, deal.token(party), false).await;
        let mut all_text = String::new();
        for view in [
            "overview", "plan", "timeline", "texts", "persons", "manifest", "ledger",
        ] {
            let a = call(&app, get(&format!("/room/{view}"), &cookie)).await;
            let allowed = match view {
                "persons" => persons_view,
                "manifest" => matches!(party, "mediator" | "relief"),
                _ => true,
            };
            let expect = if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(a.status, expect, "{party} {view}");
            if allowed {
                let nav = a.text.contains("href=\"/room/persons\"");
                assert_eq!(nav, persons_view, "{party} {view}: nav");
            }
            all_text += &a.text;
        }
        // Whatever a party's script can fetch.
        for uri in ["/room/sign", "/room/keys.json", "/room/ledger.jsonl"] {
            let a = call(&app, get(uri, &cookie)).await;
            assert_eq!(a.status, StatusCode::OK, "{party} {uri}");
            all_text += &a.text;
        }
        for id in &ids {
            assert_eq!(
                all_text.contains(id.as_str()),
                may_see.contains(&id.as_str()),
                "{party}: {id}"
            );
        }
        let sign: serde_json::Value =
            serde_json::from_str(&call(&app, get("/room/sign", &cookie)).await.text).unwrap();
        assert_eq!(sign["person_key"].is_null(), !persons_view, "{party}");
    }
}

#[tokio::test]
async fn pages_follow_the_chosen_language_and_direction() {
    let (app, deal) = active_deal().await;
    let (cookie, _, _) = sign_in(&app, deal.token("mediator"), false).await;
    for (lang, dir) in [("en", "ltr"), ("ar", "rtl"), ("he", "rtl")] {
        let a = call(&app, get(&format!("/room/timeline?lang={lang}"), &cookie)).await;
        assert!(
            a.text
                .contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{lang}"
        );
        let set = set_cookies(&a.headers);
        assert_eq!(cookie_value(&set, "truce_lang").as_deref(), Some(lang));
        // Ids stay left to right inside right-to-left text.
        assert!(
            a.text
                .contains("<bdi class=\"ltr\" dir=\"ltr\">mediator</bdi>")
        );
    }
    let a = call(
        &app,
        get("/room/overview", &format!("{cookie}; truce_lang=he")),
    )
    .await;
    assert!(a.text.contains("dir=\"rtl\""));
    assert!(a.text.contains("סקירה"));
}

#[tokio::test]
async fn the_timeline_and_the_export_match_the_ledger() {
    let (app, deal) = active_deal().await;
    let (cookie, _, _) = sign_in(&app, deal.token("guarantor"), false).await;
    let page = call(&app, get("/room/timeline", &cookie)).await;
    let api = send(
        &app,
        request(
            "GET",
            &format!("/api/v1/deals/{}/ledger.jsonl", deal.id),
            Some(deal.token("guarantor")),
            None,
        ),
    )
    .await;
    let export = call(&app, get("/room/ledger.jsonl", &cookie)).await;
    assert_eq!(export.text, api.text);
    let seqs: Vec<u64> = page
        .text
        .split("data-seq=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().parse().unwrap())
        .collect();
    let lines = api.text.lines().count() as u64;
    assert_eq!(
        seqs,
        (1..=lines).rev().collect::<Vec<_>>(),
        "every event, newest first"
    );
}

/// The text of an HTML attribute as maud escapes it, read back.
pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of the first `name="…"` attribute in `html`.
pub(crate) fn attribute(html: &str, name: &str) -> Option<String> {
    html.split(&format!("{name}=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(unescape)
}

pub(crate) fn json_post(uri: &str, cookie: &str, csrf: &str, body: String) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", csrf)
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test]
async fn sides_sign_an_amendment_in_the_room_and_the_mediator_records_it() {
    let (app, deal) = active_deal().await;
    // The mediator keeps new terms: a four-day pause, extensions to 12.
    let mut amended = deal_json(3);
    amended["pause"]["days"] = 4.into();
    amended["pause"]["extension"]["max_days"] = 12.into();
    let kept = send(
        &app,
        request(
            "POST",
            &format!("/api/v1/deals/{}/amendments", deal.id),
            Some(deal.token("mediator")),
            Some(amended.to_string()),
        ),
    )
    .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let new_hash = kept.body["deal_hash"].as_str().unwrap().to_owned();
    assert_eq!(
        new_hash,
        truce_ledger::deal_hash(&amended).unwrap().to_string(),
        "the hash of the JSON sent"
    );
    let replaces = deal.deal_hash.to_string();

    // Who sees it: the mediator and the sides, with what changes; never
    // the guarantor or the observer; no person id in the section.
    let (med, med_csrf, _) = sign_in(&app, deal.token("mediator"), false).await;
    let page = call(&app, get("/room/overview", &med)).await;
    let section = page
        .text
        .split("id=\"amendments\"")
        .nth(1)
        .and_then(|r| r.split("</section>").next())
        .expect("the amendments section")
        .to_owned();
    assert!(section.contains(&new_hash) && section.contains(&replaces));
    assert!(section.contains("pause.days") && section.contains("pause.extension.max_days"));
    assert!(!section.contains("A-0001") && !section.contains("B-0001"));
    assert!(
        !section.contains("deal-amended"),
        "no record form before every side signed"
    );
    for role in ["guarantor", "monitor"] {
        let (c, _, _) = sign_in(&app, deal.token(role), false).await;
        let p = call(&app, get("/room/overview", &c)).await;
        assert!(!p.text.contains(&new_hash), "{role} sees no amendment");
    }

    // The form a side signs names exactly the bytes truce_ledger signs: the
    // domain tag, then its JSON with the keys sorted (serde_json's map).
    let (a_cookie, a_csrf, _) = sign_in(&app, deal.token("side-a"), false).await;
    let page = call(&app, get("/room/overview", &a_cookie)).await;
    let stmt: serde_json::Value =
        serde_json::from_str(&attribute(&page.text, "data-statement").expect("sign form")).unwrap();
    assert_eq!(
        attribute(&page.text, "data-domain").unwrap(),
        "truce/amendment/v1"
    );
    assert_eq!(stmt["amendment"], 1);
    assert_eq!(stmt["deal_hash"], new_hash.as_str());
    assert_eq!(stmt["replaces"], replaces.as_str());
    let page_bytes = [
        b"truce/amendment/v1\n".as_slice(),
        stmt.to_string().as_bytes(),
    ]
    .concat();
    let hash = truce_ledger::Hash::from_hex(&new_hash).unwrap();
    assert_eq!(
        page_bytes,
        truce_ledger::amendment_message(&deal.id, 1, &deal.deal_hash, &hash)
    );
    let sig_of = |side: &str, n: u32| {
        truce_ledger::sign_amendment(
            key_of(&deal.keys, side),
            &deal.id,
            n,
            &deal.deal_hash,
            &hash,
        )
        .signature
    };
    let body = |n: u32, sig: truce_ledger::Sig| {
        serde_json::json!({"amendment": n, "deal_hash": new_hash, "replaces": replaces, "signature": sig})
            .to_string()
    };
    let post = |cookie: &str, csrf: &str, b: String| {
        call(
            &app,
            json_post("/room/amendment-signatures", cookie, csrf, b),
        )
    };

    // Refused: no CSRF token; another side's signature; the wrong number;
    // a role that does not sign amendments.
    let a = post(&a_cookie, "", body(1, sig_of("side-a", 1))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    let (b_cookie, b_csrf, _) = sign_in(&app, deal.token("side-b"), false).await;
    let a = post(&b_cookie, &b_csrf, body(1, sig_of("side-a", 1))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.text.contains("bad-signature"), "{}", a.text);
    let a = post(&a_cookie, &a_csrf, body(2, sig_of("side-a", 2))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.text.contains("not-pending"), "{}", a.text);
    let a = post(&med, &med_csrf, body(1, sig_of("side-a", 1))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);

    // Both sides sign; the first is kept across page loads.
    let a = post(&a_cookie, &a_csrf, body(1, sig_of("side-a", 1))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let page = call(&app, get("/room/overview", &a_cookie)).await;
    assert!(
        attribute(&page.text, "data-amendment").is_none(),
        "signed once"
    );
    let page = call(&app, get("/room/overview", &med)).await;
    assert!(
        !page.text.contains("&quot;deal-amended&quot;"),
        "side-b still to sign"
    );
    let a = post(&b_cookie, &b_csrf, body(1, sig_of("side-b", 1))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);

    // The mediator's page now holds the event with both signatures; signed
    // and sent as the page does, the service records it.
    let page = call(&app, get("/room/overview", &med)).await;
    let event: serde_json::Value = page
        .text
        .split("data-event=\"")
        .skip(1)
        .map(|r| unescape(r.split('"').next().unwrap()))
        .map(|t| serde_json::from_str::<serde_json::Value>(&t).unwrap())
        .find(|e| e["type"] == "deal-amended")
        .expect("the record form");
    let mut event = event;
    event["reason"] = "Four days.".into();
    let event: Event = serde_json::from_value(event).expect("a deal-amended event");
    let ev = sign_next(&app, &deal, "mediator", event).await;
    let a = call(
        &app,
        json_post("/room/events", &med, &med_csrf, ev.to_line().unwrap()),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let page = call(&app, get("/room/overview", &med)).await;
    assert!(
        page.text.contains("id=\"amendments\" data-pending=\"0\""),
        "nothing pending now"
    );

    // The ledger verifies with the deal's public keys, amendment included.
    let export = call(&app, get("/room/ledger.jsonl", &med)).await;
    let keys = truce_ledger::KeyRing::of(&deal.keys).unwrap();
    let report = truce_ledger::verify_bytes(export.text.as_bytes(), &keys).expect("readable");
    assert!(report.intact, "{}", report.render_text());
    let last: serde_json::Value =
        serde_json::from_str(export.text.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"]["type"], "deal-amended");
    assert_eq!(last["event"]["deal_hash"], new_hash.as_str());
}

/// Keeps `terms` as an amendment through the API; returns the answer.
async fn keep_amendment(app: &Router, deal: &TestDeal, terms: &serde_json::Value) -> Reply {
    send(
        app,
        request(
            "POST",
            &format!("/api/v1/deals/{}/amendments", deal.id),
            Some(deal.token("mediator")),
            Some(terms.to_string()),
        ),
    )
    .await
}

/// Both sides sign amendment `n` (`replaces` → `to`); the mediator records it.
async fn amend(
    app: &Router,
    deal: &TestDeal,
    n: u32,
    replaces: truce_ledger::Hash,
    to: truce_ledger::Hash,
) {
    let signatures = ["side-a", "side-b"]
        .map(|s| truce_ledger::sign_amendment(key_of(&deal.keys, s), &deal.id, n, &replaces, &to))
        .to_vec();
    record(
        app,
        deal,
        "mediator",
        Event::DealAmended {
            amendment: n,
            deal_hash: to,
            reason: format!("Amendment {n}."),
            replaces,
            signatures,
        },
    )
    .await;
}

/// Terms an earlier amendment put in force can be agreed again: kept
/// again by the mediator, they are offered for signing as the next
/// amendment (the ledger allows any terms but those in force); the terms
/// in force are refused with a reason.
#[tokio::test]
async fn earlier_terms_kept_again_are_offered_for_signing_again() {
    let (app, deal) = active_deal().await;
    let terms = |days: u32| {
        let mut t = deal_json(3);
        t["pause"]["days"] = days.into();
        t
    };
    let (four, five) = (terms(4), terms(5));
    let hash = |t: &serde_json::Value| truce_ledger::deal_hash(t).unwrap();
    for t in [&four, &five] {
        let kept = keep_amendment(&app, &deal, t).await;
        assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    }
    amend(&app, &deal, 1, deal.deal_hash, hash(&four)).await;
    amend(&app, &deal, 2, hash(&four), hash(&five)).await;
    let (med, _, _) = sign_in(&app, deal.token("mediator"), false).await;
    let (side, _, _) = sign_in(&app, deal.token("side-a"), false).await;
    let page = call(&app, get("/room/overview", &med)).await;
    assert!(
        page.text.contains("id=\"amendments\" data-pending=\"0\""),
        "both recorded: nothing pending"
    );

    // The terms in force: refused, saying why.
    let same = keep_amendment(&app, &deal, &five).await;
    assert_eq!(
        same.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        same.text
    );
    assert_eq!(same.body["kind"], "amendment-unchanged");

    // Back to four days, which amendment 1 recorded: offered as amendment 3.
    let kept = keep_amendment(&app, &deal, &four).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    assert_eq!(kept.body["amendment"], 3);
    assert_eq!(kept.body["replaces"], hash(&five).to_string());
    let page = call(&app, get("/room/overview", &side)).await;
    let stmt: serde_json::Value =
        serde_json::from_str(&attribute(&page.text, "data-statement").expect("a sign form"))
            .unwrap();
    assert_eq!(stmt["amendment"], 3);
    assert_eq!(stmt["deal_hash"], hash(&four).to_string());
    assert_eq!(stmt["replaces"], hash(&five).to_string());
    let page = call(&app, get("/room/overview", &med)).await;
    assert!(
        page.text.contains("id=\"amendments\" data-pending=\"1\""),
        "four days pending, five (in force) not"
    );
    amend(&app, &deal, 3, hash(&five), hash(&four)).await;
    assert_eq!(state(&app, &deal).await.agreed_deal_hash, Some(hash(&four)));
    let page = call(&app, get("/room/overview", &med)).await;
    assert!(
        page.text.contains("id=\"amendments\" data-pending=\"0\""),
        "recorded again: nothing pending (five days was offered before amendment 2 recorded it)"
    );
}

#[tokio::test]
async fn sides_sign_the_agreement_in_the_room_and_the_mediator_records_it() {
    let app = test_app().await;
    let deal = create_deal(&app, 3).await;
    for (author, event) in to_active(&deal).into_iter().take(2) {
        record(&app, &deal, author, event).await;
    }
    let (med, med_csrf, _) = sign_in(&app, deal.token("mediator"), false).await;
    let (a_cookie, a_csrf, _) = sign_in(&app, deal.token("side-a"), false).await;
    let (b_cookie, b_csrf, _) = sign_in(&app, deal.token("side-b"), false).await;
    let page = call(&app, get("/room/overview", &a_cookie)).await;
    let stmt: serde_json::Value =
        serde_json::from_str(&attribute(&page.text, "data-statement").expect("sign form")).unwrap();
    let domain = attribute(&page.text, "data-domain").unwrap();
    let page_bytes = [domain.as_bytes(), b"\n", stmt.to_string().as_bytes()].concat();
    assert_eq!(
        page_bytes,
        truce_ledger::agreement_message(&deal.id, &deal.deal_hash),
        "the page signs truce_ledger's agreement bytes"
    );
    let sig_of = |side: &str| {
        truce_ledger::sign_agreement(key_of(&deal.keys, side), &deal.id, &deal.deal_hash).signature
    };
    let body = |sig: truce_ledger::Sig| {
        serde_json::json!({"deal_hash": deal.deal_hash, "signature": sig}).to_string()
    };
    let post = |cookie: &str, csrf: &str, b: String| {
        call(
            &app,
            json_post("/room/agreement-signatures", cookie, csrf, b),
        )
    };
    let a = post(&b_cookie, &b_csrf, body(sig_of("side-a"))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.text.contains("bad-signature"), "{}", a.text);
    let a = post(&a_cookie, &a_csrf, body(sig_of("side-a"))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let a = post(&b_cookie, &b_csrf, body(sig_of("side-b"))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);

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
    let event: Event = serde_json::from_value(event).expect("a deal-agreed event");
    let ev = sign_next(&app, &deal, "mediator", event).await;
    let a = call(
        &app,
        json_post("/room/events", &med, &med_csrf, ev.to_line().unwrap()),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(state(&app, &deal).await.phase, "agreed");
    let export = call(&app, get("/room/ledger.jsonl", &med)).await;
    let keys = truce_ledger::KeyRing::of(&deal.keys).unwrap();
    let report = truce_ledger::verify_bytes(export.text.as_bytes(), &keys).expect("readable");
    assert!(report.intact, "{}", report.render_text());
}

/// The test deal amended to a four-day pause (signed by both sides,
/// recorded by the mediator) and re-planned: day 1's side-a convoy was
/// carried out before. Returns the new plan's hash.
async fn amended_and_replanned(app: &Router, deal: &TestDeal) -> truce_ledger::Hash {
    let mut amended = deal_json(3);
    amended["pause"]["days"] = 4.into();
    let kept = send(
        app,
        request(
            "POST",
            &format!("/api/v1/deals/{}/amendments", deal.id),
            Some(deal.token("mediator")),
            Some(amended.to_string()),
        ),
    )
    .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let new_hash = truce_ledger::deal_hash(&amended).unwrap();
    let signatures = ["side-a", "side-b"]
        .map(|s| {
            truce_ledger::sign_amendment(
                key_of(&deal.keys, s),
                &deal.id,
                1,
                &deal.deal_hash,
                &new_hash,
            )
        })
        .to_vec();
    record(
        app,
        deal,
        "mediator",
        Event::DealAmended {
            amendment: 1,
            deal_hash: new_hash,
            reason: "Four days.".to_owned(),
            replaces: deal.deal_hash,
            signatures,
        },
    )
    .await;
    let plan = replanned_plan();
    let reply = send(
        app,
        request(
            "POST",
            &format!("/api/v1/deals/{}/plans", deal.id),
            Some(deal.token("mediator")),
            Some(plan.to_string()),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let plan_hash = truce_ledger::Hash::of_canonical(&plan).unwrap();
    record(
        app,
        deal,
        "mediator",
        Event::PlanAdopted { days: 4, plan_hash },
    )
    .await;
    plan_hash
}

/// The rows of the first `<table class="plan">` after `marker`: each row's
/// class attribute and its cells' text (tags dropped).
fn plan_rows(html: &str, marker: &str) -> Vec<(String, Vec<String>)> {
    let table = html
        .split(marker)
        .nth(1)
        .and_then(|r| r.split("<tbody>").nth(1))
        .and_then(|r| r.split("</tbody>").next())
        .expect("a plan table");
    table
        .split("<tr")
        .skip(1)
        .map(|row| {
            let class = row
                .split_once('>')
                .map(|(attrs, _)| attrs)
                .and_then(|a| a.split("class=\"").nth(1))
                .and_then(|r| r.split('"').next())
                .unwrap_or("")
                .to_owned();
            let cells = row
                .split("<td")
                .skip(1)
                .map(|cell| {
                    let body = cell.split_once('>').map_or("", |(_, b)| b);
                    let body = body.split("</td>").next().unwrap_or("");
                    let mut text = String::new();
                    let mut in_tag = false;
                    for ch in body.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    text.trim().to_owned()
                })
                .collect();
            (class, cells)
        })
        .collect()
}

#[tokio::test]
async fn the_plan_shows_the_replanned_days_after_an_amendment() {
    let (app, deal) = active_deal().await;
    let (cookie, _, _) = sign_in(&app, deal.token("mediator"), false).await;
    let before = call(&app, get("/room/plan", &cookie)).await;
    assert!(
        !before.text.contains("id=\"replans\""),
        "no re-plan before the amendment"
    );
    let plan_hash = amended_and_replanned(&app, &deal).await;
    let page = call(&app, get("/room/plan", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);

    // The plan in force: the re-planned plan's four convoys, in its order;
    // side-a's day-1 convoy carried out; day 2 re-planned (the first plan
    // had no day 2), day 1 as before.
    let rows = plan_rows(&page.text, "class=\"plan\"");
    let got: Vec<(u32, String, bool, bool)> = rows
        .iter()
        .map(|(class, cells)| {
            (
                cells[0].parse().expect("day"),
                cells[1].clone(),
                class.split(' ').any(|c| c == "done"),
                class.split(' ').any(|c| c == "replanned"),
            )
        })
        .collect();
    let plan = replanned_plan();
    let want: Vec<(u32, String, bool, bool)> = plan["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|stage| {
            let day = stage["day"].as_u64().unwrap() as u32;
            stage["handovers"].as_array().unwrap().iter().map(move |h| {
                let from = h["from"].as_str().unwrap().to_owned();
                // Carried: the one handover recorded (day 1, side-a).
                let carried = day == 1 && from == "side-a";
                // Re-planned: a day whose convoys differ from test_plan's.
                let first = test_plan();
                let same = first["stages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["day"] == stage["day"] && s["handovers"] == stage["handovers"]);
                (day, from, carried, !same)
            })
        })
        .collect();
    assert_eq!(got, want);

    // Which amendment and plan re-planned it, by hash and event seq.
    let replans = page
        .text
        .split("id=\"replans\"")
        .nth(1)
        .and_then(|r| r.split("</section>").next())
        .expect("the re-plans section");
    let ledger = call(&app, get("/room/ledger.jsonl", &cookie)).await;
    let events: Vec<serde_json::Value> = ledger
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seq_of = |kind: &str| {
        events
            .iter()
            .rev()
            .find(|e| e["event"]["type"] == kind)
            .map(|e| e["seq"].as_u64().unwrap())
            .unwrap()
    };
    assert!(replans.contains(&plan_hash.to_string()[..12]), "{replans}");
    assert!(
        replans.contains(&format!("#{}", seq_of("plan-adopted"))),
        "{replans}"
    );
    assert!(
        replans.contains(&format!("#{}", seq_of("deal-amended"))),
        "{replans}"
    );
    assert!(
        replans.contains(&crate::support::plan_hash().to_string()[..12]),
        "{replans}"
    );

    // The earlier plan's convoys, for comparison: test_plan's two.
    let earlier = plan_rows(&page.text, "class=\"earlier\"");
    let days: Vec<&str> = earlier.iter().map(|(_, c)| c[0].as_str()).collect();
    assert_eq!(days, ["1", "1"]);

    // An observer sees the same days and marks, and no person id.
    let (obs, _, _) = sign_in(&app, deal.token("monitor"), false).await;
    let seen = call(&app, get("/room/plan?lang=ar", &obs)).await;
    assert!(seen.text.contains("id=\"replans\""));
    for id in roster_ids() {
        assert!(!seen.text.contains(&id), "{id} in an observer's plan");
    }
}

/// The `href` of the first link with `rel="{rel}"`, if any.
fn link(html: &str, rel: &str) -> Option<String> {
    html.split("<a ")
        .skip(1)
        .map(|a| a.split('>').next().unwrap_or(""))
        .find(|a| a.contains(&format!("rel=\"{rel}\"")))
        .and_then(|a| attribute(a, "href"))
}

#[tokio::test]
async fn the_timeline_comes_in_pages_of_100_newest_first() {
    let (app, deal) = active_deal().await;
    for i in 0..200 {
        record(
            &app,
            &deal,
            "guarantor",
            Event::BreachReported {
                against: party("side-a"),
                summary: format!("report {i}"),
            },
        )
        .await;
    }
    let (cookie, _, _) = sign_in(&app, deal.token("monitor"), false).await;
    let export = call(&app, get("/room/ledger.jsonl", &cookie)).await;
    let head = export.text.lines().count() as u64;
    assert!(head > 200);

    // Follow the older links from the first page to the last.
    let mut uri = "/room/timeline".to_owned();
    let mut pages = Vec::new();
    loop {
        let page = call(&app, get(&uri, &cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.text);
        let seqs: Vec<u64> = page
            .text
            .split("data-seq=\"")
            .skip(1)
            .map(|r| r.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert!(seqs.len() <= 100, "{uri}: {} events", seqs.len());
        let first = pages.is_empty();
        // Only the first page follows the live stream.
        assert_eq!(page.text.contains("id=\"live-status\""), first, "{uri}");
        assert_eq!(page.text.contains("data-after="), first, "{uri}");
        let newer = link(&page.text, "prev");
        assert_eq!(newer.is_none(), first, "{uri}: a link to newer events");
        // Switching the language stays on this page.
        if let Some((_, query)) = uri.split_once('?') {
            assert!(
                page.text
                    .contains(&format!("href=\"?lang=ar&amp;{query}\"")),
                "{uri}: the language links keep the page"
            );
        }
        pages.push((uri.clone(), seqs, newer));
        match link(&page.text, "next") {
            Some(next) => uri = next,
            None => break,
        }
    }
    let all: Vec<u64> = pages.iter().flat_map(|(_, s, _)| s.clone()).collect();
    assert_eq!(
        all,
        (1..=head).rev().collect::<Vec<_>>(),
        "every event once, newest first"
    );
    assert_eq!(pages.len() as u64, head.div_ceil(100));
    // Each page's newer link leads to the page before it.
    for w in pages.windows(2) {
        assert_eq!(w[1].2.as_deref(), Some(w[0].0.as_str()));
    }
    // A page past the head is the first; a page before seq 1 is empty.
    let past = call(
        &app,
        get(&format!("/room/timeline?before={}", head + 50), &cookie),
    )
    .await;
    assert!(past.text.contains(&format!("data-seq=\"{head}\"")));
    let none = call(&app, get("/room/timeline?before=1", &cookie)).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(!none.text.contains("data-seq="));
}

#[tokio::test]
async fn every_event_kind_has_a_name_in_every_language() {
    // A missing message shows as its key: a timeline with every kind the
    // room can hold in this deal (an amendment and a re-plan included)
    // names none by its key, in any language.
    let (app, deal) = active_deal().await;
    amended_and_replanned(&app, &deal).await;
    let (cookie, _, _) = sign_in(&app, deal.token("mediator"), false).await;
    for lang in ["en", "ar", "he"] {
        for view in ["timeline", "plan", "overview", "ledger"] {
            let page = call(&app, get(&format!("/room/{view}?lang={lang}"), &cookie)).await;
            for prefix in [
                "kind.",
                "plan.",
                "timeline.",
                "amend.",
                "ledger.",
                "js.",
                "overview.",
                "col.",
            ] {
                let keyed = page
                    .text
                    .match_indices(prefix)
                    .map(|(i, _)| page.text[i..].chars().take(30).collect::<String>())
                    .find(|rest| {
                        rest[prefix.len()..]
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_lowercase())
                            && !rest.starts_with("ledger.jsonl")
                    });
                assert!(keyed.is_none(), "{lang} {view}: {keyed:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_kept_signature_is_announced_on_the_rooms_stream() {
    let (app, deal) = active_deal().await;
    let mut amended = deal_json(3);
    amended["pause"]["days"] = 4.into();
    let kept = send(
        &app,
        request(
            "POST",
            &format!("/api/v1/deals/{}/amendments", deal.id),
            Some(deal.token("mediator")),
            Some(amended.to_string()),
        ),
    )
    .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    let new_hash = truce_ledger::deal_hash(&amended).unwrap();

    // The mediator's page listens; side-a signs.
    let (med, _, _) = sign_in(&app, deal.token("mediator"), false).await;
    let head = export_len(&app, &med).await;
    let response = app
        .clone()
        .oneshot(get(&format!("/room/stream?after={head}"), &med))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut read = String::new();
    // Until the stream says it is live.
    while !read.contains(": live") {
        read += &next_frame(&mut body).await;
    }
    let (a_cookie, a_csrf, _) = sign_in(&app, deal.token("side-a"), false).await;
    let sig = truce_ledger::sign_amendment(
        key_of(&deal.keys, "side-a"),
        &deal.id,
        1,
        &deal.deal_hash,
        &new_hash,
    )
    .signature;
    let posted = call(
        &app,
        json_post(
            "/room/amendment-signatures",
            &a_cookie,
            &a_csrf,
            serde_json::json!({"amendment": 1, "deal_hash": new_hash, "replaces": deal.deal_hash, "signature": sig})
                .to_string(),
        ),
    )
    .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
    let mut after = String::new();
    while !after.contains("event: signed") {
        after += &next_frame(&mut body).await;
    }
    assert!(
        !after.contains("event: appended"),
        "a signature is no ledger event: {after}"
    );
}

/// Two servers on one database (an SQLite file, or PostgreSQL): a viewer
/// of one sees live, without reload, an event recorded through the other
/// and a signature the other kept.
#[tokio::test]
async fn a_viewer_on_one_server_sees_what_another_server_recorded() {
    let url = database_url();
    let (here, there) = (app_on(&url).await, app_on(&url).await);
    let deal = create_deal(&there, 3).await;
    activate(&there, &deal).await;
    let mut amended = deal_json(3);
    amended["pause"]["days"] = 4.into();
    let kept = send(
        &there,
        request(
            "POST",
            &format!("/api/v1/deals/{}/amendments", deal.id),
            Some(deal.token("mediator")),
            Some(amended.to_string()),
        ),
    )
    .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);

    let (med, _, _) = sign_in(&here, deal.token("mediator"), false).await;
    let head = export_len(&here, &med).await;
    let response = here
        .clone()
        .oneshot(get(&format!("/room/stream?after={head}"), &med))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut read = String::new();
    while !read.contains(": live") {
        read += &next_frame(&mut body).await;
    }

    // The intermediary records through the other server.
    record(
        &there,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    let mut after = String::new();
    while !after.contains("event: appended") {
        after += &next_frame(&mut body).await;
    }
    assert!(
        after.contains(&format!("id: {}", head + 1)),
        "the new event, by its seq: {after}"
    );

    // Side-a signs the amendment in the other server's room.
    let (a_cookie, a_csrf, _) = sign_in(&there, deal.token("side-a"), false).await;
    let new_hash = truce_ledger::deal_hash(&amended).unwrap();
    let sig = truce_ledger::sign_amendment(
        key_of(&deal.keys, "side-a"),
        &deal.id,
        1,
        &deal.deal_hash,
        &new_hash,
    )
    .signature;
    let posted = call(
        &there,
        json_post(
            "/room/amendment-signatures",
            &a_cookie,
            &a_csrf,
            serde_json::json!({"amendment": 1, "deal_hash": new_hash, "replaces": deal.deal_hash, "signature": sig})
                .to_string(),
        ),
    )
    .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
    let mut signed = String::new();
    while !signed.contains("event: signed") {
        signed += &next_frame(&mut body).await;
    }
}

/// The number of events in the deal's export.
pub(crate) async fn export_len(app: &Router, cookie: &str) -> usize {
    call(app, get("/room/ledger.jsonl", cookie))
        .await
        .text
        .lines()
        .count()
}

/// The next data frame of a streamed body, as text. Bounded: a stream
/// that says nothing for 20 s fails the test (a bound on a wait, not an
/// assertion on speed).
pub(crate) async fn next_frame(body: &mut Body) -> String {
    let frame = tokio::time::timeout(std::time::Duration::from_secs(20), body.frame())
        .await
        .expect("the stream speaks within the bound")
        .expect("the stream is open")
        .expect("a frame");
    frame
        .into_data()
        .map(|d| String::from_utf8_lossy(&d).into_owned())
        .unwrap_or_default()
}
