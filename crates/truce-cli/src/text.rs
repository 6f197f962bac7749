//! `truce text`: single text with people on the service. The mediator
//! posts texts (`post`, or `next --post` for the algorithm's), each side
//! votes with its own key (`vote`), the mediator withdraws a text posted
//! in error while its round is open (`withdraw`), everyone reads what its
//! role may (`status`), and `agreed` writes the agreed text into the party's own
//! copy of the deal file, checked against the deal hash the service holds,
//! for `truce sign-agreement`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use truce_ledger::Outcome as TextOutcome;
use truce_server::{AlgorithmChoice, PostText, PostVote, PostWithdrawal, TextsView};

use crate::cli::{
    Format, TextAgreedArgs, TextCommand, TextNextArgs, TextPostArgs, TextStatusArgs, TextVoteArgs,
    TextWithdrawArgs, VoteAnswer,
};
use crate::error::{CliError, Outcome};
use crate::remote::{address, deal_id, party_key, refused, token, with_client};

pub fn run(command: &TextCommand) -> Result<Outcome, CliError> {
    match command {
        TextCommand::Status(args) => status(args),
        TextCommand::Post(args) => post(args),
        TextCommand::Next(args) => next(args),
        TextCommand::Vote(args) => vote(args),
        TextCommand::Withdraw(args) => withdraw(args),
        TextCommand::Agreed(args) => agreed(args),
    }
}

fn status(args: &TextStatusArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    let addr = address(&args.at.service)?;
    let token = token(&args.token_file)?;
    let view = match with_client(&args.at, addr, async |c| c.texts(&id, &token).await)? {
        Ok(view) => view,
        Err(e) => return refused(e),
    };
    match args.format {
        Format::Json => crate::print_json(&view)?,
        Format::Text => print!("{}", render(&view)),
    }
    Ok(Outcome::Success)
}

fn outcome_text(outcome: &TextOutcome) -> String {
    outcome
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The texts in words, as the role sees them.
fn render(view: &TextsView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "deal {}: {} text(s), you are {} ({})",
        view.deal,
        view.texts.len(),
        view.you.id,
        view.you.role
    );
    let issues: Vec<String> = view
        .issues
        .iter()
        .map(|i| format!("{} [{}]", i.id, i.options.join(", ")))
        .collect();
    let _ = writeln!(out, "open issues: {}", issues.join("; "));
    for t in &view.texts {
        let state = match (t.closed, t.accepted) {
            _ if t.withdrawn.is_some() => t.withdrawn.as_ref().map_or_else(String::new, |w| {
                format!("withdrawn by {} (posted in error)", w.author)
            }),
            (false, _) => "open".to_owned(),
            (true, Some(true)) => "closed, accepted by every side".to_owned(),
            (true, Some(false)) => "closed, not accepted".to_owned(),
            (true, None) => "closed".to_owned(),
        };
        let by = t.algorithm.as_ref().map_or_else(
            || "a person".to_owned(),
            |a| format!("{} (seed {})", a.mediator, a.seed),
        );
        let _ = writeln!(
            out,
            "text {}: {} — by {by}; {state}",
            t.round,
            outcome_text(&t.outcome)
        );
        for v in t.votes.iter().flatten() {
            let answer = if v.accept { "accept" } else { "reject" };
            let _ = writeln!(out, "  {}: {answer}", v.party);
        }
    }
    match &view.agreed {
        Some(a) => {
            let _ = writeln!(
                out,
                "agreed: text {} ({}); deal hash {}",
                a.round,
                outcome_text(&a.outcome),
                a.deal_hash
            );
        }
        None if view.concluded => {
            let _ = writeln!(out, "the deal is agreed in the ledger");
        }
        None => {}
    }
    if !view.concluded {
        let _ = writeln!(
            out,
            "{}",
            if view.open {
                "waiting for votes (or the mediator's withdrawal)".to_owned()
            } else {
                format!("next text: {}", view.next_round)
            }
        );
    }
    out
}

