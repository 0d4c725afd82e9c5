"""Loopback fakes of the GitHub, Reddit, Hacker News, Stack Exchange and Gravatar APIs.

Each fake is a small, stateful HTTP server on ``127.0.0.1`` (a free port) that runs in a
daemon thread, so sync tests and async code in any thread or event loop can call it.  It
answers with the documented shapes of the real API (``/work/shared/reference/platforms.md``
A3-A6) at the real paths below :attr:`FakeApi.url`:

=====================  ==============================  =================================
fake                   real base                       connector base
=====================  ==============================  =================================
:class:`FakeGitHub`    ``https://api.github.com``      ``server.url``
:class:`FakeReddit`    ``https://www.reddit.com``      ``server.url``
:class:`FakeHN`        Firebase ``/v0``, Algolia       ``server.url + "/v0"``,
                       ``/api/v1``                     ``server.url + "/api/v1"``
:class:`FakeStackExchange`  ``api.stackexchange.com/2.3``  ``server.url + "/2.3"``
:class:`FakeGravatar`  ``https://api.gravatar.com/v3``  ``server.url + "/v3"``
=====================  ==============================  =================================

Every fake shares :class:`FakeApi`: start/stop (or ``with``), :attr:`FakeApi.requests`
(every request as a :class:`RecordedRequest`), and fault injection by path prefix
(:meth:`~FakeApi.fail`, :meth:`~FakeApi.malformed`, :meth:`~FakeApi.stall`,
:meth:`~FakeApi.repeat_cursor`, :meth:`~FakeApi.empty_pages`).  Path prefixes are matched
against the full request path from the server root, e.g. ``"/2.3/users"`` or
``"/v3/profiles"``.  Seed state with the ``add_*`` methods; seeding methods create a minimal
owning user when it does not exist yet.  Time comes from :attr:`FakeApi.clock` (default
``time.time``); replace it in a test to jump past a rate-limit reset.

The function-scoped fixtures ``fake_github``, ``fake_reddit``, ``fake_hn``,
``fake_stackexchange`` and ``fake_gravatar`` yield a started, empty server.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import html
import http.client
import json
import math
import re
import secrets
import socket
import sys
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest

__all__ = [
    "FakeApi",
    "FakeGitHub",
    "FakeGravatar",
    "FakeHN",
    "FakeReddit",
    "FakeStackExchange",
    "RecordedRequest",
    "Reply",
    "fake_github",
    "fake_gravatar",
    "fake_hn",
    "fake_reddit",
    "fake_stackexchange",
]

_EMPTY: Any = object()  # a reply without a body (204/304); ``None`` means JSON ``null``
MALFORMED_BODY = b'{"data": {"children": [{"kind": "t1", "data": {"id": "trunc'


# --------------------------------------------------------------------------- shared parts


@dataclass
class RecordedRequest:
    """One request as the fake saw it."""

    method: str
    path: str  # percent-decoded, without the query
    query: dict[str, str]  # last value wins; see ``query_all`` for repeats
    headers: dict[str, str]  # names lower-cased
    body: bytes = b""
    target: str = ""  # the raw request target, path plus query
    query_all: dict[str, list[str]] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    """What a route answers: a JSON-able ``body`` (or ``raw`` bytes) plus headers."""

    status: int = 200
    body: Any = _EMPTY
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


@dataclass
class _Fault:
    kind: str  # fail | malformed | stall | repeat | empty
    prefix: str
    times: int | None  # None: forever
    status: int = 200
    body: Any = None
    headers: dict[str, str] | None = None
    seconds: float = 0.0


@dataclass
class _Bucket:
    """A fixed-window rate limit."""

    limit: int
    window: float
    remaining: int
    reset_at: float

    def refresh(self, now: float) -> None:
        if now >= self.reset_at:
            self.remaining = self.limit
            self.reset_at = now + self.window

    @property
    def used(self) -> int:
        return self.limit - self.remaining


def _merge(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``base`` updated with ``extra``, header names compared case-insensitively."""
    out = {k: v for k, v in base.items() if k.lower() not in {e.lower() for e in extra}}
    out.update(extra)
    return out


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(value: str | float | int) -> float:
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _iso_of(value: str | float | int) -> str:
    return value if isinstance(value, str) else _iso(value)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    api: ClassVar[FakeApi]

    def setup(self) -> None:
        super().setup()
        self.api._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.api._connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.api._serve(self)

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET


