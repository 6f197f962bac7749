//! The lifecycle rules, as tables: which event is allowed in which phase and
//! by which role (snapshots), then the finer rules one case at a time.

use std::fmt::Write as _;

use truce_ledger::*;

use crate::fixture::{Book, Parties, party, pseudonyms};

type Who = fn(&Parties) -> &PartyKey;

const PHASES: [Phase; 8] = [
    Phase::Draft,
    Phase::Negotiating,
    Phase::Agreed,
    Phase::Planned,
    Phase::Active,
    Phase::Suspended,
    Phase::Completed,
    Phase::Collapsed,
];

const WHO: [(&str, Who); 5] = [
    ("mediator", |p| &p.mediator),
    ("side-a", |p| &p.side_a),
    ("side-b", |p| &p.side_b),
    ("relief", |p| &p.relief),
    ("observer", |p| &p.observer),
];

/// A deal in `phase`; in force phases also hold an unconfirmed handover
/// (side-b → side-a) and an open breach report, whose seqs are returned.
fn setup(phase: Phase) -> (Book, u64, u64) {
    let mut b = Book::new("matrix");
    let (mut handover, mut breach) = (99, 99);
    let base = match phase {
        Phase::Suspended | Phase::Completed => Phase::Active,
        Phase::Collapsed => Phase::Agreed,
        p => p,
    };
    b.reach(base);
    if matches!(phase, Phase::Active | Phase::Suspended) {
        handover = b.record(|p| &p.relief, handover_event(&b.deal(), &["X-0001"]));
    }
    if matches!(
        phase,
        Phase::Agreed | Phase::Planned | Phase::Active | Phase::Suspended
    ) {
        breach = b.record(|p| &p.side_a, breach_event());
    }
    if matches!(phase, Phase::Planned | Phase::Active | Phase::Suspended) {
        b.record(|p| &p.side_b, list_event(1));
    }
    match phase {
        Phase::Suspended => {
            b.record(|p| &p.mediator, Event::Suspended { reason: "r".into() });
        }
        Phase::Completed => {
            b.record(|p| &p.mediator, Event::Completed {});
        }
        Phase::Collapsed => {
            b.record(|p| &p.mediator, Event::Collapsed { reason: "r".into() });
        }
        _ => {}
    }
    assert_eq!(b.ledger.phase(), Some(phase));
    (b, handover, breach)
}

fn handover_event(deal: &DealId, ids: &[&str]) -> Event {
    Event::HandoverRecorded {
        counts: None,
        holder: party("side-b"),
        to: party("side-a"),
        day: 1,
        pseudonyms: pseudonyms(deal, ids),
    }
}

fn list_event(day: u32) -> Event {
    Event::ListsExchanged {
        commitment: list_commitment(&pseudonyms(&DealId::new("matrix").unwrap(), &["X-0003"])),
        count: 1,
        day,
        to: party("side-a"),
    }
}

fn flow_event(day: u32) -> Event {
    Event::FlowRecorded {
        day,
        flow: "aid-trucks".into(),
        quantity: 200,
    }
}

/// The seq of the book's list, or 99 when it has none.
fn list_seq(b: &Book) -> u64 {
    b.events
        .iter()
        .find(|e| matches!(e.event, Event::ListsExchanged { .. }))
        .map_or(99, |e| e.seq)
}

fn breach_event() -> Event {
    Event::BreachReported {
        against: party("side-b"),
        summary: "late convoy".into(),
    }
}

