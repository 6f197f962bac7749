//! `truce replan`: the mediator's one command for a day that fell behind.
//!
//! It reads the deal's ledger from the service, verifies it with the
//! parties' own public keys, re-plans the rest exactly as `truce plan
//! --from-ledger` does (`replan::prefix_from_ledger_text`, then
//! `truce_plan::replan_record`), compares the record with the plan in force,
//! and — unless `--dry-run`, or the plan in force still holds, or the
//! planner proved no plan — keeps the new plan on the service and records a
//! `plan-adopted` naming it.
//!
//! The adoption is signed on the head the plan was computed from (its `seq`
//! and `prev`), not on the head the service has when the event is sent: if
//! anyone recorded an event meanwhile, the service answers `409` and nothing
//! is adopted. `truce record` signs again on a new head; this command never
//! does, because its plan would then rest on a record it has not read.

use std::collections::BTreeMap;

use serde::Serialize;
use truce_ledger::{Draft, Event, Hash, PersonKey, Role, VerifyOptions};
use truce_plan::{Plan, PlanOptions, Status};
use truce_server::client::ClientError;
use truce_spec::AgreedDeal;

use crate::cli::{Format, ReplanArgs};
use crate::error::{CliError, Outcome};
use crate::files;
use crate::remote::{address, deal_id, party_key, refused, token, with_client};

/// What the command decided, in JSON (`outcome`) and in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Decision {
    /// The plan was kept and `plan-adopted` recorded.
    Adopted,
    /// `--dry-run`: the plan would be adopted.
    DryRun,
    /// The record follows the plan in force: nothing to re-plan.
    PlanHolds,
    /// The planner found a plan but proved it optimal on no level it must.
    Unproven,
    /// No plan meets every term from the next day on.
    Infeasible,
    /// Another event was recorded after the ledger was read.
    StaleHead,
}

/// The report, as `--format json` prints it.
#[derive(Debug, Serialize)]
struct Report {
    outcome: Decision,
    /// In words: what happened and what to do next.
    message: String,
    deal: String,
    /// The head the plan was computed from: the last event's seq and hash.
    head_seq: u64,
    head: Hash,
    /// The plan in force before this command (its canonical hash).
    plan_in_force: Hash,
    /// The last day carried out: the re-plan keeps days up to it as recorded.
    carried_out_through: u32,
    /// Carried-out days on which the record differs from the plan in force.
    deviating_days: Vec<u32>,
    /// Days after `carried_out_through` on which the new plan differs from
    /// the plan in force (a day one of them has and the other not counts).
    replanned_days: Vec<u32>,
    /// The new plan's canonical hash: what `plan-adopted` names.
    plan_hash: Hash,
    status: Status,
    proof: truce_plan::Proof,
    #[serde(skip_serializing_if = "Option::is_none")]
    gap: Option<f64>,
    days_used: u32,
    max_exposure: f64,
    /// Counter-releases the record owed that the new plan makes good first,
    /// and terms the carried-out days broke.
    #[serde(skip_serializing_if = "Option::is_none")]
    replanned: Option<truce_plan::Replanned>,
    /// Seq of the recorded `plan-adopted`, once adopted.
    #[serde(skip_serializing_if = "Option::is_none")]
    adopted_at: Option<u64>,
}

