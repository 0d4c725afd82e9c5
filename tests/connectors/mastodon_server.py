"""A loopback Mastodon server for the connector tests: the ``mastodon-mock`` package from PyPI.

``mastodon-mock`` is a stateful FastAPI implementation of the Mastodon REST API backed by
SQLite. :class:`MastodonServer` runs one instance on 127.0.0.1 (a free port) in a
background thread with uvicorn and seeds it through the API the way a real person and a
real client would: sign-up, ``update_credentials``, posting, boosting, and the OAuth
authorization-code flow (``/api/v1/apps`` -> ``/oauth/authorize`` -> ``/oauth/token``).

Where the mock has no API for something (``indexable`` and ``hide_collections`` cannot
be changed through ``update_credentials``), :meth:`MastodonServer.set_account_columns`
writes the mock's database directly; it says so in its name and docstring.

The ``mastodon_server`` fixture gives each test an empty instance (no accounts): one
server per test session, reset through the mock's ``POST /api/v1/_mock/reset`` (drop and
re-create every table) before each test, which takes 0.1-0.2 s. A new server costs far
more: about 2 s to import FastAPI, SQLAlchemy and the mock once per process, then about
0.7 s per app, because FastAPI builds its ~300 routes' dependency models on the first
request. Tests that need a differently configured server (rate limiting, scope checks)
start their own ``MastodonServer`` as a context manager.

Use it from a test module with::

    from tests.connectors.mastodon_server import MastodonServer

    pytest_plugins = ["tests.connectors.mastodon_server"]

    def test_something(mastodon_server: MastodonServer): ...

(PYTEST_DONT_REWRITE: this module is imported before pytest registers it as a plugin, and
it has no bare ``assert`` to rewrite.)

The mock's own pytest plugin (``mastodon_mock.testing.plugin``, auto-loaded through its
``pytest11`` entry point) is not used here: its ``reset()`` needs ``httpx2``, which the
project does not install, and its default seed carries fixed tokens.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

OOB = "urn:ietf:wg:oauth:2.0:oob"
VISIBILITIES = ("public", "unlisted", "private", "direct")


@dataclass(frozen=True)
class SeededAccount:
    """A local account created through the API, with a full-scope token for seeding."""

    id: str
    username: str
    token: str


@dataclass(frozen=True)
class OAuthGrant:
    """What a client holds after the authorization-code flow."""

    client_id: str
    client_secret: str
    redirect_uri: str
    access_token: str
    scope: str
    token_response: dict[str, Any]


class _FormReader(HTMLParser):
    """Reads the ``<form>`` of the mock's account picker as a browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.choices: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden" and "name" in a:
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("name") == "username":
            self.choices.append(a.get("value", ""))


