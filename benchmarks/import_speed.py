"""Import speed and memory: a generated 100k-tweet X archive and a 50k-item Facebook export.

    python benchmarks/import_speed.py [--tweets N] [--facebook N]

Prints wall time, CPU time, items per second and peak RSS of this process. Each import
runs in a fresh child process so the peak RSS belongs to that import alone.
(The checklist scan is added to these figures once the checklist exists.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "data",
    "pipeline",
    "coffee",
    "bike",
    "rain",
    "portland",
    "meeting",
    "deadline",
    "weekend",
    "friends",
    "music",
    "concert",
    "game",
    "night",
    "office",
    "remote",
    "work",
    "launch",
    "team",
    "great",
    "awful",
    "happy",
    "tired",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_x_archive(target: Path, count: int) -> None:
    rng = random.Random(1)
    part_size = 50_000
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(
            "data/account.js",
            "window.YTD.account.part0 = "
            + json.dumps(
                [
                    {
                        "account": {
                            "username": "bench",
                            "accountId": "1",
                            "email": "b@example.org",
                            "createdAt": "2010-01-01T00:00:00.000Z",
                            "accountDisplayName": "Bench",
                        }
                    }
                ]
            ),
        )
        for part in range((count + part_size - 1) // part_size):
            entries = []
            for i in range(part * part_size, min(count, (part + 1) * part_size)):
                tid = str(1_100_000_000_000_000_000 + i)
                text = sentence(rng, rng.randint(5, 40))
                entries.append(
                    {
                        "tweet": {
                            "id_str": tid,
                            "id": tid,
                            "created_at": "Tue Mar 19 14:05:17 +0000 2019",
                            "full_text": text + " https://t.co/abc",
                            "favorite_count": str(i % 50),
                            "retweet_count": "0",
                            "lang": "en",
                            "truncated": False,
                            "source": '<a href="https://example.org">Twitter Web App</a>',
                            "display_text_range": ["0", str(len(text))],
                            "entities": {
                                "hashtags": [],
                                "symbols": [],
                                "user_mentions": [],
                                "urls": [
                                    {
                                        "url": "https://t.co/abc",
                                        "expanded_url": "https://example.org/x",
                                        "display_url": "example.org/x",
                                        "indices": ["0", "23"],
                                    }
                                ],
                            },
                            "edit_info": {
                                "initial": {
                                    "editTweetIds": [tid],
                                    "editsRemaining": "5",
                                    "isEditEligible": False,
                                }
                            },
                        }
                    }
                )
            name = "tweets.js" if part == 0 else f"tweets-part{part}.js"
            out.writestr(
                f"data/{name}", f"window.YTD.tweets.part{part} = " + json.dumps(entries, indent=2)
            )


def make_facebook_export(target: Path, count: int) -> None:
    rng = random.Random(2)
    posts = []
    for i in range(count * 4 // 5):
        text = sentence(rng, rng.randint(5, 40)) + " café ☕"
        posts.append(
            {
                "timestamp": 1_400_000_000 + i * 600,
                "title": "Bench updated status.",
                "data": [{"post": text.encode().decode("latin-1")}],
            }
        )
    comments = {
        "comments_v2": [
            {
                "timestamp": 1_400_000_000 + i * 900,
                "title": "Bench commented on a post.",
                "data": [
                    {
                        "comment": {
                            "timestamp": 1_400_000_000 + i * 900,
                            "comment": sentence(rng, rng.randint(3, 20)),
                            "author": "Bench",
                        }
                    }
                ],
            }
            for i in range(count - len(posts))
        ]
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(
            "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json",
            json.dumps(posts, ensure_ascii=True),
        )
        out.writestr(
            "your_facebook_activity/comments_and_reactions/comments.json",
            json.dumps(comments, ensure_ascii=True),
        )


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM; ru_maxrss would include the parent's, kept across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str, home: str) -> None:
    from footprint.archives import import_paths
    from footprint.store import Store

    with Store.open(home) as store:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = import_paths(store, [Path(path)])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = peak_rss_mb()
    print(json.dumps({"items": summary.items, "wall": wall, "cpu": cpu, "peak_mb": peak_mb}))


def measure(label: str, path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(path), home],
            capture_output=True,
            text=True,
            check=True,
        )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    size = path.stat().st_size / 1e6
    print(
        f"{label:<28} {result['items']:>8,} items  {result['wall']:6.2f} s wall  "
        f"{result['cpu']:6.2f} s CPU  {result['items'] / result['wall']:>9,.0f} items/s  "
        f"peak RSS {result['peak_mb']:5.0f} MB  (archive {size:.1f} MB)"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tweets", type=int, default=100_000)
    parser.add_argument("--facebook", type=int, default=50_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        x = Path(tmp) / "twitter.zip"
        fb = Path(tmp) / "facebook.zip"
        started = time.perf_counter()
        make_x_archive(x, args.tweets)
        make_facebook_export(fb, args.facebook)
        print(
            f"generated the exports in {time.perf_counter() - started:.1f} s "
            f"(machine: {os.cpu_count()} cores, Python {sys.version.split()[0]})"
        )
        a = measure(f"X archive ({args.tweets:,} tweets)", x)
        b = measure(f"Facebook ({args.facebook:,} items)", fb)
        total = a["wall"] + b["wall"]
        print(
            f"both imports: {total:.2f} s wall (target <= 10 s incl. the checklist scan, "
            f"which is not built yet); peak RSS max {max(a['peak_mb'], b['peak_mb']):.0f} MB "
            "(target <= 300 MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
