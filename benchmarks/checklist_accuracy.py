"""Precision and recall of the checklist per category on the labeled evaluation set.

    python benchmarks/checklist_accuracy.py [--no-model] [--thresholds] [--show CATEGORY]

The set is benchmarks/data/eval/*.jsonl: {"text", "labels", "note"} per line, written for
this project (see benchmarks/data/eval/README.md). A post counts as flagged for a category
when the checker produces any finding in it; personal data and protected traits count as
one category each.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from footprint.checklist.engine import Checker
from footprint.checklist.rules import load_ruleset

DATA = Path(__file__).resolve().parent / "data" / "eval"


def load(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["file"] = path.name
                rows.append(row)
    return rows


def predicted(checker: Checker, text: str) -> set[str]:
    return {d.category for d in checker.check(text)}


def evaluate(checker: Checker, rows: list[dict], show: str | None) -> dict[str, Counter]:
    stats: dict[str, Counter] = {}
    clean_flagged = traps_flagged = clean = traps = 0
    for row in rows:
        gold = set(row["labels"])
        got = predicted(checker, row["text"])
        for cat in gold | got:
            c = stats.setdefault(cat, Counter())
            if cat in gold and cat in got:
                c["tp"] += 1
            elif cat in got:
                c["fp"] += 1
                if show in (cat, "all"):
                    print(f"  FALSE FLAG {cat}: {row['text'][:150]!r}")
            else:
                c["fn"] += 1
                if show in (cat, "all"):
                    print(f"  MISSED {cat}: {row['text'][:150]!r}")
        if not gold:
            clean += 1
            clean_flagged += bool(got - {"political", "protected_trait"})
            if str(row.get("note", "")).startswith("trap"):
                traps += 1
                traps_flagged += bool(got - {"political", "protected_trait"})
    print(f"{'category':<16}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
    total = Counter()
    for cat in sorted(stats):
        c = stats[cat]
        total.update(c)
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        print(f"{cat:<16}{p:>10.2f}{r:>8.2f}{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}")
    p = total["tp"] / (total["tp"] + total["fp"])
    r = total["tp"] / (total["tp"] + total["fn"])
    print(f"{'all (micro)':<16}{p:>10.2f}{r:>8.2f}{total['tp']:>5}{total['fp']:>5}{total['fn']:>5}")
    print(
        f"clean posts flagged (excluding political/trait info): {clean_flagged}/{clean}"
        f" ({clean_flagged / max(clean, 1):.1%}); traps flagged: {traps_flagged}/{traps}"
    )
    return stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--thresholds", action="store_true", help="sweep the model threshold")
    parser.add_argument("--show", help="print misses and false flags for a category (or all)")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    rows = load(args.files or sorted(DATA.glob("*.jsonl")))
    print(f"{len(rows)} labeled posts from {len({r['file'] for r in rows})} files")
    rules = load_ruleset()
    if args.thresholds:
        for threshold in (0.5, 0.7, 0.8, 0.9, 0.95, 0.98):
            rules.model_threshold = threshold
            print(f"\n== model threshold {threshold}")
            evaluate(Checker(rules=rules), rows, None)
        return
    print("\n== rules" + ("" if args.no_model else " + model"))
    evaluate(Checker(rules=rules, use_model=not args.no_model), rows, args.show)


if __name__ == "__main__":
    main()
