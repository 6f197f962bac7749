//! The API's JSON types: a boundary of their own, converted from the core
//! types, so a change inside the ledger does not silently change the API.

use serde::{Deserialize, Serialize};
use truce_ledger::{CategoryId, DealId, Hash, PartyId, PersonId, Role};
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
    #[schema(value_type = String)]
    pub party: PartyId,
    #[schema(value_type = String)]
    pub role: Role,
    pub token: String,
}

/// A party and its role.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartyView {
    #[schema(value_type = String)]
    pub id: PartyId,
    #[schema(value_type = String)]
    pub role: Role,
}

/// Persons of one holder and category: what every role may count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Aggregate {
    #[schema(value_type = String)]
    pub holder: PartyId,
    #[schema(value_type = String)]
    pub category: CategoryId,
    pub persons: u64,
}

/// `GET /api/v1/deals/{deal}`: the deal as the caller's role may see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DealView {
    #[schema(value_type = String)]
    pub deal: DealId,
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
    /// Base days agreed, extra days granted, and the two together.
    pub base_days: u32,
    pub extension_days: u32,
    pub pause_days: u32,
    /// Date of day 1 and of the pause's last day, when the deal states a start.
    pub start: Option<String>,
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
}

/// Persons of one holder and category.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReleasedView {
    #[schema(value_type = String)]
    pub holder: PartyId,
    #[schema(value_type = String)]
    pub category: CategoryId,
    pub released: u64,
    pub planned: Option<u64>,
    pub roster: u64,
}

/// One side's exposure under one exchange rule.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExposureView {
    /// The exchange rule, from 1 in deal order.
    pub rule: usize,
    #[schema(value_type = String)]
    pub side: PartyId,
    pub exposure: f64,
}

/// A deviation from the terms or the adopted plan, derived from the record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FindingView {
    /// What a `finding-ruled` event names.
    pub id: String,
    /// `daily-max`, `counter-release`, `priority`, `plan-deviation`, …
    pub rule: String,
    pub day: Option<u32>,
    pub seq: Option<u64>,
    #[schema(value_type = Option<String>)]
    pub party: Option<PartyId>,
    /// `counts` (signed aggregates, checkable by anyone) or `persons` (the
    /// roster and person key).
    pub evidence: String,
    /// In words and counts; never a person id.
    pub message: String,
    /// `excused` or `upheld` once ruled on, with the ruling's seq.
    pub ruling: Option<String>,
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
    #[schema(value_type = String)]
    pub deal: DealId,
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
    pub seq: u64,
    #[schema(value_type = String)]
    pub hash: Hash,
    /// The event's `type` (`handover-recorded`, …).
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = String)]
    pub author: PartyId,
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
    pub events: Vec<EventView>,
    /// Pass as `after` for the next page; null at the end.
    pub next_after: Option<u64>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}
