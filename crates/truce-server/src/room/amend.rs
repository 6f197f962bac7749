//! Agreements and amendments in the room. While the deal is negotiated,
//! each side signs the deal hash (`truce_ledger::agreement_message`): the
//! stored draft's, or once a text was accepted by every side (single text
//! with people, `crate::texts`), the deal resolved to that text; once
//! it is agreed, the mediator sees the amended deals kept with `POST
//! /api/v1/deals/{deal}/amendments` and not yet recorded, and each side
//! sees the pending amendment, what it changes in the terms, and signs it
//! (`truce_ledger::amendment_message`). Sides sign in the page (WebCrypto
//! Ed25519); the service checks each signature with the side's key and
//! keeps it (`truce_store::Signed`) until the mediator records `deal-agreed`
//! or `deal-amended` with all of them, signed in the page like any event.

use std::collections::{BTreeMap, BTreeSet};

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use truce_ledger::{Hash, PartyId, Phase, Role, Sig};
use truce_store::Signed;

use crate::error::AppError;
use crate::handlers::with_chain;
use crate::room::session;
use crate::room::shared::{RoomRef, csrf_refused, session_of};
use crate::state::{AppState, Caller};

/// Most bytes of a posted amendment signature.
const MAX_SIGNATURE_BODY: usize = 4096;

/// One change of the terms, as a path in the deal JSON and its two values.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub path: String,
    pub old: String,
    pub new: String,
}

/// What the sides sign and the mediator records: the agreement, or an
/// amended deal kept and not yet recorded.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// For an amendment, the number it takes if recorded next and the deal
    /// hash it replaces; `None` for the agreement.
    pub amendment: Option<(u32, Hash)>,
    pub deal_hash: Hash,
    /// What it changes in the terms (never the persons: an amendment keeps
    /// them, and they are left out of the comparison).
    pub changes: Vec<Change>,
    /// The sides' signatures collected so far, by party.
    pub signatures: BTreeMap<String, Sig>,
    /// Every side of the deal.
    pub sides: Vec<String>,
    /// For the agreement, the round of the text every side accepted (single
    /// text with people): `deal_hash` is then the deal resolved to that
    /// text, not the stored draft.
    pub text_round: Option<u32>,
}

impl Pending {
    /// Whether every side has signed.
    pub fn complete(&self) -> bool {
        self.sides.iter().all(|s| self.signatures.contains_key(s))
    }

    /// The statement a side signs, as `truce_ledger` canonicalises it
    /// (the page signs the domain tag, a newline, then its canonical JSON).
    pub fn statement(&self, deal: &str) -> serde_json::Value {
        match self.amendment {
            Some((n, replaces)) => serde_json::json!({
                "amendment": n, "deal": deal, "deal_hash": self.deal_hash, "replaces": replaces,
            }),
            None => serde_json::json!({"deal": deal, "deal_hash": self.deal_hash}),
        }
    }

    /// The domain tag of the statement, without its newline.
    pub fn domain(&self) -> &'static str {
        if self.amendment.is_some() {
            "truce/amendment/v1"
        } else {
            "truce/agreement/v1"
        }
    }

    /// Where the page posts a side's signature.
    pub fn post_to(&self) -> &'static str {
        if self.amendment.is_some() {
            "/room/amendment-signatures"
        } else {
            "/room/agreement-signatures"
        }
    }

    /// The event the mediator signs once every side has (an amendment's
    /// reason left to fill).
    pub fn event(&self) -> serde_json::Value {
        let signatures: Vec<_> = self
            .signatures
            .iter()
            .map(|(party, sig)| serde_json::json!({"party": party, "signature": sig}))
            .collect();
        match self.amendment {
            Some((n, replaces)) => serde_json::json!({
                "type": "deal-amended",
                "amendment": n,
                "deal_hash": self.deal_hash,
                "replaces": replaces,
                "signatures": signatures,
            }),
            None => serde_json::json!({
                "type": "deal-agreed",
                "deal_hash": self.deal_hash,
                "signatures": signatures,
            }),
        }
    }
}

