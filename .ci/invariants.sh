#!/usr/bin/env bash
# The invariants of ARCHITECTURE.md that a machine can check, checked.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
fail() { echo "invariant broken: $*"; status=1; }
# Source lines that are not comments.
code() { grep -rnE "$1" "${@:2}" | grep -vE '^[^:]+:[0-9]+:\s*//' || true; }

# 1. Core crates do no I/O and read no clock: their library sources name no
# clock, file system, network, environment, process or standard stream and
# print nothing (a library returns text; the CLI prints it); their
# [dependencies] hold no runtime, database or OS randomness. Tests, benches
# and examples may.
core=(truce-spec truce-plan truce-negotiate truce-ledger truce-agents truce-exec truce-sim)
forbidden='std::time::(Instant|SystemTime)|Instant::now|SystemTime::now|std::fs\b|std::env\b|std::net\b|std::process\b|std::io::(stdin|stdout|stderr)|\b(e?println|e?print|dbg)!\('
for crate in "${core[@]}"; do
    hits=$(code "$forbidden" "crates/$crate/src")
    [ -z "$hits" ] || fail "core crate $crate does I/O or reads the clock:"$'\n'"$hits"
    if awk '/^\[/{deps = ($0 == "[dependencies]")} deps' "crates/$crate/Cargo.toml" |
        grep -nE '^(tokio|sqlx|hyper|axum|getrandom|reqwest)\b'; then
        fail "core crate $crate depends on a runtime, a database or the OS's randomness"
    fi
done

# 2. Every file the CLI reads goes through files.rs (regular files under
# their kind's cap): no other module opens or reads a file.
hits=$(code 'fs::(read|read_to_string)\(|fs::File|File::open|read_to_(end|string)\(' crates/truce-cli/src |
    grep -v '^crates/truce-cli/src/files.rs:' || true)
[ -z "$hits" ] || fail "the CLI reads a file outside files.rs:"$'\n'"$hits"

# 3. ARCHITECTURE.md names every fuzz target fuzz/Cargo.toml builds.
for target in $(awk '/^\[\[bin\]\]/{bin=1} bin && /^name *=/{gsub(/[" ]/, "", $0); sub(/name=/, ""); print; bin=0}' fuzz/Cargo.toml); do
    grep -q "\`$target\`" ARCHITECTURE.md || fail "fuzz target $target is not in ARCHITECTURE.md"
done

# 4. Exit codes are decided in one place: only error.rs and main.rs name
# them, and no module exits the process by itself.
hits=$(code 'process::exit|ExitCode::from' crates/truce-cli/src |
    grep -vE '^crates/truce-cli/src/(main|error)\.rs:' || true)
[ -z "$hits" ] || fail "an exit code is decided outside main.rs/error.rs:"$'\n'"$hits"

# 5. No module imports another that imports it back.
python3 .ci/module-cycles.py . || fail "a module cycle (above)"

[ "$status" = 0 ] && echo "invariants hold: core crates pure (${core[*]}), CLI reads through files.rs, fuzz targets listed, exit codes in one place, no new module cycles"
exit "$status"
