//! Agreed values filled into a *normalised* deal (the JSON `truce check
//! --format json` writes): what a service holding only that JSON does when
//! the sides agree a text over the open issues. The result is the JSON the
//! loader gives for the deal file [`crate::fill_in_agreed`] writes with the
//! same values (tested on the shipped examples), so a side that fills in
//! its own copy of the deal file signs the same deal hash.

use serde_json::{Map, Value};

use crate::agree::AgreeError;

/// Returns the normalised deal with the agreed `(issue id, value)` pairs
/// filled in: each issue's value written into the term it `sets`, the issue
/// removed from `open_issues` and recorded in `agreed_terms`.
///
/// ```
/// let deal = serde_json::json!({
///     "pause": {"days": 4},
///     "open_issues": [{"id": "days", "description": null, "options": ["4", "5"], "sets": "pause.days"}],
///     "agreed_terms": [],
/// });
/// let agreed = truce_spec::resolve_normalised(&deal, &[("days", "5")]).unwrap();
/// assert_eq!(agreed["pause"]["days"], 5);
/// assert_eq!(agreed["open_issues"], serde_json::json!([]));
/// assert_eq!(agreed["agreed_terms"][0]["value"], "5");
/// ```
pub fn resolve_normalised(deal: &Value, agreed: &[(&str, &str)]) -> Result<Value, AgreeError> {
    let mut out = deal.clone();
    let mut done: Vec<&str> = Vec::new();
    for &(issue, chosen) in agreed {
        if done.contains(&issue) {
            return Err(AgreeError::Twice(issue.to_owned()));
        }
        done.push(issue);
        let open = out
            .get_mut("open_issues")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| AgreeError::UnknownIssue(issue.to_owned()))?;
        let index = open
            .iter()
            .position(|i| i.get("id").and_then(Value::as_str) == Some(issue))
            .ok_or_else(|| AgreeError::UnknownIssue(issue.to_owned()))?;
        let entry = open.remove(index);
        let options: Vec<&str> = entry
            .get("options")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !options.contains(&chosen) {
            return Err(AgreeError::NotAnOption {
                issue: issue.into(),
                value: chosen.into(),
                options: options.join(", "),
            });
        }
        let sets = entry.get("sets").and_then(Value::as_str).map(str::to_owned);
        if let Some(path) = &sets {
            let slot = term(&mut out, path).ok_or_else(|| AgreeError::MissingTerm {
                issue: issue.into(),
                path: path.clone(),
            })?;
            *slot = match chosen.trim().parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => Value::from(chosen),
            };
        }
        let mut record = Map::new();
        record.insert("id".into(), Value::from(issue));
        record.insert("value".into(), Value::from(chosen));
        record.insert(
            "description".into(),
            entry.get("description").cloned().unwrap_or(Value::Null),
        );
        record.insert("sets".into(), sets.map_or(Value::Null, Value::from));
        let terms = out
            .as_object_mut()
            .ok_or_else(|| AgreeError::UnknownIssue(issue.to_owned()))?
            .entry("agreed_terms")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(terms) = terms.as_array_mut() {
            terms.push(Value::Object(record));
        }
    }
    Ok(out)
}

/// The slot a term path names in the normalised JSON (the paths of
/// [`crate::fill_in_agreed`]: `pause.days`, `pause.extension.max_days`,
/// `release.max_exposure`, `roster.HOLDER.KEY`, `party.ID.KEY`,
/// `exchange.N.KEY`), created inside its object when the object exists.
fn term<'d>(deal: &'d mut Value, path: &str) -> Option<&'d mut Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let in_array =
        |deal: &'d mut Value, array: &str, key: &str, pick: &dyn Fn(usize, &Value) -> bool| {
            deal.get_mut(array)?
                .as_array_mut()?
                .iter_mut()
                .enumerate()
                .find(|(i, t)| pick(*i, t))
                .and_then(|(_, t)| t.as_object_mut())
                .map(|t| t.entry(key).or_insert(Value::Null))
        };
    match parts.as_slice() {
        ["pause", "extension", key] => Some(
            deal.get_mut("pause")?
                .get_mut("extension")?
                .as_object_mut()?
                .entry(*key)
                .or_insert(Value::Null),
        ),
        [table @ ("pause" | "release"), key] => Some(
            deal.get_mut(*table)?
                .as_object_mut()?
                .entry(*key)
                .or_insert(Value::Null),
        ),
        ["roster", holder, key] => in_array(deal, "rosters", key, &|_, t| {
            t.get("holder").and_then(Value::as_str) == Some(holder)
        }),
        ["party", id, key] => in_array(deal, "parties", key, &|_, t| {
            t.get("id").and_then(Value::as_str) == Some(id)
        }),
        ["exchange", n, key] => {
            let n: usize = n.parse().ok()?;
            in_array(deal, "exchanges", key, &|i, _| i + 1 == n)
        }
        _ => None,
    }
}