/// A kept signature: what it covers, and the signature.
#[derive(Debug, Serialize, Deserialize)]
struct KeptSignature {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amendment: Option<u32>,
    deal_hash: Hash,
    party: PartyId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replaces: Option<Hash>,
    signature: Sig,
}

/// The terms' differences between two deal JSONs, leaving out `persons`
/// (at any depth) so no person id can reach a page through them.
fn changes(old: &serde_json::Value, new: &serde_json::Value) -> Vec<Change> {
    fn walk(path: &str, old: &serde_json::Value, new: &serde_json::Value, out: &mut Vec<Change>) {
        use serde_json::Value;
        match (old, new) {
            (Value::Object(a), Value::Object(b)) => {
                let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for k in keys.into_iter().filter(|k| k.as_str() != "persons") {
                    let sub = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(
                        &sub,
                        a.get(k).unwrap_or(&Value::Null),
                        b.get(k).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    // A party or category reads better by its id than its index.
                    let label = x
                        .get("id")
                        .and_then(Value::as_str)
                        .map_or_else(|| i.to_string(), str::to_owned);
                    walk(&format!("{path}[{label}]"), x, y, out);
                }
            }
            _ if old == new => {}
            _ => out.push(Change {
                path: path.to_owned(),
                old: shown(old),
                new: shown(new),
            }),
        }
    }
    fn shown(v: &serde_json::Value) -> String {
        let mut v = v.clone();
        strip_persons(&mut v);
        match v {
            serde_json::Value::Null => "—".to_owned(),
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }
    }
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}

fn strip_persons(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("persons");
            m.values_mut().for_each(strip_persons);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_persons),
        _ => {}
    }
}

/// What waits for the sides' signatures on the caller's deal: the
/// agreement while the deal is negotiated; after, each amended deal kept
/// and not yet recorded, with the signatures collected for the number it
/// would take next.
pub(crate) async fn pending(state: &AppState, caller: &Caller) -> Result<Vec<Pending>, AppError> {
    let deal = caller.deal.as_str();
    let (negotiating, stored_hash, amendment, replaces, recorded, current, sides) =
        with_chain(state, &caller.deal, |chain| {
            let s = chain.ledger.state();
            // Each hash an amendment (or an agreed text) put in force,
            // with the last seq it did.
            let mut recorded: BTreeMap<Hash, u64> = BTreeMap::new();
            for (seq, h, _) in &chain.amended {
                let at = recorded.entry(*h).or_default();
                *at = (*at).max(*seq);
            }
            let sides: Vec<String> = chain
                .roles
                .iter()
                .filter(|(_, r)| **r == Role::Side)
                .map(|(p, _)| p.to_string())
                .collect();
            Ok((
                chain.ledger.phase() == Some(Phase::Negotiating),
                chain.deal_hash,
                s.map_or(0, |s| s.amendments()).saturating_add(1),
                s.and_then(|s| s.deal_hash()),
                recorded,
                chain.amended.last().map(|(_, _, json)| json.clone()),
                sides,
            ))
        })
        .await?;
    let store = state.store();
    let kept_signatures = |what| async move {
        let mut out = Vec::new();
        for (_, json) in store
            .signatures(deal, what)
            .await
            .map_err(|e| AppError::store(&e))?
        {
            let k: KeptSignature =
                serde_json::from_str(&json).map_err(|e| AppError::internal(&e))?;
            out.push(k);
        }
        Ok::<_, AppError>(out)
    };
    if negotiating {
        // An agreed text replaces the draft: the sides sign the deal with
        // its open issues resolved to the text.
        let agreed = crate::texts::agreed_deal(state, caller).await?;
        let deal_hash = agreed.map_or(stored_hash, |(_, h)| h);
        let signatures = kept_signatures(Signed::Agreement)
            .await?
            .into_iter()
            .filter(|k| k.deal_hash == deal_hash)
            .map(|k| (k.party.to_string(), k.signature))
            .collect();
        return Ok(vec![Pending {
            amendment: None,
            deal_hash,
            changes: Vec::new(),
            signatures,
            sides,
            text_round: agreed.map(|(round, _)| round),
        }]);
    }
    let Some(replaces) = replaces else {
        return Ok(Vec::new());
    };
    let kept = store
        .amended_deals(deal)
        .await
        .map_err(|e| AppError::store(&e))?;
    // The mediator's last offer of each kept deal (the chain's next seq
    // then): terms an amendment put in force are offered again when the
    // mediator keeps them again after it (returning to earlier terms).
    let mut offered: BTreeMap<Hash, u64> = BTreeMap::new();
    for (h, seq) in store
        .amendment_offers(deal)
        .await
        .map_err(|e| AppError::store(&e))?
    {
        if let Some(h) = Hash::from_hex(&h) {
            let at = offered.entry(h).or_default();
            *at = (*at).max(seq);
        }
    }
    let kept: Vec<_> = kept
        .into_iter()
        .filter_map(|(h, json)| Hash::from_hex(&h).map(|h| (h, json)))
        .filter(|(h, _)| {
            *h != replaces
                && recorded
                    .get(h)
                    .is_none_or(|in_force| offered.get(h).is_some_and(|o| o > in_force))
        })
        .collect();
    if kept.is_empty() {
        return Ok(Vec::new());
    }
    let current = match current {
        Some(json) => json,
        None => {
            store
                .deal(deal)
                .await
                .map_err(|e| AppError::store(&e))?
                .ok_or_else(AppError::no_deal)?
                .deal_json
        }
    };
    let current: serde_json::Value =
        serde_json::from_str(&current).map_err(|e| AppError::internal(&e))?;
    let mut signatures: BTreeMap<Hash, BTreeMap<String, Sig>> = BTreeMap::new();
    for k in kept_signatures(Signed::Amendment).await? {
        if k.amendment == Some(amendment) && k.replaces == Some(replaces) {
            signatures
                .entry(k.deal_hash)
                .or_default()
                .insert(k.party.to_string(), k.signature);
        }
    }
    kept.into_iter()
        .map(|(deal_hash, json)| {
            let value: serde_json::Value =
                serde_json::from_str(&json).map_err(|e| AppError::internal(&e))?;
            Ok(Pending {
                amendment: Some((amendment, replaces)),
                deal_hash,
                changes: changes(&current, &value),
                signatures: signatures.remove(&deal_hash).unwrap_or_default(),
                sides: sides.clone(),
                text_round: None,
            })
        })
        .collect()
}

