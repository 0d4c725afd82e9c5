"""X / Twitter archive: data/*.js files ('window.YTD.<name>.partN = [...]'), parsed as JSON
after the first '=' (never executed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from footprint.archives.base import ImportContext, Importer, natural_key
from footprint.archives.readers import (
    compact_json_text,
    json_array,
    json_array_with_text,
    load_json,
    peek_text,
)
from footprint.archives.source import Member
from footprint.archives.text import from_text, from_twitter, snowflake_time, unescape
from footprint.store import Item

_HEAD = re.compile(r"^\s*window\.(YTD\.([A-Za-z_]+)\.part\d+|__THAR_CONFIG)\s*=")
TWEETS = {"tweets", "tweet"}
DELETED = {"deleted_tweets", "deleted_tweet"}
WANTED = (
    TWEETS
    | DELETED
    | {
        "note_tweet",
        "account",
        "profile",
        "ip_audit",
        "phone_number",
        "screen_name_change",
        "email_address_change",
        "manifest",
    }
)


def _dataset(member: Member) -> str | None:
    if not member.basename.lower().endswith(".js"):
        return None
    match = _HEAD.match(peek_text(member, 512))
    if not match:
        return None
    return "manifest" if match.group(1) == "__THAR_CONFIG" else match.group(2)


class XImporter(Importer):
    platform = "x"
    label = "X (Twitter) archive"

    def claim(self, members: list[Member]) -> list[Member]:
        self._datasets: dict[str, list[Member]] = {}
        claimed = []
        for member in members:
            name = _dataset(member)
            if name in WANTED:
                self._datasets.setdefault(name, []).append(member)
                claimed.append(member)
        if not any(k in self._datasets for k in (*TWEETS, "account", "manifest")):
            return []
        for parts in self._datasets.values():
            parts.sort(key=natural_key)
        return claimed

    def _parts(self, *names: str) -> list[Member]:
        return [m for n in names for m in self._datasets.get(n, [])]

    def items(self, ctx: ImportContext, members: list[Member]) -> Iterator[Item]:
        username, account_id = self._account(ctx)
        self.username = username
        self.account_id = account_id
        yield from self._profile_items(ctx)
        notes = self._notes()
        for member in self._parts("tweets", "tweet"):
            for entry, raw_text in json_array_with_text(member, js=True):
                item = self._tweet(entry, notes, raw_text)
                if item is not None:
                    yield item
                else:
                    ctx.skip("tweets without an id", member.where)
        for member in self._parts("deleted_tweets", "deleted_tweet"):
            for entry, raw_text in json_array_with_text(member, js=True):
                item = self._tweet(entry, notes, raw_text)
                if item is not None:
                    item.kind = "deleted_post"
                    item.title = "Deleted, but X still keeps it"
                    yield item
        for member in self._parts("ip_audit"):
            for entry in json_array(member, js=True):
                record = entry.get("ipAudit", entry) if isinstance(entry, dict) else {}
                ip = record.get("loginIp")
                if ip:
                    created = from_text(record.get("createdAt"))
                    yield Item(
                        "x",
                        "login_ip",
                        f"{record.get('createdAt')}/{ip}",
                        text=str(ip),
                        created_at=created,
                        title="Login IP address",
                        visibility="private",
                        account_id=account_id,
                        source="archive:x",
                        raw=record,
                    )

    def _account(self, ctx: ImportContext) -> tuple[str | None, int | None]:
        username = display = None
        for member in self._parts("manifest"):
            info = load_json(member, js=True).get("userInfo", {})
            username, display = info.get("userName"), info.get("displayName")
        for member in self._parts("account"):
            for entry in load_json(member, js=True):
                account = entry.get("account", entry)
                username = account.get("username") or username
                display = account.get("accountDisplayName") or display
        if not username:
            ctx.note(
                "The X archive does not say which account it is (no account.js or "
                "manifest.js); post links use x.com/i/web/status."
            )
            return None, None
        account_id = ctx.account(
            "x", username, url=f"https://x.com/{username}", display_name=display
        )
        return username, account_id

    def _field(self, name: str, value: Any, title: str, **extra: Any) -> Item:
        return Item(
            "x",
            "profile_field",
            name,
            text=str(value),
            title=title,
            visibility="public",
            account_id=self.account_id,
            source="archive:x",
            **extra,
        )

    def _profile_items(self, ctx: ImportContext) -> Iterator[Item]:
        for member in self._parts("account"):
            for entry in load_json(member, js=True):
                account = entry.get("account", entry)
                for key, title, visibility in (
                    ("email", "Email address on the account", "private"),
                    ("username", "Username", "public"),
                    ("accountDisplayName", "Display name", "public"),
                    ("createdAt", "Account created", "public"),
                ):
                    if account.get(key):
                        item = self._field(key, account[key], title, raw=account)
                        item.visibility = visibility
                        yield item
        for member in self._parts("profile"):
            for entry in load_json(member, js=True):
                description = entry.get("profile", entry).get("description", {}) or {}
                for key, title in (
                    ("bio", "Bio"),
                    ("website", "Website"),
                    ("location", "Location"),
                ):
                    if description.get(key):
                        yield self._field(key, description[key], title, raw=description)
        for member in self._parts("phone_number"):
            for index, entry in enumerate(load_json(member, js=True)):
                number = _find(entry, "phoneNumber")
                if number:
                    item = self._field(
                        f"phone_number/{index}", number, "Phone number on the account"
                    )
                    item.visibility = "private"
                    yield item
        for member in self._parts("screen_name_change"):
            for entry in load_json(member, js=True):
                old = _find(entry, "changedFrom")
                if old:
                    when = _find(entry, "changedAt")
                    yield self._field(
                        f"previous_username/{old}",
                        old,
                        "Earlier username",
                        created_at=from_text(when),
                        raw=entry,
                    )
        for member in self._parts("email_address_change"):
            for entry in load_json(member, js=True):
                old = _find(entry, "changedFrom")
                if old:
                    item = self._field(
                        f"previous_email/{old}",
                        old,
                        "Earlier email address",
                        created_at=from_text(_find(entry, "changedAt")),
                        raw=entry,
                    )
                    item.visibility = "private"
                    yield item

    def _notes(self) -> dict[str, list[str]]:
        """Full texts of long posts, by creation time (how X links them is undocumented)."""
        notes: dict[str, list[str]] = {}
        for member in self._parts("note_tweet"):
            for entry in json_array(member, js=True):
                note = entry.get("noteTweet", entry) if isinstance(entry, dict) else {}
                text = (note.get("core") or {}).get("text")
                created = from_text(note.get("createdAt"))
                if text and created:
                    notes.setdefault(created, []).append(text)
        return notes

    def _tweet(self, entry: Any, notes: dict[str, list[str]], raw_text: str) -> Item | None:
        """The item for one tweets.js entry; its raw JSON is the entry exactly as exported."""
        tweet = entry.get("tweet", entry) if isinstance(entry, dict) else None
        if not isinstance(tweet, dict):
            return None
        tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
        if not tweet_id:
            return None
        text = unescape(tweet.get("full_text") or tweet.get("text") or "")
        for url in (tweet.get("entities") or {}).get("urls") or []:
            if url.get("url") and url.get("expanded_url"):
                text = text.replace(url["url"], url["expanded_url"])
        created = from_twitter(tweet.get("created_at")) or snowflake_time(tweet_id)
        if created in notes and text.rstrip().endswith("…"):
            prefix = text.rstrip()[:-1].strip()[:40]
            for candidate in notes[created]:
                if candidate.startswith(prefix[:20]):
                    text = candidate
                    break
        parent = tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
        kind = "repost" if text.startswith("RT @") else ("reply" if parent else "post")
        user = self.username
        url = (
            f"https://x.com/{user}/status/{tweet_id}"
            if user
            else f"https://x.com/i/web/status/{tweet_id}"
        )
        return Item(
            "x",
            kind,
            tweet_id,
            text=text,
            created_at=created,
            url=url,
            visibility="public",
            parent_id=str(parent) if parent else None,
            account_id=self.account_id,
            source="archive:x",
            raw_text=compact_json_text(raw_text),
        )


def _find(data: Any, key: str) -> Any:
    """The first value stored under ``key`` anywhere in ``data`` (for loosely known shapes)."""
    if isinstance(data, dict):
        if key in data and not isinstance(data[key], dict | list):
            return data[key]
        for value in data.values():
            found = _find(value, key)
            if found is not None:
                return found
    elif isinstance(data, list):
        for value in data:
            found = _find(value, key)
            if found is not None:
                return found
    return None