/// Every event kind, with the author the rules expect.
fn events(b: &Book, handover: u64, breach: u64) -> Vec<(Who, Event)> {
    let deal = b.deal();
    let deal_hash = Hash::of(b"deal");
    let (m, a, sb, r): (Who, Who, Who, Who) =
        (|p| &p.mediator, |p| &p.side_a, |p| &p.side_b, |p| &p.relief);
    vec![
        (
            m,
            Event::DealCreated {
                name: "again".into(),
                parties: b.parties.roles(),
            },
        ),
        (m, Event::NegotiationStarted {}),
        (
            m,
            Event::DealAgreed {
                deal_hash,
                signatures: vec![
                    sign_agreement(&b.parties.side_a, &deal, &deal_hash),
                    sign_agreement(&b.parties.side_b, &deal, &deal_hash),
                ],
            },
        ),
        (
            m,
            Event::PlanAdopted {
                plan_hash: Hash::of(b"plan"),
                days: 4,
            },
        ),
        (m, Event::PauseStarted {}),
        (r, handover_event(&deal, &["X-0002"])),
        (a, Event::HandoverConfirmed { handover }),
        (sb, breach_event()),
        (
            m,
            Event::BreachResolved {
                breach,
                finding: Finding::Upheld,
            },
        ),
        (m, Event::Suspended { reason: "r".into() }),
        (m, Event::Resumed {}),
        (m, Event::Extended { days: 2 }),
        (m, Event::Completed {}),
        (m, Event::Collapsed { reason: "r".into() }),
        (r, flow_event(1)),
        (sb, list_event(2)),
        (a, Event::ListAcknowledged { list: list_seq(b) }),
    ]
}

fn outcome(r: Result<u64, Problem>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(p) => p.to_string(),
    }
}

#[test]
fn events_by_phase() {
    let mut table = String::new();
    for phase in PHASES {
        let (b, h, br) = setup(phase);
        for (who, event) in events(&b, h, br) {
            let kind = event.kind();
            let mut b2 = setup(phase).0;
            let _ = writeln!(
                table,
                "{phase:<11} {kind:<19} {}",
                outcome(b2.try_record(who, event))
            );
        }
    }
    insta::assert_snapshot!(table);
}

/// Each event in the phase where it is allowed, by each party.
#[test]
fn events_by_role() {
    let home = [
        ("negotiation-started", Phase::Draft),
        ("deal-agreed", Phase::Negotiating),
        ("plan-adopted", Phase::Agreed),
        ("pause-started", Phase::Planned),
        ("handover-recorded", Phase::Active),
        ("handover-confirmed", Phase::Active),
        ("breach-reported", Phase::Active),
        ("breach-resolved", Phase::Active),
        ("suspended", Phase::Active),
        ("resumed", Phase::Suspended),
        ("extended", Phase::Active),
        ("collapsed", Phase::Active),
        ("flow-recorded", Phase::Active),
        ("lists-exchanged", Phase::Planned),
        ("list-acknowledged", Phase::Planned),
    ];
    let mut table = String::new();
    for (kind, phase) in home {
        for (name, who) in WHO {
            let (mut b, h, br) = setup(phase);
            let (_, event) = events(&b, h, br)
                .into_iter()
                .find(|(_, e)| e.kind() == kind)
                .unwrap();
            let _ = writeln!(
                table,
                "{kind:<19} by {name:<9} {}",
                outcome(b.try_record(who, event))
            );
        }
    }
    insta::assert_snapshot!(table);
}

fn check(b: &mut Book, who: Who, event: Event, expect: &str) {
    assert_eq!(outcome(b.try_record(who, event)), expect);
}

#[test]
fn flows_are_recorded_within_the_pause() {
    let (mut b, _, _) = setup(Phase::Active);
    let side_b: Who = |p| &p.side_b;
    let relief: Who = |p| &p.relief;
    check(&mut b, relief, flow_event(1), "ok");
    // The delivering side may record too, and a day may have several records.
    check(&mut b, side_b, flow_event(1), "ok");
    check(
        &mut b,
        relief,
        flow_event(5),
        "event not allowed: day 5 is outside the pause (days 1 to 4)",
    );
    check(
        &mut b,
        relief,
        Event::FlowRecorded {
            day: 1,
            flow: "Aid Trucks".into(),
            quantity: 1,
        },
        "event not allowed: a flow id is lowercase letters, digits and '-' (at most 64 bytes)",
    );
    // Nothing delivered is a fact worth recording too.
    check(
        &mut b,
        relief,
        Event::FlowRecorded {
            day: 2,
            flow: "fuel".into(),
            quantity: 0,
        },
        "ok",
    );
}

