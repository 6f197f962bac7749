//! Deals from files or the generator, their plans, and signed events of an
//! execution.

use std::collections::BTreeMap;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use truce_exec::{Context, Execution, PlanSchedule, Roster, Terms};
use truce_ledger::{
    CategoryId, DealId, Draft, Event, PartyId, PartyKey, PersonId, PersonKey, SignedEvent, keygen,
};
use truce_spec::{AgreedDeal, Deal};

/// A deal from its files (`deal.toml` first), loaded as the CLI would.
pub fn load(files: &[(String, String)]) -> Deal {
    truce_test_support::rosters::deal_of(files)
}

/// The shipped example, as drafted (its open issues at their defaults).
pub fn example(name: &str) -> Deal {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).expect("example file");
    let deal = read("deal.toml");
    let mut files = vec![("deal.toml".to_owned(), deal.clone())];
    for line in deal.lines() {
        if let Some(rest) = line.trim().strip_prefix("file = \"") {
            let path = rest.trim_end_matches('"');
            files.push((path.to_owned(), read(path)));
        }
    }
    load(&files)
}

/// A generated deal.
pub fn generated(opts: &truce_spec::GenerateOptions) -> Deal {
    load(&truce_spec::generate(opts).expect("generate").files)
}

/// A deal's plan JSON.
pub fn plan_json(deal: &Deal) -> String {
    let agreed = AgreedDeal::as_drafted(deal.clone());
    let plan = truce_plan::plan(&agreed, &truce_plan::PlanOptions::default()).expect("a plan");
    truce_plan::to_json(&plan)
}

/// Everything execution is checked against, with the roster and the plan.
pub struct Setup {
    pub deal: Deal,
    pub id: DealId,
    pub person_key: PersonKey,
    pub terms: Terms,
    pub roster: Roster,
    pub plan: PlanSchedule,
    keys: BTreeMap<String, PartyKey>,
}

impl Setup {
    pub fn new(deal: Deal) -> Setup {
        let plan = PlanSchedule::from_json(&plan_json(&deal)).expect("plan json");
        Setup::with_plan(deal, plan)
    }

    pub fn with_plan(deal: Deal, plan: PlanSchedule) -> Setup {
        let id = DealId::new("test-deal").expect("id");
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let person_key = PersonKey::generate(&mut rng);
        let value = serde_json::to_value(&deal).expect("normalised");
        let (terms, roster) = Roster::from_value(&value, &id, &person_key).expect("terms");
        let keys = deal
            .parties
            .iter()
            .map(|p| {
                let party = PartyId::new(p.id.as_str()).expect("party");
                (p.id.as_str().to_owned(), keygen(party, &mut rng))
            })
            .collect();
        Setup {
            deal,
            id,
            person_key,
            terms,
            roster,
            plan,
            keys,
        }
    }

    pub fn context(&self) -> Context<'_> {
        Context {
            terms: &self.terms,
            roster: Some(&self.roster),
            plan: Some(&self.plan),
            superseded: Default::default(),
        }
    }

    /// The terms only: what a party without the roster checks.
    pub fn counts_only(&self) -> Context<'_> {
        Context::terms(&self.terms)
    }

    fn party_of_role(&self, role: truce_spec::Role) -> String {
        self.deal
            .parties
            .iter()
            .find(|p| p.role == role)
            .map(|p| p.id.as_str().to_owned())
            .expect("a party of the role")
    }

    pub fn mediator(&self) -> String {
        self.party_of_role(truce_spec::Role::Mediator)
    }

    pub fn intermediary(&self) -> String {
        self.party_of_role(truce_spec::Role::Intermediary)
    }

    /// The other side.
    pub fn receiver(&self, holder: &str) -> String {
        self.deal
            .parties
            .iter()
            .find(|p| p.role == truce_spec::Role::Side && p.id.as_str() != holder)
            .map(|p| p.id.as_str().to_owned())
            .expect("another side")
    }

    /// A signed event (the seq and chain do not matter to truce-exec).
    pub fn sign(&self, author: &str, seq: u64, event: Event) -> SignedEvent {
        Draft {
            deal: self.id.clone(),
            seq,
            prev: None,
            author: PartyId::new(author).expect("author"),
            at_ms: seq * 1000,
            event,
        }
        .sign(&self.keys[author])
        .expect("sign")
    }

    /// A handover of these persons (ids) on `day`, with its counts.
    pub fn handover(&self, day: u32, holder: &str, persons: &[PersonId]) -> Event {
        let mut counts = BTreeMap::new();
        for id in persons {
            let i = self.roster.index_of_id(id).expect("a roster person");
            *counts
                .entry(CategoryId::new(self.roster.persons()[i].category.as_str()).expect("c"))
                .or_insert(0u32) += 1;
        }
        Event::HandoverRecorded {
            counts: Some(counts),
            day,
            holder: PartyId::new(holder).expect("holder"),
            pseudonyms: persons
                .iter()
                .map(|p| self.person_key.pseudonym(&self.id, p))
                .collect(),
            to: PartyId::new(&self.receiver(holder)).expect("to"),
        }
    }
}

