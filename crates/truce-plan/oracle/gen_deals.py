"""Random small valid deals of many shapes, written as deal folders
(deal.toml + rosters/*.csv) for the oracle comparison (compare.py).

Shapes, each drawn in turn so every corpus has all of them:
  pair        one rule, side-b pays side-a (the planner's fast path shape)
  two-rules   side-b pays side-a under two rules at different ratios
  three-rules side-b pays side-a under three rules, one per tier on each side
              (side-a's three categories in one tier half of the time)
  chain       side-a pays side-b, side-b pays side-c
  cycle       side-b pays side-a and side-a pays side-b (a cycle between holders)
  cycle3      side-a pays side-b, side-b pays side-c, side-c pays side-a
  free        weighted priority, categories released outside any rule
  chunks      four to six handovers a day and a tight exposure bound, so paying
              in several handovers a day is what meets it
  none        no exchange rule
Independently of the shape: no intermediary, one, or several (with `via` in
[release], or routes: `via` per roster or per category, each intermediary
with its own capacity and handovers a day);
weekly-like `release_days`; an extension; per-day and total limits; groups.

With a second generator (`compare.py --deferred`), exchange rules defer
their counter-releases by 1 or 2 days (`deferred_days`, within the pause),
and intermediaries often run one convoy a day (where only a deferral lets
both sides of a rule release).

Deterministic for a seed (Python's `random.Random`). Only the deal text is
written here; compare.py keeps the deals `truce check` accepts (a random
combination of limits can contradict itself, which the loader reports)."""
import os
import random
import sys

SHAPES = ["pair", "two-rules", "chain", "cycle", "cycle3", "free", "chunks", "none",
          "three-rules"]

# Per holder: three categories at tiers 1, 2, 3.
CATS = {h: ["%s%d" % (h[-1], t) for t in (1, 2, 3)] for h in ("side-a", "side-b", "side-c")}


def maybe(rng, p, f):
    return f() if rng.random() < p else None


def rules_for(shape, rng):
    """[(payer, [categories], payee, [categories], ratio)] with every
    (holder, category) in at most one rule, on one side."""
    r = lambda: rng.randint(1, 3)
    a, b, c = CATS["side-a"], CATS["side-b"], CATS["side-c"]
    if shape in ("pair", "chunks"):
        gives = [x for x in b if rng.random() < 0.7] or [b[0]]
        return [("side-b", gives, "side-a", [x for x in a if rng.random() < 0.8] or [a[0]], r())]
    if shape == "two-rules":
        return [("side-b", [b[0], b[1]], "side-a", [a[0]], r()),
                ("side-b", [b[2]], "side-a", [a[1], a[2]], r())]
    if shape == "three-rules":
        return [("side-b", [b[0]], "side-a", [a[0]], r()),
                ("side-b", [b[1]], "side-a", [a[1]], r()),
                ("side-b", [b[2]], "side-a", [a[2]], r())]
    if shape == "chain":
        return [("side-a", [a[0], a[1]], "side-b", [b[0]], r()),
                ("side-b", [b[1]], "side-c", [c[0], c[1]], r())]
    if shape == "cycle":
        return [("side-b", [b[0]], "side-a", [a[0], a[1]], r()),
                ("side-a", [a[2]], "side-b", [b[1]], r())]
    if shape == "cycle3":
        return [("side-a", [a[0]], "side-b", [b[1]], r()),
                ("side-b", [b[0]], "side-c", [c[1]], r()),
                ("side-c", [c[0]], "side-a", [a[1]], r())]
    if shape == "free":
        return [("side-b", [b[0]], "side-a", [a[0]], r())]
    return []


