//! Offline verification of an exported ledger with only public keys.
//!
//! One pass in file order checks each line's form, chain link and lifecycle
//! rule, and queues its signatures; queued signatures are checked in ed25519
//! batches, and a batch that fails is re-checked one signature at a time to
//! name the culprit. The first bad event in file order is reported: a
//! failure found by the pass is reported only once every signature before
//! it has been checked, so a forged earlier event is never hidden behind a
//! later symptom.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::canon::Hash;
use crate::envelope::{SignedEvent, signing_message_of_line};
use crate::ids::{DealId, PartyId};
use crate::keys::KeyRing;
use crate::problem::{Problem, SigCheck, check_link, signatures};
use crate::state::{DealState, Phase};

/// Signatures per batch and thread by default: large enough that the batch
/// equation's shared work pays off, small enough that a failing batch is
/// cheap to re-check one by one.
pub const DEFAULT_BATCH: usize = 1024;

/// A store's acknowledgement of one event, kept by a party: the ledger must
/// contain exactly this event. Receipts are what catch events cut off the
/// end of a ledger, which leaves a shorter chain that is otherwise intact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The deal the event belongs to.
    pub deal: DealId,
    /// The event's sequence number within its deal.
    pub seq: u64,
    /// The event's hash (SHA-256 of its ledger line).
    pub hash: Hash,
}

/// How to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Threads that check signature batches (at least 1). The crate never
    /// asks the system how many cores it has: the CLI passes
    /// `std::thread::available_parallelism()`.
    pub threads: usize,
    /// Signatures per batch and thread (at least 1).
    pub batch: usize,
    /// Receipts the ledger must honour (JSON: an array of
    /// `{"deal","seq","hash"}`).
    pub receipts: Vec<Receipt>,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions {
            threads: 1,
            batch: DEFAULT_BATCH,
            receipts: Vec::new(),
        }
    }
}

/// The outcome of verifying a ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// No bad event was found.
    pub intact: bool,
    /// Events that passed every check (all of them when intact).
    pub events: usize,
    /// Each deal's final state, by deal id; filled only when intact.
    pub deals: Vec<DealSummary>,
    /// The first bad event in file order, if any.
    pub first_bad: Option<BadEvent>,
}

/// Where a deal's chain ends: the head hash is what parties compare with
/// their own receipts, because cutting events off the end of a ledger
/// leaves a shorter chain that is still intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealSummary {
    /// The deal this chain belongs to.
    pub deal: DealId,
    /// The deal's phase after replaying its last event.
    pub phase: Phase,
    /// Seq of the last event.
    pub last_seq: u64,
    /// Hash of the last event.
    pub head: Hash,
    /// The deal hash every side signed, once agreed: compare it with
    /// `deal_hash` of the deal file to know which terms were agreed.
    pub deal_hash: Option<Hash>,
    /// The deal hash in force after the last `deal-amended`, if the deal
    /// was amended (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amended_hash: Option<Hash>,
    /// The plan the mediator adopted, once planned: compare it with the
    /// canonical hash of the plan file to know which plan is executed.
    pub plan_hash: Option<Hash>,
}

/// The first bad event: where it is, and why it is bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadEvent {
    /// 1-based line number in the ledger file.
    pub line: usize,
    /// The event's deal, when the line could be read that far.
    pub deal: Option<DealId>,
    /// The event's seq, when the line could be read that far.
    pub seq: Option<u64>,
    /// Stable name of the reason ([`Problem::kind`]).
    pub kind: &'static str,
    /// The reason in words.
    pub message: String,
    /// The reason as a value, for callers that match on it (not
    /// serialised: `kind` and `message` carry it in JSON).
    #[serde(skip)]
    pub problem: Problem,
}

impl BadEvent {
    fn new(line: usize, deal: Option<DealId>, seq: Option<u64>, problem: Problem) -> BadEvent {
        BadEvent {
            line,
            deal,
            seq,
            kind: problem.kind(),
            message: problem.to_string(),
            problem,
        }
    }
}

