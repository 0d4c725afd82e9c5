"""Instagram export (JSON): posts (three path generations), comments, personal information."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from footprint.archives.base import ImportContext, Importer, by_basename, natural_key
from footprint.archives.meta import find_coordinates, first_list, occurrence_id
from footprint.archives.readers import json_array, json_select, load_json
from footprint.archives.source import Member
from footprint.archives.text import fix_meta, from_epoch
from footprint.store import Item

SRC = "archive:instagram"
# string_map_data labels follow the account's language.
COMMENT_KEYS = {
    "comment",
    "kommentar",
    "commentaire",
    "comentario",
    "comentário",
    "commento",
    "reactie",
    "opmerking",
    "komentarz",
    "yorum",
    "kommentti",
    "komentář",
}
OWNER_KEYS = {
    "media owner",
    "medieninhaber",
    "propriétaire du contenu multimédia",
    "propietario del contenido",
    "eigenaar van media",
    "proprietario del contenuto",
    "dono da mídia",
    "właściciel multimediów",
}
POST_FOLDERS = ("your_instagram_activity/media/", "your_instagram_activity/content/", "content/")


class InstagramImporter(Importer):
    platform = "instagram"
    label = "Instagram export"

    def claim(self, members: list[Member]) -> list[Member]:
        posts = [
            m
            for m in by_basename(members, r"posts_\d+\.json")
            if any(
                ("/" + m.name.lower()).endswith("/" + f + m.basename.lower()) for f in POST_FOLDERS
            )
        ]
        comments = by_basename(members, r"(post|reels)_comments(_\d+)?\.json")
        if not posts and not comments:
            return []
        info = by_basename(members, r"personal_information\.json")
        return info + sorted(posts, key=natural_key) + sorted(comments, key=natural_key)

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        self._seen: Counter[tuple[object, ...]] = Counter()
        account_id = None
        for member in members:
            name = member.basename.lower()
            if name == "personal_information.json":
                account_id, fields = self._personal(ctx, fix_meta(load_json(member)))
                yield from fields
            elif name.startswith("posts_"):
                for post in json_array(member):
                    yield from self._post(fix_meta(post), account_id)
            else:
                for entry in _comment_entries(member):
                    item = self._comment(fix_meta(entry), account_id)
                    if item is None:
                        ctx.skip("comments with no text", member.where)
                    else:
                        yield item

    def _personal(self, ctx: ImportContext, data: Any) -> tuple[int | None, list[Item]]:
        users = first_list(data)
        values = (
            users[0].get("string_map_data") if users and isinstance(users[0], dict) else None
        ) or {}
        flat = {k: (v.get("value") if isinstance(v, dict) else v) for k, v in values.items()}
        username = next(
            (
                v
                for k, v in flat.items()
                if k.lower()
                in ("username", "nom d\u2019utilisateur", "benutzername", "nombre de usuario")
            ),
            None,
        )
        account_id = None
        if username:
            account_id = ctx.account(
                "instagram", username, url=f"https://www.instagram.com/{username}/"
            )
        items = [
            Item(
                "instagram",
                "profile_field",
                key,
                text=str(value),
                title=key,
                account_id=account_id,
                source=SRC,
                raw={key: value},
            )
            for key, value in flat.items()
            if value not in (None, "", [])
        ]
        return account_id, items

    def _post(self, post: Any, account_id: int | None) -> Iterator[Item]:
        if not isinstance(post, dict):
            return
        media = [m for m in post.get("media") or [] if isinstance(m, dict)]
        first = media[0] if media else {}
        caption = post.get("title") or first.get("title") or ""
        stamp = post.get("creation_timestamp") or first.get("creation_timestamp")
        created = from_epoch(stamp)
        pid = occurrence_id(self._seen, "post", stamp, *(str(m.get("uri")) for m in media))
        yield Item(
            "instagram",
            "post",
            pid,
            text=caption,
            created_at=created,
            account_id=account_id,
            source=SRC,
            raw=post,
        )
        coords = next(find_coordinates(media), None)
        if coords:
            yield Item(
                "instagram",
                "checkin",
                f"{pid}/location",
                text=f"Photo location {coords[0]:.5f}, {coords[1]:.5f}",
                title="Location stored with a photo",
                created_at=created,
                parent_id=pid,
                account_id=account_id,
                source=SRC,
                raw={"latitude": coords[0], "longitude": coords[1]},
            )

    def _comment(self, entry: Any, account_id: int | None) -> Item | None:
        values = entry.get("string_map_data") if isinstance(entry, dict) else None
        if not isinstance(values, dict):
            return None
        text = owner = stamp = None
        untagged = []
        for key, value in values.items():
            if not isinstance(value, dict):
                continue
            label = key.strip().lower()
            if "timestamp" in value and value.get("timestamp"):
                stamp = value["timestamp"]
            elif label in COMMENT_KEYS:
                text = value.get("value")
            elif label in OWNER_KEYS:
                owner = value.get("value")
            elif value.get("value"):
                untagged.append(value["value"])
        if text is None and untagged:
            text = untagged[0]  # unknown language: the first value is the comment
        if not text:
            return None
        return Item(
            "instagram",
            "comment",
            occurrence_id(self._seen, "comment", stamp, owner),
            text=text,
            title=f"On a post by {owner}" if owner else None,
            created_at=from_epoch(stamp),
            account_id=account_id,
            source=SRC,
            raw=entry,
        )


def _comment_entries(member: Member) -> Iterator[Any]:
    """Comment records, streamed: a bare list, or a list under one (localised) key."""
    for _, entry in json_select(member, [("*",), ("?", "*")]):
        yield entry
