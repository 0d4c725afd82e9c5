"""How long the "what an employer sees" report takes on a large store.

    python benchmarks/report_speed.py [--findings 5000] [--items 20000] [--snapshots 1000]

Builds a store in a temporary FOOTPRINT_HOME: --items posts (a quarter of them flagged
once or more) and --findings findings spread over every category, severity and state, plus
--snapshots score snapshots for the history chart.  Then it times, and prints (nothing is
asserted): build_report over everything, the HTML page (time and size), and the PDF as
`footprint report` writes it (entries per section capped at the default), and the same PDF
with every finding listed.  Peak RSS is the process's whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CONTENT = ["alcohol", "drugs", "profanity", "workplace", "harassment", "threats", "political"]
SEVERITIES = ["critical", "high", "medium", "medium", "low", "low", "info"]
STATES = ["open"] * 14 + ["in_progress", "snoozed", "done", "verified", "dismissed"]
WORDS = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "in",
    "is",
    "it",
    "you",
    "that",
    "for",
    "on",
    "was",
    "with",
    "at",
    "this",
    "my",
    "we",
    "so",
    "up",
    "out",
    "just",
]
FLAGS = {"alcohol": "wasted", "drugs": "blaze", "profanity": "idiot", "workplace": "my boss"}


def _post(rng: random.Random, flagged: str | None) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 40))]
    if flagged:
        words.insert(rng.randrange(len(words)), flagged)
    return " ".join(words)


def build(store, n_items: int, n_findings: int, n_snapshots: int, seed: int = 7) -> None:
    from footprint.store import Item, upsert_items
    from footprint.store.accounts import upsert_account
    from footprint.store.profile import add_identifiers

    rng = random.Random(seed)
    start = datetime(2012, 1, 1, tzinfo=UTC)
    add_identifiers(store, "name", ["Sam Example"])
    add_identifiers(store, "email", ["sam@example.org"])
    accounts = {
        p: upsert_account(store, p, f"sam_{p}", connection="import")
        for p in ("x", "reddit", "mastodon", "bluesky")
    }
    items = []
    for i in range(n_items):
        platform = rng.choice(list(accounts))
        when = start + timedelta(seconds=rng.randrange(14 * 365 * 86400))
        items.append(
            Item(
                platform,
                "post",
                str(i),
                text=_post(rng, rng.choice(list(FLAGS.values())) if i % 4 == 0 else None),
                created_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                url=f"https://{platform}.example/sam/{i}",
                visibility=rng.choice(["public", "public", "followers", "unlisted"]),
                account_id=accounts[platform],
                source="import",
            )
        )
    with store.transaction():
        upsert_items(store, items)
    item_rows = store.conn.execute("SELECT id, text FROM items ORDER BY id").fetchall()
    now = "2026-11-01T00:00:00Z"
    rows, events = [], []
    for n in range(n_findings):
        item_id, text = item_rows[(n * 4) % len(item_rows)]
        kind = n % 10
        severity = rng.choice(SEVERITIES)
        state = rng.choice(STATES)
        reason = "a quote" if state == "dismissed" else None
        until = "2027-01-01" if state == "snoozed" else None
        if kind < 6:  # a flagged post
            category = rng.choice(CONTENT)
            match = next((w for w in FLAGS.values() if w in text), text.split()[0])
            start_at = text.find(match)
            evidence = [
                {
                    "field": "text",
                    "start": start_at,
                    "end": start_at + len(match),
                    "match": match,
                    "rule": f"{category}.words",
                    "excerpt": text[:120],
                }
            ]
            subject, details, title = f"item:{n}", {}, None
        elif kind < 8:  # personal data in a post
            category, severity = "personal_data", rng.choice(["high", "medium"])
            evidence = [
                {"field": "text", "match": "555-0147", "rule": "pii.phone", "excerpt": text[:80]}
            ]
            subject, details, title = f"pii:{n}", {}, "Phone number"
        elif kind == 8:  # a profile found by a sweep
            category, item_id = "account", None
            evidence = [{"field": "profile", "match": f"https://site{n}.example/sam"}]
            subject, title = f"site:{n}", f"Old profile on Site{n}: sam"
            details = {"site": f"Site{n}", "username": "sam", "url": f"https://site{n}.example/sam"}
        else:  # a breach
            category, item_id = "security", None
            evidence = [{"field": "email", "match": "sam@example.org"}]
            subject, title = f"breach:{n}", f"Breach{n} breach (2019): email addresses, passwords"
            details = {
                "email": "sam@example.org",
                "breach": f"Breach{n}",
                "title": f"Breach{n}",
                "breach_date": "2019-05-01",
                "pwn_count": 1234567,
                "data_classes": ["Email addresses", "Passwords"],
                "description": "In 2019, <a href='https://example.org'>Breach</a> leaked.",
            }
        rows.append(
            (
                f"bench.{category}",
                category,
                severity,
                subject,
                item_id,
                json.dumps(evidence),
                "Why this matters, in a sentence or two.",
                state,
                reason,
                until,
                title,
                json.dumps(details),
                now,
                now,
                now,
            )
        )
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO findings (rule_id, category, severity, subject, item_id, evidence, why, "
            "state, state_reason, snoozed_until, title, details, first_seen_at, last_seen_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        for fid, state in db.conn.execute(
            "SELECT id, state FROM findings WHERE state IN ('done', 'verified')"
        ).fetchall():
            events.append((fid, now, "user", "open", state))
        db.conn.executemany(
            "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state) "
            "VALUES (?, ?, ?, ?, ?)",
            events,
        )
        score = 30.0
        snaps = []
        for i in range(n_snapshots):
            score = min(100.0, max(0.0, score + rng.uniform(-2, 2.4)))
            taken = start + timedelta(days=14 * 365 * i / max(n_snapshots, 1))
            snaps.append((taken.strftime("%Y-%m-%dT%H:%M:%SZ"), round(score)))
        db.conn.executemany(
            "INSERT INTO score_snapshots (taken_at, score, details) VALUES (?, ?, '{}')", snaps
        )


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--snapshots", type=int, default=1000)
    parser.add_argument("--no-full-pdf", action="store_true", help="skip the uncapped PDF")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="footprint-bench-report-"))
    os.environ["FOOTPRINT_HOME"] = str(home)
    from footprint.report import DEFAULT_LIMIT, render_pdf
    from footprint.report.html import render_html
    from footprint.report.model import build_report
    from footprint.store import Store

    with Store.open(home) as store:
        started = time.perf_counter()
        build(store, args.items, args.findings, args.snapshots)
        print(
            f"store: {args.items:,} items, {args.findings:,} findings, "
            f"{args.snapshots:,} snapshots (built in {time.perf_counter() - started:.1f} s)"
        )
        started = time.perf_counter()
        report = build_report(store)
        took = time.perf_counter() - started
        listed = sum(len(s.entries) for s in report.sections)
        print(f"build_report (all {listed:,} entries): {took * 1000:.0f} ms")
        started = time.perf_counter()
        redacted = build_report(store, redact=True)
        print(f"build_report redacted: {(time.perf_counter() - started) * 1000:.0f} ms")
        del redacted
        started = time.perf_counter()
        page = render_html(report)
        took = time.perf_counter() - started
        print(f"HTML, every entry: {took * 1000:.0f} ms, {len(page.encode()) / 1e6:.2f} MB")

        capped = build_report(store, limit=DEFAULT_LIMIT)
        listed = sum(len(s.entries) for s in capped.sections)
        started = time.perf_counter()
        page = render_html(capped)
        took = time.perf_counter() - started
        print(
            f"HTML as written ({DEFAULT_LIMIT} per section, {listed:,} entries): "
            f"{took * 1000:.0f} ms, {len(page.encode()) / 1e6:.2f} MB"
        )
        started = time.perf_counter()
        pdf = render_pdf(capped)
        took = time.perf_counter() - started
        print(
            f"PDF as written ({listed:,} entries): {took:.1f} s, {len(pdf) / 1e6:.2f} MB, "
            f"{_pages(pdf)} pages"
        )
        if not args.no_full_pdf:
            listed = sum(len(s.entries) for s in report.sections)
            started = time.perf_counter()
            pdf = render_pdf(report)
            took = time.perf_counter() - started
            print(
                f"PDF, every entry ({listed:,}): {took:.1f} s, {len(pdf) / 1e6:.2f} MB, "
                f"{_pages(pdf)} pages"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
