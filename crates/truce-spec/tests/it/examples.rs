//! The shipped examples load clean, and the normalised deal keeps the JSON
//! contract of DESIGN.md.

use serde_json::Value;

use crate::{load_dir, repo, subdirs};

#[test]
fn every_example_checks_clean() {
    // `replays/` is a folder of replayed deals, each checked like an example.
    let mut examples = subdirs(&repo().join("examples"));
    examples.retain(|(n, _)| n != "replays");
    let names: Vec<&str> = examples.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "humanitarian-pause",
            "minimal",
            "november-2023-pause",
            "phased-ceasefire"
        ]
    );
    let replays = subdirs(&repo().join("examples/replays"));
    assert!(replays.len() >= 3, "{replays:?}");
    examples.extend(replays);
    for (name, path) in &examples {
        let loaded = load_dir(path);
        let text = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
        assert!(loaded.deal.is_some(), "{name}:\n{text}");
        assert_eq!(loaded.diagnostics.warning_count(), 0, "{name}:\n{text}");
    }
}

#[test]
fn minimal_normalises_to_snapshot() {
    let deal = load_dir(&repo().join("examples/minimal"))
        .deal
        .expect("valid");
    insta::assert_json_snapshot!("minimal_normalised", deal);
}

/// The field names outside tools read (DESIGN.md, "Command-line contract").
const CONTRACT: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "name",
            "parties",
            "pause",
            "categories",
            "rosters",
            "persons",
            "exchanges",
            "release",
        ],
    ),
    (
        "parties",
        &["id", "role", "capacity_per_day", "handovers_per_day"],
    ),
    ("pause", &["days", "extension"]),
    ("pause.extension", &["per_releases", "by", "max_days"]),
    ("categories", &["id", "tier"]),
    (
        "rosters",
        &[
            "holder",
            "min_per_day",
            "max_per_day",
            "total_min",
            "total_max",
        ],
    ),
    ("persons", &["id", "holder", "category", "group"]),
    ("exchanges", &["gives", "receives", "ratio"]),
    ("exchanges.gives", &["holder", "categories"]),
    ("exchanges.receives", &["holder", "categories"]),
    (
        "release",
        &["priority", "keep_groups_together", "max_exposure", "via"],
    ),
];

