"""Mastodon (any server): profile, privacy settings and every post; delete and change.

Without signing in footprint reads what the public sees: the account (``lookup``) and its
public and unlisted posts.  Signed in (OAuth, see :class:`MastodonLogin`), it also reads
followers-only posts and the settings only the owner sees (``verify_credentials``: the
default post visibility, sensitive media...), and can delete posts and change settings.

Paging follows the ``Link: rel="next"`` header exactly as the server gives it, but only to
the same server.  Ids are opaque strings.  Rate limits: the ``X-RateLimit-*`` headers
(``Reset`` is an ISO timestamp) are obeyed by :class:`~footprint.connectors.http.Api`;
deletions are limited to 30 per 30 minutes by the server, which the cleanup queue paces.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets as random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode, urlsplit

from footprint.archives.text import from_text, html_to_text
from footprint.connectors.base import (
    Capabilities,
    Connector,
    Identity,
    Page,
    field_item,
    setting_item,
    stable,
)
from footprint.connectors.errors import (
    AccountNotFound,
    ConnectorError,
    NotThatPlatform,
    PermissionMissing,
)
from footprint.errors import FootprintError, InputError
from footprint.store import Item

if TYPE_CHECKING:
    from footprint.connectors.http import Api

OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = "read:accounts read:statuses write:accounts write:statuses"
PAGE = 40
# The server allows 30 deletions (and unboosts) per 30 minutes per account.
DELETE_LIMIT = (30, 30 * 60.0)
VISIBILITY = {
    "private": "followers",
    "direct": "direct",
    "unlisted": "unlisted",
    "public": "public",
}
# Settings footprint reads, with the label people see on the settings pages.
SETTINGS = (
    ("locked", "Require follow requests"),
    ("discoverable", "Suggest account to others"),
    ("indexable", "Include public posts in search results"),
    ("noindex", "Opt out of search engine indexing"),
    ("hide_collections", "Hide your follows and followers"),
)
SOURCE_SETTINGS = (
    ("privacy", "Default posting visibility"),
    ("sensitive", "Always mark media as sensitive"),
)
# Counters and the viewer's own flags change between reads; the author is kept by id.
VOLATILE = frozenset(
    {
        "replies_count",
        "reblogs_count",
        "favourites_count",
        "quotes_count",
        "favourited",
        "reblogged",
        "muted",
        "bookmarked",
        "pinned",
        "filtered",
    }
)
WRITABLE = frozenset(
    {
        "locked",
        "discoverable",
        "indexable",
        "hide_collections",
        "source.privacy",
        "source.sensitive",
    }
)


def instance_url(value: str) -> str:
    """``mastodon.social``, ``https://mastodon.social/`` -> ``https://mastodon.social``."""
    text = value.strip().rstrip("/")
    if not text:
        raise InputError("Give the address of your Mastodon server, e.g. mastodon.social.")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{value!r} is not a server address.")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def split_handle(who: str) -> tuple[str, str | None]:
    """``@me@example.social`` -> ("me", "example.social"); ``me`` -> ("me", None)."""
    text = who.strip()
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        user = parts.path.strip("/").removeprefix("@").split("/")[0]
        return user, f"{parts.scheme}://{parts.netloc}"
    text = text.removeprefix("@")
    user, _, host = text.partition("@")
    return user, host or None


def _domain(instance: str) -> str:
    return urlsplit(instance).netloc


