//! Every bad-deal fixture (`tests/fixtures/bad/*/deal.toml`), one case each
//! (`insta::glob!`): the rendered diagnostics are snapshots, and every
//! problem names its place and a fix. A fixture that breaks a rule does not
//! hide the fixtures after it: every one is checked and every failure listed.

use truce_spec::Loaded;

use crate::load_dir;

#[test]
fn bad_fixtures_render_as_snapshots() {
    let mut fixtures = 0;
    let mut failures = Vec::new();
    insta::glob!("../fixtures/bad", "*/deal.toml", |path| {
        fixtures += 1;
        let dir = path.parent().expect("the fixture's folder");
        let name = dir
            .file_name()
            .expect("a folder name")
            .to_string_lossy()
            .into_owned();
        let loaded = load_dir(dir);
        failures.extend(
            problems(&name, &loaded)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
        let d = &loaded.diagnostics;
        let text = truce_spec::render_text(d, &loaded.sources);
        let json =
            serde_json::to_string_pretty(&truce_spec::to_json(d, &loaded.sources)).expect("json");
        insta::assert_snapshot!(format!("{text}\n--- json ---\n{json}"));
    });
    assert!(fixtures >= 30, "the bad fixtures are missing");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is wrong with how a bad fixture was reported (nothing, when each
/// problem names its place and a fix, and the deal is refused or warned
/// about as its name says).
fn problems(name: &str, loaded: &Loaded) -> Vec<String> {
    let d = &loaded.diagnostics;
    let mut out = Vec::new();
    if name.starts_with("warnings-") {
        if loaded.deal.is_none() {
            out.push("warnings must not fail a check".to_owned());
        }
        if d.warning_count() == 0 {
            out.push("expected warnings".to_owned());
        }
    } else {
        if loaded.deal.is_some() {
            out.push("the deal must be rejected".to_owned());
        }
        if d.error_count() == 0 {
            out.push("expected errors".to_owned());
        }
    }
    for diag in d.iter() {
        if diag.help.is_none() {
            out.push(format!("`{}` says no fix", diag.message));
        }
        if diag.message.ends_with('.') {
            out.push(format!("`{}` ends with a full stop", diag.message));
        }
    }
    let text = truce_spec::render_text(d, &loaded.sources);
    for line in text
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("warning"))
    {
        let rest = line.split_once(": ").map(|(_, r)| r).unwrap_or("");
        let place = rest.split(": ").next().unwrap_or("");
        if place.split(':').count() != 3 && !line.contains("more problems of the kind") {
            out.push(format!("`{line}` does not start with FILE:LINE:COL"));
        }
    }
    // Exit code class: only a deal file that is not TOML is "unreadable".
    let syntax = d.iter().any(|x| x.code == "toml-syntax");
    if loaded.unreadable != syntax {
        out.push(format!("unreadable is {}, not {syntax}", loaded.unreadable));
    }
    if d.iter().next().is_none() {
        out.push("no diagnostic".to_owned());
    }
    out
}
