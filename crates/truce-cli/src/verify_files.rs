//! `truce verify`'s comparisons of the files a party holds with what an
//! intact ledger recorded: receipts the service gave (`--receipts`), the
//! deal every side signed (`--deal`) and the plan the mediator adopted
//! (`--plan`).

use std::path::Path;

use truce_ledger::{DealSummary, Hash, Receipt, VerifyReport};
use truce_spec::Deal;

use crate::error::CliError;

/// The receipts file: a JSON array of the service's receipts.
pub fn receipts(path: &Path, bytes: &[u8]) -> Result<Vec<Receipt>, CliError> {
    serde_json::from_slice(bytes).map_err(|e| {
        // serde_json reports column 0 for a value of the wrong kind.
        let column = match e.column() {
            0 => String::new(),
            c => format!(":{c}"),
        };
        CliError::Input(format!(
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

/// What kind of file is compared.
#[derive(Clone, Copy)]
enum Kind {
    Deal,
    Plan,
}

/// Whether a file is the one the ledger recorded.
pub struct FileCheck {
    kind: Kind,
    path: String,
    file_hash: Hash,
    recorded: Option<Hash>,
    pub matches: bool,
}

impl FileCheck {
    fn new(kind: Kind, path: &Path, file_hash: Hash, recorded: Option<Hash>) -> FileCheck {
        FileCheck {
            kind,
            path: path.display().to_string(),
            file_hash,
            recorded,
            matches: recorded == Some(file_hash),
        }
    }

    /// One sentence for the terminal.
    pub fn sentence(&self) -> String {
        let (path, hash) = (&self.path, self.file_hash);
        match (self.kind, self.recorded) {
            (Kind::Deal, Some(_)) if self.matches => {
                format!("{path}: its hash {hash} is the one every side signed")
            }
            (Kind::Deal, Some(r)) => format!(
                "{path}: its hash {hash} is not the agreed deal's hash {r}: the sides signed other terms"
            ),
            (Kind::Deal, None) => {
                format!("{path}: the ledger holds no agreement to compare it with")
            }
            (Kind::Plan, Some(_)) if self.matches => {
                format!("{path}: its hash {hash} is the plan the mediator adopted")
            }
            (Kind::Plan, Some(r)) => format!(
                "{path}: its hash {hash} is not the adopted plan's hash {r}: another plan was adopted"
            ),
            (Kind::Plan, None) => {
                format!("{path}: the ledger holds no adopted plan to compare it with")
            }
        }
    }

    /// The check as `truce verify --format json` lists it under `files`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": match self.kind { Kind::Deal => "deal", Kind::Plan => "plan" },
            "path": self.path,
            "hash": self.file_hash.to_string(),
            "recorded_hash": self.recorded.map(|h| h.to_string()),
            "matches": self.matches,
        })
    }
}

/// The ledger's one deal: a file is compared with one deal's record.
fn one_deal<'a>(flag: &str, report: &'a VerifyReport) -> Result<&'a DealSummary, CliError> {
    match report.deals.as_slice() {
        [summary] => Ok(summary),
        deals => Err(CliError::Input(format!(
            "{flag} compares one deal, but the ledger holds {} deals",
            deals.len()
        ))),
    }
}

/// A deal's normalised JSON (as `truce check --format json` prints it) and
/// its hash: what every side signs, the service stores and `--deal` checks.
pub fn normalised_deal(deal: &Deal) -> Result<(serde_json::Value, Hash), CliError> {
    let normalised = serde_json::to_value(deal).map_err(CliError::Encoding)?;
    let hash = truce_ledger::deal_hash(&normalised).map_err(|source| CliError::Encode {
        context: "cannot print the result".to_owned(),
        source,
    })?;
    Ok((normalised, hash))
}

/// The canonical hash (RFC 8785, so indentation does not matter) of a plan
/// file: what `plan-adopted` records and `--plan` checks.
pub fn plan_file_hash(path: &Path) -> Result<Hash, CliError> {
    let bytes = crate::files::read_file(path, crate::files::FileKind::Plan)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Input(format!(
            "{}:{}: not a plan file (JSON, as `truce plan --out` writes it)",
            path.display(),
            e.line()
        ))
    })?;
    Hash::of_canonical(&value).map_err(|source| CliError::Encode {
        context: path.display().to_string(),
        source,
    })
}

/// `--deal`: the deal file's hash against the hash every side signed.
pub fn deal(path: &Path, report: &VerifyReport) -> Result<FileCheck, CliError> {
    let summary = one_deal("--deal", report)?;
    let (_, hash) = normalised_deal(&crate::files::load_valid(path)?)?;
    Ok(FileCheck::new(Kind::Deal, path, hash, summary.deal_hash))
}

/// `--plan`: the plan file's hash against the plan the mediator adopted.
pub fn plan(path: &Path, report: &VerifyReport) -> Result<FileCheck, CliError> {
    let summary = one_deal("--plan", report)?;
    let hash = plan_file_hash(path)?;
    Ok(FileCheck::new(Kind::Plan, path, hash, summary.plan_hash))
}

/// `--service-key`: a verifier key, or a file holding one.
pub fn service_verifier(text: &str) -> Result<truce_ledger::ServiceVerifier, CliError> {
    let path = Path::new(text);
    let (key, source) = if !text.contains('+') || path.exists() {
        let bytes = crate::files::read_file(path, crate::files::FileKind::ServiceKey)?;
        (
            String::from_utf8_lossy(&bytes).trim().to_owned(),
            path.display().to_string(),
        )
    } else {
        (text.to_owned(), "--service-key".to_owned())
    };
    truce_ledger::ServiceVerifier::from_vkey(&key).map_err(|e| CliError::Checkpoint {
        context: source,
        source: e,
    })
}
