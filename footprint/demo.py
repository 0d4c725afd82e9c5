"""The bundled demo profile: a fictional person, so a newcomer sees footprint working offline.

``footprint --demo`` runs on a fresh private temporary data directory seeded from
``resources/demo/demo.json``; it never touches the person's real data, and the
temporary directory is removed when footprint exits.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from footprint.errors import ConfigError
from footprint.paths import resources_dir
from footprint.store import Item, Store, upsert_items, utcnow
from footprint.store.accounts import upsert_account
from footprint.store.profile import add_identifiers, canonical_kind

_REQUIRED = {
    "accounts": ("platform", "handle", "connection"),
    "items": ("platform", "kind", "platform_id", "account"),
}


def demo_file() -> Path:
    return resources_dir() / "demo" / "demo.json"


def load_demo(path: Path | None = None) -> dict[str, Any]:
    """Read and validate the demo data file."""
    path = path or demo_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"The demo profile {path} cannot be read: {exc}.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("person"), dict):
        raise ConfigError(f"The demo profile {path} has no 'person' object.")
    for section, fields in _REQUIRED.items():
        entries = data.get(section)
        if not isinstance(entries, list):
            raise ConfigError(f"The demo profile {path} has no '{section}' list.")
        for index, entry in enumerate(entries):
            missing = [f for f in fields if not isinstance(entry, dict) or not entry.get(f)]
            if missing:
                raise ConfigError(
                    f"The demo profile {path}: {section}[{index}] lacks {', '.join(missing)}."
                )
    return data


def seed(store: Store, data: dict[str, Any] | None = None) -> None:
    """Fill an empty store with the demo person, accounts, items and sweep results."""
    data = data or load_demo()
    with store.transaction():
        for kind, values in data["person"].items():
            add_identifiers(store, canonical_kind(kind), values)
        ids: dict[tuple[str, str], int] = {}
        for account in data["accounts"]:
            ids[(account["platform"], account["handle"])] = upsert_account(
                store,
                account["platform"],
                account["handle"],
                connection=account["connection"],
                url=account.get("url"),
                display_name=account.get("display_name"),
            )
        items = []
        for entry in data["items"]:
            fields = {k: v for k, v in entry.items() if k != "account"}
            items.append(
                Item(
                    **fields,
                    account_id=ids[(entry["platform"], entry["account"])],
                    source="demo",
                    raw=entry,
                )
            )
        upsert_items(store, items)
        for sweep in data.get("sweeps", []):
            now = utcnow()
            cursor = store.conn.execute(
                "INSERT INTO sweeps (username, catalog, state, total, started_at, finished_at) "
                "VALUES (?, ?, 'finished', ?, ?, ?)",
                (sweep["username"], sweep["catalog"], len(sweep["checks"]), now, now),
            )
            store.conn.executemany(
                "INSERT INTO site_checks (sweep_id, site, username, category, url, status, reason, "
                "http_status, elapsed_ms, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        cursor.lastrowid,
                        c["site"],
                        sweep["username"],
                        c.get("category"),
                        c.get("url"),
                        c["status"],
                        c.get("reason"),
                        c.get("http_status"),
                        c.get("elapsed_ms"),
                        now,
                    )
                    for c in sweep["checks"]
                ],
            )
        exposure = data.get("exposure", {})
        store.conn.executemany(
            "INSERT OR IGNORE INTO breach_catalog (name, data, fetched_at) VALUES (?, ?, ?)",
            [(b["Name"], json.dumps(b), utcnow()) for b in exposure.get("breach_catalog", [])],
        )
        store.conn.executemany(
            "INSERT OR IGNORE INTO exposure_checks (kind, target, status, result, checked_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (c["kind"], c["target"], c["status"], json.dumps(c["result"]), utcnow())
                for c in exposure.get("checks", [])
            ],
        )
        # Earlier audits of the demo person, so the dashboard has a history to draw.
        store.conn.executemany(
            "INSERT INTO score_snapshots (taken_at, score, details) VALUES (?, ?, '{}')",
            [(taken, score) for taken, score in data.get("score_history", [])],
        )
    from footprint.discovery.sweep import set_claim

    for claim in data.get("claims", []):
        set_claim(store, claim["site"], claim["username"], claim["claim"])
    # The demo shows what a real first audit shows: findings and a score.
    from footprint.checklist.scan import scan

    scan(store)


DEMO_PREFIX = "footprint-demo-"
PID_FILE = ".demo-pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_demo_homes(parent: Path | None = None) -> list[Path]:
    """Delete demo directories left behind by demo runs that were killed."""
    if os.name != "posix":  # no cheap, safe liveness check elsewhere: leave them
        return []
    parent = parent or Path(tempfile.gettempdir())
    removed = []
    for candidate in parent.glob(f"{DEMO_PREFIX}*"):
        pid_file = candidate / PID_FILE
        try:
            if candidate.owner() != getpass.getuser() or not pid_file.is_file():
                continue
            pid = int(pid_file.read_text().strip() or 0)
        except (OSError, ValueError, KeyError, NotImplementedError):
            continue
        if pid and not _alive(pid):
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


def make_demo_home() -> Path:
    """A fresh owner-only temporary data directory holding a seeded demo store."""
    remove_stale_demo_homes()
    home = Path(tempfile.mkdtemp(prefix=DEMO_PREFIX))
    (home / PID_FILE).write_text(str(os.getpid()))
    try:
        with Store.open(home) as store:
            seed(store)
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    return home
