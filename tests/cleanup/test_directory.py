"""Deletion guides, data brokers and deletion letters: bundled data loads, bad files are refused."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from footprint.cleanup.directory import (
    DIFFICULTIES,
    NEEDS,
    PLACEHOLDERS,
    PRIORITIES,
    Broker,
    DeletionGuide,
    deletion_guide_for,
    letter_template,
    load_brokers,
    load_deletion_guides,
    render_letter,
)
from footprint.errors import ConfigError, InputError
from footprint.paths import resources_dir
from footprint.store.profile import Profile

CATALOG = resources_dir() / "catalog" / "footprint-sites.json"


def _toml(table: str, **fields: object) -> str:
    """One [[table]]; JSON's strings, numbers, booleans and arrays are valid TOML values."""
    lines = [f"[[{table}]]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items() if value is not None]
    return "\n".join(lines) + "\n"


def _site(**fields: object) -> str:
    base: dict[str, object] = {
        "name": "GitHub",
        "sites": ["GitHub"],
        "url": "https://github.com/settings/admin",
        "difficulty": "easy",
        "notes": "Hand over organizations first.",
    }
    base.update(fields)
    return _toml("site", **base)


def _broker(**fields: object) -> str:
    base: dict[str, object] = {
        "name": "Spokeo",
        "search_url": "https://www.spokeo.com/search",
        "optout_url": "https://www.spokeo.com/optout",
        "priority": "crucial",
        "needs": ["email"],
        "expect": "Confirm from the email.",
    }
    base.update(fields)
    return _toml("broker", **base)


def _write(tmp_path: Path, text: str, name: str = "data.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _guide_error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text, "deletion.toml")
    with pytest.raises(ConfigError) as info:
        load_deletion_guides(path)
    assert path.name in info.value.message
    return info.value.message


def _broker_error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text, "brokers.toml")
    with pytest.raises(ConfigError) as info:
        load_brokers(path)
    assert path.name in info.value.message
    return info.value.message


def _catalog_names() -> set[str]:
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    return {site["name"].casefold() for site in data["sites"]}


# ----------------------------------------------------------------- the bundled files


def test_bundled_deletion_guides_load():
    guides = load_deletion_guides()
    assert len(guides) >= 40
    assert all(isinstance(g, DeletionGuide) for g in guides)
    assert {g.difficulty for g in guides} <= set(DIFFICULTIES)
    assert len({g.name.casefold() for g in guides}) == len(guides)
    for guide in guides:
        assert urlsplit(guide.url).scheme == "https", guide.name
        assert guide.notes


def test_every_deletion_guide_names_sites_in_the_bundled_catalog():
    names = _catalog_names()
    assert len(names) > 100
    missing = [
        (guide.name, site)
        for guide in load_deletion_guides()
        for site in guide.sites
        if site.casefold() not in names
    ]
    assert missing == []


def test_the_catalog_sites_that_matter_most_have_a_guide():
    covered = {site.casefold() for g in load_deletion_guides() for site in g.sites}
    for name in ("GitHub", "Reddit", "Instagram", "TikTok", "X (Twitter)", "YouTube", "Steam"):
        assert name.casefold() in covered


def test_bundled_brokers_load():
    brokers = load_brokers()
    assert len(brokers) >= 20
    assert all(isinstance(b, Broker) for b in brokers)
    assert {b.priority for b in brokers} == set(PRIORITIES)
    assert len({b.name.casefold() for b in brokers}) == len(brokers)
    for broker in brokers:
        assert set(broker.needs) <= set(NEEDS)
        assert urlsplit(broker.search_url).scheme == "https", broker.name
        assert urlsplit(broker.optout_url).scheme == "https", broker.name
        assert broker.expect


def test_bundled_brokers_put_crucial_ones_first():
    order = [PRIORITIES.index(b.priority) for b in load_brokers()]
    assert order == sorted(order)


def test_bundled_broker_file_says_it_is_guidance():
    head = (resources_dir() / "cleanup" / "brokers.toml").read_text(encoding="utf-8")[:1500]
    assert "guidance" in head and "change" in head


def test_the_bundled_files_are_read_once():
    assert load_deletion_guides() is load_deletion_guides()
    assert load_brokers() is load_brokers()


# ----------------------------------------------------------------- lookup


def test_lookup_ignores_case_and_spaces():
    guide = deletion_guide_for("  github ")
    assert guide is not None and guide.name == "GitHub"
    assert deletion_guide_for("REDDIT") is deletion_guide_for("Reddit")


def test_lookup_finds_a_guide_shared_by_several_sites():
    social = deletion_guide_for("Mastodon (hachyderm.io)")
    assert social is not None and social is deletion_guide_for("mastodon (fosstodon.org)")
    forum = deletion_guide_for("Python Discourse")
    assert forum is not None and forum is deletion_guide_for("Rust Users Forum")


def test_lookup_falls_back_to_the_guide_name():
    guide = deletion_guide_for("mastodon")
    assert guide is not None and len(guide.sites) > 1


def test_lookup_of_an_unknown_site_is_none():
    assert deletion_guide_for("No Such Site Anywhere") is None
    assert deletion_guide_for("   ") is None


def test_email_guides_carry_the_address():
    guide = deletion_guide_for("Hacker News")
    assert guide is not None and guide.email == "hn@ycombinator.com"
    assert guide.difficulty == "hard"
    github = deletion_guide_for("GitHub")
    assert github is not None and github.email is None


# ----------------------------------------------------------------- deletion-guide validation


def test_a_valid_guide_file_loads(tmp_path):
    text = _site(email="help@example.org") + _site(name="Reddit", sites=["Reddit"])
    path = _write(tmp_path, text)
    guides = load_deletion_guides(path)
    assert [g.name for g in guides] == ["GitHub", "Reddit"]
    assert guides[0].sites == ("GitHub",) and guides[0].email == "help@example.org"


def test_unknown_field_is_refused(tmp_path):
    message = _guide_error(tmp_path, _site(colour="blue"))
    assert "entry #1 ('GitHub')" in message and "'colour' is not a known field" in message


@pytest.mark.parametrize("field", ["name", "sites", "url", "difficulty", "notes"])
def test_missing_field_is_refused(tmp_path, field):
    message = _guide_error(tmp_path, _site(**{field: None}))
    assert f"field '{field}' is missing" in message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", 3, "should be text, not int"),
        ("notes", ["a"], "should be text, not a list"),
        ("sites", "GitHub", "should be a list of text, not str"),
        ("sites", [], "'sites' is empty"),
        ("sites", ["GitHub", ""], "item 2 should be non-empty text"),
        ("sites", ["GitHub", "github"], "lists 'github' twice"),
        ("difficulty", "trivial", "should be one of easy, medium, hard, impossible, limited"),
        ("url", "http://github.com/settings/admin", "should be an https:// address"),
        ("url", "github.com/settings", "should be an https:// address"),
        ("email", "not-an-address", "should be an email address"),
        ("notes", "   ", "field 'notes' is empty"),
    ],
)
def test_mistyped_or_bad_values_are_refused(tmp_path, field, value, expected):
    message = _guide_error(tmp_path, _site(**{field: value}))
    assert f"'{field}'" in message and expected in message


