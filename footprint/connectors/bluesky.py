"""Bluesky / AT Protocol: every post and repost from the person's own repository.

Identity: the handle resolves to a DID (``com.atproto.identity.resolveHandle``), the DID
document (PLC directory, or ``/.well-known/did.json`` for ``did:web``) names the person's
PDS, and the document must name the handle back; otherwise footprint refuses to trust it.

Posts are read with ``com.atproto.repo.listRecords`` from the PDS itself: the repository is
the authoritative, public record (no sign-in needed to read).  Signing in uses an app
password (``createSession``); the session is reused and refreshed, because Bluesky allows
only about 100 logins a day.  The app password and the refresh token live in the keyring.

Settings: the ``!no-unauthenticated`` self-label on the profile record (it only asks apps
to hide the account from logged-out visitors; the data stays public) and who may start a
chat (``chat.bsky.actor.declaration``).  Both are records, changed with ``putRecord``
guarded by ``swapRecord`` so a concurrent edit is never overwritten.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from footprint.archives.text import from_text
from footprint.connectors.base import (
    Capabilities,
    Connector,
    Identity,
    Page,
    field_item,
    setting_item,
)
from footprint.connectors.errors import (
    AccountNotFound,
    ConnectorError,
    PermissionMissing,
    ReconnectNeeded,
)
from footprint.errors import InputError
from footprint.store import Item

if TYPE_CHECKING:
    import httpx

    from footprint.connectors.http import Api

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
PROFILE = "app.bsky.actor.profile"
CHAT = "chat.bsky.actor.declaration"
NO_UNAUTH = "!no-unauthenticated"
SELF_LABELS = "com.atproto.label.defs#selfLabels"
STREAMS = {"posts": POST, "reposts": REPOST}
CLIENT_ERRORS = frozenset({400, 401})
# Record writes cost points: 5,000 an hour per account, a deletion 1, an update 2.
WRITE_POINTS = (5000, 3600.0)


def rkey_of(uri: str) -> tuple[str, str, str]:
    """``at://did/collection/rkey`` -> (did, collection, rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        raise ValueError(f"not a record URI: {uri}")
    return parts[0], parts[1], parts[2]


def normalize_handle(who: str) -> str:
    text = who.strip().removeprefix("@").lower()
    if text.startswith(("http://", "https://")):
        path = urlsplit(text).path.strip("/").split("/")
        text = path[1] if len(path) > 1 and path[0] == "profile" else ""
    if not text or "." not in text or text.startswith("did:"):
        raise InputError(
            f"{who!r} is not a Bluesky handle.", hint="Handles look like you.bsky.social."
        )
    return text


