//! Preferences stay private: an agent gets its own party's view only, and
//! the single-text mediator gets votes only.

use truce_agents::single_text::{HonestVoter, Mediator, Vote, Voter};
use truce_agents::{OutcomeSpace, Prepared, PrivateView};
use truce_negotiate::Reading;

use crate::common::load;

/// A mediator that records everything it is handed. Its trait methods take
/// the public space, the current text and votes: nothing else can reach it.
#[derive(Debug, Default)]
struct RecordingMediator {
    seen_votes: Vec<Vec<Vote>>,
    step: u32,
}

impl Mediator for RecordingMediator {
    fn open(&mut self, _space: &OutcomeSpace) -> u32 {
        0
    }

    fn propose(&mut self, space: &OutcomeSpace, current: u32, last_votes: &[Vote]) -> u32 {
        self.seen_votes.push(last_votes.to_vec());
        self.step += 1;
        (current + self.step) % space.len() as u32
    }
}

#[test]
fn each_view_holds_its_own_party_and_nothing_else() {
    let domain = load("ItexvsCypress", Reading::Genius);
    let prepared = Prepared::new(&domain).unwrap();
    let views: Vec<PrivateView> = prepared.views().collect();
    assert_eq!(views.len(), 2);
    for (i, view) in views.iter().enumerate() {
        assert_eq!(view.party(), i);
        assert_eq!(view.reservation(), domain.parties[i].reservation);
        let other = 1 - i;
        let mut differs = false;
        for id in 0..prepared.space().len() as u32 {
            let values = prepared.space().decode(id);
            let own = domain.parties[i].utility.eval(&values);
            assert_eq!(view.utility(id), own);
            differs |= view.utility(id) != domain.parties[other].utility.eval(&values);
        }
        // The parties' preferences differ, so a view really is one party's.
        assert!(differs);
    }
}

#[test]
fn the_mediator_receives_votes_only() {
    let domain = load("Laptop", Reading::Genius);
    let prepared = Prepared::new(&domain).unwrap();
    let mut voters: Vec<Box<dyn Voter>> = prepared
        .views()
        .map(|v| Box::new(HonestVoter::new(v)) as Box<dyn Voter>)
        .collect();
    let mut mediator = RecordingMediator::default();
    let result = truce_agents::single_text::run_with(&prepared, &mut mediator, &mut voters, 20);
    assert_eq!(mediator.seen_votes.len(), 19);
    assert!(mediator.seen_votes[0].is_empty());
    assert!(mediator.seen_votes[1..].iter().all(|v| v.len() == 2));
    assert!(result.agreement.is_some() || result.agreement.is_none());
}

/// An agent that remembers what it was built from and concedes nothing.
#[derive(Debug)]
struct Recorder {
    best: u32,
}

impl truce_agents::Agent for Recorder {
    fn accepts(&mut self, _turn: &truce_agents::Turn, offer: u32) -> bool {
        offer == self.best
    }

    fn propose(&mut self, _turn: &truce_agents::Turn) -> Option<u32> {
        Some(self.best)
    }
}

#[test]
fn sao_builds_each_agent_from_its_own_view_only() {
    let domain = load("Grocery", Reading::Genius);
    let prepared = Prepared::new(&domain).unwrap();
    let mut received: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut make = |view: PrivateView| -> Box<dyn truce_agents::Agent> {
        let utilities = (0..view.space().len() as u32)
            .map(|o| view.utility(o))
            .collect();
        received.push((view.party(), utilities));
        Box::new(Recorder {
            best: view.inverse().best(),
        })
    };
    let outcome = truce_agents::sao::run_with(&prepared, &mut make, 10);
    assert_eq!(received.len(), 2, "one view per party");
    for (k, (party, utilities)) in received.iter().enumerate() {
        assert_eq!(*party, k, "built in party order");
        for (id, u) in utilities.iter().enumerate() {
            let values = prepared.space().decode(id as u32);
            assert_eq!(
                *u,
                domain.parties[k].utility.eval(&values),
                "party {k} got its own utility"
            );
        }
    }
    assert_ne!(received[0].1, received[1].1, "the two views differ");
    assert!(outcome.rounds <= 10);
}
