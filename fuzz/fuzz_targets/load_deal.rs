//! Any bytes as a deal file, and as its roster: the loader must return a deal
//! or diagnostics, and rendering them must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use truce_spec::{LoadOptions, ReadError, load};

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input into a deal file and a roster file.
    let (split, rest) = match data.split_first() {
        Some((s, rest)) => (*s as usize * rest.len() / 256, rest),
        None => (0, data),
    };
    let (deal, roster) = rest.split_at(split.min(rest.len()));
    let mut rosters = |_path: &str, _max: u64| -> Result<Vec<u8>, ReadError> { Ok(roster.to_vec()) };
    let loaded = load("deal.toml", deal, &mut rosters, &LoadOptions::default());
    assert_eq!(loaded.deal.is_some(), !loaded.diagnostics.has_errors());
    let _ = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
});
