"""Rule files are validated on load, with errors that name the file, the rule and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from footprint.checklist.rules import load_ruleset
from footprint.errors import ConfigError
from footprint.paths import resources_dir


def test_bundled_rules_cover_every_screening_category(rules):
    content = {r.category for r in rules.content}
    for category in (
        "threats",
        "hate",
        "harassment",
        "profanity",
        "sexual",
        "drugs",
        "alcohol",
        "crime",
        "extremism",
        "self_harm",
        "workplace",
        "confidential",
        "political",
        "protected_trait",
    ):
        assert category in content, category
    assert all(r.why for r in rules.content)
    assert all(r.severity == "info" for r in rules.content if r.category == "protected_trait")
    assert rules.categories["self_harm"].gentle
    assert "988" in rules.categories["self_harm"].why
    assert {d for d in rules.detectors} >= {"phone", "email", "card_number", "us_ssn", "iban"}
    assert len(rules.settings) >= 10


@pytest.fixture
def rule_dir(tmp_path):
    target = tmp_path / "checklist"
    shutil.copytree(resources_dir() / "checklist", target)
    return target


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'category = "profanity"\n[[rule]]\nid = "x.y"\nseverity = "huge"\nwhy = "w"\nterms = ["a"]\n',
            "'severity' is 'huge'",
        ),
        (
            'category = "profanity"\n[[rule]]\nid = "x.y"\nseverity = "low"\nwhy = "w"\nterms = ["a"]\nserverity = 1\n',
            "unknown key(s): serverity",
        ),
        (
            'category = "profanity"\n[[rule]]\nid = "x.y"\nseverity = "low"\nwhy = "w"\nphrases = ["single"]\n',
            "'single' is not one",
        ),
        (
            'category = "profanity"\n[[rule]]\nid = "x.y"\nseverity = "low"\nwhy = "w"\n'
            "patterns = [{ regex = '(unclosed', anchors = [\"a\"] }]\n",
            "not a valid regular expression",
        ),
        (
            'category = "profanity"\n[[rule]]\nid = "x.y"\nseverity = "low"\nwhy = "w"\n'
            "patterns = [{ regex = 'abc' }]\n",
            "'anchors' needs at least one word",
        ),
        (
            'category = "protected_trait"\n[[rule]]\nid = "x.y"\nseverity = "high"\nwhy = "w"\nterms = ["a"]\n',
            "severity must be 'info'",
        ),
        ('category = "nonsense"\n', "category 'nonsense' is not defined"),
        (
            'category = "profanity"\n[[rule]]\nid = "profanity.strong"\nseverity = "low"\nwhy = "w"\nterms = ["a"]\n',
            "used twice",
        ),
        (
            'category = "profanity"\n[[rule]]\nid = "x.y"\nseverity = "low"\nwhy = "w"\n',
            "needs terms",
        ),
        ("category = [", "not valid TOML"),
    ],
)
def test_invalid_rule_files_say_what_and_where(rule_dir, body, message):
    _write(rule_dir / "content" / "zz_custom.toml", body)
    with pytest.raises(ConfigError) as caught:
        load_ruleset(rule_dir)
    assert message in caught.value.message
    assert "zz_custom.toml" in caught.value.message


def test_settings_and_score_sections_are_validated(rule_dir):
    text = (rule_dir / "settings.toml").read_text()
    _write(rule_dir / "settings.toml", text.replace('loose = ["true"]', "loose = []", 1))
    with pytest.raises(ConfigError, match="'loose' needs at least one value"):
        load_ruleset(rule_dir)
    shutil.copy(resources_dir() / "checklist" / "settings.toml", rule_dir / "settings.toml")
    text = (rule_dir / "context.toml").read_text()
    _write(rule_dir / "context.toml", text.replace("threshold = 0.9", "threshold = 2.0"))
    with pytest.raises(ConfigError, match="threshold"):
        load_ruleset(rule_dir)


def test_fingerprint_changes_with_the_rules(rule_dir):
    before = load_ruleset(rule_dir).fingerprint
    path = rule_dir / "content" / "profanity.toml"
    _write(path, path.read_text().replace('"crap", ', ""))
    assert load_ruleset(rule_dir).fingerprint != before


def test_extra_rule_files_add_custom_keywords(rule_dir, tmp_path):
    extra = tmp_path / "mine.toml"
    _write(
        extra,
        'category = "confidential"\n[[rule]]\nid = "custom.project"\nseverity = "high"\n'
        'why = "My employer\'s codename"\nexact = ["bluefin"]\n',
    )
    rules = load_ruleset(rule_dir, extra=[extra])
    assert any(r.id == "custom.project" for r in rules.content)


def test_missing_rules_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="missing"):
        load_ruleset(tmp_path)
