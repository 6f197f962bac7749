//! Shared state: the store, each deal's chain kept in memory (so an append
//! verifies against the head without re-reading the ledger), and the token
//! cache.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Mutex as AsyncMutex;
use truce_ledger::{
    DealId, DealLedger, Event, KeyRing, PartyId, PersonId, PublicKey, Role, SignedEvent,
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
    deals: Mutex<HashMap<String, DealSlot>>,
    tokens: Mutex<HashMap<String, Caller>>,
}

/// One deal's lock: appends to a deal run one at a time, from verification
/// to commit. `None` means "load from the store on next use" (never loaded,
/// or dropped after a failed write so memory never runs ahead of disk).
pub(crate) type DealSlot = Arc<AsyncMutex<Option<Chain>>>;

/// Who holds a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub deal: DealId,
    pub party: PartyId,
    pub role: Role,
}

/// A handover as the views need it: who carried whom from where to where.
#[derive(Debug, Clone)]
pub(crate) struct Handover {
    pub author: PartyId,
    pub holder: PartyId,
    pub to: PartyId,
    pub persons: Vec<PersonId>,
}

/// A deal's chain in memory: the ledger (state and head), its key ring, and
/// the handovers by seq.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub ledger: DealLedger,
    pub keys: KeyRing,
    /// The parties and roles the deal was created with.
    pub roles: BTreeMap<PartyId, Role>,
    pub handovers: BTreeMap<u64, Handover>,
}

impl Chain {
    /// Note what `ev`, just appended, adds to the views.
    pub fn index(&mut self, ev: &SignedEvent) {
        if let Event::HandoverRecorded {
            holder,
            persons,
            to,
            ..
        } = &ev.event
        {
            self.handovers.insert(
                ev.seq,
                Handover {
                    author: ev.author.clone(),
                    holder: holder.clone(),
                    to: to.clone(),
                    persons: persons.clone(),
                },
            );
        }
    }
}

/// Events read per query while loading a chain.
const LOAD_PAGE: u32 = 1000;

impl AppState {
    /// State over an open store.
    pub fn new(store: Store, admin_token: Option<String>) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                admin_token,
                deals: Mutex::new(HashMap::new()),
                tokens: Mutex::new(HashMap::new()),
            }),
        }
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
        let Some(record) = store
            .token(&hash)
            .await
            .map_err(|e| AppError::internal(&e))?
        else {
            return Ok(None);
        };
        let parties = store
            .parties(&record.deal_id)
            .await
            .map_err(|e| AppError::internal(&e))?;
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
        let mut keys = KeyRing::new();
        let mut roles = BTreeMap::new();
        for p in store
            .parties(deal.as_str())
            .await
            .map_err(|e| AppError::internal(&e))?
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
            handovers: BTreeMap::new(),
        };
        let mut after = 0;
        loop {
            let page = store
                .events(deal.as_str(), after, LOAD_PAGE)
                .await
                .map_err(|e| AppError::internal(&e))?;
            for stored in &page {
                let ev: SignedEvent =
                    serde_json::from_str(&stored.line).map_err(|e| AppError::internal(&e))?;
                chain
                    .ledger
                    .append(&ev, &chain.keys)
                    .map_err(|e| AppError::internal(&e))?;
                chain.index(&ev);
                after = stored.seq;
            }
            if page.len() < LOAD_PAGE as usize {
                return Ok(chain);
            }
        }
    }
}

pub(crate) fn parse_role(role: &str) -> Result<Role, AppError> {
    serde_json::from_value(serde_json::Value::String(role.to_owned()))
        .map_err(|e| AppError::internal(&e))
}
