//! Free text (breach summaries, reasons) must not carry person ids: the
//! ledger is shared with every party, and history.

use crate::roster::Roster;

/// Whether `text` mentions a person id of the roster: any run of the
/// characters a person id may hold (letters, digits, `-`, `_`, `.`), with
/// trailing dots trimmed (a sentence's full stop), compared in any letter
/// case.
/// Returns no position or id: a caller's message must not repeat it.
pub fn person_id_in_text(text: &str, roster: &Roster) -> bool {
    let is_id_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    text.split(|c: char| !is_id_char(c))
        .filter(|w| !w.is_empty())
        .any(|w| {
            let trimmed = w.trim_end_matches('.');
            roster.mentions(w) || (!trimmed.is_empty() && roster.mentions(trimmed))
        })
}
