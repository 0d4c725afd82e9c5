"""A store with one finding of every kind the report knows, and some it does not."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from footprint.store import Item, upsert_items
from footprint.store.accounts import upsert_account
from footprint.store.profile import add_identifiers

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Kept in the keyring and registered with the redactor, and (by mistake) pasted in a post.
KEYRING_SECRET = "mstdn-Tok3n-9f8e7d6c5b4a39281706"
# Never registered: only in places the report must never read (raw JSON, secret_ref, details).
HIDDEN_SECRET = "zq-raw-secret-4471-never-shown"
SECRET_REF = "footprint-keyring-entry-mastodon-casey-ref"
PHRASE = "purple giraffe smuggling"
EMAIL = "casey.q@example.org"
HOSTILE = '<script>alert(1)</script> and "><img src=x onerror=alert(2)>'


def add_finding(
    store,
    *,
    rule,
    category,
    severity,
    subject,
    item_id=None,
    account_id=None,
    evidence=(),
    details=None,
    title=None,
    why="Why this matters.",
    state="open",
    reason=None,
    events=(),
):
    now = "2026-11-01T10:00:00Z"
    cursor = store.conn.execute(
        "INSERT INTO findings (rule_id, category, severity, subject, item_id, account_id, "
        "evidence, why, title, details, state, state_reason, snoozed_until, first_seen_at, "
        "last_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rule,
            category,
            severity,
            subject,
            item_id,
            account_id,
            json.dumps(list(evidence)),
            why,
            title,
            json.dumps(details or {}),
            state,
            reason,
            "2027-01-01" if state == "snoozed" else None,
            now,
            now,
            now,
        ),
    )
    for at, to_state in events:
        store.conn.execute(
            "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state) "
            "VALUES (?, ?, 'user', 'open', ?)",
            (cursor.lastrowid, at, to_state),
        )
    return cursor.lastrowid


def _span(text, match, rule):
    start = text.lower().find(match.lower())
    return {
        "field": "text",
        "start": start,
        "end": start + len(match),
        "match": match,
        "rule": rule,
        "excerpt": text,
    }


def fill(store, memory_keyring=None):
    """Everything the report shows, with hostile text and secrets in the wrong places."""
    from footprint.secrets import SecretStore

    add_identifiers(store, "name", ["Casey Quinn"])
    add_identifiers(store, "email", [EMAIL])
    add_identifiers(store, "username", ["caseyq"])
    SecretStore().set("mastodon:@caseyq@social.example", KEYRING_SECRET)
    mastodon = upsert_account(
        store,
        "mastodon",
        "@caseyq@social.example",
        connection="api",
        url="https://social.example/@caseyq",
        display_name="Casey Quinn",
        secret_ref=SECRET_REF,
        sync_state={"token": HIDDEN_SECRET},
    )
    x = upsert_account(store, "x", "caseyq", connection="import")
    texts = {
        "drunk": f"So DRUNK at the {PHRASE} party, best night ever",
        "hostile": f"my boss is an idiot {HOSTILE}",
        "email": f"write to me at {EMAIL} any time",
        "church": "Church potluck was lovely today",
        "token": f"oops pasted my token {KEYRING_SECRET} here",
        "mystery": "a thing nobody has a rule for yet",
        "fixed": "420 blaze it, finals are over",
    }
    items = [
        Item(
            "x",
            "post",
            key,
            text=text,
            created_at=f"2021-03-{10 + n:02d}T08:00:00Z",
            url=f"https://x.com/caseyq/status/{1000 + n}",
            visibility="public" if key != "church" else "followers",
            account_id=x,
            source="import",
            raw={"access_token": HIDDEN_SECRET, "text": text},
        )
        for n, (key, text) in enumerate(texts.items())
    ]
    with store.transaction():
        upsert_items(store, items)
    ids = dict(store.conn.execute("SELECT platform_id, id FROM items").fetchall())
    with store.transaction():
        add_finding(
            store,
            rule="content.alcohol",
            category="alcohol",
            severity="medium",
            subject="item:drunk",
            item_id=ids["drunk"],
            evidence=[_span(texts["drunk"], "drunk", "alcohol.drunk")],
            details={"token": HIDDEN_SECRET},
        )
        add_finding(
            store,
            rule="content.harassment",
            category="harassment",
            severity="high",
            subject="item:hostile",
            item_id=ids["hostile"],
            evidence=[_span(texts["hostile"], "idiot", "harassment.insult")],
        )
        add_finding(
            store,
            rule="content.threats",
            category="threats",
            severity="critical",
            subject="item:token",
            item_id=ids["token"],
            # The match is not in the excerpt (shortened): the report shows it apart.
            evidence=[
                {
                    "field": "text",
                    "match": "pasted my token",
                    "rule": "threats.x",
                    "excerpt": "oops \u2026",
                },
                _span(texts["token"], "here", "threats.x"),
            ],
        )
        add_finding(
            store,
            rule="pii.email",
            category="personal_data",
            severity="medium",
            subject="item:email",
            item_id=ids["email"],
            evidence=[_span(texts["email"], EMAIL, "pii.email")],
            title="Email address",
        )
        add_finding(
            store,
            rule="trait.religion",
            category="protected_trait",
            severity="info",
            subject="item:church",
            item_id=ids["church"],
            evidence=[_span(texts["church"], "Church", "trait.religion.self")],
            title="Protected trait exposure",
        )
        add_finding(
            store,
            rule="settings.mastodon.default-privacy",
            category="settings",
            severity="low",
            subject="item:setting",
            account_id=mastodon,
            evidence=[{"field": "value", "match": "public", "rule": "s", "excerpt": "x = public"}],
            details={
                "safe": "unlisted",
                "deep_link": "https://social.example/settings/preferences/other",
            },
            title="Mastodon: new posts are public by default",
        )
        add_finding(
            store,
            rule="account.forgotten-profile",
            category="account",
            severity="medium",
            subject="site:OkCupid/caseyq",
            evidence=[{"field": "profile", "match": "https://www.okcupid.com/profile/caseyq"}],
            details={
                "site": "OkCupid",
                "username": "caseyq",
                "url": "https://www.okcupid.com/profile/caseyq",
                "site_category": "dating",
            },
            title="Old profile on OkCupid: caseyq",
        )
        add_finding(
            store,
            rule="exposure.search-yourself",
            category="account",
            severity="info",
            subject="search:name",
            evidence=[{"field": "search", "match": '"Casey Quinn"'}],
            details={
                "query": '"Casey Quinn"',
                "links": [{"engine": "DuckDuckGo", "url": "https://duckduckgo.com/?q=Casey"}],
            },
            title='Search for "Casey Quinn" as a recruiter would',
        )
        add_finding(
            store,
            rule="exposure.gravatar",
            category="personal_data",
            severity="low",
            subject=f"gravatar:{EMAIL}",
            evidence=[{"field": "Location", "match": "Tilbury", "excerpt": "Location: Tilbury"}],
            details={
                "email": EMAIL,
                "profile_url": "https://gravatar.com/caseyq",
                "fields": ["Location", "Job title"],
            },
            title="Public Gravatar profile shows location, job title",
        )
        add_finding(
            store,
            rule="exposure.breach",
            category="security",
            severity="high",
            subject=f"breach:{EMAIL}/Adobe",
            evidence=[{"field": "email", "match": EMAIL, "excerpt": f"{EMAIL}: passwords"}],
            details={
                "email": EMAIL,
                "breach": "Adobe",
                "title": "Adobe",
                "domain": "adobe.com",
                "breach_date": "2013-10-04",
                "pwn_count": 152445165,
                "data_classes": ["Email addresses", "Password hints", "Passwords"],
                "description": 'In October 2013, <a href="https://evil.example/x" '
                'target="_blank">Adobe</a> was breached &amp; more.',
                "url": "https://haveibeenpwned.com/Breach/Adobe",
                "api_key": HIDDEN_SECRET,
            },
            title="Adobe breach (2013): email addresses, passwords",
        )
        add_finding(
            store,
            rule="mystery.rule",
            category="mystery",
            severity="low",
            subject="item:mystery",
            item_id=ids["mystery"],
            evidence=[_span(texts["mystery"], "nobody", "mystery.rule")],
            details={"secret_sauce": HIDDEN_SECRET},
            title="A finding of a kind this report does not know",
        )
        add_finding(
            store,
            rule="content.drugs",
            category="drugs",
            severity="medium",
            subject="item:fixed",
            item_id=ids["fixed"],
            evidence=[_span(texts["fixed"], "420 blaze", "drugs.cannabis")],
            state="verified",
            events=[("2026-10-01T09:00:00Z", "done"), ("2026-10-05T09:00:00Z", "verified")],
        )
        add_finding(
            store,
            rule="account.dormant",
            category="account",
            severity="info",
            subject="account:x/caseyq",
            evidence=[{"field": "account", "match": "caseyq: last post 2021-03-16"}],
            details={"last_post": "2021-03-16T08:00:00Z"},
            title="Dormant account: caseyq",
            state="done",
            events=[("2026-09-01T09:00:00Z", "done")],
        )
        add_finding(
            store,
            rule="content.profanity",
            category="profanity",
            severity="low",
            subject="item:dismissed",
            evidence=[{"field": "text", "match": "darn", "excerpt": "darn it"}],
            state="dismissed",
            reason="a quote",
        )
        add_finding(
            store,
            rule="content.crime",
            category="crime",
            severity="high",
            subject="item:snoozed",
            evidence=[{"field": "text", "match": "stole", "excerpt": "I stole the show"}],
            state="snoozed",
        )
        store.conn.executemany(
            "INSERT INTO score_snapshots (taken_at, score, details) VALUES (?, ?, '{}')",
            [("2026-05-01T10:00:00Z", 41), ("2026-08-01T10:00:00Z", 55)],
        )


@pytest.fixture
def full_store(store, memory_keyring):
    fill(store, memory_keyring)
    return store