/// The ledger cannot be verified at all (the CLI's exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The ledger is empty: no bytes, or only a final newline.
    #[error("the ledger has no events")]
    Empty,
}

/// Verify a `ledger.jsonl` export against the parties' public keys.
///
/// `Ok` with [`VerifyReport::intact`] false names the first bad event (line,
/// seq, reason); `Err` means there was nothing to verify.
pub fn verify(ledger_jsonl: &str, keys: &KeyRing) -> Result<VerifyReport, VerifyError> {
    verify_bytes(ledger_jsonl.as_bytes(), keys)
}

/// [`verify`] on raw bytes: what the CLI should call, so that a line that is
/// not UTF-8 is reported as a bad event rather than an unreadable file.
pub fn verify_bytes(ledger: &[u8], keys: &KeyRing) -> Result<VerifyReport, VerifyError> {
    verify_with(ledger, keys, &VerifyOptions::default())
}

/// [`verify_bytes`] with options: the same report whatever the options.
pub fn verify_with(
    ledger: &[u8],
    keys: &KeyRing,
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    let body = ledger.strip_suffix(b"\n").unwrap_or(ledger);
    if body.is_empty() {
        return Err(VerifyError::Empty);
    }
    let mut v = Verifier {
        keys,
        deals: BTreeMap::new(),
        pending: Vec::new(),
        events: 0,
        threads: options.threads.max(1),
        batch: options.batch.max(1),
        receipts: options
            .receipts
            .iter()
            .map(|r| ((r.deal.clone(), r.seq), r.hash))
            .collect(),
    };
    let mut bad = None;
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        if let Err(b) = v.line(i + 1, line) {
            bad = Some(b);
            break;
        }
    }
    if bad.is_none() {
        bad = v.flush().err();
    }
    if bad.is_none() {
        let lines = body.split(|b| *b == b'\n').count();
        bad = v.unreached_receipt(lines + 1);
    }
    Ok(match bad {
        Some(b) => VerifyReport {
            intact: false,
            events: b.line.saturating_sub(1),
            deals: Vec::new(),
            first_bad: Some(*b),
        },
        None => VerifyReport {
            intact: true,
            events: v.events,
            deals: v
                .deals
                .values()
                .map(|s| DealSummary {
                    deal: s.deal().clone(),
                    phase: s.phase(),
                    last_seq: s.last_seq(),
                    head: s.head(),
                    deal_hash: s.agreed_hash(),
                    amended_hash: s.deal_hash().filter(|h| Some(*h) != s.agreed_hash()),
                    plan_hash: s.plan_hash(),
                })
                .collect(),
            first_bad: None,
        },
    })
}

/// A queued signature and the event it belongs to.
struct Pending {
    line: usize,
    ev_deal: DealId,
    ev_seq: u64,
    ev_author: PartyId,
    check: SigCheck,
}

struct Verifier<'k> {
    keys: &'k KeyRing,
    deals: BTreeMap<DealId, DealState>,
    pending: Vec<Pending>,
    events: usize,
    threads: usize,
    batch: usize,
    /// Receipts by (deal, seq), removed as the events they name are seen.
    receipts: BTreeMap<(DealId, u64), Hash>,
}

