//! The API's JSON types: a boundary of their own, converted from the core
//! types, so a change inside the ledger does not silently change the API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use truce_ledger::{CategoryId, DealId, Hash, PartyId, PersonId, Role, Sig};
use utoipa::{IntoParams, ToSchema};

/// `POST /api/v1/deals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDeal {
    /// The deal's id in the ledger: lowercase letters, digits and `-`.
    pub id: String,
    /// The normalised deal JSON (`truce check DEAL --format json`): its
    /// `parties` (id, role) and `persons` (id, holder, category, group) are
    /// read; the whole is stored and hashed.
    #[schema(value_type = Object)]
    pub deal: serde_json::Value,
    /// The parties' public keys: the `keys.json` object
    /// (`{"format_version":1,"parties":[{"id","public_key"}]}`), one per
    /// party of the deal.
    #[schema(value_type = Object)]
    pub keys: serde_json::Value,
    /// The deal's person key, 64 hex digits (`truce_ledger::PersonKey`):
    /// handovers name persons by their HMAC-SHA256 pseudonym under it. Bring
    /// one to compute pseudonyms before the service answers; omit it and the
    /// service makes one from the operating system's randomness. `422
    /// bad-person-key` if malformed.
    #[serde(default)]
    pub person_key: Option<String>,
}

/// The answer to creating a deal: each party's bearer token, shown once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedDeal {
    /// The deal's id, as sent.
    #[schema(value_type = String)]
    pub deal: DealId,
    /// `deal_hash` of the normalised deal JSON, hex: what the sides sign to
    /// agree.
    #[schema(value_type = String)]
    pub deal_hash: Hash,
    /// The deal's person key, 64 hex digits: the one sent, or the one the
    /// service made. The mediator hands it to the parties who see persons
    /// (the sides and the intermediary), never to guarantors or observers;
    /// they also read it from `GET /deals/{deal}`.
    pub person_key: String,
    /// One token per party. The server keeps only their SHA-256: hand each
    /// to its party now, it cannot be shown again.
    pub tokens: Vec<PartyToken>,
}

/// A party's bearer token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartyToken {
    /// The party's id in the deal.
    #[schema(value_type = String)]
    pub party: PartyId,
    /// The party's role (`mediator`, `side`, `intermediary`, `guarantor`,
    /// `observer`).
    #[schema(value_type = String)]
    pub role: Role,
    /// The bearer token (`truce_` and 64 hex digits), sent as
    /// `Authorization: Bearer …`.
    pub token: String,
}

/// A party and its role.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartyView {
    /// The party's id in the deal.
    #[schema(value_type = String)]
    pub id: PartyId,
    /// The party's role (`mediator`, `side`, `intermediary`, `guarantor`,
    /// `observer`).
    #[schema(value_type = String)]
    pub role: Role,
}

/// Persons of one holder and category: what every role may count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Aggregate {
    /// The holding party's id.
    #[schema(value_type = String)]
    pub holder: PartyId,
    /// The category's id.
    #[schema(value_type = String)]
    pub category: CategoryId,
    /// Persons in the deal's rosters of this holder and category.
    pub persons: u64,
}

/// `GET /api/v1/deals/{deal}`: the deal as the caller's role may see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DealView {
    /// The deal's id.
    #[schema(value_type = String)]
    pub deal: DealId,
    /// `deal_hash` of the deal JSON in force (the amended one after an
    /// amendment), hex.
    #[schema(value_type = String)]
    pub deal_hash: Hash,
    /// Who is asking.
    pub you: PartyView,
    /// Which persons this view lists: `all` (mediator), `own-and-received`
    /// (a side), `carried` (an intermediary), `none` (guarantor, observer).
    pub visibility: String,
    /// The deal's person key (64 hex digits) for the mediator, the sides and
    /// the intermediary, who sign handovers and check their persons' pseudonyms
    /// offline; null for guarantors and observers.
    pub person_key: Option<String>,
    /// The normalised deal JSON with `persons` cut down to those the role
    /// may see.
    #[schema(value_type = Object)]
    pub terms: serde_json::Value,
    /// Counts per holder and category, for every role.
    pub aggregates: Vec<Aggregate>,
    /// The terms in force before each amendment, oldest first, without
    /// persons (amendments keep them): what a party checks the days before
    /// an amendment against. Empty when the deal was never amended.
    #[serde(default)]
    pub earlier: Vec<EarlierTerms>,
}

