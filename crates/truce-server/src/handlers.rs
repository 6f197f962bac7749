//! The endpoints under `/api/v1`. Each handler: authenticate, check the
//! role, call the ledger or the store, convert to API types.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use truce_ledger::{DealId, Event, KeyRing, PartyId, PersonId, PersonKey, Role, SignedEvent};
use truce_store::{AppendError, NewDeal, NewEvent, PartyRecord, StoreError};

use crate::api::{
    AmendmentKept, CreateDeal, CreatedDeal, DealView, EventPage, EventView, EventsQuery, Health,
    PartyToken, PlanKept, ReceiptView, ServiceKeyView, StateView,
};
use crate::auth::{DealCaller, bearer, json_body};
use crate::error::{AppError, Problem};
use crate::state::{
    AppState, Chain, DealShape, DealSlot, UnknownPerson, new_person_key, parse_role,
};
use crate::views;

/// Largest `POST /deals` body: a normalised deal with rosters of ~200,000
/// persons.
pub const MAX_DEAL_BODY: usize = 32 * 1024 * 1024;
/// Largest `POST /deals/{deal}/events` body: a handover of the most persons
/// the ledger allows (10,000 pseudonyms of 64 hex digits) fits.
pub const MAX_EVENT_BODY: usize = 1024 * 1024;
/// Most events per page of `GET /deals/{deal}/events`.
pub const MAX_PAGE: u32 = 1000;

/// The deal's chain under its lock, loaded from the store on first use and
/// whenever the store's head has moved past it.
pub(crate) async fn with_chain<T>(
    state: &AppState,
    deal: &DealId,
    f: impl FnOnce(&Chain) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let slot: DealSlot = state.slot(deal);
    let mut guard = slot.lock().await;
    f(fresh_chain(state, deal, &mut guard).await?)
}

/// The chain held in a deal's slot (its lock held by the caller), read
/// again from the store when it is missing or stale: another server on the
/// same database may have appended, and one indexed read of the head tells.
pub(crate) async fn fresh_chain<'a>(
    state: &AppState,
    deal: &DealId,
    slot: &'a mut Option<Chain>,
) -> Result<&'a Chain, AppError> {
    let head = state
        .store()
        .head(deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?
        .map(|h| h.hash);
    let current = slot
        .as_ref()
        .is_some_and(|c| c.ledger.head().map(|h| h.to_string()) == head);
    if !current {
        *slot = Some(state.load(deal).await?);
    }
    slot.as_ref()
        .ok_or_else(|| AppError::internal(&"a deal's chain was not loaded"))
}

#[utoipa::path(get, path = "/api/v1/health", tag = "service",
    responses((status = 200, body = Health)))]
pub(crate) async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    // One read proves the database answers.
    state
        .store()
        .head("health-check")
        .await
        .map_err(|e| AppError::unavailable(&e))?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        database: state.store().backend_name().to_owned(),
    }))
}

#[utoipa::path(get, path = "/api/v1/service-key", tag = "service",
    responses((status = 200, body = ServiceKeyView, description = "the key that signs every receipt's checkpoint")))]
pub(crate) async fn service_key(State(state): State<AppState>) -> Json<ServiceKeyView> {
    let key = &state.inner.service_key;
    Json(ServiceKeyView {
        name: key.name().to_owned(),
        verifier_key: key.verifier().to_vkey(),
    })
}

#[utoipa::path(get, path = "/api/v1/deals/{deal}/checkpoint", tag = "events",
    params(("deal" = String, Path, description = "deal id")),
    security(("bearer" = [])),
    responses(
        (status = 200, content_type = "text/plain", body = String, description = "the deal's head, signed by the service (C2SP signed note)"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such deal, or no event yet"),
    ))]
