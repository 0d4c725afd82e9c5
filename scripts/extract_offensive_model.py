"""Rebuild resources/checklist/model/offensive.tsv.gz from alt-profanity-check's trained model.

alt-profanity-check (MIT) ships a TF-IDF vectorizer and five sigmoid-calibrated linear SVMs
pickled for one exact scikit-learn version. footprint does not depend on scikit-learn: this
script copies the numbers (vocabulary, idf, per-model weights, intercepts, calibration) into a
small text table that footprint/checklist/model.py evaluates in plain Python.

Run it in a throwaway venv:
    pip install alt-profanity-check && python scripts/extract_offensive_model.py
It also prints reference probabilities for tests/checklist/test_model.py.
"""

from __future__ import annotations

import gzip
import json
from importlib.metadata import version
from pathlib import Path

from profanity_check import profanity_check  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parent.parent / "resources" / "checklist" / "model"
SAMPLES = [
    "this bug is killing me",
    "you are a fucking idiot",
    "have a nice day",
    "shut up you stupid loser nobody likes you",
    "kill -9 4412 and restart nginx",
    "what a beautiful sunset over the bay",
    "that was a damn good burger",
    "go back to where you came from",
]


def main() -> None:
    vectorizer = profanity_check.vectorizer
    model = profanity_check.model
    params = vectorizer.get_params()
    assert params["analyzer"] == "word" and params["ngram_range"] == (1, 1)
    assert params["lowercase"] and params["norm"] == "l2" and not params["sublinear_tf"]
    models = []
    for calibrated in model.calibrated_classifiers_:
        svm = calibrated.estimator
        (calibrator,) = calibrated.calibrators
        models.append((svm.coef_[0], float(svm.intercept_[0]), calibrator.a_, calibrator.b_))
    header = {
        "source": f"alt-profanity-check {version('alt-profanity-check')}",
        "token_pattern": params["token_pattern"],
        "models": [
            {"intercept": b, "calibration_a": float(a), "calibration_b": float(c)}
            for _, b, a, c in models
        ],
    }
    rows = sorted(vectorizer.vocabulary_.items())
    idf = vectorizer.idf_
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT / "offensive.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("# " + json.dumps(header) + "\n")
        for term, index in rows:
            weights = "\t".join(f"{coef[index]:.6g}" for coef, _, _, _ in models)
            out.write(f"{term}\t{idf[index]:.6g}\t{weights}\n")
    print(
        json.dumps(
            dict(zip(SAMPLES, profanity_check.predict_prob(SAMPLES).tolist(), strict=True)),
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