/// Terms an amendment replaced.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EarlierTerms {
    /// Seq of the `deal-amended` event that replaced them.
    pub replaced_at: u64,
    /// Their deal hash.
    #[schema(value_type = String)]
    pub deal_hash: Hash,
    /// The normalised deal JSON with `persons` left out.
    #[schema(value_type = Object)]
    pub terms: serde_json::Value,
}

/// `GET /api/v1/deals/{deal}/state`: where the deal's chain stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StateView {
    /// The deal's id.
    #[schema(value_type = String)]
    pub deal: DealId,
    /// `none` before the first event, then the ledger's phase.
    pub phase: String,
    /// The seq the next event must carry.
    pub next_seq: u64,
    /// Hash of the last event, the next event's `prev`; null while empty.
    #[schema(value_type = Option<String>)]
    pub head: Option<Hash>,
    /// Hash of the agreed deal, once agreed.
    #[schema(value_type = Option<String>)]
    pub agreed_deal_hash: Option<Hash>,
    /// Handovers recorded and not yet confirmed.
    pub unconfirmed_handovers: Vec<u64>,
    /// Where execution stands against the terms and the adopted plan:
    /// counts, exposure and findings, the same for every role (it names no
    /// person).
    pub execution: ExecutionView,
}

/// Execution against the terms and the adopted plan (truce-exec's status).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExecutionView {
    /// The last day with a handover (0 before the first).
    pub day: u32,
    /// Base days of the pause agreed in the terms.
    pub base_days: u32,
    /// Extra days granted so far.
    pub extension_days: u32,
    /// Days the pause has now (base + extra).
    pub pause_days: u32,
    /// Date of day 1, when the deal states a start.
    pub start: Option<String>,
    /// Date of the pause's last day, when the deal states a start.
    pub pause_end: Option<String>,
    /// `completed` or `collapsed` once execution has ended.
    pub ended: Option<String>,
    /// Released, planned (once a plan is adopted) and in the roster, per
    /// holder and category.
    pub released: Vec<ReleasedView>,
    /// Each side's exposure under each exchange rule now, in persons.
    pub exposure_now: Vec<ExposureView>,
    /// The largest exposure at any handover so far.
    pub max_exposure: f64,
    /// Breach reports not yet ruled on.
    pub open_breaches: Vec<u64>,
    /// Every deviation from the terms or the plan, ruled or not.
    pub findings: Vec<FindingView>,
    /// How many findings are not yet ruled on.
    pub open_findings: usize,
    /// Each resource flow of the terms with its recorded deliveries.
    #[serde(default)]
    pub flows: Vec<FlowView>,
    /// Each release day's list delivered (a count, never persons).
    #[serde(default)]
    pub lists: Vec<ListView>,
}

/// One resource flow's deliveries recorded so far (`flow-recorded`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FlowView {
    /// The flow's id in the terms.
    pub flow: String,
    /// Its unit (`trucks`, `litres`).
    pub unit: String,
    /// The side that delivers it.
    #[schema(value_type = String)]
    pub by: PartyId,
    /// The agreed daily minimum.
    pub min_per_day: u32,
    /// Recorded delivered in all.
    pub delivered: u64,
    /// Recorded delivered on each day, from day 1 to the last day with a
    /// record.
    pub per_day: Vec<u64>,
}

/// One release day's list (`lists-exchanged`): its size, never persons.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListView {
    /// Seq of the `lists-exchanged` event.
    pub seq: u64,
    /// The release day it is for.
    pub day: u32,
    /// The side that delivered it.
    #[schema(value_type = String)]
    pub holder: PartyId,
    /// The side it went to.
    #[schema(value_type = String)]
    pub to: PartyId,
    /// Persons it names.
    pub count: u32,
    /// Whether the receiving side acknowledged it.
    pub acknowledged: bool,
}

/// Persons of one holder and category.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReleasedView {
    /// The holding party's id.
    #[schema(value_type = String)]
    pub holder: PartyId,
    /// The category's id.
    #[schema(value_type = String)]
    pub category: CategoryId,
    /// Persons released so far.
    pub released: u64,
    /// Persons the adopted plan releases in all; null while no plan is
    /// adopted (or the roster is not known).
    pub planned: Option<u64>,
    /// Persons in the roster.
    pub roster: u64,
}

