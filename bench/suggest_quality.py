"""Quality and speed of the offline theme suggestions (``workshops.suggest``).

Run: ``uv run python bench/suggest_quality.py`` (``--dev`` prints only the development
sets, ``--show`` the suggested notes, ``--sweep`` other thresholds on the development sets).

Every labelled set is scored exactly as the app calls ``suggest_themes`` (all notes,
``language="auto"``, the default threshold, the 12 suggestions shown):

- ``tests/data/themes_labelled.json``: the project's own set (written with the thesaurus's
  vocabulary, so it flatters the algorithm);
- ``bench/data/suggest/<set>/notes.json`` scored against each ``labels_*.json`` in that
  folder: notes of real workshops labelled by people who never saw the algorithm.

Development sets (tuned on): the project's own set and ``seed004``. Every other set is
held out: look at its figures only at the end, never tune on them (docs/theme-suggestions.md).

Quality is pairwise: every pair of notes in the same shown suggestion is a predicted pair,
every pair with the same gold theme a true pair. Coverage is the share of notes in a shown
suggestion. A suggestion with precision below 0.5 has more wrong pairs than right ones: the
facilitator has to take it apart by hand. Speed is the median of 5 runs over 1,000 notes built
from the own set's words.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workshops.suggest import (  # noqa: E402
    DEFAULT_MAX_SUGGESTIONS,
    DEFAULT_MIN_SIMILARITY,
    Suggestion,
    suggest_themes,
)

LABELLED = ROOT / "tests" / "data" / "themes_labelled.json"
SETS = ROOT / "bench" / "data" / "suggest"
# Tuned on; everything else is held out.
DEVELOPMENT = frozenset({"own", "seed004"})


@dataclass(frozen=True)
class LabelledSet:
    name: str  # "own" or "<folder>/<labeller>", e.g. "seed004/a"
    notes: list[tuple[int, str]]
    gold: dict[int, str]  # note id -> theme; a singleton has a theme of its own

    @property
    def folder(self) -> str:
        return self.name.split("/")[0]

    @property
    def development(self) -> bool:
        return self.folder in DEVELOPMENT


def load_labelled(path: Path = LABELLED) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["notes"]


def own_set() -> LabelledSet:
    notes = load_labelled()
    return LabelledSet(
        "own", [(n["id"], n["text"]) for n in notes], {n["id"]: n["theme"] for n in notes}
    )


def seed_sets(root: Path = SETS) -> list[LabelledSet]:
    """One set per folder and labeller: every ``labels_*.json`` present."""
    result = []
    for folder in sorted(p for p in root.iterdir() if (p / "notes.json").exists()):
        notes = json.loads((folder / "notes.json").read_text(encoding="utf-8"))["notes"]
        pairs = [(n["id"], n["text"]) for n in notes]
        for path in sorted(folder.glob("labels_*.json")):
            labels = json.loads(path.read_text(encoding="utf-8"))
            gold: dict[int, str] = {}
            for theme in labels["themes"]:
                for note_id in theme["note_ids"]:
                    gold[note_id] = theme["name"]
            for note_id in labels.get("singletons", []):
                gold[note_id] = f"\x00singleton {note_id}"
            missing = {i for i, _ in pairs} - gold.keys()
            if missing:
                raise SystemExit(f"{path}: notes without a label: {sorted(missing)}")
            labeller = path.stem.removeprefix("labels_")
            result.append(LabelledSet(f"{folder.name}/{labeller}", pairs, gold))
    return result


def all_sets() -> list[LabelledSet]:
    return [own_set(), *seed_sets()]


def true_pairs(gold: dict[int, str]) -> set[frozenset[int]]:
    by_label: dict[str, list[int]] = {}
    for note_id, label in gold.items():
        by_label.setdefault(label, []).append(note_id)
    return {frozenset(p) for ids in by_label.values() for p in combinations(ids, 2)}


def pairwise_scores(
    suggestions: list[Suggestion], gold: dict[int, str]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of suggested themes against gold labels."""
    predicted = {
        frozenset(pair) for s in suggestions for pair in combinations(sorted(s.note_ids), 2)
    }
    true = true_pairs(gold)
    hits = len(predicted & true)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def suggestion_precision(suggestion: Suggestion, gold: dict[int, str]) -> float:
    pairs = list(combinations(suggestion.note_ids, 2))
    return sum(gold[a] == gold[b] for a, b in pairs) / len(pairs)


