"""Export guides: the bundled file covers every importer and bad guide files are refused."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from footprint.archives.engine import importers
from footprint.archives.generic import GenericImporter
from footprint.archives.guides import (
    ExportGuide,
    default_path,
    export_guide,
    load_export_guides,
)
from footprint.errors import ConfigError, InputError
from footprint.platforms import DISPLAY_NAMES

GOOD = """
[[export]]
platform = "x"
name = "X (Twitter)"
url = "https://x.com/settings/download_your_data"
steps = ["Open the page.", "Enter your password.", "Click Request archive."]
format = ""
wait = "usually within 24 hours"
notes = "Keep it safe."
"""


def _entry(**fields: object) -> str:
    """One [[export]] table: a valid guide with ``fields`` replaced (None removes a field)."""
    base: dict[str, object] = {
        "platform": "reddit",
        "name": "Reddit",
        "url": "https://www.reddit.com/settings/data-request",
        "steps": ["Open the page.", "Submit the request.", "Wait for the message."],
        "format": "",
        "wait": "a few days",
    }
    base.update(fields)
    lines = ["[[export]]"]
    # JSON's strings, numbers, booleans and arrays are valid TOML values too.
    lines += [f"{key} = {json.dumps(value)}" for key, value in base.items() if value is not None]
    return "\n".join(lines) + "\n"


def _write(tmp_path: Path, text: str, name: str = "guides.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_export_guides(path)
    message = info.value.message
    assert path.name in message
    return message


# ----------------------------------------------------------------- the bundled file


def _importer_platforms() -> set[str]:
    """Platforms with an importer of their own export (the generic CSV/JSONL one has none)."""
    return {i.platform for i in importers() if not isinstance(i, GenericImporter)}


def test_bundled_guides_cover_every_importer_platform():
    guides = load_export_guides()
    platforms = [g.platform for g in guides]
    expected = _importer_platforms()
    assert len(expected) >= 8  # the importers themselves are the list
    assert set(platforms) == expected
    assert len(platforms) == len(set(platforms))
    for platform in expected:
        guide = export_guide(platform)
        assert guide is not None, platform
        assert guide.platform == platform


def test_bundled_guides_are_complete_and_plain():
    for guide in load_export_guides():
        assert guide.platform in DISPLAY_NAMES, guide.platform
        assert guide.name and guide.wait, guide.platform
        assert 3 <= len(guide.steps) <= 6, guide.platform
        assert all(step and len(step) < 300 for step in guide.steps), guide.platform


def test_every_bundled_url_is_https():
    for guide in load_export_guides():
        assert guide.url.startswith("https://"), guide.url
        for url in (guide.link(), guide.link("example.org")):
            parts = urlsplit(url)
            assert parts.scheme == "https", url
            assert parts.hostname and "{" not in url, url


def test_json_is_asked_for_where_footprint_cannot_read_html():
    for platform in ("facebook", "instagram", "tiktok"):
        guide = export_guide(platform)
        assert guide is not None
        assert guide.format == "JSON"
        assert any("JSON" in step for step in guide.steps), platform


def test_facts_people_need_are_in_the_guides():
    youtube = export_guide("youtube")
    assert youtube is not None and youtube.url.startswith("https://takeout.google.com")
    assert any("YouTube and YouTube Music" in step for step in youtube.steps)
    mastodon = export_guide("mastodon")
    assert mastodon is not None and "7 days" in mastodon.notes
    reddit = export_guide("reddit")
    assert reddit is not None and "1,000" in reddit.notes
    x = export_guide("x")
    assert x is not None and "password" in x.notes and "code" in x.notes


def test_the_default_load_is_cached_and_the_path_is_the_resource():
    assert load_export_guides() is load_export_guides()
    assert default_path().is_file()
    assert default_path().parts[-2:] == ("guides", "exports.toml")


def test_export_guide_accepts_names_and_refuses_unknown_platforms():
    assert export_guide("Twitter") is export_guide("x")
    assert export_guide("X (Twitter)") is export_guide("x")
    assert export_guide("nowhere") is None
    assert export_guide("other") is None


# ----------------------------------------------------------------- links


def test_mastodon_link_fills_the_instance():
    guide = export_guide("mastodon")
    assert guide is not None
    assert "{instance}" in guide.url
    assert guide.link() == "https://mastodon.social/settings/export"
    assert guide.link("fosstodon.org") == "https://fosstodon.org/settings/export"
    assert guide.link(" https://Fosstodon.org/about ") == "https://fosstodon.org/settings/export"
    assert guide.link("@me@hachyderm.io") == "https://hachyderm.io/settings/export"
    assert guide.link("") == "https://mastodon.social/settings/export"


@pytest.mark.parametrize("bad", ["not a host!", "evil.example?x=1", "a..b", "host name"])
def test_mastodon_link_refuses_what_is_not_a_server(bad):
    guide = export_guide("mastodon")
    assert guide is not None
    with pytest.raises(InputError):
        guide.link(bad)


def test_a_link_without_placeholder_ignores_the_instance():
    guide = ExportGuide("x", "X", "https://x.com/a", ("one",), "", "soon", "")
    assert guide.link("fosstodon.org") == "https://x.com/a"


# ----------------------------------------------------------------- validation


def test_a_good_file_loads(tmp_path):
    (guide,) = load_export_guides(_write(tmp_path, GOOD))
    assert guide == ExportGuide(
        platform="x",
        name="X (Twitter)",
        url="https://x.com/settings/download_your_data",
        steps=("Open the page.", "Enter your password.", "Click Request archive."),
        format="",
        wait="usually within 24 hours",
        notes="Keep it safe.",
    )


def test_notes_are_optional(tmp_path):
    (guide,) = load_export_guides(_write(tmp_path, _entry()))
    assert guide.notes == ""


def test_an_unknown_key_is_named(tmp_path):
    message = _error(tmp_path, _entry(colour="blue"))
    assert "entry #1 (platform 'reddit')" in message
    assert "'colour'" in message and "not a known field" in message


@pytest.mark.parametrize("field", ["platform", "name", "url", "steps", "format", "wait"])
def test_a_missing_required_field_is_named(tmp_path, field):
    message = _error(tmp_path, _entry(**{field: None}))
    assert f"field '{field}' is missing" in message
    assert "entry #1" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("platform", 3),
        ("name", ["Reddit"]),
        ("url", True),
        ("format", 1),
        ("wait", 2.5),
        ("notes", ["a"]),
        ("steps", "Open the page."),
    ],
)
def test_a_wrong_type_is_named(tmp_path, field, value):
    message = _error(tmp_path, _entry(**{field: value}))
    assert f"field '{field}' should be" in message


def test_a_step_that_is_not_text_is_named(tmp_path):
    message = _error(tmp_path, _entry(steps=["Open the page.", 7, ""]))
    assert "field 'steps' item 2" in message
    assert "field 'steps' item 3" in message


def test_empty_steps_are_refused(tmp_path):
    message = _error(tmp_path, _entry(steps=[]))
    assert "field 'steps' is empty" in message


@pytest.mark.parametrize("field", ["name", "wait", "platform"])
def test_empty_required_text_is_refused(tmp_path, field):
    message = _error(tmp_path, _entry(**{field: "  "}))
    assert f"field '{field}' is empty" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://www.reddit.com/settings/data-request",
        "www.reddit.com/settings/data-request",
        "https:///settings",
        "ftp://example.org/",
    ],
)
def test_a_url_that_is_not_https_is_refused(tmp_path, url):
    message = _error(tmp_path, _entry(url=url))
    assert "field 'url' should be an https:// address" in message


def test_a_duplicate_platform_is_refused(tmp_path):
    message = _error(tmp_path, _entry() + _entry(name="Reddit again"))
    assert "entry #2 (platform 'reddit')" in message
    assert "field 'platform' repeats entry #1" in message


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"url": "https://{server}/settings/export"}, "field 'url' has the placeholder {server}"),
        ({"url": "https://{instance}/{user}"}, "field 'url' has the placeholder {user}"),
        ({"wait": "a {day}"}, "field 'wait' has the placeholder {day}"),
        ({"steps": ["Go to {instance}.", "b", "c"]}, "field 'steps' item 1 has {instance}"),
        ({"notes": "{instance} only"}, "field 'notes' has {instance}"),
        ({"name": "Red{dit"}, "field 'name' has an unmatched brace"),
    ],
)
def test_placeholders_other_than_instance_in_url_are_refused(tmp_path, fields, named):
    message = _error(tmp_path, _entry(**fields))
    assert named in message


def test_instance_is_allowed_in_the_url(tmp_path):
    text = _entry(platform="mastodon", name="Mastodon", url="https://{instance}/settings/export")
    (guide,) = load_export_guides(_write(tmp_path, text))
    assert guide.link("example.social") == "https://example.social/settings/export"


def test_bad_platform_ids_are_refused(tmp_path):
    message = _error(tmp_path, _entry(platform="Not An Id"))
    assert "field 'platform' should be a platform id" in message


def test_every_problem_is_reported_at_once(tmp_path):
    text = _entry(url="http://x.org", colour="red") + _entry(platform="x", wait=None, steps=[])
    message = _error(tmp_path, text)
    for part in (
        "entry #1 (platform 'reddit'): field 'url'",
        "entry #1 (platform 'reddit'): field 'colour'",
        "entry #2 (platform 'x'): field 'wait' is missing",
        "entry #2 (platform 'x'): field 'steps' is empty",
    ):
        assert part in message
    assert "(4 problems)" in message


def test_a_file_without_guides_or_with_stray_keys_is_refused(tmp_path):
    assert "no [[export]] tables" in _error(tmp_path, "title = 'guides'\n")
    message = _error(tmp_path, "title = 'guides'\n" + _entry())
    assert "key 'title'" in message


def test_an_entry_that_is_not_a_table_is_refused(tmp_path):
    message = _error(tmp_path, "export = [1]\n")
    assert "entry #1: should be an [[export]] table" in message


def test_invalid_toml_names_the_file(tmp_path):
    message = _error(tmp_path, "[[export]\nplatform = ")
    assert "not valid TOML" in message


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_export_guides(tmp_path / "absent.toml")
    assert "absent.toml" in info.value.message
