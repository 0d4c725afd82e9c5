"""Content matching: the classic traps stay clean, obfuscations are caught, spans are exact."""

from __future__ import annotations

import pytest

from tests.checklist.conftest import categories

OFFENSIVE = {
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
}


@pytest.mark.parametrize(
    "text",
    [
        "this bug is killing me",
        "ugh this deadline is killing me, send coffee",
        "kill -9 4412 and restart nginx",
        "Scunthorpe United away win, what a night",
        "Essex, Middlesex and Sussex county cricket all rained off",
        "shot a photo of the sunset from the pier",
        "shoot me an email when you're free",
        "our phase 2 drug trial read out positive today",
        "the drugstore on 5th closes at 9",
        "killed it at the gig tonight 🎸",
        "pot roast in the slow cooker, house smells amazing",
        "high school reunion next month, feeling old",
        "wasted a whole afternoon on a config typo",
        "Isis the cat knocked my coffee over again",
        "cocktail of features in this release",
        "went to see Moby Dick at the theatre",
        "crack the code and you win a t-shirt",
        "diet coke and a sandwich, living the dream",
        "joint pain after the marathon, stretching more",
        "🎵 I shot the sheriff, but I did not shoot the deputy 🎵",
        "Gunman kills 3 at mall, police say https://news.example.com/story",
        "suicide squeeze bunt wins it in the ninth!",
        "cut myself shaving, looking rough for the interview lol",
        "that drum solo was sick",
    ],
)
def test_traps_stay_clean(checker, text):
    assert not categories(checker, text) & OFFENSIVE, checker.check(text)


@pytest.mark.parametrize(
    ("text", "category", "match"),
    [
        ("sh1t happens", "profanity", "sh1t"),
        ("f**k this week", "profanity", "f**k"),
        ("fuuuuuck my life", "profanity", "fuuuuuck"),
        ("well f.u.c.k that", "profanity", "f.u.c.k"),
        ("what an a$$hole move", "profanity", "a$$hole"),
        ("I'm gonna stab you if you touch my lunch again", "threats", None),
        ("@dave you absolute moron", "harassment", "moron"),
        ("got so wasted at the kegger", "alcohol", None),
        ("smoking a joint behind the gym", "drugs", None),
        ("shoplifted a lipstick lol", "crime", "shoplifted"),
        ("I don't want to be here anymore", "self_harm", None),
        ("my manager is a useless idiot", "workplace", None),
        ("the unreleased phone launches in May, under NDA so shh", "confidential", None),
    ],
)
def test_positives_with_exact_spans(checker, text, category, match):
    drafts = [d for d in checker.check(text) if d.category == category]
    assert drafts, checker.check(text)
    for span in drafts[0].evidence:
        assert text[span["start"] : span["end"]] == span["match"]
    if match:
        assert match in [e["match"] for e in drafts[0].evidence]


def test_negation_suppresses_drug_talk(checker):
    assert "drugs" in categories(checker, "doing drugs all weekend")
    assert "drugs" not in categories(checker, "I have never done drugs and never will")


def test_quotation_downgrades(checker):
    plain = next(d for d in checker.check("go kill yourself") if d.category == "harassment")
    text = 'he wrote "go kill yourself" under my post, reported'
    quoted = next(d for d in checker.check(text) if d.category == "harassment")
    order = ["info", "low", "medium", "high", "critical"]
    assert order.index(quoted.severity) < order.index(plain.severity)
    assert "quoted" in quoted.evidence[0]["notes"]


def test_protected_traits_are_informational_and_kind(checker):
    drafts = checker.check("22 weeks along and my husband is already painting the nursery")
    traits = {d.rule_id for d in drafts if d.category == "protected_trait"}
    assert traits == {"trait.pregnancy", "trait.family"}
    assert all(d.severity == "info" for d in drafts if d.category == "protected_trait")
    assert all("bias" in d.why for d in drafts if d.category == "protected_trait")


def test_bigoted_posts_do_not_count_as_the_posters_traits(checker):
    drafts = checker.check("all muslims are vermin and should be deported")
    assert "hate" in {d.category for d in drafts}
    assert "protected_trait" not in {d.category for d in drafts}


def test_self_harm_finding_points_to_help(checker):
    (draft,) = [
        d for d in checker.check("i want to die, nobody would notice") if d.category == "self_harm"
    ]
    assert "988" in draft.why and "your decision" in draft.why
    assert "delete" not in draft.why.lower()


def test_unicode_text_keeps_spans_aligned(checker):
    text = "İstanbul trip 🇹🇷 was fucking amazing"
    (draft,) = [d for d in checker.check(text) if d.category == "profanity"]
    span = draft.evidence[0]
    assert text[span["start"] : span["end"]] == "fucking"


def test_empty_and_huge_texts(checker):
    assert checker.check("") == []
    big = ("lorem ipsum dolor sit amet " * 20000) + " fuck"
    assert "profanity" in categories(checker, big)