class FakeApi:
    """Base of the fakes: a loopback server, a request log and fault injection.

    ``url`` is ``http://127.0.0.1:PORT`` (no trailing slash) once started.  Subclasses list
    ``ROUTES`` as ``(method, regex of the full path, handler name)``; a handler takes the
    :class:`RecordedRequest` plus the regex groups and returns a :class:`Reply`.
    """

    ROUTES: ClassVar[list[tuple[str, str, str]]] = []

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks of bugs in the fake itself
        self.clock: Callable[[], float] = time.time
        self.lock = threading.RLock()
        self._faults: list[_Fault] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._seq = 0
        self._routes = [(m, re.compile(p), name) for m, p, name in self.ROUTES]

    # -- lifecycle

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        for conn in list(self._connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request log

    def requests_to(
        self, path_prefix: str = "", method: str | None = None
    ) -> list[RecordedRequest]:
        """The recorded requests whose path starts with ``path_prefix``."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(path_prefix) and (method is None or r.method == method)
            ]

    # -- fault injection

    def fail(
        self,
        path_prefix: str,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer the next ``times`` matching requests (``None``: all) with ``status``.

        ``body`` defaults to the API's own error shape for that status; ``headers`` are sent
        as given (nothing else is added, so pass e.g. rate-limit reset headers yourself).
        The answer does not touch the fake's state or rate-limit counters.
        """
        self._add(_Fault("fail", path_prefix, times, status, body, dict(headers or {})))

    def malformed(self, path_prefix: str, times: int | None = 1) -> None:
        """Answer the next ``times`` matching requests with 200 and a truncated JSON body."""
        self._add(_Fault("malformed", path_prefix, times))

    def stall(self, path_prefix: str, seconds: float, times: int | None = 1) -> None:
        """Wait ``seconds`` before answering the next ``times`` matching requests."""
        self._add(_Fault("stall", path_prefix, times, seconds=seconds))

    def repeat_cursor(self, path_prefix: str, times: int | None = None) -> None:
        """Make matching pages hand back the same paging cursor forever (or ``times`` pages).

        What "the cursor" is depends on the API; see each fake's docstring.
        """
        self._add(_Fault("repeat", path_prefix, times))

    def empty_pages(self, path_prefix: str, times: int | None = None) -> None:
        """Make matching pages come back empty while still offering a next page."""
        self._add(_Fault("empty", path_prefix, times))

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _add(self, fault: _Fault) -> None:
        with self.lock:
            self._faults.append(fault)

    def _take(self, path: str, kinds: Iterable[str]) -> _Fault | None:
        kinds = tuple(kinds)
        for fault in self._faults:
            if fault.kind in kinds and path.startswith(fault.prefix):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def _paging_mode(self, req: RecordedRequest) -> str | None:
        """``"repeat"``, ``"empty"`` or ``None`` for this page (consumes one use)."""
        fault = self._take(req.path, ("repeat", "empty"))
        return fault.kind if fault else None

    # -- hooks for subclasses

    def handle(self, req: RecordedRequest) -> Reply:
        """Answer one request (called under :attr:`lock`).  Default: route it."""
        return self.route(req)

    def route(self, req: RecordedRequest) -> Reply:
        for method, pattern, name in self._routes:
            match = pattern.fullmatch(req.path)
            if match and method == req.method:
                return getattr(self, name)(req, **match.groupdict())
        return self.error(req, 404)

    def error(self, req: RecordedRequest, status: int, message: str | None = None) -> Reply:
        """The API's own error reply."""
        return Reply(status, {"message": message or _phrase(status)})

    def finalize(
        self, req: RecordedRequest, status: int, data: bytes, headers: dict[str, str]
    ) -> bytes:
        """Last look at the bytes on the wire (Stack Exchange compresses here)."""
        return data

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- the server side

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        length = _int(h.headers.get("Content-Length"), 0)
        body = h.rfile.read(length) if length > 0 else b""
        query_all = parse_qs(split.query, keep_blank_values=True)
        req = RecordedRequest(
            method=h.command,
            path=unquote(split.path),
            query={k: v[-1] for k, v in query_all.items()},
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
            target=h.path,
            query_all=query_all,
        )
        with self.lock:
            self.requests.append(req)
            stall = self._take(req.path, ("stall",))
        if stall is not None:
            time.sleep(stall.seconds)
        with self.lock:
            fault = self._take(req.path, ("fail", "malformed"))
            try:
                if fault is None:
                    reply = self.handle(req)
                elif fault.kind == "fail":
                    default = self.error(req, fault.status)
                    reply = Reply(
                        fault.status,
                        default.body if fault.body is None else fault.body,
                        dict(fault.headers or {}),
                    )
                else:
                    reply = Reply(200, raw=MALFORMED_BODY)
            except Exception:
                self.errors.append(traceback.format_exc())
                print(self.errors[-1], file=sys.stderr)
                reply = Reply(500, {"message": "the fake server crashed; see its .errors"})
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if isinstance(reply.raw, bytes):
                data = reply.raw
            elif reply.body is _EMPTY:
                data = b""
            else:
                data = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
            headers = _merge(headers, reply.headers)
            data = self.finalize(req, reply.status, data, headers)
        try:
            h.send_response(reply.status, _phrase(reply.status))
            for name, value in headers.items():
                h.send_header(name, value)
            if reply.status not in (204, 304):
                h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            if data and reply.status not in (204, 304):
                h.wfile.write(data)
            h.wfile.flush()
        except OSError:
            h.close_connection = True


# --------------------------------------------------------------------------- GitHub

_GH_DOCS = "https://docs.github.com/rest"
_GH_NOREPLY = re.compile(r"(?:(\d+)\+)?([^@]+)@users\.noreply\.github\.com", re.IGNORECASE)
_GH_PRIVATE_USER_FIELDS = (
    "private_gists",
    "total_private_repos",
    "owned_private_repos",
    "disk_usage",
    "collaborators",
    "two_factor_authentication",
    "plan",
)
_GH_PATCHABLE = (
    "name",
    "email",
    "blog",
    "twitter_username",
    "company",
    "location",
    "hireable",
    "bio",
)
_GH_PUSH_REMOVED = ("commits", "size", "distinct_size")


@dataclass
class _GhToken:
    token: str
    login: str
    scopes: frozenset[str]
    fine_grained: bool


class FakeGitHub(FakeApi):
    """GitHub REST (``X-GitHub-Api-Version: 2022-11-28``) at ``server.url``.

    Seeding::

        add_user(login, **fields) -> dict          # id, name, company, blog, location, email,
                                                   # hireable, bio, twitter_username, created_at,
                                                   # updated_at, public_gists, followers, ...;
                                                   # private_gists/total_private_repos/
                                                   # two_factor_authentication/plan: /user only
        add_token(token, login, scopes=()) -> None # classic: "user", "user:email", "repo" ...;
                                                   # "github_pat_..." tokens are fine-grained and
                                                   # take "emails:read", "emails:write",
                                                   # "profile:write" (write implies read)
        add_email(login, email, primary=False, verified=True, visibility=None) -> None
        add_event(login, type, repo, payload=None, created_at=None, public=True) -> dict
        add_repo(full_name, private=False, fork=False, **fields) -> dict
        add_commit(repo, sha, author_name, author_email, committer_email=None, message="",
                   author_login=None, *, committer_name=None, committer_login=None,
                   date=None, parents=()) -> dict
        set_rate_limit(remaining, reset_in=3600, login=None)  # login=None: the anonymous bucket

    Endpoints: ``GET /users/{u}``, ``GET|PATCH /user``, ``GET /user/emails``,
    ``PATCH /user/email/visibility``, ``GET /users/{u}/events/public`` (newest first, only the
    newest ``events_cap`` = 300 reachable, 422 past them), ``GET /users/{u}/repos``,
    ``GET /repos/{o}/{r}``, ``GET /repos/{o}/{r}/commits?author=``,
    ``GET /repos/{o}/{r}/commits/{sha}`` (full or unique prefix; 422 if unknown) and the free
    ``GET /rate_limit``.  Lists page with ``per_page`` (default 30, max 100) and ``page`` and a
    ``Link`` header; as on github.com the Link URLs use the numeric forms
    ``/user/{id}/events/public``, ``/user/{id}/repos`` and ``/repositories/{id}/commits``, which
    are served too.  Events carry an ``ETag``; ``If-None-Match`` gives 304 without using quota.

    Auth: ``Authorization: Bearer|token {t}``.  No header on ``/user*``: 401 "Requires
    authentication"; an unknown token anywhere: 401 "Bad credentials".  Missing scope: 404
    (classic token) or 403 "Resource not accessible by personal access token" (fine-grained).
    A missing User-Agent gets GitHub's plain-text 403.

    Rate limits: ``x-ratelimit-limit/remaining/used/reset`` (epoch s) and ``-resource: core``
    on every answer; 60/h anonymous, 5000/h per token owner.  At remaining 0 the answer is
    403 ``API rate limit exceeded ...`` until the reset.  ``exhausted=True`` starts every
    bucket at 0 for ``reset_in`` seconds.

    Paging faults: ``repeat_cursor`` makes ``rel="next"`` point at the page just served;
    ``empty_pages`` serves ``[]`` with a ``rel="next"`` to the following page.
    """

    ROUTES: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/rate_limit", "_rate_limit"),
        ("GET", r"/user", "_get_self"),
        ("PATCH", r"/user", "_patch_self"),
        ("GET", r"/user/emails", "_get_emails"),
        ("PATCH", r"/user/email/visibility", "_patch_visibility"),
        ("GET", r"/users/(?P<login>[^/]+)", "_get_user"),
        ("GET", r"/users/(?P<login>[^/]+)/events/public", "_get_events"),
        ("GET", r"/user/(?P<uid>\d+)/events/public", "_get_events"),
        ("GET", r"/users/(?P<login>[^/]+)/repos", "_get_repos"),
        ("GET", r"/user/(?P<uid>\d+)/repos", "_get_repos"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)", "_get_repo"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/commits", "_list_commits"),
        ("GET", r"/repositories/(?P<rid>\d+)/commits", "_list_commits"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/commits/(?P<ref>[^/]+)", "_get_commit"),
    ]

    def __init__(
        self,
        *,
        rate_limit: int = 60,
        auth_rate_limit: int = 5000,
        exhausted: bool = False,
        reset_in: float = 3600.0,
        events_cap: int = 300,
    ) -> None:
        super().__init__()
        self.rate_limit = rate_limit
        self.auth_rate_limit = auth_rate_limit
        self.events_cap = events_cap
        self._exhausted = exhausted
        self._reset_in = reset_in
        self.users: dict[str, dict[str, Any]] = {}  # lower login -> fields
        self.tokens: dict[str, _GhToken] = {}
        self.emails: dict[str, list[dict[str, Any]]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.repos: dict[str, dict[str, Any]] = {}  # lower full name -> fields
        self.commits: dict[str, list[dict[str, Any]]] = {}  # lower full name -> commits
        self._buckets: dict[str, _Bucket] = {}
        self._token: _GhToken | None = None  # the caller of the request being answered

    # -- seeding

    def add_user(self, login: str, **fields: Any) -> dict[str, Any]:
        """Add (or update) a user; returns the stored record."""
        with self.lock:
            record = self.users.get(login.lower())
            if record is None:
                record = {"login": login, "id": 1000 + self._next_seq()}
                self.users[login.lower()] = record
            record.update(fields)
            return record

    def add_token(self, token: str, login: str, scopes: Iterable[str] = ()) -> None:
        with self.lock:
            owner = self._user(login)["login"]
            fine_grained = token.startswith("github_pat_")
            self.tokens[token] = _GhToken(token, owner, frozenset(scopes), fine_grained)

    def add_email(
        self,
        login: str,
        email: str,
        primary: bool = False,
        verified: bool = True,
        visibility: str | None = None,
    ) -> None:
        with self.lock:
            user = self._user(login)
            self.emails.setdefault(user["login"].lower(), []).append(
                {"email": email, "primary": primary, "verified": verified, "visibility": visibility}
            )

    def add_event(
        self,
        login: str,
        type: str,
        repo: str,
        payload: Mapping[str, Any] | None = None,
        created_at: str | float | None = None,
        public: bool = True,
    ) -> dict[str, Any]:
        """Add an event to ``login``'s timeline.

        A ``PushEvent`` payload is trimmed to its post-Oct-2025 form (``repository_id,
        push_id, ref, head, before``; ``commits/size/distinct_size`` are dropped) and missing
        keys are filled in.  ``created_at`` defaults to a time later than every earlier event.
        """
        with self.lock:
            user = self._user(login)
            seq = self._next_seq()
            body = dict(payload or {})
            if type == "PushEvent":
                for key in _GH_PUSH_REMOVED:
                    body.pop(key, None)
                body.setdefault("repository_id", self._repo_id(repo))
                body.setdefault("push_id", 20_000_000_000 + seq)
                body.setdefault("ref", "refs/heads/main")
                body.setdefault("head", hashlib.sha1(f"head{seq}".encode()).hexdigest())
                body.setdefault("before", hashlib.sha1(f"before{seq}".encode()).hexdigest())
            event = {
                "id": str(40_000_000_000 + seq),
                "type": type,
                "login": user["login"],
                "repo": repo,
                "payload": body,
                "public": public,
                "created_at": _iso_of(created_at)
                if created_at is not None
                else _iso(1_760_000_000 + seq * 60),
                "_seq": seq,
            }
            self.events.setdefault(user["login"].lower(), []).append(event)
            return event

    def add_repo(
        self, full_name: str, private: bool = False, fork: bool = False, **fields: Any
    ) -> dict[str, Any]:
        with self.lock:
            record = self.repos.get(full_name.lower())
            if record is None:
                self._user(full_name.split("/")[0])
                record = {"full_name": full_name, "id": 500_000 + self._next_seq()}
                self.repos[full_name.lower()] = record
                self.commits.setdefault(full_name.lower(), [])
            record.update(private=private, fork=fork, **fields)
            return record

    def add_commit(
        self,
        repo: str,
        sha: str,
        author_name: str,
        author_email: str,
        committer_email: str | None = None,
        message: str = "",
        author_login: str | None = None,
        *,
        committer_name: str | None = None,
        committer_login: str | None = None,
        date: str | float | None = None,
        parents: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Add a commit to ``repo`` ("owner/name"; the repo is created if new).

        ``author_login`` links the commit to a GitHub user; without it the commit is linked
        when ``author_email`` is a verified address added with :meth:`add_email` or a
        noreply address of a known user, as github.com does.
        """
        with self.lock:
            if repo.lower() not in self.repos:
                self.add_repo(repo)
            seq = self._next_seq()
            when = _iso_of(date) if date is not None else _iso(1_700_000_000 + seq * 60)
            commit = {
                "sha": sha,
                "author_name": author_name,
                "author_email": author_email,
                "committer_name": committer_name or author_name,
                "committer_email": committer_email or author_email,
                "message": message,
                "author_login": author_login,
                "committer_login": committer_login,
                "date": when,
                "parents": list(parents),
                "_seq": seq,
            }
            self.commits[repo.lower()].append(commit)
            return commit

    def set_rate_limit(
        self, remaining: int, reset_in: float = 3600.0, login: str | None = None
    ) -> None:
        """Set the remaining quota of the anonymous bucket or of ``login``'s bucket."""
        with self.lock:
            bucket = self._bucket(login)
            bucket.remaining = remaining
            bucket.reset_at = self.clock() + reset_in

    # -- helpers

    def _user(self, login: str) -> dict[str, Any]:
        return self.users.get(login.lower()) or self.add_user(login)

    def _repo_id(self, full_name: str) -> int:
        repo = self.repos.get(full_name.lower())
        return repo["id"] if repo else zlib.crc32(full_name.lower().encode()) % 900_000_000 + 1

    def _login_for_email(self, email: str) -> str | None:
        for login, rows in self.emails.items():
            if any(r["email"].lower() == email.lower() and r["verified"] for r in rows):
                return self.users[login]["login"]
        match = _GH_NOREPLY.fullmatch(email)
        if match and match.group(2).lower() in self.users:
            user = self.users[match.group(2).lower()]
            if match.group(1) is None or int(match.group(1)) == user["id"]:
                return user["login"]
        return None

    def _commit_login(self, commit: dict[str, Any], role: str) -> str | None:
        """The account GitHub links to a commit's author or committer, if any."""
        return commit[f"{role}_login"] or self._login_for_email(commit[f"{role}_email"])

    def _bucket(self, login: str | None) -> _Bucket:
        key = login.lower() if login else ""
        bucket = self._buckets.get(key)
        if bucket is None:
            limit = self.auth_rate_limit if login else self.rate_limit
            now = self.clock()
            if self._exhausted:
                bucket = _Bucket(limit, 3600.0, 0, now + self._reset_in)
            else:
                bucket = _Bucket(limit, 3600.0, limit, now + 3600.0)
            self._buckets[key] = bucket
        return bucket

    def _rate_headers(self, bucket: _Bucket) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(bucket.limit),
            "x-ratelimit-remaining": str(bucket.remaining),
            "x-ratelimit-used": str(bucket.used),
            "x-ratelimit-reset": str(math.ceil(bucket.reset_at)),
            "x-ratelimit-resource": "core",
        }

    def error(self, req: RecordedRequest, status: int, message: str | None = None) -> Reply:
        default = {401: "Bad credentials", 404: "Not Found", 422: "Validation Failed"}.get(status)
        if status == 429:
            default = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                "try again."
            )
        body = {
            "message": message or default or _phrase(status),
            "documentation_url": _GH_DOCS,
            "status": str(status),
        }
        return Reply(status, body)

    def _simple_user(self, login: str) -> dict[str, Any]:
        user = self.users.get(login.lower())
        uid = user["id"] if user else zlib.crc32(login.lower().encode()) % 90_000_000 + 1
        login = user["login"] if user else login
        return {
            "login": login,
            "id": uid,
            "node_id": f"U_kgDO{uid}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": f"{self.url}/users/{login}",
            "html_url": f"https://github.com/{login}",
            "type": "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def _user_json(self, user: dict[str, Any], private: bool) -> dict[str, Any]:
        login = user["login"]
        public_repos = sum(
            1
            for r in self.repos.values()
            if r["full_name"].split("/")[0].lower() == login.lower() and not r["private"]
        )
        out = self._simple_user(login)
        out.update(
            name=None,
            company=None,
            blog="",
            location=None,
            email=None,
            hireable=None,
            bio=None,
            twitter_username=None,
            public_repos=public_repos,
            public_gists=0,
            followers=0,
            following=0,
            created_at="2015-01-01T00:00:00Z",
            updated_at="2015-01-01T00:00:00Z",
        )
        if private:
            private_repos = sum(
                1
                for r in self.repos.values()
                if r["full_name"].split("/")[0].lower() == login.lower() and r["private"]
            )
            out.update(
                user_view_type="private",
                private_gists=0,
                total_private_repos=private_repos,
                owned_private_repos=private_repos,
                disk_usage=0,
                collaborators=0,
                two_factor_authentication=False,
                plan={
                    "name": "free",
                    "space": 976562499,
                    "collaborators": 0,
                    "private_repos": 10000,
                },
            )
        for key, value in user.items():
            if private or key not in _GH_PRIVATE_USER_FIELDS:
                out[key] = value
        return out

    def _page(
        self, req: RecordedRequest, items: list[Any], link_path: str, cap: int | None = None
    ) -> Reply:
        per_page = min(max(_int(req.query.get("per_page"), 30), 1), 100)
        page = max(_int(req.query.get("page"), 1), 1)
        if cap is not None:
            items = items[:cap]
            if (page - 1) * per_page >= cap:
                return self.error(
                    req,
                    422,
                    "In order to keep the API fast for everyone, pagination is limited for "
                    "this resource.",
                )
        start = (page - 1) * per_page
        chunk = items[start : start + per_page]
        last = max(1, math.ceil(len(items) / per_page))
        next_page = page + 1 if page < last else None
        mode = self._paging_mode(req)
        if mode == "repeat":
            next_page = page
        elif mode == "empty":
            chunk, next_page = [], page + 1

        def link(n: int, rel: str) -> str:
            query = {k: v for k, v in req.query.items() if k != "page"}
            query["page"] = str(n)
            return f'<{self.url}{link_path}?{urlencode(query)}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if next_page is not None:
            links.append(link(next_page, "next"))
            if mode is None:
                links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        return Reply(200, chunk, {"Link": ", ".join(links)} if links else {})

    def _user_by(self, login: str | None, uid: str | None) -> dict[str, Any] | None:
        if login is not None:
            return self.users.get(login.lower())
        return next((u for u in self.users.values() if str(u["id"]) == uid), None)

    def _scoped(self, token: _GhToken, classic: Iterable[str], fine: str) -> Reply | None:
        """None when ``token`` may do this, else GitHub's refusal."""
        if token.fine_grained:
            perm, _, level = fine.partition(":")
            if fine in token.scopes or (level == "read" and f"{perm}:write" in token.scopes):
                return None
            return Reply(
                403,
                {
                    "message": "Resource not accessible by personal access token",
                    "documentation_url": _GH_DOCS,
                    "status": "403",
                },
            )
        if token.scopes & set(classic):
            return None
        return Reply(404, {"message": "Not Found", "documentation_url": _GH_DOCS, "status": "404"})

    # -- dispatch

    def handle(self, req: RecordedRequest) -> Reply:
        if not req.headers.get("user-agent", "").strip():
            return Reply(
                403,
                raw=b"Request forbidden by administrative rules. Please make sure your request "
                b"has a User-Agent header (https://docs.github.com/en/rest/overview/"
                b"resources-in-the-rest-api#user-agent-required). Check "
                b"https://developer.github.com for other possible causes.\n",
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
        token: _GhToken | None = None
        auth = req.headers.get("authorization")
        bad_token = False
        if auth is not None:
            scheme, _, value = auth.strip().partition(" ")
            token = (
                self.tokens.get(value.strip()) if scheme.lower() in ("bearer", "token") else None
            )
            bad_token = token is None
        bucket = self._bucket(token.login if token else None)
        now = self.clock()
        bucket.refresh(now)
        free = req.path == "/rate_limit"
        if bad_token:
            reply = self.error(req, 401, "Bad credentials")
        elif bucket.remaining <= 0 and not free:
            who = (
                f"user ID {self._user(token.login)['id']}."
                if token
                else "127.0.0.1. (But here's the good news: Authenticated requests get a higher "
                "rate limit. Check out the documentation for more details.)"
            )
            reply = Reply(
                403,
                {
                    "message": f"API rate limit exceeded for {who}",
                    "documentation_url": "https://docs.github.com/rest/overview/"
                    "rate-limits-for-the-rest-api",
                },
            )
            reply.headers = self._rate_headers(bucket)
            return reply
        else:
            self._token = token
            reply = self.route(req)
        if reply.status != 304 and not free:
            bucket.remaining = max(bucket.remaining - 1, 0)
        headers = {
            **self._rate_headers(bucket),
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
        }
        if token is not None and not token.fine_grained:
            headers["X-OAuth-Scopes"] = ", ".join(sorted(token.scopes))
        reply.headers = _merge(headers, reply.headers)
        return reply

    # -- endpoints

    def _rate_limit(self, req: RecordedRequest) -> Reply:
        bucket = self._bucket(self._token.login if self._token else None)
        core = {
            "limit": bucket.limit,
            "remaining": bucket.remaining,
            "reset": math.ceil(bucket.reset_at),
            "used": bucket.used,
            "resource": "core",
        }
        return Reply(200, {"resources": {"core": core}, "rate": core})

    def _need_token(self, req: RecordedRequest) -> _GhToken | Reply:
        if self._token is None:
            return self.error(req, 401, "Requires authentication")
        return self._token

    def _get_self(self, req: RecordedRequest) -> Reply:
        token = self._need_token(req)
        if isinstance(token, Reply):
            return token
        return Reply(200, self._user_json(self._user(token.login), private=True))

    def _patch_self(self, req: RecordedRequest) -> Reply:
        token = self._need_token(req)
        if isinstance(token, Reply):
            return token
        refused = self._scoped(token, ("user",), "profile:write")
        if refused:
            return refused
        try:
            changes = json.loads(req.body or b"{}")
            assert isinstance(changes, dict)
        except (ValueError, AssertionError):
            return self.error(req, 400, "Problems parsing JSON")
        user = self._user(token.login)
        email = changes.get("email")
        if email:
            known = [
                e["email"].lower()
                for e in self.emails.get(token.login.lower(), [])
                if e["verified"]
            ]
            if email.lower() not in known:
                return self.error(req, 422, "Validation Failed")
        for key in _GH_PATCHABLE:
            if key in changes:
                user[key] = changes[key]
        return Reply(200, self._user_json(user, private=True))

    def _get_emails(self, req: RecordedRequest) -> Reply:
        token = self._need_token(req)
        if isinstance(token, Reply):
            return token
        refused = self._scoped(token, ("user", "user:email"), "emails:read")
        if refused:
            return refused
        rows = self.emails.get(token.login.lower(), [])
        return self._page(req, [dict(r) for r in rows], "/user/emails")

    def _patch_visibility(self, req: RecordedRequest) -> Reply:
        token = self._need_token(req)
        if isinstance(token, Reply):
            return token
        refused = self._scoped(token, ("user",), "emails:write")
        if refused:
            return refused
        try:
            visibility = json.loads(req.body or b"{}").get("visibility")
        except (ValueError, AttributeError):
            return self.error(req, 400, "Problems parsing JSON")
        if visibility not in ("public", "private"):
            return self.error(req, 422, "Validation Failed")
        rows = self.emails.get(token.login.lower(), [])
        primary = [r for r in rows if r["primary"]]
        if not primary:
            return self.error(req, 422, "Validation Failed")
        primary[0]["visibility"] = visibility
        return Reply(200, [dict(r) for r in rows])

    def _get_user(self, req: RecordedRequest, login: str) -> Reply:
        user = self.users.get(login.lower())
        if user is None:
            return self.error(req, 404)
        return Reply(200, self._user_json(user, private=False))

    def _event_json(self, event: dict[str, Any]) -> dict[str, Any]:
        actor = self._simple_user(event["login"])
        repo = event["repo"]
        return {
            "id": event["id"],
            "type": event["type"],
            "actor": {
                "id": actor["id"],
                "login": actor["login"],
                "display_login": actor["login"],
                "gravatar_id": "",
                "url": actor["url"],
                "avatar_url": actor["avatar_url"],
            },
            "repo": {"id": self._repo_id(repo), "name": repo, "url": f"{self.url}/repos/{repo}"},
            "payload": event["payload"],
            "public": True,
            "created_at": event["created_at"],
        }

    def _get_events(
        self, req: RecordedRequest, login: str | None = None, uid: str | None = None
    ) -> Reply:
        user = self._user_by(login, uid)
        if user is None:
            return self.error(req, 404)
        rows = [e for e in self.events.get(user["login"].lower(), []) if e["public"]]
        rows.sort(key=lambda e: (_epoch(e["created_at"]), e["_seq"]), reverse=True)
        reply = self._page(
            req,
            [self._event_json(e) for e in rows],
            f"/user/{user['id']}/events/public",
            self.events_cap,
        )
        if reply.status != 200:
            return reply
        etag = 'W/"' + hashlib.sha1(json.dumps(reply.body).encode()).hexdigest() + '"'
        reply.headers.update({"ETag": etag, "X-Poll-Interval": "60"})
        if req.headers.get("if-none-match") == etag:
            return Reply(304, headers={"ETag": etag, "X-Poll-Interval": "60"})
        return reply

    def _repo_json(self, repo: dict[str, Any]) -> dict[str, Any]:
        full = repo["full_name"]
        owner, name = full.split("/", 1)
        out = {
            "id": repo["id"],
            "node_id": f"R_kgDO{repo['id']}",
            "name": name,
            "full_name": full,
            "private": repo["private"],
            "owner": self._simple_user(owner),
            "html_url": f"https://github.com/{full}",
            "description": None,
            "fork": repo["fork"],
            "url": f"{self.url}/repos/{full}",
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2020-01-01T00:00:00Z",
            "pushed_at": "2020-01-01T00:00:00Z",
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": None,
            "forks_count": 0,
            "archived": False,
            "disabled": False,
            "open_issues_count": 0,
            "visibility": "private" if repo["private"] else "public",
            "default_branch": "main",
        }
        out.update({k: v for k, v in repo.items() if k not in ("id", "full_name")})
        return out

    def _get_repos(
        self, req: RecordedRequest, login: str | None = None, uid: str | None = None
    ) -> Reply:
        user = self._user_by(login, uid)
        if user is None:
            return self.error(req, 404)
        owned = [
            r
            for r in self.repos.values()
            if r["full_name"].split("/")[0].lower() == user["login"].lower() and not r["private"]
        ]
        sort = req.query.get("sort", "full_name")
        field = sort if sort in ("created", "updated", "pushed") else None
        rendered = [self._repo_json(r) for r in owned]
        if field is None:
            rendered.sort(key=lambda r: r["full_name"].lower())
        else:
            rendered.sort(key=lambda r: _epoch(r[f"{field}_at"]))
        if req.query.get("direction", "asc" if field is None else "desc") == "desc":
            rendered.reverse()
        return self._page(req, rendered, f"/user/{user['id']}/repos")

    def _find_repo(
        self, owner: str | None, name: str | None, rid: str | None
    ) -> dict[str, Any] | None:
        if rid is not None:
            return next((r for r in self.repos.values() if str(r["id"]) == rid), None)
        return self.repos.get(f"{owner}/{name}".lower())

    def _get_repo(self, req: RecordedRequest, owner: str, name: str) -> Reply:
        repo = self._find_repo(owner, name, None)
        if repo is None or repo["private"]:
            return self.error(req, 404)
        return Reply(200, self._repo_json(repo))

    def _commit_json(self, repo: dict[str, Any], c: dict[str, Any], full: bool) -> dict[str, Any]:
        base = f"{self.url}/repos/{repo['full_name']}"
        html_base = f"https://github.com/{repo['full_name']}"
        out: dict[str, Any] = {
            "sha": c["sha"],
            "node_id": f"C_kwDO{c['sha'][:12]}",
            "commit": {
                "author": {"name": c["author_name"], "email": c["author_email"], "date": c["date"]},
                "committer": {
                    "name": c["committer_name"],
                    "email": c["committer_email"],
                    "date": c["date"],
                },
                "message": c["message"],
                "tree": {
                    "sha": hashlib.sha1(c["sha"].encode()).hexdigest(),
                    "url": f"{base}/git/trees",
                },
                "url": f"{base}/git/commits/{c['sha']}",
                "comment_count": 0,
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "url": f"{base}/commits/{c['sha']}",
            "html_url": f"{html_base}/commit/{c['sha']}",
            "comments_url": f"{base}/commits/{c['sha']}/comments",
            "author": self._simple_user(author)
            if (author := self._commit_login(c, "author"))
            else None,
            "committer": self._simple_user(committer)
            if (committer := self._commit_login(c, "committer"))
            else None,
            "parents": [
                {"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{html_base}/commit/{p}"}
                for p in c["parents"]
            ],
        }
        if full:
            out["stats"] = {"total": 0, "additions": 0, "deletions": 0}
            out["files"] = []
        return out

    def _list_commits(
        self,
        req: RecordedRequest,
        owner: str | None = None,
        name: str | None = None,
        rid: str | None = None,
    ) -> Reply:
        repo = self._find_repo(owner, name, rid)
        if repo is None or repo["private"]:
            return self.error(req, 404)
        rows = self.commits[repo["full_name"].lower()]
        if not rows:
            return self.error(req, 409, "Git Repository is empty.")
        author = req.query.get("author")
        if author:
            a = author.lower()
            rows = [
                c
                for c in rows
                if (self._commit_login(c, "author") or "").lower() == a
                or c["author_email"].lower() == a
            ]
        rows = sorted(rows, key=lambda c: (_epoch(c["date"]), c["_seq"]), reverse=True)
        return self._page(
            req,
            [self._commit_json(repo, c, False) for c in rows],
            f"/repositories/{repo['id']}/commits",
        )

    def _get_commit(self, req: RecordedRequest, owner: str, name: str, ref: str) -> Reply:
        repo = self._find_repo(owner, name, None)
        if repo is None or repo["private"]:
            return self.error(req, 404)
        rows = self.commits[repo["full_name"].lower()]
        found = [c for c in rows if c["sha"] == ref] or (
            [c for c in rows if c["sha"].startswith(ref.lower())] if len(ref) >= 4 else []
        )
        if len(found) != 1:
            return self.error(req, 422, f"No commit found for SHA: {ref}")
        return Reply(200, self._commit_json(repo, found[0], True))


# --------------------------------------------------------------------------- Reddit

_GENERIC_AGENTS = ("python-httpx", "python-requests", "python-urllib", "aiohttp")


def _reddit_legacy_escape(value: Any) -> Any:
    """What Reddit does to every JSON string without ``raw_json=1``."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, list):
        return [_reddit_legacy_escape(v) for v in value]
    if isinstance(value, dict):
        return {k: _reddit_legacy_escape(v) for k, v in value.items()}
    return value


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _md_html(text: str) -> str:
    return f'<div class="md"><p>{html.escape(text, quote=False)}</p>\n</div>'


class FakeReddit(FakeApi):
    """Reddit's public JSON and its OAuth API at ``server.url`` (www. and oauth.reddit.com).

    Seeding::

        add_user(name, suspended=False, **about) -> dict   # id, created_utc, link_karma,
                    # comment_karma, total_karma, icon_img, verified, has_verified_email,
                    # is_gold, is_mod, is_employee, subreddit={public_description, title,
                    # over_18, ...} (merged over defaults)
        add_comment(user, id, body, subreddit="test", created_utc=None, link_id=None,
                    parent_id=None, permalink=None, link_title="A post", score=1,
                    edited=False, **extra) -> dict
        add_post(user, id, title, selftext="", url=None, is_self=None, subreddit="test",
                 created_utc=None, over_18=False, permalink=None, score=1, num_comments=0,
                 edited=False, **extra) -> dict
        set_rate_limit(remaining, reset_in=None)

    ``id`` is the base-36 id without prefix (fullnames are ``t1_{id}`` / ``t3_{id}``);
    ``created_utc`` defaults to later than every earlier item.  Names are case-insensitive.

    Endpoints: ``/user/{name}/about.json`` (``{"kind":"t2","data":{...}}``; suspended users
    ``{"kind":"t2","data":{"name":...,"is_suspended":true}}``; unknown users 404
    ``{"message":"Not Found","error":404}``), ``/user/{name}/comments.json``,
    ``/user/{name}/submitted.json`` and ``/user/{name}/overview.json``: Listings newest first
    (``sort=top`` by score), ``limit`` default 25, max 100, ``after`` a fullname; only the
    first ``listing_cap`` (1000) items are reachable (``after`` is null at the cap).
    Without ``raw_json=1`` every string in the answer has ``& < >`` HTML-escaped.

    Rate limit: ``X-Ratelimit-Used`` (int), ``X-Ratelimit-Remaining`` (float, e.g. "99.0"),
    ``X-Ratelimit-Reset`` (whole seconds until the window ends); ``rate_limit`` (100) per
    ``window`` (600 s), then 429.  A missing, empty or generic User-Agent ("python-httpx/...",
    "python-requests/...") gets 429 ``{"message":"Too Many Requests","error":429}`` at once.

    Paging faults: ``repeat_cursor`` answers ``after`` = the ``after`` that was sent (the
    first page gives its normal one); ``empty_pages`` answers no children but an ``after``.

    OAuth for an approved "installed app" (no secret); one server plays both hosts::

        add_app(client_id, redirect_uri, owner=None, *, secret=None, name=None) -> dict
        add_prefs(user, **prefs) -> dict       # over DEFAULT_PREFS; keys given here become
                                               # known (PATCH-able) prefs
        consent(authorize_url, username, allow=True) -> str   # the person clicking "Allow"
        issue_token(client_id, user, scope=..., permanent=True) -> dict  # skip the flow
        expire_tokens()                        # every current access token answers 401
        set_rate_limit(remaining, reset_in=None, client_id=None)

    Browser: ``GET /api/v1/authorize[.compact]`` (``client_id, response_type=code|token,
    state, redirect_uri, duration=temporary|permanent, scope`` split on spaces or commas)
    answers the HTML consent page, or a 400 HTML error page ("invalid client id", "invalid
    redirect_uri parameter" unless it equals the registered one exactly, "invalid scope
    requested", ...).  ``POST /api/v1/authorize`` with the same fields, ``authorize=Allow``
    and the cookie ``reddit_session={username}`` answers 302 to
    ``redirect_uri?state=...&code=...`` (``error=access_denied`` without ``authorize``).
    :meth:`consent` does both requests.  Codes live ``code_lifetime`` (600 s), are single use
    and only redeem with the client_id and redirect_uri they were issued for.  Authorize
    pages use no quota and skip the User-Agent check.

    ``POST /api/v1/access_token`` (HTTP Basic ``client_id:``; a bad or missing header or an
    unknown client is 401 ``{"message":"Unauthorized","error":401}``):
    ``grant_type=authorization_code&code&redirect_uri`` answers ``{access_token,
    token_type:"bearer", expires_in, scope (space-separated), refresh_token (permanent
    only)}``; a bad, used, expired or foreign code is **200** ``{"error":"invalid_grant"}``
    and a missing code/redirect_uri 200 ``{"error":"invalid_request"}``, as Reddit's own
    code does.  ``grant_type=refresh_token&refresh_token`` answers a new access token and
    the same refresh token again (a fresh one, the old one revoked, with
    ``rotate_refresh_tokens=True``); an unknown, revoked or foreign refresh token is **400**
    ``{"error":"invalid_grant"}``.  Other grant types: 200 ``{"error":
    "unsupported_grant_type"}`` (``password``/``client_credentials``: "unauthorized_client").
    ``POST /api/v1/revoke_token`` (Basic; ``token``, ``token_type_hint``) answers 204, also
    for unknown tokens, or 400 ``{"error":"unauthorized_client"}`` for another client's
    token; revoking a refresh token also revokes the access tokens made from it.

    Bearer (``Authorization: bearer T``, any case) endpoints, scope in brackets:
    ``GET /api/v1/me`` [identity] (about data plus private fields, no envelope),
    ``GET /api/v1/me/prefs`` [identity] (``fields=a,b`` filters), ``PATCH /api/v1/me/prefs``
    [account] (JSON object; unknown keys silently ignored; a wrong type or choice is 400 and
    nothing changes; answers all prefs), ``GET /user/{name}/about`` [read],
    ``GET /user/{name}/comments|submitted|overview`` [history] (``.json`` optional; public
    listing shapes), ``POST /api/del`` ``id={fullname}`` [edit] (``{}``; idempotent; unknown
    ids ``{}``; someone else's thing 403), ``GET /api/info?id=t1_a,t3_b`` [read] (Listing in
    the order asked, unknown ids left out).  Deleting sets ``author`` and ``body`` (posts:
    ``selftext``) to "[deleted]", drops ``author_fullname`` and hides the thing from every
    user listing, public JSON included.  A request is an OAuth one when it carries a bearer
    header or its path exists only on oauth.reddit.com.  No, unknown, revoked or expired
    token: 401 ``{"message":"Unauthorized","error":401}`` with ``WWW-Authenticate: Bearer
    realm="reddit", error="invalid_token"``; missing scope 403
    ``{"message":"Forbidden","error":403}`` (``error="insufficient_scope"``).  Access tokens
    live ``token_lifetime`` (3600 s) by :attr:`clock`.  Quota: ``oauth_rate_limit`` (1000,
    i.e. 100/min averaged over the ``window``) per client_id, same headers as above, 429
    past it; 401s use none.  The generic User-Agent rule applies to the token endpoints and
    OAuth calls too.  ``hide_from_robots`` and ``enable_followers`` prefs mirror the about
    fields ``hide_from_robots`` and ``accept_followers``.
    """

    ROUTES: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/user/(?P<name>[^/]+)/about\.json", "_about"),
        ("GET", r"/user/(?P<name>[^/]+)/(?P<which>comments|submitted|overview)\.json", "_listing"),
    ]
    SUSPENDED_LISTING_STATUS = 403  # a guess: what a suspended user's listings answer
    # (method, path regex, handler, scope) on oauth.reddit.com
    OAUTH_ROUTES: ClassVar[list[tuple[str, str, str, str]]] = [
        ("GET", r"/api/v1/me", "_me", "identity"),
        ("GET", r"/api/v1/me/prefs", "_get_prefs", "identity"),
        ("PATCH", r"/api/v1/me/prefs", "_patch_prefs", "account"),
        ("GET", r"/user/(?P<name>[^/]+)/about(?:\.json)?", "_about", "read"),
        (
            "GET",
            r"/user/(?P<name>[^/]+)/(?P<which>comments|submitted|overview)(?:\.json)?",
            "_listing",
            "history",
        ),
        ("POST", r"/api/del", "_del", "edit"),
        ("POST", r"/api/editusertext", "_edit", "edit"),
        ("GET", r"/api/info(?:\.json)?", "_info", "read"),
    ]
    AUTHORIZE_PATHS = ("/api/v1/authorize", "/api/v1/authorize.compact")
    # Reddit's scope names (GET /api/v1/scopes); only the ones above are enforced.
    SCOPES: ClassVar[frozenset[str]] = frozenset(
        [
            "account",
            "creddits",
            "edit",
            "flair",
            "history",
            "identity",
            "livemanage",
            "modconfig",
            "modcontributors",
            "modflair",
            "modlog",
            "modmail",
            "modothers",
            "modposts",
            "modself",
            "modtraffic",
            "modwiki",
            "mysubreddits",
            "privatemessages",
            "read",
            "report",
            "save",
            "structuredstyles",
            "submit",
            "subscribe",
            "vote",
            "wikiedit",
            "wikiread",
            "*",
        ]
    )
    DEFAULT_PREFS: ClassVar[dict[str, Any]] = {
        "hide_from_robots": False,
        "public_votes": False,
        "accept_pms": "everyone",
        "activity_relevant_ads": True,
        "allow_clicktracking": True,
        "research": True,
        "third_party_data_personalized_ads": True,
        "third_party_personalized_ads": True,
        "third_party_site_data_personalized_ads": True,
        "third_party_site_data_personalized_content": True,
        "show_presence": True,
        "enable_followers": True,
        "show_location_based_recommendations": False,
        "email_messages": True,
        "over_18": False,
        "search_include_over_18": False,
        "label_nsfw": True,
        "nightmode": False,
        "lang": "en",
        "default_comment_sort": "confidence",
        "country_code": "US",
    }
    PREF_CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "accept_pms": ("everyone", "whitelisted"),
        "default_comment_sort": (
            "confidence",
            "top",
            "new",
            "controversial",
            "old",
            "random",
            "qa",
            "live",
        ),
    }

    def __init__(
        self,
        *,
        rate_limit: int = 100,
        window: float = 600.0,
        listing_cap: int = 1000,
        block_generic_user_agents: bool = True,
        oauth_rate_limit: int = 1000,
        token_lifetime: float = 3600.0,
        code_lifetime: float = 600.0,
        rotate_refresh_tokens: bool = False,
    ) -> None:
        super().__init__()
        self.listing_cap = listing_cap
        self.block_generic_user_agents = block_generic_user_agents
        self.users: dict[str, dict[str, Any]] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}  # lower name -> t1/t3 data dicts
        self.rate_limit = rate_limit
        self.window = window
        self._window: _Bucket | None = None
        self.oauth_rate_limit = oauth_rate_limit
        self.token_lifetime = token_lifetime
        self.code_lifetime = code_lifetime
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.apps: dict[str, dict[str, Any]] = {}  # client_id -> app
        self.prefs: dict[str, dict[str, Any]] = {}  # lower name -> prefs
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self._oauth_windows: dict[str, _Bucket] = {}  # client_id -> window
        self._oauth_routes = [
            (m, re.compile(p), name, scope) for m, p, name, scope in self.OAUTH_ROUTES
        ]
        self._caller: dict[str, Any] | None = None  # the access token being served

    # -- seeding

    def add_user(self, name: str, suspended: bool = False, **about: Any) -> dict[str, Any]:
        with self.lock:
            seq = self._next_seq()
            subreddit = {
                "default_set": True,
                "banner_img": "",
                "display_name": f"u_{name}",
                "display_name_prefixed": f"u/{name}",
                "title": "",
                "public_description": "",
                "over_18": False,
                "icon_img": "",
                "name": f"t5_{_base36(9_000_000 + seq)}",
                "subreddit_type": "user",
                "url": f"/user/{name}/",
                "subscribers": 0,
                "user_is_banned": None,
            }
            subreddit.update(about.pop("subreddit", {}))
            record: dict[str, Any] = {
                "is_employee": False,
                "is_friend": False,
                "subreddit": subreddit,
                "snoovatar_size": None,
                "awardee_karma": 0,
                "id": _base36(1_000_000 + seq),
                "verified": True,
                "is_gold": False,
                "is_mod": False,
                "awarder_karma": 0,
                "has_verified_email": True,
                "icon_img": "https://www.redditstatic.com/avatars/defaults/v2/avatar_default_1.png",
                "hide_from_robots": False,
                "link_karma": 1,
                "pref_show_snoovatar": False,
                "is_blocked": False,
                "total_karma": 1,
                "accept_chats": False,
                "name": name,
                "created": 1_500_000_000.0,
                "created_utc": 1_500_000_000.0,
                "snoovatar_img": "",
                "comment_karma": 0,
                "accept_followers": True,
                "has_subscribed": True,
            }
            record.update(about)
            record["created"] = record["created_utc"]
            record["_suspended"] = suspended
            self.users[name.lower()] = record
            self.items.setdefault(name.lower(), [])
            return record

    def _user(self, name: str) -> dict[str, Any]:
        return self.users.get(name.lower()) or self.add_user(name)

    def add_comment(
        self,
        user: str,
        id: str,
        body: str,
        subreddit: str = "test",
        created_utc: float | None = None,
        link_id: str | None = None,
        parent_id: str | None = None,
        permalink: str | None = None,
        link_title: str = "A post",
        score: int = 1,
        edited: bool | float = False,
        **extra: Any,
    ) -> dict[str, Any]:
        with self.lock:
            owner = self._user(user)
            seq = self._next_seq()
            link_id = link_id or f"t3_{_base36(50_000_000 + seq)}"
            data: dict[str, Any] = {
                "id": id,
                "name": f"t1_{id}",
                "author": owner["name"],
                "author_fullname": f"t2_{owner['id']}",
                "body": body,
                "body_html": _md_html(body),
                "created_utc": float(
                    created_utc if created_utc is not None else 1_600_000_000 + seq * 60
                ),
                "subreddit": subreddit,
                "subreddit_name_prefixed": f"r/{subreddit}",
                "subreddit_id": f"t5_{_base36(zlib.crc32(subreddit.encode()))}",
                "subreddit_type": "public",
                "link_id": link_id,
                "parent_id": parent_id or link_id,
                "permalink": permalink or f"/r/{subreddit}/comments/{link_id[3:]}/a_post/{id}/",
                "link_title": link_title,
                "link_permalink": f"https://www.reddit.com/r/{subreddit}/comments/{link_id[3:]}/a_post/",
                "link_author": "someone",
                "score": score,
                "ups": score,
                "downs": 0,
                "edited": edited,
                "over_18": False,
                "stickied": False,
                "distinguished": None,
                "archived": False,
                "locked": False,
                "controversiality": 0,
            }
            data["created"] = data["created_utc"]
            data.update(extra)
            data["_kind"], data["_seq"] = "t1", seq
            self.items[owner["name"].lower()].append(data)
            return data

    def add_post(
        self,
        user: str,
        id: str,
        title: str,
        selftext: str = "",
        url: str | None = None,
        is_self: bool | None = None,
        subreddit: str = "test",
        created_utc: float | None = None,
        over_18: bool = False,
        permalink: str | None = None,
        score: int = 1,
        num_comments: int = 0,
        edited: bool | float = False,
        **extra: Any,
    ) -> dict[str, Any]:
        with self.lock:
            owner = self._user(user)
            seq = self._next_seq()
            slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "post"
            permalink = permalink or f"/r/{subreddit}/comments/{id}/{slug}/"
            is_self = (url is None) if is_self is None else is_self
            url = url or f"https://www.reddit.com{permalink}"
            data: dict[str, Any] = {
                "id": id,
                "name": f"t3_{id}",
                "author": owner["name"],
                "author_fullname": f"t2_{owner['id']}",
                "title": title,
                "selftext": selftext,
                "selftext_html": f"<!-- SC_OFF -->{_md_html(selftext)}<!-- SC_ON -->"
                if selftext
                else None,
                "url": url,
                "domain": f"self.{subreddit}" if is_self else urlsplit(url).netloc,
                "is_self": is_self,
                "over_18": over_18,
                "num_comments": num_comments,
                "score": score,
                "ups": score,
                "upvote_ratio": 1.0,
                "created_utc": float(
                    created_utc if created_utc is not None else 1_600_000_000 + seq * 60
                ),
                "subreddit": subreddit,
                "subreddit_name_prefixed": f"r/{subreddit}",
                "subreddit_id": f"t5_{_base36(zlib.crc32(subreddit.encode()))}",
                "permalink": permalink,
                "edited": edited,
                "stickied": False,
                "locked": False,
                "archived": False,
                "thumbnail": "self" if is_self else "default",
            }
            data["created"] = data["created_utc"]
            data.update(extra)
            data["_kind"], data["_seq"] = "t3", seq
            self.items[owner["name"].lower()].append(data)
            return data

    def set_rate_limit(
        self, remaining: int, reset_in: float | None = None, client_id: str | None = None
    ) -> None:
        """Set what is left of the current window (and, with ``reset_in``, when it ends).

        ``client_id=None`` is the logged-out window; otherwise that OAuth client's window.
        """
        with self.lock:
            bucket = self._bucket() if client_id is None else self._oauth_bucket(client_id)
            bucket.remaining = remaining
            if reset_in is not None:
                bucket.reset_at = self.clock() + reset_in

    def _bucket(self) -> _Bucket:
        if self._window is None:
            now = self.clock()
            self._window = _Bucket(self.rate_limit, self.window, self.rate_limit, now + self.window)
        return self._window

    def _oauth_bucket(self, client_id: str) -> _Bucket:
        bucket = self._oauth_windows.get(client_id)
        if bucket is None:
            limit, now = self.oauth_rate_limit, self.clock()
            bucket = _Bucket(limit, self.window, limit, now + self.window)
            self._oauth_windows[client_id] = bucket
        return bucket

    # -- OAuth seeding

    def add_app(
        self,
        client_id: str,
        redirect_uri: str,
        owner: str | None = None,
        *,
        secret: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Register an approved app; ``secret=None`` is an installed app (no secret)."""
        with self.lock:
            if owner is not None:
                owner = self._user(owner)["name"]
            app = {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "owner": owner,
                "secret": secret,
                "name": name or client_id,
            }
            self.apps[client_id] = app
            return app

    def add_prefs(self, user: str, **prefs: Any) -> dict[str, Any]:
        """Set ``user``'s preferences over :attr:`DEFAULT_PREFS`; returns the stored prefs."""
        with self.lock:
            stored = self._prefs(self._user(user))
            stored.update(prefs)
            self._mirror_prefs(user)
            return stored

    def issue_token(
        self,
        client_id: str,
        user: str,
        scope: str | Iterable[str] = "identity history read edit account",
        permanent: bool = True,
    ) -> dict[str, Any]:
        """Tokens as if ``user`` had consented: the ``/api/v1/access_token`` answer."""
        with self.lock:
            if client_id not in self.apps:
                raise KeyError(f"unknown client_id {client_id!r}; add_app() it first")
            scopes = self._parse_scopes(scope if isinstance(scope, str) else " ".join(scope))
            if scopes is None:
                raise ValueError(f"unknown scope in {scope!r}")
            name = self._user(user)["name"].lower()
            refresh = self._new_refresh(client_id, name, scopes) if permanent else None
            return self._token_answer(self._new_access(client_id, name, scopes, refresh), refresh)

    def expire_tokens(self) -> None:
        """Make every access token issued so far answer 401 (refresh tokens stay valid)."""
        with self.lock:
            for token in self.access_tokens.values():
                token["expires_at"] = -math.inf

    def consent(self, authorize_url: str, username: str, allow: bool = True) -> str:
        """Play ``username`` opening ``authorize_url`` and clicking "Allow" (or "Decline").

        Only the path and query of ``authorize_url`` are used (its host may be
        www.reddit.com).  Both page loads go over HTTP, so they are in :attr:`requests`.
        Returns the ``Location`` Reddit redirects to; raises ``ValueError`` with the page
        text when Reddit shows an error page instead.
        """
        split = urlsplit(authorize_url)
        target = split.path + (f"?{split.query}" if split.query else "")
        headers = {
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) fake-browser/1.0",
            "Cookie": f"reddit_session={username}",
        }
        status, text, _ = self._browse("GET", target, headers)
        if status != 200:
            raise ValueError(f"authorize page {status}: {text}")
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        fields = ("client_id", "redirect_uri", "scope", "state", "duration", "response_type")
        form = {k: params[k] for k in fields if k in params}
        if allow:
            form["authorize"] = "Allow"
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, text, answer = self._browse("POST", split.path, headers, urlencode(form))
        if status != 302 or "location" not in answer:
            raise ValueError(f"authorize form {status}: {text}")
        return answer["location"]

    def _browse(
        self, method: str, target: str, headers: dict[str, str], body: str | None = None
    ) -> tuple[int, str, dict[str, str]]:
        port = urlsplit(self.url).port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(method, target, body=body, headers=headers)
            resp = conn.getresponse()
            text = re.sub(r"<[^>]+>", " ", resp.read().decode("utf-8", "replace"))
            return resp.status, " ".join(text.split()), {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()

    # -- OAuth helpers

    def _prefs(self, user: dict[str, Any]) -> dict[str, Any]:
        key = user["name"].lower()
        if key not in self.prefs:
            prefs = dict(self.DEFAULT_PREFS)
            prefs["hide_from_robots"] = bool(user.get("hide_from_robots", False))
            prefs["enable_followers"] = bool(user.get("accept_followers", True))
            self.prefs[key] = prefs
        return self.prefs[key]

    def _mirror_prefs(self, name: str) -> None:
        """Copy the prefs that show on the public profile into the about data."""
        user, prefs = self.users[name.lower()], self.prefs[name.lower()]
        user["hide_from_robots"] = prefs["hide_from_robots"]
        user["accept_followers"] = prefs["enable_followers"]

    def _parse_scopes(self, scope: str | None) -> tuple[str, ...] | None:
        names = [s for s in re.split(r"[\s,]+", scope or "") if s]
        if not names or any(s not in self.SCOPES for s in names):
            return None
        return tuple(dict.fromkeys(names))

    def _new_refresh(self, client_id: str, user: str, scopes: tuple[str, ...]) -> str:
        token = f"{1_000_000 + self._next_seq()}-{secrets.token_urlsafe(21)}"
        self.refresh_tokens[token] = {
            "client_id": client_id,
            "user": user,
            "scopes": scopes,
            "revoked": False,
        }
        return token

    def _new_access(
        self, client_id: str, user: str, scopes: tuple[str, ...], refresh: str | None
    ) -> str:
        token = f"eyJ{secrets.token_urlsafe(30)}"
        self.access_tokens[token] = {
            "client_id": client_id,
            "user": user,
            "scopes": scopes,
            "refresh": refresh,
            "expires_at": self.clock() + self.token_lifetime,
            "revoked": False,
        }
        return token

    def _token_answer(self, access: str, refresh: str | None) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": round(self.token_lifetime),
            "scope": " ".join(self.access_tokens[access]["scopes"]),
        }
        if refresh is not None:
            answer["refresh_token"] = refresh
        return answer

    @staticmethod
    def _form(req: RecordedRequest) -> dict[str, str]:
        """Query and urlencoded body parameters, the body winning (as pylons merges them)."""
        out = dict(req.query)
        body = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        out.update({k: v[-1] for k, v in body.items()})
        return out

    def _client(self, req: RecordedRequest) -> dict[str, Any] | None:
        """The app named by the HTTP Basic header, if that header is valid."""
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        client_id, colon, secret = decoded.partition(":")
        app = self.apps.get(client_id)
        if not colon or app is None or (app["secret"] is not None and secret != app["secret"]):
            return None
        return app

    def _bearer(self, req: RecordedRequest) -> dict[str, Any] | None:
        scheme, _, value = req.headers.get("authorization", "").strip().partition(" ")
        token = self.access_tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or token["revoked"] or self.clock() >= token["expires_at"]:
            return None
        return token

    def _is_oauth(self, req: RecordedRequest) -> bool:
        auth = req.headers.get("authorization", "").strip().lower()
        if auth.startswith("bearer"):
            return True
        if any(p.fullmatch(req.path) for _, p, _ in self._routes):
            return False
        return any(p.fullmatch(req.path) for _, p, _, _ in self._oauth_routes)

    def _rate_headers(self, bucket: _Bucket) -> dict[str, str]:
        return {
            "X-Ratelimit-Used": str(bucket.used),
            "X-Ratelimit-Remaining": f"{float(bucket.remaining):.1f}",
            "X-Ratelimit-Reset": str(max(0, math.ceil(bucket.reset_at - self.clock()))),
        }

    def _generic_agent(self, req: RecordedRequest) -> bool:
        agent = req.headers.get("user-agent", "").strip()
        generic = not agent or agent.lower().startswith(_GENERIC_AGENTS)
        return self.block_generic_user_agents and generic

    # -- dispatch

    def error(self, req: RecordedRequest, status: int, message: str | None = None) -> Reply:
        return Reply(status, {"message": message or _phrase(status), "error": status})

    def handle(self, req: RecordedRequest) -> Reply:
        if req.path in self.AUTHORIZE_PATHS:
            return self._authorize(req)
        if req.path in ("/api/v1/access_token", "/api/v1/revoke_token"):
            if self._generic_agent(req):
                return self.error(req, 429)
            return self._token_endpoint(req)
        if self._is_oauth(req):
            reply = self._oauth(req)
        else:
            bucket = self._bucket()
            bucket.refresh(self.clock())
            if self._generic_agent(req) or bucket.remaining <= 0:
                reply = self.error(req, 429)
            else:
                bucket.remaining -= 1
                reply = self.route(req)
            reply.headers = _merge(self._rate_headers(bucket), reply.headers)
        if req.query.get("raw_json") != "1" and reply.body is not _EMPTY:
            reply.body = _reddit_legacy_escape(reply.body)
        return reply

    def _oauth(self, req: RecordedRequest) -> Reply:
        token = self._bearer(req)
        if token is None:
            reply = self.error(req, 401)
            reply.headers["WWW-Authenticate"] = 'Bearer realm="reddit", error="invalid_token"'
            return reply
        bucket = self._oauth_bucket(token["client_id"])
        bucket.refresh(self.clock())
        if self._generic_agent(req) or bucket.remaining <= 0:
            reply = self.error(req, 429)
        else:
            bucket.remaining -= 1
            reply = self._oauth_route(req, token)
        reply.headers = _merge(self._rate_headers(bucket), reply.headers)
        return reply

    def _oauth_route(self, req: RecordedRequest, token: dict[str, Any]) -> Reply:
        for method, pattern, name, scope in self._oauth_routes:
            match = pattern.fullmatch(req.path)
            if match and method == req.method:
                if scope not in token["scopes"] and "*" not in token["scopes"]:
                    reply = self.error(req, 403)
                    reply.headers["WWW-Authenticate"] = (
                        'Bearer realm="reddit", error="insufficient_scope"'
                    )
                    return reply
                self._caller = token
                try:
                    return getattr(self, name)(req, **match.groupdict())
                finally:
                    self._caller = None
        return self.error(req, 404)

    # -- the browser side of OAuth

    def _page(self, status: int, title: str, body: str = "") -> Reply:
        text = (
            f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
        )
        return Reply(
            status, raw=text.encode("utf-8"), headers={"Content-Type": "text/html; charset=UTF-8"}
        )

    @staticmethod
    def _with_params(uri: str, params: dict[str, str], fragment: bool = False) -> str:
        if fragment:
            return f"{uri}#{urlencode(params)}"
        return f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"

    def _redirect(self, location: str) -> Reply:
        return Reply(302, raw=b"", headers={"Location": location, "Content-Type": "text/html"})

    def _authorize(self, req: RecordedRequest) -> Reply:
        if req.method not in ("GET", "POST"):
            return self.error(req, 404)
        params = self._form(req) if req.method == "POST" else dict(req.query)
        app = self.apps.get(params.get("client_id", ""))
        if app is None:
            return self._page(400, "invalid client id")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or redirect_uri != app["redirect_uri"]:
            return self._page(400, "invalid redirect_uri parameter")
        default_type = "code" if req.method == "POST" else None
        response_type = params.get("response_type", default_type)
        if response_type not in ("code", "token"):
            return self._page(400, "invalid response_type parameter")
        scopes = self._parse_scopes(params.get("scope"))
        if scopes is None:
            return self._page(400, "invalid scope requested")
        duration = params.get("duration") or "temporary"
        if response_type == "token" and duration != "temporary":
            return self._page(400, "no refresh tokens with the implicit grant")
        state = params.get("state", "")
        bad = not state or duration not in ("temporary", "permanent")
        fragment = response_type == "token"
        if req.method == "GET":
            if bad:
                return self._page(400, "invalid request")
            hidden = "".join(
                f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                for k, v in params.items()
            )
            form = (
                f"<p>{html.escape(app['name'])} wants: {html.escape(' '.join(scopes))}</p>"
                f'<form method="post" action="/api/v1/authorize">{hidden}'
                '<button name="authorize" value="Allow">Allow</button>'
                "<button>Decline</button></form>"
            )
            return self._page(200, "Authorize application", form)
        cookies = dict(
            part.strip().split("=", 1)
            for part in req.headers.get("cookie", "").split(";")
            if "=" in part
        )
        username = cookies.get("reddit_session")
        if not username:
            return self._page(403, "you must be logged in")
        if bad or "authorize" not in params:
            error = "invalid_request" if bad else "access_denied"
            return self._redirect(
                self._with_params(redirect_uri, {"state": state, "error": error}, fragment)
            )
        user = self._user(username)["name"].lower()
        if response_type == "token":
            access = self._new_access(app["client_id"], user, scopes, None)
            answer = {**self._token_answer(access, None), "state": state}
            return self._redirect(self._with_params(redirect_uri, answer, fragment=True))
        code = secrets.token_urlsafe(22)
        self.codes[code] = {
            "client_id": app["client_id"],
            "redirect_uri": redirect_uri,
            "user": user,
            "scopes": scopes,
            "permanent": duration == "permanent",
            "expires_at": self.clock() + self.code_lifetime,
            "used": False,
        }
        return self._redirect(self._with_params(redirect_uri, {"state": state, "code": code}))

    # -- token endpoints (www.reddit.com, HTTP Basic)

    def _token_endpoint(self, req: RecordedRequest) -> Reply:
        if req.method != "POST":
            return self.error(req, 404)
        app = self._client(req)
        if app is None:
            reply = self.error(req, 401)
            reply.headers["WWW-Authenticate"] = 'Basic realm="reddit"'
            return reply
        form = self._form(req)
        if req.path.endswith("revoke_token"):
            return self._revoke(app, form)
        grant = form.get("grant_type", "")
        if grant == "authorization_code":
            code, redirect_uri = form.get("code", ""), form.get("redirect_uri", "")
            if not code or not redirect_uri:
                return Reply(200, {"error": "invalid_request"})
            found = self.codes.get(code)
            if (
                found is None
                or found["used"]
                or self.clock() >= found["expires_at"]
                or found["client_id"] != app["client_id"]
                or found["redirect_uri"] != redirect_uri
            ):
                return Reply(200, {"error": "invalid_grant"})
            found["used"] = True
            refresh = None
            if found["permanent"]:
                refresh = self._new_refresh(app["client_id"], found["user"], found["scopes"])
            access = self._new_access(app["client_id"], found["user"], found["scopes"], refresh)
            return Reply(200, self._token_answer(access, refresh))
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            stored = self.refresh_tokens.get(refresh)
            if stored is None or stored["revoked"] or stored["client_id"] != app["client_id"]:
                return Reply(400, {"error": "invalid_grant"})
            if self.rotate_refresh_tokens:
                self._revoke_refresh(refresh, access_tokens=False)
                refresh = self._new_refresh(app["client_id"], stored["user"], stored["scopes"])
            access = self._new_access(app["client_id"], stored["user"], stored["scopes"], refresh)
            return Reply(200, self._token_answer(access, refresh))
        if grant == "password":
            return Reply(
                200,
                {
                    "error": "unauthorized_client",
                    "error_description": "Only script apps may use password auth",
                },
            )
        if grant == "client_credentials" and app["secret"] is None:
            return Reply(
                200,
                {
                    "error": "unauthorized_client",
                    "error_description": "Only confidential clients may use "
                    "client_credentials auth",
                },
            )
        return Reply(200, {"error": "unsupported_grant_type"})

    def _revoke_refresh(self, refresh: str, access_tokens: bool = True) -> None:
        self.refresh_tokens[refresh]["revoked"] = True
        if access_tokens:
            for token in self.access_tokens.values():
                if token["refresh"] == refresh:
                    token["revoked"] = True

    def _revoke(self, app: dict[str, Any], form: dict[str, str]) -> Reply:
        token = form.get("token", "")
        stores = [("access", self.access_tokens), ("refresh", self.refresh_tokens)]
        if form.get("token_type_hint") == "refresh_token":
            stores.reverse()
        for kind, store in stores:
            if token in store:
                if store[token]["client_id"] != app["client_id"]:
                    return Reply(400, {"error": "unauthorized_client"})
                if kind == "refresh":
                    self._revoke_refresh(token)
                else:
                    store[token]["revoked"] = True
                break
        return Reply(204)

    # -- oauth.reddit.com resources

    def _caller_user(self) -> dict[str, Any]:
        assert self._caller is not None
        return self.users[self._caller["user"]]

    def _me(self, req: RecordedRequest) -> Reply:
        user = self._caller_user()
        prefs = self._prefs(user)
        data = {k: v for k, v in user.items() if not k.startswith("_")}
        for key in ("is_friend", "is_blocked", "has_subscribed"):
            data.pop(key, None)
        data.update(
            {
                "is_suspended": user["_suspended"],
                "suspension_expiration_utc": None,
                "over_18": prefs["over_18"],
                "has_mail": False,
                "has_mod_mail": False,
                "inbox_count": 0,
                "num_friends": 0,
                "coins": 0,
                "gold_creddits": 0,
                "password_set": True,
                "pref_nightmode": prefs["nightmode"],
                "pref_show_presence": prefs["show_presence"],
                "pref_show_twitter": False,
                "features": {},
            }
        )
        return Reply(200, data)

    @staticmethod
    def _bad_request(field: str, reason: str, explanation: str) -> Reply:
        return Reply(
            400,
            {
                "fields": [field],
                "explanation": explanation,
                "message": "Bad Request",
                "reason": reason,
            },
        )

    def _get_prefs(self, req: RecordedRequest) -> Reply:
        prefs = self._prefs(self._caller_user())
        fields = [f for f in req.query.get("fields", "").split(",") if f]
        unknown = [f for f in fields if f not in prefs]
        if unknown:
            return self._bad_request("fields", "NON_PREFERENCE", f"{unknown[0]} is not a pref")
        return Reply(200, {k: prefs[k] for k in fields} if fields else dict(prefs))

    def _patch_prefs(self, req: RecordedRequest) -> Reply:
        user = self._caller_user()
        prefs = self._prefs(user)
        try:
            body = json.loads(req.body or b"")
        except ValueError:
            return self._bad_request("json", "JSON_PARSE_ERROR", "unable to parse JSON data")
        if not isinstance(body, dict):
            return self._bad_request("json", "JSON_INVALID", "expected a JSON object")
        changes = {k: v for k, v in body.items() if k in prefs}
        for key, value in changes.items():
            old = prefs[key]
            same_type = (
                isinstance(value, bool) if isinstance(old, bool) else (type(value) is type(old))
            )
            if not same_type or value not in self.PREF_CHOICES.get(key, (value,)):
                return self._bad_request(key, "JSON_INVALID", f"invalid value for {key}")
        prefs.update(changes)
        self._mirror_prefs(user["name"])
        return Reply(200, dict(prefs))

    def _find_thing(self, fullname: str) -> tuple[str, dict[str, Any]] | None:
        for owner, items in self.items.items():
            for item in items:
                if item["name"] == fullname:
                    return owner, item
        return None

    def _del(self, req: RecordedRequest) -> Reply:
        assert self._caller is not None
        found = self._find_thing(self._form(req).get("id", ""))
        if found is None:
            return Reply(200, {})
        owner, item = found
        if owner != self._caller["user"]:
            return self.error(req, 403)
        if not item.get("_deleted"):
            item["_deleted"] = True
            item["author"] = "[deleted]"
            item.pop("author_fullname", None)
            if item["_kind"] == "t1":
                item["body"] = "[deleted]"
                item["body_html"] = _md_html("[deleted]")
            else:
                item["selftext"] = "[deleted]"
                item["selftext_html"] = None
        return Reply(200, {})

    def _edit(self, req: RecordedRequest) -> Reply:
        """``POST /api/editusertext`` (``thing_id``, ``text``): the author's comment or
        self-post gets the new text; answers the edited thing in Reddit's jquery-less
        ``{"json": {"errors": [], "data": {"things": [...]}}}`` shape."""
        assert self._caller is not None
        form = self._form(req)
        found = self._find_thing(form.get("thing_id", ""))
        if found is None:
            return Reply(200, {"json": {"errors": [["NO_THING_ID", "invalid id", "thing_id"]]}})
        owner, item = found
        if owner != self._caller["user"]:
            return self.error(req, 403)
        text = form.get("text", "")
        field = "body" if item["_kind"] == "t1" else "selftext"
        item[field] = text
        item[f"{field}_html"] = _md_html(text)
        data = {k: v for k, v in item.items() if not k.startswith("_")}
        return Reply(
            200,
            {"json": {"errors": [], "data": {"things": [{"kind": item["_kind"], "data": data}]}}},
        )

    def _info(self, req: RecordedRequest) -> Reply:
        wanted = [i.strip() for v in req.query_all.get("id", []) for i in v.split(",")]
        children = []
        for fullname in [i for i in wanted if i][:100]:
            found = self._find_thing(fullname)
            if found is not None:
                item = found[1]
                data = {k: v for k, v in item.items() if not k.startswith("_")}
                children.append({"kind": item["_kind"], "data": data})
        data = {
            "after": None,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
            "before": None,
        }
        return Reply(200, {"kind": "Listing", "data": data})

    def _about(self, req: RecordedRequest, name: str) -> Reply:
        user = self.users.get(name.lower())
        if user is None:
            return self.error(req, 404)
        if user["_suspended"]:
            return Reply(200, {"kind": "t2", "data": {"name": user["name"], "is_suspended": True}})
        data = {k: v for k, v in user.items() if not k.startswith("_")}
        return Reply(200, {"kind": "t2", "data": data})

    def _listing(self, req: RecordedRequest, name: str, which: str) -> Reply:
        user = self.users.get(name.lower())
        if user is None:
            return self.error(req, 404)
        if user["_suspended"]:
            return self.error(req, self.SUSPENDED_LISTING_STATUS)
        kinds = {"comments": ("t1",), "submitted": ("t3",), "overview": ("t1", "t3")}[which]
        rows = [
            i for i in self.items[name.lower()] if i["_kind"] in kinds and not i.get("_deleted")
        ]
        if req.query.get("sort") == "top":
            rows.sort(key=lambda i: (i["score"], i["created_utc"], i["_seq"]), reverse=True)
        else:
            rows.sort(key=lambda i: (i["created_utc"], i["_seq"]), reverse=True)
        rows = rows[: self.listing_cap]
        limit = _int(req.query.get("limit"), 25)
        limit = 25 if limit <= 0 else min(limit, 100)
        after = req.query.get("after") or None
        start = 0
        if after:
            names = [i["name"] for i in rows]
            start = names.index(after) + 1 if after in names else len(rows)
        chunk = rows[start : start + limit]
        next_after = chunk[-1]["name"] if chunk and start + limit < len(rows) else None
        mode = self._paging_mode(req)
        if mode == "repeat":
            next_after = after or next_after
        elif mode == "empty":
            next_after = next_after or after or f"{kinds[0]}_{_base36(99_999_999)}"
            chunk = []
        children = [
            {"kind": i["_kind"], "data": {k: v for k, v in i.items() if not k.startswith("_")}}
            for i in chunk
        ]
        data = {
            "after": next_after,
            "dist": len(children),
            "modhash": "",
            "geo_filter": "",
            "children": children,
            "before": children[0]["data"]["name"] if after and children else None,
        }
        return Reply(200, {"kind": "Listing", "data": data})


# --------------------------------------------------------------------------- Hacker News

_NUMERIC = re.compile(r"\s*([A-Za-z_]+)\s*(<=|>=|!=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*")


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _or_group(term: str) -> list[str]:
    if term.startswith("(") and term.endswith(")"):
        return [t.strip() for t in term[1:-1].split(",") if t.strip()]
    return [term]


class FakeHN(FakeApi):
    """Hacker News: Firebase under ``/v0`` and Algolia HN Search under ``/api/v1``.

    Seeding::

        add_user(id, created=None, karma=1, about=None, **extra) -> dict
        add_item(id, type="comment", by=None, time=None, text=None, title=None, url=None,
                 parent=None, deleted=False, dead=False, score=None, indexed=True,
                 **extra) -> dict

    A user's ``submitted`` is every item with that ``by``, newest (highest id) first, so
    ``add_item`` updates it.  ``kids`` and ``descendants`` are derived from ``parent``.
    Deleted, dead and ``indexed=False`` (index lag) items are not in Algolia.  ``time``
    defaults to later than every earlier item.

    Firebase: ``GET /v0/user/{id}.json`` (case-sensitive) and ``GET /v0/item/{id}.json``
    answer the object, or 200 ``null`` when unknown; null fields are left out; a deleted item
    keeps only ``id, type, time, parent, kids, deleted``.  ``/v0/maxitem.json`` too.

    Algolia: ``GET /api/v1/search_by_date`` (newest first) and ``/api/v1/search`` (points
    first) with ``tags`` (comma = AND, ``(a,b)`` = OR; tags ``story|comment|poll|job,
    author_{by}, story_{root id}``), ``numericFilters`` (``created_at_i<N`` etc., comma =
    AND), ``query`` (substring), ``hitsPerPage`` (default 20, max 1000), ``page`` (from 0).
    Only the first ``algolia_cap`` (1000) hits of a query are reachable: ``nbHits`` is the
    true count, ``nbPages`` is capped, pages past it are empty.  Every hit carries all of
    ``objectID, created_at, created_at_i, author, comment_text, story_id, story_title,
    story_url, parent_id, points, title, url, story_text, num_comments, _tags`` (null where
    it does not apply).  Errors are ``{"message", "status"}``.

    Paging faults (Algolia): ``repeat_cursor`` ignores ``page`` and ``numericFilters`` and
    serves the first page again (``nbPages`` still > ``page``); ``empty_pages`` serves no
    hits with ``nbPages = page + 2``.
    """

    ROUTES: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/v0/user/(?P<uid>[^/]+)\.json", "_fb_user"),
        ("GET", r"/v0/item/(?P<iid>[^/]+)\.json", "_fb_item"),
        ("GET", r"/v0/maxitem\.json", "_fb_maxitem"),
        ("GET", r"/api/v1/search_by_date", "_search_by_date"),
        ("GET", r"/api/v1/search", "_search"),
    ]

    def __init__(self, *, algolia_cap: int = 1000) -> None:
        super().__init__()
        self.algolia_cap = algolia_cap
        self.users: dict[str, dict[str, Any]] = {}
        self.items: dict[int, dict[str, Any]] = {}
        self._children: dict[int, list[int]] = {}  # parent id -> kid ids, oldest first

    def add_user(
        self,
        id: str,
        created: int | None = None,
        karma: int = 1,
        about: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        with self.lock:
            record = {"id": id, "created": created or 1_400_000_000, "karma": karma, "about": about}
            record.update(extra)
            self.users[id] = record
            return record

    def add_item(
        self,
        id: int,
        type: str = "comment",
        by: str | None = None,
        time: int | None = None,
        text: str | None = None,
        title: str | None = None,
        url: str | None = None,
        parent: int | None = None,
        deleted: bool = False,
        dead: bool = False,
        score: int | None = None,
        indexed: bool = True,
        **extra: Any,
    ) -> dict[str, Any]:
        with self.lock:
            if by is not None and by not in self.users:
                self.add_user(by)
            seq = self._next_seq()
            if score is None and type in ("story", "poll", "job"):
                score = 1
            record = {
                "id": id,
                "type": type,
                "by": by,
                "time": time if time is not None else 1_700_000_000 + seq * 60,
                "text": text,
                "title": title,
                "url": url,
                "parent": parent,
                "score": score,
                "deleted": deleted,
                "dead": dead,
                "_indexed": indexed,
                "_seq": seq,
            }
            record.update(extra)
            old = self.items.get(id)
            if old is not None and old["parent"] in self._children:
                self._children[old["parent"]].remove(id)
            self.items[id] = record
            if parent is not None:
                self._children.setdefault(parent, []).append(id)
            return record

    # -- helpers

    def error(self, req: RecordedRequest, status: int, message: str | None = None) -> Reply:
        if req.path.startswith("/v0"):
            return Reply(status, {"error": message or _phrase(status)})
        return Reply(status, {"message": message or _phrase(status), "status": status})

    def _kids(self, iid: int) -> list[int]:
        return [k for k in self._children.get(iid, []) if k in self.items]

    def _descendants(self, iid: int) -> int:
        return sum(
            (0 if self.items[k]["deleted"] else 1) + self._descendants(k) for k in self._kids(iid)
        )

    def _root(self, item: dict[str, Any]) -> dict[str, Any]:
        seen = set()
        while item["parent"] in self.items and item["id"] not in seen:
            seen.add(item["id"])
            item = self.items[item["parent"]]
        return item

    # -- Firebase

    def _fb_user(self, req: RecordedRequest, uid: str) -> Reply:
        user = self.users.get(uid)
        if user is None:
            return Reply(200, None)
        submitted = sorted((i["id"] for i in self.items.values() if i["by"] == uid), reverse=True)
        out = {k: v for k, v in user.items() if v is not None}
        if submitted:
            out["submitted"] = submitted
        return Reply(200, out)

    def _fb_item(self, req: RecordedRequest, iid: str) -> Reply:
        item = self.items.get(int(iid)) if iid.isdigit() else None
        if item is None:
            return Reply(200, None)
        kids = self._kids(item["id"])
        if item["deleted"]:
            keep = ("id", "type", "time", "parent")
            out = {k: item[k] for k in keep if item[k] is not None}
            out["deleted"] = True
        else:
            out = {k: v for k, v in item.items() if not k.startswith("_") and v is not None}
            if not item["deleted"]:
                del out["deleted"]
            if not item["dead"]:
                del out["dead"]
            if item["type"] in ("story", "poll"):
                out["descendants"] = self._descendants(item["id"])
        if kids:
            out["kids"] = kids
        return Reply(200, out)

    def _fb_maxitem(self, req: RecordedRequest) -> Reply:
        return Reply(200, max(self.items, default=0))

    # -- Algolia

    def _hit(self, item: dict[str, Any]) -> dict[str, Any]:
        root = self._root(item)
        is_comment = item["type"] == "comment"
        tags = [item["type"], f"author_{item['by']}", f"story_{root['id']}"]
        title = item["title"] or ""
        if item["type"] == "story" and title.startswith("Ask HN"):
            tags.append("ask_hn")
        if item["type"] == "story" and title.startswith("Show HN"):
            tags.append("show_hn")
        return {
            "objectID": str(item["id"]),
            "created_at": _iso(item["time"]),
            "created_at_i": item["time"],
            "updated_at": _iso(item["time"]),
            "author": item["by"],
            "comment_text": item["text"] if is_comment else None,
            "story_id": root["id"],
            "story_title": root["title"] if is_comment else None,
            "story_url": root["url"] if is_comment else None,
            "parent_id": item["parent"] if is_comment else None,
            "points": None if is_comment else item["score"],
            "title": None if is_comment else item["title"],
            "url": None if is_comment else item["url"],
            "story_text": None if is_comment else item["text"],
            "num_comments": None if is_comment else self._descendants(item["id"]),
            "_tags": tags,
        }

    def _search_by_date(self, req: RecordedRequest) -> Reply:
        return self._algolia(req, by_date=True)

    def _search(self, req: RecordedRequest) -> Reply:
        return self._algolia(req, by_date=False)

    def _algolia(self, req: RecordedRequest, by_date: bool) -> Reply:
        mode = self._paging_mode(req)
        hits_per_page = min(max(_int(req.query.get("hitsPerPage"), 20), 1), 1000)
        page = max(_int(req.query.get("page"), 0), 0)
        tag_terms = [_or_group(t) for t in _split_top(req.query.get("tags", ""))]
        numeric: list[list[tuple[str, str, float]]] = []
        if mode != "repeat":
            for term in _split_top(req.query.get("numericFilters", "")):
                group = []
                for cond in _or_group(term):
                    match = _NUMERIC.fullmatch(cond)
                    if match is None:
                        return self.error(req, 400, f"Invalid syntax for numeric condition: {cond}")
                    group.append((match.group(1), match.group(2), float(match.group(3))))
                numeric.append(group)
        text = req.query.get("query", "").lower()
        hits = []
        for item in self.items.values():
            if item["deleted"] or item["dead"] or not item["_indexed"] or item["by"] is None:
                continue
            hit = self._hit(item)
            if not all(any(t in hit["_tags"] for t in group) for group in tag_terms):
                continue
            if not all(any(_compare(hit.get(f), op, v) for f, op, v in group) for group in numeric):
                continue
            if text and not any(
                text in (hit[k] or "").lower()
                for k in ("title", "comment_text", "story_text", "url")
            ):
                continue
            hits.append(hit)
        if by_date:
            hits.sort(key=lambda h: (h["created_at_i"], int(h["objectID"])), reverse=True)
        else:
            hits.sort(key=lambda h: (h["points"] or 0, h["created_at_i"]), reverse=True)
        reachable = hits[: self.algolia_cap]
        nb_pages = min(
            math.ceil(len(hits) / hits_per_page), math.ceil(self.algolia_cap / hits_per_page)
        )
        served_page = 0 if mode == "repeat" else page
        chunk = reachable[served_page * hits_per_page : (served_page + 1) * hits_per_page]
        if mode == "repeat":
            nb_pages = max(nb_pages, page + 2)
        elif mode == "empty":
            chunk, nb_pages = [], page + 2
        params = urlencode(req.query)
        return Reply(
            200,
            {
                "hits": chunk,
                "nbHits": len(hits),
                "page": page,
                "nbPages": nb_pages,
                "hitsPerPage": hits_per_page,
                "exhaustiveNbHits": True,
                "exhaustiveTypo": True,
                "query": req.query.get("query", ""),
                "params": params,
                "processingTimeMS": 1,
            },
        )


def _compare(left: Any, op: str, right: float) -> bool:
    if not isinstance(left, int | float):
        return False
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
        "=": left == right,
        "!=": left != right,
    }[op]


# --------------------------------------------------------------------------- Stack Exchange

_SE_ERRORS = {
    400: "bad_parameter",
    401: "access_token_required",
    402: "invalid_access_token",
    403: "access_denied",
    404: "no_method",
    405: "key_required",
    406: "access_token_compromised",
    407: "write_failed",
    409: "duplicate_request",
    500: "internal_error",
    502: "throttle_violation",
    503: "temporarily_unavailable",
}
_SE_SITES = {
    "stackoverflow": ("Stack Overflow", "https://stackoverflow.com"),
    "superuser": ("Super User", "https://superuser.com"),
    "serverfault": ("Server Fault", "https://serverfault.com"),
    "askubuntu": ("Ask Ubuntu", "https://askubuntu.com"),
    "math": ("Mathematics", "https://math.stackexchange.com"),
    "unix": ("Unix &amp; Linux", "https://unix.stackexchange.com"),
}


@dataclass
class _Backoff:
    prefix: str
    seconds: float
    times: int | None
    until: float = 0.0


class FakeStackExchange(FakeApi):
    """Stack Exchange API 2.3 under ``server.url + "/2.3"``; every answer is gzip-compressed.

    Seeding::

        add_site(api_site_parameter, name=None, site_url=None) -> None
        add_user(site, user_id, account_id=None, display_name=None, location=None,
                 website_url=None, about_me=None, link=None, reputation=1,
                 creation_date=None, **extra) -> dict
        add_post(site, user_id, post_id, post_type="question", title=None, body="",
                 creation_date=None, score=0, link=None, **extra) -> dict
        add_comment(site, user_id, comment_id, post_id, body="", creation_date=None,
                    score=0, link=None, **extra) -> dict
        backoff(method_prefix, seconds, times=1)
        set_quota(remaining, key=False)

    Sites known from the start: stackoverflow, superuser, serverfault, askubuntu, math,
    unix; ``site=`` also takes the domain (``stackoverflow.com``).  ``add_user`` etc. add an
    unknown site as ``https://{site}.stackexchange.com``.  Dates are epoch seconds.

    Endpoints: ``/2.3/users/{ids}?site=``, ``/2.3/users?inname=&site=`` (case-insensitive
    substring, reputation first), ``/2.3/users/{ids}/posts`` and ``/comments`` (``sort=
    creation|activity|votes``, ``order``), ``/2.3/users/{account_ids}/associated`` (no
    ``site``), ``/2.3/sites``.  ``{ids}`` is ``;``-separated.  ``page`` from 1, ``pagesize``
    default 30, max 100.  ``body`` (posts, comments) and ``about_me`` (users) only with
    ``filter=withbody``.  Envelope ``items, has_more, quota_max, quota_remaining``
    (+ ``backoff``); quota 300 a day, 10000 with ``key=``.  Errors: HTTP 400 (404 for an
    unknown method) with ``{"error_id","error_name","error_message"}``; unknown or missing
    site: 400 ``bad_parameter``; quota used up or a backoff ignored: 400 with ``error_id``
    502 ``throttle_violation``.

    ``backoff(prefix, seconds)`` adds ``"backoff": seconds`` to the next ``times`` matching
    answers; a matching request within ``seconds`` of one is refused as a throttle
    violation.  A prefix without ``/2.3`` gets it prepended.

    Paging faults: ``repeat_cursor`` ignores ``page`` (always the first page) and answers
    ``has_more: true``; ``empty_pages`` answers no items with ``has_more: true``.
    """

    ROUTES: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/2\.3/users", "_search_users"),
        ("GET", r"/2\.3/users/(?P<ids>[^/]+)", "_users"),
        ("GET", r"/2\.3/users/(?P<ids>[^/]+)/posts", "_posts"),
        ("GET", r"/2\.3/users/(?P<ids>[^/]+)/comments", "_comments"),
        ("GET", r"/2\.3/users/(?P<ids>[^/]+)/associated", "_associated"),
        ("GET", r"/2\.3/sites", "_sites"),
    ]

    def __init__(self, *, quota_max: int = 300, keyed_quota_max: int = 10_000) -> None:
        super().__init__()
        self.quota_max = quota_max
        self.keyed_quota_max = keyed_quota_max
        self.quota_remaining = quota_max
        self.keyed_quota_remaining = keyed_quota_max
        self.sites: dict[str, tuple[str, str]] = dict(_SE_SITES)
        self.users: dict[tuple[str, int], dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self._backoffs: list[_Backoff] = []

    # -- seeding

    def add_site(
        self, api_site_parameter: str, name: str | None = None, site_url: str | None = None
    ) -> None:
        with self.lock:
            self.sites[api_site_parameter] = (
                name or api_site_parameter.title(),
                site_url or f"https://{api_site_parameter}.stackexchange.com",
            )

    def add_user(
        self,
        site: str,
        user_id: int,
        account_id: int | None = None,
        display_name: str | None = None,
        location: str | None = None,
        website_url: str | None = None,
        about_me: str | None = None,
        link: str | None = None,
        reputation: int = 1,
        creation_date: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        with self.lock:
            if site not in self.sites:
                self.add_site(site)
            display_name = display_name or f"user{user_id}"
            slug = re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-")
            record = {
                "badge_counts": {"bronze": 0, "silver": 0, "gold": 0},
                "account_id": account_id if account_id is not None else 1_000_000 + user_id,
                "is_employee": False,
                "last_access_date": 1_700_000_000,
                "reputation_change_year": 0,
                "reputation_change_quarter": 0,
                "reputation_change_month": 0,
                "reputation_change_week": 0,
                "reputation_change_day": 0,
                "reputation": reputation,
                "creation_date": creation_date or 1_300_000_000,
                "user_type": "registered",
                "user_id": user_id,
                "location": location,
                "website_url": website_url,
                "about_me": about_me,
                "link": link or f"{self.sites[site][1]}/users/{user_id}/{slug}",
                "profile_image": f"https://i.sstatic.net/avatar{user_id}.png",
                "display_name": display_name,
            }
            record.update(extra)
            self.users[(site, user_id)] = record
            return record

    def _user(self, site: str, user_id: int) -> dict[str, Any]:
        return self.users.get((site, user_id)) or self.add_user(site, user_id)

    def add_post(
        self,
        site: str,
        user_id: int,
        post_id: int,
        post_type: str = "question",
        title: str | None = None,
        body: str = "",
        creation_date: int | None = None,
        score: int = 0,
        link: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        with self.lock:
            self._user(site, user_id)
            seq = self._next_seq()
            created = creation_date if creation_date is not None else 1_600_000_000 + seq * 60
            prefix = "q" if post_type == "question" else "a"
            record = {
                "_site": site,
                "_user": user_id,
                "_seq": seq,
                "score": score,
                "last_activity_date": created,
                "creation_date": created,
                "post_type": post_type,
                "post_id": post_id,
                "content_license": "CC BY-SA 4.0",
                "link": link or f"{self.sites[site][1]}/{prefix}/{post_id}",
                "title": title,
                "body": body,
            }
            record.update(extra)
            self.posts.append(record)
            return record

    def add_comment(
        self,
        site: str,
        user_id: int,
        comment_id: int,
        post_id: int,
        body: str = "",
        creation_date: int | None = None,
        score: int = 0,
        link: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        with self.lock:
            self._user(site, user_id)
            seq = self._next_seq()
            created = creation_date if creation_date is not None else 1_600_000_000 + seq * 60
            record = {
                "_site": site,
                "_user": user_id,
                "_seq": seq,
                "edited": False,
                "score": score,
                "creation_date": created,
                "post_id": post_id,
                "comment_id": comment_id,
                "content_license": "CC BY-SA 4.0",
                "link": link
                or f"{self.sites[site][1]}/posts/{post_id}#comment{comment_id}_{post_id}",
                "body": body,
            }
            record.update(extra)
            self.comments.append(record)
            return record

    def backoff(self, method_prefix: str, seconds: float, times: int | None = 1) -> None:
        if not method_prefix.startswith("/2.3"):
            method_prefix = "/2.3" + method_prefix
        with self.lock:
            self._backoffs.append(_Backoff(method_prefix, seconds, times))

    def set_quota(self, remaining: int, key: bool = False) -> None:
        with self.lock:
            if key:
                self.keyed_quota_remaining = remaining
            else:
                self.quota_remaining = remaining

    # -- helpers

    def error(self, req: RecordedRequest, status: int, message: str | None = None) -> Reply:
        error_id = 502 if status == 429 else status
        name = _SE_ERRORS.get(error_id, "internal_error")
        return Reply(
            status,
            {
                "error_id": error_id,
                "error_name": name,
                "error_message": message or name.replace("_", " "),
            },
        )

    def _se_error(self, error_id: int, message: str) -> Reply:
        status = 404 if error_id == 404 else 400
        return Reply(
            status,
            {"error_id": error_id, "error_name": _SE_ERRORS[error_id], "error_message": message},
        )

    def finalize(
        self, req: RecordedRequest, status: int, data: bytes, headers: dict[str, str]
    ) -> bytes:
        if status in (204, 304):
            return data
        headers["Content-Encoding"] = "gzip"
        return gzip.compress(data)

    def _site(self, req: RecordedRequest) -> str | Reply:
        site = req.query.get("site")
        if not site:
            return self._se_error(400, "site is required")
        for key, (_, url) in self.sites.items():
            if site in (key, urlsplit(url).netloc):
                return key
        return self._se_error(400, f"No site found for name `{site}`")

    @staticmethod
    def _ids(ids: str) -> list[int] | None:
        try:
            out = [int(i) for i in ids.split(";") if i]
        except ValueError:
            return None
        return out if 0 < len(out) <= 100 else None

    def _shallow(self, site: str, user_id: int) -> dict[str, Any]:
        u = self.users[(site, user_id)]
        keys = (
            "account_id",
            "reputation",
            "user_id",
            "user_type",
            "profile_image",
            "display_name",
            "link",
        )
        return {k: u[k] for k in keys}

    def _withbody(self, req: RecordedRequest) -> bool:
        return req.query.get("filter") == "withbody"

    def _sorted(
        self, req: RecordedRequest, rows: list[dict[str, Any]], default: str
    ) -> list[dict[str, Any]]:
        sort = req.query.get("sort", default)
        key = {
            "votes": "score",
            "reputation": "reputation",
            "creation": "creation_date",
            "name": "display_name",
        }.get(sort, "last_activity_date" if sort == "activity" else "creation_date")
        if key == "display_name":
            return sorted(
                rows, key=lambda r: r[key].lower(), reverse=req.query.get("order") != "asc"
            )
        return sorted(
            rows,
            key=lambda r: (r.get(key) or 0, r.get("_seq", 0)),
            reverse=req.query.get("order", "desc") != "asc",
        )

    def _envelope(self, req: RecordedRequest, items: list[dict[str, Any]]) -> Reply:
        page = _int(req.query.get("page"), 1)
        pagesize = _int(req.query.get("pagesize"), 30)
        if page < 1:
            return self._se_error(400, "page")
        if not 0 <= pagesize <= 100:
            return self._se_error(400, "pagesize")
        mode = self._paging_mode(req)
        if mode == "repeat":
            page = 1
        start = (page - 1) * pagesize
        chunk = items[start : start + pagesize]
        has_more = start + pagesize < len(items)
        if mode is not None:
            has_more = True
        if mode == "empty":
            chunk = []
        clean = [
            {k: v for k, v in i.items() if not k.startswith("_") and v is not None} for i in chunk
        ]
        return Reply(200, {"items": clean, "has_more": has_more})

    # -- dispatch

    def handle(self, req: RecordedRequest) -> Reply:
        now = self.clock()
        keyed = bool(req.query.get("key"))
        remaining = self.keyed_quota_remaining if keyed else self.quota_remaining
        if remaining <= 0:
            return self._se_error(
                502, "too many requests from this IP, more requests available in 86400 seconds"
            )
        for rule in self._backoffs:
            if req.path.startswith(rule.prefix) and now < rule.until:
                return self._se_error(502, "Violation of backoff parameter")
        remaining -= 1
        if keyed:
            self.keyed_quota_remaining = remaining
        else:
            self.quota_remaining = remaining
        reply = self.route(req)
        if reply.status == 200 and isinstance(reply.body, dict) and "items" in reply.body:
            reply.body["quota_max"] = self.keyed_quota_max if keyed else self.quota_max
            reply.body["quota_remaining"] = remaining
            for rule in list(self._backoffs):
                if req.path.startswith(rule.prefix) and rule.times != 0:
                    reply.body["backoff"] = rule.seconds
                    rule.until = now + rule.seconds
                    if rule.times is not None:
                        rule.times -= 1
                    break
        return reply

    def route(self, req: RecordedRequest) -> Reply:
        for method, pattern, name in self._routes:
            match = pattern.fullmatch(req.path)
            if match and method == req.method:
                return getattr(self, name)(req, **match.groupdict())
        return self._se_error(404, "no method found with this name")

    # -- endpoints

    def _site_users(self, req: RecordedRequest, site: str, rows: list[dict[str, Any]]) -> Reply:
        withbody = self._withbody(req)
        out = []
        for u in rows:
            item = dict(u)
            if not withbody:
                item.pop("about_me", None)
            out.append(item)
        return self._envelope(req, self._sorted(req, out, "reputation"))

    def _users(self, req: RecordedRequest, ids: str) -> Reply:
        site = self._site(req)
        if isinstance(site, Reply):
            return site
        wanted = self._ids(ids)
        if wanted is None:
            return self._se_error(400, "ids")
        rows = [u for (s, uid), u in self.users.items() if s == site and uid in wanted]
        return self._site_users(req, site, rows)

    def _search_users(self, req: RecordedRequest) -> Reply:
        site = self._site(req)
        if isinstance(site, Reply):
            return site
        name = req.query.get("inname", "").lower()
        rows = [
            u for (s, _), u in self.users.items() if s == site and name in u["display_name"].lower()
        ]
        return self._site_users(req, site, rows)

    def _owned(self, req: RecordedRequest, ids: str, rows: list[dict[str, Any]]) -> Reply:
        site = self._site(req)
        if isinstance(site, Reply):
            return site
        wanted = self._ids(ids)
        if wanted is None:
            return self._se_error(400, "ids")
        withbody = self._withbody(req)
        out = []
        for r in rows:
            if r["_site"] == site and r["_user"] in wanted:
                item = {"owner": self._shallow(site, r["_user"]), **r}
                if not withbody:
                    item.pop("body", None)
                out.append(item)
        return self._envelope(req, self._sorted(req, out, "creation"))

    def _posts(self, req: RecordedRequest, ids: str) -> Reply:
        return self._owned(req, ids, self.posts)

    def _comments(self, req: RecordedRequest, ids: str) -> Reply:
        return self._owned(req, ids, self.comments)

    def _associated(self, req: RecordedRequest, ids: str) -> Reply:
        wanted = self._ids(ids)
        if wanted is None:
            return self._se_error(400, "ids")
        out = []
        for (site, uid), u in self.users.items():
            if u["account_id"] in wanted:
                name, url = self.sites[site]
                out.append(
                    {
                        "badge_counts": u["badge_counts"],
                        "question_count": sum(
                            1
                            for p in self.posts
                            if (p["_site"], p["_user"]) == (site, uid)
                            and p["post_type"] == "question"
                        ),
                        "answer_count": sum(
                            1
                            for p in self.posts
                            if (p["_site"], p["_user"]) == (site, uid)
                            and p["post_type"] == "answer"
                        ),
                        "last_access_date": u["last_access_date"],
                        "creation_date": u["creation_date"],
                        "account_id": u["account_id"],
                        "reputation": u["reputation"],
                        "user_id": uid,
                        "site_url": url,
                        "site_name": name,
                    }
                )
        return self._envelope(req, out)

    def _sites(self, req: RecordedRequest) -> Reply:
        rows = [
            {"api_site_parameter": key, "name": name, "site_url": url, "site_type": "main_site"}
            for key, (name, url) in self.sites.items()
        ]
        return self._envelope(req, rows)


# --------------------------------------------------------------------------- Gravatar

_GRAVATAR_PUBLIC = {
    "hash": "",
    "display_name": "",
    "profile_url": "",
    "avatar_url": "",
    "avatar_alt_text": "",
    "location": "",
    "description": "",
    "job_title": "",
    "company": "",
    "verified_accounts": [],
    "pronunciation": "",
    "pronouns": "",
    "header_image": "",
    "hide_default_header_image": False,
    "background_color": "",
}
_GRAVATAR_KEY_ONLY = {
    "timezone": "",
    "languages": [],
    "first_name": "",
    "last_name": "",
    "is_organization": False,
    "links": [],
    "interests": [],
    "payments": {"links": [], "crypto_wallets": []},
    "contact_info": {},
    "gallery": [],
    "number_verified_accounts": 0,
    "last_profile_edit": "2024-01-01T00:00:00Z",
    "registration_date": "2015-01-01T00:00:00Z",
}


class FakeGravatar(FakeApi):
    """Gravatar REST API v3 under ``server.url + "/v3"``.

    Seeding::

        FakeGravatar.hash_email(email) -> str     # sha256(email.strip().lower())
        add_profile(email, **fields) -> str       # returns the hash
        add_key(key) -> None
        set_rate_limit(remaining, reset_in=None, key=None)

    ``GET /v3/profiles/{sha256 or profile slug}`` answers the profile or 404.  Public fields
    (always present, ``""``/``[]`` when unset): ``hash, display_name, profile_url,
    avatar_url, avatar_alt_text, location, description, job_title, company,
    verified_accounts`` (at most 4 without a key; items ``service_type, service_label,
    service_icon, url, is_hidden``), ``pronunciation, pronouns, header_image,
    hide_default_header_image, background_color``.  Only with ``Authorization: Bearer {key}``
    of an added key: ``timezone, languages, first_name, last_name, is_organization, links,
    interests, payments, contact_info, gallery, number_verified_accounts,
    last_profile_edit, registration_date`` (override the set with ``key_only_fields``).  An
    unknown key is 401.  Errors are ``{"error": ..., "code": ...}``.

    Rate limit per hour: ``rate_limit`` (100) anonymous, ``keyed_rate_limit`` (1000) per key,
    then 429; ``X-RateLimit-Limit/Remaining/Reset`` (Reset in epoch seconds) on every answer.
    """

    ROUTES: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/v3/profiles/(?P<ident>[^/]+)", "_profile"),
    ]

    def __init__(
        self,
        *,
        rate_limit: int = 100,
        keyed_rate_limit: int = 1000,
        window: float = 3600.0,
        key_only_fields: Iterable[str] | None = None,
    ) -> None:
        super().__init__()
        self.rate_limit = rate_limit
        self.keyed_rate_limit = keyed_rate_limit
        self.window = window
        self.key_only_fields = frozenset(key_only_fields or _GRAVATAR_KEY_ONLY)
        self.profiles: dict[str, dict[str, Any]] = {}
        self.keys: set[str] = set()
        self._buckets: dict[str, _Bucket] = {}
        self._key: str | None = None  # the key of the request being answered

    @staticmethod
    def hash_email(email: str) -> str:
        return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()

    def add_profile(self, email: str, **fields: Any) -> str:
        digest = self.hash_email(email)
        slug = re.sub(r"[^a-z0-9]+", "", email.split("@")[0].lower()) or "someone"
        record = {
            **_GRAVATAR_PUBLIC,
            **_GRAVATAR_KEY_ONLY,
            "hash": digest,
            "profile_url": f"https://gravatar.com/{slug}",
            "avatar_url": f"https://0.gravatar.com/avatar/{digest}",
            **fields,
        }
        record["verified_accounts"] = [
            {
                "service_type": "",
                "service_label": "",
                "service_icon": "",
                "url": "",
                "is_hidden": False,
                **a,
            }
            for a in record["verified_accounts"]
        ]
        if "number_verified_accounts" not in fields:
            record["number_verified_accounts"] = len(record["verified_accounts"])
        with self.lock:
            self.profiles[digest] = record
        return digest

    def add_key(self, key: str) -> None:
        with self.lock:
            self.keys.add(key)

    def set_rate_limit(
        self, remaining: int, reset_in: float | None = None, key: str | None = None
    ) -> None:
        with self.lock:
            bucket = self._bucket(key)
            bucket.remaining = remaining
            if reset_in is not None:
                bucket.reset_at = self.clock() + reset_in

    def _bucket(self, key: str | None) -> _Bucket:
        bucket = self._buckets.get(key or "")
        if bucket is None:
            limit = self.keyed_rate_limit if key else self.rate_limit
            bucket = _Bucket(limit, self.window, limit, self.clock() + self.window)
            self._buckets[key or ""] = bucket
        return bucket

    def error(self, req: RecordedRequest, status: int, message: str | None = None) -> Reply:
        code = {404: "not_found", 401: "unauthorized", 429: "rate_limit_exceeded"}.get(
            status, _phrase(status).lower().replace(" ", "_")
        )
        return Reply(status, {"error": message or _phrase(status), "code": code})

    def handle(self, req: RecordedRequest) -> Reply:
        auth = req.headers.get("authorization", "")
        key: str | None = None
        if auth:
            scheme, _, value = auth.strip().partition(" ")
            if scheme.lower() != "bearer" or value.strip() not in self.keys:
                return self.error(req, 401, "Invalid API key")
            key = value.strip()
        bucket = self._bucket(key)
        bucket.refresh(self.clock())
        if bucket.remaining <= 0:
            reply = self.error(req, 429, "Rate limit exceeded")
        else:
            bucket.remaining -= 1
            self._key = key
            reply = self.route(req)
        reply.headers = _merge(
            {
                "X-RateLimit-Limit": str(bucket.limit),
                "X-RateLimit-Remaining": str(bucket.remaining),
                "X-RateLimit-Reset": str(math.ceil(bucket.reset_at)),
            },
            reply.headers,
        )
        return reply

    def _profile(self, req: RecordedRequest, ident: str) -> Reply:
        profile = self.profiles.get(ident.lower()) or next(
            (
                p
                for p in self.profiles.values()
                if p["profile_url"].rstrip("/").rsplit("/", 1)[-1] == ident
            ),
            None,
        )
        if profile is None:
            return self.error(req, 404, "Profile not found")
        if self._key is not None:
            return Reply(200, dict(profile))
        out = {k: v for k, v in profile.items() if k not in self.key_only_fields}
        out["verified_accounts"] = [a for a in out["verified_accounts"] if not a["is_hidden"]][:4]
        return Reply(200, out)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server


@pytest.fixture
def fake_reddit() -> Iterator[FakeReddit]:
    with FakeReddit() as server:
        yield server


@pytest.fixture
def fake_hn() -> Iterator[FakeHN]:
    with FakeHN() as server:
        yield server


@pytest.fixture
def fake_stackexchange() -> Iterator[FakeStackExchange]:
    with FakeStackExchange() as server:
        yield server


@pytest.fixture
def fake_gravatar() -> Iterator[FakeGravatar]:
    with FakeGravatar() as server:
        yield server
