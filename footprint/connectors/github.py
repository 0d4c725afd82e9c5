"""GitHub: the public profile, recent public activity, and emails exposed in commits.

Without a token footprint reads what anyone can: ``/users/{login}`` (every non-null field
is public), the public events timeline (at most 300 events from the last 90 days) and the
commits of the person's own public repositories.  Since October 2025 push events no longer
carry commit authors, so the emails are read from the commits themselves; noreply
addresses are not leaks and are skipped.  With a token (kept in the keyring) footprint also
reads ``/user/emails`` to learn whether the primary email is public, and can change it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from footprint.archives.text import from_text
from footprint.connectors.base import (
    Capabilities,
    Connector,
    Identity,
    Page,
    field_item,
    setting_item,
)
from footprint.connectors.errors import AccountNotFound
from footprint.errors import InputError
from footprint.store import Item

API_VERSION = "2022-11-28"
PROFILE_FIELDS = (
    ("name", "Name"),
    ("company", "Company"),
    ("blog", "Website"),
    ("location", "Location"),
    ("email", "Public email"),
    ("bio", "Bio"),
    ("twitter_username", "X (Twitter) username"),
)
MAX_EVENT_PAGES = 3  # GitHub keeps 300 events at most
MAX_REPOS = 30  # the most recently pushed repositories are read for commit emails
NOREPLY = ("@users.noreply.github.com", "noreply@github.com")


def _is_noreply(email: str) -> bool:
    return email.lower().endswith(NOREPLY)


class GitHubConnector(Connector):
    platform = "github"
    streams = ("profile", "events", "commit_emails")
    endpoints: ClassVar[dict[str, str]] = {"api": "https://api.github.com"}
    who = "username"
    secret_kind = "token"

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        return headers

    async def _get(self, path: str, **params: Any) -> Any:
        return await self.api.get(
            self.urls["api"] + path,
            params=params or None,
            headers=self._headers(),
            signed_in=bool(self.secret),
        )

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        login = who.strip().removeprefix("@").rstrip("/").rsplit("/", 1)[-1]
        if not login:
            raise InputError("Give your GitHub username.")
        self.secret = secret or self.secret
        try:
            user = await self._get(f"/users/{login}")
        except AccountNotFound:
            raise AccountNotFound(f"GitHub has no user named {login!r}.") from None
        if self.secret:
            me = await self._get("/user")
            if str(me.get("login", "")).lower() != str(user.get("login", "")).lower():
                raise InputError(
                    f"That token belongs to GitHub user {me.get('login')!r}, not {login!r}.",
                    hint="Create the token while signed in as the account you are connecting.",
                )
        return Identity(
            "github",
            str(user.get("login") or login),
            url=user.get("html_url") or f"https://github.com/{login}",
            display_name=user.get("name"),
            meta={"id": user.get("id"), "signed_in": bool(self.secret)},
            secret=self.secret,
        )

    def capabilities(self, identity: Identity) -> Capabilities:
        if not self.secret:
            return Capabilities()
        return Capabilities(settings=frozenset({"email_visibility", "hireable"}))

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        if stream == "profile":
            return await self._profile(identity)
        if stream == "events":
            return await self._events(identity, int(cursor or 1))
        return await self._commit_emails(identity)

    async def _profile(self, identity: Identity) -> Page:
        user = await self._get("/user" if self.secret else f"/users/{identity.handle}")
        items: list[Item] = []
        for key, title in PROFILE_FIELDS:
            value = user.get(key)
            if value:
                items.append(field_item("github", key, value, title, url=identity.url))
        items.append(setting_item("github", "hireable", bool(user.get("hireable")), "Hireable"))
        if self.secret:
            emails = await self._get("/user/emails")
            primary = next((e for e in emails or [] if e.get("primary")), None)
            if primary is not None:
                items.append(
                    setting_item(
                        "github",
                        "email_visibility",
                        primary.get("visibility") or "private",
                        "Primary email visibility",
                    )
                )
        return Page(items)

    async def _events(self, identity: Identity, page: int) -> Page:
        events = await self._get(f"/users/{identity.handle}/events/public", per_page=100, page=page)
        items = [item for event in events or [] if (item := self._event_item(event))]
        more = len(events or []) == 100 and page < MAX_EVENT_PAGES
        notes = ["GitHub shows only the last 90 days (at most 300 events) of public activity."]
        return Page(
            items, next=str(page + 1) if more else None, notes=notes, records=len(events or [])
        )

    @staticmethod
    def _event_item(event: dict[str, Any]) -> Item | None:
        kind = event.get("type")
        payload = event.get("payload") or {}
        repo = (event.get("repo") or {}).get("name", "")
        created = from_text(event.get("created_at"))
        if kind in ("IssueCommentEvent", "CommitCommentEvent", "PullRequestReviewCommentEvent"):
            comment = payload.get("comment") or {}
            if not comment.get("body"):
                return None
            return Item(
                "github",
                "comment",
                str(comment.get("id") or event.get("id")),
                text=comment["body"],
                title=f"Comment in {repo}",
                created_at=from_text(comment.get("created_at")) or created,
                url=comment.get("html_url"),
                visibility="public",
                source="api:github",
                raw=event,
            )
        if kind in ("IssuesEvent", "PullRequestEvent") and payload.get("action") == "opened":
            thing = payload.get("issue") or payload.get("pull_request") or {}
            return Item(
                "github",
                "post",
                str(thing.get("id") or event.get("id")),
                text=thing.get("body") or "",
                title=thing.get("title") or f"Opened in {repo}",
                created_at=from_text(thing.get("created_at")) or created,
                url=thing.get("html_url"),
                visibility="public",
                source="api:github",
                raw=event,
            )
        return None

    async def _commit_emails(self, identity: Identity) -> Page:
        repos = await self._get(
            f"/users/{identity.handle}/repos", type="owner", sort="pushed", per_page=MAX_REPOS
        )
        found: dict[str, dict[str, Any]] = {}
        for repo in (repos or [])[:MAX_REPOS]:
            if repo.get("fork") or repo.get("private"):
                continue
            name = repo.get("full_name")
            response = await self.api.request(
                "GET",
                f"{self.urls['api']}/repos/{name}/commits",
                params={"author": identity.handle, "per_page": 100},
                headers=self._headers(),
                signed_in=bool(self.secret),
                accept=frozenset({404, 409}),  # an empty repository answers 409
            )
            commits = self.api.decode(response) if response.status_code == 200 else []
            for commit in commits or []:
                details = commit.get("commit") or {}
                for role in ("author", "committer"):
                    person = details.get(role) or {}
                    email = str(person.get("email") or "").strip().lower()
                    if not email or _is_noreply(email):
                        continue
                    entry = found.setdefault(
                        email,
                        {"email": email, "name": person.get("name"), "repos": [], "example": None},
                    )
                    if name not in entry["repos"]:
                        entry["repos"].append(name)
                    entry["example"] = entry["example"] or commit.get("html_url")
        items = [
            Item(
                "github",
                "commit_email",
                email,
                text=(
                    f"Public commits in {', '.join(entry['repos'][:5])} show the email "
                    f"address {email}."
                ),
                title="Email address in public commits",
                url=entry["example"],
                visibility="public",
                source="api:github",
                raw=entry,
            )
            for email, entry in sorted(found.items())
        ]
        notes = []
        if items:
            notes.append(
                "Email addresses in commits already pushed stay public; new commits can use "
                "your noreply address (github.com/settings/emails)."
            )
        return Page(items, notes=notes)

    async def change_setting(self, identity: Identity, key: str, value: str) -> None:
        if key == "email_visibility":
            await self.api.request(
                "PATCH",
                self.urls["api"] + "/user/email/visibility",
                json_body={"visibility": value},
                headers=self._headers(),
                signed_in=True,
            )
        elif key == "hireable":
            await self.api.request(
                "PATCH",
                self.urls["api"] + "/user",
                json_body={"hireable": value == "true"},
                headers=self._headers(),
                signed_in=True,
            )
        else:
            await super().change_setting(identity, key, value)

    async def read_setting(self, identity: Identity, key: str) -> str | None:
        page = await self._profile(identity)
        for item in page.items:
            if item.kind == "setting" and item.platform_id == key:
                return item.text
        return None
