//! Bad input: every fixture under `tests/fixtures/bad/` is a domain
//! directory that must be refused with a typed error naming the file, line,
//! column, what is wrong and how to fix it.

use std::path::PathBuf;

use truce_negotiate::{ReadOptions, Reading, read_domain};

use crate::common::files_of;

const BAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad");

/// Reads a bad fixture in both readings; both must fail the same way.
fn check(case: &str) -> String {
    let files = files_of(&PathBuf::from(BAD).join(case));
    let errs: Vec<String> = [Reading::Genius, Reading::Raw]
        .into_iter()
        .map(|reading| {
            let opts = ReadOptions {
                reading,
                ..ReadOptions::default()
            };
            match read_domain(&files, &opts) {
                Ok(_) => panic!("{case}: read without error"),
                Err(e) => e.to_string(),
            }
        })
        .collect();
    assert_eq!(errs.first(), errs.get(1), "{case}");
    format!("## {case}\n{}\n", errs.first().cloned().unwrap_or_default())
}

#[test]
fn bad_inputs_give_typed_errors_with_position_and_hint() {
    let mut cases: Vec<String> = std::fs::read_dir(BAD)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20);
    let report: String = cases.iter().map(|c| check(c)).collect();
    insta::assert_snapshot!(report);
}
