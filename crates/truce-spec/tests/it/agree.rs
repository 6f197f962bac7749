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
