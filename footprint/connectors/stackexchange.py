"""Stack Exchange: a user's questions, answers and comments on one site, read-only.

The person names the account as ``site:user_id`` (``stackoverflow:12345``), a profile URL
(``https://stackoverflow.com/users/12345/name``) or ``site:display name`` (found with
``/users?inname=``; several matches are listed, not guessed).  Every response may carry a
``backoff``: footprint then waits that many seconds before the next request, as the API
requires.  Without an app key the API allows 300 requests a day per address.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from footprint.archives.text import from_epoch, html_to_text
from footprint.connectors.base import Connector, Identity, Page, field_item, stable
from footprint.connectors.errors import AccountNotFound, ConnectorError
from footprint.errors import InputError
from footprint.store import Item

SITE_HOSTS = {
    "stackoverflow.com": "stackoverflow",
    "serverfault.com": "serverfault",
    "superuser.com": "superuser",
    "askubuntu.com": "askubuntu",
    "mathoverflow.net": "mathoverflow",
}
PAGE_SIZE = 100
# Votes, views and the owner's reputation change between reads.
VOLATILE = frozenset(
    {
        "score",
        "up_vote_count",
        "down_vote_count",
        "comment_count",
        "answer_count",
        "view_count",
        "last_activity_date",
        "owner",
        "reply_to_user",
    }
)


def parse_who(who: str) -> tuple[str, str]:
    """(site, user id or name) from what the person typed."""
    text = who.strip()
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        host = (parts.hostname or "").removeprefix("www.")
        match = re.match(r"^/users/(\d+)", parts.path)
        if not match:
            raise InputError(
                f"{text} is not a Stack Exchange profile address.",
                hint="Copy the address of your profile page: …/users/12345/your-name",
            )
        site = SITE_HOSTS.get(host) or host.removesuffix(".stackexchange.com")
        return site, match.group(1)
    site, sep, user = text.partition(":")
    if not sep or not site or not user:
        raise InputError(
            f"{who!r} does not say which site: write it as site:user, e.g. stackoverflow:12345.",
        )
    return site.strip().lower(), user.strip()


class StackExchangeConnector(Connector):
    platform = "stackexchange"
    streams = ("profile", "posts", "comments")
    endpoints: ClassVar[dict[str, str]] = {"api": "https://api.stackexchange.com/2.3"}
    who = "site:user id"

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        body = await self.api.get(self.urls["api"] + path, params=params)
        if not isinstance(body, dict):
            raise ConnectorError("Stack Exchange answered in an unexpected shape.")
        if body.get("backoff"):
            self.api.hold(float(body["backoff"]))
        if body.get("error_id"):
            raise ConnectorError(
                f"Stack Exchange refused: {body.get('error_message') or body.get('error_name')}."
            )
        return body

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        site, user = parse_who(who)
        if user.isdigit():
            found = await self._get(f"/users/{user}", site=site)
            items = found.get("items") or []
        else:
            found = await self._get("/users", site=site, inname=user, pagesize=20)
            matches = found.get("items") or []
            items = [
                u for u in matches if str(u.get("display_name", "")).casefold() == user.casefold()
            ]
            if len(items) > 1 or (not items and matches):
                listed = ", ".join(
                    f"{u.get('display_name')} ({site}:{u.get('user_id')})" for u in matches[:10]
                )
                raise InputError(
                    f"Several {site} users match {user!r}: {listed}.",
                    hint="Connect with the number: footprint connect stackexchange site:ID",
                )
        if not items:
            raise AccountNotFound(f"{site} has no user {user!r}.")
        data = items[0]
        user_id = str(data.get("user_id"))
        return Identity(
            "stackexchange",
            f"{site}:{user_id}",
            url=data.get("link"),
            display_name=data.get("display_name"),
            meta={"site": site, "user_id": user_id, "account_id": data.get("account_id")},
        )

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        site = identity.meta["site"]
        user_id = identity.meta["user_id"]
        if stream == "profile":
            found = await self._get(f"/users/{user_id}", site=site, filter="withbody")
            data = (found.get("items") or [{}])[0]
            items = [
                field_item("stackexchange", f"{site}/{key}", html_to_text(str(data[key])), title)
                for key, title in (
                    ("display_name", "Display name"),
                    ("location", "Location"),
                    ("website_url", "Website"),
                    ("about_me", "About me"),
                )
                if data.get(key)
            ]
            return Page(items)
        page = int(cursor or 1)
        path = "posts" if stream == "posts" else "comments"
        found = await self._get(
            f"/users/{user_id}/{path}",
            site=site,
            page=page,
            pagesize=PAGE_SIZE,
            order="desc",
            sort="creation",
            filter="withbody",
        )
        records = found.get("items") or []
        items = [self._item(site, data, stream) for data in records]
        return Page(
            items, next=str(page + 1) if found.get("has_more") else None, records=len(records)
        )

    @staticmethod
    def _item(site: str, data: dict[str, Any], stream: str) -> Item:
        data = stable(data, VOLATILE)
        if stream == "comments":
            return Item(
                "stackexchange",
                "comment",
                f"{site}/c{data.get('comment_id')}",
                text=html_to_text(data.get("body")),
                title=f"Comment on {site}",
                created_at=from_epoch(data.get("creation_date")),
                url=data.get("link"),
                parent_id=f"{site}/{data['post_id']}" if data.get("post_id") else None,
                visibility="public",
                source="api:stackexchange",
                raw=data,
            )
        kind = "reply" if data.get("post_type") == "answer" else "post"
        return Item(
            "stackexchange",
            kind,
            f"{site}/{data.get('post_id')}",
            text=html_to_text(data.get("body")),
            title=html_to_text(data.get("title")) or f"{kind} on {site}",
            created_at=from_epoch(data.get("creation_date")),
            url=data.get("link"),
            visibility="public",
            source="api:stackexchange",
            raw=data,
        )