pub(crate) async fn checkpoint(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
) -> Result<Response, AppError> {
    let head = state
        .store()
        .head(caller.deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?
        .ok_or_else(AppError::not_found)?;
    let hash = truce_ledger::Hash::from_hex(&head.hash)
        .ok_or_else(|| AppError::internal(&"a stored hash is not 64 hex digits"))?;
    let note = state.inner.service_key.sign(&truce_ledger::Checkpoint {
        deal: caller.deal.clone(),
        seq: head.seq,
        head: hash,
    });
    let mut response = note.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

#[utoipa::path(post, path = "/api/v1/deals", tag = "deals", request_body = CreateDeal,
    responses(
        (status = 201, body = CreatedDeal, description = "the deal, with each party's token (shown once)"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "the server requires an admin token"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "a deal with this id exists"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "bad deal id, deal, keys or person key (`bad-person-key`)"),
    ))]
pub(crate) async fn create_deal(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreatedDeal>), AppError> {
    if let Some(admin) = &state.inner.admin_token {
        // Compare hashes, not the tokens, so timing says nothing about them.
        let given = bearer(&headers).map(truce_store::token_hash);
        if given.as_deref() != Some(truce_store::token_hash(admin).as_str()) {
            return Err(AppError::unauthorized());
        }
    }
    let req: CreateDeal = json_body(&headers, body, MAX_DEAL_BODY)?;
    let id = DealId::new(&req.id)
        .map_err(|e| AppError::unprocessable("bad-deal-id", format!("deal id: {e}")))?;
    let shape: DealShape = serde_json::from_value(req.deal.clone()).map_err(|_| {
        AppError::unprocessable(
            "bad-deal",
            "`deal` must be the normalised deal JSON (`truce check DEAL --format json`) with `parties[{id,role}]` and `persons[{id,holder}]`",
        )
    })?;
    let keys = KeyRing::parse(&req.keys.to_string()).map_err(|e| {
        let detail = match e {
            // serde's message could quote values; the position is enough.
            truce_ledger::KeyFileError::Json(j) => format!(
                "`keys` is not a key file (line {}, column {})",
                j.line(),
                j.column()
            ),
            other => format!("`keys`: {other}"),
        };
        AppError::unprocessable("bad-keys", detail)
    })?;
    let parties = check_parties(&shape, &keys)?;
    // The terms execution is checked against must read now, not at the
    // first handover.
    truce_exec::Terms::from_value(&req.deal).map_err(|e| {
        AppError::unprocessable(
            "bad-deal",
            format!("`deal` must hold the agreed terms (pause, release, categories): {e}"),
        )
    })?;
    let deal_hash = truce_ledger::deal_hash(&req.deal)
        .map_err(|e| AppError::unprocessable("bad-deal", format!("`deal`: {e}")))?;
    let person_key = match &req.person_key {
        // The message never quotes the value: it is a secret.
        Some(hex) => PersonKey::from_hex(hex)
            .map_err(|e| AppError::unprocessable("bad-person-key", format!("`person_key`: {e}")))?,
        None => new_person_key()?,
    };
    let mut tokens = Vec::new();
    let mut hashes = Vec::new();
    for p in &parties {
        let token = new_token()?;
        hashes.push((truce_store::token_hash(&token), p.party_id.clone()));
        tokens.push(PartyToken {
            party: PartyId::new(&p.party_id).map_err(|e| AppError::internal(&e))?,
            role: parse_role(&p.role)?,
            token,
        });
    }
    let new = NewDeal {
        id: id.to_string(),
        deal_json: req.deal.to_string(),
        deal_hash: deal_hash.to_string(),
        created_at_ms: now_ms(),
        person_key: person_key.to_hex(),
        parties,
        tokens: hashes,
    };
    match state.store().create_deal(&new).await {
        Ok(()) => {}
        Err(StoreError::DealExists(_)) => {
            return Err(AppError::conflict(
                "deal-exists",
                format!("deal {id} already exists; choose another id"),
            ));
        }
        Err(e) => return Err(AppError::store(&e)),
    }
    Ok((
        StatusCode::CREATED,
        Json(CreatedDeal {
            deal: id,
            deal_hash,
            person_key: person_key.to_hex(),
            tokens,
        }),
    ))
}