impl Verifier<'_> {
    fn line(&mut self, n: usize, line: &[u8]) -> Result<(), Box<BadEvent>> {
        let ev = match serde_json::from_slice::<SignedEvent>(line) {
            Ok(ev) => ev,
            Err(e) => return Err(self.fail(malformed(n, line, &e))),
        };
        let at = |p| BadEvent::new(n, Some(ev.deal.clone()), Some(ev.seq), p);
        // Re-encoding must give the line back byte for byte: otherwise two
        // different lines could carry the same signed content. The fast
        // check covers every line we write; the canonicalizer decides the rest.
        if !(ev.is_line_fast(line) || ev.to_line().is_ok_and(|l| l.as_bytes() == line)) {
            return Err(self.fail(at(Problem::NotCanonical)));
        }
        if let Err(p) = check_link(self.deals.get(&ev.deal), &ev) {
            return Err(self.fail(at(p)));
        }
        // The line is canonical, so the signed body can be cut out of it; the
        // fallback encodes it (it never runs on a canonical line).
        let message = match signing_message_of_line(line).map_or_else(|| ev.signing_message(), Ok) {
            Ok(m) => m,
            Err(_) => return Err(self.fail(at(Problem::NotCanonical))),
        };
        let checks = match signatures(&ev, message, self.keys) {
            Ok(c) => c,
            Err(p) => return Err(self.fail(at(p))),
        };
        self.pending.extend(checks.into_iter().map(|check| Pending {
            line: n,
            ev_deal: ev.deal.clone(),
            ev_seq: ev.seq,
            ev_author: ev.author.clone(),
            check,
        }));
        let hash = Hash::of(line);
        let applied = match self.deals.get_mut(&ev.deal) {
            Some(state) => state.apply(&ev, hash),
            None => DealState::create(&ev, hash).map(|s| {
                self.deals.insert(ev.deal.clone(), s);
            }),
        };
        // The event's own signatures are queued already, so a forged event
        // is reported as forged before its rule violation.
        if let Err(v) = applied {
            return Err(self.fail(at(Problem::NotAllowed(v))));
        }
        if !self.receipts.is_empty() {
            let key = (ev.deal.clone(), ev.seq);
            if self.receipts.remove(&key).is_some_and(|h| h != hash) {
                let (deal, seq) = key;
                return Err(self.fail(at(Problem::ReceiptMismatch { deal, seq })));
            }
        }
        self.events += 1;
        if self.pending.len() >= self.batch.saturating_mul(self.threads) {
            self.flush()?;
        }
        Ok(())
    }

    /// The first receipt (in deal and seq order) whose event the ledger
    /// never reached, reported at `line`, just past the end.
    fn unreached_receipt(&self, line: usize) -> Option<Box<BadEvent>> {
        let ((deal, seq), _) = self.receipts.first_key_value()?;
        let last = self.deals.get(deal).map_or(0, DealState::last_seq);
        let problem = Problem::Truncated {
            deal: deal.clone(),
            seq: *seq,
            last,
        };
        Some(Box::new(BadEvent::new(
            line,
            Some(deal.clone()),
            Some(*seq),
            problem,
        )))
    }

    /// The bad event to report when the pass fails at `bad`: an earlier bad
    /// signature if there is one, else `bad`.
    fn fail(&mut self, bad: BadEvent) -> Box<BadEvent> {
        self.flush().err().unwrap_or_else(|| Box::new(bad))
    }

    /// Check every queued signature; the first bad one in file order.
    fn flush(&mut self) -> Result<(), Box<BadEvent>> {
        let batch = std::mem::take(&mut self.pending);
        if batch.is_empty() {
            return Ok(());
        }
        if batch_ok(&batch, self.threads) {
            return Ok(());
        }
        // Strict single verification is the reference; the batch only
        // decides that nothing needs a closer look.
        match batch.iter().find(|p| {
            p.check
                .key
                .verify_strict(&p.check.message, &p.check.signature)
                .is_err()
        }) {
            Some(p) => Err(Box::new(BadEvent::new(
                p.line,
                Some(p.ev_deal.clone()),
                Some(p.ev_seq),
                p.check.problem(&p.ev_author),
            ))),
            None => Ok(()),
        }
    }
}