def test_duplicate_names_and_shared_sites_are_refused(tmp_path):
    text = _site() + _site(name="github", sites=["GitLab"]) + _site(name="Code", sites=["GITHUB"])
    message = _guide_error(tmp_path, text)
    assert "entry #2 ('github'): field 'name' repeats entry #1" in message
    assert "'GITHUB', which 'GitHub' already lists" in message


def test_top_level_problems_are_refused(tmp_path):
    assert "there are no [[site]] tables" in _guide_error(tmp_path, "")
    message = _guide_error(tmp_path, "site = 3\nextra = 1\n")
    assert "key 'extra'" in message and "should be a [[site]] table" not in message
    assert "there are no [[site]] tables" in message


def test_invalid_toml_and_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_deletion_guides(_write(tmp_path, "[[site]\n"))
    with pytest.raises(ConfigError, match="missing"):
        load_deletion_guides(tmp_path / "nope.toml")


def test_every_problem_is_reported_at_once_and_long_lists_are_cut(tmp_path):
    text = "".join(_site(name=f"S{i}", sites=[f"S{i}"], url="http://x.org") for i in range(25))
    message = _guide_error(tmp_path, text)
    assert "(25 problems)" in message
    assert message.count("should be an https:// address") == 20
    assert "... and 5 more" in message


# ----------------------------------------------------------------- broker validation


def test_a_valid_broker_file_loads(tmp_path):
    text = _broker(owner="Spokeo Inc.") + _broker(name="FamilyTreeNow", needs=[], priority="high")
    brokers = load_brokers(_write(tmp_path, text))
    assert [b.name for b in brokers] == ["Spokeo", "FamilyTreeNow"]
    assert brokers[0].needs == ("email",) and brokers[0].owner == "Spokeo Inc."
    assert brokers[1].needs == () and brokers[1].owner is None


def test_unknown_broker_field_is_refused(tmp_path):
    message = _broker_error(tmp_path, _broker(url="https://www.spokeo.com/"))
    assert "entry #1 ('Spokeo'): field 'url' is not a known field" in message