@dataclass(frozen=True)
class Result:
    precision: float
    recall: float
    f1: float
    coverage: float
    weak: int  # shown suggestions with precision < 0.5
    suggestions: list[Suggestion]


def evaluate(
    labelled: LabelledSet,
    *,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    max_suggestions: int = DEFAULT_MAX_SUGGESTIONS,
) -> Result:
    """Score the suggestions as the app shows them (``workshops.screens``)."""
    suggestions = suggest_themes(
        labelled.notes,
        language="auto",
        min_similarity=min_similarity,
        max_suggestions=max_suggestions,
    )
    p, r, f1 = pairwise_scores(suggestions, labelled.gold)
    covered = {i for s in suggestions for i in s.note_ids}
    weak = sum(suggestion_precision(s, labelled.gold) < 0.5 for s in suggestions)
    return Result(p, r, f1, len(covered) / len(labelled.notes), weak, suggestions)


def agreement(sets: list[LabelledSet]) -> list[tuple[str, float]]:
    """Pairwise F1 between two labellers of the same notes: the ceiling to expect."""
    by_folder: dict[str, list[LabelledSet]] = {}
    for s in sets:
        if s.name != "own":
            by_folder.setdefault(s.folder, []).append(s)
    result = []
    for folder, labellings in by_folder.items():
        for a, b in combinations(labellings, 2):
            ta, tb = true_pairs(a.gold), true_pairs(b.gold)
            hits = len(ta & tb)
            f1 = 2 * hits / (len(ta) + len(tb)) if ta or tb else 1.0
            result.append((f"{folder}: {a.name} vs {b.name}", f1))
    return result


def describe(labelled: LabelledSet) -> str:
    sizes = Counter(labelled.gold.values())
    return (
        f"{len(labelled.notes)} notes, {sum(c > 1 for c in sizes.values())} themes, "
        f"{sum(c == 1 for c in sizes.values())} singletons"
    )


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


def print_set(labelled: LabelledSet, result: Result, *, show: bool) -> None:
    print(
        f"{labelled.name:<12} precision {result.precision:.2f}  recall {result.recall:.2f}  "
        f"F1 {result.f1:.2f}  coverage {result.coverage:.0%}  "
        f"precision<0.5: {result.weak}/{len(result.suggestions)}   ({describe(labelled)})"
    )
    labels = ", ".join(
        f"{s.label} {len(s.note_ids)}/{suggestion_precision(s, labelled.gold):.1f}"
        for s in result.suggestions
    )
    print(f"{'':<12} shown (label notes/precision): {labels}")
    if show:
        texts = dict(labelled.notes)
        for s in result.suggestions:
            print(f"\n  {s.label} ({s.score:.2f})")
            for note_id in s.note_ids:
                gold = labelled.gold[note_id].replace("\x00", "")
                print(f"    - {texts[note_id]} [{gold}]")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="development sets only")
    parser.add_argument("--show", action="store_true", help="print the suggested notes")
    parser.add_argument(
        "--sweep", action="store_true", help="try thresholds (development sets only)"
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the 1,000-note timing")
    args = parser.parse_args()

    sets = all_sets()
    groups = [("development", [s for s in sets if s.development])]
    if not args.dev:
        groups.append(("held out", [s for s in sets if not s.development]))
    for title, members in groups:
        print(f"== {title} (language=auto, min_similarity {DEFAULT_MIN_SIMILARITY}, 12 shown)")
        for labelled in members:
            print_set(labelled, evaluate(labelled), show=args.show)
        for name, f1 in agreement(members):
            print(f"labeller agreement {name}: pairwise F1 {f1:.2f}")

    if args.sweep:
        for labelled in (s for s in sets if s.development):
            for threshold in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
                r = evaluate(labelled, min_similarity=threshold)
                print(
                    f"sweep {labelled.name:<12} {threshold:.2f}: precision {r.precision:.2f}  "
                    f"recall {r.recall:.2f}  F1 {r.f1:.2f}  coverage {r.coverage:.0%}  "
                    f"precision<0.5: {r.weak}"
                )

    if not args.no_speed:
        seconds, made = runtime(load_labelled())
        print(
            f"runtime, 1,000 notes: median of 5 runs {seconds * 1000:.0f} ms ({made} suggestions)"
        )


if __name__ == "__main__":
    main()
