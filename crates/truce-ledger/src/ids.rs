//! Ids the ledger carries: deals, parties, persons, and the parties' roles.
//!
//! They mirror truce-spec's ids (same spelling rules, same JSON) but live
//! here so that verification depends on nothing but the ledger format: the
//! CLI converts with `PartyId::new(spec_id.as_str())`. Reading an id checks
//! its shape, so a ledger line cannot smuggle a name where an opaque id
//! belongs.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Longest id the ledger accepts, in bytes; ids are short handles, and a
/// bound keeps a hostile ledger from making the verifier allocate at will.
pub const MAX_ID_LEN: usize = 64;

/// Why an id was refused. The message never repeats the id: a misplaced
/// person name must not travel on into logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id is the empty string.
    #[error("an id must not be empty")]
    Empty,
    /// The id is longer than [`MAX_ID_LEN`] bytes.
    #[error("an id must be at most {MAX_ID_LEN} bytes long")]
    TooLong,
    /// A deal, party or category id holds a character other than a
    /// lowercase ASCII letter, a digit or `-`.
    #[error("an id may contain only lowercase letters, digits and '-'")]
    BadCharacter,
    /// A person id holds a character other than an ASCII letter, a digit,
    /// `-`, `_` or `.`.
    #[error("a person id may contain only letters, digits, '-', '_' and '.'")]
    BadPersonCharacter,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id, if it is well formed.
            pub fn new(id: &str) -> Result<$name, IdError> {
                $check(id).map(|()| $name(id.to_owned()))
            }

            /// The id as written in the ledger.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $check(&s).map_err(serde::de::Error::custom)?;
                Ok($name(s))
            }
        }
    };
}

id_type!(
    /// A deal id, chosen by the mediator when the deal is created:
    /// lowercase letters, digits and `-`.
    DealId,
    check_slug
);
id_type!(
    /// A party id (`side-a`, `relief`): lowercase letters, digits and `-`,
    /// as in the deal file.
    PartyId,
    check_slug
);
id_type!(
    /// A category of persons (`child`, `detainee-minor`): lowercase letters,
    /// digits and `-`, as in the deal file. Handovers count their persons
    /// per category, so a party without the roster can check the terms.
    CategoryId,
    check_slug
);
id_type!(
    /// An opaque person id from a roster (`A-0001`), never a name.
    PersonId,
    check_person
);

/// Party and deal ids: lowercase letters, digits and `-` (the deal format's rule).
pub fn check_slug(id: &str) -> Result<(), IdError> {
    check_len(id)?;
    if id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(())
    } else {
        Err(IdError::BadCharacter)
    }
}

/// Person ids are opaque roster ids (`A-0001`): ASCII letters, digits and a
/// little punctuation, never free text.
pub fn check_person(id: &str) -> Result<(), IdError> {
    check_len(id)?;
    if id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Ok(())
    } else {
        Err(IdError::BadPersonCharacter)
    }
}

fn check_len(id: &str) -> Result<(), IdError> {
    match id.len() {
        0 => Err(IdError::Empty),
        n if n > MAX_ID_LEN => Err(IdError::TooLong),
        _ => Ok(()),
    }
}

/// What a party does in the deal (the deal format's roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Holds people and releases them.
    Side,
    /// Proposes texts, runs the ledger's lifecycle.
    Mediator,
    /// Carries people across and records handovers.
    Intermediary,
    /// Guarantees the deal; may report breaches.
    Guarantor,
    /// Watches; may report breaches.
    Observer,
}

impl Role {
    /// The keyword used in deal files and in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Side => "side",
            Role::Mediator => "mediator",
            Role::Intermediary => "intermediary",
            Role::Guarantor => "guarantor",
            Role::Observer => "observer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