/// `ISSUE=OPTION` pairs.
fn pairs(values: &[String]) -> Result<TextOutcome, CliError> {
    let mut out = BTreeMap::new();
    for v in values {
        let Some((issue, option)) = v.split_once('=') else {
            return Err(CliError::Usage(format!("`{v}` is not ISSUE=OPTION")));
        };
        if out
            .insert(issue.trim().to_owned(), option.trim().to_owned())
            .is_some()
        {
            return Err(CliError::Usage(format!(
                "issue `{}` is set twice",
                issue.trim()
            )));
        }
    }
    Ok(out)
}

fn post(args: &TextPostArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    let addr = address(&args.at.service)?;
    let outcome = pairs(&args.values)?;
    let token = token(&args.token_file)?;
    let key = party_key(&args.key)?;
    let result = with_client(&args.at, addr, async |c| {
        let round = c.texts(&id, &token).await?.next_round;
        let signed = truce_ledger::sign_text(&key, &id, round, &outcome);
        let text = PostText {
            round,
            outcome: outcome.clone(),
            signature: signed.signature,
            algorithm: None,
        };
        c.post_text(&id, &token, &text).await
    })?;
    match result {
        Ok(kept) => {
            println!(
                "posted text {}: {} (text hash {})",
                kept.round,
                outcome_text(&outcome),
                kept.text_hash
            );
            Ok(Outcome::Success)
        }
        Err(e) => refused(e),
    }
}

fn next(args: &TextNextArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    let addr = address(&args.at.service)?;
    let token = token(&args.token_file)?;
    let key = args.post.as_deref().map(party_key).transpose()?;
    let choice = AlgorithmChoice {
        mediator: args.mediator.clone(),
        seed: args.seed,
        rounds: args.rounds,
    };
    let result = with_client(&args.at, addr, async |c| {
        let next = c.next_text(&id, &token, &choice).await?;
        let kept = match (&next.outcome, &key) {
            (Some(outcome), Some(key)) => {
                let signed = truce_ledger::sign_text(key, &id, next.round, outcome);
                let text = PostText {
                    round: next.round,
                    outcome: outcome.clone(),
                    signature: signed.signature,
                    algorithm: Some(choice.clone()),
                };
                Some(c.post_text(&id, &token, &text).await?)
            }
            _ => None,
        };
        Ok((next, kept))
    })?;
    let (next, kept) = match result {
        Ok(answer) => answer,
        Err(e) => return refused(e),
    };
    match (&next.outcome, kept) {
        (Some(outcome), Some(kept)) => println!(
            "posted text {} from {}: {} (text hash {})",
            kept.round,
            choice.mediator,
            outcome_text(outcome),
            kept.text_hash
        ),
        (Some(outcome), None) => println!(
            "{} proposes text {}: {} (post it with --post KEY)",
            choice.mediator,
            next.round,
            outcome_text(outcome)
        ),
        (None, _) => println!(
            "{} has nothing more to propose (it heard {} of its texts and {} others); it holds {}",
            choice.mediator,
            next.heard,
            next.heard_outside,
            next.done.as_ref().map_or_else(String::new, outcome_text)
        ),
    }
    Ok(Outcome::Success)
}

fn vote(args: &TextVoteArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    let addr = address(&args.at.service)?;
    let token = token(&args.token_file)?;
    let key = party_key(&args.key)?;
    let accept = args.answer == VoteAnswer::Accept;
    let round = args.round;
    let result = with_client(&args.at, addr, async |c| {
        let view = c.texts(&id, &token).await?;
        let Some(text) = view.texts.iter().find(|t| t.round == round) else {
            return Ok(None);
        };
        // The side signs the text it read, hashed here: a service that
        // showed one text and kept another would not get this vote.
        let hash = truce_ledger::text_hash(&id, round, &text.outcome);
        let signed = truce_ledger::sign_vote(&key, &id, round, &hash, accept);
        let kept = c
            .vote(
                &id,
                &token,
                round,
                &PostVote {
                    accept,
                    signature: signed.signature,
                },
            )
            .await?;
        Ok(Some((text.outcome.clone(), kept)))
    })?;
    match result {
        Ok(Some((outcome, kept))) => {
            let state = match kept.accepted {
                Some(true) => "; every side accepted it: it is the agreed text",
                Some(false) => "; the round is closed",
                None => "",
            };
            println!(
                "{} text {}: {}{state}",
                if accept { "accepted" } else { "rejected" },
                kept.round,
                outcome_text(&outcome)
            );
            Ok(Outcome::Success)
        }
        Ok(None) => {
            eprintln!("error: deal {id} has no text {round} (`truce text status` lists them)");
            Ok(Outcome::Negative)
        }
        Err(e) => refused(e),
    }
}

