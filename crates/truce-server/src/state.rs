//! Shared state: the store, each deal's chain kept in memory (so an append
//! verifies against the head without re-reading the ledger, and handovers
//! resolve their pseudonyms without re-reading the roster), and the token
//! cache.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Deserialize;
use tokio::sync::Mutex as AsyncMutex;
use truce_exec::{Context, Execution, PlanSchedule, Roster, Superseded, Terms};
use truce_ledger::{
    DealId, DealLedger, Event, Hash, KeyRing, PartyId, PersonId, PersonKey, Pseudonym, PublicKey,
    Role, SignedEvent,
};
use truce_store::Store;

use crate::error::AppError;

/// What handlers share; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub store: Store,
    /// When set, creating a deal needs `Authorization: Bearer <admin token>`.
    pub admin_token: Option<String>,
    /// The service's own key: it signs a checkpoint in every receipt.
    pub service_key: truce_ledger::ServiceKey,
    deals: Mutex<HashMap<String, DealSlot>>,
    tokens: Mutex<HashMap<String, Caller>>,
    /// Each event once it is durable, as (deal, seq): the room's live
    /// timeline listens here. Nobody listening is fine.
    pub appended: tokio::sync::broadcast::Sender<(DealId, u64)>,
    /// Each deal whose agreement or amendment a side has just signed in
    /// the room: the overview's signing section follows it live (a kept
    /// signature is no ledger event, so `appended` never tells). Nobody
    /// listening is fine.
    pub signed: tokio::sync::broadcast::Sender<DealId>,
    /// Each deal where a side has just voted on a text without closing its
    /// round: the room's Texts view follows it live for the mediator and
    /// the sides only (a guarantor or an observer never learns of a vote
    /// before the round closes, which `signed` then tells everyone).
    pub talks: tokio::sync::broadcast::Sender<DealId>,
    /// Whether a task already follows other servers' changes
    /// ([`AppState::follow_other_servers`]).
    following: std::sync::atomic::AtomicBool,
}

/// One deal's lock: appends to a deal run one at a time, from verification
/// to commit. `None` means "load from the store on next use" (never loaded,
/// or dropped after a failed write so memory never runs ahead of disk).
pub(crate) type DealSlot = Arc<AsyncMutex<Option<Chain>>>;

/// Who holds a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The deal the token belongs to.
    pub deal: DealId,
    /// The party of that deal the token speaks for.
    pub party: PartyId,
    /// That party's role in the deal.
    pub role: Role,
}

/// A handover as the views need it: who carried whom from where to where,
/// its pseudonyms resolved to the deal's person ids.
#[derive(Debug, Clone)]
pub(crate) struct Handover {
    pub author: PartyId,
    pub holder: PartyId,
    pub to: PartyId,
    pub persons: Vec<PersonId>,
}

/// A deal's chain in memory: the ledger (state and head), its key ring, the
/// person key and the roster by pseudonym, and the handovers by seq.
#[derive(Debug)]
pub(crate) struct Chain {
    pub ledger: DealLedger,
    pub keys: KeyRing,
    /// The parties and roles the deal was created with.
    pub roles: BTreeMap<PartyId, Role>,
    /// The stored deal's hash (computed at `POST /deals`): what the sides
    /// must sign to agree.
    pub deal_hash: Hash,
    /// The deal's person key (its `Debug` does not show it).
    pub person_key: PersonKey,
    pub handovers: BTreeMap<u64, Handover>,
    /// The terms in force: the stored deal's, read once, or the last
    /// amendment's.
    pub terms: Terms,
    /// Each amended deal, oldest first: (seq of its `deal-amended`, deal
    /// hash, JSON). The last is in force.
    pub amended: Vec<(u64, Hash, String)>,
    /// Terms an amendment replaced: (seq of the amendment, terms).
    pub superseded_terms: Vec<(u64, Terms)>,
    /// The roster with categories, families and tiers, by pseudonym.
    pub roster: Roster,
    /// The adopted plan in force, once a `plan-adopted` event names a
    /// stored one.
    pub plan: Option<PlanSchedule>,
    /// Plans a later `plan-adopted` replaced: (seq of that event, plan).
    pub superseded_plans: Vec<(u64, PlanSchedule)>,
    /// Every `plan-adopted`, oldest first: (its seq, the plan's hash); the
    /// last names the plan in force (the room's Plan view shows re-plans).
    pub adoptions: Vec<(u64, Hash)>,
    /// The execution so far, replayed from the chain.
    pub execution: Execution,
}

/// A handover's pseudonym that is not a person of the deal held by the
/// handover's holder: its position in the list, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownPerson(pub usize);