pub fn run(args: &ReplanArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    // The address first: a wrong one is said before any file is read.
    let addr = address(&args.at.service)?;
    let key = party_key(&args.key)?;
    let token = token(&args.token_file)?;
    let keys = crate::ledger::key_ring(&args.keys)?;
    let person_key = match &args.person_key {
        Some(path) => Some(files::read_person_key(path)?),
        None => None,
    };
    // A deal file, when given, is read first: a bad one is said before the
    // service is asked anything.
    let from_file = match &args.deal {
        Some(path) => {
            let deal = files::load_valid(path)?;
            Some(AgreedDeal::new(deal).map_err(|e| CliError::NotAgreed(e.open.join(", ")))?)
        }
        None => None,
    };

    let fetched = with_client(&args.at, addr, async |c| {
        let view = c.deal(&id, &token).await?;
        let ledger = c.ledger(&id, &token).await?;
        Ok((view, ledger))
    })?;
    let (view, ledger) = match fetched {
        Ok(fetched) => fetched,
        Err(e) => return refused(e),
    };
    if view.you.role != Role::Mediator {
        eprintln!(
            "error: {} is the deal's {}: only the mediator adopts plans; hand the re-plan to the mediator (`truce plan --from-ledger` shows it to anyone holding the deal and the person key)",
            view.you.id,
            view.you.role.as_str()
        );
        return Ok(Outcome::Negative);
    }
    if key.party() != &view.you.id {
        return Err(CliError::Input(format!(
            "{}: the key is {}'s, but the token is {}'s: sign with the mediator's own key",
            args.key.display(),
            key.party(),
            view.you.id
        )));
    }

    // The chain, verified with the keys the mediator holds, not the
    // service's word: a plan computed from a forged record is worthless.
    let source = format!("the ledger of deal {id} at {}", args.at.service);
    let ledger = match &args.head {
        Some(hex) => ledger_through(&ledger, hex, &source)?,
        None => ledger,
    };
    let report = truce_ledger::verify_with(ledger.as_bytes(), &keys, &VerifyOptions::default())
        .map_err(|e| CliError::Verify {
            context: source.clone(),
            source: e,
        })?;
    if !report.intact {
        let bad = report.first_bad.as_ref().map_or_else(String::new, |b| {
            format!(" (line {}: {}: {})", b.line, b.kind, b.message)
        });
        eprintln!(
            "error: {source} does not verify with {}{bad}: nothing was planned; export it (`truce export`) and look into it with `truce verify`",
            args.keys.display()
        );
        return Ok(Outcome::Negative);
    }
    let Some(summary) = report.deals.iter().find(|d| d.deal == id) else {
        return Err(CliError::Input(format!(
            "{source} holds no event: register the deal and record its agreement first"
        )));
    };
    let (head_seq, head) = (summary.last_seq, summary.head);
    let Some(in_force_hash) = summary.plan_hash else {
        eprintln!(
            "error: deal {id} has no plan in force: there is nothing to supersede; adopt the first plan with `truce plan` and `truce record '{{\"type\":\"plan-adopted\"}}' --plan PLAN`"
        );
        return Ok(Outcome::Negative);
    };
    let agreed = match from_file {
        Some(agreed) => agreed,
        None => {
            let signed = summary.amended_hash.or(summary.deal_hash);
            match deal_from_service(&view, signed, &source)? {
                Ok(agreed) => agreed,
                Err(message) => {
                    eprintln!("error: {message}");
                    return Ok(Outcome::Negative);
                }
            }
        }
    };
    let person_key = match person_key {
        Some(k) => k,
        None => service_person_key(view.person_key.as_deref())?,
    };

    let prefix = crate::replan::prefix_from_ledger_text(
        &agreed,
        &source,
        &ledger,
        &person_key,
        args.through_day,
    )?;
    let opts = PlanOptions {
        step_budget: args.step_budget,
        ..PlanOptions::default()
    };
    let plan =
        truce_plan::replan_record(&agreed, &prefix, &opts).map_err(crate::plan::plan_error)?;
    let plan_json = truce_plan::to_json(&plan);
    let plan_value: serde_json::Value =
        serde_json::from_str(&plan_json).map_err(CliError::Encoding)?;
    let plan_hash = Hash::of_canonical(&plan_value)
        .map_err(|e| CliError::Input(format!("the re-planned plan cannot be hashed: {e}")))?;
    if let Some(out) = &args.out {
        files::write_atomic(out, plan_json.as_bytes())?;
        eprintln!("wrote {}", out.display());
    }

    let in_force_text = match with_client(&args.at, addr, async |c| {
        c.plan(&id, &token, &in_force_hash).await
    })? {
        Ok(text) => text,
        Err(e) => return refused(e),
    };
    let in_force = truce_plan::from_json(&in_force_text).map_err(|e| CliError::Json {
        context: format!("the plan in force ({in_force_hash}) as the service keeps it"),
        source: e,
    })?;
    let through = prefix.through_day;
    let deviating_days = differing_days(&in_force, &plan, |d| d <= through);
    let replanned_days = differing_days(&in_force, &plan, |d| d > through);

    let mut out = Report {
        outcome: Decision::DryRun,
        message: String::new(),
        deal: id.to_string(),
        head_seq,
        head,
        plan_in_force: in_force_hash,
        carried_out_through: through,
        deviating_days,
        replanned_days,
        plan_hash,
        status: plan.status,
        proof: plan.proof,
        gap: plan.gap,
        days_used: plan.days_used,
        max_exposure: plan.max_exposure,
        replanned: plan.replanned.clone(),
        adopted_at: None,
    };
    let refusal = if out.deviating_days.is_empty() {
        Some((
            Decision::PlanHolds,
            format!(
                "the record through day {through} follows the plan in force ({in_force_hash}): it still holds, nothing to re-plan"
            ),
        ))
    } else {
        match plan.status {
            Status::Infeasible => Some((
                Decision::Infeasible,
                format!(
                    "no plan keeps every term from day {} on ({}): adoption needs a human decision (an amendment of the terms)",
                    through + 1,
                    conflicts(&plan)
                ),
            )),
            Status::Feasible if !args.accept_feasible => Some((
                Decision::Unproven,
                format!(
                    "the planner found a plan but could not prove it optimal ({}): adoption needs a human decision; review it (--out PLAN) and run again with --accept-feasible to adopt it",
                    unproven(&plan)
                ),
            )),
            Status::Optimal | Status::Feasible => None,
        }
    };
    if let Some((decision, message)) = refusal {
        out.outcome = decision;
        out.message = message;
        print(args.format, &agreed, &plan, &out)?;
        return Ok(Outcome::Negative);
    }
    if args.dry_run {
        out.message = format!(
            "dry run: would adopt plan {plan_hash} on head seq {head_seq}; nothing was kept or recorded"
        );
        print(args.format, &agreed, &plan, &out)?;
        return Ok(Outcome::Success);
    }

    let at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
    let adopted = with_client(&args.at, addr, async |c| {
        let kept = c.keep_plan(&id, &token, &plan_json).await?;
        if kept.plan_hash != plan_hash {
            return Err(ClientError::Answer(format!(
                "the service hashed the plan as {}, not {plan_hash}",
                kept.plan_hash
            )));
        }
        // Signed on the head the plan was computed from: the service
        // refuses it (409) if the chain moved on.
        let draft = Draft {
            deal: id.clone(),
            seq: head_seq + 1,
            prev: Some(head),
            author: key.party().clone(),
            at_ms,
            event: Event::PlanAdopted {
                days: kept.pause_days,
                plan_hash,
            },
        };
        let signed = draft.sign(&key)?;
        c.append(&token, &signed).await
    })?;
    match adopted {
        Ok(receipt) => {
            out.outcome = Decision::Adopted;
            out.adopted_at = Some(receipt.seq);
            out.message = format!(
                "adopted plan {plan_hash} at seq {} (hash {})",
                receipt.seq, receipt.hash
            );
            print(args.format, &agreed, &plan, &out)?;
            Ok(Outcome::Success)
        }
        Err(ClientError::Problem { status: 409, .. }) => {
            out.outcome = Decision::StaleHead;
            out.message = format!(
                "another event was recorded after seq {head_seq}, the head this plan was computed from: nothing was adopted; run `truce replan` again to re-plan from the new record"
            );
            print(args.format, &agreed, &plan, &out)?;
            Ok(Outcome::Negative)
        }
        Err(e) => refused(e),
    }
}

