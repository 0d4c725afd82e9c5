"""Personal data: validated formats, checksums, regions, and the person's own identifiers."""

from __future__ import annotations

import pytest

from footprint.checklist.engine import Checker, Person
from footprint.checklist.pii import luhn_valid


def kinds(checker, text):
    return {d.rule_id for d in checker.check(text) if d.category == "personal_data"}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("call me on (415) 555-0132 after 6", "pii.phone"),
        ("new number +44 20 7946 0958 ☎️", "pii.phone"),
        ("mail me at jo.reyes+jobs@example.com", "pii.email"),
        ("party at 2340 SE Clinton St tonight", "pii.street-address"),
        ("my bday is March 3rd, 1992 🎂", "pii.birthdate"),
        ("test card 4111 1111 1111 1111 exp 12/29", "pii.card-number"),
        ("amex 378282246310005 works", "pii.card-number"),
        ("ssn 123-45-6789 for the form", "pii.us-ssn"),
        ("my NI number is QQ 12 34 56 C", "pii.uk-nino"),
        ("pay me at GB82 WEST 1234 5698 7654 32", "pii.iban"),
        ("my plate is 7ABC123 if you see it", "pii.licence-plate"),
        ("confirmation code QX7P2M, seat 14C", "pii.booking-code"),
        ("meet at 45.52312, -122.67654", "pii.coordinates"),
        ("my ip is 203.0.113.77 apparently", "pii.ip-address"),
    ],
)
def test_detects(checker, text, rule):
    assert rule in kinds(checker, text)


@pytest.mark.parametrize(
    "text",
    [
        "release 2024.11.03 is out",
        "v2.4.1-3318 fixes the crash",
        "order #4111 1112 3456 7890 shipped",  # fails the Luhn check
        "ISBN 978-0-306-40615-7 is a great read",
        "final score 21-14, what a game",
        "meeting 10:30-11:45 in room 404",
        "my router is at 192.168.1.1",
        "pay to GB82 WEST 1234 5698 7654 33",  # bad IBAN checksum
        "ssn 666-12-3456 is not a real number",
        "my plate is full this week",
        "the 5 pm on the way home",
    ],
)
def test_look_alikes_are_not_personal_data(checker, text):
    assert kinds(checker, text) == set(), checker.check(text)


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_card_numbers_are_masked_in_evidence(checker):
    (draft,) = [
        d for d in checker.check("card 4111 1111 1111 1111") if d.rule_id == "pii.card-number"
    ]
    assert draft.evidence[0]["match"].endswith("1111")
    assert "4111" not in draft.evidence[0]["match"]


def test_own_identifiers_raise_severity(rules):
    stranger = Checker(rules=rules, person=Person(region="US"), use_model=False)
    me = Checker(
        rules=rules,
        person=Person(
            phones=frozenset({"+14155550132"}), emails=frozenset({"me@example.com"}), region="US"
        ),
        use_model=False,
    )
    text = "reach me at 415-555-0132 or me@example.com"
    theirs = {d.rule_id: d for d in stranger.check(text)}
    mine = {d.rule_id: d for d in me.check(text)}
    assert theirs["pii.phone"].severity == "medium" and mine["pii.phone"].severity == "high"
    assert mine["pii.email"].severity == "medium"
    assert mine["pii.phone"].evidence[0]["notes"] == ["yours"]


def test_phone_region_comes_from_the_person(rules):
    uk = Checker(rules=rules, person=Person(region="GB"), use_model=False)
    assert "pii.phone" in {d.rule_id for d in uk.check("ring me on 020 7946 0958")}
