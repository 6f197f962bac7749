"""truce for Python: negotiation domains, analytics, sessions, tournaments,
concession analysis, ledger verification and exports.

Every function returns plain Python objects (dicts, lists, floats, strings):
the same JSON the ``truce`` command prints. Tables are lists of flat dicts,
ready for ``pandas.DataFrame`` (see :func:`records`).

>>> import truce
>>> d = truce.load_domain("testdata/negotiation-domains/Laptop")  # doctest: +SKIP
>>> truce.analyze(d)["nash"]["utilities"]                          # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Optional, Union

from . import _truce
from ._truce import AgentHandle as Agent
from ._truce import DomainHandle as Domain
from ._truce import (
    analyze,
    load_domain_files,
    moves,
    negotiate,
    negotiate_with,
    tournament,
)

__version__ = _truce.__version__

__all__ = [
    "Agent",
    "Domain",
    "analyze",
    "export_genius_xml",
    "export_geniusweb_json",
    "load_domain",
    "load_domain_files",
    "moves",
    "negotiate",
    "negotiate_with",
    "records",
    "tournament",
    "verify_ledger",
]


def load_domain(path: Union[str, os.PathLike], reading: str = "genius") -> Domain:
    """Load a folder of GENIUS XML or GeniusWeb JSON files (domain + profiles).

    ``reading="genius"`` follows GENIUS 10.4's arithmetic; ``"raw"`` keeps
    the evaluations as written (NegMAS's loader). Raises ``ValueError`` naming
    the file for a profile that cannot be read, ``OSError`` for I/O errors.
    """
    return _truce.load_domain(os.fspath(path), reading)


def verify_ledger(
    ledger: Union[str, bytes, os.PathLike], keys: Union[str, os.PathLike]
) -> Dict[str, Any]:
    """Verify a ledger export against ``keys.json``.

    ``ledger`` and ``keys`` may be paths or the contents themselves (bytes for
    the ledger, text starting with ``{`` for the keys).
    """
    if isinstance(ledger, (bytes, bytearray)):
        data = bytes(ledger)
    else:
        with open(ledger, "rb") as f:
            data = f.read()
    if isinstance(keys, str) and keys.lstrip().startswith("{"):
        key_text = keys
    else:
        with open(keys, encoding="utf-8") as f:
            key_text = f.read()
    return _truce.verify_ledger(data, key_text)


def _write(files: List[tuple], folder: Optional[Union[str, os.PathLike]]) -> Dict[str, str]:
    out = dict(files)
    if folder is not None:
        os.makedirs(folder, exist_ok=True)
        for name, text in files:
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(text)
    return out


def export_genius_xml(
    domain: Domain, folder: Optional[Union[str, os.PathLike]] = None
) -> Dict[str, str]:
    """The domain as GENIUS XML files ``{name: text}``; written to ``folder`` if given."""
    return _write(_truce.to_genius_xml(domain), folder)


def export_geniusweb_json(
    domain: Domain, folder: Optional[Union[str, os.PathLike]] = None
) -> Dict[str, str]:
    """The domain as GeniusWeb JSON files ``{name: text}``; written to ``folder`` if given."""
    return _write(_truce.to_geniusweb_json(domain), folder)


def records(result: Dict[str, Any], table: Optional[str] = None) -> List[Dict[str, Any]]:
    """Flat rows of one table of a result, for ``pandas.DataFrame(records(...))``.

    With no ``table``: a tournament's ``rows``, a session's ``trace`` (one
    column per party's utility), an analysis's ``pareto`` (one column per
    utility), or a move analysis's ``moves``.
    """
    if table is None:
        for candidate in ("rows", "trace", "pareto", "moves"):
            if candidate in result:
                table = candidate
                break
        else:
            raise ValueError("no table in this result; name one with table=")
    rows = result[table]
    parties = result.get("parties")
    flat = []
    for row in rows:
        out = {}
        for key, value in row.items():
            if key == "utilities" and isinstance(value, list):
                for i, u in enumerate(value):
                    name = parties[i] if parties and i < len(parties) else str(i)
                    out[f"u_{name}"] = u
            elif key in ("offer", "outcome", "agreement") and isinstance(value, list):
                out[key] = ", ".join(str(v) for v in value)
            else:
                out[key] = value
        flat.append(out)
    return flat
