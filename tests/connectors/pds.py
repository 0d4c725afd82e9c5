"""A real Bluesky PDS on loopback for the connector tests: the reference implementation.

``tests/pds/server.mjs`` runs ``@atproto/dev-env``'s ``TestNetworkNoAppView`` under
Node.js: the reference PDS (``@atproto/pds``, SQLite) and an in-process PLC directory,
both on 127.0.0.1 with free ports. There is no app view, moderation service, relay or
mail server, so nothing leaves loopback; handles end in ``.test`` and the PDS resolves
them from its own database (``com.atproto.identity.resolveHandle``). Install it once with
``bash tests/pds/install.sh`` (``npm ci`` and a source build of better-sqlite3).

:class:`Pds` talks to it over plain XRPC with httpx, the way a client would: accounts,
app passwords, posts, profiles, record listing. The session-scoped ``bluesky_pds``
fixture starts one server per test session (3-4 s, about 210 MB) and stops it at the end, so the
server's state is shared: give each test its own accounts (:meth:`Pds.new_handle`).
Without Node.js or ``tests/pds/node_modules`` the fixture skips, except when ``CI`` is
set, where it fails.

Use it from a test module with::

    from tests.connectors.pds import Pds

    pytest_plugins = ["tests.connectors.pds"]

    def test_something(bluesky_pds: Pds): ...

or import ``bluesky_pds`` into a conftest. (PYTEST_DONT_REWRITE: this module may be
imported before pytest registers it as a plugin, and it has no bare ``assert``.)
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

PDS_DIR = Path(__file__).resolve().parents[1] / "pds"
SERVER = PDS_DIR / "server.mjs"
NEEDS = "Bluesky PDS tests need Node.js and `bash tests/pds/install.sh`"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0

_handles = itertools.count(1)


class XrpcError(Exception):
    """A non-2xx XRPC answer: HTTP ``status``, the body's ``error`` name and ``message``."""

    def __init__(self, status: int, error: str | None, message: str | None, body: Any) -> None:
        super().__init__(f"HTTP {status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.body = body


def now_iso() -> str:
    """The current time as atproto writes it: UTC, milliseconds, ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _iso(value: datetime | str | None) -> str:
    if value is None:
        return now_iso()
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Pds:
    """A running PDS (``url``) and its PLC directory (``plc``), driven over XRPC."""

    def __init__(self, url: str, plc: str, admin_password: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.plc = plc.rstrip("/")
        self.admin_password = admin_password
        self.startup_seconds: float | None = None
        self.pid: int | None = None
        self.http = httpx.Client(base_url=self.url, timeout=30.0, trust_env=False)
        self._invites_required: bool | None = None

    def close(self) -> None:
        self.http.close()

    # -- raw XRPC ---------------------------------------------------------------------

    def xrpc(
        self,
        nsid: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        post: bool | None = None,
    ) -> httpx.Response:
        """One XRPC call, returned as is.

        A POST (procedure) when ``body`` is given or ``post`` is true, else a GET (query).
        """
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            return self.http.post(f"/xrpc/{nsid}", params=params, json=body, headers=sent)
        if post:
            return self.http.post(f"/xrpc/{nsid}", params=params, headers=sent)
        return self.http.get(f"/xrpc/{nsid}", params=params, headers=sent)

    def call(self, nsid: str, **kwargs: Any) -> Any:
        """:meth:`xrpc`, then the JSON body (None if empty); :class:`XrpcError` if not 2xx."""
        response = self.xrpc(nsid, **kwargs)
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = response.text
        if not response.is_success:
            error = data.get("error") if isinstance(data, dict) else None
            message = data.get("message") if isinstance(data, dict) else None
            raise XrpcError(response.status_code, error, message, data)
        return data

    # -- accounts and sessions --------------------------------------------------------

    @staticmethod
    def new_handle(prefix: str = "user") -> str:
        """A handle no other test in this session uses, e.g. ``user3f2a1.test``."""
        # The PDS allows 3-18 characters before ``.test``.
        return f"{prefix[:10]}{next(_handles)}{os.getpid() % 1000}.test"

    def _invite_code(self) -> str | None:
        if self._invites_required is None:
            described = self.call("com.atproto.server.describeServer")
            self._invites_required = bool(described.get("inviteCodeRequired"))
        if not self._invites_required:
            return None
        created = self.call(
            "com.atproto.server.createInviteCode",
            body={"useCount": 1},
            headers={"Authorization": self._admin_auth()},
        )
        return created["code"]

    def _admin_auth(self) -> str:
        raw = f"admin:{self.admin_password or 'admin-pass'}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def create_account(self, handle: str, password: str, email: str | None = None) -> dict:
        """com.atproto.server.createAccount; the session: did, handle, accessJwt, refreshJwt."""
        body: dict[str, Any] = {
            "handle": handle,
            "password": password,
            "email": email or f"{handle.replace('.', '-')}@example.com",
        }
        invite = self._invite_code()
        if invite:
            body["inviteCode"] = invite
        return self.call("com.atproto.server.createAccount", body=body)

    def create_session(self, identifier: str, password: str) -> dict:
        """com.atproto.server.createSession with a handle, DID or email and a password."""
        return self.call(
            "com.atproto.server.createSession",
            body={"identifier": identifier, "password": password},
        )

    def refresh_session(self, refresh_jwt: str) -> dict:
        """com.atproto.server.refreshSession (the refresh token is the bearer)."""
        return self.call("com.atproto.server.refreshSession", post=True, token=refresh_jwt)

    def create_app_password(self, session: dict, name: str) -> str:
        """com.atproto.server.createAppPassword; the generated password (xxxx-xxxx-xxxx-xxxx)."""
        created = self.call(
            "com.atproto.server.createAppPassword",
            body={"name": name},
            token=session["accessJwt"],
        )
        return created["password"]

    # -- records ----------------------------------------------------------------------

    def create_record(
        self, session: dict, collection: str, record: dict, rkey: str | None = None
    ) -> dict:
        """com.atproto.repo.createRecord in the session's repo; uri and cid (and commit)."""
        body: dict[str, Any] = {
            "repo": session["did"],
            "collection": collection,
            "record": {"$type": collection, **record},
        }
        if rkey is not None:
            body["rkey"] = rkey
        return self.call("com.atproto.repo.createRecord", body=body, token=session["accessJwt"])

    def create_post(
        self,
        session: dict,
        text: str,
        created_at: datetime | str | None = None,
        reply_to: dict | None = None,
    ) -> dict:
        """An app.bsky.feed.post; ``reply_to`` is the parent's ``{"uri", "cid"}``.

        A reply's root is the parent's own root when the parent is a reply, else the parent.
        """
        record: dict[str, Any] = {"text": text, "createdAt": _iso(created_at)}
        if reply_to is not None:
            parent = {"uri": reply_to["uri"], "cid": reply_to["cid"]}
            root = parent
            did, collection, rkey = reply_to["uri"].removeprefix("at://").split("/")
            parent_value = self.get_record(did, collection, rkey)["value"]
            if isinstance(parent_value.get("reply"), dict):
                root = parent_value["reply"]["root"]
            record["reply"] = {"root": root, "parent": parent}
        return self.create_record(session, "app.bsky.feed.post", record)

    def put_profile(
        self,
        session: dict,
        display_name: str,
        description: str,
        labels: list[str] | None = None,
    ) -> dict:
        """app.bsky.actor.profile (rkey ``self``) via com.atproto.repo.putRecord; uri and cid.

        ``labels`` become self-labels (e.g. ``["!no-unauthenticated"]``).
        """
        record: dict[str, Any] = {
            "$type": "app.bsky.actor.profile",
            "displayName": display_name,
            "description": description,
        }
        if labels:
            record["labels"] = {
                "$type": "com.atproto.label.defs#selfLabels",
                "values": [{"val": value} for value in labels],
            }
        return self.call(
            "com.atproto.repo.putRecord",
            body={
                "repo": session["did"],
                "collection": "app.bsky.actor.profile",
                "rkey": "self",
                "record": record,
            },
            token=session["accessJwt"],
        )

    def delete_record(self, session: dict, collection: str, rkey: str) -> Any:
        """com.atproto.repo.deleteRecord in the session's repo."""
        return self.call(
            "com.atproto.repo.deleteRecord",
            body={"repo": session["did"], "collection": collection, "rkey": rkey},
            token=session["accessJwt"],
        )

    def list_records(self, did: str, collection: str, limit: int = 100) -> list[dict]:
        """Every record of ``collection`` in ``did``'s repo (following ``cursor``), newest first.

        Each is ``{"uri", "cid", "value"}``.
        """
        records: list[dict] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"repo": did, "collection": collection, "limit": limit}
            if cursor:
                params["cursor"] = cursor
            page = self.call("com.atproto.repo.listRecords", params=params)
            records.extend(page["records"])
            cursor = page.get("cursor")
            if not cursor or not page["records"]:
                return records

    def get_record(self, did: str, collection: str, rkey: str) -> dict:
        """com.atproto.repo.getRecord: ``{"uri", "cid", "value"}``."""
        return self.call(
            "com.atproto.repo.getRecord",
            params={"repo": did, "collection": collection, "rkey": rkey},
        )

    # -- identity ---------------------------------------------------------------------

    def did_document(self, did: str) -> dict:
        """The DID document from the PLC directory (GET {plc}/{did})."""
        response = self.http.get(f"{self.plc}/{did}")
        response.raise_for_status()
        return response.json()

    def resolve_handle(self, handle: str) -> str:
        """com.atproto.identity.resolveHandle on this PDS: the DID."""
        return self.call("com.atproto.identity.resolveHandle", params={"handle": handle})["did"]


