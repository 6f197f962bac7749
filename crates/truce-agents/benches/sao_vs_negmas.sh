#!/usr/bin/env bash
# NegMAS 0.16 and truce on the same domains in one run, NegMAS right before
# truce for each domain and pair, negotiations per CPU second (100 rounds).
# Run from the repository root after
#   cargo build --release -p truce-agents --example cold_sessions
# with NegMAS's venv active (or NEGMAS_PYTHON set) and the shared baseline at
# ../shared/tools/negmas-baseline. Usage: sao_vs_negmas.sh [NEGMAS_S] [TRUCE_S]
set -u
NEGMAS_S=${1:-6}
TRUCE_S=${2:-2}
TRUCE=$PWD
COLD=${COLD:-$TRUCE/target/release/examples/cold_sessions}
PY=${NEGMAS_PYTHON:-python}
BASE=${NEGMAS_BASELINE:-$TRUCE/../shared/tools/negmas-baseline}
OUT=${OUT:-/tmp/negmas-bench-cpu}
DOMAINS=${DOMAINS:-"Laptop ItexvsCypress Grocery Party anl2023-domain00 Car Wholesaler Travel \
Amsterdam Camera EnglandZimbabwe FiftyFiftyB IS_BT_Acquisition IntegerDomain JapnTrip NiceOrDie \
SmartPhone anl2023-domain01 anl2023-domain09 Energy"}
PAIR_DOMAINS=${PAIR_DOMAINS:-"Laptop ItexvsCypress Party anl2023-domain00"}
negmas() { # PAIR DOMAIN
    (cd "$BASE" && SAO_PAIRS=$1 SAO_VARIANTS=negmas_raw,as_loaded SAO_MAX_SECONDS=$NEGMAS_S \
        "$PY" "$TRUCE"/crates/truce-agents/benches/negmas_cpu.py "$OUT" 300 "$2")
}
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for d in $DOMAINS; do
    negmas aspiration_vs_boulwareTB "$d"
    "$COLD" "$TRUCE_S" "$d" | tail -n +2
done
for pair in boulwareTB_vs_concederTB:boulware,conceder aspiration_vs_naiveTFT:aspiration,tit-for-tat; do
    for d in $PAIR_DOMAINS; do
        negmas "${pair%%:*}" "$d"
        "$COLD" "$TRUCE_S" --agents "${pair#*:}" "$d" | tail -n +2
    done
done
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