class BlueskyConnector(Connector):
    platform = "bluesky"
    streams = ("profile", "posts", "reposts")
    endpoints: ClassVar[dict[str, str]] = {
        "resolver": "https://public.api.bsky.app",
        "plc": "https://plc.directory",
    }
    who = "handle"
    secret_kind = "app password"

    def __init__(self, api: Api, **kwargs: Any) -> None:
        super().__init__(api, **kwargs)
        self._access: str | None = None
        saved = json.loads(self.secret) if self.secret else {}
        self._password: str | None = saved.get("password")
        self._refresh: str | None = saved.get("refresh")
        self._pds: str | None = None
        self._did: str | None = None
        self._handle = ""

    # -- XRPC ------------------------------------------------------------------------

    async def _xrpc(
        self,
        method: str,
        host: str,
        nsid: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        auth: str | None = None,
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {auth}"} if auth else None
        response: httpx.Response = await self.api.request(
            method,
            f"{host}/xrpc/{nsid}",
            params=params,
            json_body=body,
            headers=headers,
            signed_in=bool(auth),
            accept=CLIENT_ERRORS | {404},
        )
        data = self.api.decode(response) if response.content else {}
        return response.status_code, data

    @staticmethod
    def _error(data: Any) -> str:
        return str(data.get("error") or "") if isinstance(data, dict) else ""

    # -- identity --------------------------------------------------------------------

    async def resolve(self, handle: str) -> tuple[str, str]:
        """handle -> (did, pds), checked in both directions."""
        status, data = await self._xrpc(
            "GET",
            self.urls["resolver"],
            "com.atproto.identity.resolveHandle",
            params={"handle": handle},
        )
        did = data.get("did") if isinstance(data, dict) else None
        if status != 200 or not did:
            raise AccountNotFound(
                f"The handle {handle} does not resolve to a Bluesky account.",
                hint="Check the spelling; a custom-domain handle needs its DNS record.",
                details=self._error(data) or f"HTTP {status}",
            )
        document = await self._did_document(did)
        also = [str(a).lower() for a in document.get("alsoKnownAs") or []]
        if f"at://{handle}" not in also:
            raise ConnectorError(
                f"The account {did} does not claim the handle {handle}, so footprint will "
                "not trust it.",
                details=f"alsoKnownAs={also}",
            )
        for service in document.get("service") or []:
            if (
                isinstance(service, dict)
                and str(service.get("id", "")).endswith("#atproto_pds")
                and service.get("type") == "AtprotoPersonalDataServer"
            ):
                return did, _safe_endpoint(str(service.get("serviceEndpoint", "")), handle)
        raise ConnectorError(f"The DID document of {handle} names no PDS.")

    async def _did_document(self, did: str) -> dict[str, Any]:
        if did.startswith("did:plc:"):
            url = f"{self.urls['plc']}/{did}"
        elif did.startswith("did:web:"):
            url = f"https://{did.removeprefix('did:web:')}/.well-known/did.json"
        else:
            raise ConnectorError(f"footprint does not know the DID method of {did}.")
        document = await self.api.get(url, missing_ok=True)
        if not isinstance(document, dict):
            raise AccountNotFound(f"The DID {did} has no document (the account may be gone).")
        return document

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        handle = normalize_handle(who)
        did, pds = await self.resolve(handle)
        self._did, self._pds, self._handle = did, pds, handle
        if secret is not None:
            self._password = secret
            self._refresh = None
            await self._login()
        profile = await self._record(PROFILE, "self")
        value = (profile or {}).get("value") or {}
        return Identity(
            "bluesky",
            handle,
            url=f"https://bsky.app/profile/{handle}",
            display_name=value.get("displayName") or None,
            meta={"did": did, "pds": pds, "signed_in": bool(self._password)},
            secret=self._secret_json() if self._password else None,
        )

    def bind(self, identity: Identity) -> None:
        self._did = identity.meta["did"]
        self._pds = identity.meta["pds"]
        self._handle = identity.handle

    def _secret_json(self) -> str:
        return json.dumps({"password": self._password, "refresh": self._refresh})

    # -- sessions --------------------------------------------------------------------

    async def _login(self) -> None:
        status, data = await self._xrpc(
            "POST",
            self._pds or "",
            "com.atproto.server.createSession",
            body={"identifier": self._did or self._handle, "password": self._password},
        )
        if status != 200:
            error = self._error(data)
            if error == "AuthFactorTokenRequired":
                raise InputError(
                    "This account asks for an email code at sign-in; footprint signs in "
                    "with an app password instead.",
                    hint="Create one at bsky.app → Settings → Privacy and security → App "
                    "passwords, and connect with it.",
                )
            raise ReconnectNeeded("bluesky", self._handle, details=error or f"HTTP {status}")
        self._access = data.get("accessJwt")
        self._refresh = data.get("refreshJwt")
        self.new_secret = self._secret_json()

    async def _session(self) -> str:
        if self._access:
            return self._access
        if not (self._refresh or self._password):
            raise PermissionMissing(
                "footprint is connected to this Bluesky account without signing in.",
                hint="Connect again with an app password: footprint connect bluesky "
                "--handle you.bsky.social --password-stdin",
            )
        if self._refresh and await self._refresh_session():
            return self._access or ""
        await self._login()
        return self._access or ""

    async def _refresh_session(self) -> bool:
        status, data = await self._xrpc(
            "POST",
            self._pds or "",
            "com.atproto.server.refreshSession",
            auth=self._refresh,
        )
        if status != 200 or not isinstance(data, dict) or not data.get("accessJwt"):
            self._refresh = None
            return False
        self._access = data["accessJwt"]
        self._refresh = data.get("refreshJwt") or self._refresh
        self.new_secret = self._secret_json()
        return True

    async def _authed(self, method: str, nsid: str, **kwargs: Any) -> tuple[int, Any]:
        """A signed-in call; an expired access token is refreshed once."""
        for attempt in range(2):
            token = await self._session()
            status, data = await self._xrpc(method, self._pds or "", nsid, auth=token, **kwargs)
            if status in CLIENT_ERRORS and self._error(data) in (
                "ExpiredToken",
                "InvalidToken",
                "AuthenticationRequired",
                "AuthMissing",
            ):
                self._access = None
                if attempt == 0:
                    continue
                raise ReconnectNeeded("bluesky", self._handle, details=self._error(data))
            return status, data
        raise AssertionError("unreachable")

    # -- reading ---------------------------------------------------------------------

    async def _record(self, collection: str, rkey: str) -> dict[str, Any] | None:
        status, data = await self._xrpc(
            "GET",
            self._pds or "",
            "com.atproto.repo.getRecord",
            params={"repo": self._did, "collection": collection, "rkey": rkey},
        )
        if status == 200 and isinstance(data, dict):
            return data
        if self._error(data) in ("RecordNotFound", "") or status == 404:
            return None
        raise ConnectorError(
            "Bluesky refused to read a record.", details=f"{self._error(data)} (HTTP {status})"
        )

    def capabilities(self, identity: Identity) -> Capabilities:
        if not (self._password or self._refresh):
            return Capabilities()
        return Capabilities(
            delete=frozenset({"post", "reply", "repost"}),
            settings=frozenset({"no-unauthenticated", "allowIncoming"}),
        )

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        self.bind(identity)
        if stream == "profile":
            return Page(await self._profile_items(identity))
        params: dict[str, Any] = {"repo": self._did, "collection": STREAMS[stream], "limit": 100}
        if cursor:
            params["cursor"] = cursor
        status, data = await self._xrpc(
            "GET", self._pds or "", "com.atproto.repo.listRecords", params=params
        )
        if status != 200 or not isinstance(data, dict):
            error = self._error(data)
            if error in ("RepoNotFound", "RepoDeactivated", "RepoTakendown"):
                raise AccountNotFound(
                    f"The Bluesky repository of {identity.handle} is gone ({error})."
                )
            raise ConnectorError("Bluesky refused to list records.", details=error)
        records = data.get("records") or []
        items = [
            item
            for record in records
            if isinstance(record, dict) and (item := self.record_item(identity, record))
        ]
        return Page(items, next=data.get("cursor") if records else None, records=len(records))

    async def _profile_items(self, identity: Identity) -> list[Item]:
        items: list[Item] = []
        profile = await self._record(PROFILE, "self")
        value = (profile or {}).get("value") or {}
        for key, title in (
            ("displayName", "Display name"),
            ("description", "Bio"),
            ("pronouns", "Pronouns"),
            ("website", "Website"),
        ):
            if value.get(key):
                items.append(field_item("bluesky", key, value[key], title, url=identity.url))
        items.append(
            setting_item(
                "bluesky",
                "no-unauthenticated",
                NO_UNAUTH in _labels(value),
                "Discourage apps from showing my account to logged-out users",
            )
        )
        chat = await self._record(CHAT, "self")
        allow = ((chat or {}).get("value") or {}).get("allowIncoming")
        if allow:
            items.append(setting_item("bluesky", "allowIncoming", allow, "Allow new messages from"))
        return items

    @staticmethod
    def record_item(identity: Identity, record: dict[str, Any]) -> Item | None:
        uri = str(record.get("uri") or "")
        value = record.get("value") or {}
        try:
            did, collection, rkey = rkey_of(uri)
        except ValueError:
            return None
        created = from_text(value.get("createdAt"))
        if collection == REPOST:
            subject = (value.get("subject") or {}).get("uri", "")
            return Item(
                "bluesky",
                "repost",
                uri,
                text=subject,
                created_at=created,
                url=_web_url(subject) if subject else None,
                visibility="public",
                source="api:bluesky",
                raw=record,
            )
        text = str(value.get("text") or "")
        embed = value.get("embed") or {}
        alts = [
            image.get("alt")
            for image in (embed.get("images") or (embed.get("media") or {}).get("images") or [])
            if isinstance(image, dict) and image.get("alt")
        ]
        if alts:
            text = "\n".join([text, *(f"[image: {alt}]" for alt in alts)]).strip()
        reply = value.get("reply") or {}
        return Item(
            "bluesky",
            "reply" if reply else "post",
            uri,
            text=text,
            created_at=created,
            url=f"https://bsky.app/profile/{did}/post/{rkey}",
            parent_id=(reply.get("parent") or {}).get("uri"),
            visibility="public",
            source="api:bluesky",
            raw=record,
        )

    # -- writing ---------------------------------------------------------------------

    async def delete_item(self, identity: Identity, item: dict[str, Any]) -> None:
        self.bind(identity)
        did, collection, rkey = rkey_of(item["platform_id"])
        if did != self._did:
            raise PermissionMissing("That record belongs to another Bluesky account.")
        await self.api.budget("write", *WRITE_POINTS)
        status, data = await self._authed(
            "POST",
            "com.atproto.repo.deleteRecord",
            body={"repo": did, "collection": collection, "rkey": rkey},
        )
        if status != 200:
            raise ConnectorError("Bluesky refused to delete it.", details=self._error(data))

    async def item_exists(self, identity: Identity, item: dict[str, Any]) -> bool:
        self.bind(identity)
        _, collection, rkey = rkey_of(item["platform_id"])
        return await self._record(collection, rkey) is not None

    async def change_setting(self, identity: Identity, key: str, value: str) -> None:
        self.bind(identity)
        if key == "no-unauthenticated":
            record = await self._record(PROFILE, "self")
            current = dict((record or {}).get("value") or {"$type": PROFILE})
            labels = [v for v in _labels(current) if v != NO_UNAUTH]
            if value == "true":
                labels.append(NO_UNAUTH)
            current["labels"] = {"$type": SELF_LABELS, "values": [{"val": v} for v in labels]}
            await self._put(PROFILE, current, (record or {}).get("cid"))
        elif key == "allowIncoming":
            if value not in ("all", "following", "none"):
                raise InputError("Messages can be allowed from all, following or none.")
            record = await self._record(CHAT, "self")
            current = dict((record or {}).get("value") or {"$type": CHAT})
            current["allowIncoming"] = value
            await self._put(CHAT, current, (record or {}).get("cid"))
        else:
            await super().change_setting(identity, key, value)

    async def _put(self, collection: str, record: dict[str, Any], swap: str | None) -> None:
        body: dict[str, Any] = {
            "repo": self._did,
            "collection": collection,
            "rkey": "self",
            "record": record,
        }
        if swap:
            body["swapRecord"] = swap
        status, data = await self._authed("POST", "com.atproto.repo.putRecord", body=body)
        if status != 200:
            if self._error(data) == "InvalidSwap":
                raise ConnectorError(
                    "The profile changed on Bluesky while footprint was editing it; nothing "
                    "was overwritten.",
                    hint="Try again.",
                )
            raise ConnectorError("Bluesky refused the change.", details=self._error(data))

    async def read_setting(self, identity: Identity, key: str) -> str | None:
        for item in await self._profile_items(identity):
            if item.kind == "setting" and item.platform_id == key:
                return item.text
        return None

    async def disconnect(self, identity: Identity) -> None:
        if not self._refresh:
            return
        self.bind(identity)
        await self._xrpc(
            "POST", self._pds or "", "com.atproto.server.deleteSession", auth=self._refresh
        )


def _safe_endpoint(url: str, handle: str) -> str:
    """The PDS address, only over https (plain http only on this computer, for tests and
    self-hosters' local servers): the app password must never travel unencrypted."""
    parts = urlsplit(url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ConnectorError(
            f"The server that holds {handle}'s posts is not reachable over https ({url}); "
            "footprint will not send a password there.",
        )
    return url.rstrip("/")


def _labels(value: dict[str, Any]) -> list[str]:
    labels = value.get("labels") or {}
    return [
        str(entry.get("val"))
        for entry in (labels.get("values") or [] if isinstance(labels, dict) else [])
        if isinstance(entry, dict) and entry.get("val")
    ]


def _web_url(uri: str) -> str | None:
    try:
        did, collection, rkey = rkey_of(uri)
    except ValueError:
        return None
    return f"https://bsky.app/profile/{did}/post/{rkey}" if collection == POST else None
