//! Filling agreed values into a deal: the result loads, the terms changed,
//! the record is kept; wrong issues and values are refused.

use truce_spec::{AgreeError, LoadOptions, fill_in_agreed};

use crate::{load_mem, repo};

fn example() -> (String, Vec<u8>, Vec<u8>) {
    let dir = repo().join("examples/humanitarian-pause");
    let read = |p: &str| std::fs::read(dir.join(p)).expect("example");
    let deal = String::from_utf8(read("deal.toml")).expect("utf8");
    (deal, read("rosters/side-a.csv"), read("rosters/side-b.csv"))
}

#[test]
fn agreeing_every_issue_gives_an_agreed_deal() {
    let (deal, a, b) = example();
    let agreed = fill_in_agreed(
        &deal,
        &[("pause-days", "5"), ("ratio", "2"), ("aid-trucks", "200")],
    )
    .expect("agreed");
    let loaded = load_mem(
        agreed.as_bytes(),
        &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)],
        &LoadOptions::default(),
    );
    let text = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
    let deal = loaded.deal.unwrap_or_else(|| panic!("{text}"));
    assert_eq!(deal.pause.days, 5);
    assert_eq!(deal.exchanges[0].ratio, 2);
    assert!(deal.open_issues.is_empty());
    let record: Vec<(&str, &str)> = deal
        .agreed_terms
        .iter()
        .map(|t| (t.id.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(
        record,
        [("pause-days", "5"), ("ratio", "2"), ("aid-trucks", "200")]
    );
    assert!(truce_spec::AgreedDeal::new(deal).is_ok());
    // Comments of the draft survive the edit.
    assert!(agreed.contains("# one convoy each way"));
}

#[test]
fn agreeing_some_issues_leaves_the_others_open() {
    let (deal, a, b) = example();
    let agreed = fill_in_agreed(&deal, &[("ratio", "3")]).expect("agreed");
    let loaded = load_mem(
        agreed.as_bytes(),
        &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)],
        &LoadOptions::default(),
    );
    let deal = loaded.deal.expect("valid");
    let open: Vec<&str> = deal.open_issues.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(open, ["pause-days", "aid-trucks"]);
}

#[test]
fn wrong_agreements_are_refused() {
    let (deal, _, _) = example();
    let cases: [(&[(&str, &str)], AgreeError); 3] = [
        (&[("weeks", "2")], AgreeError::UnknownIssue("weeks".into())),
        (
            &[("ratio", "7")],
            AgreeError::NotAnOption {
                issue: "ratio".into(),
                value: "7".into(),
                options: "2, 3".into(),
            },
        ),
        (
            &[("ratio", "2"), ("ratio", "3")],
            AgreeError::Twice("ratio".into()),
        ),
    ];
    for (pairs, expected) in cases {
        assert_eq!(fill_in_agreed(&deal, pairs), Err(expected));
    }
    assert!(matches!(
        fill_in_agreed("x = = 1", &[]),
        Err(AgreeError::Parse(_))
    ));
}

#[test]
fn an_agreed_term_cannot_also_be_open() {
    let (deal, a, b) = example();
    let both = format!("{deal}\n[[agreed_term]]\nid = \"ratio\"\nvalue = \"3\"\n");
    let loaded = load_mem(
        both.as_bytes(),
        &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)],
        &LoadOptions::default(),
    );
    assert!(loaded.diagnostics.has_code("duplicate-id"));
}

/// The service fills agreed values into the normalised JSON it holds; a
/// side fills them into its deal file. Both must give the same deal, for
/// every combination of options and every order of the pairs: the deal
/// file route (toml_edit, then the loader) is the oracle.
#[test]
fn resolving_the_normalised_deal_matches_filling_in_the_deal_file() {
    let (deal, a, b) = example();
    let rosters: [(&str, &[u8]); 2] = [("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)];
    let json_of = |text: &str| {
        let loaded = load_mem(text.as_bytes(), &rosters, &LoadOptions::default());
        let text = truce_spec::render_text(&loaded.diagnostics, &loaded.sources);
        serde_json::to_value(loaded.deal.unwrap_or_else(|| panic!("{text}"))).expect("json")
    };
    let draft = json_of(&deal);
    let issues: Vec<(String, Vec<String>)> = draft["open_issues"]
        .as_array()
        .expect("open issues")
        .iter()
        .map(|i| {
            let options = i["options"].as_array().expect("options");
            (
                i["id"].as_str().expect("id").to_owned(),
                options
                    .iter()
                    .map(|o| o.as_str().expect("option").to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(issues.len(), 3, "the example's open issues");
    let mut checked = 0;
    for x in &issues[0].1 {
        for y in &issues[1].1 {
            for z in &issues[2].1 {
                let values = [x, y, z];
                let all: Vec<(&str, &str)> = issues
                    .iter()
                    .zip(values)
                    .map(|((id, _), v)| (id.as_str(), v.as_str()))
                    .collect();
                // All three, in both orders, and the first two only.
                let reversed: Vec<(&str, &str)> = all.iter().rev().copied().collect();
                for agreed in [&all[..], &reversed[..], &all[..2]] {
                    let filled = fill_in_agreed(&deal, agreed).expect("filled");
                    let resolved =
                        truce_spec::resolve_normalised(&draft, agreed).expect("resolved");
                    assert_eq!(resolved, json_of(&filled), "{agreed:?}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 3 * 2 * 3 * 3);
}

#[test]
fn resolving_refuses_what_filling_in_refuses() {
    let (deal, a, b) = example();
    let loaded = load_mem(
        deal.as_bytes(),
        &[("rosters/side-a.csv", &a), ("rosters/side-b.csv", &b)],
        &LoadOptions::default(),
    );
    let draft = serde_json::to_value(loaded.deal.expect("valid")).expect("json");
    for agreed in [
        &[("no-such-issue", "1")][..],
        &[("ratio", "7")][..],
        &[("ratio", "2"), ("ratio", "3")][..],
    ] {
        let from_file = fill_in_agreed(&deal, agreed).expect_err("refused");
        let from_json = truce_spec::resolve_normalised(&draft, agreed).expect_err("refused");
        assert_eq!(from_json, from_file);
    }
    let mut broken = draft.clone();
    broken["open_issues"][0]["sets"] = serde_json::json!("pause.nowhere.deep");
    let err = truce_spec::resolve_normalised(&broken, &[("pause-days", "5")]).expect_err("refused");
    assert!(matches!(err, AgreeError::MissingTerm { .. }), "{err:?}");
}
