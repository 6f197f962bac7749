//! Any bytes as a GeniusWeb JSON domain folder: the first half of the input is the
//! domain file, the rest two profiles. The reader must return a domain or a
//! positioned error, and the analysis of any domain it accepts must not
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use truce_negotiate::{AnalyzeOptions, DomainFiles, ReadOptions, analyze, read_domain};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let cut = |f: usize| {
        let mut i = text.len() * f / 4;
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (a, b, c) = (cut(2), cut(3), text.len());
    let files = DomainFiles {
        files: vec![
            ("domain.json".into(), text[..a].to_owned()),
            ("profile-1.json".into(), text[a..b].to_owned()),
            ("profile-2.json".into(), text[b..c].to_owned()),
        ],
    };
    if let Ok(domain) = read_domain(&files, &ReadOptions::default()) {
        let opts = AnalyzeOptions { max_search_nodes: 100_000, ..AnalyzeOptions::default() };
        let _ = analyze(&domain, &opts);
    }
});
