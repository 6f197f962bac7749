"""The NegMAS adapter, against NegMAS 0.16's own mechanism and negotiators."""

import pytest

import truce
from conftest import DOMAINS

negmas = pytest.importorskip("negmas")
from negmas.sao import SAOMechanism  # noqa: E402
from negmas.sao.negotiators import BoulwareTBNegotiator, ConcederTBNegotiator  # noqa: E402

from truce.negmas_bridge import NegmasPlayer, TruceNegotiator, outcome_space, ufun  # noqa: E402


@pytest.fixture(scope="module")
def laptop():
    return truce.load_domain(DOMAINS / "Laptop")


def test_ufun_evaluates_truce_utilities(laptop):
    os_ = outcome_space(laptop)
    assert os_.cardinality == laptop.outcomes
    for party in (0, 1):
        f = ufun(laptop, party)
        for o in os_.enumerate():
            assert f(o) == pytest.approx(laptop.utilities(list(o))[party], abs=1e-12)
        assert f.reserved_value == laptop.reservations[party]


def test_truce_agents_play_in_a_negmas_mechanism(laptop):
    m = SAOMechanism(outcome_space=outcome_space(laptop), n_steps=60)
    m.add(TruceNegotiator("conceder", laptop, 0), ufun=ufun(laptop, 0))
    m.add(BoulwareTBNegotiator(), ufun=ufun(laptop, 1))
    state = m.run()
    assert state.agreement is not None
    u = laptop.utilities(list(state.agreement))
    # No truce agent accepts below its reservation value.
    assert u[0] >= laptop.reservations[0]


def test_truce_against_truce_in_negmas_matches_truce_session(laptop):
    """Two truce agents in NegMAS's SAOMechanism agree on what truce's own
    session agrees on (truce's SAO follows NegMAS's rules)."""
    m = SAOMechanism(outcome_space=outcome_space(laptop), n_steps=50)
    m.add(TruceNegotiator("aspiration", laptop, 0), ufun=ufun(laptop, 0))
    m.add(TruceNegotiator("boulware", laptop, 1), ufun=ufun(laptop, 1))
    state = m.run()
    s = truce.negotiate(laptop, agents=["aspiration", "boulware"], rounds=50)
    assert (list(state.agreement) if state.agreement else None) == s["agreement"]


def test_negmas_negotiator_plays_in_a_truce_session(laptop):
    player = NegmasPlayer(ConcederTBNegotiator(), laptop, 0, rounds=60)
    s = truce.negotiate_with(laptop, [player, "boulware"], rounds=60)
    assert s["end"] in ("agreement", "timeout")
    assert s["trace"], "the NegMAS negotiator made no offer"
    assert s["trace"][0]["proposer"] == laptop.parties[0]
    if s["agreement"] is not None:
        assert s["utilities"] == pytest.approx(laptop.utilities(s["agreement"]))
