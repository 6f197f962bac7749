//! A [`Deal`] read back from its normalised JSON (`truce check --format
//! json`, what a service holds and shows the mediator), so that a party
//! holding only that document can plan the deal.
//!
//! The document is not checked against the rules the loader checks: it is
//! what the loader wrote for a deal file it validated. A caller that did not
//! write it itself binds it to that validated deal by its hash (the one the
//! sides signed) before planning from it: re-serialised, the deal read here
//! gives back the same canonical JSON, so the same hash.

use serde_json::Value;

use crate::model::{Deal, FORMAT_VERSION};

/// Why a normalised deal cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormalisedError {
    /// A field is missing, unknown to this build, or of the wrong kind.
    #[error("the normalised deal's {at}: {problem}")]
    Field {
        /// Where, as a path of the JSON (`release`, `persons[3]`), or `document`.
        at: String,
        /// What is wrong, in words; never a person's id or other roster value.
        problem: String,
    },
    /// A `format_version` this build does not read.
    #[error(
        "the normalised deal has format_version {0}, and this build reads only {FORMAT_VERSION}: upgrade truce"
    )]
    Version(u32),
}

/// Reads a deal from its normalised JSON; every field of the deal must be
/// there (absent optional numbers as `null`, as the loader writes them), and
/// a field this build does not know is refused rather than ignored: a term
/// left out would plan another deal than the one signed.
///
/// ```
/// let deal = truce_spec::load(
///     "deal.toml",
///     b"format_version = 1\nname = \"One day\"\n[[party]]\nid = \"side-b\"\nrole = \"side\"\n\
///       [pause]\ndays = 1\n[[category]]\nid = \"child\"\ntier = 1\n\
///       [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\n",
///     &mut |_: &str, _: u64| Ok(b"id,category\nB-0001,child\n".to_vec()),
///     &truce_spec::LoadOptions::default(),
/// )
/// .deal
/// .expect("valid");
/// let json = serde_json::to_value(&deal).unwrap();
/// assert_eq!(truce_spec::from_normalised(&json).unwrap(), deal);
/// ```
pub fn from_normalised(value: &Value) -> Result<Deal, NormalisedError> {
    if let Some(version) = value.get("format_version").and_then(Value::as_u64)
        && version != u64::from(FORMAT_VERSION)
    {
        return Err(NormalisedError::Version(
            u32::try_from(version).unwrap_or(u32::MAX),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            "document".to_owned()
        } else {
            format!("`{path}`")
        };
        let message = e.inner().to_string();
        // serde quotes the value it could not read; a roster's values
        // (person ids, groups) never go into a message.
        let problem = if path.starts_with("persons")
            && !message.starts_with("missing field")
            && !message.starts_with("unknown field")
        {
            "is not a person as the normalised deal writes one ({id, holder, category, group})"
                .to_owned()
        } else {
            message
        };
        NormalisedError::Field { at, problem }
    })
}
