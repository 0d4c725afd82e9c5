"""The report's content, its HTML, redaction, secrets and writing the file."""

from __future__ import annotations

import os
import re
import stat

import pytest

from footprint.errors import InputError
from footprint.report import render_html, write_report
from footprint.report.html import highlight
from footprint.report.model import (
    SECTION_ORDER,
    SECTIONS,
    _Cleaner,
    all_text,
    build_report,
    mask_email,
)
from tests.report.conftest import (
    EMAIL,
    HIDDEN_SECRET,
    HOSTILE,
    KEYRING_SECRET,
    NOW,
    PHRASE,
    SECRET_REF,
)

EXTERNAL = [
    re.compile(r"""\bsrc\s*=\s*["']?\s*(https?:)?//""", re.IGNORECASE),
    re.compile(r"url\s*\(", re.IGNORECASE),
    re.compile(r"@import", re.IGNORECASE),
    re.compile(r"<link\b", re.IGNORECASE),
    re.compile(r"<script\b", re.IGNORECASE),
    re.compile(r"<iframe\b|<object\b|<embed\b", re.IGNORECASE),
    re.compile(r"""<img\b[^>]*\bsrc\s*=\s*["']?\s*https?:""", re.IGNORECASE),
]


def _html(store, flavour="web", **kwargs):
    return render_html(build_report(store, now=NOW, **kwargs), flavour=flavour)


def _heading(html, key, title):
    return html.index(f'id="{key}">{title}<')


# --------------------------------------------------------------------- content


def test_sections_come_in_order_with_the_findings_in_them(full_store):
    report = build_report(full_store, now=NOW)
    assert [s.key for s in report.sections] == list(SECTION_ORDER)
    by_key = {s.key: s for s in report.sections}
    assert [e.category for e in by_key["flagged"].entries] == [
        "threats",
        "crime",  # snoozed: still to do; high, and newer than the harassment one
        "harassment",
        "alcohol",
    ]
    assert [e.category for e in by_key["traits"].entries] == ["protected_trait"]
    assert {e.title for e in by_key["profiles"].entries} == {
        "Old profile on OkCupid: caseyq",
        'Search for "Casey Quinn" as a recruiter would',
    }
    assert [e.title for e in by_key["breaches"].entries] == [
        "Adobe breach (2013): email addresses, passwords"
    ]
    assert [e.category for e in by_key["other"].entries] == ["mystery"]
    assert [e.state for e in by_key["fixed"].entries] == ["verified", "done"]
    assert report.counts.dismissed == 1
    assert report.counts.fixed == 2 and report.counts.verified == 1
    assert report.person == "Casey Quinn"
    assert report.history == [("2026-05-01T10:00:00Z", 41), ("2026-08-01T10:00:00Z", 55)]

    html = render_html(report)
    positions = [
        _heading(html, "how-to-read", "How to read this"),
        _heading(html, "history", "Your score over time"),
        *(_heading(html, key, SECTIONS[key].title) for key in SECTION_ORDER),
    ]
    assert positions == sorted(positions)
    # Within a section: most serious first.
    flagged = html[positions[2] : positions[3]]
    assert flagged.index("Critical") < flagged.index("High") < flagged.index("Medium")


def test_a_flagged_post_shows_where_when_visibility_and_the_words(full_store):
    report = build_report(full_store, now=NOW)
    drunk = next(e for e in report.section("flagged").entries if e.category == "alcohol")
    assert drunk.where == "X (Twitter)"
    assert drunk.date == "2021-03-10"
    assert drunk.visibility == "public"
    assert drunk.category_name == "Alcohol and partying"
    assert "Fama" in drunk.vendor
    assert drunk.evidence[0].matches == ("drunk",)
    assert drunk.link == "https://x.com/caseyq/status/1000"
    html = render_html(report)
    assert "10 Mar 2021" in html
    # Case-insensitive: the post says "DRUNK", the rule matched "drunk".
    assert "So <mark>DRUNK</mark> at the purple giraffe smuggling party" in html
    assert '<a href="https://x.com/caseyq/status/1000"' in html