/// Whether every signature in `batch` verifies, in ed25519 batches spread
/// over `threads` threads. A thread that fails for any reason counts as a
/// failed batch, which the caller then re-checks one signature at a time.
fn batch_ok(batch: &[Pending], threads: usize) -> bool {
    fn one(chunk: &[Pending]) -> bool {
        let messages: Vec<&[u8]> = chunk.iter().map(|p| p.check.message.as_slice()).collect();
        let sigs: Vec<Signature> = chunk.iter().map(|p| p.check.signature).collect();
        let keys: Vec<VerifyingKey> = chunk.iter().map(|p| p.check.key).collect();
        ed25519_dalek::verify_batch(&messages, &sigs, &keys).is_ok()
    }
    let per_thread = batch.len().div_ceil(threads.max(1)).max(1);
    if per_thread >= batch.len() {
        return one(batch);
    }
    let mut chunks = batch.chunks(per_thread);
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|s| {
        let others: Vec<_> = chunks.map(|c| s.spawn(move || one(c))).collect();
        let here = one(first);
        others
            .into_iter()
            .fold(here, |ok, h| h.join().unwrap_or(false) && ok)
    })
}

/// A line that is not a ledger event. The JSON parser's own message is not
/// repeated: it can quote the line's content, and a damaged or forged line
/// may hold anything, a name typed where a pseudonym belongs included.
fn malformed(n: usize, line: &[u8], e: &serde_json::Error) -> BadEvent {
    use serde_json::error::Category;
    // Best effort to say which event it was, from whatever still parses.
    let loose: Option<serde_json::Value> = serde_json::from_slice(line).ok();
    let field = |k: &str| loose.as_ref().and_then(|v| v.get(k));
    let seq = field("seq").and_then(serde_json::Value::as_u64);
    let deal = field("deal")
        .and_then(serde_json::Value::as_str)
        .and_then(|d| DealId::new(d).ok());
    let version = field("format_version").and_then(serde_json::Value::as_u64);
    let problem = match version {
        Some(v) if v != u64::from(crate::LEDGER_FORMAT_VERSION) => Problem::UnsupportedVersion(v),
        _ => Problem::Malformed {
            column: e.column(),
            what: match e.classify() {
                _ if line.is_empty() => "blank line",
                Category::Eof => "the json ends too soon",
                Category::Syntax | Category::Io => "not valid json",
                Category::Data => {
                    "not a ledger event (a field is missing, unknown or of the wrong type)"
                }
            },
        },
    };
    BadEvent::new(n, deal, seq, problem)
}

impl VerifyReport {
    /// The report for people: one line for the verdict, one per deal or the
    /// bad event's details.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        match &self.first_bad {
            None => {
                let deals = self.deals.len();
                let _ = writeln!(
                    out,
                    "ledger intact: {} event{}, {} deal{}",
                    self.events,
                    plural(self.events),
                    deals,
                    plural(deals)
                );
                for d in &self.deals {
                    let _ = writeln!(
                        out,
                        "  {}: {}, last seq {}, head {}",
                        d.deal, d.phase, d.last_seq, d.head
                    );
                    if let Some(h) = d.deal_hash {
                        let _ = writeln!(out, "    agreed deal hash {h}");
                    }
                    if let Some(h) = d.plan_hash {
                        let _ = writeln!(out, "    adopted plan hash {h}");
                    }
                }
            }
            Some(b) => {
                let _ = write!(out, "ledger broken at line {}", b.line);
                match (&b.deal, b.seq) {
                    (Some(d), Some(s)) => {
                        let _ = write!(out, " (deal {d}, seq {s})");
                    }
                    (None, Some(s)) => {
                        let _ = write!(out, " (seq {s})");
                    }
                    _ => {}
                }
                let _ = writeln!(out, ": {}", b.message);
                let _ = writeln!(
                    out,
                    "  {} event{} before it verified",
                    self.events,
                    plural(self.events)
                );
            }
        }
        out
    }

    /// The report as JSON (`truce verify --format json`).
    pub fn to_json(&self) -> String {
        // Strings, integers and booleans always serialise.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