class MastodonConnector(Connector):
    platform = "mastodon"
    endpoints: ClassVar[dict[str, str]] = {}
    who = "@you@your.server"
    secret_kind = "OAuth sign-in"

    def __init__(self, api: Api, **kwargs: Any) -> None:
        super().__init__(api, **kwargs)
        self._token: str | None = None
        if self.secret:
            self._token = json.loads(self.secret).get("access_token")

    # -- plumbing --------------------------------------------------------------------

    @property
    def instance(self) -> str:
        try:
            return self.urls["instance"]
        except KeyError:
            raise InputError("Say which Mastodon server: --instance URL") from None

    def _headers(self) -> dict[str, str] | None:
        return {"Authorization": f"Bearer {self._token}"} if self._token else None

    async def _get(self, path: str, **kwargs: Any) -> Any:
        return await self.api.get(
            self.instance + path, headers=self._headers(), signed_in=bool(self._token), **kwargs
        )

    async def check_server(self) -> dict[str, Any]:
        """The server's instance document; refuses an address that is not Mastodon's API."""
        try:
            info = await self.api.get(self.instance + "/api/v1/instance", missing_ok=True)
        except FootprintError as exc:
            if isinstance(exc, ConnectorError) and "not JSON" in exc.message:
                info = None
            else:
                raise
        if not isinstance(info, dict) or not (info.get("uri") or info.get("domain")):
            raise NotThatPlatform(
                f"{self.instance} does not answer like a Mastodon server.",
                hint="Check the address of the server your account is on (the part after "
                "the second @ in @you@server).",
            )
        return info

    # -- identity --------------------------------------------------------------------

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        user, host = split_handle(who)
        if host and "instance" not in self.urls:
            self.urls["instance"] = instance_url(host)
        elif host and urlsplit(instance_url(host)).netloc != urlsplit(self.instance).netloc:
            raise InputError(
                f"@{user}@{host} is an account on {host}, not on {_domain(self.instance)}.",
                hint=f"Connect it on its own server: --instance {host}",
            )
        if secret:
            self.secret = secret
            self._token = json.loads(secret).get("access_token")
        await self.check_server()
        if self._token:
            account = await self._get("/api/v1/accounts/verify_credentials")
            if user and user.lower() != str(account.get("username", "")).lower():
                raise InputError(
                    f"You signed in as @{account.get('username')}, not @{user}.",
                    hint="Sign in again with the account you want to connect.",
                )
        else:
            if not user:
                raise InputError("Give your Mastodon username, e.g. @you@your.server.")
            account = await self._get(
                "/api/v1/accounts/lookup", params={"acct": user}, missing_ok=True
            )
            if not isinstance(account, dict):
                raise AccountNotFound(f"{_domain(self.instance)} has no account @{user}.")
        username = account.get("username") or user
        return Identity(
            "mastodon",
            f"@{username}@{_domain(self.instance)}",
            url=account.get("url"),
            display_name=account.get("display_name") or None,
            meta={
                "instance": self.instance,
                "id": str(account.get("id")),
                "signed_in": bool(self._token),
            },
            secret=self.secret,
        )

    def bind(self, identity: Identity) -> None:
        self.urls.setdefault("instance", identity.meta.get("instance", ""))

    def capabilities(self, identity: Identity) -> Capabilities:
        if not self._token:
            return Capabilities()
        return Capabilities(delete=frozenset({"post", "reply", "repost"}), settings=WRITABLE)

    # -- reading ---------------------------------------------------------------------

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        self.bind(identity)
        if stream == "profile":
            return Page(await self._profile(identity))
        return await self._statuses(identity, cursor)

    async def _account(self, identity: Identity) -> dict[str, Any]:
        if self._token:
            account = await self._get("/api/v1/accounts/verify_credentials")
        else:
            account = await self._get(f"/api/v1/accounts/{identity.meta['id']}", missing_ok=True)
            if not isinstance(account, dict):
                raise AccountNotFound(f"{identity.handle} no longer exists on its server.")
        return account if isinstance(account, dict) else {}

    async def _profile(self, identity: Identity) -> list[Item]:
        account = await self._account(identity)
        found = account.get("source")
        source: dict[str, Any] = found if isinstance(found, dict) else {}
        items: list[Item] = []
        if account.get("display_name"):
            items.append(
                field_item(
                    "mastodon",
                    "display_name",
                    account["display_name"],
                    "Display name",
                    url=identity.url,
                )
            )
        note = (
            source.get("note")
            if source.get("note") is not None
            else html_to_text(account.get("note"))
        )
        if note:
            items.append(field_item("mastodon", "note", note, "Bio", url=identity.url))
        fields = source.get("fields") or account.get("fields") or []
        for entry in fields:
            if isinstance(entry, dict) and entry.get("name"):
                items.append(
                    field_item(
                        "mastodon",
                        f"fields/{entry['name']}",
                        html_to_text(str(entry.get("value") or "")),
                        f"Profile field: {entry['name']}",
                        url=identity.url,
                    )
                )
        for key, title in SETTINGS:
            value = account.get(key)
            if value is None and key in source:
                value = source.get(key)
            if value is not None:
                items.append(setting_item("mastodon", key, bool(value), title))
        for key, title in SOURCE_SETTINGS:
            if source.get(key) is not None:
                items.append(setting_item("mastodon", f"source.{key}", source[key], title))
        return items

    async def _statuses(self, identity: Identity, cursor: str | None) -> Page:
        if cursor:
            here, there = urlsplit(self.instance), urlsplit(cursor)
            if (there.scheme, there.netloc) != (here.scheme, here.netloc):
                raise ConnectorError(
                    "The Mastodon server pointed footprint at another server for the next "
                    "page; footprint does not follow that."
                )
            url = cursor
            params = None
        else:
            url = f"{self.instance}/api/v1/accounts/{identity.meta['id']}/statuses"
            params = {"limit": PAGE}
        response = await self.api.request(
            "GET", url, params=params, headers=self._headers(), signed_in=bool(self._token)
        )
        statuses = self.api.decode(response)
        if not isinstance(statuses, list):
            raise ConnectorError("The Mastodon server listed posts in an unexpected shape.")
        items = [self.status_item(status) for status in statuses if isinstance(status, dict)]
        nxt = response.links.get("next", {}).get("url") if statuses else None
        return Page(items, next=nxt, records=len(statuses))

    @staticmethod
    def status_item(status: dict[str, Any]) -> Item:
        likes = status.get("favourites_count")
        status = _kept(status)
        status_id = str(status.get("id"))
        created = from_text(status.get("created_at"))
        visibility = VISIBILITY.get(str(status.get("visibility")), status.get("visibility"))
        reblog = status.get("reblog")
        if isinstance(reblog, dict):
            target = reblog.get("url") or reblog.get("uri") or ""
            return Item(
                "mastodon",
                "repost",
                status_id,
                text=f"{target}\n{html_to_text(reblog.get('content'))}".strip(),
                created_at=created,
                url=target or None,
                visibility=visibility,
                source="api:mastodon",
                raw=status,
            )
        text = html_to_text(status.get("content"))
        alts = [
            m.get("description")
            for m in status.get("media_attachments") or []
            if isinstance(m, dict) and m.get("description")
        ]
        poll = status.get("poll") if isinstance(status.get("poll"), dict) else None
        options = [o.get("title", "") for o in (poll or {}).get("options") or []]
        text = "\n".join([text, *options, *(f"[image: {alt}]" for alt in alts)]).strip()
        reply_to = status.get("in_reply_to_id")
        return Item(
            "mastodon",
            "reply" if reply_to else "post",
            status_id,
            text=text,
            title=status.get("spoiler_text") or None,
            created_at=created,
            url=status.get("url") or status.get("uri"),
            parent_id=str(reply_to) if reply_to else None,
            visibility=visibility,
            source="api:mastodon",
            raw=status,
            likes=likes if isinstance(likes, int) else None,
        )

    # -- writing ---------------------------------------------------------------------

    def _need_token(self) -> None:
        if not self._token:
            raise PermissionMissing(
                "footprint is connected to this Mastodon account without signing in, so it "
                "cannot change anything.",
                hint="Connect again with sign-in: footprint connect mastodon --instance URL",
            )

    async def delete_item(self, identity: Identity, item: dict[str, Any]) -> None:
        self._need_token()
        self.bind(identity)
        await self.api.budget("delete", *DELETE_LIMIT)
        status_id = item["platform_id"]
        if item["kind"] == "repost":
            raw = item.get("raw") or {}
            original = (raw.get("reblog") or {}).get("id") if isinstance(raw, dict) else None
            await self.api.request(
                "POST",
                f"{self.instance}/api/v1/statuses/{original or status_id}/unreblog",
                headers=self._headers(),
                signed_in=True,
                missing_ok=True,
            )
            return
        await self.api.request(
            "DELETE",
            f"{self.instance}/api/v1/statuses/{status_id}",
            params={"delete_media": "true"},  # 4.4+: attachments go at once, not in 24 h
            headers=self._headers(),
            signed_in=True,
            missing_ok=True,  # already gone counts as deleted
        )

    async def item_exists(self, identity: Identity, item: dict[str, Any]) -> bool:
        self.bind(identity)
        found = await self._get(f"/api/v1/statuses/{item['platform_id']}", missing_ok=True)
        if not isinstance(found, dict):
            return False
        if item["kind"] == "repost":
            return bool(found.get("reblog")) and not found.get("deleted_at")
        return True

    async def change_setting(self, identity: Identity, key: str, value: str) -> None:
        self._need_token()
        self.bind(identity)
        if key not in WRITABLE:
            raise PermissionMissing(f"Mastodon does not let apps change {key!r}.")
        field = f"source[{key.removeprefix('source.')}]" if key.startswith("source.") else key
        await self.api.request(
            "PATCH",
            f"{self.instance}/api/v1/accounts/update_credentials",
            data={field: value},
            headers=self._headers(),
            signed_in=True,
        )

    async def read_setting(self, identity: Identity, key: str) -> str | None:
        self.bind(identity)
        for item in await self._profile(identity):
            if item.kind == "setting" and item.platform_id == key:
                return item.text
        return None

    async def disconnect(self, identity: Identity) -> None:
        if not (self._token and self.secret):
            return
        self.bind(identity)
        saved = json.loads(self.secret)
        await self.api.request(
            "POST",
            f"{self.instance}/oauth/revoke",
            data={
                "client_id": saved.get("client_id", ""),
                "client_secret": saved.get("client_secret", ""),
                "token": self._token,
            },
            accept=frozenset({400, 401, 403}),
        )


