"""Gravatar: what the public profile behind an email address reveals.

Gravatar profiles are found by the SHA-256 of the trimmed, lower-cased email, so anyone
who has the address can see the profile: name, location, job, linked accounts, even phone
numbers and crypto wallets when the person filled them in.  footprint looks up each
email of the person's profile and records every field it gets back as public.  An API key
(optional, kept in the keyring) raises the limit from 100 to 1,000 lookups an hour.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from footprint.connectors.base import Connector, Identity, Page, field_item
from footprint.connectors.errors import AccountNotFound
from footprint.errors import InputError
from footprint.store import Item
from footprint.store.profile import normalize

SIMPLE_FIELDS = (
    ("display_name", "Display name"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("location", "Location"),
    ("description", "About"),
    ("job_title", "Job title"),
    ("company", "Company"),
    ("pronouns", "Pronouns"),
    ("pronunciation", "Name pronunciation"),
    ("timezone", "Time zone"),
)
CONTACT_FIELDS = (
    ("home_phone", "Home phone"),
    ("work_phone", "Work phone"),
    ("cell_phone", "Mobile phone"),
    ("email", "Contact email"),
    ("contact_form", "Contact form"),
    ("calendar", "Calendar"),
)


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


class GravatarConnector(Connector):
    platform = "gravatar"
    streams = ("profile",)
    endpoints: ClassVar[dict[str, str]] = {"api": "https://api.gravatar.com/v3"}
    who = "email"
    secret_kind = "API key (optional)"

    async def _profile(self, digest: str) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else None
        found = await self.api.get(
            f"{self.urls['api']}/profiles/{digest}",
            headers=headers,
            signed_in=bool(self.secret),
            missing_ok=True,
        )
        return found if isinstance(found, dict) else None

    async def identify(self, who: str, secret: str | None = None) -> Identity:
        _, email = normalize("email", who)
        if "@" not in email:
            raise InputError(f"{who!r} is not an email address.")
        self.secret = secret or self.secret
        digest = email_hash(email)
        profile = await self._profile(digest)
        if profile is None:
            raise AccountNotFound(
                "There is no public Gravatar profile for that email address (good: "
                "nothing to clean up there)."
            )
        slug = str(profile.get("profile_url") or "").rstrip("/").rsplit("/", 1)[-1]
        return Identity(
            "gravatar",
            slug or digest[:16],
            url=profile.get("profile_url"),
            display_name=profile.get("display_name"),
            meta={"hash": digest},
            secret=self.secret,
        )

    async def fetch_page(self, identity: Identity, stream: str, cursor: str | None) -> Page:
        profile = await self._profile(identity.meta["hash"])
        if profile is None:
            return Page([], notes=["The Gravatar profile is gone."])
        return Page(profile_items(profile, identity.url))


def profile_items(profile: dict[str, Any], url: str | None) -> list[Item]:
    """Every filled-in field of a Gravatar profile, as public profile fields."""
    items: list[Item] = []

    def add(key: str, value: Any, title: str, link: str | None = None) -> None:
        if value not in (None, "", [], {}):
            items.append(field_item("gravatar", key, value, title, url=link or url))

    for key, title in SIMPLE_FIELDS:
        add(key, profile.get(key), title)
    languages = profile.get("languages") or []
    names = [str(x.get("name")) if isinstance(x, dict) else str(x) for x in languages]
    add("languages", ", ".join(names), "Languages")
    for account in profile.get("verified_accounts") or []:
        if isinstance(account, dict) and account.get("url"):
            label = account.get("service_label") or account.get("service_type") or "account"
            add(
                f"verified/{account.get('service_type') or label}",
                account["url"],
                f"Linked account: {label}",
                account["url"],
            )
    for link in profile.get("links") or []:
        if isinstance(link, dict) and link.get("url"):
            add(
                f"links/{link.get('label') or link['url']}",
                link["url"],
                f"Link: {link.get('label') or 'website'}",
                link["url"],
            )
    contact = profile.get("contact_info") or {}
    if isinstance(contact, dict):
        for key, title in CONTACT_FIELDS:
            add(f"contact/{key}", contact.get(key), title)
    payments = profile.get("payments") or {}
    if isinstance(payments, dict):
        for wallet in payments.get("crypto_wallets") or []:
            if isinstance(wallet, dict) and wallet.get("address"):
                add(
                    f"wallet/{wallet.get('label') or wallet['address'][:8]}",
                    wallet["address"],
                    f"Crypto wallet: {wallet.get('label') or 'address'}",
                )
        for link in payments.get("links") or []:
            if isinstance(link, dict) and link.get("url"):
                add(
                    f"payment/{link.get('label') or link['url']}",
                    link["url"],
                    f"Payment link: {link.get('label') or 'link'}",
                    link["url"],
                )
    return items
