"""Checklist throughput on one core: posts per second for the whole rule set.

    python benchmarks/checklist_speed.py [--posts N] [--flagged-share 0.1]

The corpus mixes everyday posts (generated from common words, numbers, mentions, links and
emoji) with the labeled evaluation posts, which are dense with trigger words, digits and
obfuscation (--flagged-share of the corpus; 10 % by default, the worst case is 1.0).
It prints posts/s for the rules alone, rules + personal data + model (what a scan runs), and
a full `scan` of a store holding the same posts (database reads and writes included).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from footprint.checklist.engine import Checker
from footprint.checklist.rules import load_ruleset

WORDS = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "in",
    "is",
    "it",
    "you",
    "that",
    "for",
    "on",
    "was",
    "with",
    "he",
    "as",
    "have",
    "be",
    "at",
    "one",
    "are",
    "this",
    "but",
    "by",
    "from",
    "they",
    "we",
    "say",
    "her",
    "she",
    "or",
    "an",
    "will",
    "my",
    "all",
    "would",
    "there",
    "their",
    "what",
    "so",
    "up",
    "out",
    "if",
    "about",
    "who",
    "get",
    "which",
    "go",
    "me",
    "when",
    "make",
    "can",
    "like",
    "time",
    "just",
    "him",
    "know",
    "take",
    "people",
    "into",
    "year",
    "your",
    "good",
    "some",
    "could",
    "them",
    "see",
    "other",
    "than",
    "then",
    "now",
    "look",
    "only",
    "come",
    "its",
    "over",
    "think",
    "also",
    "back",
    "after",
    "use",
    "two",
    "how",
    "our",
    "work",
    "first",
    "well",
    "way",
    "even",
    "new",
    "want",
    "because",
    "any",
    "these",
    "give",
    "day",
    "most",
    "us",
    "coffee",
    "train",
    "meeting",
    "weekend",
    "dog",
    "cat",
    "game",
    "code",
    "release",
    "team",
    "lunch",
    "rain",
    "coding",
    "music",
    "finally",
    "today",
    "tomorrow",
    "honestly",
    "love",
    "great",
    "amazing",
    "tired",
    "happy",
    "excited",
    "project",
    "morning",
]
EXTRAS = [
    "@sam_k",
    "#tbt",
    "https://example.com/p/123",
    "😂",
    "🎉",
    "lol",
    "3pm",
    "2024",
    "v1.2.3",
    "10k",
    "it's",
    "don't",
    "I'm",
]


def everyday(rng: random.Random) -> str:
    n = rng.randint(6, 40)
    words = [rng.choice(WORDS) for _ in range(n)]
    for _ in range(rng.randint(0, 3)):
        words.insert(rng.randrange(len(words)), rng.choice(EXTRAS))
    return " ".join(words).capitalize()


def corpus(n: int, share: float, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    data = Path(__file__).resolve().parent / "data"
    labeled = [
        json.loads(line)["text"]
        for path in sorted(data.glob("*/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [rng.choice(labeled) if rng.random() < share else everyday(rng) for _ in range(n)]


def rate(checker: Checker, texts: list[str]) -> tuple[float, int]:
    check = checker.check
    started = time.perf_counter()
    found = sum(1 for t in texts if check(t))
    elapsed = time.perf_counter() - started
    return len(texts) / elapsed, found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--flagged-share", type=float, default=0.1)
    parser.add_argument("--no-store", action="store_true", help="skip the end-to-end scan")
    args = parser.parse_args()
    texts = corpus(args.posts, args.flagged_share)
    rules = load_ruleset()
    print(f"{len(texts):,} posts, {args.flagged_share:.0%} from the labeled set; one core")
    started = time.perf_counter()
    full = Checker(rules=rules)
    print(f"load rules + model: {time.perf_counter() - started:.2f} s")
    rules_only = Checker(rules=rules, use_model=False)
    full.check("warm up")
    speed, found = rate(rules_only, texts)
    print(f"rules + personal data, no model: {speed:,.0f} posts/s ({found:,} with findings)")
    speed, found = rate(full, texts)
    print(f"whole rule set incl. model:      {speed:,.0f} posts/s ({found:,} with findings)")
    if args.no_store:
        return
    with tempfile.TemporaryDirectory() as home:
        os.environ["FOOTPRINT_HOME"] = home
        from footprint.checklist.scan import scan
        from footprint.store import Store
        from footprint.store.items import Item, upsert_items

        with Store.open(home) as store:
            upsert_items(
                store,
                (
                    Item("x", "post", str(i), text=t, source="bench", visibility="public")
                    for i, t in enumerate(texts)
                ),
            )
            started = time.perf_counter()
            summary = scan(store, checker=full)
            elapsed = time.perf_counter() - started
            print(
                f"scan of a store with {summary.checked:,} items: {elapsed:.1f} s "
                f"({summary.checked / elapsed:,.0f} items/s), {summary.new:,} findings"
            )
            started = time.perf_counter()
            again = scan(store, checker=full)
            print(
                f"re-scan with nothing new: {time.perf_counter() - started:.2f} s "
                f"({again.checked} items checked)"
            )


if __name__ == "__main__":
    main()
