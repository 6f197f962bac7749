//! What can happen in a deal's execution: the payload of each ledger event.
//!
//! Events carry party ids, counts, hashes and person pseudonyms, never
//! names or person ids: a handover lists the keyed [`Pseudonym`] of each
//! person it carried (see [`crate::PersonKey`]: the deal's key is held by
//! the mediator, the sides and the intermediary, never by guarantors,
//! observers or whoever only verifies), and the deal and plan themselves
//! appear only as their canonical hashes, so the ledger can be shared with
//! every party and with history without copying the rosters into it.

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::Signature;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::canon::{Hash, canonical_json};
use crate::ids::{CategoryId, DealId, PartyId, Role};
use crate::keys::{PartyKey, PublicKey};
use crate::person::Pseudonym;

/// Longest free text (deal name, reasons, breach summaries) in bytes.
pub const MAX_TEXT_LEN: usize = 1000;

/// Most persons in one handover; far above any convoy, low enough that a
/// hostile ledger cannot make the verifier hold millions of pseudonyms per
/// line.
pub const MAX_PERSONS_PER_HANDOVER: usize = 10_000;

/// Most categories a handover may count.
pub const MAX_CATEGORIES_PER_HANDOVER: usize = 1_000;

/// Longest finding id (`daily-min@day-3@side-b`) in bytes.
pub const MAX_FINDING_ID_LEN: usize = 160;

/// A finding id names a derived deviation from the terms or the plan (see
/// `truce-exec`): lowercase letters, digits, `-` and `@`, never free text.
pub fn check_finding_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_FINDING_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'@')
}

/// An event's payload. The JSON has a `type` tag in kebab-case
/// (`"type":"handover-recorded"`) and the variant's fields beside it.
/// Fields are declared, and written, in sorted key order (see the
/// `Serialize` impl).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Event {
    /// The deal exists, with its parties and their roles. First event of a
    /// deal, by a mediator it lists.
    DealCreated {
        /// A display name for the deal (not a person).
        name: String,
        /// Every party of the deal with its role.
        parties: Vec<PartyRole>,
    },
    /// The mediator opened negotiation: draft → negotiating.
    NegotiationStarted {},
    /// Every side signed the deal's canonical hash: negotiating → agreed.
    DealAgreed {
        /// [`crate::deal_hash`] of the agreed deal.
        deal_hash: Hash,
        /// One signature per side over [`agreement_message`].
        signatures: Vec<PartySignature>,
    },
    /// Every side signed new terms mid-deal: `deal_hash` replaces the
    /// deal hash in force (`replaces`), from this event on. Amendment
    /// `amendment` is the deal's n-th (1, 2, …), so a side's signature on
    /// one amendment never passes for another. Before the pause starts it
    /// sends the deal back to agreed (a plan for the new terms is adopted
    /// again); during the pause execution goes on under the new terms, and a
    /// new `plan-adopted` may supersede the plan.
    DealAmended {
        /// Which amendment of the deal this is: 1 for the first.
        amendment: u32,
        /// [`crate::deal_hash`] of the amended deal.
        deal_hash: Hash,
        /// Why the terms change (free text, never a person id).
        reason: String,
        /// The deal hash in force before this amendment.
        replaces: Hash,
        /// One signature per side over [`amendment_message`].
        signatures: Vec<PartySignature>,
    },
    /// The mediator adopted a staged plan: agreed → planned; or, while the
    /// pause runs, a plan that supersedes the one in force.
    PlanAdopted {
        /// Days the plan uses.
        days: u32,
        /// Canonical hash of the plan JSON.
        plan_hash: Hash,
    },
    /// The pause began: planned → active.
    PauseStarted {},
    /// The intermediary carried persons from `holder` to `to` on `day`.
    HandoverRecorded {
        /// How many of the persons are of each category: the signed
        /// aggregate that lets a party without the roster check ratios,
        /// daily limits, exposure and extension days. The service checks it
        /// against the roster. Absent in ledgers written before it existed.
        counts: Option<BTreeMap<CategoryId, u32>>,
        /// The day of the pause the handover happened on, from 1.
        day: u32,
        /// The party that held the persons and released them.
        holder: PartyId,
        /// Each person carried, as its pseudonym under the deal's
        /// [`crate::PersonKey`]; never a person id.
        pseudonyms: Vec<Pseudonym>,
        /// The party that received the persons.
        to: PartyId,
    },
    /// The receiving side confirms the handover recorded at seq `handover`.
    HandoverConfirmed {
        /// Seq of the `handover-recorded` event being confirmed.
        handover: u64,
    },
    /// Any party reports a breach by `against`.
    BreachReported {
        /// The party said to have breached the terms.
        against: PartyId,
        /// What happened (free text, never a person id).
        summary: String,
    },
    /// The mediator rules on the breach reported at seq `breach`.
    BreachResolved {
        /// Seq of the `breach-reported` event ruled on.
        breach: u64,
        /// Whether the breach is upheld or dismissed.
        finding: Finding,
    },
    /// The mediator rules on a finding: a deviation from the terms or the
    /// adopted plan that the execution's record shows (derived, named by its
    /// id, never signed by anyone before this ruling).
    FindingRuled {
        /// The finding's id (`daily-min@day-3@side-b`, see
        /// [`check_finding_id`]).
        finding: String,
        /// Why the mediator rules so (free text, never a person id).
        reason: String,
        /// Whether the deviation is excused or upheld.
        ruling: Ruling,
    },
    /// The pause is suspended: active → suspended.
    Suspended {
        /// Why the pause is suspended (free text, never a person id).
        reason: String,
    },
    /// The pause resumes: suspended → active.
    Resumed {},
    /// The pause is extended by `days`; the deal stays active.
    Extended {
        /// Days added to the pause (at least 1).
        days: u32,
    },
    /// Every handover is done and confirmed: active → completed.
    Completed {},
    /// A resource flow of the terms (aid trucks, fuel: a deal's `[[flow]]`)
    /// delivered `quantity` of its unit on `day`, as the intermediary or
    /// the delivering side records it. Several records of one day add up.
    FlowRecorded {
        /// The day of the pause the delivery happened on, from 1.
        day: u32,
        /// The flow's id in the deal (`aid-trucks`).
        flow: String,
        /// How much of the flow's unit was delivered (0: none).
        quantity: u32,
    },
    /// The side that authors it delivered to `to` the list of the persons
    /// it will release on `day` (the night before). The list itself goes
    /// to `to` outside the ledger: the ledger keeps only its size and
    /// [`list_commitment`] of its persons' pseudonyms, never a name, id or
    /// pseudonym.
    ListsExchanged {
        /// [`list_commitment`] of the listed persons' pseudonyms.
        commitment: Hash,
        /// How many persons the list names (at least 1).
        count: u32,
        /// The release day the list is for.
        day: u32,
        /// The side that receives the list (and the persons on `day`).
        to: PartyId,
    },
    /// The receiving side acknowledges the list delivered at seq `list`:
    /// it received a list of that size matching the commitment.
    ListAcknowledged {
        /// Seq of the `lists-exchanged` event acknowledged.
        list: u64,
    },
    /// The deal collapsed: an outcome with its reason, from any state after
    /// agreed.
    Collapsed {
        /// Why the deal collapsed (free text, never a person id).
        reason: String,
    },
}

