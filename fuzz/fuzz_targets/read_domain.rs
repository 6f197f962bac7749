//! Any bytes as a domain folder, GENIUS XML or GeniusWeb JSON (the first
//! byte chooses): the rest is split into a domain file and two profiles. The
//! readers must return a domain or a positioned error, and the analysis of
//! any domain they accept must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let ext = if kind % 2 == 0 { "xml" } else { "json" };
    let text = String::from_utf8_lossy(rest);
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
