//! Shared fixtures: the shared negotiation domains and NegMAS baselines.

use std::path::PathBuf;

use truce_negotiate::{Domain, DomainFiles, ReadOptions, Reading, read_domain};

pub const DOMAINS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/negotiation-domains"
);
pub const BASELINES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/negotiation-baselines"
);

/// The files of a directory, as the CLI would hand them over.
pub fn files_of(dir: &PathBuf) -> DomainFiles {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).expect("domain dir") {
        let path = e.expect("entry").path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, std::fs::read_to_string(&path).expect("utf-8 file")));
        }
    }
    DomainFiles { files }
}

pub fn load(name: &str, reading: Reading) -> Domain {
    let files = files_of(&PathBuf::from(DOMAINS).join(name));
    let opts = ReadOptions {
        reading,
        ..ReadOptions::default()
    };
    read_domain(&files, &opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Baseline values as strings (NegMAS writes integers as numbers).
pub fn values_of(outcome: &serde_json::Value) -> Vec<String> {
    outcome
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}
