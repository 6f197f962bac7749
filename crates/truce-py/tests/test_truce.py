"""The Python package against independent oracles: brute force over the
outcomes in Python, the ANL 2023 organisers' specials.json, the ledger test
data of truce-ledger."""

import itertools
import json
import math

import pytest

import truce
from conftest import DOMAINS, LEDGER_DATA, domain_names


def all_outcomes(domain):
    return itertools.product(*[i["values"] for i in domain.issues])


def test_domain_basics(laptop):
    assert laptop.parties == ["laptop_buyer_utility", "laptop_seller_utility"]
    assert [i["name"] for i in laptop.issues] == ["Laptop", "Harddisk", "External Monitor"]
    assert laptop.outcomes == 27
    assert "laptop_domain" in repr(laptop)
    # GENIUS arithmetic by hand: weight * evaluation / max evaluation.
    u = laptop.utilities(["Dell", "60 Gb", "19'' LCD"])
    buyer = 0.4452125771655631 * 12 / 30 + 0.37808251708013424 * 30 / 30 + 0.1767567099260568 * 30 / 30
    assert u[0] == pytest.approx(buyer, abs=1e-12)


def test_bad_input_is_a_value_error(laptop, tmp_path):
    with pytest.raises(ValueError, match="not an outcome"):
        laptop.utilities(["Dell"])
    with pytest.raises(OSError):
        truce.load_domain(tmp_path / "missing")
    (tmp_path / "d.xml").write_text("<negotiation_template><utility_space>")
    with pytest.raises(ValueError):
        truce.load_domain(tmp_path)
    with pytest.raises(ValueError, match="reading"):
        truce.load_domain(DOMAINS / "Laptop", reading="odd")
    with pytest.raises(ValueError, match="unknown agent"):
        truce.negotiate(laptop, agents=["nobody", "boulware"])


def brute_frontier(domain):
    points = {tuple(domain.utilities(list(o))) for o in all_outcomes(domain)}
    return sorted(p for p in points if not any(
        all(q[k] >= p[k] for k in range(len(p))) and q != p for q in points))


@pytest.mark.parametrize("name", ["Laptop", "ItexvsCypress", "Grocery", "Car"])
def test_frontier_matches_brute_force(name):
    d = truce.load_domain(DOMAINS / name)
    # Tolerance 0: GENIUS's exact comparison, as the brute force compares.
    a = truce.analyze(d, tolerance=0.0)
    mine = sorted({tuple(p["utilities"]) for p in a["pareto"]})
    oracle = brute_frontier(d)
    assert len(mine) == len(oracle)
    for x, y in zip(mine, oracle):
        assert x == pytest.approx(y, abs=1e-12)
    # Nash: the rational frontier point with the largest product of gains.
    rv = d.reservations
    best = max((p for p in oracle if all(u >= r for u, r in zip(p, rv))),
               key=lambda p: math.prod(u - r for u, r in zip(p, rv)))
    assert a["nash"]["utilities"] == pytest.approx(list(best), abs=1e-12)


def test_anl_specials_are_reproduced():
    for name in ("anl2023-domain00", "anl2023-domain01", "anl2023-domain09"):
        d = truce.load_domain(DOMAINS / name)
        special = json.loads((DOMAINS / name / "specials.json").read_text())
        a = truce.analyze(d)
        assert d.outcomes == special["size"]
        assert a["nash"]["utilities"] == pytest.approx(special["nash"]["utility"], abs=1e-9)
        front = sorted(tuple(p["utility"]) for p in special["pareto_front"])
        mine = sorted({tuple(p["utilities"]) for p in a["pareto"]})
        assert len(mine) == len(front)
        for x, y in zip(mine, front):
            assert x == pytest.approx(y, abs=1e-9)


def test_session_and_records(laptop):
    s = truce.negotiate(laptop, agents=["boulware", "linear"], rounds=50, seed=1)
    assert set(["agreement", "utilities", "rounds", "trace"]) <= set(s)
    if s["agreement"] is not None:
        assert s["utilities"] == pytest.approx(laptop.utilities(s["agreement"]))
    rows = truce.records(s)
    assert len(rows) == len(s["trace"])
    assert "u_laptop_buyer_utility" in rows[0]
    import pandas as pd

    df = pd.DataFrame(rows)
    assert len(df) == len(s["trace"])


def test_single_text_mediator_flags(laptop):
    s = truce.negotiate(laptop, protocol="single-text", mediator="annealing", rounds=500, seed=2)
    assert s["mediator"] == "annealing"
    assert s["assessment"]["rational"]
    assert not s["assessment"]["dominated"]
    oracle = brute_frontier(laptop)
    assert any(p == pytest.approx(tuple(s["utilities"]), abs=1e-12) for p in oracle)


