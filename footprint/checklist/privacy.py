"""Privacy settings per platform: what each one is now, what it should be, how to change it.

The values come from the store's ``setting`` items (read through an API, found in an export,
or confirmed by the person); the recommendations from the checklist's setting rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from footprint.checklist.rules import RuleSet, SettingRule, load_ruleset
from footprint.errors import InputError
from footprint.store.items import Item, upsert_items

if TYPE_CHECKING:
    from footprint.store.database import Store

SOURCE_LABELS = {
    "manual": "confirmed by you",
    "api": "read from the platform",
    "import": "from your data export",
    "demo": "demo data",
}


@dataclass(frozen=True)
class SettingStatus:
    rule: SettingRule
    value: str | None  # None: not known yet (no API read, no export, not confirmed)
    source: str | None
    observed_at: str | None
    link: str  # where to change it by hand
    finding_id: int | None  # the open finding about it, if the value is loose

    @property
    def loose(self) -> bool | None:
        if self.value is None:
            return None
        return self.value.strip().lower() in self.rule.loose

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source or "", self.source or "")


def _handles(store: Store) -> dict[str, str]:
    return {
        platform: handle
        for platform, handle in store.conn.execute(
            "SELECT platform, handle FROM accounts ORDER BY connection = 'sweep', id DESC"
        )
    }


def setting_link(rule: SettingRule, handle: str | None) -> str:
    """The rule's deep link for this account (a Mastodon link goes to the person's server)."""
    instance = handle.rsplit("@", 1)[-1] if handle and handle.count("@") >= 2 else ""
    return rule.deep_link.replace("{instance}", instance or "mastodon.social").replace(
        "{handle}", (handle or "").lstrip("@")
    )


def privacy_overview(store: Store, rules: RuleSet | None = None) -> dict[str, list[SettingStatus]]:
    """Every setting rule of each platform the person has an account or settings on."""
    rules = rules or load_ruleset()
    handles = _handles(store)
    seen = {
        (platform, key): (text, source, updated)
        for platform, key, text, source, updated in store.conn.execute(
            "SELECT platform, platform_id, text, source, updated_at FROM items "
            "WHERE kind = 'setting' AND gone_at IS NULL"
        )
    }
    findings = {
        rule_id: fid
        for rule_id, fid in store.conn.execute(
            "SELECT rule_id, id FROM findings WHERE category = 'settings' "
            "AND state IN ('open', 'in_progress', 'snoozed')"
        )
    }
    platforms = set(handles) | {platform for platform, _ in seen}
    out: dict[str, list[SettingStatus]] = {}
    for rule in rules.settings:
        if rule.platform not in platforms:
            continue
        value, source, observed = seen.get((rule.platform, rule.key), (None, None, None))
        out.setdefault(rule.platform, []).append(
            SettingStatus(
                rule,
                value,
                source,
                observed,
                setting_link(rule, handles.get(rule.platform)),
                findings.get(rule.id) if value is not None else None,
            )
        )
    return out


def confirm_setting(store: Store, platform: str, key: str, value: str) -> None:
    """Record a value the person read in the platform's settings themselves.

    It is stored like any other settings observation (source "manual"), so the next scan
    judges it, and a later API read or export replaces it.
    """
    value = value.strip()
    if not value:
        raise InputError("Say what the setting shows now.")
    account = store.conn.execute(
        "SELECT id FROM accounts WHERE platform = ? ORDER BY connection = 'sweep', id LIMIT 1",
        (platform,),
    ).fetchone()
    with store.transaction():
        upsert_items(
            store,
            [
                Item(
                    platform,
                    "setting",
                    key,
                    text=value,
                    title=key,
                    account_id=account[0] if account else None,
                    source="manual",
                )
            ],
        )
