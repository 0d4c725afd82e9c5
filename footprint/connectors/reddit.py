"""Reddit: the public profile, comments and posts through Reddit's public JSON.

Reddit closed self-service API access in 2025, so footprint reads what anyone can read:
``/user/{name}/about.json``, ``comments.json`` and ``submitted.json``, always with
``raw_json=1`` (otherwise ``&``, ``<`` and ``>`` come back escaped) and with the
User-Agent form Reddit asks for.  Listings stop after about 1,000 items: the full history
is in the Reddit data export, which ``footprint import`` reads.  Without OAuth Reddit
allows about 10 requests a minute, so a sync is paced at one request every 6 seconds.
"""

from __future__ import annotations

from typing import Any, ClassVar

from footprint import __version__
from footprint.archives.text import from_epoch
from footprint.connectors.base import Connector, Identity, Page, field_item, stable
from footprint.connectors.errors import AccountNotFound
from footprint.errors import InputError
from footprint.store import Item

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


class RedditConnector(Connector):
    platform = "reddit"
    streams = ("profile", "comments", "posts")
    endpoints: ClassVar[dict[str, str]] = {"www": "https://www.reddit.com"}
    min_interval = 6.0
    who = "username"

    def _headers(self, username: str) -> dict[str, str]:
        return {"User-Agent": f"desktop:org.footprint:v{__version__} (by /u/{username})"}

    async def _get(self, username: str, path: str, **params: Any) -> Any:
        return await self.api.get(
            f"{self.urls['www']}/user/{username}/{path}",
            params={"raw_json": 1, **params},
            headers=self._headers(username),
        )

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        name = who.strip().rstrip("/").rsplit("/", 1)[-1].removeprefix("u/")
        if not name:
            raise InputError("Give your Reddit username.")
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
            meta={"id": data.get("id")},
        )

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
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
        )
