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
