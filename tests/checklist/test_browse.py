"""Browsing findings (the GUI's list and filters), snoozing, and privacy settings."""

from __future__ import annotations

from footprint.checklist.findings import (
    FindingFilter,
    finding_facets,
    finding_ids,
    finding_rows,
    get_finding,
    item_text,
    severity_counts,
    snooze,
    wake_snoozed,
)
from footprint.checklist.privacy import confirm_setting, privacy_overview
from footprint.checklist.rules import SEVERITIES
from footprint.checklist.scan import scan
from footprint.demo import seed
from footprint.store import Store


def _demo(home) -> Store:
    store = Store.open(home)
    seed(store)
    return store


def test_ids_are_ordered_most_serious_first_and_rows_match(home) -> None:
    store = _demo(home)
    ids = finding_ids(store)
    assert len(ids) == len(set(ids)) > 5
    rows = finding_rows(store, ids)
    ranks = [SEVERITIES.index(rows[i].severity) for i in ids]
    assert ranks == sorted(ranks, reverse=True)
    first = get_finding(store, ids[0])
    assert rows[ids[0]].title == first.title and rows[ids[0]].platform == first.platform
    assert all(rows[i].excerpt for i in ids)


def test_filters_narrow_and_search_is_literal(home) -> None:
    store = _demo(home)
    every = set(finding_ids(store))
    facets = finding_facets(store)
    assert "x" in facets["platforms"] and facets["categories"]
    by_platform = set(finding_ids(store, FindingFilter(platform="x")))
    assert by_platform and by_platform < every
    assert all(get_finding(store, i).platform == "x" for i in by_platform)
    high = finding_ids(store, FindingFilter(min_severity="high"))
    assert high and all(get_finding(store, i).severity in ("high", "critical") for i in high)
    some = finding_rows(store, [next(iter(every))])
    word = next(iter(some.values())).excerpt.split()[0]
    found = finding_ids(store, FindingFilter(search=word.upper()))
    assert found and set(found) <= every
    assert finding_ids(store, FindingFilter(search="%")) == []  # not a wildcard
    assert finding_ids(store, FindingFilter(since="2999-01-01")) == []
    assert set(finding_ids(store, FindingFilter(until="2999-01-01"))) == every


def test_snooze_hides_until_the_date_then_scan_reopens(home) -> None:
    store = _demo(home)
    fid = finding_ids(store)[0]
    snooze(store, fid, "2030-01-01")
    assert fid not in finding_ids(store)
    assert wake_snoozed(store, "2029-12-31T23:59:59Z") == 0
    assert get_finding(store, fid).state == "snoozed"
    assert wake_snoozed(store, "2030-01-01T00:00:00Z") == 1
    assert get_finding(store, fid).state == "open"


def test_severity_counts_and_item_text(home) -> None:
    store = _demo(home)
    counts = severity_counts(store)
    assert list(counts) == list(reversed(SEVERITIES))
    assert sum(counts.values()) == len(finding_ids(store))
    post = next(i for i in finding_ids(store) if get_finding(store, i).item_key is not None)
    assert item_text(store, post)


def test_privacy_overview_and_confirming_a_setting(home) -> None:
    store = _demo(home)
    overview = privacy_overview(store)
    mastodon = {s.rule.key: s for s in overview["mastodon"]}
    assert mastodon["discoverable"].value == "true" and mastodon["discoverable"].loose
    assert mastodon["discoverable"].finding_id is not None
    assert "fosstodon.example" in mastodon["discoverable"].link
    unknown = [s for s in mastodon.values() if s.value is None]
    assert unknown and all(s.loose is None for s in unknown)
    key = unknown[0].rule.key
    confirm_setting(store, "mastodon", key, unknown[0].rule.loose[0])
    scan(store)
    again = {s.rule.key: s for s in privacy_overview(store)["mastodon"]}
    assert again[key].loose and again[key].source_label == "confirmed by you"
    assert again[key].finding_id is not None
    confirm_setting(store, "mastodon", key, again[key].rule.safe)
    scan(store)
    fixed = {s.rule.key: s for s in privacy_overview(store)["mastodon"]}
    assert fixed[key].loose is False and fixed[key].finding_id is None
