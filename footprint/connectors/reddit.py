"""Reddit: the public profile, comments and posts through Reddit's public JSON.

Reddit closed self-service API access in 2025, so by default footprint reads what anyone
can read: ``/user/{name}/about.json``, ``comments.json`` and ``submitted.json``, always with
``raw_json=1`` (otherwise ``&``, ``<`` and ``>`` come back escaped) and with the
User-Agent form Reddit asks for.  Listings stop after about 1,000 items: the full history
is in the Reddit data export, which ``footprint import`` reads.  Without OAuth Reddit
allows about 10 requests a minute, so a sync is paced at one request every 6 seconds.

A person who has an approved Reddit app of their own ("installed app", no secret) can sign
in with it (:class:`RedditLogin`: the browser comes back to a loopback address).  Then
footprint reads the same listings on ``oauth.reddit.com`` (100 requests a minute), reads
the privacy preferences (``/api/v1/me/prefs``), and can delete comments and posts
(``/api/del``) and change preferences, each read back: Reddit silently ignores
preferences it does not know.  The refresh token lives in the keyring; access tokens
(an hour) only in memory.
"""

from __future__ import annotations

import base64
import json
import secrets as random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

from footprint import __version__
from footprint.archives.text import from_epoch
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
    PermissionMissing,
    ReconnectNeeded,
)
from footprint.connectors.loopback import check_redirect_uri
from footprint.errors import InputError
from footprint.store import Item

if TYPE_CHECKING:
    from footprint.connectors.http import Api

SCOPES = "identity history read edit account"
DEFAULT_REDIRECT = "http://127.0.0.1:65010/authorize_callback"
OAUTH_INTERVAL = 0.6  # 100 requests a minute per app
# Privacy preferences footprint reads, with Reddit's labels (keys as in settings.toml).
PREFS = (
    ("hide_from_robots", "Hide profile from search engines"),
    ("public_votes", "Make my votes public"),
    ("accept_pms", "Who can send you private messages"),
    ("activity_relevant_ads", "Personalize ads based on your activity"),
    ("allow_clicktracking", "Allow click tracking"),
)
WRITABLE_PREFS = frozenset(key for key, _ in PREFS)

CAP_NOTE = (
    "Reddit lists only your newest ~1,000 comments and ~1,000 posts. For everything, "
    "request your data at reddit.com/settings/data-request and import it."
)


VOLATILE = frozenset(
    {
        "score",
        "ups",
        "downs",
        "upvote_ratio",
        "num_comments",
        "num_crossposts",
        "controversiality",
        "total_awards_received",
        "all_awardings",
        "awarders",
        "gildings",
        "likes",
        "saved",
        "view_count",
        "treatment_tags",
    }
)


def user_agent(username: str) -> str:
    return f"desktop:org.footprint:v{__version__} (by /u/{username or 'unknown'})"


