"""The score-history chart: plain SVG for 0, 1 and many snapshots."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from footprint.report.chart import MAX_POINTS, describe, history_svg, thin

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None
    assert "<script" not in svg and "href" not in svg and "url(" not in svg
    return root


def _ys(root: ET.Element) -> list[float]:
    line = root.find(f"{SVG}polyline")
    if line is None:
        return []
    return [float(p.split(",")[1]) for p in line.get("points", "").split()]


def test_no_snapshot_yet():
    root = _parse(history_svg([]))
    assert root.find(f"{SVG}polyline") is None
    assert root.find(f"{SVG}circle") is None
    assert "No scores yet" in history_svg([])
    assert describe([]).startswith("Score history: no scores yet")


def test_one_snapshot_is_a_labelled_dot():
    svg = history_svg([("2026-05-01T10:00:00Z", 62)])
    root = _parse(svg)
    assert root.find(f"{SVG}polyline") is None
    assert len(root.findall(f"{SVG}circle")) == 1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "62" in texts and "1 May 2026" in texts
    assert root.find(f"{SVG}title").text == (
        "Score history: one score so far, 62 out of 100 on 1 May 2026."
    )


def test_axes_run_from_0_to_100_and_higher_scores_draw_higher():
    svg = history_svg([("2026-01-01T00:00:00Z", 10), ("2026-06-01T00:00:00Z", 90)])
    root = _parse(svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    for level in ("0", "25", "50", "75", "100"):
        assert level in labels
    low, high = _ys(root)
    assert high < low  # SVG's y grows downwards
    assert "Jan 2026" in labels and "Jun 2026" in labels
    assert "from 10 to 90 out of 100" in root.find(f"{SVG}title").text


def test_thousands_of_snapshots_are_thinned_keeping_the_extremes():
    start = datetime(2020, 1, 1, tzinfo=UTC)
    history = [
        ((start + timedelta(hours=6 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"), 50 + (i % 7) * 5)
        for i in range(5000)
    ]
    history[2345] = (history[2345][0], 3)  # one deep dip in the middle
    svg = history_svg(history)
    root = _parse(svg)
    ys = _ys(root)
    assert 2 < len(ys) <= MAX_POINTS
    assert len(svg) < 40_000
    # The dip survives thinning: the lowest drawn point is the lowest score.
    assert max(ys) == max(_ys(_parse(history_svg([history[0], history[2345]]))))
    assert len(root.findall(f"{SVG}circle")) == 1  # only the latest is marked
    assert "5000 scores" in root.find(f"{SVG}title").text


def test_thin_keeps_order_ends_and_small_inputs():
    points = [
        (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i), float(i % 10)) for i in range(50)
    ]
    assert thin(points, 100) == points
    thinned = thin(points, 12)
    assert thinned[0] == points[0] and thinned[-1] == points[-1]
    assert thinned == sorted(thinned, key=lambda p: p[0])
    assert len(thinned) <= 12


def test_bad_rows_are_skipped_and_scores_clamped():
    svg = history_svg([("not a date", 50), ("2026-02-01", 140), ("2026-03-01T00:00:00", -5)])
    root = _parse(svg)
    ys = _ys(root)
    assert len(ys) == 2
    assert re.search(r"from 100 to 0 out of 100", root.find(f"{SVG}title").text)