def test_a_match_missing_from_its_excerpt_is_shown_apart(full_store):
    html = _html(full_store)
    assert "oops \u2026" in html
    assert "flagged: </span><mark>pasted my token</mark>" in html


def test_highlight_escapes_around_and_inside_the_mark():
    markup, found = highlight("a <b>BAD</b> & bad day", ["bad"], lambda s: f"[{s}]")
    assert found
    assert markup == "a &lt;b&gt;[BAD]&lt;/b&gt; &amp; [bad] day"
    markup, found = highlight("nothing here", ["absent", ""], lambda s: f"[{s}]")
    assert (markup, found) == ("nothing here", False)
    # Overlapping matches make one mark.
    markup, _ = highlight("call in sick", ["call in", "in sick"], lambda s: f"[{s}]")
    assert markup == "[call in sick]"


def test_settings_show_the_safer_value_and_where_to_change_it(full_store):
    report = build_report(full_store, now=NOW)
    (setting,) = report.section("settings").entries
    facts = {f.label: f.value for f in setting.facts}
    assert facts == {"Now": "public", "Safer": "unlisted"}
    assert setting.link == "https://social.example/settings/preferences/other"
    assert setting.evidence == []


def test_breaches_are_apart_with_their_facts_and_plain_description(full_store):
    report = build_report(full_store, now=NOW)
    (breach,) = report.section("breaches").entries
    facts = {f.label: f.value for f in breach.facts}
    assert facts["Email"] == EMAIL
    assert facts["Breach date"] == "2013-10-04"
    assert facts["Accounts in it"] == "152,445,165"
    assert facts["What leaked"] == "Email addresses, Password hints, Passwords"
    assert facts["About it"] == "In October 2013, Adobe was breached & more."
    assert breach.link == "https://haveibeenpwned.com/Breach/Adobe"
    html = _html(full_store)
    assert "evil.example" not in html
    assert "was breached &amp; more." in html
    assert report.counts.breaches == 1


def test_protected_traits_may_invite_bias_and_are_never_called_wrong(full_store):
    html = _html(full_store)
    start = _heading(html, "traits", "Protected traits (may invite bias)")
    end = _heading(html, "breaches", "Breaches")
    part = html[start:end]
    assert "May invite bias" in part
    assert "never wrong" in part
    assert "Why it is here" in part and "Why it matters" not in part
    for word in ("Critical", "High", "Medium", "Low"):
        assert f">{word}<" not in part
    assert "Protected traits" in html[: html.index("Your score over time")]  # how to read


def test_unknown_categories_are_listed_generically(full_store):
    report = build_report(full_store, now=NOW)
    (other,) = report.section("other").entries
    assert other.title == "A finding of a kind this report does not know"
    assert other.category_name == "mystery"
    assert other.evidence[0].matches == ("nobody",)
    assert "<mark>nobody</mark>" in render_html(report)


def test_fixed_findings_say_when_and_whether_verified(full_store):
    report = build_report(full_store, now=NOW)
    verified, done = report.section("fixed").entries
    assert (verified.state, verified.fixed_at) == ("verified", "2026-10-05T09:00:00Z")
    assert (done.state, done.fixed_at) == ("done", "2026-09-01T09:00:00Z")
    html = render_html(report)
    assert "Verified \u2713" in html and "5 Oct 2026" in html
    assert "1 finding as not a problem (dismissed" in html
    assert "snoozed" in html


def test_the_score_and_how_to_read_it_are_at_the_top(full_store):
    report = build_report(full_store, now=NOW)
    assert isinstance(report.score.value, int) and 0 <= report.score.value <= 100
    assert report.score.explanation[0].startswith(f"Your footprint score is {report.score.value}")
    html = render_html(report)
    top = html[: _heading(html, "flagged", "What a screener would flag")]
    assert f'<span class="value">{report.score.value}</span>' in top
    assert "How to read this" in top
    assert "computed on this computer" in top
    assert "Verified means a later check confirmed it" in top
    assert "<svg" in top and "<title" in top