/// Parties with well-formed ids and roles, at least two sides and a
/// mediator, each with exactly one key; persons with opaque ids held by a
/// side.
fn check_parties(shape: &DealShape, keys: &KeyRing) -> Result<Vec<PartyRecord>, AppError> {
    let bad = |detail: String| AppError::unprocessable("bad-deal", detail);
    let mut out = Vec::new();
    let mut sides = BTreeSet::new();
    let mut roles = BTreeSet::new();
    for p in &shape.parties {
        let id = PartyId::new(&p.id).map_err(|e| bad(format!("party id: {e}")))?;
        let role: Role = serde_json::from_value(serde_json::Value::String(p.role.clone()))
            .map_err(|_| bad(format!("party {id}: unknown role")))?;
        if out.iter().any(|r: &PartyRecord| r.party_id == id.as_str()) {
            return Err(bad(format!("party {id} is listed twice")));
        }
        let key = keys.get(&id).ok_or_else(|| {
            AppError::unprocessable("bad-keys", format!("`keys` has no key for party {id}"))
        })?;
        if role == Role::Side {
            sides.insert(id.to_string());
        }
        roles.insert(role.as_str());
        out.push(PartyRecord {
            party_id: id.to_string(),
            role: role.to_string(),
            public_key: key.to_hex(),
        });
    }
    if sides.len() < 2 || !roles.contains("mediator") {
        return Err(bad(
            "a deal needs at least two sides and a mediator".to_owned()
        ));
    }
    if let Some(extra) = keys
        .parties()
        .find(|k| !out.iter().any(|p| p.party_id == k.as_str()))
    {
        return Err(AppError::unprocessable(
            "bad-keys",
            format!("`keys` has a key for {extra}, who is not a party to the deal"),
        ));
    }
    let mut ids = HashSet::with_capacity(shape.persons.len());
    for person in &shape.persons {
        PersonId::new(&person.id).map_err(|e| bad(format!("a person id: {e}")))?;
        if !sides.contains(&person.holder) {
            return Err(bad("a person's holder is not a side of the deal".to_owned()));
        }
        if !ids.insert(person.id.as_str()) {
            return Err(bad("a person id is listed twice".to_owned()));
        }
    }
    Ok(out)
}