#[test]
fn lists_go_to_another_side_and_are_acknowledged_once() {
    let (mut b, _, _) = setup(Phase::Planned);
    let list = list_seq(&b);
    let (side_a, side_b): (Who, Who) = (|p| &p.side_a, |p| &p.side_b);
    check(
        &mut b,
        side_b,
        Event::ListsExchanged {
            commitment: Hash::of(b"l"),
            count: 1,
            day: 1,
            to: party("side-b"),
        },
        "event not allowed: a list goes from one side to another, not from side-b to itself",
    );
    check(
        &mut b,
        side_b,
        Event::ListsExchanged {
            commitment: Hash::of(b"l"),
            count: 0,
            day: 1,
            to: party("side-a"),
        },
        "event not allowed: a list names at least 1 person and at most 1000000",
    );
    check(
        &mut b,
        side_b,
        Event::ListAcknowledged { list },
        &format!(
            "event not allowed: only side-a, the receiving side, acknowledges the list at seq {list}"
        ),
    );
    check(&mut b, side_a, Event::ListAcknowledged { list }, "ok");
    check(
        &mut b,
        side_a,
        Event::ListAcknowledged { list },
        &format!("event not allowed: the list at seq {list} is already acknowledged"),
    );
    check(
        &mut b,
        side_a,
        Event::ListAcknowledged { list: 1 },
        "event not allowed: seq 1 is not a lists-exchanged event of this deal",
    );
}

#[test]
fn a_list_commitment_ignores_order_and_repeats_but_not_persons() {
    let deal = DealId::new("matrix").unwrap();
    let ab = pseudonyms(&deal, &["X-0001", "X-0002"]);
    let ba = pseudonyms(&deal, &["X-0002", "X-0001", "X-0002"]);
    let ac = pseudonyms(&deal, &["X-0001", "X-0003"]);
    assert_eq!(list_commitment(&ab), list_commitment(&ba));
    assert_ne!(list_commitment(&ab), list_commitment(&ac));
    assert_ne!(list_commitment(&ab), list_commitment(&ab[..1]));
}

#[test]
fn agreement_needs_every_side() {
    let mut b = Book::new("agree");
    b.reach(Phase::Negotiating);
    let (deal, h) = (b.deal(), Hash::of(b"deal"));
    let a = sign_agreement(&b.parties.side_a, &deal, &h);
    let b_sig = sign_agreement(&b.parties.side_b, &deal, &h);
    let agreed = |signatures| Event::DealAgreed {
        deal_hash: h,
        signatures,
    };
    check(
        &mut b,
        |p| &p.mediator,
        agreed(vec![a.clone()]),
        "event not allowed: the agreement lacks the signature of side side-b",
    );
    check(
        &mut b,
        |p| &p.mediator,
        agreed(vec![a.clone(), a.clone()]),
        "event not allowed: side side-a signed the agreement twice",
    );
    let mediator_sig = sign_agreement(&b.parties.mediator, &deal, &h);
    check(
        &mut b,
        |p| &p.mediator,
        agreed(vec![a.clone(), b_sig.clone(), mediator_sig]),
        "event not allowed: mediator is not a side of the deal",
    );
    // side-a's key signing in side-b's name.
    let forged = PartySignature {
        party: party("side-b"),
        signature: a.signature,
    };
    check(
        &mut b,
        |p| &p.mediator,
        agreed(vec![a.clone(), forged]),
        "bad agreement signature of side side-b",
    );
    // A signature on another deal hash does not carry over.
    let other = sign_agreement(&b.parties.side_b, &deal, &Hash::of(b"other deal"));
    check(
        &mut b,
        |p| &p.mediator,
        agreed(vec![a.clone(), other]),
        "bad agreement signature of side side-b",
    );
    check(&mut b, |p| &p.mediator, agreed(vec![b_sig, a]), "ok");
    assert_eq!(b.ledger.state().unwrap().deal_hash(), Some(h));
}