/// The ledger's lines up to the event whose hash is `hex` (`--head`).
fn ledger_through(ledger: &str, hex: &str, source: &str) -> Result<String, CliError> {
    let head = Hash::from_hex(hex).ok_or_else(|| {
        CliError::Usage(format!(
            "--head `{hex}` is not an event hash (64 hex digits, as `truce replan --dry-run` prints it)"
        ))
    })?;
    let mut through = String::new();
    for line in ledger.lines().filter(|l| !l.trim().is_empty()) {
        through.push_str(line);
        through.push('\n');
        // A line that does not parse is left to verification to name.
        let hash = serde_json::from_str::<truce_ledger::SignedEvent>(line)
            .ok()
            .and_then(|ev| ev.hash().ok());
        if hash == Some(head) {
            return Ok(through);
        }
    }
    Err(CliError::Input(format!(
        "{source} holds no event with hash {head} (--head): give the head a dry run of this deal printed"
    )))
}

/// The deal in force as the service holds it: the mediator's view of the
/// normalised deal JSON (every person), read back into a deal and bound to
/// `signed`, the deal hash in force the verified ledger names. A document
/// this build cannot read is an error (exit 2); one that reads as another
/// deal than the one signed is the service's word against the ledger's
/// (`Err(message)`, exit 1), and nothing is planned from it. Under
/// `--head` before an amendment, the terms in force then are the ones the
/// amendment replaced (`earlier`), with the roster the amendment kept.
fn deal_from_service(
    view: &truce_server::DealView,
    signed: Option<Hash>,
    source: &str,
) -> Result<Result<AgreedDeal, String>, CliError> {
    let Some(signed) = signed else {
        return Err(CliError::Input(format!(
            "{source} records no agreement: there is nothing carried out to re-plan from"
        )));
    };
    // The terms in force at the ledger's head: the service's current ones,
    // or (a `--head` before an amendment) the ones an amendment replaced,
    // which the service shows without persons: amendments keep the roster.
    let earlier = view.earlier.iter().find(|e| e.deal_hash == signed);
    let terms = match earlier {
        Some(e) if view.deal_hash != signed => {
            let mut terms = e.terms.clone();
            if let (Some(obj), Some(persons)) = (terms.as_object_mut(), view.terms.get("persons")) {
                obj.insert("persons".to_owned(), persons.clone());
            }
            std::borrow::Cow::Owned(terms)
        }
        _ => std::borrow::Cow::Borrowed(&view.terms),
    };
    let deal = truce_spec::from_normalised(&terms).map_err(|source| CliError::NormalisedDeal {
        context: format!(
            "the service's deal {} cannot be planned from (give the deal file in force as DEAL)",
            view.deal
        ),
        source,
    })?;
    // Written again, the deal must be the document the sides signed: its
    // hash is the ledger's, not only the service's `deal_hash`.
    let (_, hash) = crate::verify_files::normalised_deal(&deal)?;
    if hash != signed {
        return Ok(Err(format!(
            "the service's deal {} reads as deal hash {hash}, but the verified ledger's deal in force is {signed}: nothing was planned; give the deal file in force as DEAL",
            view.deal
        )));
    }
    match AgreedDeal::new(deal) {
        Ok(agreed) => Ok(Ok(agreed)),
        Err(e) => Err(CliError::Input(format!(
            "the service's deal {} still has open issues ({}), although the ledger records its agreement",
            view.deal,
            e.open.join(", ")
        ))),
    }
}

