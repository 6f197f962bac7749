//! A party's side of the mediator service: `truce register` (the mediator
//! registers the agreed deal and hands out tokens), `truce sign-agreement`
//! (a side signs the deal it holds), `truce record` (any party signs one of
//! its own events with its key and records it) and `truce export` (the
//! ledger, for `truce verify`). Each call is one request to the service
//! through `truce_server::client`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use truce_ledger::{DealId, Event, Hash, PartyId, PartyKey, PersonId, Receipt, Sig};
use truce_server::client::{Client, ClientError, TlsClient};

use crate::cli::{
    ExportArgs, RecordArgs, RegisterArgs, ServiceArgs, SignAgreementArgs, StatusArgs,
};
use crate::error::{CliError, Outcome};
use crate::files;

/// A side's signature as `truce sign-agreement` prints it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Agreement {
    /// For an amendment: its number (1 for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amendment: Option<u32>,
    deal: DealId,
    deal_hash: Hash,
    party: PartyId,
    /// For an amendment: the deal hash it replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replaces: Option<Hash>,
    signature: Sig,
}

fn read_text(path: &Path) -> Result<String, CliError> {
    files::read_text(path, files::FileKind::Event)
}

pub(crate) fn deal_id(id: &str) -> Result<DealId, CliError> {
    DealId::new(id).map_err(|source| CliError::Id {
        context: format!("--deal-id `{id}`"),
        source,
    })
}

pub(crate) fn party_key(path: &Path) -> Result<PartyKey, CliError> {
    let text = read_text(path)?;
    PartyKey::from_secret_file(&text).map_err(|e| {
        let secret = text.find("\"secret_key\"");
        let (line, column) = match (&e, secret) {
            (truce_ledger::KeyFileError::BadKey { .. }, Some(at)) => {
                crate::ledger::line_column(&text, at)
            }
            _ => e
                .position()
                .unwrap_or_else(|| crate::ledger::key_error_place(&text, &e)),
        };
        CliError::KeyFile {
            context: format!(
                "{}:{line}:{column}: not a secret key file (`truce keygen`)",
                path.display()
            ),
            source: e,
        }
    })
}

pub(crate) fn token(path: &Path) -> Result<String, CliError> {
    let text = read_text(path)?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(CliError::Input(format!(
            "{} is not a token file (`truce register` writes one per party)",
            path.display()
        )));
    }
    Ok(token.to_owned())
}

/// The host of an `https://HOST:PORT` service (what its certificate must
/// name), or `None` for `http://`.
fn tls_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?.trim_end_matches('/');
    Some(match rest.rsplit_once(':') {
        Some((host, _port)) => host.trim_start_matches('[').trim_end_matches(']'),
        None => rest,
    })
}

/// `http://HOST:PORT` or `https://HOST:PORT` as an address to connect to.
pub(crate) fn address(url: &str) -> Result<SocketAddr, CliError> {
    let bad = |why: &str| CliError::Usage(format!("--service `{url}`: {why}"));
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| bad("give the address as https://HOST:PORT or http://HOST:PORT"))?;
    let host_port = rest.trim_end_matches('/');
    if host_port.contains('/') {
        return Err(bad("give the service's address only, without a path"));
    }
    host_port
        .to_socket_addrs()
        .map_err(|source| CliError::System {
            context: format!("--service `{url}`: cannot resolve it"),
            source,
        })?
        .next()
        .ok_or_else(|| bad("it resolves to no address"))
}

