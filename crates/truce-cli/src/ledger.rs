//! `truce keygen` and `truce verify`: the parties' keys and offline
//! verification of an exported ledger.

use std::path::Path;

use truce_ledger::{Hash, KeyRing, PartyId, Receipt, VerifyOptions, VerifyReport};

use crate::cli::{Format, KeygenArgs, VerifyArgs};
use crate::error::{CliError, Outcome};
use crate::files;

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
    let receipts = match &args.receipts {
        Some(path) => read_receipts(path, &read(path)?)?,
        None => Vec::new(),
    };
    let ledger = read(&args.ledger)?;
    let opts = VerifyOptions {
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        receipts,
        ..VerifyOptions::default()
    };
    let report = truce_ledger::verify_with(&ledger, &keys, &opts)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.ledger.display())))?;
    let deal = match &args.deal {
        Some(path) if report.intact => Some(deal_check(path, &report)?),
        _ => None,
    };
    let agreed = deal.as_ref().is_none_or(|d| d.matches);
    match args.format {
        Format::Json => {
            /// The report, and the deal file's check when asked for.
            #[derive(serde::Serialize)]
            struct Json<'a> {
                #[serde(flatten)]
                report: &'a VerifyReport,
                #[serde(skip_serializing_if = "Option::is_none")]
                deal_file: Option<serde_json::Value>,
            }
            crate::print_json(&Json {
                report: &report,
                deal_file: deal.as_ref().map(DealCheck::to_json),
            })?;
        }
        Format::Text if report.intact => {
            print!("{}", report.render_text());
            match &deal {
                Some(d) if d.matches => println!("{}", d.sentence()),
                Some(d) => eprintln!("error: {}", d.sentence()),
                None => {}
            }
        }
        Format::Text => {
            for line in report.render_text().lines() {
                eprintln!("{line}");
            }
        }
    }
    Ok(if report.intact && agreed {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// The receipts file: a JSON array of the service's receipts.
fn read_receipts(path: &Path, bytes: &[u8]) -> Result<Vec<Receipt>, CliError> {
    serde_json::from_slice(bytes).map_err(|e| {
        // serde_json reports column 0 for a value of the wrong kind.
        let column = match e.column() {
            0 => String::new(),
            c => format!(":{c}"),
        };
        CliError::Usage(format!(
            "{}:{}{column}: not a receipts file (an array of {{\"deal\",\"seq\",\"hash\"}}): {}",
            path.display(),
            e.line(),
            match e.classify() {
                serde_json::error::Category::Eof => "it ends early",
                serde_json::error::Category::Syntax => "malformed JSON",
                _ => "a receipt has a missing or wrong field",
            }
        ))
    })
}

/// Whether a deal file is the deal the ledger's sides agreed.
struct DealCheck {
    path: String,
    file_hash: Hash,
    agreed: Option<Hash>,
    matches: bool,
}

impl DealCheck {
    fn sentence(&self) -> String {
        match self.agreed {
            Some(a) if self.matches => {
                format!("{}: its hash {a} is the one every side signed", self.path)
            }
            Some(a) => format!(
                "{}: its hash {} is not the agreed deal's hash {a}: the sides signed other terms",
                self.path, self.file_hash
            ),
            None => format!(
                "{}: the ledger holds no agreement to compare it with",
                self.path
            ),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "path": self.path,
            "deal_hash": self.file_hash.to_string(),
            "agreed_deal_hash": self.agreed.map(|h| h.to_string()),
            "matches": self.matches,
        })
    }
}

fn deal_check(path: &Path, report: &VerifyReport) -> Result<DealCheck, CliError> {
    let [summary] = report.deals.as_slice() else {
        return Err(CliError::Usage(format!(
            "--deal compares one deal, but the ledger holds {} deals",
            report.deals.len()
        )));
    };
    let deal = crate::plan::load_valid(path)?;
    let normalised = serde_json::to_value(&deal).map_err(|e| CliError::Output(e.to_string()))?;
    let file_hash = truce_ledger::deal_hash(&normalised)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    Ok(DealCheck {
        path: path.display().to_string(),
        file_hash,
        agreed: summary.deal_hash,
        matches: summary.deal_hash == Some(file_hash),
    })
}
