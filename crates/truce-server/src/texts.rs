//! Single text with people (`/api/v1/deals/{deal}/texts…`): the mediator
//! posts texts over the deal's open issues, each side votes accept or
//! reject on each, and the mediator's next text comes from a person or from
//! a named algorithm (`truce_agents::stepped`) that hears only the votes
//! and the texts: its own, and the others posted in between (a text every
//! side accepted, whoever wrote it, is the text its next proposal changes).
//!
//! Texts and votes are signed (domains `truce/text/v1`, `truce/vote/v1`)
//! and kept beside the chain, not in it: every party reads the ledger,
//! while a vote is the mediator's and its own side's only (sealed at rest
//! with the rosters). The texts are not secret: every party of the deal
//! sees them and whether each round closed; guarantors and observers see
//! nothing more. The last text every side accepted is the agreed text:
//! the deal with its open issues resolved to it is kept under its deal
//! hash, which the sides sign and `deal-agreed` names.
//!
//! The mediator may withdraw a text posted in error while its round is
//! open (signed, domain `truce/withdraw/v1`, naming the text's hash): the
//! round is then over, takes no more votes, keeps the votes cast on it
//! (shown as before), and the algorithm treats the text as never proposed.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use truce_agents::stepped::{Answered, NextText, StepError};
use truce_agents::{MediatorKind, OutcomeSpace, Vote};
use truce_ledger::{DealId, Hash, Outcome, PartyId, Role, Sig};
use truce_store::{VotePut, WithdrawalPut};

use crate::api::{
    AgreedText, AlgorithmChoice, NextTextView, PartyView, PostText, PostVote, PostWithdrawal,
    TextIssue, TextKept, TextView, TextWithdrawn, TextsView, VoteKept, VoteView, WithdrawalView,
};
use crate::auth::{DealCaller, json_body};
use crate::error::{AppError, Problem};
use crate::handlers::now_ms;
use crate::state::{AppState, Caller, Chain};

/// Largest text or vote body: a text of many issues fits.
pub const MAX_TEXT_BODY: usize = 64 * 1024;
/// Most texts an algorithm may be asked to propose.
pub const MAX_ALGORITHM_ROUNDS: u32 = 10_000;

/// A text as kept (public to the deal's parties).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredText {
    round: u32,
    outcome: Outcome,
    author: PartyId,
    signature: Sig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    algorithm: Option<AlgorithmChoice>,
    at_ms: u64,
}

/// A vote as kept (sealed at rest; the mediator's and its side's only).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredVote {
    party: PartyId,
    accept: bool,
    signature: Sig,
    at_ms: u64,
}

/// The mediator's withdrawal of a text as kept (public to the deal's
/// parties, like the text).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredWithdrawal {
    round: u32,
    text_hash: Hash,
    author: PartyId,
    signature: Sig,
    at_ms: u64,
}

fn no_such_text() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "no-such-text",
        "the deal has no text with this number; read GET …/texts",
    )
}

/// The `{round}` of a text's path: a round that is no number names no text.
fn round_param(params: &[(String, String)]) -> Result<u32, AppError> {
    params
        .iter()
        .find_map(|(k, v)| (k == "round").then(|| v.parse().ok()).flatten())
        .ok_or_else(no_such_text)
}

/// Everything about a deal's texts, read under its lock.
struct Table {
    deal_json: Value,
    issues: Vec<TextIssue>,
    sides: Vec<PartyId>,
    /// Each text with its hash and its votes (in side order).
    texts: Vec<(StoredText, Hash, Vec<StoredVote>)>,
    /// The withdrawn texts, by round.
    withdrawn: BTreeMap<u32, StoredWithdrawal>,
    concluded: bool,
}

impl Table {
    fn closed(&self, votes: &[StoredVote]) -> bool {
        votes.len() == self.sides.len()
    }

    /// The text of a round, with its hash and votes, or `404 no-such-text`.
    fn text(&self, round: u32) -> Result<&(StoredText, Hash, Vec<StoredVote>), AppError> {
        self.texts
            .iter()
            .find(|(t, _, _)| t.round == round)
            .ok_or_else(no_such_text)
    }