/// Run one exchange with the service on a small runtime of its own.
pub(crate) fn with_client<T>(
    at: &ServiceArgs,
    addr: SocketAddr,
    f: impl AsyncFnOnce(&mut Client) -> Result<T, ClientError>,
) -> Result<Result<T, ClientError>, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| CliError::System {
            context: "cannot start the client".to_owned(),
            source,
        })?;
    let tls = match tls_host(&at.service) {
        None => None,
        Some(host) => {
            let ca = match &at.ca_cert {
                Some(path) => Some(files::read_file(path, files::FileKind::Certificate)?),
                None => None,
            };
            Some(
                TlsClient::new(host, ca.as_deref()).map_err(|source| CliError::ClientSetup {
                    context: format!("--service `{}`", at.service),
                    source,
                })?,
            )
        }
    };
    runtime.block_on(async {
        let mut client = Client::connect_with(addr, tls).await.map_err(|e| {
            // The client's own message starts "cannot reach the service" too.
            let source: crate::error::AnyError = match e {
                ClientError::Connect(io) => io.into(),
                other => other.into(),
            };
            CliError::Unreachable {
                service: at.service.clone(),
                source,
            }
        })?;
        Ok(f(&mut client).await)
    })
}

/// A refusal by the service is a negative answer (exit 1), said plainly;
/// a broken connection is an error (exit 2).
pub(crate) fn refused(e: ClientError) -> Result<Outcome, CliError> {
    match e {
        ClientError::Problem {
            status,
            kind,
            detail,
        } => {
            eprintln!("error: the service refused: {status} {kind}: {detail}");
            Ok(Outcome::Negative)
        }
        // Other parties kept recording first, or the service stayed busy:
        // nothing was recorded, a negative answer too.
        e @ ClientError::Contended { .. } => {
            eprintln!("error: {e}");
            Ok(Outcome::Negative)
        }
        other => Err(CliError::Client(other)),
    }
}

/// The agreed deal and its hash, as every side computes it.
fn agreed_deal(path: &Path) -> Result<(Value, Hash), CliError> {
    deal_with_issues(path, false)
}

/// The deal and its hash; with `open_issues`, a deal still negotiated is
/// fine (registered for `truce text`).
fn deal_with_issues(path: &Path, open_issues: bool) -> Result<(Value, Hash), CliError> {
    let deal = crate::files::load_valid(path)?;
    if !open_issues && !deal.open_issues.is_empty() {
        let open: Vec<&str> = deal.open_issues.iter().map(|i| i.id.as_str()).collect();
        return Err(CliError::Input(format!(
            "{}: the deal still has open issues ({}); agree them first (`truce agree`): the ledger records the agreed deal (`truce register --with-open-issues` registers it to negotiate with `truce text`)",
            path.display(),
            open.join(", ")
        )));
    }
    crate::verify_files::normalised_deal(&deal)
}

pub fn register(args: &RegisterArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    // The address first: a wrong one is said before any file is read.
    let addr = address(&args.at.service)?;
    let (normalised, hash) = deal_with_issues(&args.deal, args.with_open_issues)?;
    let keys: Value = serde_json::from_str(&read_text(&args.keys)?).map_err(|e| {
        CliError::Input(format!(
            "{}:{}:{}: not a key file (`truce keygen` writes keys.json)",
            args.keys.display(),
            e.line(),
            e.column()
        ))
    })?;
    let parties: Vec<String> = normalised["parties"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let token_path = |party: &str| args.out.join(format!("{party}.token"));
    let key_path = args.out.join("person.key");
    if !args.force {
        for path in parties
            .iter()
            .map(|p| token_path(p))
            .chain([key_path.clone()])
        {
            if path.exists() {
                return Err(CliError::WouldOverwrite(path));
            }
        }
    }
    let request = serde_json::json!({"id": id.as_str(), "deal": normalised, "keys": keys});
    let admin = std::env::var("TRUCE_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let created = match with_client(&args.at, addr, async |c| {
        c.create_deal(&request, admin.as_deref()).await
    })? {
        Ok(created) => created,
        Err(e) => return refused(e),
    };
    if created.deal_hash != hash {
        eprintln!(
            "warning: the service hashed the deal as {}, not {hash}: its version of truce may differ",
            created.deal_hash
        );
    }
    let mut written: Vec<PathBuf> = Vec::new();
    for t in &created.tokens {
        let path = token_path(t.party.as_str());
        files::write_secret(&path, format!("{}\n", t.token).as_bytes())?;
        written.push(path);
    }
    files::write_secret(&key_path, format!("{}\n", created.person_key).as_bytes())?;
    println!("registered deal {id} (deal hash {})", created.deal_hash);
    for path in &written {
        println!(
            "wrote {} (secret: hand it to its party only)",
            path.display()
        );
    }
    println!(
        "wrote {} (secret: for the mediator, the sides and the intermediary only)",
        key_path.display()
    );
    Ok(Outcome::Success)
}

