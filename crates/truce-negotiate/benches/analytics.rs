//! Analytics speed on the shared domains: reading the files from disk,
//! parsing and analysing, as `truce analyze` does. Results and the NegMAS
//! comparison are in BENCH-NOTES.md.

use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};

fn main() {
    divan::main();
}

fn files(name: &str) -> DomainFiles {
    truce_test_support::domains::files_of(&truce_test_support::domains::domains().join(name))
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

/// A GeniusWeb domain of `issues` issues with `values` values each and
/// `parties` profiles with pseudo-random utilities (fixed seed).
fn synthetic(issues: usize, values: usize, parties: usize) -> DomainFiles {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let issue_names: Vec<String> = (0..issues).map(|i| format!("issue{i}")).collect();
    let value_list = (0..values)
        .map(|v| format!("\"v{v}\""))
        .collect::<Vec<_>>()
        .join(",");
    let domain = format!(
        "{{\"name\":\"synthetic\",\"issuesValues\":{{{}}}}}",
        issue_names
            .iter()
            .map(|n| format!("\"{n}\":{{\"values\":[{value_list}]}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut files = vec![("synthetic.json".to_owned(), domain)];
    for p in 0..parties {
        let weights: Vec<f64> = (0..issues).map(|_| next() + 0.01).collect();
        let total: f64 = weights.iter().sum();
        let utils = issue_names
            .iter()
            .map(|n| {
                let vals = (0..values)
                    .map(|v| format!("\"v{v}\":{}", next()))
                    .collect::<Vec<_>>()
                    .join(",");
                format!(
                    "\"{n}\":{{\"DiscreteValueSetUtilities\":{{\"valueUtilities\":{{{vals}}}}}}}"
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        let ws = issue_names
            .iter()
            .zip(&weights)
            .map(|(n, w)| format!("\"{n}\":{}", w / total))
            .collect::<Vec<_>>()
            .join(",");
        files.push((
            format!("party{p}.json"),
            format!(
                "{{\"LinearAdditiveUtilitySpace\":{{\"issueUtilities\":{{{utils}}},\"issueWeights\":{{{ws}}}}}}}"
            ),
        ));
    }
    DomainFiles { files }
}

/// 8^7 = 2,097,152 outcomes, two and three parties: parse and analyse.
#[divan::bench(args = [2, 3], sample_count = 10)]
fn synthetic_two_million(bencher: divan::Bencher, parties: usize) {
    let files = synthetic(7, 8, parties);
    bencher.bench(|| {
        let domain = read_domain(&files, &ReadOptions::default()).expect("domain");
        analyze(&domain, &AnalyzeOptions::default()).pareto_points
    });
}
