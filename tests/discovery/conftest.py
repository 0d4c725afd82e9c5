"""Fixtures for discovery tests: simulated sites on loopback and catalogs describing them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from footprint.catalog.schema import Catalog, parse_catalog
from tests.sitesim import SimSite, Simulator, ThreadedSimulator, catalog_document

_addresses = itertools.count(1)


def make_site(kind: str, users: set[str] | frozenset[str] = frozenset({"alice"}), **kw) -> SimSite:
    n = next(_addresses)
    host = f"127.0.{10 + n // 250}.{n % 250 + 1}"
    return SimSite(f"{kind}-{n}", kind, frozenset(users), host=host, **kw)


@pytest.fixture
def simulate() -> Iterator[Callable[[list[SimSite]], tuple[Simulator, Catalog]]]:
    """simulate([sites]) -> (running simulator, catalog describing the sites)."""
    running: list[ThreadedSimulator] = []

    def start(sites: list[SimSite]) -> tuple[Simulator, Catalog]:
        threaded = ThreadedSimulator(sites)
        sim = threaded.__enter__()
        running.append(threaded)
        return sim, parse_catalog(catalog_document(sites), label="simulated sites")

    yield start
    for threaded in running:
        threaded.__exit__(None, None, None)