def test_a_limit_lists_the_most_serious_and_counts_the_rest(full_store):
    report = build_report(full_store, now=NOW, limit=2)
    flagged = report.section("flagged")
    assert [e.category for e in flagged.entries] == ["threats", "crime"]
    assert flagged.total == 4
    assert any("2 more" in note for note in flagged.notes)
    todo = report.section("todo").tables[0]
    assert todo.rows[0][0] == "What a screener would flag" and todo.rows[0][-1] == "4"


def test_the_demo_profile_makes_a_full_report(store):
    from footprint.demo import seed

    seed(store)
    report = build_report(store)
    assert report.person == "Jordan Reyes"
    assert len(report.history) >= 5
    flagged = report.section("flagged").entries
    assert flagged and all(e.date and e.where for e in flagged)
    assert report.section("personal").entries
    assert report.section("settings").entries
    assert any("Tumblr" in (e.where or "") for e in report.section("profiles").entries)
    html = render_html(report)
    assert "<mark>drunk</mark>" in html
    assert "2340 SE Clinton St" in html


def test_an_empty_store_says_nothing_was_found_yet(store):
    report = build_report(store, now=NOW)
    assert report.nothing_checked
    assert report.score.value is None
    assert report.person == "you"
    html = render_html(report)
    assert "Nothing found yet" in html
    assert "How to read this" in html
    assert "What a screener would flag" not in html
    qt = render_html(report, flavour="qt")
    assert "Nothing found yet" in qt


def test_a_store_with_accounts_but_no_findings_says_so_per_section(store):
    from footprint.store.accounts import upsert_account

    upsert_account(store, "github", "someone", connection="api")
    report = build_report(store, now=NOW)
    assert not report.nothing_checked
    assert report.score.value == 100
    html = render_html(report)
    assert SECTIONS["flagged"].empty in html
    assert "No scores yet" not in html  # no chart at all without a history
    assert "No score history yet" in html


# --------------------------------------------------------------------- HTML safety


@pytest.mark.parametrize("redact", [False, True])
def test_the_page_fetches_nothing_from_anywhere(full_store, redact):
    html = _html(full_store, redact=redact)
    assert html.startswith("<!DOCTYPE html>")
    for pattern in EXTERNAL:
        assert not pattern.search(html), pattern.pattern
    # The only addresses are links to the person's own posts and pages (<a href>).
    for url in re.findall(r"https?://[^\s\"'<>]+", html):
        before = html[: html.index(url)]
        assert re.search(r"""<a href=["']$""", before) or "xmlns" in before[-20:], url


@pytest.mark.parametrize("flavour", ["web", "qt"])
def test_hostile_post_text_is_escaped(full_store, flavour):
    html = _html(full_store, flavour=flavour)
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert HOSTILE not in html


def test_qt_flavour_is_the_same_report_in_simple_markup(full_store):
    qt = _html(full_store, flavour="qt")
    assert "<svg" not in qt and "display:" not in qt and "grid" not in qt
    assert '<img src="footprint-chart.png" width="640" height="220"' in qt
    assert "<mark>" not in qt and "background-color:#ffe27a;" in qt
    for key in SECTION_ORDER:
        assert SECTIONS[key].title in qt


# --------------------------------------------------------------------- redaction & secrets


def test_redaction_hides_the_evidence_and_masks_emails_but_keeps_the_rest(full_store):
    plain = build_report(full_store, now=NOW)
    report = build_report(full_store, now=NOW, redact=True)
    text = "\n".join(all_text(report))
    assert PHRASE in "\n".join(all_text(plain))
    assert PHRASE not in text
    assert EMAIL not in text and "c\u2022\u2022\u2022@example.org" in text
    assert "https://x.com/caseyq/status" not in text
    assert "okcupid.com/profile" not in text
    assert "Tilbury" not in text
    assert "caseyq" not in text  # the person's usernames are masked too
    drunk = next(e for e in report.section("flagged").entries if e.category == "alcohol")
    assert drunk.evidence[0].hidden
    assert drunk.evidence[0].text == f"[evidence hidden, {len(plain_excerpt(plain))} characters]"
    assert (drunk.category_name, drunk.date, drunk.visibility, drunk.severity) == (
        "Alcohol and partying",
        "2021-03-10",
        "public",
        "medium",
    )
    assert drunk.link is None
    html = render_html(report)
    assert PHRASE not in html and EMAIL not in html
    assert "Alcohol and partying" in html and "10 Mar 2021" in html
    assert "Evidence hidden for sharing" in html
    assert report.counts == plain.counts


