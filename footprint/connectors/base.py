"""The one interface every API connector implements.

A connector knows one platform's API.  It never touches the store: it turns what the
API says into :class:`~footprint.store.Item` s, one page at a time, and the sync engine
(:mod:`footprint.connectors.sync`) saves each page together with the cursor to resume
from.  That split keeps every platform's quirks here and the guarantees (resume, no
duplicates, stop on a repeated cursor, cancellation, progress) in one place.

Life of a connection:

1. :meth:`Connector.identify` turns what the person typed (a handle, a username, an
   email) into an :class:`Identity`: the canonical handle, the profile URL, and what
   later calls need (a DID and PDS, a numeric user id, an instance).  With a secret it
   also proves the secret works and returns the secret to keep (:attr:`Identity.secret`).
2. :meth:`Connector.fetch_page` is called per stream (``profile``, ``posts``…) with the
   cursor of the previous page until it returns ``next=None``.
3. Writes for cleanup: :meth:`delete_item` and :meth:`change_setting`, each followed by a
   read-back (:meth:`item_exists`, :meth:`read_setting`): a change counts only when the
   platform confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from footprint.connectors.errors import PermissionMissing
from footprint.platforms import display_name

if TYPE_CHECKING:
    from footprint.connectors.http import Api
    from footprint.store import Item


@dataclass
class Identity:
    """Who the account is, as the platform knows it (stored in ``accounts.sync_state``)."""

    platform: str
    handle: str
    url: str | None = None
    display_name: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # The secret to keep in the keyring (JSON text), when the connection has one.
    secret: str | None = field(default=None, repr=False)


@dataclass
class Page:
    """One page of a stream: its items and where the next page starts (None: the end)."""

    items: list[Item]
    next: str | None = None
    # Facts for the person (e.g. "Reddit shows only the newest 1,000 comments").
    notes: list[str] = field(default_factory=list)
    # How many records the API returned (some are not items: pushes, deleted comments);
    # None: as many as there are items.  Only a page with no records at all is "empty".
    records: int | None = None

    @property
    def empty(self) -> bool:
        return (len(self.items) if self.records is None else self.records) == 0


@dataclass(frozen=True)
class Capabilities:
    """What a connection can do: shown in the Accounts page and used by cleanup."""

    delete: frozenset[str] = frozenset()  # item kinds it can delete
    settings: frozenset[str] = frozenset()  # setting keys it can change


class Connector:
    """Base class; subclasses set the class attributes and implement the methods."""

    platform: ClassVar[str]
    # The streams fetched by a sync, in order; "profile" (fields and settings) first.
    streams: ClassVar[tuple[str, ...]] = ("profile", "posts")
    # Default API locations; tests point them at loopback servers.
    endpoints: ClassVar[dict[str, str]] = {}
    # Seconds between requests when the platform publishes no rate headers to follow.
    min_interval: ClassVar[float] = 0.0
    # What the person types to connect ("username", "handle", "email"...).
    who: ClassVar[str] = "username"
    secret_kind: ClassVar[str | None] = None  # "token", "app password"... or None

    def __init__(
        self, api: Api, *, endpoints: dict[str, str] | None = None, secret: str | None = None
    ) -> None:
        self.api = api
        self.urls = {**self.endpoints, **(endpoints or {})}
        self.secret = secret
        # Set by a connector whose secret changed during a run (a refreshed session).
        self.new_secret: str | None = None

    @property
    def name(self) -> str:
        return display_name(self.platform)

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        raise NotImplementedError

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        raise NotImplementedError

    def capabilities(self, identity: Identity) -> Capabilities:
        return Capabilities()

    async def delete_item(self, identity: Identity, item: dict[str, Any]) -> None:
        raise PermissionMissing(f"footprint cannot delete things on {self.name} for you.")

    async def item_exists(self, identity: Identity, item: dict[str, Any]) -> bool:
        raise PermissionMissing(f"footprint cannot check items on {self.name}.")

    async def change_setting(self, identity: Identity, key: str, value: str) -> None:
        raise PermissionMissing(f"footprint cannot change {self.name} settings for you.")

    async def read_setting(self, identity: Identity, key: str) -> str | None:
        raise PermissionMissing(f"footprint cannot read {self.name} settings.")

    async def disconnect(self, identity: Identity) -> None:
        """Revoke the sign-in on the platform where it allows (best effort)."""


def stable(data: Any, volatile: frozenset[str]) -> Any:
    """``data`` without the keys that change on every read (scores, counters, the author's
    follower count...): keeping them would make every re-sync "change" every item, so an
    incremental sync could never stop early and the checklist would re-read everything."""
    if isinstance(data, dict):
        return {k: stable(v, volatile) for k, v in data.items() if k not in volatile}
    if isinstance(data, list):
        return [stable(v, volatile) for v in data]
    return data


def setting_item(
    platform: str,
    key: str,
    value: Any,
    title: str,
    *,
    account_id: int | None = None,
    raw: Any = None,
) -> Item:
    """A settings observation: ``text`` is the value as the checklist compares it."""
    from footprint.store import Item

    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = "" if value is None else str(value)
    return Item(
        platform,
        "setting",
        key,
        text=text,
        title=title,
        visibility="private",
        account_id=account_id,
        source=f"api:{platform}",
        raw=raw if raw is not None else {key: value},
    )


def field_item(
    platform: str,
    key: str,
    value: Any,
    title: str,
    *,
    visibility: str = "public",
    url: str | None = None,
    raw: Any = None,
) -> Item:
    """A profile field (bio, location, website...) as the public sees it."""
    from footprint.store import Item

    return Item(
        platform,
        "profile_field",
        key,
        text=str(value),
        title=title,
        visibility=visibility,
        url=url,
        source=f"api:{platform}",
        raw=raw if raw is not None else {key: value},
    )