/// One side's exposure under one exchange rule.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExposureView {
    /// The exchange rule, from 1 in deal order.
    pub rule: usize,
    /// The giving side of the rule (the holder of its `gives`).
    #[schema(value_type = String)]
    pub side: PartyId,
    /// In persons of the giving side, to one decimal.
    pub exposure: f64,
}

/// A deviation from the terms or the adopted plan, derived from the record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FindingView {
    /// What a `finding-ruled` event names.
    pub id: String,
    /// `daily-max`, `counter-release`, `priority`, `plan-deviation`, …
    pub rule: String,
    /// The day it happened; null when it belongs to no single day.
    pub day: Option<u32>,
    /// Seq of the event that shows it; null when no single event does.
    pub seq: Option<u64>,
    /// The party concerned (a holder, an intermediary); null when none is.
    #[schema(value_type = Option<String>)]
    pub party: Option<PartyId>,
    /// `counts` (signed aggregates, checkable by anyone) or `persons` (the
    /// roster and person key).
    pub evidence: String,
    /// In words and counts; never a person id.
    pub message: String,
    /// `excused` or `upheld` once ruled on, with the ruling's seq.
    pub ruling: Option<String>,
    /// Seq of the `finding-ruled` event; null until ruled on.
    pub ruled_at: Option<u64>,
}

/// `201` to `POST /api/v1/deals/{deal}/plans`: the plan is kept under its
/// canonical hash, which a `plan-adopted` event names.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlanKept {
    /// Canonical hash of the plan JSON, hex.
    #[schema(value_type = String)]
    pub plan_hash: Hash,
    /// The plan's last day with a handover.
    pub days_used: u32,
    /// Persons the plan releases.
    pub persons: usize,
    /// The pause the terms agree: what `plan-adopted` carries as `days`.
    pub pause_days: u32,
}

/// `201` to `POST /api/v1/deals/{deal}/amendments`: the amended deal is
/// kept under its deal hash, which the sides sign and a `deal-amended` event
/// names.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AmendmentKept {
    /// `deal_hash` of the amended deal JSON: what every side signs.
    #[schema(value_type = String)]
    pub deal_hash: Hash,
    /// The number the amendment takes if recorded next (1 for the first).
    pub amendment: u32,
    /// The deal hash in force now, which the amendment replaces (null
    /// before the deal is agreed: an amendment needs an agreed deal).
    #[schema(value_type = Option<String>)]
    pub replaces: Option<Hash>,
}

/// `201` to an appended event: the store's receipt, to keep. With receipts,
/// `truce verify --receipts` proves the ledger still holds the event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReceiptView {
    /// The deal's id.
    #[schema(value_type = String)]
    pub deal: DealId,
    /// The event's seq in the deal's ledger.
    pub seq: u64,
    /// SHA-256 of the event's ledger line, hex.
    #[schema(value_type = String)]
    pub hash: Hash,
    /// The same, signed by the service: a C2SP signed note (`truce/<deal>`,
    /// seq, head hash in base64, the service's signature). Keep it: with the
    /// service's verifier key, `truce verify --checkpoint` catches a ledger
    /// cut off before this seq or showing another event at it.
    #[serde(default)]
    pub checkpoint: String,
}

/// `GET /api/v1/service-key`: what parties verify checkpoints with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServiceKeyView {
    /// The service's name in its signatures.
    pub name: String,
    /// The verifier key, `<name>+<key id>+<base64 key>` (signed-note form).
    pub verifier_key: String,
}

/// Query of `GET /api/v1/deals/{deal}/events`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Events with seq greater than this (default 0).
    pub after: Option<u64>,
    /// At most this many (default and maximum 1000).
    pub limit: Option<u32>,
}

