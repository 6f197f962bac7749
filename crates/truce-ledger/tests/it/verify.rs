//! Offline verification: reports of intact ledgers, and each kind of damage
//! named at the right line.

use truce_ledger::*;

use crate::fixture::{Book, Parties, pseudonyms, story};

fn lines(jsonl: &str) -> Vec<String> {
    jsonl.lines().map(str::to_owned).collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Verify and describe the first bad event as `line seq kind: message`.
fn first_bad(jsonl: &str, keys: &KeyRing) -> String {
    let report = verify(jsonl, keys).unwrap();
    match report.first_bad {
        None => "intact".into(),
        Some(b) => format!(
            "line {} seq {} {}: {}",
            b.line,
            b.seq.map_or("?".into(), |s| s.to_string()),
            b.kind,
            b.message
        ),
    }
}

/// `line` with the pseudonym of person `from` of the story's deal replaced
/// by that of `to`: a forger with the person key editing a handover.
fn swap_person(line: &str, from: &str, to: &str) -> String {
    let deal = DealId::new("four-day-pause").unwrap();
    let [old, new] = [from, to].map(|p| pseudonyms(&deal, &[p])[0].to_string());
    assert!(line.contains(&old), "{line}");
    line.replace(&old, &new)
}

#[test]
fn intact_report() {
    let book = story();
    let report = verify(&book.jsonl(), &book.keys).unwrap();
    assert!(report.intact);
    insta::assert_snapshot!(report.render_text());
    insta::assert_json_snapshot!(report);
}

#[test]
fn broken_report() {
    let book = story();
    let mut l = lines(&book.jsonl());
    l.remove(6);
    let report = verify(&join(&l), &book.keys).unwrap();
    insta::assert_snapshot!(report.render_text());
    insta::assert_json_snapshot!(report);
}

#[test]
fn damage_is_named() {
    let book = story();
    let keys = &book.keys;
    let orig = lines(&book.jsonl());
    let edit = |f: &dyn Fn(&mut Vec<String>)| {
        let mut l = orig.clone();
        f(&mut l);
        first_bad(&join(&l), keys)
    };
    let mut out = String::new();
    let mut case = |name: &str, result: String| out += &format!("{name}: {result}\n");
    case("intact", first_bad(&book.jsonl(), keys));
    case("no final newline", first_bad(book.jsonl().trim_end(), keys));
    case(
        "deleted line 7",
        edit(&|l| {
            l.remove(6);
        }),
    );
    case(
        "deleted first line",
        edit(&|l| {
            l.remove(0);
        }),
    );
    case("swapped lines 7 and 8", edit(&|l| l.swap(6, 7)));
    case(
        "line 9 duplicated",
        edit(&|l| {
            let d = l[8].clone();
            l.insert(9, d);
        }),
    );
    case(
        "pseudonym edited",
        edit(&|l| l[5] = swap_person(&l[5], "B-0001", "B-0009")),
    );
    case(
        "signature edited",
        edit(&|l| {
            let i = l[3].len() - 3;
            let c = if &l[3][i..i + 1] == "0" { "1" } else { "0" };
            l[3].replace_range(i..i + 1, c);
        }),
    );
    case(
        "signature upper-cased",
        edit(&|l| {
            let i = l[3].find("\"signature\":\"").unwrap() + 13;
            let upper = l[3][i..].to_uppercase();
            l[3].replace_range(i.., &upper);
        }),
    );
    case(
        "prev edited",
        edit(&|l| {
            let i = l[10].find("\"prev\":\"").unwrap() + 8;
            let c = if &l[10][i..i + 1] == "a" { "b" } else { "a" };
            l[10].replace_range(i..i + 1, c);
        }),
    );
    case(
        "re-encoded with spaces",
        edit(&|l| l[2] = l[2].replacen(",", ", ", 1)),
    );
    case("crlf line ending", edit(&|l| l[4].push('\r')));
    case("blank line", edit(&|l| l.insert(3, String::new())));
    case("truncated line", edit(&|l| l[12].truncate(40)));
    case("not json", edit(&|l| l[12] = "hello".into()));
    case(
        "unknown field",
        edit(&|l| l[12] = l[12].replacen("{", "{\"x\":1,", 1)),
    );
    case(
        "future format",
        edit(&|l| l[12] = l[12].replace("\"format_version\":1", "\"format_version\":2")),
    );
    case(
        "timestamp edited",
        edit(&|l| l[14] = l[14].replace("\"at_ms\":1", "\"at_ms\":2")),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn keys_matter() {
    let book = story();
    let jsonl = book.jsonl();
    let p = Parties::new();
    let without_relief = KeyRing::of([&p.mediator, &p.side_a, &p.side_b]).unwrap();
    assert_eq!(
        first_bad(&jsonl, &without_relief),
        "line 6 seq 6 unknown-key: no public key for party relief"
    );
    // A key ring where side-b's key is side-a's: the agreement fails first.
    let mut swapped = KeyRing::new();
    for k in [&p.mediator, &p.relief, &p.observer] {
        swapped.insert(k.party().clone(), k.public_key()).unwrap();
    }
    swapped
        .insert(p.side_a.party().clone(), p.side_a.public_key())
        .unwrap();
    swapped
        .insert(p.side_b.party().clone(), p.side_a.public_key())
        .unwrap();
    assert_eq!(
        first_bad(&jsonl, &swapped),
        "line 3 seq 3 bad-agreement-signature: bad agreement signature of side side-b"
    );
}

#[test]
fn empty_ledger_is_an_input_error() {
    let keys = Parties::new().ring();
    assert_eq!(verify("", &keys), Err(VerifyError::Empty));
    assert_eq!(verify("\n", &keys), Err(VerifyError::Empty));
}

#[test]
fn bytes_that_are_not_utf8() {
    let book = story();
    let mut bytes = book.jsonl().into_bytes();
    // Inside the first handover's first pseudonym (line 6).
    let field = b"\"pseudonyms\":[\"";
    let at = bytes.windows(field.len()).position(|w| w == field).unwrap() + field.len();
    bytes[at] = 0xff;
    let bad = verify_bytes(&bytes, &book.keys).unwrap().first_bad.unwrap();
    assert_eq!((bad.line, bad.kind), (6, "malformed"));
}

#[test]
fn interleaved_deals() {
    let a = story();
    let mut b = Book::new("second-deal");
    b.reach(Phase::Active);
    b.exchange("side-a", "side-b", 1, &["A-0100"]);
    let (la, lb) = (lines(&a.jsonl()), lines(&b.jsonl()));
    let mut mixed = Vec::new();
    for i in 0..la.len().max(lb.len()) {
        mixed.extend(la.get(i).cloned());
        mixed.extend(lb.get(i).cloned());
    }
    let report = verify(&join(&mixed), &a.keys).unwrap();
    insta::assert_snapshot!(report.render_text());
}

#[test]
fn long_ledger_crosses_batches() {
    // More signatures than one batch holds, with the forgery deep inside.
    let book = crate::fixture::long_deal(400);
    let keys = &book.keys;
    assert_eq!(first_bad(&book.jsonl(), keys), "intact");
    let mut l = lines(&book.jsonl());
    let forged = book.parties.side_b.clone();
    // Line 700 is a handover recorded by relief; claim side-b wrote it.
    let mut ev: SignedEvent = serde_json::from_str(&l[699]).unwrap();
    ev.author = forged.party().clone();
    l[699] = ev.to_line().unwrap();
    assert_eq!(
        first_bad(&join(&l), keys),
        "line 700 seq 700 bad-signature: bad signature: not signed by its author side-b"
    );
}

#[test]
fn options_do_not_change_the_verdict() {
    let book = crate::fixture::long_deal(150);
    let mut l = lines(&book.jsonl());
    let mut ev: SignedEvent = serde_json::from_str(&l[201]).unwrap();
    ev.at_ms += 1;
    l[201] = ev.to_line().unwrap();
    let text = join(&l);
    let reference = verify(&text, &book.keys).unwrap();
    assert_eq!(reference.first_bad.as_ref().map(|b| b.line), Some(202));
    for (threads, batch) in [(1, 1), (2, 3), (3, 64), (2, 10_000)] {
        let options = VerifyOptions {
            threads,
            batch,
            ..VerifyOptions::default()
        };
        let report = verify_with(text.as_bytes(), &book.keys, &options).unwrap();
        assert_eq!(report, reference, "threads {threads}, batch {batch}");
    }
}

#[test]
fn receipts_catch_cut_and_rewritten_tails() {
    let book = story();
    let keys = &book.keys;
    let with = |receipts: &[Receipt], text: &str| {
        let options = VerifyOptions {
            receipts: receipts.to_vec(),
            ..VerifyOptions::default()
        };
        let report = verify_with(text.as_bytes(), keys, &options).unwrap();
        report.first_bad.map_or("intact".into(), |b| {
            format!("line {} {}: {}", b.line, b.kind, b.message)
        })
    };
    let last = book.receipts.last().unwrap().clone();
    assert_eq!(with(&book.receipts, &book.jsonl()), "intact");

    // Cutting the last two events leaves an intact chain...
    let cut = join(&lines(&book.jsonl())[..21]);
    assert_eq!(first_bad(&cut, keys), "intact");
    // ...that the last receipt exposes.
    assert_eq!(
        with(std::slice::from_ref(&last), &cut),
        "line 22 truncated: the ledger ends at seq 21 of deal four-day-pause, \
         but a receipt acknowledges seq 23: events were cut off"
    );

    // The mediator re-signs a different ending: every signature holds, the
    // receipt does not.
    let mut rewritten = story();
    rewritten.events.pop();
    rewritten.ledger = DealLedger::new(rewritten.deal());
    for ev in &rewritten.events {
        rewritten.ledger.append(ev, keys).unwrap();
    }
    rewritten.record(
        |p| &p.mediator,
        Event::Collapsed {
            reason: "rewritten ending".into(),
        },
    );
    assert_eq!(first_bad(&rewritten.jsonl(), keys), "intact");
    assert_eq!(
        with(&[last], &rewritten.jsonl()),
        "line 23 receipt-mismatch: seq 23 of deal four-day-pause is not the event its \
         receipt acknowledges: the ledger was rewritten"
    );
}

/// `tests/data/` holds the fixture's ledger and keys as files, for the CLI's
/// end-to-end tests; they must stay what the fixture writes. Regenerate with
/// `TRUCE_LEDGER_WRITE_DATA=1 cargo test -p truce-ledger`.
#[test]
fn data_files_match_the_fixture() {
    let book = story();
    let mut tampered = lines(&book.jsonl());
    tampered[5] = swap_person(&tampered[5], "B-0001", "B-0009");
    let files = [
        ("ledger.jsonl", book.jsonl()),
        ("keys.json", book.keys.to_json()),
        ("tampered.jsonl", join(&tampered)),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (name, text) in files {
        let path = dir.join(name);
        if std::env::var_os("TRUCE_LEDGER_WRITE_DATA").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "{} is stale: regenerate it",
            path.display()
        );
    }
}
