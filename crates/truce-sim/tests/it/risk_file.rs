//! Risk model files: every default documented, every bad value located.

use truce_sim::{RiskModel, parse_risk};

#[test]
fn an_empty_file_is_the_illustrative_default() {
    assert_eq!(parse_risk("risk.toml", "").unwrap(), RiskModel::default());
}

#[test]
fn the_documented_example_is_the_default() {
    let text = include_str!("../../../../docs/risk.example.toml");
    assert_eq!(parse_risk("risk.toml", text).unwrap(), RiskModel::default());
}

#[test]
fn bad_values_name_their_line_and_column() {
    for (text, line, column, needle) in [
        ("[collapse]\ndaily = 1.5\n", 2, 1, "not a probability"),
        ("[collapse]\ndialy = 0.1\n", 2, 1, "unknown field `dialy`"),
        ("[handover]\ndelay = \"often\"\n", 2, 9, "invalid type"),
        ("format_version = 2\n", 1, 1, "format_version 2"),
        ("[suspension]\ndays_min = 3\ndays_max = 2\n", 2, 1, "3..=2"),
        ("[collapse]\nby_day = [0, 2]\n", 2, 1, "day 2"),
        ("[breach]\nopen_days_min = 0\n", 2, 1, "must start at 1"),
        ("[breach]\nopen_days_max = 9999\n", 2, 1, "within 3650 days"),
        (
            "[breach]\ndaily = 0.1\n[suspension]\ndays_min = 5\n",
            4,
            1,
            "5..=2",
        ),
        ("[collapse\n", 1, 10, ""),
    ] {
        let e = parse_risk("risk.toml", text).unwrap_err();
        assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
        assert!(e.message.contains(needle), "{text:?}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("risk.toml:{line}:{column}: "))
        );
    }
}