#[test]
fn handover_rules() {
    let mut b = Book::new("handover");
    b.reach(Phase::Active);
    let deal = b.deal();
    let h = |holder: &str, to: &str, day, ids: &[&str]| Event::HandoverRecorded {
        counts: None,
        holder: party(holder),
        to: party(to),
        day,
        pseudonyms: pseudonyms(&deal, ids),
    };
    let relief: Who = |p| &p.relief;
    check(
        &mut b,
        relief,
        h("side-a", "side-a", 1, &["A-1"]),
        "event not allowed: a handover goes from one side to another, not from side-a to itself",
    );
    check(
        &mut b,
        relief,
        h("relief", "side-a", 1, &["A-1"]),
        "event not allowed: relief is not a side of the deal",
    );
    check(
        &mut b,
        relief,
        h("side-a", "nobody", 1, &["A-1"]),
        "event not allowed: nobody is not a party to the deal",
    );
    check(
        &mut b,
        relief,
        h("side-a", "side-b", 0, &["A-1"]),
        "event not allowed: day 0 is outside the pause (days 1 to 4)",
    );
    check(
        &mut b,
        relief,
        h("side-a", "side-b", 5, &["A-1"]),
        "event not allowed: day 5 is outside the pause (days 1 to 4)",
    );
    check(
        &mut b,
        relief,
        h("side-a", "side-b", 1, &[]),
        "event not allowed: a handover lists no person pseudonym",
    );
    check(
        &mut b,
        relief,
        h("side-a", "side-b", 1, &["A-1", "A-1"]),
        "event not allowed: a handover lists the same person pseudonym twice",
    );
    let first = b.record(relief, h("side-a", "side-b", 1, &["A-1", "A-2"]));
    check(
        &mut b,
        relief,
        h("side-a", "side-b", 2, &["A-3", "A-2"]),
        &format!(
            "event not allowed: a person pseudonym in this handover was already handed over at seq {first}"
        ),
    );
    check(
        &mut b,
        |p| &p.side_a,
        Event::HandoverConfirmed { handover: first },
        &format!(
            "event not allowed: only side-b, the receiving side, confirms the handover at seq {first}"
        ),
    );
    check(
        &mut b,
        |p| &p.side_b,
        Event::HandoverConfirmed { handover: 1 },
        "event not allowed: seq 1 is not a handover-recorded event of this deal",
    );
    check(
        &mut b,
        |p| &p.mediator,
        Event::Completed {},
        &format!(
            "event not allowed: the deal cannot complete: the handover at seq {first} is not confirmed"
        ),
    );
    check(
        &mut b,
        |p| &p.side_b,
        Event::HandoverConfirmed { handover: first },
        "ok",
    );
    check(
        &mut b,
        |p| &p.side_b,
        Event::HandoverConfirmed { handover: first },
        &format!("event not allowed: the handover at seq {first} is already confirmed"),
    );
    // An extension adds days to the pause.
    check(&mut b, |p| &p.mediator, Event::Extended { days: 1 }, "ok");
    check(&mut b, relief, h("side-b", "side-a", 5, &["B-1"]), "ok");
}

#[test]
fn completion_waits_for_breaches() {
    let mut b = Book::new("breach");
    b.reach(Phase::Active);
    let seq = b.record(|p| &p.observer, breach_event());
    check(
        &mut b,
        |p| &p.mediator,
        Event::Completed {},
        &format!(
            "event not allowed: the deal cannot complete: the breach reported at seq {seq} is not resolved"
        ),
    );
    check(
        &mut b,
        |p| &p.mediator,
        Event::BreachResolved {
            breach: seq,
            finding: Finding::Upheld,
        },
        "ok",
    );
    check(
        &mut b,
        |p| &p.mediator,
        Event::BreachResolved {
            breach: seq,
            finding: Finding::Upheld,
        },
        &format!("event not allowed: seq {seq} is not an open breach report of this deal"),
    );
    check(&mut b, |p| &p.mediator, Event::Completed {}, "ok");
}

#[test]
fn collapse_is_an_outcome() {
    let mut b = Book::new("collapse");
    b.reach(Phase::Planned);
    check(
        &mut b,
        |p| &p.side_b,
        Event::Collapsed { reason: " ".into() },
        "event not allowed: a collapse reason must be 1 to 1000 bytes without control characters",
    );
    check(
        &mut b,
        |p| &p.side_b,
        Event::Collapsed {
            reason: "side-b withdrew".into(),
        },
        "ok",
    );
    assert_eq!(b.ledger.phase(), Some(Phase::Collapsed));
    check(
        &mut b,
        |p| &p.mediator,
        Event::PauseStarted {},
        "event not allowed: pause-started is not allowed while the deal is collapsed",
    );
}

