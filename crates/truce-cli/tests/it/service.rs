//! A deal's life through the command line against a real `truce serve`:
//! each party signs and records its own events with `truce record`, the
//! mediator registers the deal, the sides sign the agreement, and the
//! ledger exported with `truce export` verifies with every file the
//! parties kept.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Scratch, truce};

pub(crate) fn ok(args: &[&str]) -> String {
    let out = truce(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "truce {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `truce serve` on a free loopback port and a fresh SQLite file; killed
/// when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
    pub(crate) dir: Scratch,
}

/// The test certificate of the service's own tests.
fn tls_file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../truce-server/tests/data/tls")
        .join(name)
        .to_str()
        .expect("utf-8")
        .to_owned()
}

impl Server {
    pub(crate) fn start(name: &str) -> Server {
        Server::start_with(name, false, &[])
    }

    /// With `tls`, over HTTPS with the test certificate (for `localhost`);
    /// with `env` in its environment.
    fn start_with(name: &str, tls: bool, env: &[(&str, &str)]) -> Server {
        let dir = Scratch::new(name);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let db = dir.0.join("truce.db");
        let child = Command::new(trycmd::cargo::cargo_bin!("truce"))
            .args(["serve", "--database-url", db.to_str().expect("utf-8")])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(if tls {
                vec![
                    "--tls-cert".to_owned(),
                    tls_file("cert.pem"),
                    "--tls-key".to_owned(),
                    tls_file("key.pem"),
                ]
            } else {
                vec![]
            })
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("truce serve starts");
        // Bounded wait for the port to open: readiness, not a timing claim.
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "truce serve did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        let url = if tls {
            format!("https://localhost:{port}")
        } else {
            format!("http://127.0.0.1:{port}")
        };
        Server { child, url, dir }
    }

    pub(crate) fn path(&self, name: &str) -> String {
        self.dir.0.join(name).to_str().expect("utf-8").to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        // The folder goes with `dir`, once the server no longer writes to it.
        let _ = self.child.wait();
    }
}

