//! Session errors: everything a caller can get wrong, in words that say how
//! to fix it. Nothing in this crate panics on any input.

/// Why a session or tournament cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// An agent name that is not one of the built-in agents.
    #[error("unknown agent `{name}` (valid agents: {valid})")]
    UnknownAgent {
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// An unknown protocol name.
    #[error("unknown protocol `{0}` (valid protocols: sao, single-text)")]
    UnknownProtocol(String),
    /// An unknown single-text mediator name.
    #[error("unknown mediator `{0}` (valid mediators: hill-climb, annealing, feedback, mopac)")]
    UnknownMediator(String),
    /// The number of agents does not match the number of parties.
    #[error(
        "{agents} agents given for a domain with {parties} parties (give one agent per party, in profile-file order)"
    )]
    AgentCount {
        /// Agents given.
        agents: usize,
        /// Parties in the domain.
        parties: usize,
    },
    /// A session needs at least two parties.
    #[error("a negotiation needs at least two parties, the domain has {0}")]
    TooFewParties(usize),
    /// The domain has no outcome.
    #[error("the domain has no outcome (an issue without values)")]
    EmptyDomain,
    /// The outcome space is too large to enumerate.
    #[error("the domain has {outcomes} outcomes, more than the {max} a session enumerates")]
    TooManyOutcomes {
        /// Outcomes in the domain.
        outcomes: u128,
        /// The limit.
        max: u128,
    },
    /// Neither a round limit nor a time limit.
    #[error("a session needs a deadline: at least 1 round or a positive time limit")]
    NoDeadline,
    /// More rounds than a session allows.
    #[error("{rounds} rounds is more than the {max} a session allows")]
    TooManyRounds {
        /// Rounds asked for.
        rounds: u32,
        /// The limit.
        max: u32,
    },
    /// A time limit without a clock to measure it.
    #[error("a time limit needs a clock (use `run_prepared` with one)")]
    NoClock,
    /// A tournament without domains or agents.
    #[error("a tournament needs at least one domain and one agent")]
    EmptyTournament,
    /// Two tournament domains with different party counts than agents allow.
    #[error(
        "domain `{domain}` has {parties} parties; tournaments pair agents on two-party domains"
    )]
    NotBilateral {
        /// The domain name.
        domain: String,
        /// Its party count.
        parties: usize,
    },
}
