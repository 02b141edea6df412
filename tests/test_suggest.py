"""Offline theme suggestions (workshops.suggest): pure functions, no database."""

import json
import time
from dataclasses import FrozenInstanceError
from itertools import combinations
from pathlib import Path

import pytest

from workshops.suggest import (
    Suggestion,
    detect_language,
    is_noun_like,
    normalise,
    suggest_themes,
    tokens,
)

LABELLED = Path(__file__).parent / "data" / "themes_labelled.json"
# A real workshop labelled blind to the algorithm: the development set we tune on.
SEED004 = Path(__file__).parent.parent / "bench" / "data" / "suggest" / "seed004"


def together(suggestions: list[Suggestion], *ids: int) -> bool:
    return any(set(ids) <= set(s.note_ids) for s in suggestions)


def grouped(suggestions: list[Suggestion]) -> set[int]:
    return {i for s in suggestions for i in s.note_ids}


def test_normalise_keeps_swedish_letters_and_drops_punctuation():
    assert normalise("Stuprören!! Å, Ä & Ö – 2024?") == "stuprören å ä ö"


def test_tokens_drop_swedish_and_english_stop_words():
    assert tokens("Vi sitter i våra stuprör and the silos") == ["sitter", "stuprör", "silos"]


def test_it_clusters_inflections_of_one_word():
    notes = [
        (1, "Stuprör"),
        (2, "Stuprören mellan förvaltningarna"),
        (3, "Fika på fredagar"),
    ]
    suggestions = suggest_themes(notes)
    assert together(suggestions, 1, 2)
    assert 3 not in grouped(suggestions)


def test_it_relates_compounds_to_their_parts():
    notes = [
        (1, "Resurser"),
        (2, "Resursbrist i kommunerna"),
        (3, "Stuprörstänk"),
        (4, "Alla sitter i sina stuprör"),
    ]
    suggestions = suggest_themes(notes)
    assert together(suggestions, 1, 2)
    assert together(suggestions, 3, 4)
    assert not together(suggestions, 1, 3)


def test_it_does_not_group_unrelated_notes():
    notes = [
        (1, "Gemensam målbild"),
        (2, "Fika på fredagar"),
        (3, "Geografiska avstånd"),
        (4, "Juridiken är krånglig"),
    ]
    assert suggest_themes(notes) == []


@pytest.mark.parametrize("notes", [[], [(1, "Stuprör")]])
def test_it_suggests_nothing_for_fewer_than_two_notes(notes):
    assert suggest_themes(notes) == []


def test_notes_without_content_words_are_never_suggested():
    notes = [(1, "och och"), (2, "!!!"), (3, "the and"), (4, "")]
    assert suggest_themes(notes) == []


def test_it_clusters_english_notes():
    notes = [
        (1, "Working in silos"),
        (2, "Silo thinking between departments"),
        (3, "Lack of funding"),
        (4, "Funding runs out after the project"),
        (5, "Coffee breaks"),
    ]
    suggestions = suggest_themes(notes, language="en")
    assert together(suggestions, 1, 2)
    assert together(suggestions, 3, 4)
    assert 5 not in grouped(suggestions)


def test_auto_language_handles_mixed_notes():
    assert detect_language("Brist på förtroende") == "sv"
    assert detect_language("Lack of funding") == "en"
    notes = [(1, "Finansiering saknas"), (2, "Finansieringen"), (3, "Lack of funding")]
    suggestions = suggest_themes(notes, language="auto")
    assert together(suggestions, 1, 2)


def test_a_suggestion_is_frozen_and_labelled_with_a_shared_word():
    notes = [(10, "Tillit"), (11, "Tillit mellan organisationerna"), (12, "Mer tillit!")]
    [suggestion] = suggest_themes(notes)
    assert suggestion.note_ids == (10, 11, 12)
    assert suggestion.label == "Tillit"
    assert 0 < suggestion.score <= 1
    with pytest.raises(FrozenInstanceError):
        suggestion.label = "x"  # type: ignore[misc]


def test_max_suggestions_keeps_the_biggest():
    notes = [
        (1, "Stuprör"),
        (2, "Stuprören"),
        (3, "Stuprörstänk"),
        (4, "Tillit"),
        (5, "Tillit mellan oss"),
    ]
    [suggestion] = suggest_themes(notes, max_suggestions=1)
    assert suggestion.note_ids == (1, 2, 3)


