//! Every bad-deal fixture: the rendered diagnostics are snapshots, and every
//! problem names its place and a fix.

use truce_spec::Severity;

use crate::{load_dir, subdirs};

#[test]
fn bad_fixtures_render_as_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let fixtures = subdirs(&dir);
    assert!(fixtures.len() >= 30, "the bad fixtures are missing");
    for (name, path) in fixtures {
        let loaded = load_dir(&path);
        let d = &loaded.diagnostics;
        if name.starts_with("warnings-") {
            assert!(
                loaded.deal.is_some(),
                "{name}: warnings must not fail a check"
            );
            assert!(d.warning_count() > 0, "{name}: expected warnings");
        } else {
            assert!(loaded.deal.is_none(), "{name}: the deal must be rejected");
            assert!(d.error_count() > 0, "{name}: expected errors");
        }
        for diag in d.iter() {
            assert!(
                diag.help.is_some(),
                "{name}: `{}` says no fix",
                diag.message
            );
            assert!(!diag.message.ends_with('.'), "{name}: `{}`", diag.message);
        }
        let text = truce_spec::render_text(d, &loaded.sources);
        for line in text
            .lines()
            .filter(|l| l.starts_with("error") || l.starts_with("warning"))
        {
            let rest = line.split_once(": ").map(|(_, r)| r).unwrap_or("");
            let place = rest.split(": ").next().unwrap_or("");
            assert!(
                place.split(':').count() == 3 || line.contains("more problems of the kind"),
                "{name}: `{line}` does not start with FILE:LINE:COL"
            );
        }
        let json =
            serde_json::to_string_pretty(&truce_spec::to_json(d, &loaded.sources)).expect("json");
        insta::assert_snapshot!(
            format!("bad__{name}"),
            format!("{text}\n--- json ---\n{json}")
        );
        // Exit code class: only a deal file that is not TOML is "unreadable".
        let syntax = d.iter().any(|x| x.code == "toml-syntax");
        assert_eq!(loaded.unreadable, syntax, "{name}: unreadable flag");
        let severities: Vec<Severity> = d.iter().map(|x| x.severity).collect();
        assert!(!severities.is_empty(), "{name}");
    }
}
