"""Mastodon account archive: outbox.json (ActivityStreams) and actor.json."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from footprint.archives.base import ImportContext, Importer, by_basename
from footprint.archives.readers import json_select, load_json, peek_text
from footprint.archives.source import Member
from footprint.archives.text import from_text, html_to_text
from footprint.store import Item

PUBLIC = {"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}


def visibility(to: Any, cc: Any) -> str:
    """Mastodon's visibility from an activity's addressing (TagManager's rules)."""
    to_list = to if isinstance(to, list) else [to] if to else []
    cc_list = cc if isinstance(cc, list) else [cc] if cc else []
    if any(a in PUBLIC for a in to_list):
        return "public"
    if any(a in PUBLIC for a in cc_list):
        return "unlisted"
    if any(isinstance(a, str) and a.endswith("/followers") for a in to_list):
        return "followers"
    return "direct"


def _is_outbox(member: Member) -> bool:
    head = peek_text(member, 4096)
    return '"orderedItems"' in head or "OrderedCollection" in head


class MastodonImporter(Importer):
    platform = "mastodon"
    label = "Mastodon archive"

    def claim(self, members: list[Member]) -> list[Member]:
        outbox = [m for m in by_basename(members, r"outbox\.json") if _is_outbox(m)]
        if not outbox:
            return []
        actor = by_basename(members, r"actor\.json")
        return outbox + actor

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        actors = [m for m in members if m.basename.lower() == "actor.json"]
        outboxes = [m for m in members if m.basename.lower() == "outbox.json"]
        actor = load_json(actors[0]) if actors else {}
        account_id = self._account(ctx, actor)
        if actor:
            yield from self._actor_items(actor, account_id)
        for member in outboxes:
            for _, activity in json_select(member, [("orderedItems", "*")]):
                item = self._activity(activity, account_id)
                if item is None:
                    ctx.skip("activities that are neither posts nor boosts", member.where)
                else:
                    yield item

    def _account(self, ctx: ImportContext, actor: dict[str, Any]) -> int | None:
        user = actor.get("preferredUsername")
        actor_id = actor.get("id") or actor.get("url") or ""
        host = urlparse(str(actor_id)).hostname
        if not (user and host):
            ctx.note(
                "The Mastodon archive has no actor.json, so footprint cannot tell which "
                "account it is."
            )
            return None
        handle = f"@{user}@{host}"
        return ctx.account("mastodon", handle, url=actor.get("url"), display_name=actor.get("name"))

    def _actor_items(self, actor: dict[str, Any], account_id: int | None) -> Iterator[Item]:
        def field(pid: str, text: Any, title: str, kind: str = "profile_field") -> Item:
            return Item(
                "mastodon",
                kind,
                pid,
                text=str(text),
                title=title,
                visibility="public",
                account_id=account_id,
                source="archive:mastodon",
                raw={pid: text},
            )

        if actor.get("name"):
            yield field("display_name", actor["name"], "Display name")
        if actor.get("summary"):
            yield field("note", html_to_text(actor["summary"]), "Bio")
        for entry in actor.get("attachment") or []:
            if isinstance(entry, dict) and entry.get("type") == "PropertyValue":
                yield field(
                    f"fields/{entry.get('name')}",
                    html_to_text(entry.get("value")),
                    f"Profile field: {entry.get('name')}",
                )
        for key, title in (
            ("discoverable", "Suggest account to others"),
            ("manuallyApprovesFollowers", "Approve followers manually"),
            ("indexable", "Include public posts in search results"),
        ):
            if key in actor:
                name = "locked" if key == "manuallyApprovesFollowers" else key
                yield field(name, str(bool(actor[key])).lower(), title, kind="setting")

    def _activity(self, activity: Any, account_id: int | None) -> Item | None:
        if not isinstance(activity, dict):
            return None
        kind = activity.get("type")
        published = from_text(activity.get("published"))
        seen = visibility(activity.get("to"), activity.get("cc"))
        if kind == "Announce":
            target = activity.get("object")
            target = target.get("id") if isinstance(target, dict) else target
            activity_id = str(activity.get("id") or "")
            pid = activity_id.rstrip("/").removesuffix("/activity").rsplit("/", 1)[-1]
            return Item(
                "mastodon",
                "repost",
                pid or activity_id,
                text=str(target or ""),
                created_at=published,
                url=str(target or "") or None,
                visibility=seen,
                account_id=account_id,
                source="archive:mastodon",
                raw=activity,
            )
        note = activity.get("object")
        if kind != "Create" or not isinstance(note, dict):
            return None
        object_id = str(note.get("id") or "")
        pid = object_id.rstrip("/").rsplit("/", 1)[-1]
        if not pid:
            return None
        text = html_to_text(note.get("content"))
        if note.get("type") == "Question":
            options = [
                o.get("name", "")
                for o in (note.get("oneOf") or note.get("anyOf") or [])
                if isinstance(o, dict)
            ]
            text = "\n".join([text, *options]).strip()
        attachments = [
            a.get("name")
            for a in note.get("attachment") or []
            if isinstance(a, dict) and a.get("name")
        ]
        if attachments:
            text = "\n".join([text, *(f"[image: {alt}]" for alt in attachments)]).strip()
        reply_to = note.get("inReplyTo")
        return Item(
            "mastodon",
            "reply" if reply_to else "post",
            pid,
            text=text,
            title=note.get("summary") or None,
            created_at=from_text(note.get("published")) or published,
            url=note.get("url") or object_id,
            parent_id=reply_to or None,
            visibility=visibility(
                note.get("to", activity.get("to")), note.get("cc", activity.get("cc"))
            ),
            account_id=account_id,
            source="archive:mastodon",
            raw=activity,
        )