#[test]
fn creation_rules() {
    let mut b = Book::new("create");
    check(
        &mut b,
        |p| &p.mediator,
        Event::NegotiationStarted {},
        "event not allowed: the first event of a deal must be deal-created, not negotiation-started",
    );
    let roles = b.parties.roles();
    let created = |parties: Vec<PartyRole>| Event::DealCreated {
        name: "d".into(),
        parties,
    };
    check(
        &mut b,
        |p| &p.mediator,
        created(roles[..2].to_vec()),
        "event not allowed: a deal needs at least two sides and a mediator",
    );
    check(
        &mut b,
        |p| &p.mediator,
        created([&roles[..], &roles[1..2]].concat()),
        "event not allowed: party side-a is listed twice",
    );
    check(
        &mut b,
        |p| &p.side_a,
        created(roles.clone()),
        "event not allowed: deal-created must be authored by a mediator, but side-a is a side",
    );
    check(&mut b, |p| &p.mediator, created(roles), "ok");
}

#[test]
fn append_checks_the_chain() {
    let mut b = Book::new("chain");
    b.reach(Phase::Draft);
    let mediator = b.parties.mediator.clone();
    let keys = b.keys.clone();
    let draft = b
        .ledger
        .draft(party("mediator"), 5, Event::NegotiationStarted {});
    let sign = |d: Draft| d.sign(&mediator).unwrap();
    let mut stale = draft.clone();
    stale.seq = 1;
    assert_eq!(
        b.ledger
            .append(&sign(stale), &keys)
            .unwrap_err()
            .to_string(),
        "missing or reordered event: expected seq 2 of deal chain, found seq 1"
    );
    let mut forked = draft.clone();
    forked.prev = Some(Hash::of(b"elsewhere"));
    assert_eq!(
        b.ledger
            .append(&sign(forked), &keys)
            .unwrap_err()
            .to_string(),
        "broken chain: prev is not the hash of seq 1 of deal chain"
    );
    let mut other = draft.clone();
    other.deal = DealId::new("other").unwrap();
    assert_eq!(
        b.ledger
            .append(&sign(other), &keys)
            .unwrap_err()
            .to_string(),
        "the event belongs to deal other, not chain"
    );
    assert_eq!(
        draft
            .clone()
            .sign(&b.parties.side_a)
            .unwrap_err()
            .to_string(),
        "the key is side-a's, but the event's author is mediator"
    );
    let mut forged = sign(draft.clone());
    forged.at_ms += 1;
    assert_eq!(
        b.ledger.append(&forged, &keys).unwrap_err().to_string(),
        "bad signature: not signed by its author mediator"
    );
    let partial = KeyRing::of([&b.parties.side_a]).unwrap();
    assert_eq!(
        b.ledger
            .append(&sign(draft.clone()), &partial)
            .unwrap_err()
            .to_string(),
        "no public key for party mediator"
    );
    assert_eq!(b.ledger.next_seq(), 2, "refused events change nothing");
    b.ledger.append(&sign(draft), &keys).unwrap();
    assert_eq!(b.ledger.phase(), Some(Phase::Negotiating));
}

