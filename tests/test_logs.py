from __future__ import annotations

import logging

import pytest

from footprint.logs import MASK, redact, register_secret, setup_logging

CASES = [
    ("Authorization: Bearer abcDEF123456789", "abcDEF123456789"),
    ("headers={'Authorization': 'Bearer zzTOPsecret99', 'Accept': 'json'}", "zzTOPsecret99"),
    ("authorization=token ghx7777secret", "ghx7777secret"),
    ("GET https://x.example/api?access_token=qwerty12345&page=2", "qwerty12345"),
    ("POST /oauth/token code=authcode5555 client_secret=cs-9999", "cs-9999"),
    ("POST /oauth/token code=authcode5555&client_id=1", "authcode5555"),
    ('{"identifier": "me.bsky.social", "password": "abcd-efgh-ijkl-mnop"}', "abcd-efgh-ijkl-mnop"),
    ("password=hunter2hunter2", "hunter2hunter2"),
    ("'refresh_token': 'rt_ABCDEFGH'", "rt_ABCDEFGH"),
    (
        "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJlX2hlcmU",
        "eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9",
    ),
    ("using ghp_1234567890abcdefghijABCDEFGHIJ for /user", "ghp_1234567890abcdefghijABCDEFGHIJ"),
    ("hibp-api-key: 0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
    ("GET /1.1/account?oauth_token=OT123456&x=1", "OT123456"),
    ("cookie jar auth_token=AT987654; ct0=CT555555", "CT555555"),
    ("auth_token=AT987654; ct0=CT555555", "AT987654"),
    ("csrftoken=CSRF1234567", "CSRF1234567"),
    ('{"accessToken": "acc-111-222", "did": "did:plc:x"}', "acc-111-222"),
    ('{"refreshToken":"ref-333-444"}', "ref-333-444"),
    ("{'sessionToken': 'sess-555'}", "sess-555"),
    ('{"csrf_token": "c-666-777"}', "c-666-777"),
    ("proxy http://bob:pr0xyPass@proxy.example:3128", "pr0xyPass"),
    ("{'password': b'byt3s-secret'}", "byt3s-secret"),
    ("headers [('password', 'tupl3-secret')]", "tupl3-secret"),
    ('{"password": "with \\"quote\\" inside-tail"}', "inside-tail"),
    ("Set-Cookie: sid=abc123; Path=/; other=zzz999", "zzz999"),
    ("Cookie: a=1; b=secretcookie2", "secretcookie2"),
    ("token xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
]


@pytest.mark.parametrize(("text", "secret"), CASES)
def test_redact_masks_secrets(text, secret):
    cleaned = redact(text)
    assert secret not in cleaned
    assert MASK in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "synced 120 posts from mastodon; the token expired yesterday, reconnect needed",
        "using basic mode for the sweep",
        '{"author": "Jane Doe", "title": "My post"}',
        "HTTP 404 for https://example.org/user/jdoe",
    ],
)
def test_redact_leaves_ordinary_text_alone(text):
    assert redact(text) == text


def test_registered_secret_is_masked_anywhere():
    register_secret("plain-looking-value-42")
    assert "plain-looking-value-42" not in redact("value plain-looking-value-42 in prose")


def test_log_file_is_redacted_including_tracebacks(home):
    path = setup_logging(home)
    log = logging.getLogger("footprint.test")
    log.info("request headers %s", {"Authorization": "Bearer leak-me-please-1"})
    try:
        raise ValueError("login failed with password=leak-me-please-2")
    except ValueError:
        log.exception("sync failed")
    log.warning("stack", stack_info=True)
    text = path.read_text()
    assert "leak-me-please" not in text
    assert "ValueError" in text and "sync failed" in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"


def test_log_rotates(home, monkeypatch):
    from footprint import logs

    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = setup_logging(home)
    log = logging.getLogger("footprint.test")
    for i in range(200):
        log.info("line %d %s", i, "x" * 50)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated[:3] == ["footprint.log", "footprint.log.1", "footprint.log.2"]
    assert len(rotated) == 1 + logs.BACKUP_COUNT
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in path.parent.iterdir())