impl Event {
    /// The `type` tag as written in the ledger.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::DealCreated { .. } => "deal-created",
            Event::NegotiationStarted {} => "negotiation-started",
            Event::DealAgreed { .. } => "deal-agreed",
            Event::DealAmended { .. } => "deal-amended",
            Event::PlanAdopted { .. } => "plan-adopted",
            Event::PauseStarted {} => "pause-started",
            Event::HandoverRecorded { .. } => "handover-recorded",
            Event::HandoverConfirmed { .. } => "handover-confirmed",
            Event::BreachReported { .. } => "breach-reported",
            Event::BreachResolved { .. } => "breach-resolved",
            Event::FindingRuled { .. } => "finding-ruled",
            Event::Suspended { .. } => "suspended",
            Event::Resumed {} => "resumed",
            Event::Extended { .. } => "extended",
            Event::Completed {} => "completed",
            Event::Collapsed { .. } => "collapsed",
            Event::FlowRecorded { .. } => "flow-recorded",
            Event::ListsExchanged { .. } => "lists-exchanged",
            Event::ListAcknowledged { .. } => "list-acknowledged",
        }
    }
}

/// Written by hand rather than derived because serde's internally tagged
/// form puts `type` first, while RFC 8785 sorts it after every field name
/// of every variant. With each variant's fields in sorted order and `type`
/// last, plain `serde_json` output of a ledger line already is its canonical
/// form, which lets `verify` check canonical form at serde_json speed
/// (`tests/it/canon.rs` holds this equal to the canonicalizer's output).
impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        match self {
            Event::DealCreated { name, parties } => {
                m.serialize_entry("name", name)?;
                m.serialize_entry("parties", parties)?;
            }
            Event::DealAgreed {
                deal_hash,
                signatures,
            } => {
                m.serialize_entry("deal_hash", deal_hash)?;
                m.serialize_entry("signatures", signatures)?;
            }
            Event::DealAmended {
                amendment,
                deal_hash,
                reason,
                replaces,
                signatures,
            } => {
                m.serialize_entry("amendment", amendment)?;
                m.serialize_entry("deal_hash", deal_hash)?;
                m.serialize_entry("reason", reason)?;
                m.serialize_entry("replaces", replaces)?;
                m.serialize_entry("signatures", signatures)?;
            }
            Event::PlanAdopted { days, plan_hash } => {
                m.serialize_entry("days", days)?;
                m.serialize_entry("plan_hash", plan_hash)?;
            }
            Event::HandoverRecorded {
                counts,
                day,
                holder,
                pseudonyms,
                to,
            } => {
                if let Some(counts) = counts {
                    m.serialize_entry("counts", counts)?;
                }
                m.serialize_entry("day", day)?;
                m.serialize_entry("holder", holder)?;
                m.serialize_entry("pseudonyms", pseudonyms)?;
                m.serialize_entry("to", to)?;
            }
            Event::HandoverConfirmed { handover } => m.serialize_entry("handover", handover)?,
            Event::BreachReported { against, summary } => {
                m.serialize_entry("against", against)?;
                m.serialize_entry("summary", summary)?;
            }
            Event::BreachResolved { breach, finding } => {
                m.serialize_entry("breach", breach)?;
                m.serialize_entry("finding", finding)?;
            }
            Event::FindingRuled {
                finding,
                reason,
                ruling,
            } => {
                m.serialize_entry("finding", finding)?;
                m.serialize_entry("reason", reason)?;
                m.serialize_entry("ruling", ruling)?;
            }
            Event::Suspended { reason } | Event::Collapsed { reason } => {
                m.serialize_entry("reason", reason)?;
            }
            Event::Extended { days } => m.serialize_entry("days", days)?,
            Event::FlowRecorded {
                day,
                flow,
                quantity,
            } => {
                m.serialize_entry("day", day)?;
                m.serialize_entry("flow", flow)?;
                m.serialize_entry("quantity", quantity)?;
            }
            Event::ListsExchanged {
                commitment,
                count,
                day,
                to,
            } => {
                m.serialize_entry("commitment", commitment)?;
                m.serialize_entry("count", count)?;
                m.serialize_entry("day", day)?;
                m.serialize_entry("to", to)?;
            }
            Event::ListAcknowledged { list } => m.serialize_entry("list", list)?,
            Event::NegotiationStarted {}
            | Event::PauseStarted {}
            | Event::Resumed {}
            | Event::Completed {} => {}
        }
        m.serialize_entry("type", self.kind())?;
        m.end()
    }
}

