//! Properties: any flipped byte, deleted line or reordered pair breaks
//! verification, and the report names exactly the line that was damaged.

use std::sync::LazyLock;

use proptest::prelude::*;
use truce_ledger::{KeyRing, VerifyOptions, verify_bytes, verify_with};

use crate::fixture::story;

static LEDGER: LazyLock<(String, KeyRing)> = LazyLock::new(|| {
    let book = story();
    (book.jsonl(), book.keys)
});

/// 1-based line of byte `at`.
fn line_of(text: &[u8], at: usize) -> usize {
    1 + text[..at].iter().filter(|b| **b == b'\n').count()
}

fn bad_line(bytes: &[u8], keys: &KeyRing) -> Option<usize> {
    verify_bytes(bytes, keys)
        .ok()
        .and_then(|r| r.first_bad)
        .map(|b| b.line)
}

proptest! {
    #[test]
    fn any_flipped_byte_is_found_on_its_line(pos in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let (jsonl, keys) = &*LEDGER;
        let mut bytes = jsonl.as_bytes().to_vec();
        let at = pos.index(bytes.len());
        bytes[at] ^= mask;
        let expect = line_of(&bytes, at);
        prop_assert_eq!(bad_line(&bytes, keys), Some(expect));
    }

    /// The same with tiny batches over two threads, so that the damaged line
    /// is found after earlier batches passed and later ones were queued.
    #[test]
    fn any_flipped_byte_is_found_across_batches(pos in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let (jsonl, keys) = &*LEDGER;
        let mut bytes = jsonl.as_bytes().to_vec();
        let at = pos.index(bytes.len());
        bytes[at] ^= mask;
        let options = VerifyOptions { threads: 2, batch: 3, ..VerifyOptions::default() };
        let bad = verify_with(&bytes, keys, &options).ok().and_then(|r| r.first_bad);
        prop_assert_eq!(bad.map(|b| b.line), Some(line_of(&bytes, at)));
    }

    #[test]
    fn any_deleted_line_is_found(pos in any::<prop::sample::Index>()) {
        let (jsonl, keys) = &*LEDGER;
        let mut lines: Vec<&str> = jsonl.lines().collect();
        // The last line cannot be missed by the chain alone: a shorter chain
        // is intact, which is why reports give the head hash to compare.
        let k = pos.index(lines.len() - 1);
        lines.remove(k);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        prop_assert_eq!(bad_line(text.as_bytes(), keys), Some(k + 1));
    }

    #[test]
    fn any_reordering_is_found(a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let (jsonl, keys) = &*LEDGER;
        let mut lines: Vec<&str> = jsonl.lines().collect();
        let (i, j) = (a.index(lines.len()), b.index(lines.len()));
        prop_assume!(i != j);
        lines.swap(i, j);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        prop_assert_eq!(bad_line(text.as_bytes(), keys), Some(i.min(j) + 1));
    }

    /// Garbage never panics and never passes, whether it is random bytes or
    /// a ledger line with a random slice of it replaced.
    #[test]
    fn garbage_is_reported_not_a_panic(
        noise in prop::collection::vec(any::<u8>(), 1..400),
        pos in any::<prop::sample::Index>(),
    ) {
        let (jsonl, keys) = &*LEDGER;
        prop_assert!(verify_bytes(&noise, keys).map_or(true, |r| !r.intact));
        let mut spliced = jsonl.as_bytes().to_vec();
        let at = pos.index(spliced.len());
        let end = (at + noise.len()).min(spliced.len());
        spliced.splice(at..end, noise.iter().copied());
        if spliced != jsonl.as_bytes() {
            let report = verify_bytes(&spliced, keys).unwrap();
            prop_assert!(!report.intact || report.events < 23);
        }
    }
}
