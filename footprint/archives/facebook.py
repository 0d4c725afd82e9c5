"""Facebook "Download Your Information" (JSON): posts, comments, profile, logins."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from footprint.archives.base import ImportContext, Importer, by_basename, natural_key
from footprint.archives.meta import find_coordinates, find_upload_ips, occurrence_id
from footprint.archives.readers import (
    compact_json_text,
    json_array_with_text,
    json_select,
    load_json,
    peek_text,
)
from footprint.archives.source import Member
from footprint.archives.text import fix_meta, fix_meta_text, from_epoch
from footprint.store import Item

POSTS = r"your_posts(__check_ins__photos_and_videos)?(_\d+)?\.json"
SRC = "archive:facebook"


class FacebookImporter(Importer):
    platform = "facebook"
    label = "Facebook export"

    def claim(self, members: list[Member]) -> list[Member]:
        posts = by_basename(members, POSTS)
        comments = [
            m
            for m in by_basename(members, r"comments(_\d+)?\.json")
            if "comments_v2" in peek_text(m, 256) or '"comments"' in peek_text(m, 256)
        ]
        if not posts and not comments:
            return []
        extra = by_basename(members, r"profile_information\.json|logins_and_logouts\.json")
        return sorted(posts, key=natural_key) + comments + extra

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        self._seen: Counter[tuple[object, ...]] = Counter()
        account_id = None
        for member in members:
            if member.basename.lower() == "profile_information.json":
                profile = fix_meta(load_json(member))
                account_id = self._account(ctx, profile)
                yield from self._profile(profile, account_id)
        for member in members:
            name = member.basename.lower()
            if name.startswith("your_posts"):
                for post, raw_text in json_array_with_text(member):
                    yield from self._post(post, account_id, compact_json_text(raw_text))
            elif name.startswith("comments"):
                patterns = [("comments_v2", "*"), ("comments", "*")]
                for _, entry in json_select(member, patterns):
                    item = self._comment(fix_meta(entry), account_id)
                    if item is None:
                        ctx.skip("comments with no text", member.where)
                    else:
                        yield item
            elif name == "logins_and_logouts.json":
                for _, entry in json_select(member, [("account_accesses_v2", "*")]):
                    if isinstance(entry, dict) and entry.get("ip_address"):
                        when = from_epoch(entry.get("timestamp"))
                        yield Item(
                            "facebook",
                            "login_ip",
                            f"{entry.get('timestamp')}/{entry['ip_address']}",
                            text=entry["ip_address"],
                            created_at=when,
                            title=f"{entry.get('action', 'Login')} IP",
                            visibility="private",
                            account_id=account_id,
                            source=SRC,
                            raw=entry,
                        )

    def _account(self, ctx: ImportContext, profile: Any) -> int | None:
        info = profile.get("profile_v2", profile) if isinstance(profile, dict) else {}
        uri = info.get("profile_uri") or ""
        handle = urlparse(uri).path.strip("/") or (info.get("name") or {}).get("full_name")
        if not handle:
            return None
        return ctx.account(
            "facebook",
            handle,
            url=uri or None,
            display_name=(info.get("name") or {}).get("full_name"),
        )

    def _profile(self, profile: Any, account_id: int | None) -> Iterator[Item]:
        info = profile.get("profile_v2", profile) if isinstance(profile, dict) else {}
        values: list[tuple[str, str, str]] = []
        name = (info.get("name") or {}).get("full_name")
        if name:
            values.append(("name", "Name", name))
        for email in (info.get("emails") or {}).get("emails") or []:
            values.append((f"email/{email}", "Email address", email))
        birthday = info.get("birthday") or {}
        if birthday.get("year"):
            values.append(
                (
                    "birthday",
                    "Birthday",
                    f"{birthday.get('year')}-"
                    f"{birthday.get('month', 0):02}-{birthday.get('day', 0):02}",
                )
            )
        for key, title in (
            ("gender", "Gender"),
            ("current_city", "Current city"),
            ("hometown", "Hometown"),
            ("relationship", "Relationship"),
        ):
            value = info.get(key)
            if isinstance(value, dict):
                value = value.get("name") or value.get("gender_option") or value.get("status")
            if value:
                values.append((key, title, str(value)))
        for number in info.get("phone_numbers") or []:
            if isinstance(number, dict) and number.get("phone_number"):
                values.append(
                    (f"phone/{number['phone_number']}", "Phone number", number["phone_number"])
                )
        for pid, title, text in values:
            yield Item(
                "facebook",
                "profile_field",
                pid,
                text=text,
                title=title,
                account_id=account_id,
                source=SRC,
                raw={pid: text},
            )

    def _post(self, post: Any, account_id: int | None, raw_text: str) -> Iterator[Item]:
        """A post, its check-in and upload IPs; text is repaired, raw is kept as exported."""
        if not isinstance(post, dict):
            return
        texts = [d["post"] for d in post.get("data") or [] if isinstance(d, dict) and d.get("post")]
        text = fix_meta_text("\n".join(texts))
        created = from_epoch(post.get("timestamp"))
        title = fix_meta_text(post.get("title") or "") or None
        # The export has no post ids. Key on what an edit does not change (time, media) and
        # count repeats within the second, so a later export of an edited post matches it.
        pid = occurrence_id(self._seen, "post", post.get("timestamp"), *_media_uris(post))
        yield Item(
            "facebook",
            "post",
            pid,
            text=text,
            title=title,
            created_at=created,
            account_id=account_id,
            source=SRC,
            raw_text=raw_text,
        )
        attachments = fix_meta(post.get("attachments") or [])
        for data in (d for a in attachments if isinstance(a, dict) for d in a.get("data") or []):
            place = data.get("place") if isinstance(data, dict) else None
            if isinstance(place, dict):
                coords = next(find_coordinates(place), None)
                where = place.get("name") or ""
                if coords:
                    where = f"{where} ({coords[0]:.5f}, {coords[1]:.5f})".strip()
                if where:
                    yield Item(
                        "facebook",
                        "checkin",
                        f"{pid}/place",
                        text=where,
                        title="Check-in",
                        created_at=created,
                        parent_id=pid,
                        account_id=account_id,
                        source=SRC,
                        raw=place,
                    )
        for index, (ip, when) in enumerate(find_upload_ips(attachments)):
            yield Item(
                "facebook",
                "upload_ip",
                f"{pid}/upload_ip/{index}",
                text=ip,
                title="IP address a photo was uploaded from",
                created_at=when or created,
                parent_id=pid,
                visibility="private",
                account_id=account_id,
                source=SRC,
                raw={"upload_ip": ip},
            )

    def _comment(self, entry: Any, account_id: int | None) -> Item | None:
        if not isinstance(entry, dict):
            return None
        texts, group = [], None
        for data in entry.get("data") or []:
            comment = data.get("comment") if isinstance(data, dict) else None
            if isinstance(comment, dict):
                if comment.get("comment"):
                    texts.append(comment["comment"])
                group = comment.get("group") or group
        if not texts:
            return None
        text = "\n".join(texts)
        title = entry.get("title") or None
        return Item(
            "facebook",
            "comment",
            occurrence_id(self._seen, "comment", entry.get("timestamp")),
            text=text,
            title=title or (f"In group {group}" if group else None),
            created_at=from_epoch(entry.get("timestamp")),
            account_id=account_id,
            source=SRC,
            raw=entry,
        )


def _media_uris(post: dict[str, Any]) -> list[str]:
    uris = []
    for attachment in post.get("attachments") or []:
        for data in (attachment.get("data") or []) if isinstance(attachment, dict) else []:
            media = data.get("media") if isinstance(data, dict) else None
            if isinstance(media, dict) and isinstance(media.get("uri"), str):
                uris.append(media["uri"])
    return uris