impl Chain {
    /// The person ids of a handover from `holder`: each pseudonym must be a
    /// person of the deal held by `holder`.
    pub fn resolve(
        &self,
        holder: &PartyId,
        pseudonyms: &[Pseudonym],
    ) -> Result<Vec<PersonId>, UnknownPerson> {
        pseudonyms
            .iter()
            .enumerate()
            .map(
                |(i, p)| match self.roster.index_of(p).map(|n| &self.roster.persons()[n]) {
                    Some(person) if &person.holder == holder => Ok(person.id.clone()),
                    _ => Err(UnknownPerson(i + 1)),
                },
            )
            .collect()
    }

    /// What execution is checked against now.
    pub fn context(&self) -> Context<'_> {
        Context {
            terms: &self.terms,
            roster: Some(&self.roster),
            plan: self.plan.as_ref(),
            superseded: Superseded {
                terms: &self.superseded_terms,
                plans: &self.superseded_plans,
            },
        }
    }

    /// The plan adopted at `seq` is in force from now on.
    pub fn adopt(&mut self, seq: u64, plan: PlanSchedule) {
        if let Some(old) = self.plan.replace(plan) {
            self.superseded_plans.push((seq, old));
        }
    }

    /// The amendment at `seq` puts `terms` (of the deal `json`, hashed
    /// `hash`) in force from now on.
    pub fn amend(&mut self, seq: u64, terms: Terms, hash: Hash, json: String) {
        let old = std::mem::replace(&mut self.terms, terms);
        self.superseded_terms.push((seq, old));
        self.amended.push((seq, hash, json));
    }

    /// Note what `ev`, just appended, adds to the views; `persons` are its
    /// resolved pseudonyms if it is a handover.
    pub fn index(&mut self, ev: &SignedEvent, persons: Vec<PersonId>) {
        self.execution.apply(Some(&self.roster), ev);
        if let Event::PlanAdopted { plan_hash, .. } = &ev.event {
            self.adoptions.push((ev.seq, *plan_hash));
        }
        if let Event::HandoverRecorded { holder, to, .. } = &ev.event {
            self.handovers.insert(
                ev.seq,
                Handover {
                    author: ev.author.clone(),
                    holder: holder.clone(),
                    to: to.clone(),
                    persons,
                },
            );
        }
    }

    /// Index a stored event, resolving a handover's pseudonyms (they were
    /// resolved when it was appended; failing now means the database was
    /// edited).
    fn index_stored(&mut self, ev: &SignedEvent) -> Result<(), AppError> {
        let persons = match &ev.event {
            Event::HandoverRecorded {
                holder, pseudonyms, ..
            } => self
                .resolve(holder, pseudonyms)
                .map_err(|UnknownPerson(i)| {
                    AppError::internal(&format_args!(
                        "stored handover at seq {} names an unknown person (pseudonym {i})",
                        ev.seq
                    ))
                })?,
            _ => Vec::new(),
        };
        self.index(ev, persons);
        Ok(())
    }
}

/// The parts of the normalised deal JSON the service reads; the rest is
/// stored as sent.
#[derive(Deserialize)]
pub(crate) struct DealShape {
    pub parties: Vec<PartyShape>,
    #[serde(default)]
    pub persons: Vec<PersonShape>,
}

#[derive(Deserialize)]
pub(crate) struct PartyShape {
    pub id: String,
    pub role: String,
}

#[derive(Deserialize)]
pub(crate) struct PersonShape {
    pub id: String,
    pub holder: String,
}

/// A fresh person key from the operating system's randomness.
pub(crate) fn new_person_key() -> Result<PersonKey, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(&e))?;
    Ok(PersonKey::from_bytes(bytes))
}

/// Events read per query while loading a chain.
const LOAD_PAGE: u32 = 1000;

impl AppState {
    /// State over an open store, with a fresh service key from the
    /// operating system's randomness (checkpoints it signs verify only
    /// while it lives: give a kept key with [`AppState::with_service_key`]).
    pub fn new(store: Store, admin_token: Option<String>) -> AppState {
        let mut seed = [0u8; 32];
        // Without OS randomness the service cannot make tokens either; a
        // zero seed here would only be reached on such a broken system, and
        // every token request would fail first.
        let _ = getrandom::fill(&mut seed);
        let key = truce_ledger::ServiceKey::with_default_name(&seed);
        AppState::with_service_key(store, admin_token, key)
    }