/// An amendment: every side signs this step (number and replaced hash), so
/// a signature cannot be replayed to go back to earlier terms; before the
/// pause it sends the deal back to agreed, during it a new plan may
/// supersede the one in force.
#[test]
fn amendments_need_every_side_and_bind_their_step() {
    let mut b = Book::new("amend");
    b.reach(Phase::Planned);
    let deal = b.deal();
    let agreed = Hash::of(b"normalised deal");
    let (v2, v3) = (Hash::of(b"amended deal"), Hash::of(b"amended again"));
    let sign =
        |key: &PartyKey, n, replaces: &Hash, to: &Hash| sign_amendment(key, &deal, n, replaces, to);
    let amended = |n, replaces, deal_hash, signatures| Event::DealAmended {
        amendment: n,
        deal_hash,
        reason: "a longer pause, agreed at the crossing".into(),
        replaces,
        signatures,
    };
    let (side_a, side_b) = (b.parties.side_a.clone(), b.parties.side_b.clone());
    let both = |n, replaces: &Hash, to: &Hash| {
        vec![
            sign(&side_a, n, replaces, to),
            sign(&side_b, n, replaces, to),
        ]
    };
    let m: Who = |p| &p.mediator;
    check(
        &mut b,
        m,
        amended(1, agreed, v2, both(1, &agreed, &v2)[..1].to_vec()),
        "event not allowed: the agreement lacks the signature of side side-b",
    );
    check(
        &mut b,
        m,
        amended(2, agreed, v2, both(2, &agreed, &v2)),
        "event not allowed: this is amendment 1 of the deal, not 2",
    );
    check(
        &mut b,
        m,
        amended(1, v3, v2, both(1, &v3, &v2)),
        &format!("event not allowed: an amendment replaces the deal hash in force, {agreed}"),
    );
    check(
        &mut b,
        m,
        amended(1, agreed, agreed, both(1, &agreed, &agreed)),
        "event not allowed: an amendment must change the deal hash",
    );
    // An agreement signature is not an amendment signature.
    let agreement = vec![
        sign_agreement(&b.parties.side_a, &deal, &v2),
        sign_agreement(&b.parties.side_b, &deal, &v2),
    ];
    check(
        &mut b,
        m,
        amended(1, agreed, v2, agreement),
        "bad agreement signature of side side-a",
    );
    check(
        &mut b,
        |p| &p.side_a,
        amended(1, agreed, v2, both(1, &agreed, &v2)),
        "event not allowed: deal-amended must be authored by a mediator, but side-a is a side",
    );
    check(
        &mut b,
        m,
        amended(1, agreed, v2, both(1, &agreed, &v2)),
        "ok",
    );
    // Before the pause: back to agreed, the plan for the old terms gone.
    let state = b.ledger.state().unwrap();
    assert_eq!(state.phase(), Phase::Agreed);
    assert_eq!(state.plan_hash(), None);
    assert_eq!(state.deal_hash(), Some(v2));
    assert_eq!(state.agreed_hash(), Some(agreed));
    check(
        &mut b,
        m,
        Event::PauseStarted {},
        "event not allowed: pause-started is not allowed while the deal is agreed",
    );
    b.record(
        m,
        Event::PlanAdopted {
            days: 4,
            plan_hash: Hash::of(b"plan for v2"),
        },
    );
    b.record(m, Event::PauseStarted {});
    b.record(|p| &p.relief, handover_event(&b.deal(), &["X-0001"]));
    b.record(|p| &p.mediator, Event::Extended { days: 1 });
    // The first amendment's signatures, replayed, cannot return to v2 after v3.
    check(&mut b, m, amended(2, v2, v3, both(2, &v2, &v3)), "ok");
    check(
        &mut b,
        m,
        amended(3, v3, v2, both(1, &agreed, &v2)),
        "bad agreement signature of side side-a",
    );
    // During the pause: a new plan supersedes the one in force, extension
    // days stay granted, and it cannot end before a day with handovers.
    check(
        &mut b,
        m,
        Event::PlanAdopted {
            days: 6,
            plan_hash: Hash::of(b"re-plan"),
        },
        "ok",
    );
    let state = b.ledger.state().unwrap();
    assert_eq!(state.phase(), Phase::Active);
    assert_eq!(state.pause_days(), 7);
    assert_eq!(state.plan_hash(), Some(Hash::of(b"re-plan")));
    b.record(
        |p| &p.relief,
        Event::HandoverRecorded {
            counts: None,
            holder: party("side-b"),
            to: party("side-a"),
            day: 7,
            pseudonyms: pseudonyms(&b.deal(), &["X-0002"]),
        },
    );
    check(
        &mut b,
        m,
        Event::PlanAdopted {
            days: 5,
            plan_hash: Hash::of(b"too short"),
        },
        "event not allowed: the plan's 6 day(s) end before day 7, which already has a handover",
    );
}
