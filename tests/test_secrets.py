from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends import fail

from footprint.errors import KeyringUnavailableError
from footprint.logs import setup_logging
from footprint.secrets import SERVICE, SecretStore
from footprint.store import Item, upsert_items

TOKEN = "s3cr3t-T0ken-value-9f8e7d"


def test_set_get_delete_per_account(memory_keyring):
    secrets = SecretStore()
    assert secrets.status().available
    secrets.set("mastodon:@me@example.social", TOKEN)
    secrets.set("bluesky:me.example", "other-secret-123")
    assert memory_keyring.passwords[(SERVICE, "mastodon:@me@example.social")] == TOKEN
    assert secrets.get("mastodon:@me@example.social") == TOKEN
    assert secrets.delete("mastodon:@me@example.social") is True
    assert secrets.get("mastodon:@me@example.social") is None
    assert secrets.delete("mastodon:@me@example.social") is False
    assert secrets.get("bluesky:me.example") == "other-secret-123"


def test_no_keyring_is_said_plainly():
    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    status = secrets.status()
    assert not status.available
    assert "No system keyring" in status.message
    with pytest.raises(KeyringUnavailableError) as caught:
        secrets.set("github:me", TOKEN)
    assert "No system keyring" in caught.value.message
    assert "session only" in caught.value.hint
    assert TOKEN not in str(caught.value) + caught.value.user_text()


def test_session_only_store_keeps_secrets_in_memory():
    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    secrets.use_session_only()
    secrets.set("github:me", TOKEN)
    assert secrets.get("github:me") == TOKEN
    assert "session only" in secrets.status().message
    assert secrets.delete("github:me") is True
    assert secrets.get("github:me") is None
    # a new session remembers nothing
    assert SecretStore(session_only=True).get("github:me") is None


def test_keyring_that_appears_later_is_used(memory_keyring):
    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    assert not secrets.status().available
    keyring.set_keyring(memory_keyring)
    secrets.set("github:me", TOKEN)
    assert secrets.get("github:me") == TOKEN


def test_backend_errors_do_not_echo_the_secret(memory_keyring, monkeypatch):
    def boom(service, username, password):
        raise keyring.errors.PasswordSetError(f"could not store {password}")

    monkeypatch.setattr(memory_keyring, "set_password", boom)
    with pytest.raises(KeyringUnavailableError) as caught:
        SecretStore().set("github:me", TOKEN)
    text = caught.value.user_text() + str(caught.value.details)
    assert TOKEN not in text


def test_secrets_never_reach_the_database_or_the_log(home, store):
    log_path = setup_logging(home, debug=True)
    secrets = SecretStore()
    secrets.set("mastodon:@me@example.social", TOKEN)
    store.conn.execute(
        "INSERT INTO accounts (platform, handle, connection, secret_ref, created_at, updated_at) "
        "VALUES ('mastodon', '@me@example.social', 'api', 'mastodon:@me@example.social', 'n', 'n')"
    )
    upsert_items(store, [Item("mastodon", "post", "1", text="hello")])
    logging.getLogger("footprint.test").warning(
        "token was %s", secrets.get("mastodon:@me@example.social")
    )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in home.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert "[REDACTED]" in log_path.read_text()