def _unavailable(reason: str) -> None:
    """Skip, or fail where ``CI`` is set: CI must run these tests."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def _drain(stream: Any, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@contextlib.contextmanager
def start_pds(timeout: float = START_TIMEOUT, env: dict[str, str] | None = None) -> Iterator[Pds]:
    """Run ``node tests/pds/server.mjs`` until the block ends; yields a :class:`Pds`.

    ``env`` adds environment variables for the server: ``PDS_RATE_LIMITS=1`` turns on
    the PDS's rate limits, ``PDS_DID_DOC_WITH_SESSION=1`` puts the DID document into
    session answers (both off in the shared fixture). Raises RuntimeError (with the
    server's output) if it does not come up within ``timeout`` seconds.
    """
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError("node")
    with tempfile.TemporaryFile("w+") as errors:
        started = time.monotonic()
        process = subprocess.Popen(
            [node, str(SERVER)],
            cwd=PDS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, **(env or {})},
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True).start()
        pds: Pds | None = None
        try:
            pds = _wait_ready(process, lines, errors, started + timeout)
            pds.startup_seconds = time.monotonic() - started
            pds.pid = process.pid
            yield pds
        finally:
            if pds is not None:
                pds.close()
            _stop(process)


def _wait_ready(process: subprocess.Popen, lines: queue.Queue, errors: Any, deadline: float) -> Pds:
    seen: list[str] = []
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0.01)) if remaining > 0 else None
        except queue.Empty:
            line = None
        if line is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5 if remaining > 0 else 0.1)  # stdout ended: it is exiting
            errors.seek(0)
            why = (
                f"exited with code {process.returncode}"
                if process.returncode is not None
                else "did not report ready in time"
            )
            raise RuntimeError(
                f"the Bluesky PDS (node {SERVER}) {why}; if its packages are missing or "
                f"broken, run `bash tests/pds/install.sh`.\nstdout:\n{''.join(seen)[-4000:]}"
                f"\nstderr:\n{errors.read()[-4000:]}"
            )
        seen.append(line)
        if line.lstrip().startswith("{"):
            with contextlib.suppress(ValueError):
                ready = json.loads(line)
                if isinstance(ready, dict) and "pds" in ready and "plc" in ready:
                    return Pds(ready["pds"], ready["plc"], ready.get("adminPassword"))


def _stop(process: subprocess.Popen) -> None:
    """Close stdin (the server's cue to shut down), then SIGTERM, then SIGKILL."""
    with contextlib.suppress(OSError):
        if process.stdin:
            process.stdin.close()
    try:
        process.wait(STOP_TIMEOUT)
        return
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def bluesky_pds() -> Iterator[Pds]:
    """One real PDS + PLC directory for the whole test session (see the module docstring)."""
    if shutil.which("node") is None:
        _unavailable(f"{NEEDS} (node is not on PATH)")
    if not (PDS_DIR / "node_modules" / "@atproto" / "dev-env").is_dir():
        _unavailable(f"{NEEDS} (tests/pds/node_modules is missing)")
    with start_pds() as pds:
        yield pds
