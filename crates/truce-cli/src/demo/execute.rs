//! The demo's execution: the mediator service started in-process on a
//! temporary SQLite file, and every party recording its own signed events
//! over loopback, as each party's tool would: the deal registered, agreed
//! by both sides, the plan adopted, each handover recorded by the
//! intermediary and confirmed by the side that receives it, a breach
//! reported and ruled on, the earned extension day, completion. Then the
//! ledger is exported by the guarantor, who sees no person, and verified
//! offline with only the public keys.
//!
//! Keys come from a seeded RNG and timestamps follow the deal's calendar
//! (not the wall clock), so the demo writes the same ledger on every run.
//! Real deployments generate keys with `truce keygen`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use truce_ledger::{DealId, KeyRing, PartyId, PersonKey, Receipt, VerifyOptions, VerifyReport};
use truce_plan::Plan;
use truce_server::client::Client;
use truce_spec::{AgreedDeal, Role};

use super::run::{Party, Run, failed, failed_at, failed_with};
use super::timeline::{self, Cast, Clock};
use crate::error::CliError;

/// Seed of the demo's keys: demo keys only, never for a real deal.
const KEY_SEED: u64 = 20_260_302;

/// What the execution produced.
pub struct Execution {
    /// The ledger as the guarantor exported it.
    pub ledger: String,
    /// `keys.json`: every party's public key.
    pub keys_json: String,
    /// The receipts the service handed back, one per event.
    pub receipts: Vec<Receipt>,
    pub verified: VerifyReport,
    /// Seconds `truce verify`'s check of the export took.
    pub verify_seconds: f64,
    /// The guarantor's compliance check of the export: the terms as it sees
    /// them (no person) and the handovers' signed counts.
    pub by_counts: Vec<truce_exec::Finding>,
    /// The mediator's: the roster, the person key and the adopted plan.
    pub by_persons: Vec<truce_exec::Finding>,
    /// The deal as the guarantor sees it on the service (`terms.json`).
    pub terms_json: String,
    /// The service's signed checkpoint of the deal's head, as the guarantor
    /// fetched it, and the service's verifier key.
    pub checkpoint: String,
    pub service_vkey: String,
    /// The deal's person key, 64 hex digits (`person-key.txt`: what the
    /// mediator hands the sides and the intermediary).
    pub person_key_hex: String,
    /// The story, one line per step, for the terminal and the report.
    pub text: String,
    /// Each party's id, token and secret key file: for `--serve` only,
    /// never written to the report or `--out`.
    pub access: Vec<Access>,
}

/// How a party signs in to the room and signs there.
pub struct Access {
    pub party: String,
    pub role: Role,
    pub token: String,
    pub secret_file: String,
}

/// How `run` ends.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Keep the service running after the story (`truce demo --serve`).
    pub serve: bool,
}

/// The demo's service, kept running after the story for `--serve`.
pub struct Serving {
    runtime: tokio::runtime::Runtime,
    handle: truce_server::ServerHandle,
    addr: std::net::SocketAddr,
    dir: PathBuf,
}

/// Run the whole execution on a service started for it, then stop it and
/// remove its database.
pub fn run(
    deal: &AgreedDeal,
    plan: &Plan,
    plan_json: &str,
    opts: RunOptions,
) -> Result<(Execution, Option<Serving>), CliError> {
    let dir = scratch_dir()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| failed_at("cannot start the service's runtime".to_owned(), e))?;
    let db = dir.join("demo.db");
    let result = runtime.block_on(async {
        let url = format!("sqlite://{}", db.display());
        // The service's key from the demo's seed too, so its checkpoints
        // are the same on every run.
        let service_key =
            truce_ledger::ServiceKey::from_seed("truce-demo", &[3; 32]).map_err(failed_with)?;
        let (addr, handle) = truce_server::start_in_process_with_key(&url, Some(service_key))
            .await
            .map_err(|e| failed_at("cannot start the service".to_owned(), e))?;
        let result = execute(addr, &db, deal, plan, plan_json).await;
        if opts.serve && result.is_ok() {
            return result.map(|r| (r, Some((addr, handle))));
        }
        handle.shutdown().await;
        result.map(|r| (r, None))
    });
    match result {
        Ok((execution, Some((addr, handle)))) => Ok((
            execution,
            Some(Serving {
                runtime,
                handle,
                addr,
                dir,
            }),
        )),
        other => {
            // The database was the service's working copy; the ledger
            // export is what is kept.
            let _ = std::fs::remove_dir_all(&dir);
            other.map(|(e, _)| (e, None))
        }
    }
}