/// Domain separation: a list commitment never passes for any other hash
/// the ledger computes.
const LIST_DOMAIN: &[u8] = b"truce/list/v1\n";

/// The commitment a `lists-exchanged` event carries: SHA-256 of
/// `truce/list/v1\n` followed by the 32 bytes of each listed person's
/// pseudonym, sorted and without repeats (so the order the list was written
/// in does not matter). Whoever holds the list and the deal's person key
/// recomputes it; nobody learns the list from it.
pub fn list_commitment(pseudonyms: &[Pseudonym]) -> Hash {
    let mut sorted: Vec<[u8; 32]> = pseudonyms.iter().map(Pseudonym::to_bytes).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut bytes = Vec::with_capacity(LIST_DOMAIN.len() + 32 * sorted.len());
    bytes.extend_from_slice(LIST_DOMAIN);
    for p in &sorted {
        bytes.extend_from_slice(p);
    }
    Hash::of(&bytes)
}

/// Longest flow id in bytes (the deal format's ids are far shorter).
pub const MAX_FLOW_ID_LEN: usize = 64;

/// A flow id is the deal file's `[[flow]] id`: lowercase letters, digits
/// and `-`, at most [`MAX_FLOW_ID_LEN`] bytes.
pub fn check_flow_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_FLOW_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A party and its role, as the deal-created event lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyRole {
    /// The party.
    pub id: PartyId,
    /// What the party does in the deal.
    pub role: Role,
}

/// The mediator's ruling on a breach report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Finding {
    /// The breach happened.
    Upheld,
    /// The report was not borne out.
    Dismissed,
}

/// The mediator's ruling on a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ruling {
    /// The deviation is accepted (for example agreed by the parties, or
    /// forced by circumstances no party controlled); it no longer counts
    /// against the deal.
    Excused,
    /// The deviation is a breach of the terms, on the record.
    Upheld,
}

