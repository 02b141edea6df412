"""Quality and speed of the offline theme suggestions (``workshops.suggest``).

Run: ``uv run python bench/suggest_quality.py`` (add ``--sweep`` to try thresholds).

Quality is pairwise: every pair of notes that the suggestions put in the same theme is a
predicted pair, every pair with the same gold label in ``tests/data/themes_labelled.json``
is a true pair. Precision matters most, since a facilitator has to reject every wrong
suggestion by hand. Speed is the median of 5 runs over 1,000 notes built from the labelled
set's words.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workshops import suggest  # noqa: E402
from workshops.suggest import (  # noqa: E402
    DEFAULT_MIN_SIMILARITY,
    Language,
    Suggestion,
    suggest_themes,
)

LABELLED = ROOT / "tests" / "data" / "themes_labelled.json"


def load_labelled(path: Path = LABELLED) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["notes"]


def pairwise_scores(
    suggestions: list[Suggestion], gold: dict[int, str]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of suggested themes against gold labels."""
    predicted = {
        frozenset(pair) for s in suggestions for pair in combinations(sorted(s.note_ids), 2)
    }
    by_label: dict[str, list[int]] = {}
    for note_id, label in gold.items():
        by_label.setdefault(label, []).append(note_id)
    true = {frozenset(pair) for ids in by_label.values() for pair in combinations(ids, 2)}
    hits = len(predicted & true)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(
    notes: list[dict], *, language: Language, min_similarity: float
) -> tuple[float, float, float, list[Suggestion]]:
    pairs = [(n["id"], n["text"]) for n in notes]
    suggestions = suggest_themes(
        pairs, language=language, min_similarity=min_similarity, max_suggestions=len(pairs)
    )
    gold = {n["id"]: n["theme"] for n in notes}
    return (*pairwise_scores(suggestions, gold), suggestions)


def synthetic_notes(notes: list[dict], count: int = 1000, seed: int = 0) -> list[tuple[int, str]]:
    """``count`` notes: labelled ones, then recombinations of their words."""
    rng = random.Random(seed)
    texts = [n["text"] for n in notes]
    words = [w for t in texts for w in t.split()]
    result = [(i + 1, t) for i, t in enumerate(texts[:count])]
    while len(result) < count:
        base = rng.choice(texts).split()
        extra = rng.sample(words, k=rng.randint(1, 4))
        result.append((len(result) + 1, " ".join(base + extra)))
    return result


def runtime(notes: list[dict], *, count: int = 1000, runs: int = 5) -> tuple[float, int]:
    """Median seconds over ``runs`` runs for ``count`` notes, and the suggestions made."""
    data = synthetic_notes(notes, count)
    timings = []
    made = 0
    for _ in range(runs):
        start = time.perf_counter()
        made = len(suggest_themes(data, language="auto", max_suggestions=count))
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="try a range of thresholds")
    parser.add_argument("--show", action="store_true", help="print the suggested themes")
    args = parser.parse_args()

    notes = load_labelled()
    labels = Counter(n["theme"] for n in notes)
    print(
        f"labelled set: {len(notes)} notes, {sum(c > 1 for c in labels.values())} themes, "
        f"{sum(c == 1 for c in labels.values())} singletons, "
        f"{sum(n['lang'] == 'en' for n in notes)} in English"
    )

    thresholds = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5] if args.sweep else []
    if DEFAULT_MIN_SIMILARITY not in thresholds:
        thresholds.append(DEFAULT_MIN_SIMILARITY)
    for language in ("auto", "sv"):
        for threshold in sorted(thresholds):
            p, r, f1, suggestions = evaluate(notes, language=language, min_similarity=threshold)
            mark = " (default)" if threshold == DEFAULT_MIN_SIMILARITY else ""
            print(
                f"language={language:<4} min_similarity={threshold:.2f}: precision {p:.3f}  "
                f"recall {r:.3f}  F1 {f1:.3f}  suggestions {len(suggestions)}{mark}"
            )
    # The thesaurus was written by the same hand as the labelled set, so show what the
    # words alone achieve too: the honest floor for vocabulary the thesaurus lacks.
    saved = suggest._CONCEPT_WEIGHT
    suggest._CONCEPT_WEIGHT = 0.0
    try:
        p, r, f1, suggestions = evaluate(
            notes, language="auto", min_similarity=DEFAULT_MIN_SIMILARITY
        )
    finally:
        suggest._CONCEPT_WEIGHT = saved
    print(
        f"without the thesaurus, auto, {DEFAULT_MIN_SIMILARITY:.2f}: precision {p:.3f}  "
        f"recall {r:.3f}  F1 {f1:.3f}  suggestions {len(suggestions)}"
    )

    if args.show:
        texts = {n["id"]: f"{n['text']} [{n['theme']}]" for n in notes}
        _, _, _, suggestions = evaluate(
            notes, language="auto", min_similarity=DEFAULT_MIN_SIMILARITY
        )
        for s in suggestions:
            print(f"\n{s.label} ({s.score:.2f})")
            for note_id in s.note_ids:
                print(f"  - {texts[note_id]}")

    seconds, made = runtime(notes)
    print(f"runtime, 1,000 notes: median of 5 runs {seconds * 1000:.0f} ms ({made} suggestions)")


if __name__ == "__main__":
    main()
