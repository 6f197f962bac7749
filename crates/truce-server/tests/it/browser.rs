//! The room in a real browser: headless Chromium driven over WebDriver
//! (chromedriver, started here on a loopback port) against the service
//! running in this process on a real socket. Screenshots of every view go
//! to `target/room-screenshots/` (CI keeps them as artefacts).
//!
//! These tests need Debian's `chromium` and `chromium-driver` (`.ci/run`
//! installs them); without them they fail and say so, never skip.
//! `TRUCE_CHROMIUM` and `TRUCE_CHROMEDRIVER` point at other binaries.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client as Browser, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use truce_ledger::{Event, KeyRing, verify_bytes};
use truce_server::client::Client;
use truce_server::{CreatedDeal, ServerHandle};

use crate::support::*;

/// How long a page may take to show what the test waits for. A bound on a
/// wait, not an assertion on speed.
const WAIT: Duration = Duration::from_secs(20);

fn binary(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "the room's browser tests need headless Chromium and its WebDriver: {} is missing. \
         Install Debian's packages `chromium` and `chromium-driver` \
         (`apt-get install chromium chromium-driver`; .ci/run does), or set {var}.",
        path.display()
    );
    path
}

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
    chromium: PathBuf,
    scratch: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

fn driver() -> Driver {
    let chromium = binary("TRUCE_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = binary("TRUCE_CHROMEDRIVER", "/usr/bin/chromedriver");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
    let started = Instant::now();
    while TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_err() {
        assert!(
            started.elapsed() < WAIT,
            "chromedriver did not start listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let scratch = std::env::temp_dir().join(unique("truce-room-browser"));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        chromium,
        scratch,
    }
}

impl Driver {
    /// A new headless browser with its own profile.
    async fn browser(&self) -> Browser {
        let profile = self.scratch.join(unique("profile"));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    "--disable-dev-shm-usage", "--window-size=1200,1000",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

/// The service on a real socket, and an active test deal on it (created,
/// planned and started through the API client, as the CLI would).
async fn service() -> (SocketAddr, ServerHandle, Client, TestDeal) {
    let (addr, handle) = truce_server::start_in_process(&database_url())
        .await
        .expect("service");
    let mut client = Client::connect(addr).await.expect("client");
    let created: CreatedDeal = client
        .create_deal(&create_body(&unique("room"), 3), None)
        .await
        .expect("deal");
    let deal = TestDeal::from_created(created);
    client
        .keep_plan(&deal.id, deal.token("mediator"), &test_plan().to_string())
        .await
        .expect("plan");
    for (author, event) in to_active(&deal) {
        record_over(&mut client, &deal, author, event).await;
    }
    (addr, handle, client, deal)
}

async fn record_over(client: &mut Client, deal: &TestDeal, author: &str, event: Event) -> u64 {
    let (_, receipt) = client
        .record(
            &deal.id,
            deal.token(author),
            key_of(&deal.keys, author),
            1_772_431_200_000,
            event,
        )
        .await
        .expect("record");
    receipt.seq
}

async fn sign_in(b: &Browser, addr: SocketAddr, token: &str) {
    b.goto(&format!("http://{addr}/room/signin?lang=en"))
        .await
        .expect("sign-in page");
    b.find(Locator::Css("#token"))
        .await
        .expect("token field")
        .send_keys(token)
        .await
        .expect("type token");
    b.find(Locator::Css("form#signin button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("nav.views"))
        .await
        .expect("signed in");
    let current = b.current_url().await.expect("url");
    assert_eq!(current.path(), "/room/overview");
    assert!(
        !current.as_str().contains(token),
        "the token is never in a URL"
    );
}

fn screenshots() -> PathBuf {
    // The build's target folder: CARGO_TARGET_DIR when CI sets one (it
    // builds a clean clone into the checkout's target), else the workspace's.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("room-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn shoot(b: &Browser, name: &str) {
    let png = b.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).expect("write screenshot");
}

/// The page as the browser holds it now (after the script ran).
async fn dom(b: &Browser) -> String {
    b.source().await.expect("page source")
}

async fn html_attr(b: &Browser, name: &str) -> Option<String> {
    b.find(Locator::Css("html"))
        .await
        .expect("html")
        .attr(name)
        .await
        .expect("attr")
}

const VIEWS: [&str; 7] = [
    "overview", "plan", "timeline", "texts", "persons", "manifest", "ledger",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_only_what_it_may_in_every_language() {
    let driver = driver();
    let (addr, handle, mut client, deal) = service().await;
    let seq = record_over(
        &mut client,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    assert!(seq > 0);
    let ids: Vec<String> = deal_json(3)["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let cases: [(&str, &[&str]); 6] = [
        (
            "mediator",
            &["A-0001", "A-0002", "A-0003", "B-0001", "B-0002", "B-0003"],
        ),
        ("side-a", &["A-0001", "A-0002", "A-0003"]),
        ("side-b", &["A-0001", "B-0001", "B-0002", "B-0003"]),
        ("relief", &["A-0001", "B-0001"]),
        ("guarantor", &[]),
        ("monitor", &[]),
    ];
    for (party, may_see) in cases {
        let b = driver.browser().await;
        sign_in(&b, addr, deal.token(party)).await;
        let nav = b.find_all(Locator::Css("nav.views a")).await.expect("nav");
        let mut links = Vec::new();
        for a in nav {
            links.push(a.attr("href").await.expect("href").unwrap_or_default());
        }
        let mut seen = String::new();
        for lang in ["en", "ar", "he"] {
            for view in VIEWS {
                let href = format!("/room/{view}");
                if !links.contains(&href) {
                    continue;
                }
                b.goto(&format!("http://{addr}{href}?lang={lang}"))
                    .await
                    .expect("view");
                let dir = html_attr(&b, "dir").await;
                let expect = if lang == "en" { "ltr" } else { "rtl" };
                assert_eq!(dir.as_deref(), Some(expect), "{party} {view} {lang}");
                assert_eq!(html_attr(&b, "lang").await.as_deref(), Some(lang));
                shoot(&b, &format!("{lang}-{party}-{view}")).await;
                seen += &dom(&b).await;
            }
        }
        let persons_view = links.contains(&"/room/persons".to_owned());
        assert_eq!(
            persons_view,
            !may_see.is_empty(),
            "{party}: the Persons view"
        );
        for id in &ids {
            assert_eq!(
                seen.contains(id.as_str()),
                may_see.contains(&id.as_str()),
                "{party}: {id}"
            );
        }
        b.close().await.expect("close");
    }
    handle.shutdown().await;
}

/// Load the party's key file into the page's key panel.
async fn load_key(b: &Browser, deal: &TestDeal, party: &str, dir: &Path) {
    let path = dir.join(format!("{party}.key.json"));
    std::fs::write(&path, key_of(&deal.keys, party).to_secret_file()).expect("key file");
    b.find(Locator::Css("#keyfile"))
        .await
        .expect("key input")
        .send_keys(&path.display().to_string())
        .await
        .expect("choose key file");
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#key-status.ok"))
        .await
        .expect("the key loads in the page (WebCrypto Ed25519)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_recorded_and_confirmed_in_the_browser_verifies() {
    let driver = driver();
    let (addr, handle, mut client, deal) = service().await;

    // The intermediary records day 1's first convoy from its manifest.
    let relief = driver.browser().await;
    sign_in(&relief, addr, deal.token("relief")).await;
    relief
        .goto(&format!("http://{addr}/room/manifest"))
        .await
        .expect("manifest");
    load_key(&relief, &deal, "relief", &driver.scratch).await;
    shoot(&relief, "en-relief-manifest-signing").await;
    relief
        .find(Locator::Css("section.convoy form.sign button"))
        .await
        .expect("record button")
        .click()
        .await
        .expect("click");
    let out = relief
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("output.result.ok, output.result.bad"))
        .await
        .expect("an answer");
    let text = out.text().await.expect("text");
    assert!(
        out.attr("class").await.unwrap().unwrap().contains("ok"),
        "{text}"
    );
    relief.close().await.expect("close");

    // The receiving side confirms it from its timeline.
    let side_b = driver.browser().await;
    sign_in(&side_b, addr, deal.token("side-b")).await;
    side_b
        .goto(&format!("http://{addr}/room/timeline"))
        .await
        .expect("timeline");
    load_key(&side_b, &deal, "side-b", &driver.scratch).await;
    side_b
        .find(Locator::Css(
            "li.event[data-kind=handover-recorded] form.sign button",
        ))
        .await
        .expect("confirm button")
        .click()
        .await
        .expect("click");
    let out = side_b
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("output.result.ok, output.result.bad"))
        .await
        .expect("an answer");
    let text = out.text().await.expect("text");
    assert!(
        out.attr("class").await.unwrap().unwrap().contains("ok"),
        "{text}"
    );
    shoot(&side_b, "en-side-b-timeline-confirmed").await;

    // A refusal shows the service's own reason: free text naming a person.
    side_b
        .goto(&format!("http://{addr}/room/overview"))
        .await
        .expect("overview");
    load_key(&side_b, &deal, "side-b", &driver.scratch).await;
    side_b
        .find(Locator::Css("#summary"))
        .await
        .expect("summary")
        .send_keys("A-0002 was seen at the crossing")
        .await
        .expect("type");
    side_b
        .find(Locator::Css("#summary"))
        .await
        .expect("summary")
        .find(Locator::XPath("ancestor::form//button"))
        .await
        .expect("report button")
        .click()
        .await
        .expect("click");
    let refused = side_b
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("output.result.bad, output.result.ok"))
        .await
        .expect("an answer")
        .text()
        .await
        .expect("text");
    assert!(
        refused.contains("names a person of the deal's roster"),
        "{refused}"
    );
    shoot(&side_b, "en-side-b-overview-refused").await;

    let ledger = client
        .ledger(&deal.id, deal.token("monitor"))
        .await
        .expect("export");
    let last: serde_json::Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"]["type"], "handover-confirmed");
    assert_eq!(last["author"], "side-b");
    let recorded: serde_json::Value =
        serde_json::from_str(ledger.lines().rev().nth(1).unwrap()).unwrap();
    assert_eq!(recorded["event"]["type"], "handover-recorded");
    assert_eq!(recorded["author"], "relief");
    // The pseudonym the page computed is the ledger's for A-0001.
    let expect = deal
        .person_key
        .pseudonym(&deal.id, &truce_ledger::PersonId::new("A-0001").unwrap());
    assert_eq!(
        recorded["event"]["pseudonyms"],
        serde_json::json!([expect.to_string()])
    );

    // The export verifies offline with the public keys, as `truce verify`.
    let keys = KeyRing::of(&deal.keys).expect("keys");
    let report = verify_bytes(ledger.as_bytes(), &keys).expect("readable");
    assert!(report.intact, "{}", report.render_text());
    assert_eq!(report.events, ledger.lines().count());

    // And in the browser, with the keys the room serves.
    side_b
        .goto(&format!("http://{addr}/room/ledger?lang=ar"))
        .await
        .expect("ledger");
    side_b
        .find(Locator::Css("#verify"))
        .await
        .expect("verify")
        .click()
        .await
        .expect("click");
    let result = side_b
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#verify-result.ok, #verify-result.bad"))
        .await
        .expect("a verdict");
    let verdict = result.text().await.expect("text");
    assert!(
        result.attr("class").await.unwrap().unwrap().contains("ok"),
        "{verdict}"
    );
    let head = truce_ledger::Hash::of(ledger.lines().last().unwrap().as_bytes());
    assert!(verdict.contains(&head.to_string()), "{verdict}");
    shoot(&side_b, "ar-side-b-ledger-verified").await;
    side_b.close().await.expect("close");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partys_event_appears_live_without_reload() {
    let driver = driver();
    let (addr, handle, mut client, deal) = service().await;
    let b = driver.browser().await;
    sign_in(&b, addr, deal.token("mediator")).await;
    b.goto(&format!("http://{addr}/room/timeline?lang=he"))
        .await
        .expect("timeline");
    // A marker the page keeps only if it is not reloaded.
    b.execute(
        "document.body.dataset.marker = 'kept'; return null;",
        vec![],
    )
    .await
    .expect("marker");
    // The stream is open (the page marks it) before the event, so the
    // measure starts from a listening page (the stream would also catch up
    // from the page's last seq).
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(r#"#live-status[data-state="open"]"#))
        .await
        .expect("the stream open");
    let started = Instant::now();
    let seq = record_over(
        &mut client,
        &deal,
        "guarantor",
        Event::BreachReported {
            against: party("side-a"),
            summary: "shots fired at the crossing".to_owned(),
        },
    )
    .await;
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("li.event[data-seq=\"{seq}\"]")))
        .await
        .expect("the new event appears");
    eprintln!(
        "live update: {} ms from append to the page",
        started.elapsed().as_millis()
    );
    let marker = b
        .execute("return document.body.dataset.marker || null;", vec![])
        .await
        .expect("marker");
    assert_eq!(
        marker,
        serde_json::json!("kept"),
        "the page was not reloaded"
    );
    let row = b
        .find(Locator::Css(&format!("li.event[data-seq=\"{seq}\"]")))
        .await
        .expect("row")
        .text()
        .await
        .expect("text");
    assert!(
        row.contains("guarantor") && row.contains("shots fired at the crossing"),
        "{row}"
    );
    shoot(&b, "he-mediator-timeline-live").await;
    b.close().await.expect("close");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_follows_another_partys_event_live() {
    let driver = driver();
    let (addr, handle, mut client, deal) = service().await;
    let b = driver.browser().await;
    sign_in(&b, addr, deal.token("mediator")).await;
    b.goto(&format!("http://{addr}/room/overview?lang=ar"))
        .await
        .expect("overview");
    b.execute(
        "document.body.dataset.marker = 'kept'; return null;",
        vec![],
    )
    .await
    .expect("marker");
    let before = b
        .find(Locator::Css("#overview"))
        .await
        .expect("overview block")
        .attr("data-after")
        .await
        .expect("attr")
        .expect("data-after");
    // Whether the stream is open yet or not: it catches up from
    // data-after, so the event is never missed.
    let started = Instant::now();
    let seq = record_over(
        &mut client,
        &deal,
        "guarantor",
        Event::BreachReported {
            against: party("side-b"),
            summary: "a convoy stopped at the checkpoint".to_owned(),
        },
    )
    .await;
    assert_ne!(before, seq.to_string());
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("#overview[data-after=\"{seq}\"]")))
        .await
        .expect("the overview follows the new event");
    eprintln!(
        "live overview: {} ms from append to the page",
        started.elapsed().as_millis()
    );
    let marker = b
        .execute("return document.body.dataset.marker || null;", vec![])
        .await
        .expect("marker");
    assert_eq!(
        marker,
        serde_json::json!("kept"),
        "the page was not reloaded"
    );
    let breaches = b
        .find(Locator::Css("#br-h"))
        .await
        .expect("breaches")
        .find(Locator::XPath(".."))
        .await
        .expect("section")
        .text()
        .await
        .expect("text");
    assert!(breaches.contains(&format!("#{seq}")), "{breaches}");
    assert_eq!(html_attr(&b, "dir").await.as_deref(), Some("rtl"));
    shoot(&b, "ar-mediator-overview-live").await;
    b.close().await.expect("close");
    handle.shutdown().await;
}

/// axe-core, vendored from the npm registry (tests/it/vendor/axe-core).
const AXE: &str = include_str!("vendor/axe-core/axe.min.js");

/// axe-core's serious and critical WCAG 2.2 A/AA violations on the page.
async fn serious_violations(b: &Browser) -> Vec<String> {
    b.execute(&format!("{AXE}\nreturn null;"), vec![])
        .await
        .expect("axe-core loads");
    let found = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values:
               ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.length + ' ' +
                      v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    found
        .as_array()
        .expect("axe-core answers a list")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_passes_an_automated_accessibility_check() {
    let driver = driver();
    let (addr, handle, mut client, deal) = service().await;
    record_over(
        &mut client,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    let b = driver.browser().await;
    let mut problems = Vec::new();
    for party in ["mediator", "monitor"] {
        sign_in(&b, addr, deal.token(party)).await;
        for lang in ["en", "ar", "he"] {
            for view in VIEWS {
                if party == "monitor" && matches!(view, "persons" | "manifest") {
                    continue;
                }
                b.goto(&format!("http://{addr}/room/{view}?lang={lang}"))
                    .await
                    .expect("view");
                for v in serious_violations(&b).await {
                    problems.push(format!("{party} {lang} {view}: {v}"));
                }
            }
        }
        b.find(Locator::Css("form.signout button"))
            .await
            .expect("sign out")
            .click()
            .await
            .expect("click");
        b.wait()
            .at_most(WAIT)
            .for_element(Locator::Css("form#signin"))
            .await
            .expect("signed out");
    }
    assert!(
        problems.is_empty(),
        "serious accessibility violations:\n{}",
        problems.join("\n")
    );
    // The check itself works here: an image without a text alternative
    // (a critical violation) is found.
    b.execute(&format!("{AXE}\nreturn null;"), vec![])
        .await
        .expect("axe-core loads");
    let found = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const img = document.createElement('img');
             img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
             document.querySelector('main').append(img);
             axe.run(document).then(r => done(r.violations.map(v => v.id)));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    assert!(
        found
            .as_array()
            .expect("a list")
            .contains(&serde_json::json!("image-alt")),
        "{found}"
    );
    b.close().await.expect("close");
    handle.shutdown().await;
}

/// Click the button of the first `form` and wait for its answer, in the
/// form or, once a live block was swapped (the overview keeps what a form
/// answered at the top of the fresh block), anywhere in `scope`.
async fn sign_and_wait(b: &Browser, form: &str, scope: &str) -> String {
    // A live block swapped in between finding the button and clicking it
    // leaves a stale element: find the fresh block's button once more.
    let button = Locator::Css(&format!("{form} button"));
    let first = b.find(button).await.expect("sign button").click().await;
    if first.is_err() {
        b.find(button)
            .await
            .expect("sign button")
            .click()
            .await
            .expect("click");
    }
    let out = b
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "{scope} output.result.ok, {scope} output.result.bad"
        )))
        .await
        .expect("an answer");
    let text = out.text().await.expect("text");
    assert!(
        out.attr("class").await.unwrap().unwrap().contains("ok"),
        "{text}"
    );
    text
}

/// Whether the page kept the marker set before (it was not reloaded).
async fn not_reloaded(b: &Browser) {
    let marker = b
        .execute("return document.body.dataset.marker || null;", vec![])
        .await
        .expect("marker");
    assert_eq!(
        marker,
        serde_json::json!("kept"),
        "the page was not reloaded"
    );
}

/// Set the marker [`not_reloaded`] looks for, and wait for the page's
/// event stream to be open.
async fn mark_and_listen(b: &Browser) {
    b.execute(
        "document.body.dataset.marker = 'kept'; return null;",
        vec![],
    )
    .await
    .expect("marker");
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(r#"#live-status[data-state="open"]"#))
        .await
        .expect("the stream open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sides_sign_an_amendment_in_the_browser_and_the_mediator_records_it() {
    let driver = driver();
    let (addr, handle, mut client, deal) = service().await;
    record_over(
        &mut client,
        &deal,
        "relief",
        handover(&deal, "side-a", "side-b", &["A-0001"]),
    )
    .await;
    let mut amended = deal_json(3);
    amended["pause"]["days"] = 4.into();
    let kept = client
        .keep_amendment(&deal.id, deal.token("mediator"), &amended.to_string())
        .await
        .expect("kept");

    // The mediator's overview stays open, never reloaded, from here on.
    let med = driver.browser().await;
    sign_in(&med, addr, deal.token("mediator")).await;
    load_key(&med, &deal, "mediator", &driver.scratch).await;
    mark_and_listen(&med).await;
    assert!(
        med.find(Locator::Css("#amendments form.sign"))
            .await
            .is_err(),
        "no record form before the sides sign"
    );

    // Each side signs in its own browser, with its own key, in the page;
    // side-a's page stays open too.
    let side_a = driver.browser().await;
    sign_in(&side_a, addr, deal.token("side-a")).await;
    load_key(&side_a, &deal, "side-a", &driver.scratch).await;
    mark_and_listen(&side_a).await;
    sign_and_wait(&side_a, "form.amend", "#amendments").await;
    shoot(&side_a, "en-side-a-overview-amendment-signed").await;
    // The mediator's page shows side-a's signature without a reload.
    med.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(
            r#"#amendments article.amendment[data-signed-by~="side-a"]"#,
        ))
        .await
        .expect("side-a's signature appears live");
    not_reloaded(&med).await;

    let side_b = driver.browser().await;
    sign_in(&side_b, addr, deal.token("side-b")).await;
    load_key(&side_b, &deal, "side-b", &driver.scratch).await;
    sign_and_wait(&side_b, "form.amend", "#amendments").await;
    side_b.close().await.expect("close");

    // Once both have signed, the record form appears on the mediator's
    // page, still not reloaded, and the mediator records from it.
    med.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#amendments form.sign #amend-reason-0"))
        .await
        .expect("the record form appears live");
    not_reloaded(&med).await;
    med.find(Locator::Css("#amend-reason-0"))
        .await
        .expect("reason")
        .send_keys("Four days.")
        .await
        .expect("type");
    sign_and_wait(&med, "#amendments form.sign", "#amendments").await;
    shoot(&med, "en-mediator-overview-amendment-recorded").await;
    med.close().await.expect("close");

    // Side-a's page, never reloaded, sees the amendment recorded: nothing
    // waits any more.
    side_a
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(r#"#amendments[data-pending="0"]"#))
        .await
        .expect("the recorded amendment leaves the section live");
    not_reloaded(&side_a).await;
    side_a.close().await.expect("close");

    let ledger = client
        .ledger(&deal.id, deal.token("monitor"))
        .await
        .expect("export");
    let last: serde_json::Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"]["type"], "deal-amended");
    assert_eq!(last["event"]["deal_hash"], kept.deal_hash.to_string());
    // The signatures the pages made are truce_ledger's amendment signatures.
    let keys = KeyRing::of(&deal.keys).expect("keys");
    for s in last["event"]["signatures"].as_array().unwrap() {
        let party = truce_ledger::PartyId::new(s["party"].as_str().unwrap()).unwrap();
        let sig: truce_ledger::Sig = serde_json::from_value(s["signature"].clone()).unwrap();
        assert!(truce_ledger::verify_amendment(
            keys.get(&party).unwrap(),
            &deal.id,
            1,
            &deal.deal_hash,
            &kept.deal_hash,
            &sig,
        ));
    }
    let report = verify_bytes(ledger.as_bytes(), &keys).expect("readable");
    assert!(report.intact, "{}", report.render_text());

    // The plan is re-planned for the amended terms: the Plan view shows
    // the plan in force, day 1 carried out, the re-planned day and the
    // earlier plan for comparison.
    let replanned = replanned_plan();
    client
        .keep_plan(&deal.id, deal.token("mediator"), &replanned.to_string())
        .await
        .expect("the new plan kept");
    let plan_hash = truce_ledger::Hash::of_canonical(&replanned).expect("hash");
    record_over(
        &mut client,
        &deal,
        "mediator",
        Event::PlanAdopted { days: 4, plan_hash },
    )
    .await;
    let b = driver.browser().await;
    sign_in(&b, addr, deal.token("mediator")).await;
    b.goto(&format!("http://{addr}/room/plan?lang=he"))
        .await
        .expect("plan");
    let carried = b
        .find_all(Locator::Css("table.plan tbody tr.done"))
        .await
        .expect("rows");
    assert_eq!(carried.len(), 1, "day 1's side-a convoy carried out");
    let replanned_rows = b
        .find_all(Locator::Css("table.plan tbody tr.replanned"))
        .await
        .expect("rows");
    assert_eq!(replanned_rows.len(), 2, "day 2's two convoys re-planned");
    let note = b
        .find(Locator::Css("#replans"))
        .await
        .expect("the re-plans")
        .text()
        .await
        .expect("text");
    assert!(
        note.contains(&plan_hash.to_string()[..12]),
        "names the new plan: {note}"
    );
    b.find(Locator::Css("details.earlier summary"))
        .await
        .expect("the earlier plan")
        .click()
        .await
        .expect("open it");
    let earlier = b
        .find_all(Locator::Css("details.earlier table tbody tr"))
        .await
        .expect("rows");
    assert_eq!(earlier.len(), 2, "the earlier plan's two day-1 convoys");
    assert_eq!(html_attr(&b, "dir").await.as_deref(), Some("rtl"));
    shoot(&b, "he-mediator-plan-replanned").await;
    let problems = serious_violations(&b).await;
    assert!(problems.is_empty(), "{problems:?}");
    b.close().await.expect("close");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sides_sign_the_agreement_in_the_browser_and_the_mediator_records_it() {
    let driver = driver();
    let (addr, handle) = truce_server::start_in_process(&database_url())
        .await
        .expect("service");
    let mut client = Client::connect(addr).await.expect("client");
    let created: CreatedDeal = client
        .create_deal(&create_body(&unique("agree"), 3), None)
        .await
        .expect("deal");
    let deal = TestDeal::from_created(created);
    for (author, event) in to_active(&deal).into_iter().take(2) {
        record_over(&mut client, &deal, author, event).await;
    }
    for side in ["side-a", "side-b"] {
        let b = driver.browser().await;
        sign_in(&b, addr, deal.token(side)).await;
        load_key(&b, &deal, side, &driver.scratch).await;
        sign_and_wait(&b, "form.agree", "#amendments").await;
        b.close().await.expect("close");
    }
    let med = driver.browser().await;
    sign_in(&med, addr, deal.token("mediator")).await;
    load_key(&med, &deal, "mediator", &driver.scratch).await;
    sign_and_wait(&med, "#amendments form.sign", "#amendments").await;
    med.close().await.expect("close");

    let ledger = client
        .ledger(&deal.id, deal.token("monitor"))
        .await
        .expect("export");
    let last: serde_json::Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"]["type"], "deal-agreed");
    assert_eq!(last["event"]["deal_hash"], deal.deal_hash.to_string());
    assert_eq!(last["event"]["signatures"].as_array().unwrap().len(), 2);
    let keys = KeyRing::of(&deal.keys).expect("keys");
    let report = verify_bytes(ledger.as_bytes(), &keys).expect("readable");
    assert!(report.intact, "{}", report.render_text());
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_pages_by_keyboard_and_its_first_page_stays_live() {
    let driver = driver();
    let (addr, handle, mut client, deal) = service().await;
    let mut head = 0;
    for i in 0..100 {
        head = record_over(
            &mut client,
            &deal,
            "guarantor",
            Event::BreachReported {
                against: party("side-a"),
                summary: format!("report {i}"),
            },
        )
        .await;
    }
    let b = driver.browser().await;
    sign_in(&b, addr, deal.token("mediator")).await;
    b.goto(&format!("http://{addr}/room/timeline?lang=ar"))
        .await
        .expect("timeline");
    let rows = b.find_all(Locator::Css("li.event")).await.expect("rows");
    assert_eq!(rows.len(), 100, "one page of 100");
    // Enter on the focused link, as a keyboard user follows it.
    b.find(Locator::Css(r#"nav.pages a[rel="next"]"#))
        .await
        .expect("the older events link")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(r#"nav.pages a[rel="prev"]"#))
        .await
        .expect("the older page");
    let older: Vec<String> = {
        let mut out = Vec::new();
        for li in b.find_all(Locator::Css("li.event")).await.expect("rows") {
            out.push(li.attr("data-seq").await.expect("attr").expect("seq"));
        }
        out
    };
    let want: Vec<String> = (1..=head - 100).rev().map(|s| s.to_string()).collect();
    assert_eq!(older, want, "the oldest events, newest first");
    assert!(
        b.find(Locator::Css("#live-status")).await.is_err(),
        "an older page does not follow the stream"
    );
    assert_eq!(html_attr(&b, "dir").await.as_deref(), Some("rtl"));
    shoot(&b, "ar-mediator-timeline-older").await;
    let problems = serious_violations(&b).await;
    assert!(problems.is_empty(), "{problems:?}");

    // Back to the newest page, which follows the stream.
    b.find(Locator::Css(r#"nav.pages a[rel="prev"]"#))
        .await
        .expect("the newer events link")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    mark_and_listen(&b).await;
    let seq = record_over(
        &mut client,
        &deal,
        "guarantor",
        Event::BreachReported {
            against: party("side-b"),
            summary: "one more".to_owned(),
        },
    )
    .await;
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("li.event[data-seq=\"{seq}\"]")))
        .await
        .expect("the new event appears on the first page");
    not_reloaded(&b).await;
    b.close().await.expect("close");
    handle.shutdown().await;
}

/// Single text with people in the browser: the mediator signs and posts a
/// text in the page (its own, then the algorithm's), each side signs its
/// vote in the page, the mediator's open page shows each vote live (no
/// reload), an observer's page holds the texts and never a vote, and the
/// Texts view in Arabic has no serious accessibility violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sides_vote_on_a_text_in_the_browser_and_the_mediator_sees_it_live() {
    let driver = driver();
    let (addr, handle) = truce_server::start_in_process(&database_url())
        .await
        .expect("service");
    let mut client = Client::connect(addr).await.expect("client");
    let mut body = create_body(&unique("text"), 2);
    body["deal"]["open_issues"] = serde_json::json!([
        {"id": "pause-days", "description": "days of the pause", "options": ["3", "4", "5", "6"], "sets": "pause.days"},
        {"id": "aid-trucks", "description": "trucks a day", "options": ["100", "200", "300"], "sets": null}
    ]);
    body["deal"]["agreed_terms"] = serde_json::json!([]);
    let created: CreatedDeal = client.create_deal(&body, None).await.expect("deal");
    let deal = TestDeal::from_created(created);
    let mut problems = Vec::new();

    let med = driver.browser().await;
    sign_in(&med, addr, deal.token("mediator")).await;
    med.goto(&format!("http://{addr}/room/texts?lang=ar"))
        .await
        .expect("texts");
    load_key(&med, &deal, "mediator", &driver.scratch).await;
    // The mediator's own text: the first option of each issue.
    sign_and_wait(&med, "form.text", "#texts").await;
    med.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(r#"article.text[data-round="1"]"#))
        .await
        .expect("text 1 shown live");
    mark_and_listen(&med).await;
    for v in serious_violations(&med).await {
        problems.push(format!("mediator ar texts: {v}"));
    }
    shoot(&med, "ar-mediator-texts").await;

    for side in ["side-a", "side-b"] {
        let b = driver.browser().await;
        sign_in(&b, addr, deal.token(side)).await;
        b.goto(&format!("http://{addr}/room/texts?lang=ar"))
            .await
            .expect("texts");
        load_key(&b, &deal, side, &driver.scratch).await;
        if side == "side-a" {
            for v in serious_violations(&b).await {
                problems.push(format!("side-a ar texts: {v}"));
            }
            shoot(&b, "ar-side-a-texts").await;
        }
        sign_and_wait(&b, "form.vote", "#texts").await;
        b.close().await.expect("close");
        // The mediator's page shows the vote without a reload.
        med.wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&format!(
                r#"article.text[data-round="1"] span.vote[data-party="{side}"][data-accept="true"]"#
            )))
            .await
            .expect("the vote shown live on the mediator's page");
        not_reloaded(&med).await;
    }
    // Both accepted: the round closed, agreed; the service verified both
    // signatures made in the pages.
    let texts = client
        .texts(&deal.id, deal.token("mediator"))
        .await
        .expect("texts");
    assert_eq!(texts.texts.len(), 1);
    assert_eq!(texts.texts[0].accepted, Some(true));
    assert_eq!(texts.agreed.as_ref().map(|a| a.round), Some(1));

    // The algorithm's text, asked for, signed and posted in the page.
    sign_and_wait(&med, "form.algorithm", "#texts").await;
    med.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(r#"article.text[data-round="2"]"#))
        .await
        .expect("text 2 shown live");
    let texts = client
        .texts(&deal.id, deal.token("mediator"))
        .await
        .expect("texts");
    assert_eq!(texts.texts.len(), 2);
    assert_eq!(
        texts.texts[1]
            .algorithm
            .as_ref()
            .map(|a| a.mediator.as_str()),
        Some("feedback")
    );
    med.close().await.expect("close");

    // The observer: the texts and that round 1 closed, never a vote, in
    // the page the browser holds.
    let obs = driver.browser().await;
    sign_in(&obs, addr, deal.token("monitor")).await;
    obs.goto(&format!("http://{addr}/room/texts?lang=ar"))
        .await
        .expect("texts");
    let page = dom(&obs).await;
    assert!(page.contains(r#"data-round="2""#), "the texts");
    for mark in ["data-accept", "span class=\"vote", "form class=\"sign "] {
        assert!(!page.contains(mark), "{mark} on the observer's page");
    }
    for v in serious_violations(&obs).await {
        problems.push(format!("monitor ar texts: {v}"));
    }
    shoot(&obs, "ar-monitor-texts").await;
    obs.close().await.expect("close");
    assert!(
        problems.is_empty(),
        "serious accessibility violations:\n{}",
        problems.join("\n")
    );
    handle.shutdown().await;
}

/// The mediator withdraws a text posted in error from its page (Hebrew),
/// signed there with its key; a side's open page shows the round
/// withdrawn without a reload and no longer offers a vote on it, and the
/// service kept the page's signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mediator_withdraws_a_text_in_the_browser_and_a_side_sees_it_live() {
    let driver = driver();
    let (addr, handle) = truce_server::start_in_process(&database_url())
        .await
        .expect("service");
    let mut client = Client::connect(addr).await.expect("client");
    let mut body = create_body(&unique("withdraw"), 2);
    body["deal"]["open_issues"] = serde_json::json!([
        {"id": "pause-days", "description": "days of the pause", "options": ["3", "4", "5", "6"], "sets": "pause.days"},
        {"id": "aid-trucks", "description": "trucks a day", "options": ["100", "200", "300"], "sets": null}
    ]);
    body["deal"]["agreed_terms"] = serde_json::json!([]);
    let created: CreatedDeal = client.create_deal(&body, None).await.expect("deal");
    let deal = TestDeal::from_created(created);
    // Text 1 through the API; side-a votes on it before it is withdrawn.
    let text: truce_ledger::Outcome = [("pause-days", "6"), ("aid-trucks", "100")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let signed = truce_ledger::sign_text(key_of(&deal.keys, "mediator"), &deal.id, 1, &text);
    let post = truce_server::PostText {
        round: 1,
        outcome: text.clone(),
        signature: signed.signature,
        algorithm: None,
    };
    client
        .post_text(&deal.id, deal.token("mediator"), &post)
        .await
        .expect("text 1");
    let hash = truce_ledger::text_hash(&deal.id, 1, &text);
    let vote = truce_ledger::sign_vote(key_of(&deal.keys, "side-a"), &deal.id, 1, &hash, false);
    client
        .vote(
            &deal.id,
            deal.token("side-a"),
            1,
            &truce_server::PostVote {
                accept: false,
                signature: vote.signature,
            },
        )
        .await
        .expect("side-a's vote");

    // side-b's page waits, with a vote form for text 1.
    let side = driver.browser().await;
    sign_in(&side, addr, deal.token("side-b")).await;
    side.goto(&format!("http://{addr}/room/texts?lang=he"))
        .await
        .expect("texts");
    side.find(Locator::Css(r#"article.text[data-round="1"] form.vote"#))
        .await
        .expect("a vote on text 1 offered");
    mark_and_listen(&side).await;

    let med = driver.browser().await;
    sign_in(&med, addr, deal.token("mediator")).await;
    med.goto(&format!("http://{addr}/room/texts?lang=he"))
        .await
        .expect("texts");
    load_key(&med, &deal, "mediator", &driver.scratch).await;
    let mut problems = Vec::new();
    for v in serious_violations(&med).await {
        problems.push(format!("mediator he texts with a withdrawal: {v}"));
    }
    shoot(&med, "he-mediator-withdraw").await;
    sign_and_wait(&med, "form.withdraw", "#texts").await;

    // side-b's page: withdrawn, live, no vote offered.
    side.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(
            r#"article.text[data-round="1"][data-withdrawn="true"]"#,
        ))
        .await
        .expect("the withdrawal shown live on side-b's page");
    not_reloaded(&side).await;
    let page = dom(&side).await;
    assert!(
        !page.contains("form class=\"sign vote"),
        "a vote still offered"
    );
    assert!(page.contains("נמשך על ידי המתווך"), "the Hebrew label");
    for v in serious_violations(&side).await {
        problems.push(format!("side-b he texts withdrawn: {v}"));
    }
    shoot(&side, "he-side-b-withdrawn").await;
    side.close().await.expect("close");
    med.close().await.expect("close");

    // The service kept the page's signature: it verifies with the
    // mediator's public key over the text's hash.
    let texts = client
        .texts(&deal.id, deal.token("monitor"))
        .await
        .expect("texts");
    let withdrawn = texts.texts[0].withdrawn.as_ref().expect("withdrawn");
    assert!(truce_ledger::verify_withdrawal(
        &key_of(&deal.keys, "mediator").public_key(),
        &deal.id,
        1,
        &hash,
        &withdrawn.signature
    ));
    assert!(!texts.open);
    assert!(
        problems.is_empty(),
        "serious accessibility violations:\n{}",
        problems.join("\n")
    );
    handle.shutdown().await;
}
