//! Analytics speed on the shared domains: reading the files from disk,
//! parsing and analysing, as `truce analyze` does. Results and the NegMAS
//! comparison are in BENCH-NOTES.md.

use std::path::PathBuf;

use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};

fn main() {
    divan::main();
}

const DOMAINS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/negotiation-domains"
);

fn files(name: &str) -> DomainFiles {
    let dir = PathBuf::from(DOMAINS).join(name);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("domain directory") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        files.push((name, std::fs::read_to_string(&path).expect("text")));
    }
    DomainFiles { files }
}

/// Load from disk, parse, analyse: the whole `truce analyze` path.
#[divan::bench(args = [
    "Laptop", "Grocery", "anl2023-domain00", "anl2023-domain01", "SmartPhone", "Car",
    "Wholesaler", "Travel", "Energy", "10issues",
], sample_count = 20)]
fn load_and_analyze(name: &str) -> usize {
    let domain = read_domain(&files(name), &ReadOptions::default()).expect("domain");
    analyze(&domain, &AnalyzeOptions::default()).pareto.len()
}

/// Analysis alone, on an already parsed domain.
#[divan::bench(args = ["Travel", "Energy"], sample_count = 20)]
fn analyze_only(bencher: divan::Bencher, name: &str) {
    let domain = read_domain(&files(name), &ReadOptions::default()).expect("domain");
    bencher.bench(|| analyze(&domain, &AnalyzeOptions::default()).pareto.len());
}
