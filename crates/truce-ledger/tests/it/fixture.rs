//! A deterministic deal ledger to test against: keys from fixed seeds, a
//! fixed clock, synthetic person ids under a fixed person key.

use truce_ledger::*;

pub fn party(id: &str) -> PartyId {
    PartyId::new(id).unwrap()
}

/// The fixture's person key (fixed, so snapshots are stable).
pub fn person_key() -> PersonKey {
    PersonKey::from_bytes([9; 32])
}

/// The pseudonyms of these person ids in `deal` under [`person_key`].
pub fn pseudonyms(deal: &DealId, ids: &[&str]) -> Vec<Pseudonym> {
    let key = person_key();
    ids.iter()
        .map(|p| key.pseudonym(deal, &PersonId::new(p).unwrap()))
        .collect()
}

/// Keys of the fixture's parties; seeds are fixed so snapshots are stable.
pub struct Parties {
    pub mediator: PartyKey,
    pub side_a: PartyKey,
    pub side_b: PartyKey,
    pub relief: PartyKey,
    pub observer: PartyKey,
}

impl Parties {
    pub fn new() -> Parties {
        let key = |id: &str, seed: u8| PartyKey::from_seed(party(id), &[seed; 32]);
        Parties {
            mediator: key("mediator", 1),
            side_a: key("side-a", 2),
            side_b: key("side-b", 3),
            relief: key("relief", 4),
            observer: key("observer", 5),
        }
    }

    pub fn ring(&self) -> KeyRing {
        KeyRing::of([
            &self.mediator,
            &self.side_a,
            &self.side_b,
            &self.relief,
            &self.observer,
        ])
        .unwrap()
    }

    pub fn roles(&self) -> Vec<PartyRole> {
        [
            (&self.mediator, Role::Mediator),
            (&self.side_a, Role::Side),
            (&self.side_b, Role::Side),
            (&self.relief, Role::Intermediary),
            (&self.observer, Role::Observer),
        ]
        .into_iter()
        .map(|(k, role)| PartyRole {
            id: k.party().clone(),
            role,
        })
        .collect()
    }
}

/// A deal's chain being written: appends through [`DealLedger`] and keeps
/// the signed events for export.
pub struct Book {
    pub parties: Parties,
    pub keys: KeyRing,
    pub ledger: DealLedger,
    pub events: Vec<SignedEvent>,
    /// What the store acknowledged, one per event.
    pub receipts: Vec<Receipt>,
    /// The injected clock: one minute per event.
    pub clock_ms: u64,
}

impl Book {
    pub fn new(deal: &str) -> Book {
        let parties = Parties::new();
        let keys = parties.ring();
        Book {
            parties,
            keys,
            ledger: DealLedger::new(DealId::new(deal).unwrap()),
            events: Vec::new(),
            receipts: Vec::new(),
            clock_ms: 1_772_431_200_000, // 2026-03-02T06:00:00Z
        }
    }

    /// The event `author` would sign next.
    pub fn sign(&mut self, author: &PartyKey, event: Event) -> SignedEvent {
        self.clock_ms += 60_000;
        self.ledger
            .draft(author.party().clone(), self.clock_ms, event)
            .sign(author)
            .unwrap()
    }

    /// Sign and append; the append's verdict.
    pub fn try_record(
        &mut self,
        who: fn(&Parties) -> &PartyKey,
        event: Event,
    ) -> Result<u64, Problem> {
        let author = who(&self.parties).clone();
        let ev = self.sign(&author, event);
        let receipt = self.ledger.append(&ev, &self.keys)?;
        self.receipts.push(receipt);
        self.events.push(ev);
        Ok(self.ledger.next_seq() - 1)
    }

    /// Sign and append an event the test expects to be accepted; its seq.
    pub fn record(&mut self, who: fn(&Parties) -> &PartyKey, event: Event) -> u64 {
        match self.try_record(who, event) {
            Ok(seq) => seq,
            Err(p) => panic!("fixture event refused: {p}"),
        }
    }

    pub fn jsonl(&self) -> String {
        export(&self.events).unwrap()
    }

    pub fn deal(&self) -> DealId {
        self.ledger.deal().clone()
    }