def _basic(client_id: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:".encode()).decode("ascii")


class RedditConnector(Connector):
    platform = "reddit"
    streams = ("profile", "comments", "posts")
    endpoints: ClassVar[dict[str, str]] = {
        "www": "https://www.reddit.com",
        "oauth": "https://oauth.reddit.com",
    }
    min_interval = 6.0
    who = "username"

    def __init__(self, api: Api, **kwargs: Any) -> None:
        super().__init__(api, **kwargs)
        self._client_id: str | None = None
        self._refresh: str | None = None
        self._access: str | None = None
        self._name = ""
        if self.secret:
            self._use(self.secret)

    def _use(self, secret: str) -> None:
        """Sign in with a saved secret: the app's client id and a refresh token."""
        saved = json.loads(secret)
        self.secret = secret
        self._client_id = saved.get("client_id")
        self._refresh = saved.get("refresh_token")
        self._access = None
        if self._refresh and self.api.min_interval == self.min_interval:
            self.api.min_interval = OAUTH_INTERVAL

    @property
    def signed_in(self) -> bool:
        return bool(self._client_id and self._refresh)

    def _headers(self, username: str) -> dict[str, str]:
        return {"User-Agent": user_agent(username)}

    async def _get(self, username: str, path: str, **params: Any) -> Any:
        if self.signed_in:
            return await self._oauth(
                "GET",
                f"/user/{username}/{path.removesuffix('.json')}",
                params={"raw_json": 1, **params},
            )
        return await self.api.get(
            f"{self.urls['www']}/user/{username}/{path}",
            params={"raw_json": 1, **params},
            headers=self._headers(username),
        )

    # -- OAuth -----------------------------------------------------------------------

    async def _token(self) -> str:
        if self._access:
            return self._access
        response = await self.api.request(
            "POST",
            f"{self.urls['www']}/api/v1/access_token",
            data={"grant_type": "refresh_token", "refresh_token": self._refresh or ""},
            headers={
                "Authorization": _basic(self._client_id or ""),
                "User-Agent": user_agent(self._name),
            },
            accept=frozenset({400, 401}),
        )
        body = self.api.decode(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not token:
            error = body.get("error") if isinstance(body, dict) else response.status_code
            raise ReconnectNeeded("reddit", self._name or "your account", details=str(error))
        self._access = str(token)
        return self._access

    async def _oauth(self, method: str, path: str, **kwargs: Any) -> Any:
        """A call on oauth.reddit.com; an expired access token is renewed once."""
        for attempt in range(2):
            token = await self._token()
            response = await self.api.request(
                method,
                self.urls["oauth"] + path,
                headers={"Authorization": f"bearer {token}", "User-Agent": user_agent(self._name)},
                signed_in=True,
                accept=frozenset({401}),
                **kwargs,
            )
            if response.status_code == 401:
                self._access = None
                if attempt == 0:
                    continue
                raise ReconnectNeeded("reddit", self._name or "your account")
            return self.api.decode(response) if response.content else {}
        raise AssertionError("unreachable")

    def capabilities(self, identity: Identity) -> Capabilities:
        if not self.signed_in:
            return Capabilities()
        return Capabilities(delete=frozenset({"comment", "post"}), settings=WRITABLE_PREFS)

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        name = who.strip().rstrip("/").rsplit("/", 1)[-1].removeprefix("u/")
        if not name:
            raise InputError("Give your Reddit username.")
        self._name = name
        if secret:
            self._use(secret)
            me = await self._oauth("GET", "/api/v1/me")
            if str(me.get("name", "")).lower() != name.lower():
                raise InputError(
                    f"You signed in to Reddit as u/{me.get('name')}, not u/{name}.",
                    hint="Sign in again with the account you are connecting.",
                )
        try:
            about = await self._get(name, "about.json")
        except AccountNotFound:
            raise AccountNotFound(f"Reddit has no user named {name!r}.") from None
        data = about.get("data") or {} if isinstance(about, dict) else {}
        if data.get("is_suspended"):
            raise AccountNotFound(
                f"Reddit says u/{name} is suspended, so nothing of it is public.",
            )
        handle = data.get("name") or name
        return Identity(
            "reddit",
            handle,
            url=f"https://www.reddit.com/user/{handle}",
            display_name=(data.get("subreddit") or {}).get("title") or None,
            meta={"id": data.get("id"), "signed_in": self.signed_in},
            secret=self.secret if self.signed_in else None,
        )

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        self._name = identity.handle
        if stream == "profile":
            about = await self._get(identity.handle, "about.json")
            data = about.get("data") or {}
            profile = data.get("subreddit") or {}
            items = []
            if profile.get("title"):
                items.append(field_item("reddit", "display_name", profile["title"], "Display name"))
            if profile.get("public_description"):
                items.append(field_item("reddit", "about", profile["public_description"], "About"))
            if profile.get("over_18"):
                items.append(
                    field_item("reddit", "nsfw_profile", "marked NSFW", "Profile marked NSFW")
                )
            if self.signed_in:
                items += await self._prefs()
            return Page(items, notes=[CAP_NOTE])
        path = "comments.json" if stream == "comments" else "submitted.json"
        params: dict[str, Any] = {"limit": 100, "sort": "new"}
        if cursor:
            params["after"] = cursor
        listing = await self._get(identity.handle, path, **params)
        data = listing.get("data") if isinstance(listing, dict) else None
        if not isinstance(data, dict):
            return Page([])
        children = data.get("children") or []
        items = [
            item
            for child in children
            if isinstance(child, dict) and (item := self._item(child.get("data") or {}, stream))
        ]
        return Page(items, next=data.get("after") or None, records=len(children))

    @staticmethod
    def _item(data: dict[str, Any], stream: str) -> Item | None:
        score = data.get("score")
        likes = score if isinstance(score, int) else None
        data = stable(data, VOLATILE)
        fullname = data.get("name")
        if not fullname or data.get("author") == "[deleted]":
            return None
        subreddit = data.get("subreddit")
        where = f"in r/{subreddit}" if subreddit else None
        permalink = data.get("permalink") or ""
        url = f"https://www.reddit.com{permalink}" if permalink.startswith("/") else permalink
        if stream == "comments":
            return Item(
                "reddit",
                "comment",
                fullname,
                text=data.get("body") or "",
                title=where,
                created_at=from_epoch(data.get("created_utc")),
                url=url or None,
                parent_id=data.get("parent_id"),
                visibility="public",
                source="api:reddit",
                raw=data,
                likes=likes,
            )
        return Item(
            "reddit",
            "post",
            fullname,
            text=data.get("selftext") or data.get("url") or "",
            title=data.get("title") or where,
            created_at=from_epoch(data.get("created_utc")),
            url=url or None,
            visibility="public",
            source="api:reddit",
            raw=data,
            likes=likes,
        )

    # -- preferences and writes ------------------------------------------------------

    async def _prefs(self) -> list[Item]:
        prefs = await self._oauth("GET", "/api/v1/me/prefs")
        if not isinstance(prefs, dict):
            raise ConnectorError("Reddit answered the preferences in an unexpected shape.")
        return [
            setting_item("reddit", key, prefs[key], title)
            for key, title in PREFS
            if prefs.get(key) is not None
        ]

    def _need_sign_in(self) -> None:
        if not self.signed_in:
            raise PermissionMissing(
                "footprint reads Reddit without signing in, so it cannot change anything.",
                hint="Sign in with your own approved Reddit app: footprint connect reddit "
                "NAME --client-id ID",
            )

    async def delete_item(self, identity: Identity, item: dict[str, Any]) -> None:
        """Delete a comment or post; with ``overwrite``, first replace its text, so copies
        scraped after the edit hold nothing (link posts have no text to replace)."""
        self._need_sign_in()
        self._name = identity.handle
        fullname = item["platform_id"]
        if item.get("overwrite") and (item["kind"] == "comment" or _is_self_post(item)):
            edited = await self._oauth(
                "POST",
                "/api/editusertext",
                data={"thing_id": fullname, "text": OVERWRITE_TEXT, "api_type": "json"},
            )
            errors = (
                ((edited or {}).get("json") or {}).get("errors")
                if isinstance(edited, dict)
                else None
            )
            if errors:
                # An archived or locked post cannot be edited: say so instead of deleting a
                # post whose words would stay in the copies the person wanted emptied.
                raise ConnectorError(
                    "Reddit would not let footprint replace the text first "
                    f"({errors[0][1] if errors and len(errors[0]) > 1 else errors[0]}); "
                    "nothing was deleted.",
                    hint="Plan it again without --overwrite to delete it as it is.",
                )
        await self._oauth("POST", "/api/del", data={"id": fullname})

    async def item_exists(self, identity: Identity, item: dict[str, Any]) -> bool:
        self._name = identity.handle
        if not self.signed_in:
            return await super().item_exists(identity, item)
        found = await self._oauth(
            "GET", "/api/info", params={"id": item["platform_id"], "raw_json": 1}
        )
        children = ((found or {}).get("data") or {}).get("children") or []
        for child in children:
            data = child.get("data") or {}
            if data.get("name") == item["platform_id"]:
                return data.get("author") not in ("[deleted]", None)
        return False

    async def change_setting(self, identity: Identity, key: str, value: str) -> None:
        self._need_sign_in()
        if key not in WRITABLE_PREFS:
            raise PermissionMissing(f"footprint does not change Reddit's {key!r} preference.")
        parsed: Any = {"true": True, "false": False}.get(value, value)
        await self._oauth("PATCH", "/api/v1/me/prefs", json_body={key: parsed})

    async def read_setting(self, identity: Identity, key: str) -> str | None:
        self._need_sign_in()
        for item in await self._prefs():
            if item.platform_id == key:
                return item.text
        return None

    async def disconnect(self, identity: Identity) -> None:
        if not self.signed_in:
            return
        await self.api.request(
            "POST",
            f"{self.urls['www']}/api/v1/revoke_token",
            data={"token": self._refresh or "", "token_type_hint": "refresh_token"},
            headers={
                "Authorization": _basic(self._client_id or ""),
                "User-Agent": user_agent(identity.handle),
            },
            accept=frozenset({400, 401}),
        )


OVERWRITE_TEXT = "."


def _is_self_post(item: dict[str, Any]) -> bool:
    raw = item.get("raw")
    return isinstance(raw, dict) and bool(raw.get("is_self"))


# -- signing in with the person's own app ----------------------------------------------


@dataclass
class RedditLoginRequest:
    authorize_url: str
    client_id: str
    redirect_uri: str
    state: str = field(repr=False)


class RedditLogin:
    """OAuth for an approved installed app: the browser signs in, comes back to loopback."""

    def __init__(self, api: Api, endpoints: dict[str, str] | None = None) -> None:
        self.api = api
        self.urls = {**RedditConnector.endpoints, **(endpoints or {})}

    def begin(self, client_id: str, redirect_uri: str = DEFAULT_REDIRECT) -> RedditLoginRequest:
        client_id = client_id.strip()
        if not client_id:
            raise InputError("Give the client id of your Reddit app.")
        check_redirect_uri(redirect_uri)
        state = random.token_urlsafe(16)
        query = urlencode(
            {
                "client_id": client_id,
                "response_type": "code",
                "state": state,
                "redirect_uri": redirect_uri,
                "duration": "permanent",
                "scope": SCOPES,
            }
        )
        return RedditLoginRequest(
            f"{self.urls['www']}/api/v1/authorize?{query}", client_id, redirect_uri, state
        )

    async def finish(self, request: RedditLoginRequest, answer: dict[str, str]) -> str:
        """The redirect's parameters -> the secret to keep (JSON: client id, refresh)."""
        if answer.get("error"):
            raise InputError(
                f"Reddit did not allow footprint in ({answer['error']}).",
                hint="Start the sign-in again and choose Allow.",
            )
        response = await self.api.request(
            "POST",
            f"{self.urls['www']}/api/v1/access_token",
            data={
                "grant_type": "authorization_code",
                "code": answer.get("code", ""),
                "redirect_uri": request.redirect_uri,
            },
            headers={"Authorization": _basic(request.client_id), "User-Agent": user_agent("")},
            accept=frozenset({400, 401}),
        )
        body = self.api.decode(response)
        if response.status_code == 401:
            raise InputError(
                "Reddit does not know that client id.",
                hint="Copy the id under your app's name at reddit.com/prefs/apps.",
            )
        refresh = body.get("refresh_token") if isinstance(body, dict) else None
        if not refresh:
            error = body.get("error") if isinstance(body, dict) else response.status_code
            raise InputError(
                "Reddit did not accept the sign-in (the code may have expired).",
                hint="Start the sign-in again.",
                details=str(error),
            )
        return json.dumps(
            {
                "client_id": request.client_id,
                "redirect_uri": request.redirect_uri,
                "refresh_token": refresh,
            }
        )
