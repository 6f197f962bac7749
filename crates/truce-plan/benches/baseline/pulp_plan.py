#!/usr/bin/env python3
"""Baseline for the staged-exchange planner: the MIP an analyst would write first.

A measurement tool, not product code. It reads a deal the way truce does
(deal.toml with Python's tomllib, roster CSVs beside it), builds one binary
x[p,d] per person p and day d, solves it with the CBC solver shipped in the
PuLP wheel, and prints the objective figures as JSON.

    pip install pulp
    python3 pulp_plan.py DEAL_DIR_OR_TOML [--time-limit 300] [--plan-out PLAN.json]

Formulation (docs.md "Semantics"; one handover per holder a day, payers
first, the same reading as truce's canonical day):

  x[p,d]  in {0,1}  person p released on day d (base days, then extension days;
                    only the release_days when the deal lists them)
  y[h,d]  in {0,1}  holder h releases on day d (for min_per_day, handovers, days used)
  e[d]    in {0,1}  extension day d is earned
  z[h,t,d] in {0,1} holder h has released a tier-t person by day d (strict priority)
  U       integer   last day used

  each person at most once; a family (holder, group) on the same day;
  per roster: min_per_day*y <= released that day <= max_per_day*y; total_min/total_max;
  intermediary: persons that day <= capacity_per_day, holders releasing <= handovers_per_day;
  each exchange rule, each day: receives-count = ratio * gives-count;
  exposure: each rule's gives-count on a day <= max_exposure (paid in one go,
            so the day's peak exposure is exactly the gives-count);
  strict priority (cumulative): x[p,d] <= z[h,t(p),d], z non-decreasing in d,
            sum of released persons of h with tier < t by day d >= N_{h,<t} * z[h,t,d];
  extension: e[d] <= e[d-1]; y[h,d] <= e[d]; releases by `by` on d >= per_releases*e[d];
  U >= d * y[h,d].

Objective (one weighted sum, maximised):
  W1 * released - W2 * U + S,
  S  = sum_p w(p) * (D + 1 - d) * x[p,d]  (tier savings, i.e. level 4 of truce:
       tier_weighted_days = sum_p w(p) * (D+1) - S), w = T + 1 - tier,
  W2 = Smax + 1 with Smax = sum_p w(p) * D, W1 = W2 * (D + 1) + Smax + 1,
  so released dominates days, which dominate tier savings. Level 3 of truce
  (smallest max exposure) is not in this objective; the bound is a constraint.
"""

import argparse
import csv
import json
import os
import re
import sys
import time
import tomllib

import pulp


def read_deal(path):
    """deal.toml + rosters -> (deal dict, list of persons)."""
    if os.path.isdir(path):
        path = os.path.join(path, "deal.toml")
    with open(path, "rb") as f:
        deal = tomllib.load(f)
    base = os.path.dirname(path)
    persons = []  # dicts: id, holder, category, group
    for r in deal.get("roster", []):
        with open(os.path.join(base, r["file"]), encoding="utf-8-sig", newline="") as f:
            lines = [l for l in f if not l.lstrip().startswith("#")]
        rows = csv.reader(lines)
        header = [h.strip().lower() for h in next(rows)]
        ci, cc = header.index("id"), header.index("category")
        cg = header.index("group") if "group" in header else None
        for row in rows:
            if not row or all(not c.strip() for c in row):
                continue
            g = row[cg].strip() if cg is not None and cg < len(row) else ""
            persons.append({"id": row[ci].strip(), "holder": r["holder"],
                            "category": row[cc].strip(), "group": g or None})
    return deal, persons


def progress(t0, what):
    """Build progress on stderr (to tell how far a too-large model got)."""
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"[{time.perf_counter() - t0:8.1f} s, peak {rss} MB] {what}", file=sys.stderr, flush=True)


