//! Filling agreed values into a deal file: each open issue settled is
//! removed, its value written into the term it `sets`, and the agreement
//! kept as an `[[agreed_term]]` for the record.
//!
//! The text is edited in place (`toml_edit`), so comments and layout survive
//! and the parties can read the difference line by line. The result must be
//! loaded again to be trusted: this module only edits; [`crate::load`]
//! validates.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

/// Why agreed values cannot be filled in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreeError {
    /// The deal text is not TOML; holds the parser's message.
    #[error("the deal is not valid TOML: {0}")]
    Parse(String),
    /// No open issue has this id.
    #[error("the deal has no open issue `{0}`")]
    UnknownIssue(String),
    /// The value agreed is not one of the issue's options.
    #[error("`{value}` is not an option of the open issue `{issue}` (options: {options})")]
    NotAnOption {
        /// The open issue's id.
        issue: String,
        /// The value given.
        value: String,
        /// The issue's options, joined with `, `.
        options: String,
    },
    /// The term the issue `sets` is not in the deal text.
    #[error("the open issue `{issue}` sets `{path}`, which this deal does not have")]
    MissingTerm {
        /// The open issue's id.
        issue: String,
        /// The term it sets (`pause.days`).
        path: String,
    },
    /// The same issue appears twice among the agreed pairs.
    #[error("the open issue `{0}` is agreed twice")]
    Twice(String),
}

/// Returns the deal text with the agreed `(issue id, value)` pairs filled in.
///
/// ```
/// let deal = "format_version = 1\n[pause]\ndays = 4 # the draft\n\n[[open_issue]]\nid = \"days\"\noptions = [\"4\", \"5\"]\nsets = \"pause.days\"\n";
/// let agreed = truce_spec::fill_in_agreed(deal, &[("days", "5")]).unwrap();
/// assert!(agreed.contains("days = 5 # the draft"));
/// assert!(agreed.contains("[[agreed_term]]"));
/// assert!(!agreed.contains("[[open_issue]]"));
/// ```
pub fn fill_in_agreed(deal_text: &str, agreed: &[(&str, &str)]) -> Result<String, AgreeError> {
    let mut doc: DocumentMut = deal_text
        .parse()
        .map_err(|e: toml_edit::TomlError| AgreeError::Parse(e.message().to_owned()))?;
    let mut done: Vec<&str> = Vec::new();
    for &(issue, chosen) in agreed {
        if done.contains(&issue) {
            return Err(AgreeError::Twice(issue.to_owned()));
        }
        done.push(issue);
        let issues = doc
            .get_mut("open_issue")
            .and_then(Item::as_array_of_tables_mut);
        let Some((index, table)) = issues
            .as_ref()
            .and_then(|a| {
                a.iter()
                    .enumerate()
                    .find(|(_, t)| t.get("id").and_then(Item::as_str) == Some(issue))
            })
            .map(|(i, t)| (i, t.clone()))
        else {
            return Err(AgreeError::UnknownIssue(issue.to_owned()));
        };
        let options: Vec<String> = table
            .get("options")
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if !options.iter().any(|o| o == chosen) {
            return Err(AgreeError::NotAnOption {
                issue: issue.into(),
                value: chosen.into(),
                options: options.join(", "),
            });
        }
        let sets = table.get("sets").and_then(Item::as_str).map(str::to_owned);
        if let Some(path) = &sets {
            let slot = term(&mut doc, path).ok_or_else(|| AgreeError::MissingTerm {
                issue: issue.into(),
                path: path.clone(),
            })?;
            let mut new = match chosen.trim().parse::<i64>() {
                Ok(n) => toml_edit::Value::from(n),
                Err(_) => toml_edit::Value::from(chosen),
            };
            // Keep the comment written after the old value.
            if let Some(decor) = slot.as_value().map(|v| v.decor().clone()) {
                *new.decor_mut() = decor;
            }
            *slot = Item::Value(new);
        }
        if let Some(issues) = doc
            .get_mut("open_issue")
            .and_then(Item::as_array_of_tables_mut)
        {
            issues.remove(index);
            if issues.is_empty() {
                doc.remove("open_issue");
            }
        }
        let mut record = Table::new();
        record["id"] = value(issue);
        record["value"] = value(chosen);
        if let Some(d) = table.get("description").and_then(Item::as_str) {
            record["description"] = value(d);
        }
        if let Some(path) = sets {
            record["sets"] = value(path);
        }
        let terms = doc
            .entry("agreed_term")
            .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
        if let Some(terms) = terms.as_array_of_tables_mut() {
            terms.push(record);
        }
    }
    Ok(doc.to_string())
}

/// The item a term path names (`pause.days`, `roster.side-b.max_per_day`,
/// `exchange.1.ratio`, `party.relief.capacity_per_day`), created inside its
/// table when the table exists but the key does not.
fn term<'d>(doc: &'d mut DocumentMut, path: &str) -> Option<&'d mut Item> {
    let parts: Vec<&str> = path.split('.').collect();
    let in_array =
        |doc: &'d mut DocumentMut, array: &str, key: &str, pick: &dyn Fn(usize, &Table) -> bool| {
            doc.get_mut(array)?
                .as_array_of_tables_mut()?
                .iter_mut()
                .enumerate()
                .find(|(i, t)| pick(*i, t))
                .map(|(_, t)| t.entry(key).or_insert(Item::None))
        };
    match parts.as_slice() {
        ["pause", key] | ["release", key] => {
            let table = doc.get_mut(parts[0])?.as_table_like_mut()?;
            Some(table.entry(key).or_insert(Item::None))
        }
        ["pause", "extension", key] => {
            let table = doc
                .get_mut("pause")?
                .get_mut("extension")?
                .as_table_like_mut()?;
            Some(table.entry(key).or_insert(Item::None))
        }
        ["roster", holder, key] => in_array(doc, "roster", key, &|_, t| {
            t.get("holder").and_then(Item::as_str) == Some(holder)
        }),
        ["party", id, key] => in_array(doc, "party", key, &|_, t| {
            t.get("id").and_then(Item::as_str) == Some(id)
        }),
        ["exchange", n, key] => {
            let n: usize = n.parse().ok()?;
            in_array(doc, "exchange", key, &|i, _| i + 1 == n)
        }
        _ => None,
    }
}