pub fn sign_agreement(args: &SignAgreementArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.deal_id)?;
    let key = party_key(&args.key)?;
    let (_, hash) = agreed_deal(&args.deal)?;
    let signed = match (args.amendment, args.replaces.as_deref()) {
        (Some(n), Some(replaces)) => {
            let replaces = Hash::from_hex(replaces).ok_or_else(|| {
                CliError::Usage(format!(
                    "--replaces `{replaces}` is not a deal hash (64 hex digits; `truce status` shows the agreed one)"
                ))
            })?;
            let signed = truce_ledger::sign_amendment(&key, &id, n, &replaces, &hash);
            (signed, Some(n), Some(replaces))
        }
        (None, None) => (truce_ledger::sign_agreement(&key, &id, &hash), None, None),
        _ => {
            return Err(CliError::Usage(
                "an amendment's signature needs both --amendment N and --replaces HASH".to_owned(),
            ));
        }
    };
    let (signed, amendment, replaces) = signed;
    crate::print_json(&Agreement {
        amendment,
        deal: id,
        deal_hash: hash,
        party: signed.party,
        replaces,
        signature: signed.signature,
    })?;
    Ok(Outcome::Success)
}

pub fn record(args: &RecordArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    // The address first: a wrong one is said before any file is read.
    let addr = address(&args.at.service)?;
    let key = party_key(&args.key)?;
    let token = token(&args.token_file)?;
    let EventInput {
        value: mut event,
        listed,
        source,
        text,
    } = event_json(args, &id)?;
    if event["type"] == "deal-amended" {
        // The service keeps the amended deal itself: execution is checked
        // against its terms from the amendment on.
        let path = args.deal.as_ref().ok_or_else(|| {
            CliError::Usage(
                "a deal-amended event needs --deal AMENDED_DEAL: the service keeps the amended deal the sides signed".to_owned(),
            )
        })?;
        let (normalised, hash) = agreed_deal(path)?;
        if event["deal_hash"].as_str() != Some(hash.to_string().as_str()) {
            return Err(CliError::Input(format!(
                "{}: its deal hash is {hash}, not the one the sides signed in --agreement",
                path.display()
            )));
        }
        let text = normalised.to_string();
        if let Err(e) = with_client(&args.at, addr, async |c| {
            c.keep_amendment(&id, &token, &text).await
        })? {
            return refused(e);
        }
    }
    if event["type"] == "handover-recorded"
        && event.get("counts").is_none()
        && let Some(ids) = &listed
    {
        let counts = match &args.deal {
            Some(path) => {
                let deal = crate::files::load_valid(path)?;
                let categories: std::collections::HashMap<&str, &str> = deal
                    .persons
                    .iter()
                    .map(|p| (p.id.as_str(), p.category.as_str()))
                    .collect();
                handover_counts(ids, |id| categories.get(id).map(|c| (*c).to_owned()))
            }
            None => {
                let view = match with_client(&args.at, addr, async |c| c.deal(&id, &token).await)? {
                    Ok(view) => view,
                    Err(e) => return refused(e),
                };
                let persons = view.terms["persons"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                handover_counts(ids, |id| {
                    persons
                        .iter()
                        .find(|p| p["id"] == id)
                        .and_then(|p| p["category"].as_str().map(str::to_owned))
                })
            }
        }?;
        event["counts"] = counts;
    }
    if let Some(plan) = &args.plan {
        // The service keeps the plan itself: execution is checked against it.
        let text = read_text(plan)?;
        let kept = match with_client(&args.at, addr, async |c| {
            c.keep_plan(&id, &token, &text).await
        })? {
            Ok(kept) => kept,
            Err(e) => return refused(e),
        };
        if event["plan_hash"].as_str() != Some(kept.plan_hash.to_string().as_str()) {
            return Err(CliError::Input(format!(
                "{}: the service hashed the plan as {}, not as this file's canonical hash",
                plan.display(),
                kept.plan_hash
            )));
        }
        if event.get("days").is_none() {
            event["days"] = Value::from(kept.pause_days);
        }
    }
    if event["type"] == "deal-created"
        && (event.get("parties").is_none() || event.get("name").is_none())
    {
        // The parties and roles the deal was registered with, as the
        // service holds them: the event must list exactly those.
        let view = match with_client(&args.at, addr, async |c| c.deal(&id, &token).await)? {
            Ok(view) => view,
            Err(e) => return refused(e),
        };
        for field in ["name", "parties"] {
            if event.get(field).is_none() {
                let value = view.terms.get(field).cloned().unwrap_or_default();
                let parties_only =
                    |p: &Value| serde_json::json!({"id": p["id"], "role": p["role"]});
                let value = match (field, value) {
                    ("parties", Value::Array(ps)) => {
                        Value::Array(ps.iter().map(parties_only).collect())
                    }
                    (_, v) => v,
                };
                event[field] = value;
            }
        }
    }
    let event: Event = serde_json::from_value(event).map_err(|e| {
        // The place in what the user wrote, when the text alone shows it
        // (the fields truce completes are not in it).
        let place = serde_json::from_str::<Event>(&text)
            .err()
            .map_or(String::new(), |e| format!(":{}:{}", e.line(), e.column()));
        CliError::Json {
            context: format!("{source}{place}: not a ledger event"),
            source: e,
        }
    })?;
    let kind = event.kind();
    let at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
    let receipt = match with_client(&args.at, addr, async |c| {
        c.record(&id, &token, &key, at_ms, event).await
    })? {
        Ok((_, receipt)) => receipt,
        Err(e) => return refused(e),
    };
    println!(
        "recorded {kind} by {} at seq {} (hash {})",
        key.party(),
        receipt.seq,
        receipt.hash
    );
    if let Some(path) = &args.receipts {
        keep_receipt(
            path,
            Receipt {
                deal: id,
                seq: receipt.seq,
                hash: receipt.hash,
            },
        )?;
    }
    Ok(Outcome::Success)
}

/// A handover's signed counts per category, from each listed person's
/// category (`category_of` answers from the deal file or the service's
/// view). The message names a position, never a person id.
fn handover_counts(
    ids: &[PersonId],
    category_of: impl Fn(&str) -> Option<String>,
) -> Result<Value, CliError> {
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for (n, id) in ids.iter().enumerate() {
        let category = category_of(id.as_str()).ok_or_else(|| {
            CliError::Input(format!(
                "person {} of the handover is not in the deal as this party sees it: give the deal file with --deal, or `counts` per category in the event",
                n + 1
            ))
        })?;
        *counts.entry(category).or_insert(0) += 1;
    }
    Ok(serde_json::json!(counts))
}

/// An event as given, completed from the files named.
struct EventInput {
    value: Value,
    /// The person ids a handover listed.
    listed: Option<Vec<PersonId>>,
    /// Where the event came from (`the event` or its file) and its text,
    /// for error locations.
    source: String,
    text: String,
}

/// The event to sign, as JSON, from the JSON given and the files that
/// complete it, the person ids a handover listed, and where the event came
/// from with its text (for error locations).
fn event_json(args: &RecordArgs, deal: &DealId) -> Result<EventInput, CliError> {
    let (text, source) = match args.event.strip_prefix('@') {
        Some(path) => (read_text(Path::new(path))?, path.to_owned()),
        None => (args.event.clone(), "the event".to_owned()),
    };
    let mut value: Value = serde_json::from_str(&text).map_err(|e| CliError::Json {
        context: format!("{source}:{}:{}: not JSON", e.line(), e.column()),
        source: e,
    })?;
    let Some(obj) = value.as_object_mut() else {
        return Err(CliError::Input(format!(
            "{source}: an event is a JSON object with a `type`"
        )));
    };
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut listed = None;
    if let Some(persons) = obj.remove("persons") {
        if kind != "handover-recorded" && kind != "lists-exchanged" {
            return Err(CliError::Input(format!(
                "{source}: only a handover-recorded or a lists-exchanged lists persons"
            )));
        }
        let path = args.person_key.as_ref().ok_or_else(|| {
            CliError::Usage(format!(
                "a {kind} listing `persons` needs --person-key (from `truce register`)"
            ))
        })?;
        let key = files::read_person_key(path)?;
        let ids: Vec<String> = serde_json::from_value(persons)
            .map_err(|_| CliError::Input(format!("{source}: `persons` is a list of person ids")))?;
        let mut pseudonyms = Vec::with_capacity(ids.len());
        let mut persons = Vec::with_capacity(ids.len());
        for (n, person) in ids.iter().enumerate() {
            // The message names the position, never the id.
            let p = PersonId::new(person).map_err(|e| CliError::Id {
                context: format!("{source}: person {} of the list", n + 1),
                source: e,
            })?;
            pseudonyms.push(Value::String(key.pseudonym(deal, &p).to_string()));
            persons.push(p);
        }
        if kind == "lists-exchanged" {
            // A list goes to the receiving side outside the ledger: the
            // event keeps only its size and commitment.
            let pseudonyms: Vec<truce_ledger::Pseudonym> =
                persons.iter().map(|p| key.pseudonym(deal, p)).collect();
            obj.insert("count".to_owned(), Value::from(pseudonyms.len()));
            obj.insert(
                "commitment".to_owned(),
                Value::String(truce_ledger::list_commitment(&pseudonyms).to_string()),
            );
        } else {
            obj.insert("pseudonyms".to_owned(), Value::Array(pseudonyms));
            listed = Some(persons);
        }
    }
    if !args.agreements.is_empty() {
        let amending = kind == "deal-amended";
        if kind != "deal-agreed" && !amending {
            return Err(CliError::Usage(
                "--agreement completes a deal-agreed or deal-amended event".to_owned(),
            ));
        }
        let (hash, step, signatures) = agreements(&args.agreements, deal)?;
        match (amending, step) {
            (true, Some((n, replaces))) => {
                obj.insert("amendment".to_owned(), Value::from(n));
                obj.insert("replaces".to_owned(), Value::String(replaces.to_string()));
            }
            (false, None) => {}
            (true, None) => {
                return Err(CliError::Usage(
                    "a deal-amended event needs the sides' amendment signatures (`truce sign-agreement --amendment N --replaces HASH`)".to_owned(),
                ));
            }
            (false, Some(_)) => {
                return Err(CliError::Usage(
                    "these are signatures on an amendment: they complete a deal-amended event, not deal-agreed".to_owned(),
                ));
            }
        }
        obj.insert("deal_hash".to_owned(), Value::String(hash.to_string()));
        obj.insert("signatures".to_owned(), signatures);
    }
    if let Some(plan) = &args.plan {
        if kind != "plan-adopted" {
            return Err(CliError::Usage(
                "--plan completes a plan-adopted event".to_owned(),
            ));
        }
        let hash = crate::verify_files::plan_file_hash(plan)?;
        obj.insert("plan_hash".to_owned(), Value::String(hash.to_string()));
    }
    Ok(EventInput {
        value,
        listed,
        source,
        text,
    })
}

/// An amendment's step: its number and the deal hash it replaces.
type Step = (u32, Hash);

/// The sides' signature files: all for this deal, the same deal hash and
/// (for an amendment) the same step; returns the hash, the step
/// (amendment number, replaced hash) and the signatures.
fn agreements(paths: &[PathBuf], deal: &DealId) -> Result<(Hash, Option<Step>, Value), CliError> {
    let mut step = None;
    let mut hash = None;
    let mut signatures = Vec::new();
    for path in paths {
        let a: Agreement = serde_json::from_str(&read_text(path)?).map_err(|e| {
            CliError::Input(format!(
                "{}:{}: not a signature from `truce sign-agreement`",
                path.display(),
                e.line()
            ))
        })?;
        if &a.deal != deal {
            return Err(CliError::Input(format!(
                "{}: signs deal {}, not {deal}",
                path.display(),
                a.deal
            )));
        }
        if hash.is_some_and(|h| h != a.deal_hash) {
            return Err(CliError::Input(format!(
                "{}: {} signed the deal hash {}, another side another one: the sides hold different deal files",
                path.display(),
                a.party,
                a.deal_hash
            )));
        }
        let this = a.amendment.zip(a.replaces);
        if hash.is_some() && step != this {
            return Err(CliError::Input(format!(
                "{}: signs another step of the deal than the first --agreement (an agreement and an amendment, or two amendments)",
                path.display()
            )));
        }
        step = this;
        hash = Some(a.deal_hash);
        signatures.push(serde_json::json!({"party": a.party, "signature": a.signature}));
    }
    let hash = hash.ok_or_else(|| CliError::Usage("no --agreement given".to_owned()))?;
    Ok((hash, step, Value::Array(signatures)))
}

/// Add a receipt to the party's receipts file (created if missing).
fn keep_receipt(path: &Path, receipt: Receipt) -> Result<(), CliError> {
    let mut receipts: Vec<Receipt> = if path.exists() {
        crate::verify_files::receipts(path, read_text(path)?.as_bytes())?
    } else {
        Vec::new()
    };
    receipts.push(receipt);
    let text = serde_json::to_string_pretty(&receipts).map_err(CliError::Encoding)?;
    files::write_atomic(path, format!("{text}\n").as_bytes())
}

pub fn export(args: &ExportArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    // The address first: a wrong one is said before any file is read.
    let addr = address(&args.at.service)?;
    let token = token(&args.token_file)?;
    let ledger = match with_client(&args.at, addr, async |c| c.ledger(&id, &token).await)? {
        Ok(ledger) => ledger,
        Err(e) => return refused(e),
    };
    files::write_atomic(&args.out, ledger.as_bytes())?;
    println!(
        "wrote {}: {} events of deal {id}",
        args.out.display(),
        ledger.lines().count()
    );
    if let Some(path) = &args.terms {
        // The deal as this party may see it: the terms, counts per holder
        // and category, and persons only where the role sees them; what
        // `truce verify --terms` checks execution against.
        let view = match with_client(&args.at, addr, async |c| c.deal(&id, &token).await)? {
            Ok(view) => view,
            Err(e) => return refused(e),
        };
        let text = serde_json::to_string_pretty(&view).map_err(CliError::Encoding)?;
        files::write_atomic(path, format!("{text}\n").as_bytes())?;
        println!(
            "wrote {}: the deal's terms as {} sees them",
            path.display(),
            view.you.id
        );
    }
    Ok(Outcome::Success)
}

/// `truce status`: where the deal stands on the service, as the caller's
/// role may see it.
pub fn status(args: &StatusArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    let addr = address(&args.at.service)?;
    let token = token(&args.token_file)?;
    let state = match with_client(&args.at, addr, async |c| c.state(&id, &token).await)? {
        Ok(state) => state,
        Err(e) => return refused(e),
    };
    match args.format {
        crate::cli::Format::Json => crate::print_json(&state)?,
        crate::cli::Format::Text => print!("{}", crate::status::render(&state)),
    }
    Ok(Outcome::Success)
}
