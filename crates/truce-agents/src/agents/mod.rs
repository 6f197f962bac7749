//! Negotiating agents. Each is built from one party's [`PrivateView`] and
//! never sees anything else but public offers.

mod random;
mod tft;
mod timebased;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use random::RandomAgent;
pub use tft::TitForTat;
pub use timebased::TimeBased;

use crate::error::SessionError;
use crate::space::OutcomeId;
use crate::view::{PrivateView, Turn};

/// A negotiating agent in stacked alternating offers.
pub trait Agent: fmt::Debug + Send {
    /// Whether to accept the offer on the table. Called before
    /// [`Agent::propose`] in every turn that has an offer to answer.
    fn accepts(&mut self, turn: &Turn, offer: OutcomeId) -> bool;

    /// The counter-offer (or the opening offer); `None` leaves the
    /// negotiation, which ends it without agreement.
    fn propose(&mut self, turn: &Turn) -> Option<OutcomeId>;
}

/// The built-in agents, by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentKind {
    /// NegMAS `BoulwareTBNegotiator`: aspiration `1 - t^4`, tolerance 1e-4.
    Boulware,
    /// NegMAS `LinearTBNegotiator`: aspiration `1 - t`, tolerance 1e-4.
    Linear,
    /// NegMAS `ConcederTBNegotiator`: aspiration `1 - t^0.25`, tolerance 1e-4.
    Conceder,
    /// NegMAS `AspirationNegotiator` (Boulware curve, tolerance 1e-3).
    Aspiration,
    /// NegMAS `NaiveTitForTatNegotiator`.
    TitForTat,
    /// Never concedes: offers its best outcome, accepts only that utility.
    Hardliner,
    /// Offers a uniformly random rational outcome; accepts a rational offer
    /// with probability 0.15 (NegMAS `RandomNegotiator`'s default).
    Random,
}

impl AgentKind {
    /// Every agent, in the order help texts list them.
    pub const ALL: [AgentKind; 7] = [
        Self::Boulware,
        Self::Linear,
        Self::Conceder,
        Self::Aspiration,
        Self::TitForTat,
        Self::Hardliner,
        Self::Random,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Boulware => "boulware",
            Self::Linear => "linear",
            Self::Conceder => "conceder",
            Self::Aspiration => "aspiration",
            Self::TitForTat => "tit-for-tat",
            Self::Hardliner => "hardliner",
            Self::Random => "random",
        }
    }

    /// Builds the agent for one party. `seed` only matters to agents that
    /// draw random numbers.
    pub fn build(self, view: PrivateView, seed: u64) -> Box<dyn Agent> {
        // NegMAS `UtilBasedNegotiator` default tolerance.
        const TB_EPS: f64 = 0.0001;
        match self {
            Self::Boulware => Box::new(TimeBased::new(view, 4.0, TB_EPS)),
            Self::Linear => Box::new(TimeBased::new(view, 1.0, TB_EPS)),
            Self::Conceder => Box::new(TimeBased::new(view, 0.25, TB_EPS)),
            Self::Aspiration => Box::new(TimeBased::new(view, 4.0, 0.001)),
            Self::TitForTat => Box::new(TitForTat::new(view)),
            Self::Hardliner => Box::new(TimeBased::new(view, f64::INFINITY, TB_EPS)),
            Self::Random => Box::new(RandomAgent::new(view, seed)),
        }
    }
}

impl fmt::Display for AgentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AgentKind {
    type Err = SessionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        let alias = match wanted.as_str() {
            "tft" | "titfortat" => "tit-for-tat",
            "hardheaded" => "hardliner",
            other => other,
        };
        Self::ALL
            .into_iter()
            .find(|k| k.name() == alias)
            .ok_or_else(|| SessionError::UnknownAgent {
                name: s.to_owned(),
                valid: Self::ALL.map(Self::name).join(", "),
            })
    }
}

/// Parses a comma-separated agent list such as `aspiration,boulware`.
pub fn parse_agents(list: &str) -> Result<Vec<AgentKind>, SessionError> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(str::parse)
        .collect()
}