impl Ruling {
    /// The keyword as written in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Ruling::Excused => "excused",
            Ruling::Upheld => "upheld",
        }
    }
}

/// An ed25519 signature, written as 128 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sig(pub(crate) Signature);

impl Sig {
    /// The 64 signature bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0.to_bytes()
    }

    /// A signature from its 64 bytes (not checked until verified).
    pub fn from_bytes(bytes: &[u8; 64]) -> Sig {
        Sig(Signature::from_bytes(bytes))
    }
}

impl fmt::Debug for Sig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sig({})", hex::encode(self.to_bytes()))
    }
}

impl Serialize for Sig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for Sig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut bytes = [0; 64];
        hex::decode_to_slice(&s, &mut bytes)
            .map_err(|_| serde::de::Error::custom("a signature must be 128 hex digits"))?;
        Ok(Sig::from_bytes(&bytes))
    }
}

/// A side's signature on the agreed deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartySignature {
    /// The signing side.
    pub party: PartyId,
    /// The side's ed25519 signature over the statement being signed.
    pub signature: Sig,
}

/// Domain separation: an agreement signature can never pass for an event
/// signature or the other way round.
const AGREEMENT_DOMAIN: &[u8] = b"truce/agreement/v1\n";

#[derive(Serialize)]
struct AgreementStatement<'a> {
    deal: &'a DealId,
    deal_hash: &'a Hash,
}

/// The bytes a side signs to agree a deal: a domain tag, then the canonical
/// JSON `{"deal":…,"deal_hash":…}`.
pub fn agreement_message(deal: &DealId, deal_hash: &Hash) -> Vec<u8> {
    let statement = AgreementStatement { deal, deal_hash };
    // Two strings always encode; an empty message would simply never verify.
    let body = canonical_json(&statement).unwrap_or_default();
    [AGREEMENT_DOMAIN, &body].concat()
}

/// A side's signature agreeing `deal_hash` for `deal`.
pub fn sign_agreement(key: &PartyKey, deal: &DealId, deal_hash: &Hash) -> PartySignature {
    PartySignature {
        party: key.party().clone(),
        signature: Sig(key.sign(&agreement_message(deal, deal_hash))),
    }
}

/// Whether `signature` is `key`'s agreement to `deal_hash` for `deal`.
pub fn verify_agreement(key: &PublicKey, deal: &DealId, deal_hash: &Hash, signature: &Sig) -> bool {
    key.verify(&agreement_message(deal, deal_hash), &signature.0)
}

/// Domain separation for amendments: never an agreement or an event.
const AMENDMENT_DOMAIN: &[u8] = b"truce/amendment/v1\n";

#[derive(Serialize)]
struct AmendmentStatement<'a> {
    amendment: u32,
    deal: &'a DealId,
    deal_hash: &'a Hash,
    replaces: &'a Hash,
}

/// The bytes a side signs to amend a deal: a domain tag, then the canonical
/// JSON `{"amendment":n,"deal":…,"deal_hash":…,"replaces":…}`. The number
/// and the replaced hash bind the signature to one step of the deal's
/// history: it cannot be replayed to return to earlier terms.
pub fn amendment_message(
    deal: &DealId,
    amendment: u32,
    replaces: &Hash,
    deal_hash: &Hash,
) -> Vec<u8> {
    let statement = AmendmentStatement {
        amendment,
        deal,
        deal_hash,
        replaces,
    };
    let body = canonical_json(&statement).unwrap_or_default();
    [AMENDMENT_DOMAIN, &body].concat()
}

/// A side's signature on amendment `amendment` of `deal`, from `replaces`
/// to `deal_hash`.
pub fn sign_amendment(
    key: &PartyKey,
    deal: &DealId,
    amendment: u32,
    replaces: &Hash,
    deal_hash: &Hash,
) -> PartySignature {
    PartySignature {
        party: key.party().clone(),
        signature: Sig(key.sign(&amendment_message(deal, amendment, replaces, deal_hash))),
    }
}

/// Whether `signature` is `key`'s signature on amendment `amendment` of
/// `deal`, from `replaces` to `deal_hash`.
pub fn verify_amendment(
    key: &PublicKey,
    deal: &DealId,
    amendment: u32,
    replaces: &Hash,
    deal_hash: &Hash,
    signature: &Sig,
) -> bool {
    key.verify(
        &amendment_message(deal, amendment, replaces, deal_hash),
        &signature.0,
    )
}
