"""Pwned Passwords (k-anonymity) and the breach search, against a loopback fake of HIBP."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from footprint.checklist.findings import list_findings
from footprint.checklist.rules import load_ruleset
from footprint.checklist.scan import scan
from footprint.checklist.score import compute_score
from footprint.connectors.errors import ConnectorError, PermissionMissing
from footprint.errors import InputError
from footprint.exposure.checks import (
    check_breaches,
    check_password,
    key_status,
    save_key,
)
from footprint.exposure.hibp import count_in_range, password_hash
from footprint.secrets import SecretStore
from footprint.store.profile import add_identifiers
from tests.exposure.fakes import sha1

KEY = "0123456789abcdef0123456789abcdef"
PASSWORD = "correct horse battery staple 1"


def hibp(server) -> dict[str, str]:
    return {"hibp": server.url + "/api/v3", "passwords": server.url}


def _everything_sent(server) -> str:
    return "\n".join(
        f"{r.method} {r.target} {json.dumps(r.headers)} {r.body!r}" for r in server.requests
    )


# -- Pwned Passwords -------------------------------------------------------------------


def test_count_in_range_reads_crlf_lines_and_ignores_padding():
    body = "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0\r\n"
    assert count_in_range(body, "0018a45c4d1def81644b54ab7f969b88d65") == 1
    assert count_in_range(body, "00D4F6E8FA6EECAD2A3AA415EEC418D38EC") == 0
    assert count_in_range(body, "F" * 35) == 0


def test_a_breached_password_is_counted_and_only_a_prefix_leaves(fake_hibp, caplog):
    caplog.set_level(logging.DEBUG)
    digest = fake_hibp.add_password(PASSWORD, 52_331)
    assert digest == password_hash(PASSWORD)
    count = asyncio.run(check_password(PASSWORD, endpoints=hibp(fake_hibp)))
    assert count == 52_331
    [request] = fake_hibp.requests
    assert request.path == f"/range/{digest[:5]}"
    assert request.headers["add-padding"] == "true"
    assert request.headers["user-agent"].startswith("footprint/")
    sent = _everything_sent(fake_hibp)
    assert PASSWORD not in sent and digest not in sent and digest[5:] not in sent
    assert PASSWORD not in caplog.text and digest[5:] not in caplog.text


def test_an_unknown_password_and_a_padding_decoy_both_count_zero(fake_hibp):
    assert asyncio.run(check_password("a password nobody has", endpoints=hibp(fake_hibp))) == 0
    # The padding itself can name the very suffix with a count of 0: still not breached.
    digest = fake_hibp.add_password("decoy", 0)
    assert digest == sha1("decoy")
    assert asyncio.run(check_password("decoy", endpoints=hibp(fake_hibp))) == 0


def test_a_block_page_instead_of_hashes_is_an_error_not_a_clean_bill(fake_hibp):
    fake_hibp.fail("/range/", 200, body=None)
    fake_hibp.fail("/range/", 200)  # the default JSON error body: not hash lines
    with pytest.raises(ConnectorError, match="not a list of hashes"):
        asyncio.run(check_password(PASSWORD, endpoints=hibp(fake_hibp)))


def test_an_empty_password_is_refused_before_anything_is_sent(fake_hibp):
    with pytest.raises(InputError):
        asyncio.run(check_password("", endpoints=hibp(fake_hibp)))
    assert fake_hibp.requests == []


# -- Breached account ------------------------------------------------------------------


@pytest.fixture
def breached(store, fake_hibp):
    fake_hibp.add_key(KEY)
    fake_hibp.add_breach(
        "Adobe",
        Title="Adobe",
        BreachDate="2013-10-04",
        PwnCount=152445165,
        DataClasses=["Email addresses", "Password hints", "Passwords", "Usernames"],
    )
    fake_hibp.add_breach("Canva", BreachDate="2019-05-24", DataClasses=["Email addresses", "Names"])
    fake_hibp.add_breach(
        "SpamList2017", IsSpamList=True, DataClasses=["Email addresses"], IsVerified=False
    )
    fake_hibp.add_account("jane@example.com", ["Adobe", "Canva", "SpamList2017"])
    add_identifiers(store, "email", ["Jane@Example.com", "clean@example.org"])
    save_key(store, SecretStore(), KEY)
    return store


def run_breaches(store, server, **kwargs):
    return asyncio.run(
        check_breaches(store, SecretStore(), endpoints=hibp(server), interval=0.0, **kwargs)
    )


def test_breaches_become_findings_with_severity_from_what_leaked(breached, fake_hibp):
    results = run_breaches(breached, fake_hibp)
    assert [(r.email, r.found, r.names) for r in results] == [
        ("jane@example.com", True, ["Adobe", "Canva", "SpamList2017"]),
        ("clean@example.org", False, []),
    ]
    for request in fake_hibp.requests_to("/api/v3/breachedaccount"):
        assert request.headers["hibp-api-key"] == KEY
        assert request.headers["user-agent"].startswith("footprint/")
        assert request.query["truncateResponse"] == "false"
    scan(breached)
    found = {f.details["breach"]: f for f in list_findings(breached, category="security")}
    assert found["Adobe"].severity == "high"  # passwords leaked
    assert found["Canva"].severity == "medium"
    assert found["SpamList2017"].severity == "low"
    adobe = found["Adobe"]
    assert adobe.title.startswith("Adobe breach (2013): email addresses, password hints")
    assert adobe.evidence[0]["match"] == "jane@example.com"
    assert "<a" not in adobe.details["description"] and "&amp;" not in adobe.details["description"]
    assert "suffered a data breach & the data" in adobe.details["description"]
    assert adobe.details["pwn_count"] == 152445165
    assert "unverified" in found["SpamList2017"].details["flags"]


def test_breaches_do_not_move_the_score_of_what_a_screener_sees(breached, fake_hibp):
    before = compute_score(breached, load_ruleset())
    run_breaches(breached, fake_hibp)
    scan(breached)
    after = compute_score(breached, load_ruleset())
    assert after.value == before.value
    assert any("security finding" in line for line in after.explanation)


def test_a_truncated_answer_is_explained_from_the_public_catalogue(breached, fake_hibp):
    original = fake_hibp._account

    def truncated(req, account):
        req.query["truncateResponse"] = "true"
        return original(req, account)

    fake_hibp._account = truncated
    run_breaches(breached, fake_hibp, emails=["jane@example.com"])
    catalogue = fake_hibp.requests_to("/api/v3/breach/")
    assert sorted(r.path for r in catalogue) == [
        "/api/v3/breach/Adobe",
        "/api/v3/breach/Canva",
        "/api/v3/breach/SpamList2017",
    ]
    assert all("hibp-api-key" not in r.headers for r in catalogue)
    scan(breached)
    adobe = next(f for f in list_findings(breached, category="security") if "Adobe" in f.title)
    assert adobe.severity == "high"


def test_no_key_means_a_clear_message_and_no_request(store, fake_hibp):
    add_identifiers(store, "email", ["jane@example.com"])
    assert not key_status(store, SecretStore())
    with pytest.raises(PermissionMissing, match="your own Have I Been Pwned API key") as err:
        run_breaches(store, fake_hibp)
    assert "haveibeenpwned.com" in (err.value.hint or "")
    assert fake_hibp.requests == []


def test_a_rejected_key_says_so_and_never_shows_the_key(breached, fake_hibp, caplog):
    caplog.set_level(logging.DEBUG)
    fake_hibp.keys.clear()
    with pytest.raises(PermissionMissing, match="did not accept your API key") as err:
        run_breaches(breached, fake_hibp)
    text = f"{err.value.message} {err.value.hint} {err.value.details}"
    assert KEY not in text and KEY not in caplog.text
    dump = "\n".join(breached.conn.iterdump())
    assert KEY not in dump


def test_a_malformed_key_is_refused_before_it_is_saved(store):
    with pytest.raises(InputError, match="32 letters"):
        save_key(store, SecretStore(), "not-a-key")
    assert not key_status(store, SecretStore())


def test_429_retry_after_is_waited_out(breached, fake_hibp):
    fake_hibp.fail(
        "/api/v3/breachedaccount", 429, body={"statusCode": 429}, headers={"retry-after": "1"}
    )
    results = run_breaches(breached, fake_hibp, emails=["jane@example.com"])
    assert results[0].found
    assert len(fake_hibp.requests_to("/api/v3/breachedaccount")) == 2


def test_each_answer_is_saved_as_it_arrives(breached, fake_hibp):
    fake_hibp.fail("/api/v3/breachedaccount/clean", 500, times=None)
    with pytest.raises(ConnectorError):
        asyncio.run(
            check_breaches(
                breached, SecretStore(), endpoints=hibp(fake_hibp), interval=0.0, max_wait=1
            )
        )
    saved = breached.conn.execute("SELECT target, status FROM exposure_checks").fetchall()
    assert saved == [("jane@example.com", "found")]


def test_a_second_check_changes_nothing_when_nothing_changed(breached, fake_hibp):
    run_breaches(breached, fake_hibp)
    scan(breached)
    first = {(f.id, f.severity) for f in list_findings(breached, category="security")}
    run_breaches(breached, fake_hibp)
    scan(breached)
    assert {(f.id, f.severity) for f in list_findings(breached, category="security")} == first


@pytest.mark.parametrize("lines", [0, 40])
def test_an_empty_or_cut_off_range_answer_is_an_error_not_not_found(fake_hibp, lines):
    from tests.connectors.fakes import Reply

    fake_hibp.add_password(PASSWORD, 4_000)
    body = "\r\n".join(f"{'A' * 35}:{n}" for n in range(lines)).encode()
    fake_hibp._range = lambda req, prefix: Reply(
        200, raw=body, headers={"Content-Type": "text/plain"}
    )
    with pytest.raises(ConnectorError, match="not a list of hashes"):
        asyncio.run(check_password(PASSWORD, endpoints=hibp(fake_hibp)))


def test_a_catalogue_without_the_breach_is_asked_again_next_time(breached, fake_hibp):
    original = fake_hibp._account

    def truncated(req, account):
        req.query["truncateResponse"] = "true"
        return original(req, account)

    fake_hibp._account = truncated
    canva = fake_hibp.breaches.pop("Canva")  # the catalogue does not know it (yet)
    run_breaches(breached, fake_hibp, emails=["jane@example.com"])
    fake_hibp.breaches["Canva"] = canva
    fake_hibp.requests.clear()
    run_breaches(breached, fake_hibp, emails=["jane@example.com"])
    assert [r.path for r in fake_hibp.requests_to("/api/v3/breach/")] == ["/api/v3/breach/Canva"]


def test_an_email_that_is_not_yours_is_never_looked_up(breached, fake_hibp):
    with pytest.raises(InputError, match="not in your profile"):
        run_breaches(breached, fake_hibp, emails=["stranger@example.com"])
    assert fake_hibp.requests == []


def test_one_rejected_address_does_not_stop_the_others(breached, fake_hibp):
    fake_hibp.fail("/api/v3/breachedaccount/jane", 400)
    results = run_breaches(breached, fake_hibp)
    assert results[0].error and not results[0].found
    assert results[1].email == "clean@example.org" and results[1].error is None
