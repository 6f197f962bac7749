//! Verification throughput (`truce verify` must reach 40,000 events/s) and
//! the append path a store drives (sign + append, 2,000 events/s).
//!
//! Run: `cargo bench -p truce-ledger --bench verify`; results and machine in
//! BENCH-NOTES.md.

use divan::counter::ItemsCount;
use truce_ledger::*;

fn main() {
    divan::main();
}

fn key(id: &str, seed: u8) -> PartyKey {
    PartyKey::from_seed(PartyId::new(id).unwrap(), &[seed; 32])
}

struct Fixture {
    keys: Vec<PartyKey>,
    ring: KeyRing,
    person_key: PersonKey,
}

fn fixture() -> Fixture {
    let keys = vec![
        key("mediator", 1),
        key("side-a", 2),
        key("side-b", 3),
        key("relief", 4),
    ];
    let ring = KeyRing::of(&keys).unwrap();
    let person_key = PersonKey::from_bytes([9; 32]);
    Fixture {
        keys,
        ring,
        person_key,
    }
}

/// The events of an active deal: setup, then handovers of one person each,
/// each confirmed by its receiving side, until there are `n` events.
fn events(f: &Fixture, n: usize) -> impl Iterator<Item = (usize, Event)> + '_ {
    let [m, a, b, r] = [0, 1, 2, 3];
    let deal = DealId::new("bench").unwrap();
    let h = Hash::of(b"deal");
    let party = |i: usize| f.keys[i].party().clone();
    let roles = [Role::Mediator, Role::Side, Role::Side, Role::Intermediary];
    let setup = vec![
        (
            m,
            Event::DealCreated {
                name: "bench".into(),
                parties: (0..4)
                    .map(|i| PartyRole {
                        id: party(i),
                        role: roles[i],
                    })
                    .collect(),
            },
        ),
        (m, Event::NegotiationStarted {}),
        (
            m,
            Event::DealAgreed {
                deal_hash: h,
                signatures: vec![
                    sign_agreement(&f.keys[a], &deal, &h),
                    sign_agreement(&f.keys[b], &deal, &h),
                ],
            },
        ),
        (
            m,
            Event::PlanAdopted {
                plan_hash: h,
                days: 4,
            },
        ),
        (m, Event::PauseStarted {}),
    ];
    let steady = (0..).map(move |i: usize| {
        let seq = 6 + i as u64;
        if i.is_multiple_of(2) {
            (
                r,
                Event::HandoverRecorded {
                    counts: None,
                    holder: party(b),
                    to: party(a),
                    day: 1 + (i % 4) as u32,
                    pseudonyms: vec![
                        f.person_key
                            .pseudonym(&deal, &PersonId::new(&format!("P-{i:07}")).unwrap()),
                    ],
                },
            )
        } else {
            (a, Event::HandoverConfirmed { handover: seq - 1 })
        }
    });
    setup.into_iter().chain(steady).take(n)
}

/// A ledger of `n` events, built without the append checks (fast setup).
fn ledger(f: &Fixture, n: usize) -> String {
    let deal = DealId::new("bench").unwrap();
    let mut prev = None;
    let mut out = String::new();
    for (i, (author, event)) in events(f, n).enumerate() {
        let key = &f.keys[author];
        let draft = Draft {
            deal: deal.clone(),
            seq: i as u64 + 1,
            prev,
            author: key.party().clone(),
            at_ms: 1_772_431_200_000 + i as u64,
            event,
        };
        let ev = draft.sign(key).unwrap();
        let line = ev.to_line().unwrap();
        prev = Some(Hash::of(line.as_bytes()));
        out += &line;
        out.push('\n');
    }
    out
}

/// A 20,000-event ledger, by (signature threads, batch size).
#[divan::bench(
    args = [(1, 64), (1, 256), (1, DEFAULT_BATCH), (1, 4096), (2, DEFAULT_BATCH)],
    sample_count = 8,
    sample_size = 1
)]
fn verify_ledger(bencher: divan::Bencher, (threads, batch): (usize, usize)) {
    let n = 20_000;
    let f = fixture();
    let text = ledger(&f, n);
    let options = VerifyOptions {
        threads,
        batch,
        ..VerifyOptions::default()
    };
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let report = verify_with(divan::black_box(text.as_bytes()), &f.ring, &options).unwrap();
        assert!(report.intact);
    });
}

#[divan::bench(args = [1_000], sample_count = 5, sample_size = 1)]
fn sign_and_append(bencher: divan::Bencher, n: usize) {
    let f = fixture();
    let deal = DealId::new("bench").unwrap();
    let evs: Vec<_> = events(&f, n).collect();
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let mut ledger = DealLedger::new(deal.clone());
        for (i, (author, event)) in evs.iter().enumerate() {
            let key = &f.keys[*author];
            let signed = ledger
                .draft(key.party().clone(), i as u64, event.clone())
                .sign(key)
                .unwrap();
            ledger.append(&signed, &f.ring).unwrap();
        }
    });
}
