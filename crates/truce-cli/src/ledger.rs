//! `truce keygen` and `truce verify`: the parties' keys and offline
//! verification of an exported ledger.

use truce_ledger::{KeyRing, PartyId, VerifyOptions, VerifyReport};

use crate::cli::{Format, KeygenArgs, VerifyArgs};
use crate::error::{CliError, Outcome};
use crate::files;
use crate::verify_files::{self, FileCheck};

pub fn keygen(args: &KeygenArgs) -> Result<Outcome, CliError> {
    let mut parties = Vec::with_capacity(args.parties.len());
    for id in &args.parties {
        let party = PartyId::new(id)
            .map_err(|e| CliError::Usage(format!("`{id}` is not a party id: {e}")))?;
        if parties.contains(&party) {
            return Err(CliError::Usage(format!("the party `{id}` is named twice")));
        }
        parties.push(party);
    }
    let keys = truce_ledger::keygen_files(&parties, &mut rand::rng())
        .map_err(|e| CliError::Usage(format!("cannot create keys: {e}")))?;
    let public = args.out.join("keys.json");
    let secrets: Vec<_> = keys
        .secret
        .iter()
        .map(|k| (args.out.join(format!("{}.key", k.party())), k))
        .collect();
    if !args.force {
        for path in secrets.iter().map(|(p, _)| p).chain([&public]) {
            if path.exists() {
                return Err(CliError::WouldOverwrite(path.clone()));
            }
        }
    }
    for (path, key) in &secrets {
        files::write_secret(path, key.to_secret_file().as_bytes())?;
        println!(
            "wrote {} (secret: keep it with {} only)",
            path.display(),
            key.party()
        );
    }
    files::write_atomic(&public, keys.public.as_bytes())?;
    println!(
        "wrote {} (public keys: share with every party)",
        public.display()
    );
    Ok(Outcome::Success)
}

pub fn verify(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|source| CliError::Read {
            path: path.to_owned(),
            source,
        })
    };
    let key_bytes = read(&args.keys)?;
    let key_text = String::from_utf8(key_bytes)
        .map_err(|_| CliError::Usage(format!("{} is not UTF-8 JSON", args.keys.display())))?;
    let keys = KeyRing::parse(&key_text).map_err(|e| {
        let place = e
            .position()
            .map_or(String::new(), |(l, c)| format!(":{l}:{c}"));
        CliError::Usage(format!(
            "{}{place}: not a valid key file: {e}",
            args.keys.display()
        ))
    })?;
    let mut receipts = match &args.receipts {
        Some(path) => verify_files::receipts(path, &read(path)?)?,
        None => Vec::new(),
    };
    // A checkpoint the service signed is a receipt it cannot deny.
    if let Some(vkey) = &args.service_key {
        let verifier = verify_files::service_verifier(vkey)?;
        for path in &args.checkpoint {
            let note = read(path)?;
            let note = String::from_utf8(note)
                .map_err(|_| CliError::Usage(format!("{} is not UTF-8", path.display())))?;
            let checkpoint = verifier
                .open(&note)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
            receipts.push(checkpoint.receipt());
        }
    }
    let ledger = read(&args.ledger)?;
    let opts = VerifyOptions {
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        receipts,
        ..VerifyOptions::default()
    };
    let report = truce_ledger::verify_with(&ledger, &keys, &opts)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.ledger.display())))?;
    // The files the caller holds, compared with what the ledger recorded;
    // only an intact ledger's record means anything.
    let mut checks = Vec::new();
    if report.intact {
        if let Some(path) = &args.deal {
            checks.push(verify_files::deal(path, &report)?);
        }
        if let Some(path) = &args.plan {
            checks.push(verify_files::plan(path, &report)?);
        }
    }
    let agreed = checks.iter().all(|c| c.matches);
    // The second verdict: only an intact ledger whose files match is
    // checked against the terms.
    let compliance = if report.intact && agreed {
        crate::compliance::check(args, &ledger, &report)?
    } else {
        None
    };
    let kept = compliance
        .as_ref()
        .is_none_or(|c| c.open == 0 || args.report_only);
    match args.format {
        Format::Json => {
            /// The report, and the files' checks when asked for.
            #[derive(serde::Serialize)]
            struct Json<'a> {
                #[serde(flatten)]
                report: &'a VerifyReport,
                #[serde(skip_serializing_if = "Vec::is_empty")]
                files: Vec<serde_json::Value>,
                #[serde(skip_serializing_if = "Option::is_none")]
                compliance: Option<&'a crate::compliance::Compliance>,
            }
            crate::print_json(&Json {
                report: &report,
                files: checks.iter().map(FileCheck::to_json).collect(),
                compliance: compliance.as_ref(),
            })?;
        }
        Format::Text if report.intact => {
            print!("{}", report.render_text());
            for c in &checks {
                if c.matches {
                    println!("{}", c.sentence());
                } else {
                    eprintln!("error: {}", c.sentence());
                }
            }
            if let Some(c) = &compliance {
                print!("{}", c.render_text());
            }
        }
        Format::Text => {
            for line in report.render_text().lines() {
                eprintln!("{line}");
            }
        }
    }
    Ok(if report.intact && agreed && kept {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}