/// One handover to carry out: (day, holder, persons).
pub type Convoy = (u32, String, Vec<PersonId>);

/// The plan's handovers, in order.
pub fn convoys(plan: &PlanSchedule) -> Vec<Convoy> {
    plan.handovers
        .iter()
        .map(|h| (h.day, h.from.to_string(), h.persons.clone()))
        .collect()
}

/// The execution of these convoys: the plan adopted, the pause started,
/// each convoy recorded (with the extensions the days need), then
/// `completed`. Every declaration is checked before it is applied;
/// refusals are returned with the event's kind.
pub fn execute(setup: &Setup, convoys: &[Convoy]) -> (Execution, Vec<(String, String)>) {
    let ctx = setup.context();
    let mut ex = Execution::new();
    let mut refused = Vec::new();
    let mediator = setup.mediator();
    let carrier = setup.intermediary();
    let mut seq = 0;
    let mut push = |ex: &mut Execution, author: &str, event: Event| {
        seq += 1;
        let recorder = PartyId::new(author).expect("author");
        if let Err(r) = ex
            .check_declaration(ctx, &event)
            .and_then(|()| ex.check_recorder(ctx, &recorder, &event))
        {
            refused.push((event.kind().to_owned(), r.rule.to_owned()));
        }
        let signed = setup.sign(author, seq, event);
        ex.apply(Some(&setup.roster), &signed);
    };
    push(
        &mut ex,
        &mediator,
        Event::PlanAdopted {
            days: setup.terms.days,
            plan_hash: truce_ledger::Hash::of(b"plan"),
        },
    );
    push(&mut ex, &mediator, Event::PauseStarted {});
    let mut days = setup.terms.days;
    // Each day's resource flows come in at their agreed minimum, recorded
    // by the crossing they go through (or the side that lets them through).
    let mut flowed = 0;
    let flows_of = |day: u32| -> Vec<(String, Event)> {
        setup
            .terms
            .flows
            .iter()
            .map(|f| {
                let by = f.via.as_ref().unwrap_or(&f.by).as_str().to_owned();
                let event = Event::FlowRecorded {
                    day,
                    flow: f.id.clone(),
                    quantity: f.min_per_day,
                };
                (by, event)
            })
            .collect()
    };
    for (day, holder, persons) in convoys {
        if *day > days {
            push(&mut ex, &mediator, Event::Extended { days: day - days });
            days = *day;
        }
        while flowed < *day {
            flowed += 1;
            for (by, event) in flows_of(flowed) {
                push(&mut ex, &by, event);
            }
        }
        // A channel outside the exchange carries its own persons.
        let channel = persons.first().and_then(|id| {
            let p = &setup.roster.persons()[setup.roster.index_of_id(id)?];
            setup
                .deal
                .channel_of(&holder.as_str().into(), &p.category.as_str().into())
        });
        // Else the crossing its persons' route names (several intermediaries).
        let route = persons.first().and_then(|id| {
            let p = &setup.roster.persons()[setup.roster.index_of_id(id)?];
            setup
                .deal
                .route(&holder.as_str().into(), &p.category.as_str().into())
        });
        let author = channel.map_or_else(
            || route.map_or(carrier.as_str(), |v| v.as_str()),
            |c| c.via.as_str(),
        );
        push(&mut ex, author, setup.handover(*day, holder, persons));
    }
    while flowed < days {
        flowed += 1;
        for (by, event) in flows_of(flowed) {
            push(&mut ex, &by, event);
        }
    }
    push(&mut ex, &mediator, Event::Completed {});
    (ex, refused)
}
