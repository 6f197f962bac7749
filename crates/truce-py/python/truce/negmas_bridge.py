"""NegMAS adapter: truce agents in NegMAS mechanisms, NegMAS negotiators in
truce sessions.

* :func:`outcome_space` and :func:`ufun` give NegMAS a truce domain: one
  categorical issue per truce issue (values as strings) and one utility
  function per party that evaluates exactly truce's utilities (GENIUS 10.4
  arithmetic in the default reading).
* :class:`TruceNegotiator` is a ``negmas.sao.SAONegotiator`` played by a
  built-in truce agent (``"boulware"``, ``"tit-for-tat"``, ...). It holds
  only its own party's preferences, as in truce.
* :class:`NegmasPlayer` wraps a NegMAS negotiator so that
  :func:`truce.negotiate_with` can seat it in a truce SAO session; the
  negotiator gets its own party's utility function and the session's state
  (step, relative time, the offer on the table) at each call.

NegMAS is imported lazily: ``pip install negmas`` (tested with 0.16.0).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from . import _truce

__all__ = ["NegmasPlayer", "TruceNegotiator", "TruceUtility", "outcome_space", "ufun"]


def outcome_space(domain):
    """The NegMAS outcome space of a truce domain (issues in truce's order)."""
    from negmas.outcomes import make_issue, make_os

    issues = [make_issue(values=list(i["values"]), name=i["name"]) for i in domain.issues]
    return make_os(issues, name=domain.name)


def _utility_class():
    from negmas.preferences import UtilityFunction

    class TruceUtility(UtilityFunction):
        """A truce party's utility as a NegMAS utility function."""

        def __init__(self, domain, party: int, **kwargs):
            kwargs.setdefault("outcome_space", outcome_space(domain))
            kwargs.setdefault("reserved_value", domain.reservations[party])
            kwargs.setdefault("name", domain.parties[party])
            super().__init__(**kwargs)
            self._domain = domain
            self._party = party

        def eval(self, offer):
            if offer is None:
                return self.reserved_value
            return self._domain.utilities([str(v) for v in offer])[self._party]

    return TruceUtility


def TruceUtility(domain, party: int, **kwargs):  # noqa: N802 (a class factory)
    """A truce party's utility as a NegMAS ``UtilityFunction``."""
    return _utility_class()(domain, party, **kwargs)


def ufun(domain, party: int):
    """Alias of :func:`TruceUtility`."""
    return TruceUtility(domain, party)


def _negotiator_class():
    from negmas.gb.common import ResponseType
    from negmas.sao import SAONegotiator

    class TruceNegotiator(SAONegotiator):
        """A built-in truce agent playing in a NegMAS SAO mechanism.

        ``TruceNegotiator("boulware", domain, party=0)``; add it to a
        mechanism whose outcome space is :func:`outcome_space` of the same
        domain. The truce agent sees the offers of the other negotiators and
        its own party's preferences only.
        """

        def __init__(self, kind: str, domain, party: int, seed: int = 0, **kwargs):
            kwargs.setdefault("name", f"truce-{kind}")
            kwargs.setdefault("ufun", TruceUtility(domain, party))
            super().__init__(**kwargs)
            self._agent = _truce.AgentHandle(domain, party, kind, seed)
            self._party = party
            self._seen = set()

        def _observe(self, state) -> None:
            for k, (source, outcome) in enumerate(getattr(state, "new_offers", []) or []):
                if source == self.id or outcome is None:
                    continue
                key = (state.step, k, source)
                if key in self._seen:
                    continue
                self._seen.add(key)
                other = 1 if self._party == 0 else 0
                self._agent.observe(state.step, other, [str(v) for v in outcome])

        def propose(self, state, dest=None):
            self._observe(state)
            values = self._agent.propose(state.step, state.relative_time, self._party)
            return None if values is None else tuple(values)

        def respond(self, state, source=None):
            self._observe(state)
            offer = state.current_offer
            if offer is None:
                return ResponseType.REJECT_OFFER
            values = [str(v) for v in offer]
            if self._agent.accepts(state.step, state.relative_time, values):
                return ResponseType.ACCEPT_OFFER
            return ResponseType.REJECT_OFFER

    return TruceNegotiator


def TruceNegotiator(kind: str, domain, party: int, seed: int = 0, **kwargs):  # noqa: N802
    """A built-in truce agent as a ``negmas.sao.SAONegotiator``."""
    return _negotiator_class()(kind, domain, party, seed, **kwargs)


class NegmasPlayer:
    """Seats a NegMAS SAO negotiator in a truce session.

    ``truce.negotiate_with(domain, [NegmasPlayer(neg, domain, 0, rounds=100),
    "boulware"], rounds=100)``. The negotiator joins a NegMAS mechanism over
    the domain's outcome space with its party's utility (so it has its
    ``nmi`` and ``ufun`` as usual); truce's session then asks it to propose
    and respond with NegMAS ``SAOState`` s built from the session's state.
    """

    def __init__(self, negotiator, domain, party: int, rounds: int = 100):
        from negmas.sao import SAOMechanism

        self.negotiator = negotiator
        self.party = party
        self.rounds = rounds
        self._ufun = TruceUtility(domain, party)
        self.mechanism = SAOMechanism(outcome_space=self._ufun.outcome_space, n_steps=rounds)
        self.mechanism.add(negotiator, ufun=self._ufun)
        self._started = False

    def _state(self, state: Dict[str, Any], offer: Optional[List[str]]):
        from negmas.sao import SAOState

        current = tuple(offer) if offer is not None else None
        proposer = state.get("last_proposer")
        s = SAOState(
            running=True,
            started=True,
            step=state["round"],
            relative_time=state["relative_time"],
            current_offer=current,
            current_proposer=None if proposer is None else f"party-{proposer}",
            n_negotiators=2,
            new_offers=[] if current is None else [(f"party-{proposer}", current)],
        )
        if not self._started:
            self._started = True
            self.negotiator._on_negotiation_start(s)
        return s

    def propose(self, state: Dict[str, Any]) -> Optional[List[str]]:
        from negmas.outcomes import ExtendedOutcome

        s = self._state(state, state.get("last_offer"))
        out = self.negotiator.propose_(s)
        if isinstance(out, ExtendedOutcome):
            out = out.outcome
        return None if out is None else [str(v) for v in out]

    def respond(self, state: Dict[str, Any], offer: List[str]) -> bool:
        from negmas.gb.common import ExtendedResponseType, ResponseType

        s = self._state(state, offer)
        r = self.negotiator.respond_(s, source=f"party-{state.get('last_proposer')}")
        if isinstance(r, ExtendedResponseType):
            r = r.response
        return r == ResponseType.ACCEPT_OFFER
