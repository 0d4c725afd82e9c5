"""The WhatsMyName catalog schema: every field, validation errors, merging, sources."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from footprint.catalog import sources
from footprint.catalog.schema import (
    CatalogError,
    Site,
    load_catalog,
    merge,
    parse_bytes,
    parse_catalog,
    valid_username,
)
from footprint.catalog.sources import CatalogUpdateError, default_catalog, install_upstream
from footprint.net import NetworkOptions

GOOD = {
    "license": ["CC BY-SA 4.0"],
    "authors": ["someone"],
    "categories": ["social", "coding"],
    "sites": [
        {
            "name": "Example",
            "uri_check": "https://example.org/u/{account}",
            "e_code": 200,
            "e_string": "profile",
            "m_string": "not found",
            "m_code": 404,
            "known": ["a", "b"],
            "cat": "social",
        },
        {
            "name": "Api Site",
            "uri_check": "https://api.example.net/lookup",
            "uri_pretty": "https://example.net/@{account}",
            "post_body": '{"name": "{account}"}',
            "headers": {"Content-Type": "application/json"},
            "strip_bad_char": ".",
            "e_code": 200,
            "e_string": '"taken": true',
            "m_string": '"taken": false',
            "m_code": 200,
            "known": ["c"],
            "cat": "coding",
            "valid": False,
            "protection": ["cloudflare"],
        },
    ],
}


def doc(**changes):
    data = copy.deepcopy(GOOD)
    data["sites"][0].update(changes)
    return data


def test_every_schema_field_is_read():
    catalog = parse_catalog(GOOD, label="test")
    assert len(catalog) == 2 and [s.name for s in catalog.usable] == ["Example"]
    api = catalog.get("api site")
    assert api is not None
    assert api.method == "POST" and api.valid is False and api.protection == ("cloudflare",)
    assert api.body("j.doe") == b'{"name": "jdoe"}'  # strip_bad_char applied
    assert api.pretty_url("j.doe") == "https://example.net/@jdoe"
    assert api.check_url("j.doe") == "https://api.example.net/lookup"
    assert api.headers == (("Content-Type", "application/json"),)
    example = catalog.get("EXAMPLE")
    assert example is not None and example.method == "GET"
    assert example.check_url("zoë") == "https://example.org/u/zo%C3%AB"
    assert catalog.sources[0].license == ("CC BY-SA 4.0",)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"e_code": "200"}, "e_code", "HTTP status"),
        ({"m_code": 99}, "m_code", "HTTP status"),
        ({"e_code": True}, "e_code", "HTTP status"),
        ({"uri_check": "ftp://x/{account}"}, "uri_check", "http(s) URL"),
        ({"uri_check": "https://x.org/profile"}, "uri_check", "{account}"),
        ({"uri_pretty": "https://x.org/p"}, "uri_pretty", "{account}"),
        ({"post_body": "user={account}"}, "headers", "required when post_body"),
        ({"headers": {}}, "headers", "non-empty"),
        ({"headers": {"X": "a\r\nInjected: 1"}}, "headers", "line break"),
        ({"known": []}, "known", "non-empty"),
        ({"known": ["a", "a"]}, "known", "duplicates"),
        ({"cat": "weird"}, "cat", "categories"),
        ({"protection": ["magic"]}, "protection", "drawn from"),
        ({"valid": "no"}, "valid", "true or false"),
        ({"e_string": None}, "e_string", "must be text"),
        ({"colour": "red"}, "colour", "not a field"),
        ({"m_code": 200, "m_string": "profile"}, "m_string", "cannot decide"),
        ({"footprint": {"relevance": "huge"}}, "footprint.relevance", "high, medium or low"),
        ({"footprint": {"delete_url": "nope"}}, "footprint.delete_url", "http(s) URL"),
    ],
)
def test_validation_names_the_site_and_the_field(change, field, words):
    with pytest.raises(CatalogError) as err:
        parse_catalog(doc(**change), label="my.json")
    text = err.value.message
    assert "my.json" in text and "'Example'" in text and f"'{field}'" in text
    assert words in text


def test_missing_required_field_and_duplicates_are_reported_together():
    data = doc()
    del data["sites"][0]["m_string"]
    data["sites"].append(dict(GOOD["sites"][1], name="api-site"))
    with pytest.raises(CatalogError) as err:
        parse_catalog(data, label="x")
    assert "'m_string': is required" in err.value.message
    assert "duplicates the site 'Api Site'" in err.value.message
    assert "2 problems" in err.value.message


def test_not_a_catalog():
    with pytest.raises(CatalogError, match="not valid JSON"):
        parse_bytes(b"{nope", label="f")
    with pytest.raises(CatalogError, match="needs a list called 'sites'"):
        parse_catalog({"things": []}, label="f")
    with pytest.raises(CatalogError, match="no catalog file"):
        load_catalog("/nonexistent/catalog.json")


def test_empty_strings_mean_status_decides_and_are_valid():
    site = parse_catalog(doc(e_string="", m_string=""), label="t").sites[0]
    assert site.e_string == "" and site.m_string == ""


def test_merge_later_wins_and_keeps_our_notes():
    ours = copy.deepcopy(GOOD)
    ours["sites"][0]["footprint"] = {
        "category": "social",
        "relevance": "high",
        "delete_url": "https://example.org/delete",
    }
    theirs = doc(e_string="fresh-marker", name="example")
    theirs["sites"].append(dict(GOOD["sites"][0], name="Brand New"))
    merged = merge([parse_catalog(ours, label="ours"), parse_catalog(theirs, label="theirs")])
    example = merged.get("Example")
    assert example is not None and example.e_string == "fresh-marker"
    assert example.meta is not None and example.meta.delete_url == "https://example.org/delete"
    assert example.source == "theirs"
    assert [s.label for s in merged.sources] == ["ours", "theirs"]
    assert merged.get("brand new") is not None and len(merged) == 3


def test_site_round_trips_to_the_wmn_shape():
    catalog = parse_catalog(GOOD, label="t")
    again = parse_catalog({"sites": [s.as_wmn() for s in catalog.sites]}, label="again")
    assert [s.check_hash for s in again.sites] == [s.check_hash for s in catalog.sites]


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("jdoe", True),
        ("j.doe-1_x", True),
        ("zoë", True),
        ("a b", False),
        ("a/b", False),
        ("", False),
        ("x" * 65, False),
        ('a"b', False),
    ],
)
def test_usernames_that_cannot_break_a_request(name, ok):
    assert valid_username(name) is ok


def test_bundled_catalog_is_valid_and_rich():
    catalog = sources.load_bundled()
    assert len(catalog) >= 150
    assert all(s.meta is not None for s in catalog.sites)
    cats = {s.meta.category for s in catalog.sites if s.meta}
    assert {"social", "professional", "developer", "gaming", "dating", "adult"} <= cats
    high = [s for s in catalog.sites if s.meta and s.meta.relevance == "high"]
    assert len(high) >= 15
    with_delete = [s for s in catalog.sites if s.meta and s.meta.delete_url]
    assert len(with_delete) >= 50
    for site in catalog.sites:
        assert isinstance(site, Site) and site.uri_check.startswith("https://")


# ------------------------------------------------------------ catalog update


class _Handler(BaseHTTPRequestHandler):
    body = b""
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _update(server, home, body: bytes, status: int = 200):
    import asyncio

    _Handler.body, _Handler.status = body, status
    url = f"http://127.0.0.1:{server.server_address[1]}/wmn-data.json"
    raw = asyncio.run(sources.download(url, NetworkOptions()))
    return install_upstream(home, raw, url)


def test_update_installs_validates_and_attributes(upstream, home):
    result = _update(upstream, home, json.dumps(GOOD).encode())
    assert result.sites == 2 and result.previous is None
    cached = sources.upstream_path(home)
    assert cached.exists() and oct(cached.stat().st_mode & 0o777) == "0o600"
    info = sources.upstream_info(home)
    assert info is not None and "CC BY-SA 4.0" in str(info["attribution"])
    # the default catalog now merges ours with the cached copy
    merged = default_catalog(home)
    assert merged.get("Example") is not None and len(merged.sources) == 2

    newer = copy.deepcopy(GOOD)
    newer["sites"].append(dict(GOOD["sites"][0], name="Another"))
    second = _update(upstream, home, json.dumps(newer).encode())
    assert second.previous == 2 and second.added == ["Another"]


def test_a_bad_download_leaves_the_cached_copy_alone(upstream, home):
    _update(upstream, home, json.dumps(GOOD).encode())
    before = sources.upstream_path(home).read_bytes()
    with pytest.raises(CatalogUpdateError, match="not a valid site catalog"):
        _update(upstream, home, json.dumps(doc(e_code="x")).encode())
    with pytest.raises(CatalogUpdateError, match="not valid JSON"):
        _update(upstream, home, b"<html>oops</html>")
    with pytest.raises(CatalogUpdateError, match="answered 404"):
        _update(upstream, home, b"", status=404)
    assert sources.upstream_path(home).read_bytes() == before
    leftovers = [p.name for p in sources.catalog_dir(home).iterdir() if p.name.endswith(".part")]
    assert leftovers == []


def test_update_refuses_a_huge_file(upstream, home, monkeypatch):
    monkeypatch.setattr(sources, "MAX_DOWNLOAD", 1000)
    with pytest.raises(CatalogUpdateError, match="larger than"):
        _update(upstream, home, b"x" * 5000)


def test_update_reports_an_unreachable_server(home):
    import asyncio

    with pytest.raises(CatalogUpdateError, match="Could not download"):
        asyncio.run(sources.download("http://127.0.0.1:9/x.json", NetworkOptions()))
