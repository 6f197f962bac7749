//! Key files: round trips, and every way a key file can be refused.

use truce_ledger::{KeyRing, PartyKey, keygen};

use crate::fixture::{Parties, party};

#[test]
fn key_file_round_trip() {
    let ring = Parties::new().ring();
    let text = ring.to_json();
    insta::assert_snapshot!(text);
    assert_eq!(KeyRing::parse(&text).unwrap(), ring);
}

#[test]
fn secret_file_round_trip() {
    let key = Parties::new().side_a;
    let back = PartyKey::from_secret_file(&key.to_secret_file()).unwrap();
    assert_eq!(back.party(), key.party());
    assert_eq!(back.public_key(), key.public_key());
    // Debug never shows the secret half.
    assert!(!format!("{key:?}").contains(&"02".repeat(32)));
}

#[test]
fn keygen_is_deterministic_in_the_callers_rng() {
    use rand_chacha::ChaCha20Rng;
    use rand_chacha::rand_core::SeedableRng;
    let make = || keygen(party("relief"), &mut ChaCha20Rng::seed_from_u64(42)).public_key();
    assert_eq!(make(), make());
    let other = keygen(party("relief"), &mut ChaCha20Rng::seed_from_u64(43)).public_key();
    assert_ne!(make(), other);
}

fn check_error(input: &str, expect: &str) {
    match KeyRing::parse(input) {
        Ok(ring) => panic!("accepted {input}: {ring:?}"),
        Err(e) => assert_eq!(e.to_string(), expect, "for {input}"),
    }
}

#[test]
fn bad_key_files() {
    let good = Parties::new().mediator.public_key().to_hex();
    let entry = |id: &str, key: &str| format!(r#"{{"id":"{id}","public_key":"{key}"}}"#);
    let file = |entries: &[String]| {
        format!(
            r#"{{"format_version":1,"parties":[{}]}}"#,
            entries.join(",")
        )
    };
    check_error(
        "",
        "malformed key file: EOF while parsing a value at line 1 column 0",
    );
    check_error(
        r#"{"format_version":2,"parties":[]}"#,
        "unsupported key file format_version 2 (this build reads 1)",
    );
    check_error(
        &file(&[entry("Side A", &good)]),
        "bad party id in key file: an id may contain only lowercase letters, digits and '-'",
    );
    check_error(
        &file(&[entry("side-a", &good), entry("side-a", &good)]),
        "party side-a has more than one key in the key file",
    );
    check_error(
        &file(&[entry("side-a", "abc")]),
        "bad key for party side-a: a public key must be 64 hex digits",
    );
    // The identity point: a small-order key anyone could "sign" for.
    let identity = format!("01{}", "00".repeat(31));
    check_error(
        &file(&[entry("side-a", &identity)]),
        "bad key for party side-a: a weak (small-order) ed25519 key is not accepted",
    );
    let err = KeyRing::parse("{\n  \"format_version\": 1,\n  \"parties\": [}").unwrap_err();
    assert_eq!(err.position(), Some((3, 15)));
}

#[test]
fn keygen_files_for_the_cli() {
    use rand_chacha::ChaCha20Rng;
    use rand_chacha::rand_core::SeedableRng;
    let parties = [party("mediator"), party("side-a")];
    let files = truce_ledger::keygen_files(&parties, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
    let ring = KeyRing::parse(&files.public).unwrap();
    for key in &files.secret {
        let back = PartyKey::from_secret_file(&key.to_secret_file()).unwrap();
        assert_eq!(ring.get(back.party()), Some(&key.public_key()));
    }
    let twice = [party("side-a"), party("side-a")];
    let err = truce_ledger::keygen_files(&twice, &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "party side-a has more than one key in the key file"
    );
}
