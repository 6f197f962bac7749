//! Canonical encoding: RFC 8785 on a few of its own examples, and the exact
//! ledger lines of the fixture (snapshots: any change to them is a format
//! change).

use serde_json::json;
use truce_ledger::{Hash, canonical_json};

use crate::fixture::story;

fn check(input: serde_json::Value, expect: &str) {
    let bytes = canonical_json(&input).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), expect);
}

#[test]
fn rfc8785_rules() {
    // Keys sorted by UTF-16 code units, numbers in ECMAScript form, minimal
    // string escapes (RFC 8785 §3.2.2 and Appendix B).
    check(
        json!({"b": 1, "a": [3, 2], "": null}),
        r#"{"":null,"a":[3,2],"b":1}"#,
    );
    check(json!(1e21), "1e+21");
    check(json!(1.5e-7), "1.5e-7");
    check(json!(100.0), "100");
    check(
        json!("\u{20ac}\n\u{1}\"\\"),
        "\"\u{20ac}\\n\\u0001\\\"\\\\\"",
    );
    check(
        json!({"\u{20ac}": 1, "\r": 2, "\u{1f600}": 3, "\u{fb33}": 4, "1": 5}),
        "{\"\\r\":2,\"1\":5,\"\u{20ac}\":1,\"\u{1f600}\":3,\"\u{fb33}\":4}",
    );
}

#[test]
fn hash_is_sha256() {
    // SHA-256("abc"), FIPS 180-2 test vector.
    assert_eq!(
        Hash::of(b"abc").to_string(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn ledger_lines() {
    let book = story();
    insta::assert_snapshot!(book.jsonl());
}

#[test]
fn lines_are_their_own_canonical_form() {
    for line in story().jsonl().lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            String::from_utf8(canonical_json(&value).unwrap()).unwrap(),
            line
        );
    }
}
