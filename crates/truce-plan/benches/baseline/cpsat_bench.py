"""The planner's peer in BENCHMARKS.md: the exact CP-SAT model of oracle/
(2 workers) on `truce generate` deals, measured in the same run as truce.

    TRUCE=target/release/truce python cpsat_bench.py [--time 600]

For each deal (captives 500 / 2,000 / 10,000, i.e. 2,000 / 8,000 / 40,000
persons; base days 4 and 30, i.e. 7- and 46-day horizons; seed 1) it prints
CP-SAT's model build and solve wall time (all four levels) and its four
values, and truce's in-process planning time is taken from the divan
benchmark `cargo bench -p truce-plan --bench plan` (same deals, same seed).

With `--deferred`: captives 5 / 10 / 20 / 50 / 100, base days 4, every exchange rule
given `deferred_days = 1` (the divan bench `generated_deferred_7_day_horizon`).

With `--three-rules`: the January 2025 replay's three exchange rules at 1, 4
and 16 times its persons (the divan bench `three_rules_scaled`, written here
as the bench writes it)."""
import re
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
    ap.add_argument("--deferred", action="store_true",
                    help="small deals whose exchange rules defer by one day")
    ap.add_argument("--three-rules", action="store_true",
                    help="the three-rule deals of the divan bench three_rules_scaled")
    a = ap.parse_args()
    if a.three_rules:
        return three_rules_main(a)
    sizes = [(c, 4) for c in (5, 10, 20, 50, 100)] if a.deferred else \
        [(c, d) for c in (500, 2000, 10000) for d in (4, 30)]
    print("| captives | persons | horizon | CP-SAT build | CP-SAT solve | CP-SAT total | values |")
    print("|---|---|---|---|---|---|---|")
    for captives, days in sizes:
        folder = os.path.join(a.out, "g-%d-%d%s" % (captives, days, "-deferred" if a.deferred else ""))
        subprocess.run([TRUCE, "generate", "--persons", str(captives), "--days", str(days),
                        "--seed", "1", "--out", folder, "--force"], check=True,
                       capture_output=True)
        if a.deferred:
            path = os.path.join(folder, "deal.toml")
            text = open(path).read()
            text = re.sub(r"(?m)^(ratio = \d+)$", r"\1\ndeferred_days = 1", text)
            open(path, "w").write(text)
        deal, res, total, vals = solve(folder, a.time)
        print("| %d | %d | %d | %.2f s | %.2f s | %.2f s | %s |" % (
            captives, 4 * captives, deal.horizon, res.get("build_s", 0.0), res["wall"],
            total, vals), flush=True)


def solve(folder, time_limit):
    """The deal in `folder` solved by CP-SAT (2 workers): the deal, the
    result, the total seconds (build and solve) and the four values (or the
    status when not optimal)."""
    deal = Deal(load_normalised(folder))
    t0 = time.time()
    res = Model(deal).solve(time_limit=time_limit, workers=2)
    total = time.time() - t0
    vals = ("%s %s %s %s" % (res.get("released"), res.get("days_used"),
                             res.get("max_exposure"), res.get("twd"))
            if res["status"] == "optimal" else res["status"])
    return deal, res, total, vals


def three_rules_deal(folder, s):
    """The divan bench's `three_rules(s)`: the same text and rosters."""
    rules = [("civilian", 1, 5 * s, 30), ("soldier", 2, 5 * s, 50), ("man", 3, 6 * s, 61)]
    deal = ('format_version = 1\nname = "three rules x%d"\n\n'
            '[[party]]\nid = "side-b"\nrole = "side"\n\n'
            '[[party]]\nid = "side-a"\nrole = "side"\n\n'
            '[[party]]\nid = "relief"\nrole = "intermediary"\n\n'
            '[pause]\ndays = 42\n\n' % s)
    b, a = ["id,category"], ["id,category"]
    for cat, tier, n, ratio in rules:
        deal += ('[[category]]\nid = "%s"\ntier = %d\n\n'
                 '[[category]]\nid = "for-%s"\ntier = 1\n\n' % (cat, tier, cat))
        for _ in range(n):
            b.append("B-%05d,%s" % (len(b), cat))
        for _ in range(n * ratio):
            a.append("A-%06d,for-%s" % (len(a), cat))
    deal += ('[[roster]]\nholder = "side-b"\nfile = "rosters/side-b.csv"\nmax_per_day = %d\n\n'
             '[[roster]]\nholder = "side-a"\nfile = "rosters/side-a.csv"\n\n' % (4 * s))
    for cat, _, _, ratio in rules:
        deal += ('[[exchange]]\ngives = { holder = "side-b", categories = ["%s"] }\n'
                 'receives = { holder = "side-a", categories = ["for-%s"] }\nratio = %d\n\n'
                 % (cat, cat, ratio))
    deal += '[release]\npriority = "strict"\nvia = "relief"\nrelease_days = [1, 7, 12, 14, 21]\n'
    os.makedirs(os.path.join(folder, "rosters"), exist_ok=True)
    with open(os.path.join(folder, "deal.toml"), "w") as f:
        f.write(deal)
    for name, rows in (("side-b", b), ("side-a", a)):
        with open(os.path.join(folder, "rosters", name + ".csv"), "w") as f:
            f.write("\n".join(rows) + "\n")


def three_rules_main(a):
    print("| scale | persons | CP-SAT build | CP-SAT solve | CP-SAT total | values |")
    print("|---|---|---|---|---|---|")
    for s in (1, 4, 16):
        folder = os.path.join(a.out, "three-rules-%d" % s)
        three_rules_deal(folder, s)
        _, res, total, vals = solve(folder, a.time)
        print("| %d | %d | %.2f s | %.2f s | %.2f s | %s |" % (
            s, 16 * s + 766 * s, res.get("build_s", 0.0), res["wall"], total, vals), flush=True)


if __name__ == "__main__":
    main()
