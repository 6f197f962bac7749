//! `truce keygen` and `truce verify`: the parties' keys and offline
//! verification of an exported ledger.

use truce_ledger::{KeyRing, PartyId, VerifyOptions, VerifyReport};

use crate::cli::{Format, KeygenArgs, VerifyArgs};
use crate::error::{CliError, Outcome};
use crate::files::{self, FileKind};
use crate::verify_files::{self, FileCheck};

pub fn keygen(args: &KeygenArgs) -> Result<Outcome, CliError> {
    let mut parties = Vec::with_capacity(args.parties.len());
    for id in &args.parties {
        let party = PartyId::new(id).map_err(|source| CliError::Id {
            context: format!("`{id}` is not a party id"),
            source,
        })?;
        if parties.contains(&party) {
            return Err(CliError::Usage(format!("the party `{id}` is named twice")));
        }
        parties.push(party);
    }
    let keys = truce_ledger::keygen_files(&parties, &mut rand::rng()).map_err(|source| {
        CliError::KeyFile {
            context: "cannot create keys".to_owned(),
            source,
        }
    })?;
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

/// The parties' public keys (`keys.json` from `truce keygen`).
pub(crate) fn key_ring(path: &std::path::Path) -> Result<KeyRing, CliError> {
    let key_text = files::read_text(path, FileKind::Keys)?;
    KeyRing::parse(&key_text).map_err(|e| {
        let (l, c) = e
            .position()
            .unwrap_or_else(|| key_error_place(&key_text, &e));
        CliError::KeyFile {
            context: format!("{}:{l}:{c}: not a valid key file", path.display()),
            source: e,
        }
    })
}

pub fn verify(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let keys = key_ring(&args.keys)?;
    let mut receipts = match &args.receipts {
        Some(path) => verify_files::receipts(path, &files::read_file(path, FileKind::Receipts)?)?,
        None => Vec::new(),
    };
    // A checkpoint the service signed is a receipt it cannot deny.
    if let Some(vkey) = &args.service_key {
        let verifier = verify_files::service_verifier(vkey)?;
        for path in &args.checkpoint {
            let note = files::read_file(path, FileKind::Event)?;
            let note = String::from_utf8(note)
                .map_err(|_| CliError::Input(format!("{} is not UTF-8", path.display())))?;
            let checkpoint = verifier
                .open(&note)
                .map_err(|source| CliError::Checkpoint {
                    context: path.display().to_string(),
                    source,
                })?;
            receipts.push(checkpoint.receipt());
        }
    }
    let ledger = files::read_file(&args.ledger, FileKind::Ledger)?;
    let opts = VerifyOptions {
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        receipts,
        ..VerifyOptions::default()
    };
    let report =
        truce_ledger::verify_with(&ledger, &keys, &opts).map_err(|source| CliError::Verify {
            context: args.ledger.display().to_string(),
            source,
        })?;
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
    let other_deal = match &args.deal_id {
        Some(id) => other_deal(id, &args.ledger, &ledger)?,
        None => None,
    };
    let agreed = checks.iter().all(|c| c.matches) && other_deal.is_none();
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
                /// With `--deal-id`: the first event of another deal.
                #[serde(skip_serializing_if = "Option::is_none")]
                other_deal: Option<&'a str>,
            }
            crate::print_json(&Json {
                report: &report,
                files: checks.iter().map(FileCheck::to_json).collect(),
                compliance: compliance.as_ref(),
                other_deal: other_deal.as_deref(),
            })?;
        }
        Format::Text if report.intact => {
            print!("{}", report.render_text());
            if let Some(problem) = &other_deal {
                eprintln!("error: {problem}");
            }
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

/// Where in a key file a problem that is not a JSON syntax error lies: the
/// value it names (the `format_version`, the party whose key is bad or
/// repeated), as line and column from 1; the start of the file otherwise.
pub(crate) fn key_error_place(text: &str, e: &truce_ledger::KeyFileError) -> (usize, usize) {
    use truce_ledger::KeyFileError as E;
    let needle = match e {
        E::Version(_) => Some("\"format_version\"".to_owned()),
        E::Duplicate(party) | E::BadKey { party, .. } => Some(format!("\"{party}\"")),
        _ => None,
    };
    let offset = needle.and_then(|n| match e {
        // The second mention is the repeated one.
        E::Duplicate(_) => text.match_indices(&n).nth(1).map(|(i, _)| i),
        _ => text.find(&n),
    });
    offset.map_or((1, 1), |offset| line_column(text, offset))
}

/// Line and column (from 1) of byte `offset` of `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, column)
}

/// With `--deal-id ID`: the first line of `ledger` that is not an event of
/// deal `id`, said in a sentence (or that the ledger holds no event of it);
/// `None` when every event is the deal's.
fn other_deal(id: &str, path: &std::path::Path, ledger: &[u8]) -> Result<Option<String>, CliError> {
    let id = truce_ledger::DealId::new(id).map_err(|source| CliError::Id {
        context: format!("--deal-id `{id}`"),
        source,
    })?;
    #[derive(serde::Deserialize)]
    struct Line {
        deal: String,
    }
    let mut events = 0;
    for (n, line) in ledger.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // Verification already refused a line that does not parse.
        let Ok(Line { deal }) = serde_json::from_slice::<Line>(line) else {
            continue;
        };
        if deal != id.as_str() {
            return Ok(Some(format!(
                "{}:{}: an event of deal {deal}, not {id}: it does not belong in this ledger (spliced in from another deal?)",
                path.display(),
                n + 1
            )));
        }
        events += 1;
    }
    Ok(
        (events == 0)
            .then(|| format!("{}: the ledger holds no event of deal {id}", path.display())),
    )
}
