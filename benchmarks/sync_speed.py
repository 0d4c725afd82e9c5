"""How fast a sync runs against real servers on loopback, and what a re-sync costs.

    python benchmarks/sync_speed.py [--posts N]

Bluesky: the reference PDS (tests/pds, needs `bash tests/pds/install.sh`); Mastodon:
mastodon-mock.  For each: a first sync of N posts into a fresh database (items/s and
requests), then a re-sync with one new post (requests: the incremental stop), and the
peak RSS of this process.  Loopback servers answer in milliseconds, so these figures are
footprint's own cost; against the real platforms the network and their rate limits
dominate (Mastodon: 40 posts a request; Bluesky: 100).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _sync(store, platform: str, endpoints: dict[str, str]) -> tuple[float, object]:
    from footprint.connectors import sync_accounts
    from footprint.connectors.sync import connected_accounts
    from footprint.secrets import SecretStore

    started = time.perf_counter()
    [result] = asyncio.run(
        sync_accounts(
            store,
            SecretStore(),
            connected_accounts(store, platform),
            endpoints={platform: endpoints},
            pace=0.0,
        )
    )
    return time.perf_counter() - started, result


def _connect(store, platform: str, who: str, endpoints: dict[str, str]) -> None:
    from footprint.connectors import connect
    from footprint.secrets import SecretStore

    asyncio.run(connect(store, SecretStore(), platform, who, endpoints=endpoints))


def _report(
    name: str, posts: int, first: tuple[float, object], again: tuple[float, object]
) -> None:
    seconds, result = first
    seconds2, result2 = again
    print(
        f"{name}: first sync {posts:,} posts in {seconds:.2f} s "
        f"({result.inserted / seconds:,.0f} items/s, {result.requests} requests); "  # type: ignore[attr-defined]
        f"re-sync with 1 new post {seconds2:.2f} s, {result2.requests} requests, "  # type: ignore[attr-defined]
        f"{result2.inserted} inserted"  # type: ignore[attr-defined]
    )


def bench_bluesky(posts: int) -> None:
    from footprint.store import Store
    from tests.connectors.pds import Pds, start_pds

    with start_pds() as pds, tempfile.TemporaryDirectory() as home:
        handle = Pds.new_handle("bench")
        session = pds.create_account(handle, "bench-password-1")
        made = time.perf_counter()
        for n in range(posts):
            pds.create_post(session, f"benchmark post {n}")
        print(f"bluesky: seeded {posts:,} posts in {time.perf_counter() - made:.1f} s")
        endpoints = {"resolver": pds.url, "plc": pds.plc}
        with Store.open(Path(home)) as store:
            _connect(store, "bluesky", handle, endpoints)
            first = _sync(store, "bluesky", endpoints)
            pds.create_post(session, "one more")
            _report("bluesky", posts, first, _sync(store, "bluesky", endpoints))


def bench_mastodon(posts: int) -> None:
    from footprint.store import Store
    from tests.connectors.mastodon_server import MastodonServer

    with tempfile.TemporaryDirectory() as data, MastodonServer(Path(data)) as server:
        server.reset()
        server.create_account("bench")
        made = time.perf_counter()
        for n in range(posts):
            server.post_status("bench", f"benchmark post {n}")
        print(f"mastodon: seeded {posts:,} posts in {time.perf_counter() - made:.1f} s")
        endpoints = {"instance": server.url}
        with tempfile.TemporaryDirectory() as home, Store.open(Path(home)) as store:
            _connect(store, "mastodon", "bench", endpoints)
            first = _sync(store, "mastodon", endpoints)
            server.post_status("bench", "one more")
            _report("mastodon", posts, first, _sync(store, "mastodon", endpoints))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    args = parser.parse_args()
    import keyring

    from tests.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # never touch the real keyring
    bench_mastodon(args.posts)
    try:
        bench_bluesky(args.posts)
    except FileNotFoundError:
        print("bluesky: skipped (no Node.js; see tests/pds/install.sh)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB (the servers run in other processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
