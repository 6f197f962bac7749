//! The room's languages: one message file per language under
//! `crates/truce-server/room/i18n/` (`key = "text"`), embedded in the
//! binary. A translator adds a language by copying `en.toml`, translating
//! the right-hand sides and adding a line to [`Lang`].

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock, PoisonError};

/// A language of the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Ar,
    He,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ar, Lang::He];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
            Lang::He => "he",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Text direction: Arabic and Hebrew are written right to left.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ar | Lang::He => "rtl",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ar => "العربية",
            Lang::He => "עברית",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../../room/i18n/en.toml"),
            Lang::Ar => include_str!("../../room/i18n/ar.toml"),
            Lang::He => include_str!("../../room/i18n/he.toml"),
        }
    }

    /// The text of `key` in this language, or in English when the
    /// translation lacks it, or the key itself (a test holds every file to
    /// the same keys).
    pub fn t(self, key: &str) -> &'static str {
        let table = &messages()[self as usize];
        if let Some(text) = table.get(key) {
            return text;
        }
        if let Some(text) = messages()[Lang::En as usize].get(key) {
            return text;
        }
        // A missing key shows as itself: visible in review, never a crash.
        // Each is kept once, so a page asked for again leaks nothing more.
        static MISSING: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
        let mut missing = MISSING
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = missing.get(key) {
            return known;
        }
        let text: &'static str = Box::leak(key.to_owned().into_boxed_str());
        missing.insert(text);
        text
    }
}

type Table = HashMap<String, &'static str>;

fn messages() -> &'static [Table; 3] {
    static TABLES: OnceLock<[Table; 3]> = OnceLock::new();
    TABLES.get_or_init(|| Lang::ALL.map(|l| parse(l.source()).unwrap_or_default()))
}

/// A message file's keys and texts; `Err` names the problem (tests check
/// every shipped file parses).
pub(crate) fn parse(source: &str) -> Result<Table, String> {
    let doc: toml_edit::DocumentMut = source
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    doc.iter()
        .map(|(k, v)| match v.as_str() {
            Some(s) => Ok((k.to_owned(), &*Box::leak(s.to_owned().into_boxed_str()))),
            None => Err(format!("{k}: expected a string, found {}", v.type_name())),
        })
        .collect()
}

/// Every shipped message file: (language code, its text).
pub fn message_files() -> Vec<(&'static str, &'static str)> {
    Lang::ALL.iter().map(|l| (l.code(), l.source())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_exactly_the_english_keys() {
        let en = parse(Lang::En.source()).unwrap();
        for lang in Lang::ALL {
            let table = parse(lang.source()).unwrap_or_else(|e| panic!("{}: {e}", lang.code()));
            let mut missing: Vec<_> = en.keys().filter(|k| !table.contains_key(*k)).collect();
            let mut extra: Vec<_> = table.keys().filter(|k| !en.contains_key(*k)).collect();
            missing.sort();
            extra.sort();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, extra {extra:?}",
                lang.code()
            );
        }
    }
}
