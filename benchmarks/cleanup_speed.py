"""footprint's own cost per cleanup action: planning, backup, bookkeeping, verification.

    python benchmarks/cleanup_speed.py [--posts N]

A fresh database with N old posts of one signed-in Mastodon account; a bulk plan over all of
them; then the queue runs against a stand-in platform that answers at once (no network),
with the platform's budget lifted so that only footprint's own work is timed.  Against a
real platform the budget dominates: Mastodon allows 30 deletions per 30 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    args = parser.parse_args()

    import keyring

    import footprint.connectors
    from footprint.cleanup import actions
    from footprint.connectors.base import Connector, Identity
    from footprint.connectors.http import Api
    from footprint.connectors.sync import save_connection
    from footprint.secrets import SecretStore
    from footprint.store import Item, Store, upsert_items
    from tests.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())

    class Instant(Connector):
        platform = "mastodon"
        gone: ClassVar[set[str]] = set()

        async def delete_item(self, identity: Identity, item: dict) -> None:  # type: ignore[override]
            Instant.gone.add(item["platform_id"])

        async def item_exists(self, identity: Identity, item: dict) -> bool:  # type: ignore[override]
            return item["platform_id"] not in Instant.gone

    footprint.connectors.build = lambda client, platform, **kw: Instant(Api(client, platform))  # type: ignore[assignment]
    actions.BUDGETS["mastodon"] = (10**9, 1.0)

    with tempfile.TemporaryDirectory() as home, Store.open(Path(home)) as store:
        save_connection(
            store,
            SecretStore(),
            Identity("mastodon", "@me@example.test", meta={"signed_in": True}, secret="{}"),
        )
        account = store.conn.execute("SELECT id FROM accounts").fetchone()[0]
        upsert_items(
            store,
            (
                Item(
                    "mastodon",
                    "post",
                    str(n),
                    text=f"old post number {n} " * 5,
                    account_id=account,
                    created_at="2019-01-01T00:00:00Z",
                    raw={"id": str(n), "content": f"<p>old post {n}</p>"},
                )
                for n in range(args.posts)
            ),
        )
        started = time.perf_counter()
        planned = len(actions.plan_bulk(store, "mastodon", actions.KeepRules(older_than_days=365)))
        planning = time.perf_counter() - started
        actions.queue_planned(store)
        started = time.perf_counter()
        result = asyncio.run(actions.run_queue(store, SecretStore(), pace=0.0))
        running = time.perf_counter() - started
        backups = store.conn.execute("SELECT COUNT(*) FROM backups").fetchone()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"planned {planned:,} deletions in {planning:.2f} s")
    print(
        f"ran {result.done:,} (backup, delete, check, bookkeeping) in {running:.1f} s: "
        f"{running / max(result.done, 1) * 1000:.1f} ms each; {backups:,} backups kept"
    )
    print(f"peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
