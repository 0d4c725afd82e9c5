"""The offensive-language model reproduces alt-profanity-check's probabilities exactly."""

from __future__ import annotations

import pytest

from footprint.checklist.engine import load_model

# Printed by scripts/extract_offensive_model.py with alt-profanity-check 1.9.1.
REFERENCE = {
    "this bug is killing me": 0.19790925973704013,
    "you are a fucking idiot": 0.9999999999940767,
    "have a nice day": 0.05844726394294451,
    "shut up you stupid loser nobody likes you": 0.9999916097804306,
    "kill -9 4412 and restart nginx": 0.6623488269402882,
    "what a beautiful sunset over the bay": 0.027636392157888802,
    "that was a damn good burger": 0.4632858585127913,
    "go back to where you came from": 0.027468484534923295,
}


@pytest.mark.parametrize(("text", "expected"), REFERENCE.items())
def test_matches_the_library(text, expected):
    assert load_model().score(text).probability == pytest.approx(expected, abs=2e-6)


def test_top_terms_are_the_offensive_words():
    score = load_model().score("you are a fucking idiot")
    assert set(score.top_terms[:2]) == {"fucking", "idiot"}


def test_model_only_finding_has_word_evidence(checker):
    text = "shut up you stupid loser nobody likes you"
    drafts = checker.check(text)
    assert drafts
    for d in drafts:
        for span in d.evidence:
            assert text[span["start"] : span["end"]] == span["match"]


def test_corrupt_model_is_a_clear_error(tmp_path):
    from footprint.errors import ConfigError

    bad = tmp_path / "m.tsv.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(ConfigError, match="could not be read"):
        load_model(bad)