/// What a side posts: its signature on the agreement (`deal_hash`) or on
/// one amendment (`amendment`, `deal_hash`, `replaces`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Posted {
    #[serde(default)]
    amendment: Option<u32>,
    deal_hash: Hash,
    #[serde(default)]
    replaces: Option<Hash>,
    signature: Sig,
}

/// `POST /room/amendment-signatures` (a side, with the session's CSRF token
/// in `X-CSRF-Token`): `{"amendment","deal_hash","replaces","signature"}`,
/// the side's signature over `amendment_message`. Kept when it is the
/// pending amendment's and verifies with the side's key; `201`.
pub(crate) async fn sign_amendment(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    sign(state, &room, &headers, body, Signed::Amendment).await
}

/// `POST /room/agreement-signatures` (a side, CSRF as above):
/// `{"deal_hash","signature"}`, the side's signature over
/// `agreement_message` while the deal is negotiated; `201`.
pub(crate) async fn sign_agreement(
    State(state): State<AppState>,
    Extension(room): RoomRef,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    sign(state, &room, &headers, body, Signed::Agreement).await
}

async fn sign(
    state: AppState,
    room: &crate::room::shared::Room,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    what: Signed,
) -> Result<Response, AppError> {
    let session = session_of(room, headers).ok_or_else(AppError::unauthorized)?;
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !session::same(&session.csrf, sent) {
        return Err(csrf_refused());
    }
    let caller = session.caller;
    if caller.role != Role::Side {
        return Err(AppError::forbidden(
            "only a side signs the agreement or an amendment".to_owned(),
        ));
    }
    let body = body.map_err(|_| AppError::bad_request("bad-body", "the body could not be read"))?;
    if body.len() > MAX_SIGNATURE_BODY {
        return Err(AppError::bad_request("bad-body", "the body is too large"));
    }
    let posted: Posted = serde_json::from_slice(&body).map_err(|e| {
        AppError::bad_request(
            "bad-body",
            format!("expected {{\"deal_hash\",\"signature\"}} (and for an amendment \"amendment\", \"replaces\"): {e}"),
        )
    })?;
    let pending = pending(&state, &caller).await?;
    let found = pending.iter().find(|p| {
        p.deal_hash == posted.deal_hash && (p.amendment.is_some() == (what == Signed::Amendment))
    });
    let Some(p) = found else {
        return Err(AppError::unprocessable(
            "not-pending",
            match what {
                Signed::Agreement => {
                    "the deal is not waiting for its agreement under this deal hash".to_owned()
                }
                Signed::Amendment => {
                    "no kept amendment with this deal hash waits to be recorded".to_owned()
                }
            },
        ));
    };
    if let Some((n, replaces)) = p
        .amendment
        .filter(|(n, r)| posted.amendment != Some(*n) || posted.replaces != Some(*r))
    {
        return Err(AppError::unprocessable(
            "not-pending",
            format!("the pending amendment is number {n} replacing {replaces}: sign that"),
        ));
    }
    let key = with_chain(&state, &caller.deal, |chain| {
        chain
            .keys
            .get(&caller.party)
            .copied()
            .ok_or_else(|| AppError::internal(&"a party without a public key"))
    })
    .await?;
    let verified = match p.amendment {
        Some((n, replaces)) => truce_ledger::verify_amendment(
            &key,
            &caller.deal,
            n,
            &replaces,
            &posted.deal_hash,
            &posted.signature,
        ),
        None => {
            truce_ledger::verify_agreement(&key, &caller.deal, &posted.deal_hash, &posted.signature)
        }
    };
    if !verified {
        return Err(AppError::unprocessable(
            "bad-signature",
            format!(
                "the signature does not verify with {}'s key over {} of {}",
                caller.party,
                match p.amendment {
                    Some((n, _)) => format!("amendment {n}"),
                    None => "the agreement".to_owned(),
                },
                caller.deal
            ),
        ));
    }
    let kept = KeptSignature {
        amendment: p.amendment.map(|(n, _)| n),
        deal_hash: posted.deal_hash,
        party: caller.party.clone(),
        replaces: p.amendment.map(|(_, r)| r),
        signature: posted.signature,
    };
    let key = match p.amendment {
        Some((n, replaces)) => format!("{n}/{replaces}/{}/{}", kept.deal_hash, kept.party),
        None => format!("{}/{}", kept.deal_hash, kept.party),
    };
    let json = serde_json::to_string(&kept).map_err(|e| AppError::internal(&e))?;
    state
        .store()
        .put_signature(
            caller.deal.as_str(),
            what,
            &key,
            &json,
            crate::handlers::now_ms(),
        )
        .await
        .map_err(|e| AppError::unavailable(&e))?;
    // Every open overview of the deal refreshes its signing section.
    let _ = state.inner.signed.send(caller.deal.clone());
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({
            "amendment": kept.amendment,
            "deal_hash": kept.deal_hash,
            "party": kept.party,
        })),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_the_terms_by_path_and_never_a_person() {
        let old = serde_json::json!({
            "pause": {"days": 3},
            "parties": [{"id": "relief", "capacity_per_day": 8}, {"id": "side-a"}],
            "persons": [{"id": "A-0001"}],
            "release": {"via": "relief"},
        });
        let new = serde_json::json!({
            "pause": {"days": 4},
            "parties": [{"id": "relief", "capacity_per_day": 9}, {"id": "side-a"}],
            "persons": [{"id": "A-0002"}],
            "release": {"via": "relief", "extra": {"persons": ["A-0003"], "n": 1}},
        });
        let got: Vec<(String, String, String)> = changes(&old, &new)
            .into_iter()
            .map(|c| (c.path, c.old, c.new))
            .collect();
        let want = [
            ("parties[relief].capacity_per_day", "8", "9"),
            ("pause.days", "3", "4"),
            ("release.extra", "—", r#"{"n":1}"#),
        ]
        .map(|(p, o, n)| (p.to_owned(), o.to_owned(), n.to_owned()));
        assert_eq!(got, want);
    }
}
