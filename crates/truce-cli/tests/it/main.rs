//! Integration tests of the `truce` binary: command-line cases as data
//! (tests/cmd/*.toml and *.md: arguments, exit code, stdout, stderr).

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .default_bin_name("truce")
        .register_bin("truce", trycmd::cargo::cargo_bin!("truce"))
        // A user's RUST_BACKTRACE must not change what truce prints.
        .env("RUST_BACKTRACE", "1")
        .case("tests/cmd/*.toml")
        .case("tests/cmd/*.md");
}

mod demo;
mod demo_serve;
mod inputs;
mod keys;
mod replan;
mod service;
mod simulate;
mod support;