def _kept(status: dict[str, Any]) -> dict[str, Any]:
    """The status as stored: without counters, and with the author reduced to who it is."""
    kept: dict[str, Any] = stable(status, VOLATILE)
    for holder in (kept, kept.get("reblog")):
        if isinstance(holder, dict) and isinstance(holder.get("account"), dict):
            author = holder["account"]
            holder["account"] = {k: author.get(k) for k in ("id", "acct", "url")}
    return kept


# -- signing in ----------------------------------------------------------------------


@dataclass
class LoginRequest:
    """One OAuth attempt: open ``authorize_url``, then give the code to :meth:`finish`."""

    instance: str
    authorize_url: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str = ""
    verifier: str = field(default="", repr=False)
    state: str = ""


def _pkce() -> tuple[str, str]:
    verifier = random.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


class MastodonLogin:
    """OAuth for a desktop app: register, open the browser, paste the code back.

    The out-of-band redirect (``urn:ietf:wg:oauth:2.0:oob``) makes the server show the code
    on a page, which works on every server and needs no listening port.  PKCE (S256) is
    sent always; servers before 4.3 ignore it.  The resulting token does not expire and
    goes to the keyring with the app's client id and secret (needed to revoke it).
    """

    def __init__(self, api: Api, instance: str) -> None:
        self.api = api
        self.instance = instance_url(instance)

    async def begin(self, redirect_uri: str = OOB) -> LoginRequest:
        probe = MastodonConnector(self.api, endpoints={"instance": self.instance})
        await probe.check_server()
        app = await self.api.json(
            "POST",
            f"{self.instance}/api/v1/apps",
            data={
                "client_name": "footprint",
                "redirect_uris": redirect_uri,
                "scopes": SCOPES,
            },
        )
        if not isinstance(app, dict) or not app.get("client_id"):
            raise NotThatPlatform(f"{self.instance} did not register footprint as an app.")
        verifier, challenge = _pkce()
        state = random.token_urlsafe(16)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": app["client_id"],
                "redirect_uri": redirect_uri,
                "scope": SCOPES,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "force_login": "true",
            }
        )
        return LoginRequest(
            self.instance,
            f"{self.instance}/oauth/authorize?{query}",
            str(app["client_id"]),
            str(app.get("client_secret") or ""),
            redirect_uri,
            verifier,
            state,
        )

    async def finish(self, request: LoginRequest, code: str) -> str:
        """Exchange the code for a token; returns the secret (JSON) to keep."""
        code = code.strip()
        if not code:
            raise InputError("Paste the authorization code the server showed you.")
        response = await self.api.request(
            "POST",
            f"{request.instance}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": request.client_id,
                "client_secret": request.client_secret,
                "redirect_uri": request.redirect_uri,
                "code_verifier": request.verifier,
                "scope": SCOPES,
            },
            accept=frozenset({400, 401}),
        )
        body = self.api.decode(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise InputError(
                "The server did not accept that code (it may be mistyped, used already, or "
                "expired).",
                hint="Start the sign-in again and paste the new code.",
                details=str(body.get("error") if isinstance(body, dict) else response.status_code),
            )
        token = body.get("access_token")
        if not token:
            raise ConnectorError("The server's answer had no access token.")
        return json.dumps(
            {
                "access_token": token,
                "client_id": request.client_id,
                "client_secret": request.client_secret,
            }
        )