impl Serving {
    /// Print one sign-in link per party (a one-time code in the link's
    /// fragment, which no server or log ever sees) and the key file each
    /// signs with in the page, then serve until Ctrl-C.
    pub fn wait(self, access: &[Access]) -> Result<(), CliError> {
        let Serving {
            runtime,
            handle,
            addr,
            dir,
        } = self;
        let result = runtime.block_on(async {
            // Listen for Ctrl-C before saying to press it.
            #[cfg(unix)]
            let mut interrupt =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                    .map_err(|e| failed_at("cannot listen for Ctrl-C".to_owned(), e))?;
            let result = links(addr, &dir, access).await;
            if result.is_ok() {
                #[cfg(unix)]
                let _ = interrupt.recv().await;
                #[cfg(not(unix))]
                let _ = tokio::signal::ctrl_c().await;
                println!("\nStopping the room.");
            }
            handle.shutdown().await;
            result
        });
        let _ = std::fs::remove_dir_all(&dir);
        result
    }
}

async fn links(addr: std::net::SocketAddr, dir: &Path, access: &[Access]) -> Result<(), CliError> {
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).map_err(|source| CliError::Write {
        path: keys.clone(),
        source,
    })?;
    let mut client = Client::connect(addr).await.map_err(failed_with)?;
    println!(
        "\nThe room is open at http://{addr}/ on the finished deal. Open one link per party (each works once, within 15 minutes; a private window per party keeps their sessions apart):"
    );
    for a in access {
        let (status, body) = client
            .call("POST", "/room/signin-codes", Some(&a.token), None)
            .await
            .map_err(failed_with)?;
        let code = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_owned))
            .filter(|_| status == 201)
            .ok_or_else(|| failed(format!("the room gave no sign-in code ({status})")))?;
        let key_file = keys.join(format!("{}.key.json", a.party));
        crate::files::write_secret(&key_file, a.secret_file.as_bytes())?;
        println!(
            "  {:<12} {:<12} http://{addr}/room/signin#code={code}\n  {:<25} key file to sign in the page: {}",
            a.party,
            a.role.to_string(),
            "",
            key_file.display()
        );
    }
    println!("Press Ctrl-C to stop the room (its database is removed).");
    Ok(())
}

