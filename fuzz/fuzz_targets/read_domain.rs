//! Any bytes as a domain folder, GENIUS XML (target `read_genius`) or
//! GeniusWeb JSON (`read_geniusweb`), split into a domain file and two
//! profiles. The
//! readers must return a domain or a positioned error, and the analysis of
//! any domain they accept must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};

fuzz_target!(|data: &[u8]| {
    let ext = if env!("CARGO_BIN_NAME") == "read_genius" { "xml" } else { "json" };
    let text = String::from_utf8_lossy(data);
    let cut = |quarters: usize| {
        let mut i = text.len() * quarters / 4;
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (a, b) = (cut(2), cut(3));
    let files = DomainFiles {
        files: vec![
            (format!("domain.{ext}"), text[..a].to_owned()),
            (format!("profile-1.{ext}"), text[a..b].to_owned()),
            (format!("profile-2.{ext}"), text[b..].to_owned()),
        ],
    };
    if let Ok(domain) = read_domain(&files, &ReadOptions::default()) {
        let opts = AnalyzeOptions { max_search_nodes: 100_000, ..AnalyzeOptions::default() };
        let _ = analyze(&domain, &opts);
    }
});