def test_mopac_mediator_by_name(laptop):
    s = truce.negotiate(laptop, protocol="single-text", mediator="mopac", rounds=500, seed=2)
    assert s["mediator"] == "mopac"
    assert s["assessment"]["rational"] and not s["assessment"]["dominated"]
    # Its parties' offers are on the trace, each by its proposer.
    assert s["rounds"] <= 500
    oracle = brute_frontier(laptop)
    assert any(p == pytest.approx(tuple(s["utilities"]), abs=1e-12) for p in oracle)


def test_moves_of_a_session(laptop):
    s = truce.negotiate(laptop, agents=["conceder", "boulware"], rounds=40, seed=0)
    m = truce.moves(laptop, s)
    assert {"per_party", "moves", "outcome"} <= set(m)
    # Each move's class follows from its deltas (DANS): check concessions.
    for mv in m["moves"]:
        if mv["class"] == "concession":
            assert mv["delta_self"] < 0 and mv["delta_other"] > 0
    assert len(truce.records(m, "moves")) == len(m["moves"])


def test_tournament_rows_are_records(laptop):
    d2 = truce.load_domain(DOMAINS / "ItexvsCypress")
    t = truce.tournament([laptop, d2], agents=["boulware", "conceder"], repetitions=2, rounds=30, threads=1)
    # 2 domains x 2 ordered pairs x 2 repetitions.
    assert len(t["rows"]) == 8
    import pandas as pd

    df = pd.DataFrame(truce.records(t))
    assert set(df["domain"]) == {laptop.name, d2.name}
    st = truce.tournament([laptop], agents=["boulware"], rounds=300, protocol="single-text",
                          mediator="annealing", threads=1)
    assert all(r["agreed"] and r["pareto_distance"] < 1e-9 for r in st["rows"])
    with pytest.raises(ValueError, match="unknown mediator"):
        truce.tournament([laptop], protocol="single-text", mediator="mopaq")


def test_python_player_in_a_truce_session(laptop):
    class Greedy:
        """Offers its best outcome; accepts anything worth 0.8 to it."""

        def __init__(self, domain, me):
            self.d, self.me = domain, me
            self.best = max(all_outcomes(domain), key=lambda o: domain.utilities(list(o))[me])

        def propose(self, state):
            return list(self.best)

        def respond(self, state, offer):
            return self.d.utilities(offer)[self.me] >= 0.8

    s = truce.negotiate_with(laptop, [Greedy(laptop, 0), "conceder"], rounds=60)
    assert s["end"] in ("agreement", "timeout")
    assert s["trace"][0]["offer"] == list(Greedy(laptop, 0).best)
    if s["agreement"]:
        assert laptop.utilities(s["agreement"])[0] >= 0.8 or s["agreement"] == list(Greedy(laptop, 0).best)

    class Broken:
        def propose(self, state):
            raise RuntimeError("boom")

        def respond(self, state, offer):
            return False

    with pytest.raises(RuntimeError, match="boom"):
        truce.negotiate_with(laptop, [Broken(), "boulware"], rounds=10)


def test_ledger_verification():
    keys = (LEDGER_DATA / "keys.json").read_text()
    good = truce.verify_ledger(LEDGER_DATA / "ledger.jsonl", LEDGER_DATA / "keys.json")
    assert good["intact"] is True and good["events"] > 0
    bad = truce.verify_ledger((LEDGER_DATA / "tampered.jsonl").read_bytes(), keys)
    assert bad["intact"] is False


@pytest.mark.parametrize("name", ["Laptop", "anl2023-domain01", "Camera"])
def test_exports_round_trip(name, tmp_path):
    d = truce.load_domain(DOMAINS / name)
    for export in (truce.export_genius_xml, truce.export_geniusweb_json):
        folder = tmp_path / export.__name__
        files = export(d, folder)
        assert len(files) == len(d.parties) + 1
        back = truce.load_domain(folder)
        for o in itertools.islice(all_outcomes(d), 500):
            got = back.utilities(list(o))
            if export is truce.export_geniusweb_json:
                # GeniusWeb sums are not clipped at 1 (Laptop's GENIUS
                # weights add up to 1.00005).
                got = [min(u, 1.0) for u in got]
            assert got == pytest.approx(d.utilities(list(o)), abs=1e-12)


def test_every_shared_domain_loads():
    for name in domain_names():
        d = truce.load_domain(DOMAINS / name)
        assert len(d.parties) == 2, name
