"""The planner's peer in BENCHMARKS.md: the exact CP-SAT model of oracle/
(2 workers) on `truce generate` deals, measured in the same run as truce.

    TRUCE=target/release/truce python cpsat_bench.py [--time 600]

For each deal (captives 500 / 2,000 / 10,000, i.e. 2,000 / 8,000 / 40,000
persons; base days 4 and 30, i.e. 7- and 46-day horizons; seed 1) it prints
CP-SAT's model build and solve wall time (all four levels) and its four
values, and truce's in-process planning time is taken from the divan
benchmark `cargo bench -p truce-plan --bench plan` (same deals, same seed)."""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "oracle"))
from deal import TRUCE, Deal, load_normalised  # noqa: E402
from model import Model  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", type=float, default=600.0)
    ap.add_argument("--out", default="/tmp/truce-bench-deals")
    a = ap.parse_args()
    print("| captives | persons | horizon | CP-SAT build | CP-SAT solve | CP-SAT total | values |")
    print("|---|---|---|---|---|---|---|")
    for captives in (500, 2000, 10000):
        for days in (4, 30):
            folder = os.path.join(a.out, "g-%d-%d" % (captives, days))
            subprocess.run([TRUCE, "generate", "--persons", str(captives), "--days", str(days),
                            "--seed", "1", "--out", folder, "--force"], check=True,
                           capture_output=True)
            deal = Deal(load_normalised(folder))
            t0 = time.time()
            res = Model(deal).solve(time_limit=a.time, workers=2)
            total = time.time() - t0
            vals = ("%s %s %s %s" % (res.get("released"), res.get("days_used"),
                                     res.get("max_exposure"), res.get("twd"))
                    if res["status"] == "optimal" else res["status"])
            print("| %d | %d | %d | %.2f s | %.2f s | %.2f s | %s |" % (
                captives, 4 * captives, deal.horizon, res.get("build_s", 0.0), res["wall"],
                total, vals), flush=True)


if __name__ == "__main__":
    main()