/// The person key the service shows the mediator.
fn service_person_key(hex: Option<&str>) -> Result<PersonKey, CliError> {
    let hex = hex.ok_or_else(|| {
        CliError::Input(
            "the service shows no person key to this party: give --person-key (from `truce register`)"
                .to_owned(),
        )
    })?;
    PersonKey::from_hex(hex).map_err(|e| CliError::Input(format!("the service's person key: {e}")))
}

/// The days (chosen by `which`) on which two plans release different
/// persons, by holder.
fn differing_days(a: &Plan, b: &Plan, which: impl Fn(u32) -> bool) -> Vec<u32> {
    let by_day = |p: &Plan| {
        let mut days: BTreeMap<u32, Vec<(String, String)>> = BTreeMap::new();
        for s in p.stages.iter().filter(|s| which(s.day)) {
            let day = days.entry(s.day).or_default();
            for h in &s.handovers {
                day.extend(h.persons.iter().map(|p| (h.from.clone(), p.clone())));
            }
        }
        for persons in days.values_mut() {
            persons.sort();
        }
        days.retain(|_, persons| !persons.is_empty());
        days
    };
    let (a, b) = (by_day(a), by_day(b));
    let mut days: Vec<u32> = a
        .keys()
        .chain(b.keys())
        .copied()
        .filter(|d| a.get(d) != b.get(d))
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

fn conflicts(plan: &Plan) -> String {
    let reasons: Vec<&str> = plan.conflicts.iter().map(|c| c.reason.as_str()).collect();
    if reasons.is_empty() {
        "the planner named no conflict".to_owned()
    } else {
        reasons.join("; ")
    }
}

fn unproven(plan: &Plan) -> String {
    let mut words = match plan.unproven {
        Some(level) => format!("first unproven level: {}", level.as_str()),
        None => "no level proven".to_owned(),
    };
    if let Some(bound) = plan.bound {
        words.push_str(&format!(", proven bound {bound}"));
    }
    if let Some(gap) = plan.gap {
        words.push_str(&format!(", gap {gap}"));
    }
    words
}

fn print(format: Format, deal: &AgreedDeal, plan: &Plan, r: &Report) -> Result<(), CliError> {
    match format {
        Format::Json => {
            crate::print_json(r)?;
            if !matches!(r.outcome, Decision::Adopted | Decision::DryRun) {
                eprintln!("error: {}", r.message);
            }
            Ok(())
        }
        Format::Text => {
            let days = |d: &[u32]| {
                if d.is_empty() {
                    "none".to_owned()
                } else {
                    d.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                }
            };
            println!(
                "deal {}: ledger verified through seq {} (head {})",
                r.deal, r.head_seq, r.head
            );
            println!("plan in force: {}", r.plan_in_force);
            println!(
                "carried out through day {}; days that differ from the plan in force: {}",
                r.carried_out_through,
                days(&r.deviating_days)
            );
            println!("days re-planned: {}", days(&r.replanned_days));
            println!(
                "new plan {}: {}, {} days, max exposure {}",
                r.plan_hash,
                r.status.as_str(),
                r.days_used,
                r.max_exposure
            );
            println!();
            print!("{}", truce_plan::render_text(deal, plan));
            println!();
            match r.outcome {
                Decision::Adopted | Decision::DryRun => println!("{}", r.message),
                _ => eprintln!("error: {}", r.message),
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit;

    /// The mediator's view of the `behind` fixture, as the service gives it.
    fn view() -> (truce_server::DealView, Hash) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/behind");
        let deal = files::load_valid(&path).expect("the fixture is valid");
        let (terms, hash) = crate::verify_files::normalised_deal(&deal).expect("normalised");
        let view = truce_server::DealView {
            deal: truce_ledger::DealId::new("behind").expect("an id"),
            deal_hash: hash,
            you: truce_server::PartyView {
                id: truce_ledger::PartyId::new("mediator").expect("an id"),
                role: Role::Mediator,
            },
            visibility: "all".to_owned(),
            person_key: None,
            terms,
            aggregates: Vec::new(),
            earlier: Vec::new(),
        };
        (view, hash)
    }

    #[test]
    fn the_service_s_deal_is_read_when_it_is_the_signed_one() {
        let (view, hash) = view();
        let deal = deal_from_service(&view, Some(hash), "the ledger")
            .expect("readable")
            .expect("the signed deal");
        assert_eq!(deal.persons.len(), 6);
    }

    #[test]
    fn a_term_missing_from_the_service_s_deal_is_named_exit_2() {
        let (mut view, hash) = view();
        view.terms["pause"]
            .as_object_mut()
            .expect("pause")
            .remove("days");
        let e = deal_from_service(&view, Some(hash), "the ledger").expect_err("refused");
        assert_eq!(e.process_exit_code(), exit::USAGE);
        assert_eq!(
            e.report().to_string(),
            "error: the service's deal behind cannot be planned from (give the deal file in force as DEAL): the normalised deal's `pause`: missing field `days`"
        );
    }

    #[test]
    fn a_service_s_deal_that_is_not_the_signed_one_is_not_planned() {
        let (mut view, hash) = view();
        view.terms["pause"]["days"] = serde_json::json!(5);
        let message = deal_from_service(&view, Some(hash), "the ledger")
            .expect("readable")
            .expect_err("another deal");
        assert!(
            message.contains(&format!(
                "but the verified ledger's deal in force is {hash}"
            )),
            "{message}"
        );
    }

    #[test]
    fn under_a_head_before_an_amendment_the_replaced_terms_are_read() {
        let (view, original) = view();
        let mut amended = view.terms.clone();
        amended["pause"]["days"] = serde_json::json!(5);
        let amended_hash = truce_ledger::deal_hash(&amended).expect("hash");
        let mut replaced = view.terms.clone();
        replaced.as_object_mut().expect("deal").remove("persons");
        // `EarlierTerms` is not named outside the server: the view as JSON.
        let mut json = serde_json::to_value(&view).expect("view json");
        json["terms"] = amended;
        json["deal_hash"] = serde_json::to_value(amended_hash).expect("hex");
        json["earlier"] = serde_json::json!([{
            "replaced_at": 7,
            "deal_hash": original,
            "terms": replaced,
        }]);
        let view: truce_server::DealView = serde_json::from_value(json).expect("a view");
        let then = deal_from_service(&view, Some(original), "the ledger")
            .expect("readable")
            .expect("the deal in force then");
        assert_eq!((then.pause.days, then.persons.len()), (4, 6));
        let now = deal_from_service(&view, Some(amended_hash), "the ledger")
            .expect("readable")
            .expect("the amended deal");
        assert_eq!((now.pause.days, now.persons.len()), (5, 6));
    }
}
