"""Hacker News: the profile and every story and comment, read-only.

Hacker News has no write API (deleting is only possible on the site, shortly after
posting, or by emailing the moderators), so this connector only reads.  Items come from
Algolia's HN search (whole objects, 100 a request, newest first).  Algolia stops paging
after about 1,000 hits, so footprint then asks again for items older than the oldest it
has.  If Algolia is unavailable, footprint falls back to the official Firebase API, which
lists every item id in the profile and needs one request per item.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

from footprint.archives.text import from_epoch, from_text, html_to_text
from footprint.connectors.base import Connector, Identity, Page, field_item, stable
from footprint.connectors.errors import AccountNotFound, ConnectorError
from footprint.errors import InputError
from footprint.store import Item

HITS = 100
VOLATILE = frozenset(
    {
        "points",
        "num_comments",
        "_highlightResult",
        "updated_at",
        "children",
        "score",
        "kids",
        "descendants",
    }
)
FIREBASE_BATCH = 50
FIREBASE_PARALLEL = 8  # one request per item: a few at a time


def item_url(item_id: Any) -> str:
    return f"https://news.ycombinator.com/item?id={item_id}"


class HackerNewsConnector(Connector):
    platform = "hackernews"
    endpoints: ClassVar[dict[str, str]] = {
        "firebase": "https://hacker-news.firebaseio.com/v0",
        "algolia": "https://hn.algolia.com/api/v1",
    }
    who = "username"

    async def _user(self, name: str) -> dict[str, Any]:
        user = await self.api.get(f"{self.urls['firebase']}/user/{name}.json")
        if not isinstance(user, dict):
            raise AccountNotFound(
                f"Hacker News has no user named {name!r} (names are case-sensitive)."
            )
        return user

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        name = who.strip().rsplit("id=", 1)[-1]
        if not name:
            raise InputError("Give your Hacker News username.")
        user = await self._user(name)
        handle = str(user.get("id") or name)
        return Identity(
            "hackernews",
            handle,
            url=f"https://news.ycombinator.com/user?id={handle}",
            meta={"created": user.get("created")},
        )

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        if stream == "profile":
            user = await self._user(identity.handle)
            items = []
            if user.get("about"):
                items.append(
                    field_item("hackernews", "about", html_to_text(user["about"]), "About")
                )
            return Page(items, notes=["Hacker News has no delete API: footprint can only read."])
        state = json.loads(cursor) if cursor else {"page": 0}
        if state.get("firebase") is not None:
            return await self._firebase_page(identity, int(state["firebase"]))
        try:
            return await self._algolia_page(identity, state)
        except ConnectorError:
            if cursor is not None:
                raise
            # Algolia is down or gone: walk the official API instead.
            return await self._firebase_page(identity, 0)

    async def _algolia_page(self, identity: Identity, state: dict[str, Any]) -> Page:
        params: dict[str, Any] = {
            "tags": f"(story,comment),author_{identity.handle}",
            "hitsPerPage": HITS,
            "page": state.get("page", 0),
        }
        if state.get("before"):
            params["numericFilters"] = f"created_at_i<{state['before']}"
        found = await self.api.get(f"{self.urls['algolia']}/search_by_date", params=params)
        hits = found.get("hits") or [] if isinstance(found, dict) else []
        items = [item for hit in hits if (item := self._hit(hit))]
        if not hits:
            return Page(items, records=0)
        page = int(found.get("page", params["page"]))
        pages = int(found.get("nbPages", 0))
        if page + 1 < pages:
            nxt = {"page": page + 1, "before": state.get("before")}
        elif len(hits) == HITS:
            # Paging depth reached: ask again for what is older than the oldest hit.
            oldest = min(int(h.get("created_at_i") or 0) for h in hits)
            if not oldest or oldest == state.get("before"):
                return Page(items)
            nxt = {"page": 0, "before": oldest}
        else:
            return Page(items)
        return Page(items, next=json.dumps(nxt, sort_keys=True), records=len(hits))

    @staticmethod
    def _hit(hit: dict[str, Any]) -> Item | None:
        hit = stable(hit, VOLATILE)
        object_id = hit.get("objectID")
        if not object_id:
            return None
        tags = hit.get("_tags") or []
        created = from_text(hit.get("created_at")) or from_epoch(hit.get("created_at_i"))
        if "comment" in tags or hit.get("comment_text"):
            story = hit.get("story_title")
            return Item(
                "hackernews",
                "comment",
                str(object_id),
                text=html_to_text(hit.get("comment_text")),
                title=f"on “{story}”" if story else None,
                created_at=created,
                url=item_url(object_id),
                parent_id=str(hit["parent_id"]) if hit.get("parent_id") else None,
                visibility="public",
                source="api:hackernews",
                raw=hit,
            )
        return Item(
            "hackernews",
            "post",
            str(object_id),
            text=html_to_text(hit.get("story_text")) or hit.get("url") or "",
            title=hit.get("title"),
            created_at=created,
            url=item_url(object_id),
            visibility="public",
            source="api:hackernews",
            raw=hit,
        )

    async def _firebase_page(self, identity: Identity, start: int) -> Page:
        user = await self._user(identity.handle)
        submitted = user.get("submitted") or []
        batch = submitted[start : start + FIREBASE_BATCH]
        gate = asyncio.Semaphore(FIREBASE_PARALLEL)

        async def fetch(item_id: Any) -> Any:
            async with gate:
                return await self.api.get(f"{self.urls['firebase']}/item/{item_id}.json")

        # A task group cancels the other fetches as soon as one fails.
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(fetch(item_id)) for item_id in batch]
        found = [task.result() for task in tasks]
        items = []
        for item_id, data in zip(batch, found, strict=True):
            if not isinstance(data, dict) or data.get("deleted") or data.get("dead"):
                continue
            data = stable(data, VOLATILE)
            kind = "comment" if data.get("type") == "comment" else "post"
            items.append(
                Item(
                    "hackernews",
                    kind,
                    str(data.get("id") or item_id),
                    text=html_to_text(data.get("text")) or data.get("url") or "",
                    title=data.get("title"),
                    created_at=from_epoch(data.get("time")),
                    url=item_url(item_id),
                    parent_id=str(data["parent"]) if data.get("parent") else None,
                    visibility="public",
                    source="api:hackernews",
                    raw=data,
                )
            )
        end = start + FIREBASE_BATCH
        nxt = json.dumps({"firebase": end}) if end < len(submitted) else None
        return Page(items, next=nxt, records=len(batch))