def plain_excerpt(report):
    drunk = next(e for e in report.section("flagged").entries if e.category == "alcohol")
    return drunk.evidence[0].text


def test_mask_email():
    assert (
        mask_email("write to jordan.reyes@example.org now")
        == "write to j\u2022\u2022\u2022@example.org now"
    )
    assert mask_email("no address") == "no address"


@pytest.mark.parametrize("redact", [False, True])
def test_no_secret_in_any_output(full_store, memory_keyring, redact):
    assert KEYRING_SECRET in memory_keyring.passwords.values()
    report = build_report(full_store, now=NOW, redact=redact)
    outputs = [
        "\n".join(all_text(report)),
        render_html(report),
        render_html(report, flavour="qt"),
    ]
    for output in outputs:
        for secret in (KEYRING_SECRET, HIDDEN_SECRET, SECRET_REF):
            assert secret not in output
    if not redact:
        # The post that holds the pasted token is listed, with the token masked.
        assert "oops pasted my token [REDACTED] <mark>here</mark>" in outputs[1]


def test_the_batch_scrub_agrees_with_the_log_redactor_string_by_string():
    from footprint.logs import redact

    tricky = [
        "token",
        "= abc123secret",
        "Bearer",
        "abcdefghijklmnop",
        "cookie: a=b",
        "next line",
        "password",
        ": hunter2",
        "Authorization",
        "'x'",
        "https://user:pw@example.org/x",
        "code=abcdef",
        "see eyJhbGciOiJI.eyJzdWIiOiIx.sig",
        "ghp_abcdefghijklmnopqrstuv",
        "'api_key': 'k'",
        "plain words",
    ]
    cleaner = _Cleaner(False)
    cleaner.prepare(tricky)
    assert [cleaner.scrub(t) for t in tricky] == [redact(t) for t in tricky]


# --------------------------------------------------------------------- writing the file


@pytest.fixture
def out(tmp_path):
    """An empty folder for reports (tmp_path itself holds the data folder)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_write_report_writes_an_owner_only_html_file(full_store, out):
    path = write_report(full_store, out / "report.html", now=NOW)
    assert path == out / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]


@pytest.mark.parametrize("name", ["report.docx", "report", "report.txt"])
def test_write_report_refuses_other_formats(full_store, out, name):
    with pytest.raises(InputError) as caught:
        write_report(full_store, out / name)
    assert ".html" in caught.value.hint and ".pdf" in caught.value.hint
    assert list(out.iterdir()) == []


def test_write_report_into_a_missing_folder_says_so(full_store, out):
    with pytest.raises(InputError, match="does not exist"):
        write_report(full_store, out / "nowhere" / "report.html")


def test_a_failing_write_leaves_no_file(full_store, out, monkeypatch):
    target = out / "report.html"

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(InputError) as caught:
        write_report(full_store, target)
    assert "No space left on device" in caught.value.message
    assert "disk space" in caught.value.hint
    assert list(out.iterdir()) == []


def test_a_failing_write_keeps_the_previous_report(full_store, out, monkeypatch):
    target = out / "report.html"
    target.write_text("the old report")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError, match="Permission denied"):
        write_report(full_store, target)
    assert target.read_text() == "the old report"
    assert [p.name for p in out.iterdir()] == ["report.html"]


def test_a_pdf_without_the_desktop_part_points_to_html(full_store, out, monkeypatch):
    import sys

    from footprint.errors import FootprintError

    monkeypatch.setitem(sys.modules, "footprint.gui.pdf", None)  # as if Qt were missing
    with pytest.raises(FootprintError) as caught:
        write_report(full_store, out / "report.pdf")
    assert "desktop part" in caught.value.message
    assert ".html" in caught.value.hint
    assert list(out.iterdir()) == []