/// One event as the caller's role may see it: every role sees every signed
/// event whole (a handover names persons by pseudonym only; its day,
/// holder, receiver and the number of pseudonyms are its counts); the
/// person ids of a handover are added only for the roles that may see them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// The event's seq in the deal's ledger (from 1).
    pub seq: u64,
    /// SHA-256 of the event's ledger line, hex (the next event's `prev`).
    #[schema(value_type = String)]
    pub hash: Hash,
    /// The event's `type` (`handover-recorded`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// The party that signed the event.
    #[schema(value_type = String)]
    pub author: PartyId,
    /// When the author stamped it: Unix time in milliseconds (UTC), from
    /// the author's clock.
    pub at_ms: u64,
    /// The signed event: its ledger line as JSON.
    #[schema(value_type = Object)]
    pub signed: serde_json::Value,
    /// Present only on a `handover-recorded` event whose persons the
    /// caller's role may see (the mediator every one, a side those it gives
    /// or receives, the intermediary those it recorded; guarantors and
    /// observers none): the person ids its pseudonyms stand for, in the
    /// event's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub persons: Option<Vec<PersonId>>,
}

/// A page of events.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    /// The events of the page, in seq order.
    pub events: Vec<EventView>,
    /// Pass as `after` for the next page; null at the end.
    pub next_after: Option<u64>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` (the database answered).
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// A mediator algorithm and the settings that fix its texts: the same
/// algorithm, seed and round limit over the same votes proposes the same
/// texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlgorithmChoice {
    /// `feedback` (GENIUS's feedback mediator), `annealing` (Klein et al.)
    /// or `hill-climb`.
    pub mediator: String,
    /// The seed of the algorithm's random stream.
    #[serde(default)]
    pub seed: u64,
    /// The most texts the algorithm proposes (its schedule depends on it).
    #[serde(default = "default_text_rounds")]
    pub rounds: u32,
}

/// The algorithm's default round limit.
pub const DEFAULT_TEXT_ROUNDS: u32 = 100;

fn default_text_rounds() -> u32 {
    DEFAULT_TEXT_ROUNDS
}

/// `POST /api/v1/deals/{deal}/texts`: the mediator's text `round`, signed
/// over `truce_ledger::text_message` (domain `truce/text/v1`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostText {
    /// The text's number in the deal, from 1: the next one.
    pub round: u32,
    /// One option for every open issue of the deal: `issue id → option`.
    pub outcome: BTreeMap<String, String>,
    /// The mediator's ed25519 signature (128 hex digits).
    #[schema(value_type = String)]
    pub signature: Sig,
    /// Set when the text is the algorithm's proposal (`POST …/texts/next`
    /// with these settings): the service checks it is, and the algorithm
    /// hears the votes on it. Absent for a text a person wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<AlgorithmChoice>,
}

/// `POST /api/v1/deals/{deal}/texts/{round}/votes`: a side's vote, signed
/// over `truce_ledger::vote_message` (domain `truce/vote/v1`, naming the
/// text's hash).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostVote {
    /// Accept (true) or reject (false) the text.
    pub accept: bool,
    /// The side's ed25519 signature (128 hex digits).
    #[schema(value_type = String)]
    pub signature: Sig,
}

/// `POST /api/v1/deals/{deal}/texts/{round}/withdraw`: the mediator
/// withdraws text `round`, posted in error, while its round is open; signed
/// over `truce_ledger::withdraw_message` (domain `truce/withdraw/v1`, naming
/// the text's hash).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostWithdrawal {
    /// The mediator's ed25519 signature (128 hex digits).
    #[schema(value_type = String)]
    pub signature: Sig,
}

/// The mediator's withdrawal of a text: every party of the deal sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WithdrawalView {
    /// The mediator who withdrew the text.
    #[schema(value_type = String)]
    pub author: PartyId,
    /// The mediator's signature over the withdrawal (any party can check
    /// it with `truce_ledger::verify_withdrawal`).
    #[schema(value_type = String)]
    pub signature: Sig,
    /// When the service received it, Unix milliseconds.
    pub at_ms: u64,
}

/// `201` to a withdrawal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TextWithdrawn {
    /// The text withdrawn.
    pub round: u32,
    /// Its hash, which the withdrawal names.
    #[schema(value_type = String)]
    pub text_hash: Hash,
    /// The withdrawal as kept.
    pub withdrawn: WithdrawalView,
}

/// A side's vote, shown only to the mediator and to the side that cast it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VoteView {
    /// The side.
    #[schema(value_type = String)]
    pub party: PartyId,
    /// Accept (true) or reject (false).
    pub accept: bool,
    /// The side's signature over the vote: the mediator can prove it.
    #[schema(value_type = String)]
    pub signature: Sig,
    /// When the service received it, Unix milliseconds.
    pub at_ms: u64,
}

/// One text of the deal, as the caller's role may see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TextView {
    /// The text's number, from 1.
    pub round: u32,
    /// `issue id → option`.
    pub outcome: BTreeMap<String, String>,
    /// `truce_ledger::text_hash`: what a vote names.
    #[schema(value_type = String)]
    pub text_hash: Hash,
    /// The mediator who posted it.
    #[schema(value_type = String)]
    pub author: PartyId,
    /// The mediator's signature over the text.
    #[schema(value_type = String)]
    pub signature: Sig,
    /// The algorithm whose proposal it is; absent for a person's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<AlgorithmChoice>,
    /// When the service received it, Unix milliseconds.
    pub at_ms: u64,
    /// Whether every side has voted on it.
    pub closed: bool,
    /// Whether every side accepted it: for the mediator and the sides, once
    /// closed; absent for guarantors and observers (and while open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    /// The votes the caller may read: every vote for the mediator, its own
    /// for a side; absent for guarantors and observers. A withdrawn text
    /// keeps the votes cast before it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub votes: Option<Vec<VoteView>>,
    /// Set when the mediator withdrew the text (posted in error): its round
    /// is over, it takes no more votes, it is never the agreed text, and
    /// the algorithm treats it as never proposed. `closed` stays false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<WithdrawalView>,
}

/// An open issue the texts settle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TextIssue {
    /// The issue's id.
    pub id: String,
    /// Its options, in the deal's order.
    pub options: Vec<String>,
}

/// The agreed text: the last text every side accepted, and the deal it
/// resolves to (what the sides sign with `deal-agreed`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgreedText {
    /// The text's number.
    pub round: u32,
    /// `issue id → option`.
    pub outcome: BTreeMap<String, String>,
    /// `deal_hash` of the deal with its open issues resolved to the text:
    /// what every side signs to agree (`truce sign-agreement`), and what
    /// the `deal-agreed` event carries.
    #[schema(value_type = String)]
    pub deal_hash: Hash,
}

/// `GET /api/v1/deals/{deal}/texts`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TextsView {
    /// The deal's id.
    #[schema(value_type = String)]
    pub deal: DealId,
    /// Who is asking.
    pub you: PartyView,
    /// The open issues a text settles, in the deal's order.
    pub issues: Vec<TextIssue>,
    /// The sides who vote, in id order.
    #[schema(value_type = Vec<String>)]
    pub sides: Vec<PartyId>,
    /// Every text, oldest first.
    pub texts: Vec<TextView>,
    /// The number the next text takes.
    pub next_round: u32,
    /// Whether the last text still waits for votes (no new text until it
    /// closes or the mediator withdraws it).
    pub open: bool,
    /// The agreed text, for the mediator and the sides; absent for
    /// guarantors and observers, and while no text was accepted by all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed: Option<AgreedText>,
    /// Whether the deal is agreed in the ledger (`deal-agreed`): no text is
    /// posted or voted on after.
    pub concluded: bool,
}

/// `201` to a vote.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VoteKept {
    /// The text voted on.
    pub round: u32,
    /// The vote, as kept.
    pub accept: bool,
    /// Whether every side has now voted on the text.
    pub closed: bool,
    /// Once closed: whether every side accepted it (the text is then the
    /// agreed text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
}

/// `201` to a posted text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TextKept {
    /// The text's number.
    pub round: u32,
    /// Its hash: what the sides' votes name.
    #[schema(value_type = String)]
    pub text_hash: Hash,
}

/// `POST /api/v1/deals/{deal}/texts/next`: what the algorithm proposes now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NextTextView {
    /// The settings asked for.
    pub algorithm: AlgorithmChoice,
    /// The number the text would take.
    pub round: u32,
    /// The text to post (sign it and `POST …/texts` with `algorithm`);
    /// absent when the algorithm has nothing more to propose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<BTreeMap<String, String>>,
    /// When the algorithm is done: the text it holds (the last its texts
    /// got every side's acceptance for, or its opening text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<BTreeMap<String, String>>,
    /// How many texts of the deal the algorithm heard (its own).
    pub heard: usize,
    /// How many texts it heard that it did not propose (a person's, or
    /// another algorithm's or seed's): one every side accepted is the text
    /// its next proposal changes (`truce_agents::stepped`).
    #[serde(default)]
    pub heard_outside: usize,
}
