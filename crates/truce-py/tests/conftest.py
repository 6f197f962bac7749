import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
DOMAINS = REPO / "testdata" / "negotiation-domains"
LEDGER_DATA = REPO / "crates" / "truce-ledger" / "tests" / "data"


@pytest.fixture(scope="session")
def domains_dir():
    return DOMAINS


@pytest.fixture(scope="session")
def laptop():
    import truce

    return truce.load_domain(DOMAINS / "Laptop")


def domain_names():
    return sorted(p.name for p in DOMAINS.iterdir() if p.is_dir())