def test_a_higher_threshold_never_suggests_more_pairs():
    notes = [(n["id"], n["text"]) for n in json.loads(LABELLED.read_text())["notes"]]

    def pairs(threshold: float) -> int:
        found = suggest_themes(notes, min_similarity=threshold, max_suggestions=1000)
        return sum(len(s.note_ids) * (len(s.note_ids) - 1) // 2 for s in found)

    assert pairs(0.6) <= pairs(0.25)


def test_labelled_set_quality_does_not_regress():
    # Measured: precision 0.879, recall 0.553 (all suggestions, not only the 12 shown).
    data = json.loads(LABELLED.read_text(encoding="utf-8"))["notes"]
    suggestions = suggest_themes(
        [(n["id"], n["text"]) for n in data], language="auto", max_suggestions=len(data)
    )
    gold = {n["id"]: n["theme"] for n in data}
    predicted = {pair for s in suggestions for pair in combinations(sorted(s.note_ids), 2)}
    true = {(a, b) for a, b in combinations(sorted(gold), 2) if gold[a] == gold[b]}
    precision = len(predicted & true) / len(predicted)
    recall = len(predicted & true) / len(true)
    assert precision >= 0.85
    assert recall >= 0.52


def test_a_thousand_notes_take_well_under_a_second():
    words = [n["text"] for n in json.loads(LABELLED.read_text(encoding="utf-8"))["notes"]]
    notes = [(i, f"{words[i % len(words)]} {words[(i * 7) % len(words)]}") for i in range(1000)]
    start = time.perf_counter()
    suggest_themes(notes)
    # Generous for slow CI machines; the benchmark measures about a quarter of a second.
    assert time.perf_counter() - start < 3.0


# Fixes found on a real workshop (bench/data/suggest/seed004), see docs/theme-suggestions.md.


def test_misspelt_and_split_words_join_their_theme():
    notes = [
        (1, "Stuprör -"),
        (2, "stuprören, uppdelningen."),
        (3, "Skuprör"),
        (4, "DEPARTEMENTEN = STÖP RÖR"),
        (5, "Fika på fredagar"),
    ]
    [suggestion] = suggest_themes(notes)
    assert suggestion.note_ids == (1, 2, 3, 4)
    # A misspelling is never shown as the label when the notes spell the word right.
    assert suggestion.label == "Stuprör"


def test_a_word_typed_without_a_ring_meets_the_word_with_it_but_not_another_word():
    notes = [(1, "Vaga tänka nytt!"), (2, "Våga göra rätt"), (3, "Väga kostnader")]
    suggestions = suggest_themes(notes)
    assert together(suggestions, 1, 2)
    assert 3 not in grouped(suggestions)


def test_samverkan_and_samverka_are_one_word_named_by_the_noun():
    [suggestion] = suggest_themes([(1, "Samverkan"), (2, "Samverka!"), (3, "Prestige")])
    # Snowball alone leaves "samverkan" and cuts "samverka" to "samverk": a partial match.
    assert suggestion.note_ids == (1, 2)
    assert suggestion.score == 1.0
    assert suggestion.label == "Samverkan"


def test_tidiga_is_not_tid():
    notes = [(1, "tidiga dialoger"), (2, "Ont om tid"), (3, "tajta tidsplaner")]
    suggestions = suggest_themes(notes)
    assert together(suggestions, 2, 3)
    assert 1 not in grouped(suggestions)


def test_common_verbs_do_not_make_a_theme():
    notes = [
        (1, "Samverkan leder till att saker skapas tillsammans."),
        (2, "Resursbrist leder till att man inte hinner."),
        (3, "Hantera osäkerhet"),
    ]
    assert suggest_themes(notes) == []


@pytest.mark.parametrize(
    "text", ["Organisation", "Kommunikation", "Utveckling", "Regional utveckling", "Handling"]
)
def test_swedish_words_ending_in_tion_or_ling_are_swedish(text):
    assert detect_language(text) == "sv"


def test_english_words_without_stop_words_are_still_english():
    assert detect_language("Brave leadership") == "en"
    assert detect_language("Siloed thinking") == "en"


@pytest.mark.parametrize(
    ("word", "noun"),
    [
        ("samverkan", True),
        ("stuprör", True),
        ("förankring", True),
        ("mål", True),
        ("politisk", False),
        ("tydliga", False),
        ("leder", False),
        ("testa", False),
    ],
)
def test_is_noun_like(word, noun):
    assert is_noun_like(word) is noun


def test_labels_are_nouns_and_keep_a_leading_adjective():
    notes = [
        (1, "Politisk förankring"),
        (2, "POLITISK FÖRANKRING saknas"),
        (3, "Tydlig politisk förankring"),
        (4, "Samverkan"),
        (5, "samverka mera"),
        (6, "Samverkans roll"),
    ]
    labels = {s.label for s in suggest_themes(notes)}
    assert labels == {"Politisk förankring", "Samverkan"}


def test_a_verb_form_is_not_a_label():
    notes = [(1, "Styret byts ut (val)"), (2, "Styret byts ut (val)."), (3, "Prestige")]
    [suggestion] = suggest_themes(notes)
    assert suggestion.label == "Styret"


def test_a_concept_named_in_english_and_swedish_gets_the_swedish_word():
    notes = [
        (1, "Stuprör"),
        (2, "Working in silos"),
        (3, "Silo thinking"),
        (4, "Organisational silos"),
        (5, "Alla sitter i sina stuprör"),
    ]
    [suggestion] = suggest_themes(notes, language="auto")
    assert suggestion.label == "Stuprör"


def test_the_plain_form_is_the_label_rather_than_the_definite_one():
    notes = [(1, "Informationen når inte fram"), (2, "Informationen saknas"), (3, "Information")]
    [suggestion] = suggest_themes(notes)
    assert suggestion.label == "Information"


def test_a_definite_noun_is_named_in_its_plain_form_even_when_no_note_writes_it():
    # Swedish nouns in -tion, -het, -ning, -skap have one definite form, so the plain one is
    # known without a lexicon; the own labelled set was shown as "Informationen".
    notes = [(1, "Informationen når inte fram"), (2, "Informationen saknas")]
    assert suggest_themes(notes)[0].label == "Information"
    notes = [(1, "Myndigheterna samarbetar inte"), (2, "Myndigheterna är trögrörliga")]
    assert suggest_themes(notes)[0].label == "Myndigheter"


@pytest.mark.parametrize(
    ("written", "shown"),
    [("Frågan", "Frågan"), ("Samverkan", "Samverkan"), ("Ledningen", "Ledning")],
)
def test_only_unambiguous_definite_endings_are_made_plain(written, shown):
    # "-an" and "-en" alone are not always the article ("samverkan", "frågan" from "fråga"
    # would need a lexicon); "-ningen" always is.
    notes = [(1, f"{written} är viktig"), (2, f"{written} brister")]
    assert suggest_themes(notes)[0].label == shown


@pytest.mark.parametrize(("labeller", "min_f1"), [("a", 0.30), ("b", 0.22)])
def test_real_workshop_quality_as_shown_does_not_regress(labeller, min_f1):
    # Measured (bench/suggest_quality.py): F1 0.31 (A) and 0.23 (B), coverage 42 %;
    # 0.24 and 0.20, coverage 36 %, before the fixes for misspellings, stems and verbs.
    notes = json.loads((SEED004 / "notes.json").read_text(encoding="utf-8"))["notes"]
    labels = json.loads((SEED004 / f"labels_{labeller}.json").read_text(encoding="utf-8"))
    gold = {i: t["name"] for t in labels["themes"] for i in t["note_ids"]}
    shown = suggest_themes([(n["id"], n["text"]) for n in notes], language="auto")
    predicted = {pair for s in shown for pair in combinations(sorted(s.note_ids), 2)}
    true = {(a, b) for a, b in combinations(sorted(gold), 2) if gold[a] == gold[b]}
    hits = len(predicted & true)
    f1 = 2 * hits / (len(predicted) + len(true))
    coverage = len({i for s in shown for i in s.note_ids}) / len(notes)
    assert f1 >= min_f1
    assert coverage >= 0.40
