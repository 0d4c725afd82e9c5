"""A trained offensive-language signal, evaluated in plain Python.

The numbers come from alt-profanity-check (MIT; see resources/checklist/model/): a TF-IDF
word vectorizer feeding five sigmoid-calibrated linear SVMs whose probabilities are averaged.
``scripts/extract_offensive_model.py`` copies them out of the pickles, so footprint needs
neither scikit-learn nor its exact pinned version. Scores match the library to about 1e-6.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from footprint.errors import ConfigError


@dataclass(frozen=True)
class ModelScore:
    probability: float
    # The words that pushed the score up most, strongest first, for evidence.
    top_terms: tuple[str, ...]


class OffensiveModel:
    def __init__(
        self,
        token_pattern: str,
        idf: dict[str, float],
        weights: dict[str, tuple[float, ...]],
        models: list[tuple[float, float, float]],
        source: str,
    ) -> None:
        self._findall = re.compile(token_pattern).findall
        self._idf = idf
        self._weights = weights  # idf already folded in
        self._models = models  # (intercept, calibration a, calibration b)
        self.source = source

    @classmethod
    def load(cls, path: Path) -> OffensiveModel:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                first = handle.readline()
                if not first.startswith("# "):
                    raise ValueError("missing header")
                header = json.loads(first[2:])
                models = [
                    (float(m["intercept"]), float(m["calibration_a"]), float(m["calibration_b"]))
                    for m in header["models"]
                ]
                idf: dict[str, float] = {}
                weights: dict[str, tuple[float, ...]] = {}
                for line in handle:
                    term, idf_text, *coefs = line.rstrip("\n").split("\t")
                    if len(coefs) != len(models):
                        raise ValueError(f"row {term!r} has {len(coefs)} weights")
                    value = float(idf_text)
                    idf[term] = value
                    weights[term] = tuple(value * float(c) for c in coefs)
            return cls(header["token_pattern"], idf, weights, models, str(header["source"]))
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise ConfigError(
                f"The offensive-language model in {path} could not be read.",
                hint="Reinstall footprint; the file ships with it.",
                details=str(exc),
            ) from exc

    def score(self, text: str, top: int = 3) -> ModelScore:
        counts: dict[str, int] = {}
        weights = self._weights
        for token in self._findall(text.lower()):
            if token in weights:
                counts[token] = counts.get(token, 0) + 1
        if not counts:
            return ModelScore(self._probability([0.0] * len(self._models)), ())
        idf = self._idf
        norm = math.sqrt(sum((n * idf[t]) ** 2 for t, n in counts.items()))
        sums = [0.0] * len(self._models)
        for term, n in counts.items():
            for k, w in enumerate(weights[term]):
                sums[k] += n * w
        decisions = [s / norm for s in sums]
        probability = self._probability(decisions)
        ranked = sorted(counts, key=lambda t: sum(weights[t]), reverse=True)
        top_terms = tuple(t for t in ranked[:top] if sum(weights[t]) > 0)
        return ModelScore(probability, top_terms)

    def _probability(self, decisions: list[float]) -> float:
        total = 0.0
        for (intercept, a, b), d in zip(self._models, decisions, strict=True):
            z = a * (d + intercept) + b
            # 1 / (1 + e^z), computed without overflow
            total += 1.0 / (1.0 + math.exp(z)) if z < 0 else math.exp(-z) / (1.0 + math.exp(-z))
        return total / len(self._models)

    def strong_terms(self, min_weight: float = 1.5) -> frozenset[str]:
        """Words with a clearly offensive weight. A text with none of them cannot reach a high
        score in practice, so the checker skips the model for it (the accuracy benchmark
        counts how often that shortcut changes a verdict)."""
        return frozenset(
            term
            for term, weights in self._weights.items()
            if sum(weights) / len(weights) / self._idf[term] >= min_weight
        )
