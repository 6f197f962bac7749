//! The file-input corpus: every file truce reads is a regular file within
//! its kind's cap, a roster stays inside the deal's folder, and a closed
//! standard output ends the program quietly. Each case: the exit code and
//! the message, and that nothing hangs (every run is bounded).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Scratch, truce};

/// Runs truce with `args`, killed if it runs longer than a minute (a
/// FIFO read would hang for ever): exit code and stderr.
fn bounded(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(trycmd::cargo::cargo_bin!("truce"))
        .args(args)
        .env_remove("TRUCE_ADMIN_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("truce runs");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("truce {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The minimal example copied into `dir`, its roster replaced by what
/// `roster` makes there.
fn deal_with_roster(dir: &Path, roster: impl FnOnce(&Path)) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal");
    std::fs::create_dir_all(dir.join("rosters")).unwrap();
    std::fs::copy(root.join("deal.toml"), dir.join("deal.toml")).unwrap();
    roster(&dir.join("rosters/side-b.csv"));
    dir.display().to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[cfg(unix)]
#[test]
fn a_roster_linked_outside_the_deal_folder_is_refused_unread() {
    let scratch = Scratch::new("inputs-link");
    let outside = scratch.0.join("outside.csv");
    std::fs::write(&outside, "SECRET-FIRST-LINE,x\n").unwrap();
    let deal = deal_with_roster(&scratch.0.join("deal"), |roster| {
        std::os::unix::fs::symlink(&outside, roster).unwrap();
    });
    let (code, stderr) = bounded(&["check", &deal]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("outside the deal's folder"), "{stderr}");
    assert!(!stderr.contains("SECRET-FIRST-LINE"), "{stderr}");
    // A link that stays inside the folder is followed.
    let inside = deal_with_roster(&scratch.0.join("inside"), |roster| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal");
        let real = roster.with_file_name("real.csv");
        std::fs::copy(root.join("rosters/side-b.csv"), &real).unwrap();
        std::os::unix::fs::symlink(&real, roster).unwrap();
    });
    let (code, stderr) = bounded(&["check", &inside]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let scratch = Scratch::new("inputs-fifo");
    let mkfifo = |p: &Path| {
        let ok = Command::new("mkfifo").arg(p).status().expect("mkfifo");
        assert!(ok.success());
    };
    let deal = deal_with_roster(&scratch.0.join("deal"), mkfifo);
    let (code, stderr) = bounded(&["check", &deal]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    let fifo = scratch.0.join("ledger.fifo");
    mkfifo(&fifo);
    let (code, stderr) = bounded(&["verify", path(&fifo), "--keys", path(&fifo)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn devices_and_folders_are_refused_for_every_file_kind() {
    let scratch = Scratch::new("inputs-device");
    let keys = scratch.0.join("keys");
    let out = truce(&["keygen", "--party", "a", "--out", path(&keys)]);
    assert!(out.status.success());
    let keys_json = keys.join("keys.json");
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal");
    let cases: Vec<Vec<&str>> = vec![
        vec!["verify", "/dev/zero", "--keys", path(&keys_json)],
        vec!["verify", path(&scratch.0), "--keys", path(&keys_json)],
        vec!["verify", "/dev/null", "--keys", "/dev/zero"],
        vec!["check", path(&minimal), "--plan", "/dev/urandom"],
        vec!["check", "/dev/zero"],
    ];
    for args in cases {
        let (code, stderr) = bounded(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("not a regular file") || stderr.contains("is a folder"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_huge_sparse_file_is_refused_by_its_size_unread() {
    let scratch = Scratch::new("inputs-sparse");
    let huge = scratch.0.join("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(20 << 30)
        .unwrap();
    let keys = scratch.0.join("keys");
    assert!(
        truce(&["keygen", "--party", "a", "--out", path(&keys)])
            .status
            .success()
    );
    let keys_json = keys.join("keys.json");
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal");
    for (args, limit) in [
        (
            vec!["verify", path(&huge), "--keys", path(&keys_json)],
            "1073741824-byte limit for a ledger",
        ),
        (
            vec!["verify", path(&huge), "--keys", path(&huge)],
            "1048576-byte limit for a key file",
        ),
        (
            vec!["check", path(&minimal), "--plan", path(&huge)],
            "268435456-byte limit for a plan file",
        ),
    ] {
        let (code, stderr) = bounded(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(limit), "{args:?}: {stderr}");
    }
}

#[test]
fn a_key_file_error_names_its_line_and_column() {
    let scratch = Scratch::new("inputs-keys");
    let keys = scratch.0.join("keys");
    assert!(
        truce(&[
            "keygen",
            "--party",
            "a",
            "--party",
            "b",
            "--out",
            path(&keys)
        ])
        .status
        .success()
    );
    let keys_json = keys.join("keys.json");
    let text = std::fs::read_to_string(&keys_json).unwrap();
    // Party b's key, one hex digit short.
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let b_key = value["parties"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == "b"))
        .and_then(|p| p["public_key"].as_str())
        .expect("b's key")
        .to_owned();
    std::fs::write(&keys_json, text.replace(&b_key, &b_key[1..])).unwrap();
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("\"b\"").map(|c| (i + 1, c + 1)))
        .expect("b in the key file");
    let (code, stderr) = bounded(&["verify", "/dev/null", "--keys", path(&keys_json)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("keys.json:{line}:{column}:")),
        "{stderr}"
    );
}

#[test]
fn a_closed_standard_output_ends_the_program_quietly_with_exit_0() {
    for args in [
        vec!["analyze", "examples/humanitarian-pause"],
        vec!["check", "examples/minimal", "--format", "json"],
        vec!["plan", "examples/phased-ceasefire"],
    ] {
        let mut child = Command::new(trycmd::cargo::cargo_bin!("truce"))
            .args(&args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("truce runs");
        // The reader goes away before truce writes (or while it does).
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("output");
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}

#[test]
fn verify_deal_id_refuses_a_genuine_event_of_another_deal_spliced_in() {
    use rand_chacha::ChaCha20Rng;
    use rand_chacha::rand_core::SeedableRng;
    use truce_ledger::{DealId, Draft, Event, KeyRing, PartyId, PartyRole, Role, keygen};

    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let parties = [
        ("mediator", Role::Mediator),
        ("side-a", Role::Side),
        ("side-b", Role::Side),
    ];
    let keys: Vec<_> = parties
        .iter()
        .map(|(id, _)| keygen(PartyId::new(id).unwrap(), &mut rng))
        .collect();
    // The same parties and keys in two deals: each deal's first event,
    // signed by the same mediator.
    let created = |deal: &str| {
        Draft {
            deal: DealId::new(deal).unwrap(),
            seq: 1,
            prev: None,
            author: PartyId::new("mediator").unwrap(),
            at_ms: 1_772_431_200_000,
            event: Event::DealCreated {
                name: "Pause".to_owned(),
                parties: parties
                    .iter()
                    .map(|(id, role)| PartyRole {
                        id: PartyId::new(id).unwrap(),
                        role: *role,
                    })
                    .collect(),
            },
        }
        .sign(&keys[0])
        .unwrap()
        .to_line()
        .unwrap()
    };
    let scratch = Scratch::new("inputs-splice");
    let ledger = scratch.0.join("ledger.jsonl");
    std::fs::write(
        &ledger,
        format!("{}\n{}\n", created("north"), created("south")),
    )
    .unwrap();
    let keys_json = scratch.0.join("keys.json");
    std::fs::write(&keys_json, KeyRing::of(&keys).unwrap().to_json()).unwrap();
    // Every line is genuine: verify alone accepts the ledger.
    let (code, stderr) = bounded(&["verify", path(&ledger), "--keys", path(&keys_json)]);
    assert_eq!(code, Some(0), "{stderr}");
    // Named, the deal holds only its own events.
    let (code, stderr) = bounded(&[
        "verify",
        path(&ledger),
        "--keys",
        path(&keys_json),
        "--deal-id",
        "north",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("ledger.jsonl:2: an event of deal south, not north"),
        "{stderr}"
    );
    let (code, stderr) = bounded(&[
        "verify",
        path(&ledger),
        "--keys",
        path(&keys_json),
        "--deal-id",
        "east",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("ledger.jsonl:1: an event of deal north, not east"),
        "{stderr}"
    );
}

#[test]
fn a_secret_key_file_error_names_the_line_of_the_key() {
    let scratch = Scratch::new("inputs-secret");
    let keys = scratch.0.join("keys");
    assert!(
        truce(&["keygen", "--party", "side-a", "--out", path(&keys)])
            .status
            .success()
    );
    let key_file = keys.join("side-a.key");
    let text = std::fs::read_to_string(&key_file).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let secret = value["secret_key"].as_str().expect("secret_key").to_owned();
    std::fs::write(&key_file, text.replace(&secret, &secret[1..])).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("\"secret_key\""))
        .expect("secret_key line")
        + 1;
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal");
    let (code, stderr) = bounded(&[
        "sign-agreement",
        "--deal-id",
        "d",
        "--key",
        path(&key_file),
        path(&minimal),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("side-a.key:{line}:")), "{stderr}");
    assert!(
        !stderr.contains(&secret[1..]),
        "the secret is never printed: {stderr}"
    );
}