fn objects<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![v];
    for part in path.split('.').filter(|p| !p.is_empty()) {
        current = current
            .into_iter()
            .flat_map(|v| match &v[part] {
                Value::Array(items) => items.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .collect();
    }
    current
}

#[test]
fn normalised_deal_keeps_the_json_contract() {
    let mut examples = subdirs(&repo().join("examples"));
    examples.retain(|(n, _)| n != "replays");
    examples.extend(subdirs(&repo().join("examples/replays")));
    for (name, path) in examples {
        let deal = load_dir(&path).deal.expect("valid");
        let json = serde_json::to_value(&deal).expect("json");
        for (path, fields) in CONTRACT {
            for obj in objects(&json, path) {
                if obj.is_null() && *path == "pause.extension" {
                    continue;
                }
                for f in *fields {
                    assert!(obj.get(f).is_some(), "{name}: `{path}` lacks `{f}`: {obj}");
                }
            }
        }
        // Absent optional numbers are null, not missing.
        assert_eq!(
            json["persons"].as_array().map(Vec::len),
            Some(deal.persons.len())
        );
    }
}

#[test]
fn humanitarian_pause_has_the_story_the_issue_asks_for() {
    let deal = load_dir(&repo().join("examples/humanitarian-pause"))
        .deal
        .expect("valid");
    assert_eq!(deal.pause.days, 4);
    let ext = deal.pause.extension.as_ref().expect("extension");
    assert_eq!((ext.per_releases, ext.by.as_str()), (10, "side-b"));
    let captives = deal
        .persons
        .iter()
        .filter(|p| p.holder.as_str() == "side-b")
        .count();
    assert!(
        (45..=55).contains(&captives),
        "about fifty captives, found {captives}"
    );
    assert!(deal.persons.iter().any(|p| p.group.is_some()), "families");
    assert_eq!(deal.exchanges[0].ratio, 3);
    let relief = deal.intermediary().expect("intermediary");
    assert_eq!(relief.handovers_per_day, Some(2));
    assert!(relief.capacity_per_day.is_some());
    let tiers: std::collections::BTreeSet<u32> = deal.categories.iter().map(|c| c.tier).collect();
    assert!(tiers.len() >= 2, "tiers");
}

/// `[release] lists_night_before` reaches the normalised deal only when
/// true: deals without it keep their JSON, so their hash.
#[test]
fn lists_night_before_is_in_the_normalised_json_only_when_true() {
    let load = |release: &str| {
        let text = format!(
            "format_version = 1\nname = \"lists\"\n\
             [[party]]\nid = \"side-a\"\nrole = \"side\"\n\
             [[party]]\nid = \"side-b\"\nrole = \"side\"\n\
             [pause]\ndays = 1\n\
             [[category]]\nid = \"child\"\ntier = 1\n\
             [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\n\
             [release]\n{release}"
        );
        let mut rosters = |_: &str, _: u64| -> Result<Vec<u8>, truce_spec::ReadError> {
            Ok(b"id,category\nB-1,child\n".to_vec())
        };
        let loaded = truce_spec::load(
            "deal.toml",
            text.as_bytes(),
            &mut rosters,
            &truce_spec::LoadOptions::default(),
        );
        serde_json::to_value(loaded.deal.expect("valid")).expect("json")
    };
    let absent = load("");
    let off = load("lists_night_before = false\n");
    let on = load("lists_night_before = true\n");
    assert_eq!(absent["release"].get("lists_night_before"), None);
    assert_eq!(off, absent);
    assert_eq!(on["release"]["lists_night_before"], Value::Bool(true));
}

/// `[[exchange]] deferred_days` reaches the normalised deal only when above
/// 0: deals without it, or with 0, keep their JSON, so their hash.
#[test]
fn deferred_days_is_in_the_normalised_json_only_when_above_zero() {
    let load = |term: &str| {
        let text = format!(
            "format_version = 1\nname = \"deferred\"\n\
             [[party]]\nid = \"side-a\"\nrole = \"side\"\n\
             [[party]]\nid = \"side-b\"\nrole = \"side\"\n\
             [pause]\ndays = 3\n\
             [[category]]\nid = \"child\"\ntier = 1\n\
             [[category]]\nid = \"detainee\"\ntier = 1\n\
             [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\n\
             [[roster]]\nholder = \"side-a\"\nfile = \"a.csv\"\n\
             [[exchange]]\n\
             gives = {{ holder = \"side-b\", categories = [\"child\"] }}\n\
             receives = {{ holder = \"side-a\", categories = [\"detainee\"] }}\n\
             ratio = 1\n{term}"
        );
        let mut rosters = |file: &str, _: u64| -> Result<Vec<u8>, truce_spec::ReadError> {
            Ok(if file == "b.csv" {
                b"id,category\nB-1,child\n".to_vec()
            } else {
                b"id,category\nA-1,detainee\n".to_vec()
            })
        };
        let loaded = truce_spec::load(
            "deal.toml",
            text.as_bytes(),
            &mut rosters,
            &truce_spec::LoadOptions::default(),
        );
        let deal = loaded.deal.expect("valid");
        let json = serde_json::to_value(&deal).expect("json");
        (deal.exchanges[0].deferred_days, json)
    };
    let (_, absent) = load("");
    let (zero_days, zero) = load("deferred_days = 0\n");
    let (days, on) = load("deferred_days = 2\n");
    assert_eq!(absent["exchanges"][0].get("deferred_days"), None);
    assert_eq!(zero, absent);
    assert_eq!((zero_days, days), (0, 2));
    assert_eq!(on["exchanges"][0]["deferred_days"], Value::Number(2.into()));
}