/// A fresh folder for the service's database, private to this run.
fn scratch_dir() -> Result<PathBuf, CliError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("truce-demo-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Write {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

async fn execute(
    addr: std::net::SocketAddr,
    db: &Path,
    deal: &AgreedDeal,
    plan: &Plan,
    plan_json: &str,
) -> Result<Execution, CliError> {
    let d: &truce_spec::Deal = deal;
    let deal_id = DealId::new("humanitarian-pause").map_err(failed_with)?;

    // Every party's key pair, and the deal's person key, from one seed.
    let mut rng = ChaCha20Rng::seed_from_u64(KEY_SEED);
    let mut keys = Vec::new();
    for p in &d.parties {
        let id = PartyId::new(p.id.as_str()).map_err(failed_with)?;
        keys.push((truce_ledger::keygen(id, &mut rng), p.role));
    }
    let person_key = PersonKey::generate(&mut rng);
    let ring = KeyRing::of(keys.iter().map(|(k, _)| k)).map_err(failed_with)?;
    let keys_json = ring.to_json();

    // The mediator registers the agreed deal with the parties' public keys.
    let (normalised, deal_hash) = crate::verify_files::normalised_deal(d)?;
    let mut client = Client::connect(addr).await.map_err(failed_with)?;
    let keys_value: serde_json::Value = serde_json::from_str(&keys_json).map_err(failed_with)?;
    let created = client
        .create_deal(
            &serde_json::json!({
                "id": deal_id.as_str(),
                "deal": normalised,
                "keys": keys_value,
                "person_key": person_key.to_hex(),
            }),
            None,
        )
        .await
        .map_err(failed_with)?;
    if created.deal_hash != deal_hash {
        return Err(failed(
            "the service hashed the deal differently from the sides".to_owned(),
        ));
    }
    let mut tokens: BTreeMap<String, String> = created
        .tokens
        .into_iter()
        .map(|t| (t.party.to_string(), t.token))
        .collect();
    let mut parties = BTreeMap::new();
    for (key, role) in keys {
        let id = key.party().to_string();
        let token = tokens
            .remove(&id)
            .ok_or_else(|| failed(format!("no token for {id}")))?;
        parties.insert(id, Party { key, token, role });
    }
    let mut run = Run {
        client,
        deal: deal_id.clone(),
        parties,
        receipts: Vec::new(),
        text: String::new(),
    };
    run.say(format!(
        "The mediator service runs in-process at http://{addr}/api/v1 on a temporary SQLite file ({}).",
        db.display()
    ));
    run.say(format!(
        "Deal `{deal_id}` registered with {} parties' public keys; each party has its own token.",
        run.parties.len()
    ));

    let cast = Cast::of(d)?;
    let clock = Clock::of(d);
    let plan_value: serde_json::Value = serde_json::from_str(plan_json).map_err(failed_with)?;
    timeline::before_pause(
        &mut run,
        d,
        &cast,
        &clock,
        deal_hash,
        &plan_value,
        plan_json,
    )
    .await?;
    timeline::stages(&mut run, d, plan, &cast, &clock, &person_key).await?;

    views(&mut run, &cast.intermediary).await?;

    // The guarantor, who may see no person, exports the ledger and checks
    // it with nothing but the public keys and the receipts.
    let monitor = &cast.monitor;
    let token = run.parties[monitor].token.clone();
    let ledger = run
        .client
        .ledger(&deal_id, &token)
        .await
        .map_err(failed_with)?;
    // And the service's signed checkpoint of the head: a receipt from the
    // service itself, which catches a tail cut off after the guarantor's
    // last event.
    let checkpoint = run
        .client
        .checkpoint(&deal_id, &token)
        .await
        .map_err(failed_with)?;
    let service_vkey = run
        .client
        .service_key()
        .await
        .map_err(failed_with)?
        .verifier_key;
    let signed_head = truce_ledger::ServiceVerifier::from_vkey(&service_vkey)
        .and_then(|v| v.open(&checkpoint))
        .map_err(|e| failed_at("the service's checkpoint".to_owned(), e))?;
    let started = Instant::now();
    let mut receipts = run.receipts.clone();
    receipts.push(signed_head.receipt());
    let opts = VerifyOptions {
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        receipts,
        ..VerifyOptions::default()
    };
    let verified = truce_ledger::verify_with(ledger.as_bytes(), &ring, &opts)
        .map_err(|e| failed_at("the export cannot be read".to_owned(), e))?;
    let verify_seconds = started.elapsed().as_secs_f64();
    if ledger_names_a_person(&ledger, d) {
        return Err(failed(
            "the exported ledger names a person; it must hold pseudonyms only".to_owned(),
        ));
    }
    run.say(format!(
        "{monitor} exported the ledger ({} events, {} bytes): it holds pseudonyms, never a person id.",
        ledger.lines().count(),
        ledger.len()
    ));

    // Compliance, twice: as the guarantor can check it (the terms it sees
    // and the signed counts), and as the mediator can (the roster behind
    // the pseudonyms, and the adopted plan).
    let view = run
        .client
        .deal(&deal_id, &token)
        .await
        .map_err(failed_with)?;
    let terms_json = serde_json::to_string_pretty(&view).map_err(failed_with)?;
    let events: Vec<truce_ledger::SignedEvent> = ledger
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| failed_at("the export cannot be read".to_owned(), e))?;
    let view_value = serde_json::to_value(&view).map_err(failed_with)?;
    let seen = truce_exec::Terms::from_party_view(&view_value).map_err(failed_with)?;
    let by_counts = truce_exec::Execution::replay(None, &events).findings(truce_exec::Context {
        terms: &seen,
        roster: None,
        plan: None,
        superseded: Default::default(),
    });
    let (terms, roster) =
        truce_exec::Roster::from_value(&normalised, &deal_id, &person_key).map_err(failed_with)?;
    let schedule = truce_exec::PlanSchedule::from_json(plan_json).map_err(failed_with)?;
    let by_persons =
        truce_exec::Execution::replay(Some(&roster), &events).findings(truce_exec::Context {
            terms: &terms,
            roster: Some(&roster),
            plan: Some(&schedule),
            superseded: Default::default(),
        });
    Ok(Execution {
        ledger,
        keys_json,
        receipts: run.receipts,
        verified,
        verify_seconds,
        by_counts,
        by_persons,
        terms_json,
        checkpoint,
        service_vkey,
        person_key_hex: person_key.to_hex(),
        text: run.text,
        access: run
            .parties
            .iter()
            .map(|(id, p)| Access {
                party: id.clone(),
                role: p.role,
                token: p.token.clone(),
                secret_file: p.key.to_secret_file(),
            })
            .collect(),
    })
}

/// What each party may see of the deal on the service, once it is done:
/// the role decides, the service enforces it.
async fn views(run: &mut Run, intermediary: &str) -> Result<(), CliError> {
    let mut line = "What each party may see on the service:".to_owned();
    let ids: Vec<String> = run.parties.keys().cloned().collect();
    for id in ids {
        let party = &run.parties[&id];
        let view = run
            .client
            .deal(&run.deal, &party.token)
            .await
            .map_err(failed_with)?;
        let persons = view
            .terms
            .get("persons")
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        let what = match party.role {
            Role::Mediator => format!("all {persons} persons"),
            Role::Side => format!("{persons} persons (its own roster and those it received)"),
            Role::Intermediary if id == intermediary => {
                format!("{persons} persons (those it carried)")
            }
            _ => format!("{persons} persons: counts per holder and category only"),
        };
        let _ = write!(line, "\n  {id:<10} {:<12} {what}", party.role.as_str());
    }
    run.say(line);
    Ok(())
}

/// Whether any person id of the deal appears in the exported ledger.
fn ledger_names_a_person(ledger: &str, d: &truce_spec::Deal) -> bool {
    d.persons
        .iter()
        .any(|p| ledger.contains(&format!("\"{}\"", p.id.as_str())))
}
