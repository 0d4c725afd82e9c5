"""GitHub connector against the loopback GitHub fake."""

from __future__ import annotations

import asyncio
import json

import pytest

from footprint.connectors.errors import AccountNotFound, RateLimited, ReconnectNeeded
from footprint.errors import InputError
from tests.connectors.helpers import items, run_connect, run_sync, with_connector


@pytest.fixture
def github(fake_github):
    fake_github.add_user(
        "octo",
        name="Octo Cat",
        location="Springfield",
        blog="https://octo.example",
        email="octo@example.org",
        hireable=True,
        bio="I build things",
        company=None,
    )
    fake_github.add_email("octo", "octo@example.org", primary=True, visibility="public")
    fake_github.add_token("ghp_" + "a" * 36, "octo", scopes=("user",))
    fake_github.add_event(
        "octo",
        "IssueCommentEvent",
        "octo/tool",
        {
            "action": "created",
            "comment": {
                "id": 11,
                "body": "you are a fucking idiot",
                "html_url": "https://github.com/octo/tool/issues/1#c11",
                "created_at": "2026-10-01T10:00:00Z",
            },
        },
    )
    fake_github.add_event("octo", "PushEvent", "octo/tool")
    fake_github.add_event(
        "octo",
        "IssuesEvent",
        "octo/tool",
        {
            "action": "opened",
            "issue": {
                "id": 12,
                "title": "Crash",
                "body": "It crashes",
                "html_url": "https://github.com/octo/tool/issues/2",
            },
        },
    )
    fake_github.add_repo("octo/tool")
    fake_github.add_commit(
        "octo/tool", "a" * 40, "Octo Cat", "octo.cat@work.example", author_login="octo"
    )
    fake_github.add_commit(
        "octo/tool", "b" * 40, "Octo Cat", "1+octo@users.noreply.github.com", author_login="octo"
    )
    fake_github.add_repo("octo/empty")
    fake_github.add_repo("octo/forked", fork=True)
    fake_github.add_commit(
        "octo/forked", "c" * 40, "Octo Cat", "fork@else.example", author_login="octo"
    )
    return fake_github


def test_public_sync_reads_profile_activity_and_commit_emails(store, github):
    endpoints = {"api": github.url}
    identity = run_connect(store, "github", "https://github.com/octo", endpoints)
    assert identity.handle == "octo" and identity.secret is None
    [result] = run_sync(store, "github", endpoints)
    fields = items(store, "github", "profile_field")
    assert fields["location"]["text"] == "Springfield"
    assert fields["email"]["text"] == "octo@example.org"
    settings = items(store, "github", "setting")
    assert settings["hireable"]["text"] == "true"
    assert "email_visibility" not in settings  # needs a token
    comments = items(store, "github", "comment")
    assert comments["11"]["text"] == "you are a fucking idiot"
    assert items(store, "github", "post")["12"]["title"] == "Crash"
    emails = items(store, "github", "commit_email")
    assert list(emails) == ["octo.cat@work.example"]  # noreply and forks are skipped
    assert "octo/tool" in emails["octo.cat@work.example"]["text"]
    assert result.streams == {
        "profile": "complete",
        "events": "complete",
        "commit_emails": "complete",
    }
    assert all("authorization" not in {k.lower() for k in r.headers} for r in github.requests)
    assert all(r.headers.get("x-github-api-version") == "2022-11-28" for r in github.requests)


def test_a_token_reads_email_visibility_and_can_make_it_private(store, github):
    endpoints = {"api": github.url}
    token = "ghp_" + "a" * 36
    run_connect(store, "github", "octo", endpoints, secret=token)
    run_sync(store, "github", endpoints)
    assert items(store, "github", "setting")["email_visibility"]["text"] == "public"
    account = store.conn.execute("SELECT secret_ref FROM accounts").fetchone()[0]
    assert account == "github:octo"
    assert token not in json.dumps(store.conn.execute("SELECT * FROM accounts").fetchall())

    async def make_private(connector):
        from footprint.connectors.base import Identity

        me = Identity("github", "octo", meta={"signed_in": True})
        await connector.change_setting(me, "email_visibility", "private")
        return await connector.read_setting(me, "email_visibility")

    assert asyncio.run(with_connector("github", endpoints, make_private, secret=token)) == (
        "private"
    )


def test_a_token_of_another_user_is_refused(store, github):
    github.add_user("someone")
    github.add_token("ghp_" + "b" * 36, "someone")
    with pytest.raises(InputError, match="belongs to GitHub user 'someone'"):
        run_connect(store, "github", "octo", {"api": github.url}, secret="ghp_" + "b" * 36)


def test_unknown_user(store, github):
    with pytest.raises(AccountNotFound, match="no user named 'nobody'"):
        run_connect(store, "github", "nobody", {"api": github.url})


def test_a_revoked_token_asks_to_reconnect(store, github):
    endpoints = {"api": github.url}
    token = "ghp_" + "a" * 36
    run_connect(store, "github", "octo", endpoints, secret=token)
    del github.tokens[token]
    with pytest.raises(ReconnectNeeded, match="no longer accepts"):
        run_sync(store, "github", endpoints)
    assert store.conn.execute("SELECT status FROM accounts").fetchone()[0] == "reconnect"


def test_an_exhausted_rate_limit_says_when_to_come_back(store, github):
    endpoints = {"api": github.url}
    run_connect(store, "github", "octo", endpoints)
    github.set_rate_limit(0, reset_in=7200)
    with pytest.raises(RateLimited, match="asks footprint to wait until"):
        run_sync(store, "github", endpoints)


def test_a_short_rate_limit_wait_is_waited_out(store, github):
    endpoints = {"api": github.url}
    run_connect(store, "github", "octo", endpoints)
    github.fail("/users/octo/events", 429, headers={"Retry-After": "1"})
    [result] = run_sync(store, "github", endpoints)
    assert result.streams["events"] == "complete"
    assert "11" in items(store, "github", "comment")


def test_what_a_sync_brings_is_checked(store, github):
    from footprint.checklist.scan import scan

    endpoints = {"api": github.url}
    run_connect(store, "github", "octo", endpoints)
    run_sync(store, "github", endpoints)
    scan(store)
    found = {
        (rule, kind)
        for rule, kind in store.conn.execute(
            "SELECT f.rule_id, i.kind FROM findings f JOIN items i ON i.id = f.item_id"
        )
    }
    assert ("settings.github.hireable", "setting") in found
    assert any(kind == "commit_email" and rule.startswith("pii.") for rule, kind in found)
    assert any(kind == "comment" and not rule.startswith("pii.") for rule, kind in found)