def build_and_solve(deal, persons, time_limit, threads, log_path):
    t0 = time.perf_counter()
    tiers = {c["id"]: c["tier"] for c in deal.get("category", [])}
    T = max(tiers.values()) if tiers else 1
    rel = deal.get("release", {})
    strict = rel.get("priority", "strict") == "strict"
    keep = rel.get("keep_groups_together", True)
    max_exp = rel.get("max_exposure")

    # Effective tier: the best tier in the person's family when families are kept together.
    fam = {}
    for i, p in enumerate(persons):
        if keep and p["group"]:
            fam.setdefault((p["holder"], p["group"]), []).append(i)
    eff = [tiers[p["category"]] for p in persons]
    for members in fam.values():
        best = min(eff[i] for i in members)
        for i in members:
            eff[i] = best
    weight = [T + 1 - t for t in eff]

    # Days: base days, then extension days; only release_days if listed.
    base_days = deal["pause"]["days"]
    ext = deal["pause"].get("extension")
    last = base_days + (ext["max_days"] if ext else 0)
    days = list(range(1, last + 1))
    if rel.get("release_days"):
        days = [d for d in days if d in set(rel["release_days"])]
    D = last

    holders = [r["holder"] for r in deal.get("roster", [])]
    by_holder = {h: [i for i, p in enumerate(persons) if p["holder"] == h] for h in holders}
    roster = {r["holder"]: r for r in deal.get("roster", [])}

    prob = pulp.LpProblem("truce_baseline", pulp.LpMaximize)
    x = {(i, d): pulp.LpVariable(f"x_{i}_{d}", cat="Binary")
         for i in range(len(persons)) for d in days}
    y = {(h, d): pulp.LpVariable(f"y_{hi}_{d}", cat="Binary")
         for hi, h in enumerate(holders) for d in days}
    U = pulp.LpVariable("U", lowBound=0, upBound=D, cat="Integer")
    progress(t0, f"{len(x)} x variables created")

    # Objective.
    smax = sum(weight) * D
    W2 = smax + 1
    W1 = W2 * (D + 1) + smax + 1
    released = pulp.lpSum(x.values())
    savings = pulp.lpSum(weight[i] * (D + 1 - d) * v for (i, d), v in x.items())
    prob += W1 * released - W2 * U + savings
    progress(t0, "objective built")

    # Each person at most once.
    for i in range(len(persons)):
        prob += pulp.lpSum(x[i, d] for d in days) <= 1
    # Families on the same day.
    for members in fam.values():
        for i in members[1:]:
            for d in days:
                prob += x[i, d] == x[members[0], d]
    # Per-roster limits and totals; y links; days used.
    for h in holders:
        r, ps = roster[h], by_holder[h]
        mx = min(r.get("max_per_day", len(ps)), len(ps))
        for d in days:
            day_h = pulp.lpSum(x[i, d] for i in ps)
            prob += day_h <= mx * y[h, d]
            if r.get("min_per_day"):
                prob += day_h >= r["min_per_day"] * y[h, d]
            prob += U >= d * y[h, d]
        tot = pulp.lpSum(x[i, d] for i in ps for d in days)
        if r.get("total_min") is not None:
            prob += tot >= r["total_min"]
        if r.get("total_max") is not None:
            prob += tot <= r["total_max"]
    progress(t0, "once, families, roster limits built")
    # Intermediary.
    inter = [p for p in deal["party"] if p["role"] == "intermediary"]
    via = rel.get("via") or (inter[0]["id"] if len(inter) == 1 else None)
    if via:
        party = next(p for p in inter if p["id"] == via)
        for d in days:
            if "capacity_per_day" in party:
                prob += pulp.lpSum(x[i, d] for i in range(len(persons))) <= party["capacity_per_day"]
            prob += pulp.lpSum(y[h, d] for h in holders) <= party.get("handovers_per_day", 2)
    # Exchange rules: exact counter-release each day; exposure bound on the gives-count.
    for k, rule in enumerate(deal.get("exchange", [])):
        g, rc = rule["gives"], rule["receives"]
        gs = [i for i in by_holder.get(g["holder"], []) if persons[i]["category"] in g["categories"]]
        rs = [i for i in by_holder.get(rc["holder"], []) if persons[i]["category"] in rc["categories"]]
        for d in days:
            gives = pulp.lpSum(x[i, d] for i in gs)
            prob += pulp.lpSum(x[i, d] for i in rs) == rule["ratio"] * gives
            if max_exp is not None:
                prob += gives <= max_exp
    # Strict priority, cumulative by day.
    if strict:
        for hi, h in enumerate(holders):
            ts = sorted({eff[i] for i in by_holder[h]})
            for t in ts[1:]:
                below = [i for i in by_holder[h] if eff[i] < t]
                z = {d: pulp.LpVariable(f"z_{hi}_{t}_{d}", cat="Binary") for d in days}
                for j, d in enumerate(days):
                    if j:
                        prob += z[days[j - 1]] <= z[d]
                    prob += pulp.lpSum(x[i, dd] for i in below for dd in days[: j + 1]) >= len(below) * z[d]
                for i in by_holder[h]:
                    if eff[i] == t:
                        for d in days:
                            prob += x[i, d] <= z[d]
    # Extension days: consecutive, each earned by `by` that day; nothing on an unearned day.
    if ext:
        e = {d: pulp.LpVariable(f"e_{d}", cat="Binary") for d in days if d > base_days}
        prev = None
        for d in sorted(e):
            if prev is not None:
                prob += e[d] <= e[prev]
            prev = d
            prob += pulp.lpSum(x[i, d] for i in by_holder[ext["by"]]) >= ext["per_releases"] * e[d]
            for h in holders:
                prob += y[h, d] <= e[d]

    t_build = time.perf_counter() - t0
    progress(t0, "model built; CBC starts")
    n_vars, n_cons = len(prob.variables()), len(prob.constraints)
    t1 = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=threads, logPath=log_path)
    prob.solve(solver)
    t_solve = time.perf_counter() - t1

    # Read back the incumbent (none when CBC found no integer solution: the
    # variables then hold no plan and nothing is reported).
    day_of = {}
    have = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    for (i, d), v in x.items():
        if have and v.varValue is not None and v.varValue > 0.5:
            day_of[i] = d
    rel_by = {h: sum(1 for i in by_holder[h] if i in day_of) for h in holders}
    used = max(day_of.values(), default=0)
    twd = sum(weight[i] * day_of.get(i, D + 1) for i in range(len(persons)))
    out = {
        "persons": len(persons), "days": len(days),
        "variables": n_vars, "constraints": n_cons,
        "status": pulp.LpStatus[prob.status],
        "solution_status": pulp.LpSolution.get(prob.sol_status, str(prob.sol_status)),
        "released": sum(rel_by.values()) if have else None,
        "released_per_holder": rel_by if have else None,
        "days_used": used if have else None, "tier_weighted_days": twd if have else None,
        "objective_offset": sum(weight) * (D + 1),  # tier_weighted_days = offset - savings
        "weights": {"released": W1, "days_used": W2, "tier_savings": 1},
        "build_seconds": round(t_build, 3), "solve_seconds": round(t_solve, 3),
        "total_seconds": round(t_build + t_solve, 3),
    }
    out.update(parse_cbc_log(log_path))
    return out, day_of


