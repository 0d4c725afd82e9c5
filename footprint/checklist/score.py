"""The footprint score: 0-100, from severity x visibility x recency of the open findings,
explained in words and snapshotted after every scan so its history can be plotted."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from footprint.checklist.rules import RuleSet, ScoreModel
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.store.database import Store

COUNTED_STATES = ("open", "in_progress", "snoozed")
VISIBILITY_ALIASES = {"direct": "private", "friends": "followers", "followers_only": "followers"}
BANDS = (
    (90, "excellent", "very little here that an employer's screening would flag"),
    (75, "good", "a few things worth a look before an employer sees them"),
    (50, "fair", "several things an employer would notice"),
    (0, "needs attention", "much that a screening report would list"),
)


@dataclass
class Score:
    value: int
    risk: float
    band: str
    summary: str
    by_category: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # open findings per severity
    explanation: list[str] = field(default_factory=list)

    def as_details(self) -> dict[str, Any]:
        return {
            "risk": round(self.risk, 3),
            "band": self.band,
            "by_category": {k: round(v, 3) for k, v in self.by_category.items()},
            "counts": self.counts,
        }


def _years_since(created_at: str | None, now: datetime) -> float | None:
    if not created_at:
        return None
    try:
        when = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (now - when).total_seconds() / (365.25 * 86400))


def recency_factor(model: ScoreModel, years: float | None) -> float:
    if years is None:
        return model.recency[len(model.recency) // 2][1]  # undated: a middle weight
    for max_age, factor in model.recency:
        if years <= max_age:
            return factor
    return model.recency[-1][1]


def visibility_factor(model: ScoreModel, visibility: str | None) -> float:
    key = VISIBILITY_ALIASES.get(visibility or "", visibility or "unknown")
    return model.visibility.get(key, model.visibility["unknown"])


def compute_score(store: Store, rules: RuleSet, now: datetime | None = None) -> Score:
    model = rules.score
    now = now or datetime.now(UTC)
    rows = store.conn.execute(
        "SELECT f.category, f.severity, i.visibility, i.created_at FROM findings f "
        "LEFT JOIN items i ON i.id = f.item_id "
        f"WHERE f.state IN ({','.join('?' * len(COUNTED_STATES))})",
        COUNTED_STATES,
    )
    by_category: dict[str, float] = {}
    counts: dict[str, int] = {}
    findings_per_category: dict[str, int] = {}
    risk = 0.0
    apart = 0
    unscored = {cid for cid, c in rules.categories.items() if not c.scored}
    for category, severity, visibility, created_at in rows:
        counts[severity] = counts.get(severity, 0) + 1
        if category in unscored:
            apart += 1
            continue
        weight = model.weights[severity]
        if not weight:
            continue
        # Account-level findings (no item) are about public profiles.
        vis = visibility_factor(model, visibility) if visibility or created_at else 1.0
        part = weight * vis * recency_factor(model, _years_since(created_at, now))
        risk += part
        by_category[category] = by_category.get(category, 0.0) + part
        findings_per_category[category] = findings_per_category.get(category, 0) + 1
    value = round(100 * math.exp(-risk / model.scale))
    band, summary = next((name, text) for floor, name, text in BANDS if value >= floor)
    explanation = [f"Your footprint score is {value}/100 ({band}): {summary}."]
    if by_category:
        top = sorted(by_category.items(), key=lambda kv: kv[1], reverse=True)[:3]
        parts = []
        for category_id, part in top:
            name = (
                rules.categories[category_id].name
                if category_id in rules.categories
                else category_id
            )
            n = findings_per_category[category_id]
            parts.append(f"{name} ({n} finding{'s' if n != 1 else ''}, {part / risk:.0%})")
        explanation.append("Most of the weight comes from: " + "; ".join(parts) + ".")
        explanation.append(
            "Severe, public and recent findings weigh most; private and older posts count less. "
            "Dismissed and fixed findings do not count."
        )
    else:
        explanation.append("No open finding lowers it.")
    if counts.get("info"):
        explanation.append(
            f"{counts['info']} informational finding(s) (protected traits, political speech) "
            "are shown for your judgement and do not lower the score."
        )
    if apart:
        explanation.append(
            f"{apart} security finding(s) (breaches) are listed apart: they put your accounts "
            "at risk but are not what a screener sees, so they do not change the score."
        )
    return Score(value, risk, band, summary, by_category, counts, explanation)


def snapshot(store: Store, score: Score, fingerprint: str) -> None:
    details = score.as_details() | {"rules": fingerprint}
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO score_snapshots (taken_at, score, details) VALUES (?, ?, ?)",
            (utcnow(), score.value, json.dumps(details, sort_keys=True)),
        )


def history(store: Store) -> list[tuple[str, int]]:
    return [
        (taken_at, int(value))
        for taken_at, value in store.conn.execute(
            "SELECT taken_at, score FROM score_snapshots ORDER BY id"
        )
    ]