    /// State over an open store that signs checkpoints with `service_key`.
    pub fn with_service_key(
        store: Store,
        admin_token: Option<String>,
        service_key: truce_ledger::ServiceKey,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                admin_token,
                service_key,
                deals: Mutex::new(HashMap::new()),
                tokens: Mutex::new(HashMap::new()),
                appended: tokio::sync::broadcast::channel(1024).0,
                signed: tokio::sync::broadcast::channel(256).0,
                talks: tokio::sync::broadcast::channel(256).0,
                following: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    /// Once per state, inside a tokio runtime: pass what other servers on
    /// the same PostgreSQL database commit (appends, kept signatures) to
    /// this server's live viewers, as if recorded here (see
    /// `truce_store::Watch`). Nothing to follow on SQLite. The task ends
    /// when the state is dropped and a change arrives, or when the
    /// database closes.
    pub(crate) fn follow_other_servers(&self) {
        use std::sync::atomic::Ordering;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.inner.following.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.inner.store.clone();
        let inner = Arc::downgrade(&self.inner);
        drop(runtime.spawn(async move {
            match store.watch().await {
                Ok(Some(watch)) => follow(inner, watch).await,
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "not following other servers: live viewers see only this server's events");
                }
            }
        }));
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The lock of a deal's chain.
    pub(crate) fn slot(&self, deal: &DealId) -> DealSlot {
        let mut deals = self
            .inner
            .deals
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        deals.entry(deal.as_str().to_owned()).or_default().clone()
    }

    /// Who holds `token`, if anyone.
    pub(crate) async fn caller(&self, token: &str) -> Result<Option<Caller>, AppError> {
        let hash = truce_store::token_hash(token);
        if let Some(c) = self.cached(&hash) {
            return Ok(Some(c));
        }
        let store = self.store();
        let Some(record) = store.token(&hash).await.map_err(|e| AppError::store(&e))? else {
            return Ok(None);
        };
        let parties = store
            .parties(&record.deal_id)
            .await
            .map_err(|e| AppError::store(&e))?;
        let party = parties.iter().find(|p| p.party_id == record.party_id);
        let caller = match party {
            Some(p) => Caller {
                deal: DealId::new(&record.deal_id).map_err(|e| AppError::internal(&e))?,
                party: PartyId::new(&p.party_id).map_err(|e| AppError::internal(&e))?,
                role: parse_role(&p.role)?,
            },
            None => return Err(AppError::internal(&"a token names no party")),
        };
        self.inner
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(hash, caller.clone());
        Ok(Some(caller))
    }

    fn cached(&self, hash: &str) -> Option<Caller> {
        let tokens = self
            .inner
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        tokens.get(hash).cloned()
    }

    /// Read a deal's chain from the store, verifying every stored event as
    /// it goes: a database edited behind the server's back is refused here.
    pub(crate) async fn load(&self, deal: &DealId) -> Result<Chain, AppError> {
        let store = self.store();
        let record = store
            .deal(deal.as_str())
            .await
            .map_err(|e| AppError::store(&e))?
            .ok_or_else(AppError::no_deal)?;
        let key_hex = match record.person_key {
            Some(k) => k,
            // A deal created before person keys existed gets one now; if
            // another server got there first, its key is the one kept.
            None => store
                .fill_person_key(deal.as_str(), &new_person_key()?.to_hex())
                .await
                .map_err(|e| AppError::store(&e))?
                .ok_or_else(AppError::no_deal)?,
        };
        let person_key = PersonKey::from_hex(&key_hex).map_err(|e| AppError::internal(&e))?;
        let deal_hash = Hash::from_hex(&record.deal_hash)
            .ok_or_else(|| AppError::internal(&"a stored deal hash is not 64 hex digits"))?;
        let deal_value: serde_json::Value =
            serde_json::from_str(&record.deal_json).map_err(|e| AppError::internal(&e))?;
        let (terms, roster) = Roster::from_value(&deal_value, deal, &person_key)
            .map_err(|e| AppError::internal(&e))?;
        let mut keys = KeyRing::new();
        let mut roles = BTreeMap::new();
        for p in store
            .parties(deal.as_str())
            .await
            .map_err(|e| AppError::store(&e))?
        {
            let party = PartyId::new(&p.party_id).map_err(|e| AppError::internal(&e))?;
            let key = PublicKey::from_hex(&p.public_key).map_err(|e| AppError::internal(&e))?;
            roles.insert(party.clone(), parse_role(&p.role)?);
            keys.insert(party, key)
                .map_err(|e| AppError::internal(&e))?;
        }
        let mut chain = Chain {
            ledger: DealLedger::new(deal.clone()),
            keys,
            roles,
            deal_hash,
            person_key,
            handovers: BTreeMap::new(),
            terms,
            amended: Vec::new(),
            superseded_terms: Vec::new(),
            roster,
            plan: None,
            superseded_plans: Vec::new(),
            adoptions: Vec::new(),
            execution: Execution::new(),
        };
        let mut after = 0;
        loop {
            let page = store
                .events(deal.as_str(), after, LOAD_PAGE)
                .await
                .map_err(|e| AppError::store(&e))?;
            for stored in &page {
                let ev: SignedEvent =
                    serde_json::from_str(&stored.line).map_err(|e| AppError::internal(&e))?;
                chain
                    .ledger
                    .append(&ev, &chain.keys)
                    .map_err(|e| AppError::internal(&e))?;
                chain.index_stored(&ev)?;
                match &ev.event {
                    Event::PlanAdopted { plan_hash, .. } => {
                        let plan = self.stored_plan(deal, plan_hash).await?.ok_or_else(|| {
                            AppError::internal(&"an adopted plan is not in the store")
                        })?;
                        chain.adopt(ev.seq, plan);
                    }
                    Event::DealAgreed { deal_hash, .. } if *deal_hash != chain.deal_hash => {
                        let (terms, json) = self
                            .stored_agreed(deal, &chain.person_key, deal_hash)
                            .await?
                            .ok_or_else(|| {
                                AppError::internal(&"an agreed text's deal is not in the store")
                            })?;
                        chain.amend(ev.seq, terms, *deal_hash, json);
                    }
                    Event::DealAmended { deal_hash, .. } => {
                        let (terms, json) = self
                            .stored_amendment(deal, &chain.person_key, deal_hash)
                            .await?
                            .ok_or_else(|| {
                                AppError::internal(&"an amended deal is not in the store")
                            })?;
                        chain.amend(ev.seq, terms, *deal_hash, json);
                    }
                    _ => {}
                }
                after = stored.seq;
            }
            if page.len() < LOAD_PAGE as usize {
                return Ok(chain);
            }
        }
    }
}

