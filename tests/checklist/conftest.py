from __future__ import annotations

import pytest

from footprint.checklist.engine import Checker, Person
from footprint.checklist.rules import load_ruleset


@pytest.fixture(scope="session")
def rules():
    return load_ruleset()


@pytest.fixture(scope="session")
def checker(rules):
    return Checker(rules=rules, person=Person(region="US"))


def categories(checker, text):
    return {d.category for d in checker.check(text)}