def parse_cbc_log(path):
    """CBC's closing lines: result, objective, bound, gap."""
    res = {}
    try:
        text = open(path).read()
    except OSError:
        return res
    m = re.search(r"Result - (.*)", text)
    if m:
        res["cbc_result"] = m.group(1).strip()
    for key, pat in [("cbc_objective", r"Objective value:\s*(\S+)"),
                     ("cbc_bound", r"(?:Lower|Upper) bound:\s*(\S+)"),
                     ("cbc_gap", r"Gap:\s*(\S+)")]:
        m = re.search(pat, text)
        if m:
            res[key] = m.group(1)
    return res


def to_plan_json(deal, persons, day_of):
    """The incumbent in truce's plan JSON shape: one handover per holder a day,
    payers before payees (every rule's gives-holder first)."""
    holders = [r["holder"] for r in deal.get("roster", [])]
    payers = {r["gives"]["holder"] for r in deal.get("exchange", [])}
    order = sorted(holders, key=lambda h: 0 if h in payers else 1)
    inter = [p["id"] for p in deal["party"] if p["role"] == "intermediary"]
    via = deal.get("release", {}).get("via") or (inter[0] if len(inter) == 1 else None)
    stages = []
    for d in sorted(set(day_of.values())):
        hs = []
        for h in order:
            ids = [persons[i]["id"] for i, dd in day_of.items() if dd == d and persons[i]["holder"] == h]
            if ids:
                hs.append({"from": h, "via": via, "persons": ids})
        stages.append({"day": d, "handovers": hs})
    return {"format_version": 1, "deal": deal["name"], "stages": stages}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("deal")
    ap.add_argument("--time-limit", type=float, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log", default="/tmp/pulp_plan_cbc.log")
    ap.add_argument("--days-out", help="write {person id: day} of the incumbent as JSON")
    ap.add_argument("--plan-out", help="write the incumbent as a truce plan JSON (for `truce check --plan`)")
    a = ap.parse_args()
    deal, persons = read_deal(a.deal)
    out, day_of = build_and_solve(deal, persons, a.time_limit, a.threads, a.log)
    out["pulp_version"] = pulp.__version__
    if a.days_out:
        with open(a.days_out, "w") as f:
            json.dump({persons[i]["id"]: d for i, d in day_of.items()}, f)
    if a.plan_out:
        with open(a.plan_out, "w") as f:
            json.dump(to_plan_json(deal, persons, day_of), f, indent=1)
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