/// A bearer token: 32 bytes from the operating system, hex, with a prefix
/// that makes a leaked token easy to recognise and revoke.
fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(&e))?;
    Ok(format!("truce_{}", hex::encode(bytes)))
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[utoipa::path(get, path = "/api/v1/deals/{deal}", tag = "deals",
    params(("deal" = String, Path, description = "deal id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = DealView, description = "the deal as the caller's role may see it"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get_deal(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
) -> Result<Json<DealView>, AppError> {
    let record = state
        .store()
        .deal(caller.deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?
        .ok_or_else(AppError::no_deal)?;
    let view = with_chain(&state, &caller.deal, |chain| {
        views::deal_view(&caller, &record, chain)
    })
    .await?;
    Ok(Json(view))
}

#[utoipa::path(get, path = "/api/v1/deals/{deal}/state", tag = "events",
    params(("deal" = String, Path, description = "deal id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = StateView, description = "phase, next seq and head: what a client needs to sign the next event"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get_state(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
) -> Result<Json<StateView>, AppError> {
    let view = with_chain(&state, &caller.deal, |chain| {
        let ledger = &chain.ledger;
        let s = ledger.state();
        Ok(StateView {
            deal: caller.deal.clone(),
            phase: ledger.phase().map_or("none", |p| p.as_str()).to_owned(),
            next_seq: ledger.next_seq(),
            head: ledger.head(),
            agreed_deal_hash: s.and_then(|s| s.deal_hash()),
            unconfirmed_handovers: s
                .map(|s| s.unconfirmed_handovers().collect())
                .unwrap_or_default(),
            execution: views::execution_view(chain),
        })
    })
    .await?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/v1/deals/{deal}/plans", tag = "deals",
    params(("deal" = String, Path, description = "deal id")),
    request_body(content = Object, description = "a plan JSON (`truce plan DEAL --out PLAN`)"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = PlanKept, description = "kept under its canonical hash: adopt it with a `plan-adopted` event naming that hash"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only the mediator keeps plans"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "not a plan (`bad-plan`), or a person the deal's roster does not hold where the plan says (`plan-mismatch`)"),
    ))]
pub(crate) async fn post_plan(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PlanKept>), AppError> {
    if caller.role != Role::Mediator {
        return Err(AppError::forbidden(
            "only the mediator keeps the deal's plans".to_owned(),
        ));
    }
    let value: serde_json::Value = json_body(&headers, body, MAX_DEAL_BODY)?;
    let text = value.to_string();
    let schedule = truce_exec::PlanSchedule::from_json(&text)
        .map_err(|e| AppError::unprocessable("bad-plan", format!("the plan: {e}")))?;
    let hash = truce_ledger::Hash::of_canonical(&value)
        .map_err(|e| AppError::unprocessable("bad-plan", format!("the plan: {e}")))?;
    let pause_days = with_chain(&state, &caller.deal, |chain| {
        for (n, h) in schedule.handovers.iter().enumerate() {
            let held = h.persons.iter().all(|id| {
                chain
                    .roster
                    .index_of_id(id)
                    .is_some_and(|i| chain.roster.persons()[i].holder == h.from)
            });
            if !held {
                return Err(AppError::unprocessable(
                    "plan-mismatch",
                    format!(
                        "handover {} of the plan (day {}) lists a person that {} does not hold in this deal; plan this deal's agreed terms",
                        n + 1,
                        h.day,
                        h.from
                    ),
                ));
            }
        }
        Ok(chain.terms.days)
    })
    .await?;
    state
        .store()
        .put_plan(caller.deal.as_str(), &hash.to_string(), &text, now_ms())
        .await
        .map_err(|e| AppError::unavailable(&e))?;
    Ok((
        StatusCode::CREATED,
        Json(PlanKept {
            plan_hash: hash,
            days_used: schedule.days_used,
            persons: schedule.planned(),
            pause_days,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/deals/{deal}/plans/{plan}", tag = "deals",
    params(("deal" = String, Path, description = "deal id"), ("plan" = String, Path, description = "the plan's canonical hash, hex")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Object, description = "the plan JSON kept under this hash (it lists persons: the mediator only), e.g. the plan in force, whose hash the last `plan-adopted` names"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only the mediator reads plans"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such deal, or no plan kept under this hash (`no-such-plan`)"),
    ))]
pub(crate) async fn get_plan(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    Path(params): Path<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if caller.role != Role::Mediator {
        return Err(AppError::forbidden(
            "only the mediator reads the deal's plans (they list persons)".to_owned(),
        ));
    }
    let no_plan = || {
        AppError::new(
            StatusCode::NOT_FOUND,
            "no-such-plan",
            "the deal keeps no plan under this hash; the last `plan-adopted` event names the plan in force",
        )
    };
    let hash = params
        .iter()
        .find_map(|(name, value)| (name == "plan").then_some(value))
        .and_then(|v| truce_ledger::Hash::from_hex(v))
        .ok_or_else(no_plan)?;
    let text = state
        .store()
        .plan(caller.deal.as_str(), &hash.to_string())
        .await
        .map_err(|e| AppError::unavailable(&e))?
        .ok_or_else(no_plan)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

#[utoipa::path(post, path = "/api/v1/deals/{deal}/amendments", tag = "deals",
    params(("deal" = String, Path, description = "deal id")),
    request_body(content = Object, description = "the amended deal's normalised JSON (`truce check DEAL --format json`): the same parties and persons, new terms"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = AmendmentKept, description = "kept under its deal hash: every side signs it (`truce sign-agreement --amendment`) and the mediator records `deal-amended`"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only the mediator keeps amendments"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "not a deal (`bad-deal`), other parties or persons than the deal's (`amendment-mismatch`), or the terms in force (`amendment-unchanged`)"),
    ))]
pub(crate) async fn post_amendment(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AmendmentKept>), AppError> {
    if caller.role != Role::Mediator {
        return Err(AppError::forbidden(
            "only the mediator keeps the deal's amendments".to_owned(),
        ));
    }
    let value: serde_json::Value = json_body(&headers, body, MAX_DEAL_BODY)?;
    let shape: DealShape = serde_json::from_value(value.clone()).map_err(|_| {
        AppError::unprocessable(
            "bad-deal",
            "the amendment must be the normalised deal JSON (`truce check DEAL --format json`)",
        )
    })?;
    let deal_hash = truce_ledger::deal_hash(&value)
        .map_err(|e| AppError::unprocessable("bad-deal", format!("the amended deal: {e}")))?;
    let ((amendment, replaces), next_seq) = with_chain(&state, &caller.deal, |chain| {
        let mismatch = |what: &str| {
            AppError::unprocessable(
                "amendment-mismatch",
                format!(
                    "an amendment changes the terms, not {what}: send the deal with the same {what} as the one registered"
                ),
            )
        };
        let mut parties = BTreeMap::new();
        for p in &shape.parties {
            let id = PartyId::new(&p.id).map_err(|_| mismatch("parties"))?;
            parties.insert(id, parse_role(&p.role).map_err(|_| mismatch("parties"))?);
        }
        if parties != chain.roles {
            return Err(mismatch("parties"));
        }
        let (_, roster) = truce_exec::Roster::from_value(&value, &caller.deal, &chain.person_key)
            .map_err(|e| {
                AppError::unprocessable(
                    "bad-deal",
                    format!("the amended deal must hold terms (pause, release, categories): {e}"),
                )
            })?;
        if roster.persons() != chain.roster.persons() {
            return Err(mismatch("persons"));
        }
        let s = chain.ledger.state();
        let replaces = s.and_then(|s| s.deal_hash());
        if replaces == Some(deal_hash) {
            // The ledger refuses an amendment that changes nothing.
            return Err(AppError::unprocessable(
                "amendment-unchanged",
                "these are the terms in force (the same deal hash): an amendment changes them",
            ));
        }
        Ok((
            (s.map_or(0, |s| s.amendments()).saturating_add(1), replaces),
            chain.ledger.next_seq(),
        ))
    })
    .await?;
    let at = now_ms();
    let hash = deal_hash.to_string();
    let store = state.store();
    store
        .put_amended_deal(caller.deal.as_str(), &hash, &value.to_string(), at)
        .await
        .map_err(|e| AppError::unavailable(&e))?;
    // Offered for signing from now on, even if an earlier amendment put
    // these terms in force (returning to earlier terms).
    store
        .put_amendment_offer(caller.deal.as_str(), &hash, next_seq, at)
        .await
        .map_err(|e| AppError::unavailable(&e))?;
    Ok((
        StatusCode::CREATED,
        Json(AmendmentKept {
            deal_hash,
            amendment,
            replaces,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/deals/{deal}/events", tag = "events",
    params(("deal" = String, Path, description = "deal id")),
    request_body(content = Object, description = "a signed event: one ledger line (see truce-ledger `SignedEvent`), signed by the token's party"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = ReceiptView, description = "stored durably; keep the receipt"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "malformed body"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "the event's author is not the token's party, or the role may not write this event"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "not the next link (replayed, stale or out of order): read /state and sign again"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "bad signature, a lifecycle rule refuses the event, a handover names an unknown person (`unknown-person`), or an agreement is on another deal than the one stored (`wrong-deal-hash`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "not stored; retry"),
    ))]
pub(crate) async fn append_event(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ReceiptView>), AppError> {
    let ev: SignedEvent = json_body(&headers, body, MAX_EVENT_BODY)?;
    if ev.deal != caller.deal {
        return Err(AppError::unprocessable(
            "wrong-deal",
            format!("the event is for deal {}, not {}", ev.deal, caller.deal),
        ));
    }
    if ev.author != caller.party {
        return Err(AppError::forbidden(format!(
            "this token is party {}'s; an event is sent by its author",
            caller.party
        )));
    }
    // Verify-and-commit runs as its own task: a client that hangs up
    // mid-request cannot cancel it between the in-memory append and the
    // store's answer, so memory and database never disagree.
    let task = tokio::spawn(append_verified(state, caller.deal, ev));
    task.await
        .map_err(|e| AppError::internal(&e))?
        .map(|receipt| (StatusCode::CREATED, Json(receipt)))
}

async fn append_verified(
    state: AppState,
    deal: DealId,
    ev: SignedEvent,
) -> Result<ReceiptView, AppError> {
    let slot: DealSlot = state.slot(&deal);
    let mut guard = slot.lock_owned().await;
    let chain = match &mut *guard {
        Some(chain) => chain,
        empty @ None => empty.insert(state.load(&deal).await?),
    };
    match &ev.event {
        Event::DealCreated { parties, .. } => check_created_parties(chain, parties)?,
        Event::DealAgreed { deal_hash, .. } if *deal_hash == chain.deal_hash => {}
        _ => {}
    }
    // A deal agreed on a text (single text with people) is the stored
    // deal with its open issues resolved, kept when the sides accepted it.
    let agreed_text = match &ev.event {
        Event::DealAgreed { deal_hash, .. } if *deal_hash != chain.deal_hash => Some(
            state
                .stored_agreed(&deal, &chain.person_key, deal_hash)
                .await?
                .ok_or_else(|| wrong_deal_hash(chain, deal_hash))?,
        ),
        _ => None,
    };
    check_free_text(chain, &ev.event)?;
    let adopted = match &ev.event {
        Event::PlanAdopted { plan_hash, .. } => Some(
            state
                .stored_plan(&deal, plan_hash)
                .await?
                .ok_or_else(|| unknown_plan(&deal, plan_hash))?,
        ),
        _ => None,
    };
    let amended = match &ev.event {
        Event::DealAmended { deal_hash, .. } => Some(
            state
                .stored_amendment(&deal, &chain.person_key, deal_hash)
                .await?
                .ok_or_else(|| unknown_amendment(&deal, deal_hash))?,
        ),
        _ => None,
    };
    let receipt = chain.ledger.append(&ev, &chain.keys)?;
    // After the lifecycle rules (a wrong phase is the first thing to say),
    // before the store: the execution has not yet taken the event in.
    if let Err(e) = check_declaration(chain, &ev) {
        // The ledger accepted it in memory: forget that, reload.
        *guard = None;
        return Err(e);
    }
    let persons = match &ev.event {
        Event::HandoverRecorded {
            holder, pseudonyms, ..
        } => match chain.resolve(holder, pseudonyms) {
            Ok(persons) => persons,
            Err(UnknownPerson(position)) => {
                // The ledger accepted it in memory: forget that, reload.
                *guard = None;
                return Err(unknown_person(holder, position));
            }
        },
        _ => Vec::new(),
    };
    let line = ev.to_line().map_err(|e| AppError::internal(&e))?;
    let new = NewEvent {
        deal_id: deal.to_string(),
        seq: ev.seq,
        prev: ev.prev.map(|h| h.to_string()),
        hash: receipt.hash.to_string(),
        line,
    };
    match state.store().append(new).await {
        Ok(()) => {
            chain.index(&ev, persons);
            if let Some(plan) = adopted {
                chain.adopt(ev.seq, plan);
            }
            if let (Some((terms, json)), Event::DealAmended { deal_hash, .. }) =
                (amended, &ev.event)
            {
                chain.amend(ev.seq, terms, *deal_hash, json);
            }
            if let (Some((terms, json)), Event::DealAgreed { deal_hash, .. }) =
                (agreed_text, &ev.event)
            {
                chain.amend(ev.seq, terms, *deal_hash, json);
            }
            let checkpoint = state.inner.service_key.sign(&truce_ledger::Checkpoint {
                deal: receipt.deal.clone(),
                seq: receipt.seq,
                head: receipt.hash,
            });
            // Only after the index, so a listener reading the chain sees it.
            let _ = state.inner.appended.send((deal.clone(), ev.seq));
            Ok(ReceiptView {
                deal: receipt.deal.clone(),
                seq: receipt.seq,
                hash: receipt.hash,
                checkpoint,
            })
        }
        // Memory ran ahead of the database: forget it, reload next time.
        Err(AppendError::Conflict { expected }) => {
            *guard = None;
            Err(AppError::conflict(
                "stale-head",
                format!("the deal's next event is seq {expected}; read /state and sign again"),
            ))
        }
        Err(AppendError::Store(e)) => {
            *guard = None;
            Err(AppError::unavailable(&e))
        }
    }
}

/// A `plan-adopted` event must name a plan kept with `POST .../plans`: the
/// service checks execution against it.
fn unknown_plan(deal: &DealId, hash: &truce_ledger::Hash) -> AppError {
    AppError::unprocessable(
        "unknown-plan",
        format!(
            "plan {hash} is not a plan of deal {deal}; send the plan JSON to POST /api/v1/deals/{deal}/plans first and adopt the plan_hash it answers"
        ),
    )
}

/// A `deal-amended` event must name an amended deal kept with `POST
/// .../amendments`: execution is checked against its terms from then on.
fn unknown_amendment(deal: &DealId, hash: &truce_ledger::Hash) -> AppError {
    AppError::unprocessable(
        "unknown-amendment",
        format!(
            "deal hash {hash} is not an amendment of deal {deal}; send the amended deal JSON to POST /api/v1/deals/{deal}/amendments first and have the sides sign the deal_hash it answers"
        ),
    )
}

/// Declarations the terms must allow (an extension, completion, the plan's
/// pause, a handover's counts), and rulings on findings that exist.
fn check_declaration(chain: &Chain, ev: &SignedEvent) -> Result<(), AppError> {
    let event = &ev.event;
    let ctx = chain.context();
    chain
        .execution
        .check_declaration(ctx, &ev.event)
        .and_then(|()| chain.execution.check_recorder(ctx, &ev.author, &ev.event))
        .map_err(|r| AppError::unprocessable(r.rule, r.message))?;
    if let Event::FindingRuled { finding, .. } = event {
        let known = chain
            .execution
            .findings(ctx)
            .iter()
            .any(|f| &f.id == finding);
        if !known {
            return Err(AppError::unprocessable(
                "no-such-finding",
                "the execution shows no finding with this id; read the findings from /state",
            ));
        }
    }
    Ok(())
}

/// Free text is shared with every party and with history: it must not name
/// a person of the roster. The answer names the field, never the id.
fn check_free_text(chain: &Chain, event: &Event) -> Result<(), AppError> {
    let field = match event {
        Event::DealCreated { name, .. } => Some(("the deal name (`name`)", name)),
        Event::BreachReported { summary, .. } => Some(("the breach summary (`summary`)", summary)),
        Event::Suspended { reason } | Event::Collapsed { reason } => {
            Some(("the reason (`reason`)", reason))
        }
        Event::FindingRuled { reason, .. } => Some(("the ruling's reason (`reason`)", reason)),
        Event::DealAmended { reason, .. } => Some(("the amendment's reason (`reason`)", reason)),
        _ => None,
    };
    match field {
        Some((what, text)) if truce_exec::person_id_in_text(text, &chain.roster) => {
            Err(AppError::unprocessable(
                "person-id-in-text",
                format!(
                    "{what} names a person of the deal's roster; free text is read by every party: describe persons by count, category and day, never by id"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// A handover's pseudonym that is not a person held by its holder. The
/// detail gives the position only: the same answer whether the pseudonym is
/// no person of the deal or a person held by someone else, so a key holder
/// cannot use the service to learn who is in whose roster.
fn unknown_person(holder: &PartyId, position: usize) -> AppError {
    AppError::unprocessable(
        "unknown-person",
        format!(
            "pseudonym {position} of the handover is not a person held by {holder} in this deal; \
             compute each pseudonym with the deal's person key from a person id of {holder}'s roster"
        ),
    )
}

/// The sides must agree the deal the service stored: a deal-agreed event
/// carries the hash they signed, which must be the one computed at
/// `POST /deals`, or that of the stored deal resolved to a text every side
/// accepted (signatures on any other hash prove agreement to another text).
fn wrong_deal_hash(chain: &Chain, deal_hash: &truce_ledger::Hash) -> AppError {
    AppError::unprocessable(
        "wrong-deal-hash",
        format!(
            "the sides signed a different deal than the one stored: deal_hash {deal_hash} is not \
             the stored deal's {}, nor that of a text every side accepted; sign the `deal_hash` of \
             GET /deals/{} (or the agreed text's, GET /deals/{}/texts)",
            chain.deal_hash,
            chain.ledger.deal(),
            chain.ledger.deal()
        ),
    )
}

/// The deal-created event must list exactly the parties and roles the deal
/// was created with: they are the ones with keys and tokens.
fn check_created_parties(
    chain: &Chain,
    parties: &[truce_ledger::PartyRole],
) -> Result<(), AppError> {
    let listed: BTreeSet<(&str, &str)> = parties
        .iter()
        .map(|p| (p.id.as_str(), p.role.as_str()))
        .collect();
    let registered: BTreeSet<(&str, &str)> = chain
        .roles
        .iter()
        .map(|(p, r)| (p.as_str(), r.as_str()))
        .collect();
    if listed != registered || listed.len() != parties.len() {
        return Err(AppError::unprocessable(
            "parties-mismatch",
            "deal-created must list exactly the parties and roles the deal was created with",
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/deals/{deal}/events", tag = "events",
    params(("deal" = String, Path, description = "deal id"), EventsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = EventPage, description = "events in seq order, each signed event whole (handovers name persons by pseudonym only); a handover's `persons` only where the role may see them"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list_events(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Json<EventPage>, AppError> {
    let Query(q) = query.map_err(|_| {
        AppError::bad_request(
            "bad-query",
            "the query takes `after` and `limit`, both non-negative integers",
        )
    })?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let stored = state
        .store()
        .events(caller.deal.as_str(), q.after.unwrap_or(0), limit)
        .await
        .map_err(|e| AppError::store(&e))?;
    // The chain is read after the page, so it holds every handover the
    // page has (it is reloaded if the store's head moved).
    let events = with_chain(&state, &caller.deal, |chain| {
        stored
            .iter()
            .map(|s| views::event_view(&caller, s, chain))
            .collect::<Result<Vec<EventView>, AppError>>()
    })
    .await?;
    let next_after = (stored.len() == limit as usize)
        .then(|| stored.last().map(|s| s.seq))
        .flatten();
    Ok(Json(EventPage { events, next_after }))
}

#[utoipa::path(get, path = "/api/v1/deals/{deal}/ledger.jsonl", tag = "events",
    params(("deal" = String, Path, description = "deal id")),
    security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/x-ndjson", body = String, description = "the whole ledger, one canonical line per event: `truce verify` input. Every party may export it: handovers name persons by pseudonym only"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn export_ledger(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
) -> Result<Response, AppError> {
    let mut out = String::new();
    let mut after = 0;
    loop {
        let page = state
            .store()
            .events(caller.deal.as_str(), after, MAX_PAGE)
            .await
            .map_err(|e| AppError::store(&e))?;
        for e in &page {
            out += &e.line;
            out.push('\n');
            after = e.seq;
        }
        if page.len() < MAX_PAGE as usize {
            break;
        }
    }
    let mut response = out.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"ledger.jsonl\""),
    );
    Ok(response)
}