impl AppState {
    /// An amended deal kept for `deal` under `hash`: its terms and JSON.
    pub(crate) async fn stored_amendment(
        &self,
        deal: &DealId,
        person_key: &PersonKey,
        hash: &Hash,
    ) -> Result<Option<(Terms, String)>, AppError> {
        let Some(json) = self
            .store()
            .amended_deal(deal.as_str(), &hash.to_string())
            .await
            .map_err(|e| AppError::internal(&e))?
        else {
            return Ok(None);
        };
        let value: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| AppError::internal(&e))?;
        let (terms, _) =
            Roster::from_value(&value, deal, person_key).map_err(|e| AppError::internal(&e))?;
        Ok(Some((terms, json)))
    }

    /// The deal resolved to an agreed text, kept for `deal` under `hash`:
    /// its terms and JSON.
    pub(crate) async fn stored_agreed(
        &self,
        deal: &DealId,
        person_key: &PersonKey,
        hash: &Hash,
    ) -> Result<Option<(Terms, String)>, AppError> {
        let Some(json) = self
            .store()
            .agreed_deal(deal.as_str(), &hash.to_string())
            .await
            .map_err(|e| AppError::store(&e))?
        else {
            return Ok(None);
        };
        let value: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| AppError::internal(&e))?;
        let (terms, _) =
            Roster::from_value(&value, deal, person_key).map_err(|e| AppError::internal(&e))?;
        Ok(Some((terms, json)))
    }

    /// A plan kept for `deal` under `hash`, read as a schedule.
    pub(crate) async fn stored_plan(
        &self,
        deal: &DealId,
        hash: &Hash,
    ) -> Result<Option<PlanSchedule>, AppError> {
        let json = self
            .store()
            .plan(deal.as_str(), &hash.to_string())
            .await
            .map_err(|e| AppError::store(&e))?;
        json.map(|j| PlanSchedule::from_json(&j).map_err(|e| AppError::internal(&e)))
            .transpose()
    }
}

pub(crate) fn parse_role(role: &str) -> Result<Role, AppError> {
    serde_json::from_value(serde_json::Value::String(role.to_owned()))
        .map_err(|e| AppError::internal(&e))
}

/// Forward other servers' changes to this server's live viewers until the
/// state is gone or the database closes.
async fn follow(inner: std::sync::Weak<Inner>, mut watch: truce_store::Watch) {
    use truce_store::{Change, Next};
    loop {
        let next = watch.next().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        match next {
            Ok(Next::Change(Change::Appended { deal, seq })) => {
                if let Ok(deal) = DealId::new(&deal) {
                    let _ = inner.appended.send((deal, seq));
                }
            }
            Ok(Next::Change(Change::Signed { deal })) => {
                if let Ok(deal) = DealId::new(&deal) {
                    let _ = inner.signed.send(deal);
                }
            }
            Ok(Next::Change(Change::Talks { deal })) => {
                if let Ok(deal) = DealId::new(&deal) {
                    let _ = inner.talks.send(deal);
                }
            }
            Ok(Next::Reconnected) => {
                tracing::warn!(
                    "lost the database's notifications and reconnected: live viewers catch up at the next event"
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, "stopped following other servers");
                return;
            }
        }
    }
}
