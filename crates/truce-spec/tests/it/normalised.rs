//! A deal read back from its normalised JSON is the deal the loader built:
//! equal as a value, and written again byte for byte the same, so its hash
//! is the one the sides signed.

use serde_json::{Value, json};
use truce_spec::{Deal, GenerateOptions, NormalisedError, from_normalised, generate};

use crate::{load_dir, repo, subdirs};

fn round_trip(name: &str, deal: &Deal) {
    let json = serde_json::to_value(deal).expect("serialise");
    let back = from_normalised(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(&back, deal, "{name}");
    assert_eq!(
        serde_json::to_string(&back).expect("serialise"),
        serde_json::to_string(deal).expect("serialise"),
        "{name}"
    );
}

#[test]
fn every_example_and_fixture_reads_back_as_loaded() {
    let mut dirs = subdirs(&repo().join("examples"));
    dirs.retain(|(n, _)| n != "replays");
    dirs.extend(subdirs(&repo().join("examples/replays")));
    // The CLI's fixtures: deferred counter-releases, one convoy, a day behind.
    dirs.extend(
        subdirs(&repo().join("crates/truce-cli/tests/fixtures"))
            .into_iter()
            .filter(|(_, p)| p.join("deal.toml").is_file()),
    );
    assert!(dirs.len() >= 10, "{dirs:?}");
    for (name, dir) in &dirs {
        let deal = load_dir(dir)
            .deal
            .unwrap_or_else(|| panic!("{name} is valid"));
        round_trip(name, &deal);
    }
}

#[test]
fn generated_deals_read_back_as_loaded() {
    for (persons, extension, family_share) in [(1, false, 0.0), (40, true, 0.5), (300, true, 1.0)] {
        let opts = GenerateOptions {
            persons,
            extension,
            family_share,
            ..GenerateOptions::default()
        };
        let files = generate(&opts).expect("valid options").files;
        let deal = truce_test_support::rosters::load_files(&files)
            .deal
            .expect("valid");
        round_trip(&format!("{opts:?}"), &deal);
    }
}

fn minimal() -> Value {
    let deal = load_dir(&repo().join("examples/minimal"))
        .deal
        .expect("valid");
    serde_json::to_value(&deal).expect("serialise")
}

fn problem(value: &Value) -> String {
    from_normalised(value).expect_err("refused").to_string()
}

#[test]
fn a_missing_term_is_named_with_its_path() {
    let mut deal = minimal();
    deal["release"]
        .as_object_mut()
        .expect("release")
        .remove("priority");
    assert_eq!(
        problem(&deal),
        "the normalised deal's `release`: missing field `priority`"
    );
    let mut deal = minimal();
    deal.as_object_mut().expect("deal").remove("persons");
    assert_eq!(
        problem(&deal),
        "the normalised deal's document: missing field `persons`"
    );
}

#[test]
fn a_term_this_build_does_not_know_is_refused_not_ignored() {
    let mut deal = minimal();
    deal["release"]["night_convoys"] = json!(true);
    let message = problem(&deal);
    assert!(
        message.starts_with(
            "the normalised deal's `release.night_convoys`: unknown field `night_convoys`"
        ),
        "{message}"
    );
    let mut deal = minimal();
    deal["format_version"] = json!(2);
    assert_eq!(
        from_normalised(&deal).expect_err("refused"),
        NormalisedError::Version(2)
    );
}

#[test]
fn a_bad_person_is_refused_without_quoting_the_roster() {
    let mut deal = minimal();
    let id = deal["persons"][0]["id"].as_str().expect("id").to_owned();
    deal["persons"][0]["category"] = json!(["child", id.clone()]);
    let message = problem(&deal);
    assert!(
        message.starts_with("the normalised deal's `persons[0].category`: is not a person"),
        "{message}"
    );
    assert!(!message.contains(&id), "{message}");
}

#[test]
fn dates_and_windows_are_read_strictly() {
    let mut deal = minimal();
    deal["start"] = json!("2026-02-30");
    assert!(
        problem(&deal).starts_with("the normalised deal's `start`: invalid value"),
        "{}",
        problem(&deal)
    );
    let mut deal = minimal();
    deal["release"]["window"] = json!({"from": "10:00", "to": "09:00"});
    assert!(problem(&deal).contains("`from` must come before its `to`"));
    deal["release"]["window"] = json!({"from": "09:00", "to": "10:30"});
    let read = from_normalised(&deal).expect("a window");
    let window = read.release.window.expect("window");
    assert_eq!((window.from, window.to), (540, 630));
}