    /// Up to `phase`, by the shortest legal path.
    pub fn reach(&mut self, phase: Phase) -> &mut Book {
        let order = [
            Phase::Draft,
            Phase::Negotiating,
            Phase::Agreed,
            Phase::Planned,
            Phase::Active,
        ];
        let deal = self.deal();
        for step in order {
            if self.ledger.phase() == Some(phase) {
                break;
            }
            let event = match step {
                Phase::Draft => Event::DealCreated {
                    name: "Four-day humanitarian pause".into(),
                    parties: self.parties.roles(),
                },
                Phase::Negotiating => Event::NegotiationStarted {},
                Phase::Agreed => {
                    let deal_hash = Hash::of(b"normalised deal");
                    let signatures = vec![
                        sign_agreement(&self.parties.side_a, &deal, &deal_hash),
                        sign_agreement(&self.parties.side_b, &deal, &deal_hash),
                    ];
                    Event::DealAgreed {
                        deal_hash,
                        signatures,
                    }
                }
                Phase::Planned => Event::PlanAdopted {
                    plan_hash: Hash::of(b"plan"),
                    days: 4,
                },
                _ => Event::PauseStarted {},
            };
            self.record(|p| &p.mediator, event);
        }
        match phase {
            Phase::Suspended => {
                self.record(
                    |p| &p.mediator,
                    Event::Suspended {
                        reason: "shelling reported near the crossing".into(),
                    },
                );
            }
            Phase::Completed => {
                self.record(|p| &p.mediator, Event::Completed {});
            }
            Phase::Collapsed => {
                self.record(
                    |p| &p.mediator,
                    Event::Collapsed {
                        reason: "talks broke down".into(),
                    },
                );
            }
            _ => {}
        }
        assert_eq!(self.ledger.phase(), Some(phase));
        self
    }

    /// A handover from `holder` to `to` on `day`, recorded and confirmed.
    pub fn exchange(&mut self, holder: &str, to: &str, day: u32, ids: &[&str]) {
        let deal = self.deal();
        let seq = self.record(
            |p| &p.relief,
            Event::HandoverRecorded {
                counts: None,
                holder: party(holder),
                to: party(to),
                day,
                pseudonyms: pseudonyms(&deal, ids),
            },
        );
        let receiver: fn(&Parties) -> &PartyKey = if to == "side-a" {
            |p| &p.side_a
        } else {
            |p| &p.side_b
        };
        self.record(receiver, Event::HandoverConfirmed { handover: seq });
    }
}

/// The whole story of a small deal: agreed, planned, four days of staged
/// releases with a breach report, a suspension, an extension, completion.
pub fn story() -> Book {
    let mut b = Book::new("four-day-pause");
    b.reach(Phase::Active);
    b.exchange("side-b", "side-a", 1, &["B-0001", "B-0002"]);
    b.exchange("side-a", "side-b", 1, &["A-0001", "A-0002", "A-0003"]);
    let breach = b.record(
        |p| &p.side_a,
        Event::BreachReported {
            against: party("side-b"),
            summary: "convoy delayed past the agreed hour".into(),
        },
    );
    b.record(
        |p| &p.mediator,
        Event::BreachResolved {
            breach,
            finding: Finding::Dismissed,
        },
    );
    b.exchange("side-b", "side-a", 2, &["B-0003"]);
    b.record(
        |p| &p.mediator,
        Event::Suspended {
            reason: "convoy route closed".into(),
        },
    );
    b.record(|p| &p.mediator, Event::Resumed {});
    b.exchange("side-a", "side-b", 2, &["A-0004", "A-0005", "A-0006"]);
    b.record(|p| &p.mediator, Event::Extended { days: 1 });
    b.exchange("side-b", "side-a", 5, &["B-0004"]);
    b.exchange("side-a", "side-b", 5, &["A-0007", "A-0008", "A-0009"]);
    b.record(|p| &p.mediator, Event::Completed {});
    b
}

/// A long active deal: `pairs` handovers, each confirmed (2 events each).
pub fn long_deal(pairs: usize) -> Book {
    let mut b = Book::new("long-pause");
    b.reach(Phase::Active);
    for i in 0..pairs {
        let id = format!("P-{i:06}");
        let (from, to) = if i % 2 == 0 {
            ("side-b", "side-a")
        } else {
            ("side-a", "side-b")
        };
        b.exchange(from, to, 1 + (i % 4) as u32, &[&id]);
    }
    b
}
