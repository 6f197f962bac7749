"""Cross-check `truce plan` against the exact CP-SAT model on random valid deals.

    TRUCE=target/release/truce python compare.py [--count N] [--seed S] [--keep DIR]

For every deal gen_deals.py makes and `truce check` accepts:
  * truce must answer `optimal` or `infeasible` (exit 0 or 1), never
    `feasible` and never exit 2;
  * CP-SAT must agree on infeasibility, or on all four objective values
    (released, days used, largest exposure as an exact fraction, tier-weighted days);
  * both plans must pass both checkers: truce's (`truce check --plan`) and
    checker.py, which recomputes every term and the four values itself.
Exits 1 on any disagreement, printing the deal's folder (kept with --keep)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checker import check  # noqa: E402
from deal import TRUCE, Deal  # noqa: E402
from gen_deals import SHAPES, write_deal  # noqa: E402
from model import Model  # noqa: E402

import random  # noqa: E402


def run(args):
    return subprocess.run(args, capture_output=True, text=True, timeout=600)


def values_of(plan):
    return (sum(plan["released"].values()), plan["days_used"],
            Fraction(plan["max_exposure"]).limit_denominator(10_000),
            plan["tier_weighted_days"])


def one(folder, time_limit):
    """None when the deal is invalid; else (shape-agnostic) list of problems."""
    chk = run([TRUCE, "check", folder, "--format", "json"])
    if chk.returncode != 0:
        return None, None
    deal = Deal(json.loads(chk.stdout))
    problems = []
    plan_path = os.path.join(folder, "truce-plan.json")
    t0 = time.time()
    p = run([TRUCE, "plan", folder, "--format", "json", "--out", plan_path])
    t_truce = time.time() - t0
    if p.returncode not in (0, 1):
        return ["truce plan exit %d: %s" % (p.returncode, p.stderr.strip()[-400:])], None
    plan = json.loads(open(plan_path).read())
    res = Model(deal).solve(time_limit=time_limit, workers=2)
    timing = (t_truce, res.get("wall", 0.0))
    if res["status"] == "unknown":
        return ["cp-sat did not prove level %s in %ss" % (res.get("failed_level"), time_limit)], timing
    if plan["status"] == "feasible":
        problems.append("truce says feasible (unproven %s, gap %s)" % (plan.get("unproven"), plan.get("gap")))
    if res["status"] == "infeasible" or plan["status"] == "infeasible":
        if res["status"] != plan["status"]:
            problems.append("status: truce %s, cp-sat %s" % (plan["status"], res["status"]))
        return problems, timing
    ours = values_of(plan)
    theirs = (res["released"], res["days_used"], res["max_exposure"], res["twd"])
    if ours != theirs:
        problems.append("values: truce %s, cp-sat %s" % (tuple(map(str, ours)), tuple(map(str, theirs))))
    # Both checkers on both plans.
    cp_path = os.path.join(folder, "cpsat-plan.json")
    with open(cp_path, "w") as f:
        json.dump(dict(format_version=1, stages=res["plan"]["stages"]), f)
    for name, path, pl in (("truce", plan_path, plan), ("cp-sat", cp_path, res["plan"])):
        c = run([TRUCE, "check", folder, "--plan", path])
        if c.returncode != 0:
            problems.append("truce check rejects the %s plan: %s" % (name, (c.stdout + c.stderr).strip()[-400:]))
        v, vals = check(deal, pl)
        if v:
            problems.append("checker.py rejects the %s plan: %s" % (name, v[:3]))
        elif name == "truce" and (vals["released"], vals["days_used"], vals["max_exposure"], vals["twd"]) != ours:
            problems.append("checker.py figures of the truce plan differ from its report")
    return problems, timing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=240)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time", type=float, default=60.0, help="CP-SAT limit per level (s)")
    ap.add_argument("--keep", help="write the deals here (default: a temporary folder)")
    ap.add_argument("--deferred", action="store_true",
                    help="give exchange rules a deferral (deferred_days 1 or 2) where the pause allows")
    ap.add_argument("--shapes", default=",".join(SHAPES),
                    help="comma-separated shapes to draw in turn (default: all)")
    a = ap.parse_args()
    shapes = a.shapes.split(",")
    unknown = [x for x in shapes if x not in SHAPES]
    if unknown:
        ap.error("unknown shapes: %s (known: %s)" % (", ".join(unknown), ", ".join(SHAPES)))
    root = a.keep or tempfile.mkdtemp(prefix="truce-oracle-")
    rng = random.Random(a.seed)
    defer = random.Random(a.seed + 7_000_003) if a.deferred else None
    tally = Counter()
    bad = 0
    slowest = (0.0, None)
    i = 0
    made = 0
    while made < a.count and i < a.count * 4:
        shape = shapes[i % len(shapes)]
        folder = os.path.join(root, "deal-%04d" % i)
        write_deal(folder, i, shape, rng, defer)
        i += 1
        problems, timing = one(folder, a.time)
        if problems is None:
            continue
        made += 1
        tally[shape] += 1
        if timing and timing[0] > slowest[0]:
            slowest = (timing[0], folder)
        if problems:
            bad += 1
            print("MISMATCH %s (%s):" % (folder, shape))
            for pr in problems:
                print("   ", pr)
    print("oracle: %d valid deals%s (%s), %d disagree; slowest truce run %.2fs (%s)" %
          (made, " with deferrals" if a.deferred else "",
           ", ".join("%s %d" % kv for kv in sorted(tally.items())), bad, slowest[0], slowest[1]))
    if made < a.count:
        print("oracle: only %d valid deals from %d drawn" % (made, i))
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
