//! Person keys and pseudonyms: the MAC is the documented one, keys never
//! show in `Debug`, and no ledger line carries a person id.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use truce_ledger::*;

use crate::fixture::{person_key, story};

fn person(id: &str) -> PersonId {
    PersonId::new(id).unwrap()
}

#[test]
fn pseudonym_is_hmac_sha256_of_the_documented_message() {
    // Python: hmac.new(bytes(range(32)),
    //   b"truce/person/v1\ndeal-1\nA-0001", hashlib.sha256).hexdigest()
    let key = PersonKey::from_bytes(std::array::from_fn(|i| i as u8));
    let deal = DealId::new("deal-1").unwrap();
    assert_eq!(
        key.pseudonym(&deal, &person("A-0001")).to_string(),
        "d249a6770b7c8dbf9d2c2c07847317e1f7abeeea8eea3186f76e6a3a2584c580"
    );
    // One pseudonym per person and deal; another deal, person or key
    // gives another.
    let p = key.pseudonym(&deal, &person("A-0001"));
    assert_eq!(p, key.pseudonym(&deal, &person("A-0001")));
    let other_deal = DealId::new("deal-2").unwrap();
    assert_ne!(p, key.pseudonym(&other_deal, &person("A-0001")));
    assert_ne!(p, key.pseudonym(&deal, &person("A-0002")));
    assert_ne!(p, person_key().pseudonym(&deal, &person("A-0001")));
}

#[test]
fn keys_round_trip_as_hex_and_never_show_in_debug() {
    let key = PersonKey::generate(&mut ChaCha20Rng::seed_from_u64(5));
    let hex = key.to_hex();
    assert_eq!(hex.len(), 64);
    assert_eq!(PersonKey::from_hex(&hex).unwrap(), key);
    assert_eq!(PersonKey::from_hex(&hex.to_uppercase()).unwrap(), key);
    assert_eq!(PersonKey::from_bytes(key.to_bytes()), key);
    assert_eq!(format!("{key:?}"), "PersonKey(..)");
    let json = serde_json::to_string(&key).unwrap();
    assert_eq!(json, format!("\"{hex}\""));
    assert_eq!(serde_json::from_str::<PersonKey>(&json).unwrap(), key);
    for bad in [
        "",
        "00",
        &"g".repeat(64),
        &"0".repeat(66),
        &format!(" {hex}"),
    ] {
        assert_eq!(
            PersonKey::from_hex(bad).unwrap_err(),
            "a person key must be 64 hex digits",
            "{bad:?}"
        );
    }
    // Fresh keys differ; the same seed gives the same key.
    let again = PersonKey::generate(&mut ChaCha20Rng::seed_from_u64(5));
    assert_eq!(again, key);
    assert_ne!(PersonKey::generate(&mut ChaCha20Rng::seed_from_u64(6)), key);
}

#[test]
fn pseudonyms_are_lowercase_hex_in_json() {
    let p = Pseudonym::from_bytes([0xab; 32]);
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
    assert_eq!(serde_json::from_str::<Pseudonym>(&json).unwrap(), p);
    assert_eq!(Pseudonym::from_hex(&"AB".repeat(32)), Some(p));
    assert!(serde_json::from_str::<Pseudonym>("\"B-0001\"").is_err());
    assert_eq!(p.to_bytes(), [0xab; 32]);
}

#[test]
fn no_ledger_line_carries_a_person_id() {
    let jsonl = story().jsonl();
    for id in ["A-00", "B-00"] {
        assert!(!jsonl.contains(id), "{id} in the ledger");
    }
    // The handovers are there, by pseudonym.
    let deal = DealId::new("four-day-pause").unwrap();
    let b1 = person_key().pseudonym(&deal, &person("B-0001"));
    assert!(jsonl.contains(&format!("\"pseudonyms\":[\"{b1}\"")));
}