#[test]
fn every_party_records_its_own_events_and_the_export_verifies() {
    let s = Server::start("service");
    let p = |name: &str| s.path(name);
    let deal = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal/deal.toml");
    let deal = deal.to_str().expect("utf-8");
    ok(&["plan", deal, "--out", &p("plan.json")]);
    let parties = ["side-a", "side-b", "mediator", "relief"];
    let mut keygen = vec!["keygen", "--out", s.dir.0.to_str().expect("utf-8")];
    for party in &parties {
        keygen.extend(["--party", party]);
    }
    ok(&keygen);
    let id = ["--service", &s.url, "--deal-id", "minimal"];
    let said = ok(&[
        &[
            "register",
            deal,
            "--keys",
            &p("keys.json"),
            "--out",
            &p("t"),
        ][..],
        &id,
    ]
    .concat());
    assert!(said.contains("registered deal minimal"), "{said}");
    #[cfg(unix)]
    for secret in ["t/side-a.token", "t/mediator.token", "t/person.key"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(p(secret))
            .expect(secret)
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{secret} is readable by others");
    }

    for side in ["side-a", "side-b"] {
        let sig = ok(&[
            "sign-agreement",
            deal,
            "--deal-id",
            "minimal",
            "--key",
            &p(&format!("{side}.key")),
        ]);
        std::fs::write(p(&format!("{side}.sig")), sig).expect("write signature");
    }
    let record = |party: &str, event: &str, extra: &[&str]| {
        let key = p(&format!("{party}.key"));
        let token = p(&format!("t/{party}.token"));
        let receipts = p(&format!("{party}.receipts.json"));
        let args = [
            &["record", event][..],
            &id,
            &[
                "--key",
                &key,
                "--token-file",
                &token,
                "--receipts",
                &receipts,
            ],
            extra,
        ]
        .concat();
        truce(&args)
    };
    // deal-created without parties: the registered ones are filled in.
    let created = r#"{"type":"deal-created"}"#.to_owned();
    let steps: Vec<(&str, String, Vec<String>)> = vec![
        ("mediator", created, vec![]),
        ("mediator", r#"{"type":"negotiation-started"}"#.into(), vec![]),
        (
            "mediator",
            r#"{"type":"deal-agreed"}"#.into(),
            vec!["--agreement".into(), p("side-a.sig"), "--agreement".into(), p("side-b.sig")],
        ),
        ("mediator", r#"{"type":"plan-adopted","days":1}"#.into(), vec!["--plan".into(), p("plan.json")]),
        // The night before day 1, side-b gives side-a its list: the
        // ledger keeps its count and commitment only.
        (
            "side-b",
            r#"{"type":"lists-exchanged","day":1,"to":"side-a","persons":["B-0002","B-0001"]}"#.into(),
            vec!["--person-key".into(), p("t/person.key")],
        ),
        ("side-a", r#"{"type":"list-acknowledged","list":5}"#.into(), vec![]),
        ("mediator", r#"{"type":"pause-started"}"#.into(), vec![]),
        (
            "relief",
            r#"{"type":"handover-recorded","day":1,"holder":"side-b","to":"side-a","persons":["B-0001","B-0002"]}"#.into(),
            // The intermediary sees no person before it carries them: the
            // deal file gives their categories for the signed counts.
            vec!["--person-key".into(), p("t/person.key"), "--deal".into(), deal.to_owned()],
        ),
        ("side-a", r#"{"type":"handover-confirmed","handover":8}"#.into(), vec![]),
        ("mediator", r#"{"type":"completed"}"#.into(), vec![]),
    ];
    for (party, event, extra) in &steps {
        if event.contains("completed") {
            // While active, a flow the terms do not have is refused by
            // its problem type.
            let aid = record(
                "relief",
                r#"{"type":"flow-recorded","day":1,"flow":"aid-trucks","quantity":200}"#,
                &[],
            );
            assert_eq!(aid.status.code(), Some(1));
            let stderr = String::from_utf8_lossy(&aid.stderr);
            assert!(stderr.contains("unknown-flow"), "{stderr}");
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = record(party, event, &extra);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{event}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The service refuses what the rules forbid: exit 1, and why.
    let again = record(
        "side-a",
        r#"{"type":"handover-confirmed","handover":8}"#,
        &[],
    );
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("the service refused: 422"), "{stderr}");

    // A side exports; the ledger holds no person id and verifies with the
    // keys, the receipts the mediator kept, the deal and the plan.
    let side_a_token = p("t/side-a.token");
    ok(&[
        &["export"][..],
        &id,
        &["--token-file", &side_a_token, "--out", &p("ledger.jsonl")],
    ]
    .concat());
    let ledger = std::fs::read_to_string(p("ledger.jsonl")).expect("ledger");
    assert_eq!(ledger.lines().count(), steps.len());
    assert!(!ledger.contains("B-0001") && !ledger.contains("B-0002"));
    let verified = ok(&[
        "verify",
        &p("ledger.jsonl"),
        "--keys",
        &p("keys.json"),
        "--receipts",
        &p("mediator.receipts.json"),
        "--deal",
        deal,
        "--plan",
        &p("plan.json"),
    ]);
    assert!(
        verified.contains("is the one every side signed"),
        "{verified}"
    );
    assert!(
        verified.contains("is the plan the mediator adopted"),
        "{verified}"
    );
    // Compliance: the deal kept, person by person with the person key...
    let full = ok(&[
        "verify",
        &p("ledger.jsonl"),
        "--keys",
        &p("keys.json"),
        "--deal",
        deal,
        "--person-key",
        &p("t/person.key"),
        "--plan",
        &p("plan.json"),
    ]);
    assert!(
        full.contains("Compliance: execution kept the agreed terms and the adopted plan, person by person: no deviation found."),
        "{full}"
    );
    // ...and on the signed counts by a party that holds only the deal as
    // the service shows it, exported with the ledger.
    ok(&[
        &["export"][..],
        &id,
        &[
            "--token-file",
            &side_a_token,
            "--out",
            &p("ledger2.jsonl"),
            "--terms",
            &p("terms.json"),
        ],
    ]
    .concat());
    let counts = ok(&[
        "verify",
        &p("ledger2.jsonl"),
        "--keys",
        &p("keys.json"),
        "--terms",
        &p("terms.json"),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&counts).expect("json");
    assert_eq!(report["compliance"]["evidence"], "counts");
    assert_eq!(report["compliance"]["open"], 0);
    assert_eq!(report["compliance"]["status"]["ended"], "completed");

    // `truce status` says where the deal stands.
    let status = ok(&[&["status"][..], &id, &["--token-file", &side_a_token]].concat());
    assert!(status.contains("Deal minimal: completed"), "{status}");
    assert!(status.contains("Findings: none"), "{status}");
}

#[test]
fn the_client_says_what_is_wrong_before_anything_is_sent() {
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "export",
                "--service",
                "ftp://example.org:21",
                "--deal-id",
                "d",
                "--token-file",
                "x",
                "--out",
                "y",
            ],
            "give the address as https://HOST:PORT or http://HOST:PORT",
        ),
        (
            &[
                "record",
                "{\"type\":\"completed\"}",
                "--deal-id",
                "Bad Id",
                "--key",
                "k",
                "--token-file",
                "t",
            ],
            "--deal-id `Bad Id`",
        ),
        (
            &[
                "export",
                "--service",
                "http://127.0.0.1:9/api",
                "--deal-id",
                "d",
                "--token-file",
                "x",
                "--out",
                "y",
            ],
            "without a path",
        ),
    ];
    for (args, says) in cases {
        let out = truce(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn a_deal_is_registered_recorded_and_exported_over_https() {
    let s = Server::start_with("service-tls", true, &[]);
    let p = |name: &str| s.path(name);
    let deal = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal/deal.toml");
    let deal = deal.to_str().expect("utf-8");
    let mut keygen = vec!["keygen", "--out", s.dir.0.to_str().expect("utf-8")];
    for party in ["side-a", "side-b", "mediator", "relief"] {
        keygen.extend(["--party", party]);
    }
    ok(&keygen);
    let ca = tls_file("ca.pem");
    let at = [
        "--service",
        &s.url,
        "--ca-cert",
        &ca,
        "--deal-id",
        "minimal",
    ];
    let (keys, out) = (p("keys.json"), p("t"));
    let register = [&["register", deal, "--keys", &keys, "--out", &out][..], &at].concat();
    ok(&register);
    let (key, token) = (p("mediator.key"), p("t/mediator.token"));
    ok(&[
        &["record", r#"{"type":"deal-created"}"#][..],
        &at,
        &["--key", &key, "--token-file", &token],
    ]
    .concat());
    ok(&[
        &["export"][..],
        &at,
        &["--token-file", &token, "--out", &p("ledger.jsonl")],
    ]
    .concat());
    ok(&[
        "verify",
        &p("ledger.jsonl"),
        "--keys",
        &p("keys.json"),
        "--deal-id",
        "minimal",
    ]);
    // Without the test CA, the service's certificate is not trusted.
    let untrusted = truce(
        &[
            &["export", "--service", &s.url, "--deal-id", "minimal"][..],
            &["--token-file", &token, "--out", &p("other.jsonl")],
        ]
        .concat(),
    );
    assert_eq!(untrusted.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert!(stderr.contains("certificate"), "{stderr}");
}

/// The bytes of the service's SQLite files (database and WAL).
fn database_bytes(s: &Server) -> Vec<u8> {
    ["truce.db", "truce.db-wal"]
        .iter()
        .filter_map(|f| std::fs::read(s.path(f)).ok())
        .flatten()
        .collect()
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn with_an_at_rest_key_the_database_names_no_person() {
    let deal = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal/deal.toml");
    let deal = deal.to_str().expect("utf-8");
    let key = "5e".repeat(32);
    for sealed in [false, true] {
        let env: &[(&str, &str)] = if sealed {
            &[("TRUCE_AT_REST_KEY", &key)]
        } else {
            &[]
        };
        let mut s = Server::start_with("service-sealed", false, env);
        let p = |name: &str| s.path(name);
        let mut keygen = vec!["keygen", "--out", s.dir.0.to_str().expect("utf-8")];
        for party in ["side-a", "side-b", "mediator", "relief"] {
            keygen.extend(["--party", party]);
        }
        ok(&keygen);
        let (keys, out) = (p("keys.json"), p("t"));
        ok(&[
            "register",
            deal,
            "--keys",
            &keys,
            "--out",
            &out,
            "--service",
            &s.url,
            "--deal-id",
            "minimal",
        ]);
        let person_key = std::fs::read_to_string(p("t/person.key")).expect("person key");
        let _ = s.child.kill();
        let _ = s.child.wait();
        let bytes = database_bytes(&s);
        assert!(!bytes.is_empty());
        // The roster's persons and the deal's person key: in clear without
        // the key (the control), nowhere with it.
        for secret in ["B-0001", person_key.trim()] {
            assert_eq!(holds(&bytes, secret), !sealed, "{secret}, sealed: {sealed}");
        }
    }
}

/// One HTTP/1.1 keep-alive request on `stream`: the status line of its
/// answer, or `None` when the service has closed the connection.
fn health(stream: &mut std::net::TcpStream) -> Option<String> {
    use std::io::{BufRead, BufReader, Read, Write};
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    if reader.read_line(&mut status).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(status.trim_end().to_owned())
}

#[test]
fn the_connection_cap_per_peer_comes_from_the_environment() {
    let server = Server::start_with(
        "per-peer",
        false,
        &[("TRUCE_MAX_CONNECTIONS_PER_PEER", "1")],
    );
    let addr = server.url.trim_start_matches("http://").to_owned();
    let mut first = std::net::TcpStream::connect(&addr).expect("connect");
    first
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    assert_eq!(health(&mut first).as_deref(), Some("HTTP/1.1 200 OK"));
    // A second connection from the same peer: the first, idle, makes room.
    let mut second = std::net::TcpStream::connect(&addr).expect("connect");
    second
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    assert_eq!(health(&mut second).as_deref(), Some("HTTP/1.1 200 OK"));
    // The service closes the idle first connection (end of stream, within
    // the read timeout). Asked nothing more, so a close still on its way
    // on a loaded machine cannot be overtaken by a new request.
    let mut byte = [0u8; 1];
    let read = std::io::Read::read(&mut first, &mut byte);
    assert!(
        matches!(read, Ok(0))
            || read
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "the idle connection was closed: {read:?}"
    );
    assert_eq!(health(&mut second).as_deref(), Some("HTTP/1.1 200 OK"));
}

/// Single text with people from the command line: the mediator registers
/// the draft with its open issues, posts the algorithm's text and one of
/// its own, the sides vote with their keys, the guarantor sees the texts
/// and never a vote, and a side writes the agreed text into its copy of
/// the deal, signs it, and the mediator records the agreement.
#[test]
fn the_sides_agree_a_text_from_the_command_line() {
    let s = Server::start("text");
    let p = |name: &str| s.path(name);
    // The example's draft, copied: the agreed deal is written beside it.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/humanitarian-pause");
    std::fs::create_dir_all(p("draft/rosters")).expect("mkdir");
    for file in ["deal.toml", "rosters/side-a.csv", "rosters/side-b.csv"] {
        std::fs::copy(example.join(file), p(&format!("draft/{file}"))).expect("copy");
    }
    let deal = p("draft/deal.toml");
    let parties = ["side-a", "side-b", "mediator", "guarantor", "relief"];
    let mut keygen = vec!["keygen", "--out", s.dir.0.to_str().expect("utf-8")];
    for party in &parties {
        keygen.extend(["--party", party]);
    }
    ok(&keygen);
    let id = ["--service", &s.url, "--deal-id", "talks"];
    let at = |args: &[&str]| -> Vec<String> {
        [args, &id[..]]
            .concat()
            .iter()
            .map(|a| (*a).to_owned())
            .collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        truce(&args)
    };
    // A draft is refused without the flag, then registered with it.
    let draft = run(at(&[
        "register",
        &deal,
        "--keys",
        &p("keys.json"),
        "--out",
        &p("t"),
    ]));
    assert_eq!(draft.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&draft.stderr).contains("--with-open-issues"),
        "{}",
        String::from_utf8_lossy(&draft.stderr)
    );
    let out = run(at(&[
        "register",
        &deal,
        "--keys",
        &p("keys.json"),
        "--out",
        &p("t"),
        "--with-open-issues",
    ]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let as_party = |party: &str, args: &[&str]| {
        let key = p(&format!("{party}.key"));
        let token = p(&format!("t/{party}.token"));
        let mut all = at(args);
        all.extend(["--token-file".to_owned(), token]);
        if !args.contains(&"status") && !args.contains(&"agreed") && !args.contains(&"next") {
            all.extend(["--key".to_owned(), key]);
        }
        let out = run(all);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Text 1: the algorithm's, signed and posted in one step.
    let key = p("mediator.key");
    let (code, said, err) = as_party(
        "mediator",
        &[
            "text",
            "next",
            "--mediator",
            "hill-climb",
            "--seed",
            "3",
            "--rounds",
            "20",
            "--post",
            &key,
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        said.starts_with("posted text 1 from hill-climb: "),
        "{said}"
    );
    for side in ["side-a", "side-b"] {
        let (code, said, err) = as_party(side, &["text", "vote", "1", "accept"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(said.starts_with("accepted text 1"), "{said}");
    }
    // Text 2: the mediator's own; side-b rejects it.
    let (code, said, err) = as_party(
        "mediator",
        &[
            "text",
            "post",
            "--set",
            "pause-days=6",
            "--set",
            "ratio=3",
            "--set",
            "aid-trucks=300",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        said.starts_with("posted text 2: aid-trucks=300 pause-days=6 ratio=3"),
        "{said}"
    );
    // A vote twice, and a text before the round closes, are refused: exit 1.
    let (code, _, _) = as_party("side-a", &["text", "vote", "2", "accept"]);
    assert_eq!(code, Some(0));
    let (code, _, err) = as_party("side-a", &["text", "vote", "2", "reject"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("409 already-voted"), "{err}");
    let (code, _, err) = as_party("mediator", &["text", "post", "--set", "pause-days=4"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("409 round-open"), "{err}");
    let (code, said, _) = as_party("side-b", &["text", "vote", "2", "reject"]);
    assert_eq!(code, Some(0));
    assert!(said.contains("the round is closed"), "{said}");
    // Text 3, posted in error: side-a votes, then the mediator withdraws
    // it (never a side; never text 2, whose round closed); side-b's vote
    // comes too late; text 1 stays the agreed text.
    let (code, _, err) = as_party(
        "mediator",
        &[
            "text",
            "post",
            "--set",
            "pause-days=4",
            "--set",
            "ratio=3",
            "--set",
            "aid-trucks=300",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = as_party("side-a", &["text", "vote", "3", "reject"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = as_party("side-a", &["text", "withdraw", "3"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("403"), "{err}");
    let (code, _, err) = as_party("mediator", &["text", "withdraw", "2"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("409 round-closed"), "{err}");
    let (code, said, err) = as_party("mediator", &["text", "withdraw", "3"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        said.starts_with("withdrew text 3: aid-trucks=300 pause-days=4 ratio=3"),
        "{said}"
    );
    let (code, _, err) = as_party("side-b", &["text", "vote", "3", "accept"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("409 text-withdrawn"), "{err}");
    let (code, _, err) = as_party("mediator", &["text", "withdraw", "7"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("has no text 7"), "{err}");
    let (_, said, _) = as_party("guarantor", &["text", "status"]);
    assert!(said.contains("withdrawn by mediator"), "{said}");
    // A bad text names the issue; an unknown algorithm names the valid ones.
    let (code, _, err) = as_party(
        "mediator",
        &[
            "text",
            "post",
            "--set",
            "pause-days=9",
            "--set",
            "ratio=3",
            "--set",
            "aid-trucks=300",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("422 bad-text") && err.contains("pause-days"),
        "{err}"
    );
    let (code, _, err) = as_party("mediator", &["text", "next", "--mediator", "oracle"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("unknown-mediator"), "{err}");

    // The guarantor sees the texts, never a vote; the mediator every vote.
    let (code, said, _) = as_party("guarantor", &["text", "status"]);
    assert_eq!(code, Some(0));
    assert!(
        said.contains("text 2: aid-trucks=300 pause-days=6 ratio=3"),
        "{said}"
    );
    for word in ["accept", "reject", "agreed"] {
        assert!(!said.contains(word), "{word} in {said}");
    }
    let (_, json, _) = as_party("guarantor", &["text", "status", "--format", "json"]);
    assert!(
        !json.contains("\"votes\"") && !json.contains("\"accepted\""),
        "{json}"
    );
    let (_, said, _) = as_party("mediator", &["text", "status"]);
    assert!(said.contains("  side-b: reject"), "{said}");
    assert!(said.contains("agreed: text 1"), "{said}");

    // side-a writes the agreed text into its copy; the hash is the service's.
    let (code, said, err) = as_party("side-a", &["text", "agreed", &deal, "--out", "agreed.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        said.contains("is the deal hash the service holds"),
        "{said}"
    );
    let agreed = p("draft/agreed.toml");
    for side in ["side-a", "side-b"] {
        let sig = ok(&[
            "sign-agreement",
            &agreed,
            "--deal-id",
            "talks",
            "--key",
            &p(&format!("{side}.key")),
        ]);
        std::fs::write(p(&format!("{side}.sig")), sig).expect("write signature");
    }
    for (event, extra) in [
        (r#"{"type":"deal-created"}"#, vec![]),
        (r#"{"type":"negotiation-started"}"#, vec![]),
        (
            r#"{"type":"deal-agreed"}"#,
            vec![
                "--agreement".to_owned(),
                p("side-a.sig"),
                "--agreement".to_owned(),
                p("side-b.sig"),
            ],
        ),
    ] {
        let mut args = at(&["record", event]);
        args.extend([
            "--key".to_owned(),
            p("mediator.key"),
            "--token-file".to_owned(),
            p("t/mediator.token"),
        ]);
        args.extend(extra);
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{event}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (_, said, _) = as_party("guarantor", &["text", "status"]);
    assert!(said.contains("the deal is agreed in the ledger"), "{said}");
}