    fn is_withdrawn(&self, round: u32) -> bool {
        self.withdrawn.contains_key(&round)
    }

    /// Whether the last text waits for votes: neither closed by every
    /// side's vote nor withdrawn.
    fn open(&self) -> bool {
        self.texts
            .last()
            .is_some_and(|(t, _, v)| !self.closed(v) && !self.is_withdrawn(t.round))
    }

    fn next_round(&self) -> u32 {
        u32::try_from(self.texts.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// The last text every side accepted.
    fn agreed(&self) -> Option<&StoredText> {
        self.texts
            .iter()
            .rev()
            .find(|(_, _, v)| self.closed(v) && v.iter().all(|v| v.accept))
            .map(|(t, _, _)| t)
    }

    /// The deal with its open issues resolved to `outcome`, and its hash.
    fn resolved(&self, outcome: &Outcome) -> Result<(Value, Hash), AppError> {
        let pairs: Vec<(&str, &str)> = self
            .issues
            .iter()
            .filter_map(|i| outcome.get(&i.id).map(|v| (i.id.as_str(), v.as_str())))
            .collect();
        let value = truce_spec::resolve_normalised(&self.deal_json, &pairs).map_err(|e| {
            AppError::unprocessable(
                "unresolvable-text",
                format!("the text cannot be written into the deal: {e}"),
            )
        })?;
        let hash = truce_ledger::deal_hash(&value).map_err(|e| AppError::internal(&e))?;
        Ok((value, hash))
    }

    fn space(&self) -> Result<OutcomeSpace, AppError> {
        let sizes: Vec<usize> = self.issues.iter().map(|i| i.options.len()).collect();
        OutcomeSpace::of_sizes(&sizes)
            .map_err(|e| AppError::unprocessable("no-open-issues", e.to_string()))
    }

    fn encode(&self, space: &OutcomeSpace, outcome: &Outcome) -> Option<truce_agents::OutcomeId> {
        let values: Option<Vec<usize>> = self
            .issues
            .iter()
            .map(|i| {
                let v = outcome.get(&i.id)?;
                i.options.iter().position(|o| o == v)
            })
            .collect();
        space.encode(&values?)
    }

    fn decode(&self, space: &OutcomeSpace, id: truce_agents::OutcomeId) -> Outcome {
        self.issues
            .iter()
            .zip(space.decode(id))
            .map(|(i, v)| (i.id.clone(), i.options.get(v).cloned().unwrap_or_default()))
            .collect()
    }

    /// What `choice` proposes after the texts before `upto` (0-based,
    /// exclusive): its own, and every other (a person's, or another
    /// algorithm's), which it hears as `truce_agents::stepped` says. Also
    /// how many of each it heard. A withdrawn text was posted in error:
    /// the algorithm never hears it (as if never proposed), whatever votes
    /// it had when it was withdrawn.
    fn algorithm_next(
        &self,
        choice: &AlgorithmChoice,
        upto: usize,
    ) -> Result<(NextText, Heard, OutcomeSpace), AppError> {
        let kind = choice
            .mediator
            .parse::<MediatorKind>()
            .ok()
            .filter(|k| k.steppable())
            .ok_or_else(|| {
                let valid: Vec<&str> = MediatorKind::STEPPABLE.iter().map(|k| k.name()).collect();
                AppError::unprocessable(
                    "unknown-mediator",
                    format!(
                        "`mediator` must be one of {} (mopac needs the parties' own offers, not only votes)",
                        valid.join(", ")
                    ),
                )
            })?;
        if choice.rounds == 0 || choice.rounds > MAX_ALGORITHM_ROUNDS {
            return Err(AppError::unprocessable(
                "bad-rounds",
                format!("`rounds` must be between 1 and {MAX_ALGORITHM_ROUNDS}"),
            ));
        }
        let space = self.space()?;
        let mut history = Vec::new();
        let mut heard = Heard::default();
        for (text, _, votes) in self.texts.iter().take(upto) {
            if self.is_withdrawn(text.round) {
                continue;
            }
            let Some(id) = self.encode(&space, &text.outcome) else {
                continue;
            };
            let votes = votes
                .iter()
                .map(|v| if v.accept { Vote::Accept } else { Vote::Reject })
                .collect();
            if text.algorithm.as_ref() == Some(choice) {
                heard.own += 1;
                history.push(Answered::algorithm(id, votes));
            } else {
                heard.outside += 1;
                history.push(Answered::outside(id, votes));
            }
        }
        let next = truce_agents::stepped::next_text(
            kind,
            &space,
            self.sides.len(),
            &history,
            choice.rounds,
            choice.seed,
        )
        .map_err(|e| match e {
            StepError::Votes { .. } => AppError::conflict(
                "round-open",
                "the algorithm's last text still waits for votes: every side votes first",
            ),
            other => AppError::conflict("algorithm-diverged", other.to_string()),
        })?;
        Ok((next, heard, space))
    }
}

/// How many texts of each kind the algorithm heard.
#[derive(Debug, Clone, Copy, Default)]
struct Heard {
    /// Its own.
    own: usize,
    /// Everyone else's.
    outside: usize,
}

/// Read a deal's texts and votes; `chain` gives the sides and whether the
/// deal is agreed in the ledger.
async fn read_table(state: &AppState, deal: &DealId, chain: &Chain) -> Result<Table, AppError> {
    let store = state.store();
    let record = store
        .deal(deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?
        .ok_or_else(AppError::no_deal)?;
    let deal_json: Value =
        serde_json::from_str(&record.deal_json).map_err(|e| AppError::internal(&e))?;
    let issues = deal_json
        .get("open_issues")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|i| {
                    Some(TextIssue {
                        id: i.get("id")?.as_str()?.to_owned(),
                        options: i
                            .get("options")?
                            .as_array()?
                            .iter()
                            .filter_map(|o| o.as_str().map(str::to_owned))
                            .collect(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let sides: Vec<PartyId> = chain
        .roles
        .iter()
        .filter(|(_, r)| **r == Role::Side)
        .map(|(p, _)| p.clone())
        .collect();
    let mut votes: BTreeMap<u64, Vec<StoredVote>> = BTreeMap::new();
    for (round, _, json) in store
        .votes(deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?
    {
        let vote: StoredVote = serde_json::from_str(&json).map_err(|e| AppError::internal(&e))?;
        votes.entry(round).or_default().push(vote);
    }
    let mut texts = Vec::new();
    for (round, json) in store
        .texts(deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?
    {
        let text: StoredText = serde_json::from_str(&json).map_err(|e| AppError::internal(&e))?;
        let hash = truce_ledger::text_hash(deal, text.round, &text.outcome);
        let mut v = votes.remove(&round).unwrap_or_default();
        v.sort_by(|a, b| a.party.cmp(&b.party));
        texts.push((text, hash, v));
    }
    let mut withdrawn = BTreeMap::new();
    for (_, json) in store
        .withdrawals(deal.as_str())
        .await
        .map_err(|e| AppError::store(&e))?
    {
        let w: StoredWithdrawal =
            serde_json::from_str(&json).map_err(|e| AppError::internal(&e))?;
        withdrawn.insert(w.round, w);
    }
    Ok(Table {
        deal_json,
        issues,
        sides,
        texts,
        withdrawn,
        concluded: chain.ledger.state().and_then(|s| s.deal_hash()).is_some(),
    })
}

/// The deal's chain under its lock, then `f` with it (async: the texts
/// are read and written while the deal's appends wait).
async fn under_lock<T>(
    state: &AppState,
    deal: &DealId,
    f: impl AsyncFnOnce(&Chain) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let slot = state.slot(deal);
    let mut guard = slot.lock_owned().await;
    f(crate::handlers::fresh_chain(state, deal, &mut guard).await?).await
}

/// Whether `caller` may read votes and the agreed text.
fn in_the_talks(caller: &Caller) -> bool {
    matches!(caller.role, Role::Mediator | Role::Side)
}

fn text_view(
    caller: &Caller,
    table: &Table,
    text: &StoredText,
    hash: Hash,
    votes: &[StoredVote],
) -> TextView {
    let closed = table.closed(votes);
    let shown: Option<Vec<VoteView>> = match caller.role {
        Role::Mediator => Some(votes.iter().map(vote_view).collect()),
        Role::Side => Some(
            votes
                .iter()
                .filter(|v| v.party == caller.party)
                .map(vote_view)
                .collect(),
        ),
        _ => None,
    };
    TextView {
        round: text.round,
        outcome: text.outcome.clone(),
        text_hash: hash,
        author: text.author.clone(),
        signature: text.signature,
        algorithm: text.algorithm.clone(),
        at_ms: text.at_ms,
        closed,
        accepted: (closed && in_the_talks(caller)).then(|| votes.iter().all(|v| v.accept)),
        votes: shown,
        withdrawn: table.withdrawn.get(&text.round).map(withdrawal_view),
    }
}

fn withdrawal_view(w: &StoredWithdrawal) -> WithdrawalView {
    WithdrawalView {
        author: w.author.clone(),
        signature: w.signature,
        at_ms: w.at_ms,
    }
}

fn vote_view(v: &StoredVote) -> VoteView {
    VoteView {
        party: v.party.clone(),
        accept: v.accept,
        signature: v.signature,
        at_ms: v.at_ms,
    }
}

#[utoipa::path(get, path = "/api/v1/deals/{deal}/texts", tag = "texts",
    params(("deal" = String, Path, description = "deal id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = TextsView, description = "the texts; votes and the agreed text only for the mediator (every vote) and the sides (their own)"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list_texts(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
) -> Result<Json<TextsView>, AppError> {
    let view = under_lock(&state, &caller.deal, async |chain| {
        let table = read_table(&state, &caller.deal, chain).await?;
        let agreed = match table.agreed() {
            Some(text) if in_the_talks(&caller) => {
                let (value, deal_hash) = table.resolved(&text.outcome)?;
                if !table.concluded {
                    // Kept when the last vote closed the round; kept again
                    // (idempotent) in case that write was lost, before a
                    // side signs what it reads here.
                    state
                        .store()
                        .put_agreed_deal(
                            caller.deal.as_str(),
                            &deal_hash.to_string(),
                            &value.to_string(),
                            now_ms(),
                        )
                        .await
                        .map_err(|e| AppError::unavailable(&e))?;
                }
                Some(AgreedText {
                    round: text.round,
                    outcome: text.outcome.clone(),
                    deal_hash,
                })
            }
            _ => None,
        };
        Ok(TextsView {
            deal: caller.deal.clone(),
            you: PartyView {
                id: caller.party.clone(),
                role: caller.role,
            },
            issues: table.issues.clone(),
            sides: table.sides.clone(),
            texts: table
                .texts
                .iter()
                .map(|(t, h, v)| text_view(&caller, &table, t, *h, v))
                .collect(),
            next_round: table.next_round(),
            open: table.open(),
            agreed,
            concluded: table.concluded,
        })
    })
    .await?;
    Ok(Json(view))
}

/// The agreed text of `caller`'s deal while it is negotiated: its round
/// and the hash of the deal resolved to it (what the sides sign and
/// `deal-agreed` names), kept for `deal-agreed` as `list_texts` keeps it.
/// `None` when no text was accepted by every side, or once the deal is
/// agreed in the ledger.
pub(crate) async fn agreed_deal(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<(u32, Hash)>, AppError> {
    under_lock(state, &caller.deal, async |chain| {
        let table = read_table(state, &caller.deal, chain).await?;
        if table.concluded {
            return Ok(None);
        }
        let Some(text) = table.agreed() else {
            return Ok(None);
        };
        let (value, deal_hash) = table.resolved(&text.outcome)?;
        state
            .store()
            .put_agreed_deal(
                caller.deal.as_str(),
                &deal_hash.to_string(),
                &value.to_string(),
                now_ms(),
            )
            .await
            .map_err(|e| AppError::unavailable(&e))?;
        Ok(Some((text.round, deal_hash)))
    })
    .await
}

/// The text's outcome names every open issue once, with one of its options.
fn check_outcome(table: &Table, outcome: &Outcome) -> Result<(), AppError> {
    let bad = |detail: String| AppError::unprocessable("bad-text", detail);
    let ids: BTreeSet<&str> = table.issues.iter().map(|i| i.id.as_str()).collect();
    let all = || ids.iter().copied().collect::<Vec<_>>().join(", ");
    // The answers name the deal's issues and options, never the input.
    if outcome.keys().any(|k| !ids.contains(k.as_str())) {
        return Err(bad(format!(
            "the text names an issue that is not an open issue of the deal (open issues: {})",
            all()
        )));
    }
    for issue in &table.issues {
        let Some(value) = outcome.get(&issue.id) else {
            return Err(bad(format!(
                "the text gives no option for the open issue `{}`: a text settles every open issue ({})",
                issue.id,
                all()
            )));
        };
        if !issue.options.contains(value) {
            return Err(bad(format!(
                "the value given for the open issue `{}` is not one of its options ({})",
                issue.id,
                issue.options.join(", ")
            )));
        }
    }
    Ok(())
}

fn withdrawn(round: u32) -> AppError {
    AppError::conflict(
        "text-withdrawn",
        format!("the mediator withdrew text {round}: it takes no votes; vote on the next text"),
    )
}

fn concluded() -> AppError {
    AppError::conflict(
        "deal-agreed",
        "the deal is agreed in the ledger (`deal-agreed`): its texts are closed",
    )
}

#[utoipa::path(post, path = "/api/v1/deals/{deal}/texts", tag = "texts",
    params(("deal" = String, Path, description = "deal id")),
    request_body = PostText,
    security(("bearer" = [])),
    responses(
        (status = 201, body = TextKept, description = "kept; the sides vote on it"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only the mediator posts texts"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "not the next round (`wrong-round`), the last text still open (`round-open`: every side votes or the mediator withdraws it first), or the deal already agreed (`deal-agreed`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "not an outcome over the open issues (`bad-text`, `no-open-issues`), a bad signature (`bad-signature`), or not the algorithm's text (`not-the-algorithms-text`)"),
    ))]
pub(crate) async fn post_text(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<TextKept>), AppError> {
    if caller.role != Role::Mediator {
        return Err(AppError::forbidden("only the mediator posts texts"));
    }
    let posted: PostText = json_body(&headers, body, MAX_TEXT_BODY)?;
    let kept = under_lock(&state, &caller.deal, async |chain| {
        let table = read_table(&state, &caller.deal, chain).await?;
        if table.concluded {
            return Err(concluded());
        }
        if table.issues.is_empty() {
            return Err(AppError::unprocessable(
                "no-open-issues",
                "the deal has no open issues (`[[open_issue]]`): there is nothing for a text to settle",
            ));
        }
        let next = table.next_round();
        if posted.round != next {
            return Err(AppError::conflict(
                "wrong-round",
                format!("the deal's next text is number {next}; sign that number"),
            ));
        }
        if table.open() {
            return Err(AppError::conflict(
                "round-open",
                format!(
                    "text {} still waits for votes: every side votes, or the mediator withdraws it, before the next text",
                    next - 1
                ),
            ));
        }
        check_outcome(&table, &posted.outcome)?;
        let key = chain
            .keys
            .get(&caller.party)
            .ok_or_else(|| AppError::internal(&"a party without a key"))?;
        if !truce_ledger::verify_text(key, &caller.deal, posted.round, &posted.outcome, &posted.signature) {
            return Err(AppError::unprocessable(
                "bad-signature",
                format!(
                    "the signature is not {}'s on text {} of deal {} with this outcome (sign truce_ledger::text_message)",
                    caller.party, posted.round, caller.deal
                ),
            ));
        }
        if let Some(choice) = &posted.algorithm {
            let (proposed, _, space) = table.algorithm_next(choice, table.texts.len())?;
            let matches = match proposed {
                NextText::Propose(id) => table.decode(&space, id) == posted.outcome,
                NextText::Done { .. } => false,
            };
            if !matches {
                return Err(AppError::unprocessable(
                    "not-the-algorithms-text",
                    format!(
                        "the text is not what {} (seed {}, {} rounds) proposes now: post the outcome of POST /api/v1/deals/{}/texts/next, or leave `algorithm` out for a person's text",
                        choice.mediator, choice.seed, choice.rounds, caller.deal
                    ),
                ));
            }
        }
        let text = StoredText {
            round: posted.round,
            outcome: posted.outcome.clone(),
            author: caller.party.clone(),
            signature: posted.signature,
            algorithm: posted.algorithm.clone(),
            at_ms: now_ms(),
        };
        let json = serde_json::to_string(&text).map_err(|e| AppError::internal(&e))?;
        let stored = state
            .store()
            .put_text(caller.deal.as_str(), u64::from(text.round), &json, text.at_ms)
            .await
            .map_err(|e| AppError::unavailable(&e))?;
        if !stored {
            return Err(AppError::conflict(
                "wrong-round",
                format!("text {} was posted meanwhile; read the texts again", text.round),
            ));
        }
        // Every open Texts view of the deal refreshes (texts are public to
        // the deal's parties).
        let _ = state.inner.signed.send(caller.deal.clone());
        state
            .store()
            .announce(caller.deal.as_str(), truce_store::Announce::Public)
            .await;
        Ok(TextKept {
            round: text.round,
            text_hash: truce_ledger::text_hash(&caller.deal, text.round, &text.outcome),
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}

#[utoipa::path(post, path = "/api/v1/deals/{deal}/texts/{round}/votes", tag = "texts",
    params(("deal" = String, Path, description = "deal id"), ("round" = u32, Path, description = "the text's number")),
    request_body = PostVote,
    security(("bearer" = [])),
    responses(
        (status = 201, body = VoteKept, description = "kept, readable by the mediator and the voting side only"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only a side votes"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such deal or text"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the side voted on this text already (`already-voted`), the mediator withdrew it (`text-withdrawn`), or the deal is agreed (`deal-agreed`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "not the side's signature on this vote (`bad-signature`)"),
    ))]
pub(crate) async fn post_vote(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    Path(params): Path<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<VoteKept>), AppError> {
    if caller.role != Role::Side {
        return Err(AppError::forbidden("only a side votes on texts"));
    }
    let round = round_param(&params)?;
    let posted: PostVote = json_body(&headers, body, MAX_TEXT_BODY)?;
    let kept = under_lock(&state, &caller.deal, async |chain| {
        let table = read_table(&state, &caller.deal, chain).await?;
        let (_, hash, votes) = table.text(round)?;
        if table.concluded {
            return Err(concluded());
        }
        if table.is_withdrawn(round) {
            return Err(withdrawn(round));
        }
        if votes.iter().any(|v| v.party == caller.party) {
            return Err(AppError::conflict(
                "already-voted",
                format!("{} has voted on text {round}; a vote is cast once", caller.party),
            ));
        }
        let key = chain
            .keys
            .get(&caller.party)
            .ok_or_else(|| AppError::internal(&"a party without a key"))?;
        if !truce_ledger::verify_vote(key, &caller.deal, round, hash, posted.accept, &posted.signature) {
            return Err(AppError::unprocessable(
                "bad-signature",
                format!(
                    "the signature is not {}'s vote ({}) on text {round} of deal {} (sign truce_ledger::vote_message over the text's hash)",
                    caller.party,
                    if posted.accept { "accept" } else { "reject" },
                    caller.deal
                ),
            ));
        }
        let vote = StoredVote {
            party: caller.party.clone(),
            accept: posted.accept,
            signature: posted.signature,
            at_ms: now_ms(),
        };
        let json = serde_json::to_string(&vote).map_err(|e| AppError::internal(&e))?;
        // Whether this vote closes the round is the store's answer: another
        // server on the same database may have kept a side's vote since
        // the table was read.
        let closed = match state
            .store()
            .put_vote(
                caller.deal.as_str(),
                u64::from(round),
                caller.party.as_str(),
                &json,
                vote.at_ms,
                table.sides.len(),
            )
            .await
            .map_err(|e| AppError::unavailable(&e))?
        {
            VotePut::Kept { closes } => closes,
            VotePut::AlreadyVoted => {
                return Err(AppError::conflict(
                    "already-voted",
                    format!("{} has voted on text {round}; a vote is cast once", caller.party),
                ));
            }
            // Withdrawn on another server since the table was read.
            VotePut::Withdrawn => return Err(withdrawn(round)),
        };
        let table = if closed && votes.len() + 1 < table.sides.len() {
            read_table(&state, &caller.deal, chain).await?
        } else {
            table
        };
        let all_accept = || {
            let others = table
                .texts
                .iter()
                .find(|(t, _, _)| t.round == round)
                .map(|(_, _, v)| v.iter().filter(|v| v.party != caller.party).all(|v| v.accept))
                .unwrap_or(false);
            posted.accept && others
        };
        let accepted = closed.then(all_accept);
        if accepted == Some(true) {
            // The agreed text: keep the deal it resolves to, for the
            // `deal-agreed` event to name.
            let text = &table.text(round)?.0;
            let (value, deal_hash) = table.resolved(&text.outcome)?;
            state
                .store()
                .put_agreed_deal(caller.deal.as_str(), &deal_hash.to_string(), &value.to_string(), now_ms())
                .await
                .map_err(|e| AppError::unavailable(&e))?;
        }
        // The room's open pages refresh: a vote that closes its round
        // tells everyone (the round's close is public), any other only
        // the mediator's and the sides' pages.
        let (_, what) = if closed {
            (
                state.inner.signed.send(caller.deal.clone()),
                truce_store::Announce::Public,
            )
        } else {
            (
                state.inner.talks.send(caller.deal.clone()),
                truce_store::Announce::Talks,
            )
        };
        // And the other servers' (see `truce_store::Watch`).
        state.store().announce(caller.deal.as_str(), what).await;
        Ok(VoteKept {
            round,
            accept: posted.accept,
            closed,
            accepted,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}

#[utoipa::path(post, path = "/api/v1/deals/{deal}/texts/next", tag = "texts",
    params(("deal" = String, Path, description = "deal id")),
    request_body = AlgorithmChoice,
    security(("bearer" = [])),
    responses(
        (status = 200, body = NextTextView, description = "the text the algorithm proposes now (nothing is posted: sign it and post it with `algorithm`)"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only the mediator asks the algorithm"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the last text still waits for votes (`round-open`), or the deal is agreed (`deal-agreed`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "an unknown algorithm (`unknown-mediator`), a round limit out of range (`bad-rounds`), or no open issues"),
    ))]
pub(crate) async fn next_text(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<NextTextView>, AppError> {
    if caller.role != Role::Mediator {
        return Err(AppError::forbidden(
            "only the mediator asks the algorithm for a text",
        ));
    }
    let choice: AlgorithmChoice = json_body(&headers, body, MAX_TEXT_BODY)?;
    let view = under_lock(&state, &caller.deal, async |chain| {
        let table = read_table(&state, &caller.deal, chain).await?;
        if table.concluded {
            return Err(concluded());
        }
        if table.open() {
            return Err(AppError::conflict(
                "round-open",
                format!(
                    "text {} still waits for votes: the algorithm proposes from every side's vote",
                    table.texts.len()
                ),
            ));
        }
        let (next, heard, space) = table.algorithm_next(&choice, table.texts.len())?;
        let (outcome, done) = match next {
            NextText::Propose(id) => (Some(table.decode(&space, id)), None),
            NextText::Done { current } => (None, Some(table.decode(&space, current))),
        };
        Ok(NextTextView {
            algorithm: choice.clone(),
            round: table.next_round(),
            outcome,
            done,
            heard: heard.own,
            heard_outside: heard.outside,
        })
    })
    .await?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/v1/deals/{deal}/texts/{round}/withdraw", tag = "texts",
    params(("deal" = String, Path, description = "deal id"), ("round" = u32, Path, description = "the text's number")),
    request_body = PostWithdrawal,
    security(("bearer" = [])),
    responses(
        (status = 201, body = TextWithdrawn, description = "withdrawn: the round is over, takes no more votes, keeps the votes cast, and the algorithm treats the text as never proposed"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only the mediator withdraws a text"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such deal or text (`no-such-text`)"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "every side accepted the text (`text-agreed`), every side voted on it (`round-closed`), it was withdrawn already (`already-withdrawn`), or the deal is agreed (`deal-agreed`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "not the mediator's signature on this withdrawal (`bad-signature`)"),
    ))]
pub(crate) async fn withdraw_text(
    State(state): State<AppState>,
    DealCaller { caller }: DealCaller,
    Path(params): Path<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<TextWithdrawn>), AppError> {
    if caller.role != Role::Mediator {
        return Err(AppError::forbidden("only the mediator withdraws a text"));
    }
    let round = round_param(&params)?;
    let posted: PostWithdrawal = json_body(&headers, body, MAX_TEXT_BODY)?;
    let kept = under_lock(&state, &caller.deal, async |chain| {
        let table = read_table(&state, &caller.deal, chain).await?;
        let (_, hash, votes) = table.text(round)?;
        if table.concluded {
            return Err(concluded());
        }
        let already = || {
            AppError::conflict(
                "already-withdrawn",
                format!("text {round} is withdrawn already"),
            )
        };
        if table.is_withdrawn(round) {
            return Err(already());
        }
        let closed = |votes: &[StoredVote]| {
            if votes.iter().all(|v| v.accept) {
                AppError::conflict(
                    "text-agreed",
                    format!(
                        "every side accepted text {round}: an agreed text is not withdrawn (post a new text to move on)"
                    ),
                )
            } else {
                AppError::conflict(
                    "round-closed",
                    format!(
                        "every side has voted on text {round}: only a text whose round is open is withdrawn"
                    ),
                )
            }
        };
        if table.closed(votes) {
            return Err(closed(votes));
        }
        let key = chain
            .keys
            .get(&caller.party)
            .ok_or_else(|| AppError::internal(&"a party without a key"))?;
        if !truce_ledger::verify_withdrawal(key, &caller.deal, round, hash, &posted.signature) {
            return Err(AppError::unprocessable(
                "bad-signature",
                format!(
                    "the signature is not {}'s withdrawal of text {round} of deal {} (sign truce_ledger::withdraw_message over the text's hash)",
                    caller.party, caller.deal
                ),
            ));
        }
        let withdrawal = StoredWithdrawal {
            round,
            text_hash: *hash,
            author: caller.party.clone(),
            signature: posted.signature,
            at_ms: now_ms(),
        };
        let json = serde_json::to_string(&withdrawal).map_err(|e| AppError::internal(&e))?;
        // Whether the round was still open is the store's answer: another
        // server on the same database may have kept the last vote since
        // the table was read.
        match state
            .store()
            .put_withdrawal(
                caller.deal.as_str(),
                u64::from(round),
                &json,
                withdrawal.at_ms,
                table.sides.len(),
            )
            .await
            .map_err(|e| AppError::unavailable(&e))?
        {
            WithdrawalPut::Kept => {}
            WithdrawalPut::NoText => return Err(no_such_text()),
            WithdrawalPut::AlreadyWithdrawn => return Err(already()),
            WithdrawalPut::Closed => {
                let table = read_table(&state, &caller.deal, chain).await?;
                let votes = table
                    .texts
                    .iter()
                    .find(|(t, _, _)| t.round == round)
                    .map(|(_, _, v)| v.clone())
                    .unwrap_or_default();
                return Err(closed(&votes));
            }
        }
        // Every open Texts view of the deal refreshes, here and on the
        // other servers (a withdrawal is public to the deal's parties).
        let _ = state.inner.signed.send(caller.deal.clone());
        state
            .store()
            .announce(caller.deal.as_str(), truce_store::Announce::Public)
            .await;
        Ok(TextWithdrawn {
            round,
            text_hash: *hash,
            withdrawn: withdrawal_view(&withdrawal),
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}
