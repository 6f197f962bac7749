//! Negotiation sessions for truce: protocols, agents and tournaments over any
//! domain `truce-negotiate` reads (GENIUS, GeniusWeb, a deal's open issues).
//!
//! * **Protocols.** Stacked alternating offers ([`Protocol::Sao`]) exactly as
//!   NegMAS 0.16.0's `SAOMechanism` runs it (see [`sao`] for the rules and
//!   relative time), and a mediated single-text protocol
//!   ([`Protocol::SingleText`], see [`single_text`]) in which parties only
//!   accept or veto the mediator's text.
//! * **Agents** ([`AgentKind`]): `boulware`, `linear`, `conceder`,
//!   `aspiration` (NegMAS's time-based negotiators, same curves, tolerances
//!   and outcome choice), `tit-for-tat` (NegMAS `NaiveTitForTatNegotiator`),
//!   `hardliner` and `random`. No agent offers or accepts an outcome below its
//!   reservation value.
//! * **Privacy in the types.** An agent is built from one [`PrivateView`]:
//!   its own party's utilities and reservation value. Only this crate can make
//!   a view, and a session makes exactly one per party and hands it to that
//!   party's agent. Agents otherwise see the public outcome space and offers
//!   ([`Turn`]); the single-text [`Mediator`] sees only [`Vote`]s.
//! * **Tournaments** ([`run_tournament`]): every ordered pairing on every
//!   domain, repeated, in parallel on scoped threads, deterministic whatever
//!   the thread count (each session's seed derives from its coordinates).
//!
//! # Reproducing NegMAS
//!
//! Each party's outcomes are enumerated in NegMAS's order (first issue
//! slowest) and ordered by utility, ties by that order ([`Prepared`],
//! [`Inverse`]); an agent's offer at a
//! utility level is NegMAS's `PresortingInverseUtilityFunction.worst_in`
//! (see [`Inverse::worst_in`]). Utilities are summed issue by issue from 0.0
//! as NegMAS sums them, so they are bit-identical whenever the domain reader
//! gives the same per-value numbers.
//!
//! Of the 26 reference runs in `testdata/negotiation-baselines/sao-*`, 18
//! match NegMAS offer by offer (Laptop, ItexvsCypress, Party and
//! anl2023-domain00 in every variant and pairing, including tit-for-tat).
//! The other 8 (Grocery, Car, Wholesaler, Travel) are identical up to the
//! first offer where an agent picks between outcomes of *exactly equal*
//! utility to it: NegMAS orders such ties with NumPy's unstable `argsort`
//! (introsort, or a SIMD sort where the CPU has one), an order no other
//! program can reproduce portably; this crate breaks ties by enumeration
//! order. (Checked on Grocery, GENIUS reading: NumPy 2.4.6 sorts the tied
//! outcome NegMAS offers at offer 119 before the one enumerated first.) Four of the eight still close on NegMAS's agreement in NegMAS's
//! round (Car, Travel and Wholesaler with GENIUS utilities, Grocery raw); the
//! tests assert the identical prefix, that the first difference is a tie,
//! and those closings. One more difference is the peer's bookkeeping, not its
//! behaviour: NegMAS's `full_trace` files an offer accepted in the round after
//! it was made under the round of acceptance; [`Session::trace`] keeps the
//! round it was made in.
//!
//! Deliberate departures, all outside the baselines: an agent never offers
//! an outcome below its reservation value (NegMAS's inverter may pick one up
//! to 1e-6 below its lower bound, and falls back to its best outcome when no
//! outcome is rational; here such an agent leaves), and the hardliner keeps
//! its aspiration at relative time 1.
//!
//! This crate does no I/O and reads no clock: a time limit is measured with a
//! clock the caller passes to [`run_prepared`], and `--repeat` throughput is
//! measured by the caller around [`run_repeated`].
//!
//! ```
//! use truce_agents::{AgentKind, SessionOptions, render_trace_text, run_session};
//! use truce_negotiate::{DomainFiles, ReadOptions, read_domain};
//! let profile = |u4: f64, u5: f64, u6: f64| format!(
//!     r#"{{"LinearAdditiveUtilitySpace":{{"issueWeights":{{"days":1}},
//!        "issueUtilities":{{"days":{{"DiscreteValueSetUtilities":
//!        {{"valueUtilities":{{"4":{u4},"5":{u5},"6":{u6}}}}}}}}}}}}}"#);
//! let files = DomainFiles { files: vec![
//!     ("pause.json".into(), r#"{"name":"pause","issuesValues":{"days":{"values":["4","5","6"]}}}"#.into()),
//!     ("side-a.json".into(), profile(0.0, 0.6, 1.0)),
//!     ("side-b.json".into(), profile(1.0, 0.7, 0.0)),
//! ]};
//! let domain = read_domain(&files, &ReadOptions::default()).expect("domain");
//! let session = run_session(&domain, &SessionOptions {
//!     agents: vec![AgentKind::Boulware, AgentKind::Linear],
//!     rounds: 10,
//!     ..SessionOptions::default()
//! })?;
//! assert_eq!(session.agreement.as_deref(), Some(&["5".to_owned()][..]));
//! assert!(render_trace_text(&session).contains("agreement after"));
//! # Ok::<(), truce_agents::SessionError>(())
//! ```

pub mod agents;
mod error;
pub mod mediators;
mod outcome;
mod render;
mod repeat;
pub mod sao;
mod seed;
mod session;
pub mod single_text;
mod space;
pub mod stepped;
mod tournament;
mod view;

pub use agents::{Agent, AgentKind, parse_agents};
pub use error::SessionError;
pub use mediators::MediatorKind;
pub use outcome::{End, SessionOutcome};
pub use render::render_trace_text;
pub use repeat::{Repeated, run_repeated};
pub use session::{
    MAX_ROUNDS, Offer, OutcomeNames, Proposer, Protocol, Session, SessionOptions, TraceEntry,
    run_outcome, run_prepared, run_session,
};
pub use single_text::{Feedback, Mediator, MopacRound, MopacTable, Vote, Voter};
pub use space::{Inverse, MAX_OUTCOMES, OutcomeId, OutcomeSpace, Prepared};
pub use tournament::{
    AgentSummary, TournamentOptions, TournamentResults, TournamentRow, run_tournament,
};
pub use view::{PrivateView, PublicOffer, Turn};