fn withdraw(args: &TextWithdrawArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    let addr = address(&args.at.service)?;
    let token = token(&args.token_file)?;
    let key = party_key(&args.key)?;
    let round = args.round;
    let result = with_client(&args.at, addr, async |c| {
        let view = c.texts(&id, &token).await?;
        let Some(text) = view.texts.iter().find(|t| t.round == round) else {
            return Ok(None);
        };
        // The mediator signs the hash of the text it read, as a side votes.
        let hash = truce_ledger::text_hash(&id, round, &text.outcome);
        let signed = truce_ledger::sign_withdrawal(&key, &id, round, &hash);
        let kept = c
            .withdraw_text(
                &id,
                &token,
                round,
                &PostWithdrawal {
                    signature: signed.signature,
                },
            )
            .await?;
        Ok(Some((text.outcome.clone(), kept)))
    })?;
    match result {
        Ok(Some((outcome, kept))) => {
            println!(
                "withdrew text {}: {} (text hash {}); it takes no more votes, and the next text is {}",
                kept.round,
                outcome_text(&outcome),
                kept.text_hash,
                kept.round.saturating_add(1)
            );
            Ok(Outcome::Success)
        }
        Ok(None) => {
            eprintln!("error: deal {id} has no text {round} (`truce text status` lists them)");
            Ok(Outcome::Negative)
        }
        Err(e) => refused(e),
    }
}

fn agreed(args: &TextAgreedArgs) -> Result<Outcome, CliError> {
    let id = deal_id(&args.at.deal_id)?;
    let addr = address(&args.at.service)?;
    let token = token(&args.token_file)?;
    let view = match with_client(&args.at, addr, async |c| c.texts(&id, &token).await)? {
        Ok(view) => view,
        Err(e) => return refused(e),
    };
    let Some(agreed) = view.agreed else {
        eprintln!(
            "error: deal {id} has no agreed text yet (no text every side accepted{})",
            if view.you.role.as_str() == "side" || view.you.role.as_str() == "mediator" {
                ""
            } else {
                "; only the mediator and the sides read it"
            }
        );
        return Ok(Outcome::Negative);
    };
    // In the deal's order of issues, as the service fills them in: the
    // record of agreed terms keeps that order, and the hash sees it.
    let pairs: Vec<(&str, &str)> = view
        .issues
        .iter()
        .filter_map(|i| {
            agreed
                .outcome
                .get(&i.id)
                .map(|v| (i.id.as_str(), v.as_str()))
        })
        .collect();
    let written = crate::agree::write_agreed(&args.deal, &pairs, &args.out, args.force)?;
    if written != Outcome::Success {
        return Ok(written);
    }
    let deal_path = crate::files::deal_file(&args.deal)?;
    // Where `write_agreed` wrote it: a bare file name goes beside the deal.
    let out = match deal_path.parent() {
        Some(dir) if args.out.components().count() == 1 => dir.join(&args.out),
        _ => args.out.clone(),
    };
    let deal = crate::files::load_valid(&out)?;
    let (_, hash) = crate::verify_files::normalised_deal(&deal)?;
    if hash != agreed.deal_hash {
        eprintln!(
            "error: {} hashes to {hash}, the service's agreed deal to {}: your deal file is not the one registered; do not sign",
            out.display(),
            agreed.deal_hash
        );
        return Ok(Outcome::Negative);
    }
    println!(
        "agreed text {} is the deal hash the service holds ({hash}): sign {} with `truce sign-agreement`",
        agreed.round,
        out.display()
    );
    Ok(Outcome::Success)
}