def pkce_pair() -> tuple[str, str]:
    """An RFC 7636 S256 ``(code_verifier, code_challenge)`` pair."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class MastodonServer:
    """One ``mastodon-mock`` instance on loopback. Use as a context manager or start()/stop().

    ``workdir`` holds the SQLite database and uploaded media. ``rate_limit`` turns on the
    mock's opt-in limiter (``(limit, window_seconds)``, per token or per client address);
    ``enforce_scopes`` turns on its opt-in coarse scope check (``read`` for GET, ``write``
    otherwise, 403 when missing).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        rate_limit: tuple[int, int] | None = None,
        enforce_scopes: bool = False,
        title: str = "footprint test instance",
    ) -> None:
        self._workdir = Path(workdir)
        self._rate_limit = rate_limit
        self._enforce_scopes = enforce_scopes
        self._title = title
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._client: httpx.Client | None = None
        self.app: Any = None
        self.port = 0
        self.accounts: dict[str, SeededAccount] = {}
        self._seed_app: dict[str, str] | None = None

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if not self.port:
            raise RuntimeError("MastodonServer is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the instance's domain as the mock reports it (URLs, v2 domain)."""
        return urlsplit(self.url).netloc

    @property
    def http(self) -> httpx.Client:
        """A plain client for the server (no auth header)."""
        if self._client is None:
            raise RuntimeError("MastodonServer is not started")
        return self._client

    def start(self, timeout: float = 10.0) -> MastodonServer:
        import uvicorn
        from mastodon_mock.app import create_app
        from mastodon_mock.config import (
            AuthConfig,
            DatabaseConfig,
            MastodonMockConfig,
            RateLimitConfig,
            SeedConfig,
        )

        # Bind first, so the mock's generated URLs (account url, status uri) can carry the
        # real port, and there is no bind/close/rebind race for the port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self._sock = sock
        self.port = sock.getsockname()[1]

        self._workdir.mkdir(parents=True, exist_ok=True)
        (self._workdir / "media").mkdir(exist_ok=True)
        limit, window = self._rate_limit or (300, 300)
        config = MastodonMockConfig(
            domain=self.host,
            url_scheme="http",
            title=self._title,
            database=DatabaseConfig(path=str(self._workdir / "mastodon.sqlite")),
            media_storage_path=str(self._workdir / "media"),
            seed=SeedConfig(),  # empty: every account is made by the test
            auth=AuthConfig(enforce_scopes=self._enforce_scopes),
            ratelimit=RateLimitConfig(
                enabled=self._rate_limit is not None, limit=limit, window_seconds=window
            ),
        )
        self.app = create_app(config)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                loop="auto",  # uvloop when installed: ~5 ms a request instead of ~50 ms
                http="auto",
                ws="none",
                lifespan="on",
                log_config=None,  # leave the process's logging configuration alone
                log_level="warning",
                access_log=False,
                server_header=False,  # the mock sets "Server: Mastodon" itself
                timeout_graceful_shutdown=2,
            )
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="mastodon-mock", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self.stop()
                raise RuntimeError("mastodon-mock exited before it was ready")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"mastodon-mock was not ready within {timeout:g} s")
            time.sleep(0.005)
        self._client = httpx.Client(base_url=self.url, timeout=10.0, trust_env=False)
        self._client.get("/health").raise_for_status()
        return self

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():  # pragma: no cover - a hung shutdown
                self._server.force_exit = True
                self._thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None
        self.app = None
        self.port = 0

    def __enter__(self) -> MastodonServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to an empty instance (``POST /api/v1/_mock/reset``; also clears faults)."""
        self.http.post("/api/v1/_mock/reset").raise_for_status()
        self.accounts.clear()
        self._seed_app = None

    # --- requests ----------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def _ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.is_error:
            raise AssertionError(
                f"{method} {path} -> {response.status_code}: {response.text[:500]}"
            )
        return response.json()

    def token_of(self, username: str) -> str:
        return self.accounts[username].token

    # --- accounts ----------------------------------------------------------------------

    def _seeding_app_token(self) -> str:
        """A client_credentials token of a registered app, as sign-up requires."""
        if self._seed_app is None:
            app = self.register_app("footprint test seeding", scopes=("read", "write", "follow"))
            token = self._ok(
                "POST",
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": app["client_id"],
                    "client_secret": app["client_secret"],
                    "scope": "read write follow",
                },
            )
            self._seed_app = {**app, "token": token["access_token"]}
        return self._seed_app["token"]

    def create_account(
        self,
        username: str,
        *,
        display_name: str | None = None,
        note: str | None = None,
        fields: Sequence[tuple[str, str]] | None = None,
        locked: bool | None = None,
        bot: bool | None = None,
        discoverable: bool | None = None,
        privacy: str | None = None,
        sensitive: bool | None = None,
        language: str | None = None,
        indexable: bool | None = None,
        hide_collections: bool | None = None,
    ) -> SeededAccount:
        """Sign up ``username`` (``POST /api/v1/accounts``) and set up its profile.

        Profile and privacy settings go through ``PATCH /api/v1/accounts/update_credentials``
        (form-encoded); ``indexable`` and ``hide_collections`` are written to the mock's
        database because the mock ignores them in ``update_credentials``.
        """
        token = self._ok(
            "POST",
            "/api/v1/accounts",
            token=self._seeding_app_token(),
            data={
                "username": username,
                "email": f"{username}@example.invalid",
                "password": secrets.token_urlsafe(12),
                "agreement": "true",
                "locale": "en",
            },
        )["access_token"]
        me = self._ok("GET", "/api/v1/accounts/verify_credentials", token=token)
        account = SeededAccount(id=me["id"], username=username, token=token)
        self.accounts[username] = account
        self.update_profile(
            username,
            display_name=display_name,
            note=note,
            fields=fields,
            locked=locked,
            bot=bot,
            discoverable=discoverable,
            privacy=privacy,
            sensitive=sensitive,
            language=language,
        )
        columns = {
            name: value
            for name, value in (("indexable", indexable), ("hide_collections", hide_collections))
            if value is not None
        }
        if columns:
            self.set_account_columns(username, **columns)
        return account

    def update_profile(
        self,
        username: str,
        *,
        display_name: str | None = None,
        note: str | None = None,
        fields: Sequence[tuple[str, str]] | None = None,
        locked: bool | None = None,
        bot: bool | None = None,
        discoverable: bool | None = None,
        privacy: str | None = None,
        sensitive: bool | None = None,
        language: str | None = None,
    ) -> dict[str, Any] | None:
        """``PATCH /api/v1/accounts/update_credentials`` with only the given settings."""
        form: dict[str, str] = {}
        for key, value in (
            ("display_name", display_name),
            ("note", note),
            ("source[privacy]", privacy),
            ("source[language]", language),
        ):
            if value is not None:
                form[key] = value
        for key, flag in (
            ("locked", locked),
            ("bot", bot),
            ("discoverable", discoverable),
            ("source[sensitive]", sensitive),
        ):
            if flag is not None:
                form[key] = "true" if flag else "false"
        for index, (name, value) in enumerate(fields or ()):
            form[f"fields_attributes[{index}][name]"] = name
            form[f"fields_attributes[{index}][value]"] = value
        if not form:
            return None
        return self._ok(
            "PATCH",
            "/api/v1/accounts/update_credentials",
            token=self.token_of(username),
            data=form,
        )

    def set_account_columns(self, username: str, **columns: Any) -> None:
        """Back door: write columns of the mock's ``accounts`` row (no API exists for them).

        Meant for ``indexable`` and ``hide_collections``; any ``Account`` column works
        (e.g. ``suspended=True``).
        """
        from mastodon_mock.db.models import Account

        factory = self.app.state.session_factory
        with factory() as session:
            row = session.get(Account, int(self.accounts[username].id))
            for name, value in columns.items():
                if not hasattr(Account, name):
                    raise AttributeError(f"the mock's Account has no column {name!r}")
                setattr(row, name, value)
            session.commit()

    def follow(self, username: str, target: str) -> dict[str, Any]:
        """``username`` follows ``target`` (a follow request if ``target`` is locked)."""
        return self._ok(
            "POST",
            f"/api/v1/accounts/{self.accounts[target].id}/follow",
            token=self.token_of(username),
        )

    # --- statuses ----------------------------------------------------------------------

    def post_status(
        self,
        username: str,
        text: str,
        *,
        visibility: str = "public",
        in_reply_to_id: str | None = None,
        spoiler_text: str | None = None,
        sensitive: bool | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """``POST /api/v1/statuses`` as ``username``. For a direct message, mention the
        recipients in ``text`` (``"@bob hi"``): that is what makes it visible to them."""
        if visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {VISIBILITIES}")
        form = {"status": text, "visibility": visibility}
        if in_reply_to_id is not None:
            form["in_reply_to_id"] = in_reply_to_id
        if spoiler_text is not None:
            form["spoiler_text"] = spoiler_text
        if sensitive is not None:
            form["sensitive"] = "true" if sensitive else "false"
        if language is not None:
            form["language"] = language
        return self._ok("POST", "/api/v1/statuses", token=self.token_of(username), data=form)

    def reply(self, username: str, to: dict[str, Any], text: str, **kwargs: Any) -> dict[str, Any]:
        return self.post_status(username, text, in_reply_to_id=to["id"], **kwargs)

    def boost(self, username: str, status_id: str) -> dict[str, Any]:
        """``POST /api/v1/statuses/:id/reblog``: the boost, whose ``reblog`` is the original."""
        return self._ok(
            "POST", f"/api/v1/statuses/{status_id}/reblog", token=self.token_of(username)
        )

    def seed_timeline(self, username: str, other: str) -> dict[str, dict[str, Any]]:
        """A small timeline for ``username``: one status of each visibility, a reply and a
        boost of ``other``'s post. Returns them by name (``other_post`` is ``other``'s)."""
        made: dict[str, dict[str, Any]] = {}
        made["other_post"] = self.post_status(other, f"a post by {other}")
        made["public"] = self.post_status(username, "public hello")
        made["unlisted"] = self.post_status(username, "quiet hello", visibility="unlisted")
        made["private"] = self.post_status(username, "followers only", visibility="private")
        made["direct"] = self.post_status(username, f"@{other} just us", visibility="direct")
        made["reply"] = self.reply(username, made["other_post"], f"@{other} a reply")
        made["boost"] = self.boost(username, made["other_post"]["id"])
        return made

    # --- OAuth -------------------------------------------------------------------------

    def register_app(
        self,
        client_name: str = "footprint",
        *,
        scopes: Sequence[str] = ("read",),
        redirect_uris: Sequence[str] = (OOB,),
        website: str | None = None,
    ) -> dict[str, Any]:
        """``POST /api/v1/apps`` (form-encoded, as the documentation shows)."""
        form = {
            "client_name": client_name,
            "redirect_uris": "\n".join(redirect_uris),
            "scopes": " ".join(scopes),
        }
        if website:
            form["website"] = website
        return self._ok("POST", "/api/v1/apps", data=form)

    def consent(self, authorize_url: str, username: str) -> str:
        """Play the person in the browser: open ``authorize_url`` (as built by a client),
        pick ``username`` on the mock's authorization page and submit it.

        Returns the redirect target (``redirect_uri?code=...&state=...``) for a real
        redirect URI, or the bare code for the out-of-band URI.
        """
        parts = urlsplit(authorize_url)
        page = self.http.get(f"{parts.path}?{parts.query}")
        page.raise_for_status()
        reader = _FormReader()
        reader.feed(page.text)
        if username not in reader.choices:
            raise AssertionError(f"{username!r} is not offered on the authorization page")
        answer = self.http.post(
            reader.action or "/oauth/authorize",
            data={**reader.hidden, "username": username},
            follow_redirects=False,
        )
        if answer.status_code in (301, 302, 303, 307, 308):
            return answer.headers["location"]
        answer.raise_for_status()
        found = re.search(r"Authorization code:\s*([^<\s]+)", answer.text)
        if found is None:
            raise AssertionError(f"no authorization code on the page: {answer.text[:300]}")
        return found.group(1)

    def authorize(
        self,
        username: str,
        scopes: Sequence[str] = ("read",),
        *,
        redirect_uri: str = "http://127.0.0.1:8765/callback",
        client_name: str = "footprint",
    ) -> OAuthGrant:
        """A user token for ``username`` by the authorization-code flow with PKCE.

        The app is registered with exactly ``scopes``: the mock gives the token the app's
        registered scopes (it ignores the ``scope`` asked for at authorize/token time).
        """
        app = self.register_app(client_name, scopes=scopes, redirect_uris=[redirect_uri])
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(12)
        query = {
            "response_type": "code",
            "client_id": app["client_id"],
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        landed = self.consent(f"{self.url}/oauth/authorize?{urlencode(query)}", username)
        if redirect_uri == OOB:
            code = landed
        else:
            params = parse_qs(urlsplit(landed).query)
            if params.get("state") != [state]:
                raise AssertionError(f"state did not come back: {landed}")
            code = params["code"][0]
        token = self._ok(
            "POST",
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
                "scope": " ".join(scopes),
            },
        )
        return OAuthGrant(
            client_id=app["client_id"],
            client_secret=app["client_secret"],
            redirect_uri=redirect_uri,
            access_token=token["access_token"],
            scope=token["scope"],
            token_response=token,
        )

    def revoke(self, grant: OAuthGrant) -> None:
        self._ok(
            "POST",
            "/oauth/revoke",
            data={
                "client_id": grant.client_id,
                "client_secret": grant.client_secret,
                "token": grant.access_token,
            },
        )

    # --- fault injection (mock-only control plane) -------------------------------------

    def fault(
        self,
        *,
        path: str | None = None,
        path_regex: str | None = None,
        methods: Sequence[str] | None = None,
        kind: str = "status",
        status: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay_ms: int = 0,
        count: int | None = None,
    ) -> str:
        """Make matching requests fail (``POST /api/v1/_mock/faults``); returns the rule id.

        ``kind``: ``status`` (answer ``status``, default 500), ``ratelimit`` (429 with
        ``X-RateLimit-Limit: 300``, ``-Remaining: 0``, ``-Reset: <epoch+300>``,
        ``Retry-After: 300``, each overridable by ``headers``), ``latency``, ``malformed``
        (a 200 with broken JSON) or ``timeout`` (holds the request ≥ 30 s).
        ``path`` may hold ``*`` wildcards; ``count`` limits how often the rule fires.
        """
        effect: dict[str, Any] = {"type": kind, "delay_ms": delay_ms}
        if status is not None:
            effect["status"] = status
        if body is not None:
            effect["body"] = body
        if headers:
            effect["headers"] = headers
        rule = {
            "match": {
                "methods": list(methods) if methods else None,
                "path": path,
                "path_regex": path_regex,
            },
            "effect": effect,
            "count": count,
        }
        return self._ok("POST", "/api/v1/_mock/faults", json=rule)["id"]

    def clear_faults(self) -> None:
        self.http.delete("/api/v1/_mock/faults").raise_for_status()


@pytest.fixture(scope="session")
def mastodon_server_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MastodonServer]:
    """The session's ``mastodon-mock`` on 127.0.0.1, stopped at the end of the session."""
    with MastodonServer(tmp_path_factory.mktemp("mastodon-mock")) as server:
        yield server


@pytest.fixture
def mastodon_server(mastodon_server_session: MastodonServer) -> MastodonServer:
    """An empty ``mastodon-mock`` on 127.0.0.1: the session's server, reset for this test."""
    mastodon_server_session.reset()
    return mastodon_server_session