@pytest.mark.parametrize(
    "field", ["name", "search_url", "optout_url", "priority", "needs", "expect"]
)
def test_missing_broker_field_is_refused(tmp_path, field):
    assert f"field '{field}' is missing" in _broker_error(tmp_path, _broker(**{field: None}))


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("priority", "urgent", "should be one of crucial, high, normal"),
        ("priority", 1, "should be text, not int"),
        ("needs", ["email", "blood"], "item 2 is 'blood'; it should be one of"),
        ("needs", "email", "should be a list of text, not str"),
        ("needs", ["phone", "phone"], "lists 'phone' twice"),
        ("search_url", "http://www.spokeo.com/", "should be an https:// address"),
        ("optout_url", "ftp://spokeo.com/optout", "should be an https:// address"),
        ("owner", True, "should be text, not true/false"),
        ("expect", "", "field 'expect' is empty"),
    ],
)
def test_bad_broker_values_are_refused(tmp_path, field, value, expected):
    message = _broker_error(tmp_path, _broker(**{field: value}))
    assert f"'{field}'" in message and expected in message


def test_duplicate_broker_names_are_refused(tmp_path):
    message = _broker_error(tmp_path, _broker() + _broker(name="SPOKEO"))
    assert "entry #2 ('SPOKEO'): field 'name' repeats entry #1" in message


def test_all_broker_problems_come_in_one_error(tmp_path):
    text = _broker(priority="x") + _broker(name="B", needs=["fax"]) + "[[broker]]\nname = 1\n"
    message = _broker_error(tmp_path, text)
    assert "priority" in message and "'fax'" in message and "entry #3" in message


# ----------------------------------------------------------------- letters


def _profile() -> Profile:
    return Profile(
        {
            "name": ["Alex Example", "A. Example"],
            "username": ["alexe", "alex_e"],
            "email": ["alex@example.org", "alex.e@example.net"],
            "phone": ["+1 415 555 0100"],
            "place": ["Springfield"],
        }
    )


@pytest.mark.parametrize(
    ("kind", "references"),
    [
        ("gdpr", ["Article 17", "Article 12(3)", "one month", "Article 19"]),
        ("ccpa", ["1798.105", "45 days", "1798.105(c)(1)", "California"]),
    ],
)
def test_letters_are_filled_from_the_profile(kind, references):
    text = render_letter(
        kind,
        "Example Data Inc.",
        _profile(),
        accounts=["https://example.com/u/alexe"],
        today=date(2026, 3, 14),
    )
    assert "Example Data Inc." in text
    assert "alex@example.org" in text and "alex.e@example.net" in text
    assert "alexe" in text and "https://example.com/u/alexe" in text
    assert "Alex Example" in text and "Springfield" in text
    assert "+1 415 555 0100" not in text  # no more data than needed
    for reference in references:
        assert reference in text
    assert "March" in text and "2026" in text
    assert "{" not in text and "}" not in text


def test_a_gdpr_letter_does_not_cite_the_ccpa_and_back():
    gdpr = render_letter("gdpr", "Acme", _profile())
    ccpa = render_letter("ccpa", "Acme", _profile())
    assert "1798" not in gdpr and "GDPR" in gdpr
    assert "Article 17" not in ccpa and "CCPA" in ccpa


def test_an_empty_profile_still_gives_a_complete_letter():
    for kind in ("gdpr", "ccpa"):
        text = render_letter(kind, "Acme", Profile(), today=date(2026, 1, 2))
        assert "{" not in text and "}" not in text
        assert "(none given)" in text and "[your full name]" in text
        assert "Where I live" not in text  # the empty address line is dropped
        assert "\n\n\n" not in text


def test_an_empty_company_is_refused():
    with pytest.raises(InputError):
        render_letter("gdpr", "   ", _profile())


def test_an_unknown_letter_kind_is_refused():
    with pytest.raises(InputError):
        render_letter("hipaa", "Acme", _profile())  # type: ignore[arg-type]


def test_the_bundled_templates_use_only_known_placeholders():
    for kind in ("gdpr", "ccpa"):
        used = set(re.findall(r"\{([^{}]*)\}", letter_template(kind)))
        assert used == set(PLACEHOLDERS)


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path):
    path = _write(tmp_path, "{date}\n{company} {name}\nDear {ceo},\n{oops\n", "bad.txt")
    with pytest.raises(ConfigError) as info:
        letter_template("gdpr", path)
    message = info.value.message
    assert "line 3: {ceo} is not a known placeholder" in message
    assert "line 4: has an unmatched brace" in message


def test_values_are_filled_in_once_and_never_read_as_placeholders():
    profile = Profile({"name": ["Alex"], "username": ["{name}"], "email": [], "phone": []})
    text = render_letter("gdpr", "Acme {company}", profile)
    assert "Acme {company}" in text and "  - {name}" in text
