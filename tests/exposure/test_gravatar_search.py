"""Gravatar exposure of the person's emails, and the guided "search yourself" step."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from footprint.checklist.findings import list_findings
from footprint.checklist.scan import scan
from footprint.errors import ConfigError, InputError
from footprint.exposure.checks import check_gravatar
from footprint.exposure.search import (
    load_guide,
    parse_guide,
    planned_searches,
    record_search,
    searches_due,
)
from footprint.store.profile import add_identifiers

ALL_STATES = ("open", "in_progress", "done", "verified", "dismissed", "snoozed")


def gravatar(server) -> dict[str, str]:
    return {"gravatar": server.url + "/v3"}


def test_a_public_gravatar_profile_becomes_a_finding_with_each_field(store, fake_gravatar):
    add_identifiers(store, "email", ["Jane@Example.com", "nobody@example.org"])
    fake_gravatar.add_profile(
        "jane@example.com",
        display_name="Jane Doe",
        location="Leeds, UK",
        job_title="Nurse",
        verified_accounts=[
            {"service_type": "github", "service_label": "GitHub", "url": "https://github.com/jd"}
        ],
    )
    results = asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    assert [(r.email, r.found) for r in results] == [
        ("jane@example.com", True),
        ("nobody@example.org", False),
    ]
    # Only the SHA-256 of the address travels, never the address itself.
    digest = hashlib.sha256(b"jane@example.com").hexdigest()
    paths = [r.target for r in fake_gravatar.requests]
    assert f"/v3/profiles/{digest}" in paths
    assert not any("example" in p for p in paths)
    scan(store)
    [finding] = list_findings(store, category="personal_data")
    assert finding.rule == "exposure.gravatar"
    assert finding.severity == "medium"  # the location is public
    assert finding.title.startswith("Public Gravatar profile shows display name, location")
    shown = {e["field"]: e["match"] for e in finding.evidence}
    assert shown["Location"] == "Leeds, UK"
    assert shown["Linked account: GitHub"] == "https://github.com/jd"
    assert finding.details["email"] == "jane@example.com"


def test_a_removed_profile_confirms_the_fix(store, fake_gravatar):
    add_identifiers(store, "email", ["jane@example.com"])
    digest = fake_gravatar.add_profile("jane@example.com", display_name="Jane Doe")
    asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    scan(store)
    [finding] = list_findings(store, category="personal_data")
    store.conn.execute("UPDATE findings SET state = 'done' WHERE id = ?", (finding.id,))
    del fake_gravatar.profiles[digest]
    asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    scan(store)
    [after] = list_findings(store, states=ALL_STATES, category="personal_data")
    assert (after.id, after.state) == (finding.id, "verified")


def test_no_email_in_the_profile_is_a_clear_message(store, fake_gravatar):
    with pytest.raises(InputError, match="no email address"):
        asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    assert fake_gravatar.requests == []


# -- searching yourself -----------------------------------------------------------------


@pytest.fixture
def person(store):
    add_identifiers(store, "name", ["Jane Doe"])
    add_identifiers(store, "place", ["Leeds"])
    add_identifiers(store, "email", ["jane@example.com"])
    add_identifiers(store, "username", ["jdoe&co"])
    return store


def test_searches_come_from_the_profile_with_encoded_links(person):
    searches = planned_searches(person.conn)
    assert [(s.kind, s.query) for s in searches] == [
        ("name", '"Jane Doe"'),
        ("name_place", '"Jane Doe" Leeds'),
        ("email", '"jane@example.com"'),
        ("username", '"jdoe&co"'),
    ]
    links = dict(searches[3].links)
    assert links["Google"] == "https://www.google.com/search?q=%22jdoe%26co%22"
    assert links["DuckDuckGo"].startswith("https://duckduckgo.com/?q=")
    assert all(url.startswith("https://") for s in searches for _, url in s.links)


def test_the_search_step_is_a_checklist_item_that_comes_back(person):
    scan(person)
    [step] = list_findings(person, category="account", min_severity="info")
    assert step.rule == "exposure.search-yourself" and step.severity == "info"
    assert step.details["query"] == '"Jane Doe"'
    assert [link["engine"] for link in step.details["links"]][:2] == ["Google", "Google Images"]
    record_search(person, '"jane DOE"', found=True, note="an old forum post")
    [done] = list_findings(person, states=("done",), category="account")
    assert done.id == step.id
    scan(person)
    assert list_findings(person, category="account", min_severity="info") == []
    # Three months later the step is due again, as a new item; the old one stays done.
    later = datetime.now(UTC) + timedelta(days=load_guide().every_days + 1)
    scan(person, now=later)
    [again] = list_findings(person, category="account", min_severity="info")
    assert again.id != step.id
    assert searches_due(person, later)[0].note == "an old forum post"


def test_recording_a_search_that_is_not_yours_is_refused(person):
    with pytest.raises(InputError, match="not one of your searches"):
        record_search(person, "somebody else")


def test_the_search_guide_is_validated_on_load(tmp_path: Path):
    bad = {
        "every_days": 1,
        "steps": ["Look."],
        "engine": [{"id": "g", "name": "G", "url": "http://example.com/?q={query}"}],
        "query": [{"kind": "name_place", "label": "x", "template": "{name}"}],
        "extra": 1,
    }
    with pytest.raises(ConfigError) as err:
        parse_guide(bad, tmp_path / "search.toml")
    text = err.value.message
    for problem in ("every_days", "https", "{place}", "unknown key", "kind 'name'"):
        assert problem in text


def test_a_profile_that_comes_back_reopens_the_fixed_finding(store, fake_gravatar):
    add_identifiers(store, "email", ["jane@example.com"])
    digest = fake_gravatar.add_profile("jane@example.com", display_name="Jane Doe")
    asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    scan(store)
    [finding] = list_findings(store, category="personal_data")
    store.conn.execute("UPDATE findings SET state = 'done' WHERE id = ?", (finding.id,))
    # Marked fixed, but the next check still sees the profile: it is open again.
    asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    assert list_findings(store, category="personal_data")[0].id == finding.id
    saved = fake_gravatar.profiles.pop(digest)
    asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    [gone] = list_findings(store, states=ALL_STATES, category="personal_data")
    assert gone.state == "verified"
    fake_gravatar.profiles[digest] = saved
    asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    [back] = list_findings(store, category="personal_data")
    assert (back.id, back.state) == (finding.id, "open")


def test_an_odd_answer_is_an_error_and_confirms_nothing(store, fake_gravatar):
    from footprint.connectors.errors import ConnectorError

    add_identifiers(store, "email", ["jane@example.com"])
    fake_gravatar.add_profile("jane@example.com", display_name="Jane Doe")
    asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    scan(store)
    fake_gravatar.fail("/v3/profiles", 200, body={"profiles": []})
    with pytest.raises(ConnectorError, match="shape"):
        asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    [finding] = list_findings(store, category="personal_data")
    assert finding.state == "open"


def test_a_connected_key_shows_contact_details_and_labels_stay_out_of_titles(store, fake_gravatar):
    add_identifiers(store, "email", ["jane@example.com"])
    fake_gravatar.add_key("grav-key-123456")
    fake_gravatar.add_profile(
        "jane@example.com",
        display_name="Jane Doe",
        links=[{"label": "My secret side project", "url": "https://side.example"}],
        contact_info={"cell_phone": "+44 7700 900123"},
    )
    keyless = asyncio.run(check_gravatar(store, endpoints=gravatar(fake_gravatar)))
    assert keyless[0].partial and keyless[0].names == ["Display name"]
    [result] = asyncio.run(
        check_gravatar(store, key="grav-key-123456", endpoints=gravatar(fake_gravatar))
    )
    assert not result.partial and "Mobile phone" in result.names
    assert fake_gravatar.requests[-1].headers["authorization"] == "Bearer grav-key-123456"
    scan(store)
    [finding] = list_findings(store, category="personal_data")
    assert finding.severity == "medium"  # a phone number is public
    assert finding.title == "Public Gravatar profile shows display name, link, contact detail"
    assert "secret side project" not in json.dumps(finding.details)
    dump = "\n".join(store.conn.iterdump())
    assert "grav-key-123456" not in dump


def test_recording_a_search_marks_only_that_search(store):
    add_identifiers(store, "username", ["j_doe", "jxdoe"])
    scan(store)
    steps = list_findings(store, category="account", min_severity="info")
    assert {s.details["query"] for s in steps} == {'"j_doe"', '"jxdoe"'}
    record_search(store, '"j_doe"')
    [still_open] = list_findings(store, category="account", min_severity="info")
    assert still_open.details["query"] == '"jxdoe"'
    assert still_open.title == "Search for your username as a recruiter would"