def deal_text(i, shape, rng, defer=None):
    """A deal's text and rosters; `defer` (a separate generator, so the
    deals without it stay the same) gives rules a `deferred_days`."""
    rules = rules_for(shape, rng)
    # Three rules: the payee's categories sometimes in one tier, where its
    # day's options multiply across its kinds.
    flat = {"side-a"} if shape == "three-rules" and rng.random() < 0.5 else set()
    holders = ["side-a", "side-b"] + (["side-c"] if shape in ("chain", "cycle3") else [])
    lines = ["format_version = 1", 'name = "oracle %d (%s)"' % (i, shape), ""]
    for h in holders:
        lines += ["[[party]]", 'id = "%s"' % h, 'role = "side"', ""]
    # Intermediaries: none, one, or several (then `via` names one).
    n_via = rng.choice([0, 1, 1, 1, 2]) if shape != "chunks" else rng.choice([1, 2])
    via = None
    for v in range(n_via):
        pid = ["relief", "convoy"][v]
        lines += ["[[party]]", 'id = "%s"' % pid, 'role = "intermediary"']
        cap = maybe(rng, 0.4, lambda: rng.randint(4, 16))
        if cap is not None:
            lines.append("capacity_per_day = %d" % cap)
        if shape == "chunks":
            hpd = rng.choice([4, 5, 6])
        elif shape in ("cycle", "cycle3", "chain"):
            hpd = rng.choice([2, 3, 4, 6, None])
        else:
            hpd = rng.choice([1, 2, 2, 3, 4, None])
        # Under deferral, often one convoy a day: a day's payment can then
        # only be paid for on a later day.
        if defer is not None and shape != "chunks" and defer.random() < 0.4:
            hpd = 1
        if hpd is not None:
            lines.append("handovers_per_day = %d" % hpd)
        lines.append("")
        if v == 0:
            via = pid
    # With two intermediaries, sometimes route persons per roster or per
    # category instead of one `via` for all.
    routing = rng.choice([None, None, "roster", "category"]) if n_via == 2 else None
    vias = ["relief", "convoy"]
    days = rng.randint(1, 4)
    lines += ["[pause]", "days = %d" % days, ""]
    ext = maybe(rng, 0.3, lambda: (rng.choice(holders), rng.randint(1, 3), rng.randint(1, 2)))
    if ext:
        lines += ["[pause.extension]", "per_releases = %d" % ext[1], 'by = "%s"' % ext[0],
                  "max_days = %d" % ext[2], ""]
    horizon = days + (ext[2] if ext else 0)
    for h in holders:
        for t, cid in enumerate(CATS[h], start=1):
            lines += ["[[category]]", 'id = "%s"' % cid, "tier = %d" % (1 if h in flat else t)]
            if routing == "category":
                lines.append('via = "%s"' % rng.choice(vias))
            lines.append("")
    rosters = {}
    for h in holders:
        n = rng.randint(1, 8 if shape != "chunks" else 10)
        rows = []
        g = 0
        j = 0
        while j < n:
            cat = rng.choice(CATS[h])
            if rng.random() < 0.25 and n - j >= 2:
                g += 1
                size = rng.randint(2, min(3, n - j))
                for _ in range(size):
                    j += 1
                    rows.append(("%s-%04d" % (h[-1].upper(), j), rng.choice(CATS[h]), "F%d" % g))
            else:
                j += 1
                rows.append(("%s-%04d" % (h[-1].upper(), j), cat, ""))
        rosters[h] = rows
        lines += ["[[roster]]", 'holder = "%s"' % h, 'file = "rosters/%s.csv"' % h]
        if routing == "roster":
            lines.append('via = "%s"' % rng.choice(vias))
        mn = maybe(rng, 0.2, lambda: rng.randint(1, 2))
        mx = maybe(rng, 0.5, lambda: rng.randint(max(1, mn or 1), 4))
        tmin = maybe(rng, 0.25, lambda: rng.randint(0, min(3, len(rows))))
        tmax = maybe(rng, 0.25, lambda: rng.randint(max(1, tmin or 0), max(1, len(rows))))
        for key, val in (("min_per_day", mn), ("max_per_day", mx), ("total_min", tmin),
                         ("total_max", tmax)):
            if val is not None:
                lines.append("%s = %d" % (key, val))
        lines.append("")
    for (p, gives, q, recv, ratio) in rules:
        lines += ["[[exchange]]",
                  'gives = { holder = "%s", categories = [%s] }' % (p, ", ".join('"%s"' % c for c in gives)),
                  'receives = { holder = "%s", categories = [%s] }' % (q, ", ".join('"%s"' % c for c in recv)),
                  "ratio = %d" % ratio]
        if defer is not None and horizon >= 2 and defer.random() < 0.8:
            lines.append("deferred_days = %d" % defer.randint(1, min(2, horizon - 1)))
        lines.append("")
    lines.append("[release]")
    weighted = shape == "free" or rng.random() < 0.3
    lines.append('priority = "%s"' % ("weighted" if weighted else "strict"))
    lines.append("keep_groups_together = %s" % ("true" if rng.random() < 0.7 else "false"))
    x = rng.randint(1, 2) if shape == "chunks" else maybe(rng, 0.35, lambda: rng.randint(1, 4))
    if x is not None:
        lines.append("max_exposure = %d" % x)
    if via is not None and (routing is None or rng.random() < 0.5):
        lines.append('via = "%s"' % via)
    if rng.random() < 0.2 and horizon >= 2:
        step = rng.choice([2, 3])
        rd = list(range(rng.randint(1, step), horizon + 1, step))
        if rd:
            lines.append("release_days = [%s]" % ", ".join(str(d) for d in rd))
    lines.append("")
    return "\n".join(lines), rosters


def write_deal(folder, i, shape, rng, defer=None):
    text, rosters = deal_text(i, shape, rng, defer)
    os.makedirs(os.path.join(folder, "rosters"), exist_ok=True)
    with open(os.path.join(folder, "deal.toml"), "w") as f:
        f.write(text)
    for h, rows in rosters.items():
        with open(os.path.join(folder, "rosters", h + ".csv"), "w") as f:
            f.write("id,category,group\n")
            for r in rows:
                f.write("%s,%s,%s\n" % r)


def main():
    out, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    for i in range(count):
        shape = SHAPES[i % len(SHAPES)]
        write_deal(os.path.join(out, "deal-%04d" % i), i, shape, rng)


if __name__ == "__main__":
    main()
