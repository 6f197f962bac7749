//! The negotiation domains and NegMAS baselines vendored in `testdata/`.

use std::path::{Path, PathBuf};

use truce_negotiate::{
    Domain, DomainFiles, Format, Issue, Party, ReadOptions, Reading, Utility, read_domain,
};

/// The vendored domains' folder.
pub fn domains() -> PathBuf {
    crate::repository().join("testdata/negotiation-domains")
}

/// The vendored NegMAS baselines' folder.
pub fn baselines() -> PathBuf {
    crate::repository().join("testdata/negotiation-baselines")
}

/// Every vendored domain's folder name, sorted.
pub fn domain_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(domains())
        .expect("vendored domains")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The files of a folder, as the CLI would hand them over.
pub fn files_of(dir: &Path) -> DomainFiles {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).expect("domain folder") {
        let path = e.expect("entry").path();
        if path.is_file() {
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            files.push((name, std::fs::read_to_string(&path).expect("utf-8 file")));
        }
    }
    DomainFiles { files }
}

/// A vendored domain read with `reading`.
pub fn load(name: &str, reading: Reading) -> Domain {
    let files = files_of(&domains().join(name));
    let opts = ReadOptions {
        reading,
        ..ReadOptions::default()
    };
    read_domain(&files, &opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Outcome values as strings (NegMAS writes integers as numbers).
pub fn values_of(outcome: &serde_json::Value) -> Vec<String> {
    outcome
        .as_array()
        .expect("an outcome is an array")
        .iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// A domain built in memory (for property tests): issues `i0`, `i1`, … of
/// `sizes[i]` values `0`, `1`, …, and parties `p0`, `p1`, … with their
/// (utility, reservation value), read the GENIUS way.
pub fn synthetic(format: Format, sizes: &[usize], parties: Vec<(Utility, f64)>) -> Domain {
    let ext = match format {
        Format::GeniusXml => "xml",
        Format::GeniusWebJson => "json",
    };
    Domain {
        name: "random".into(),
        format,
        reading: Reading::Genius,
        issues: sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| Issue {
                name: format!("i{i}"),
                values: (0..n).map(|v| v.to_string()).collect(),
            })
            .collect(),
        parties: parties
            .into_iter()
            .enumerate()
            .map(|(k, (utility, reservation))| Party {
                name: format!("p{k}"),
                file: format!("p{k}.{ext}"),
                utility,
                reservation,
                discount: None,
            })
            .collect(),
        ignored_files: Vec::new(),
        notes: Vec::new(),
    }
}
