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

mod fast_path {
    //! `verify` trusts plain serde_json output of a ledger line to be its
    //! RFC 8785 form; this holds it to the canonicalizer on arbitrary events.

    use proptest::prelude::*;
    use truce_ledger::*;

    fn id() -> impl Strategy<Value = String> {
        "[a-z0-9-]{1,12}"
    }

    fn text() -> impl Strategy<Value = String> {
        // Any Unicode, control characters and quotes included.
        any::<String>()
    }

    fn int() -> impl Strategy<Value = u64> {
        0..=MAX_SAFE_INTEGER
    }

    fn hash() -> impl Strategy<Value = Hash> {
        any::<[u8; 32]>().prop_map(Hash)
    }

    fn sig() -> impl Strategy<Value = Sig> {
        (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(a, b)| {
            let mut bytes = [0; 64];
            bytes[..32].copy_from_slice(&a);
            bytes[32..].copy_from_slice(&b);
            Sig::from_bytes(&bytes)
        })
    }

    fn party() -> impl Strategy<Value = PartyId> {
        id().prop_map(|s| PartyId::new(&s).unwrap())
    }

    fn event() -> impl Strategy<Value = Event> {
        let role = prop_oneof![
            Just(Role::Side),
            Just(Role::Mediator),
            Just(Role::Intermediary),
            Just(Role::Guarantor),
            Just(Role::Observer)
        ];
        let roles = prop::collection::vec((party(), role), 0..4).prop_map(|v| {
            v.into_iter()
                .map(|(id, role)| PartyRole { id, role })
                .collect()
        });
        let sigs = || {
            prop::collection::vec((party(), sig()), 0..3).prop_map(|v| {
                v.into_iter()
                    .map(|(party, signature)| PartySignature { party, signature })
                    .collect()
            })
        };
        let pseudonyms = prop::collection::vec(any::<[u8; 32]>(), 0..4)
            .prop_map(|v| v.into_iter().map(Pseudonym::from_bytes).collect());
        // Categories share the party ids' spelling rules.
        let counts = prop::option::of(prop::collection::btree_map(party(), any::<u32>(), 0..4))
            .prop_map(|m| {
                m.map(|m| {
                    m.into_iter()
                        .map(|(p, n)| (CategoryId::new(p.as_str()).expect("category"), n))
                        .collect()
                })
            });
        prop_oneof![
            (text(), roles).prop_map(|(name, parties)| Event::DealCreated { name, parties }),
            Just(Event::NegotiationStarted {}),
            (hash(), sigs()).prop_map(|(deal_hash, signatures)| Event::DealAgreed {
                deal_hash,
                signatures
            }),
            (any::<u32>(), hash(), text(), hash(), sigs()).prop_map(
                |(amendment, deal_hash, reason, replaces, signatures)| Event::DealAmended {
                    amendment,
                    deal_hash,
                    reason,
                    replaces,
                    signatures,
                }
            ),
            (any::<u32>(), hash())
                .prop_map(|(days, plan_hash)| Event::PlanAdopted { days, plan_hash }),
            Just(Event::PauseStarted {}),
            (any::<u32>(), party(), pseudonyms, party(), counts).prop_map(
                |(day, holder, pseudonyms, to, counts)| Event::HandoverRecorded {
                    counts,
                    day,
                    holder,
                    pseudonyms,
                    to,
                }
            ),
            (text(), text(), any::<bool>()).prop_map(|(finding, reason, upheld)| {
                Event::FindingRuled {
                    finding,
                    reason,
                    ruling: if upheld {
                        Ruling::Upheld
                    } else {
                        Ruling::Excused
                    },
                }
            }),
            int().prop_map(|handover| Event::HandoverConfirmed { handover }),
            (party(), text())
                .prop_map(|(against, summary)| Event::BreachReported { against, summary }),
            (int(), any::<bool>()).prop_map(|(breach, up)| Event::BreachResolved {
                breach,
                finding: if up {
                    Finding::Upheld
                } else {
                    Finding::Dismissed
                },
            }),
            text().prop_map(|reason| Event::Suspended { reason }),
            Just(Event::Resumed {}),
            any::<u32>().prop_map(|days| Event::Extended { days }),
            Just(Event::Completed {}),
            text().prop_map(|reason| Event::Collapsed { reason }),
            (any::<u32>(), party(), any::<u32>()).prop_map(|(day, flow, quantity)| {
                Event::FlowRecorded {
                    day,
                    flow: flow.as_str().to_owned(),
                    quantity,
                }
            }),
            (hash(), any::<u32>(), any::<u32>(), party()).prop_map(
                |(commitment, count, day, to)| Event::ListsExchanged {
                    commitment,
                    count,
                    day,
                    to,
                }
            ),
            int().prop_map(|list| Event::ListAcknowledged { list }),
        ]
    }

    proptest! {
        #[test]
        fn serde_json_writes_ledger_lines_canonically(
            event in event(),
            deal in id(),
            author in party(),
            (seq, at_ms) in (int(), int()),
            prev in prop::option::of(hash()),
            signature in sig(),
        ) {
            let ev = SignedEvent {
                at_ms,
                author,
                deal: DealId::new(&deal).unwrap(),
                event,
                format_version: LEDGER_FORMAT_VERSION,
                prev,
                seq,
                signature,
            };
            let plain = serde_json::to_string(&ev).unwrap();
            prop_assert_eq!(&plain, &ev.to_line().unwrap());
            let back: SignedEvent = serde_json::from_str(&plain).unwrap();
            prop_assert_eq!(back, ev);
        }
    }
}
