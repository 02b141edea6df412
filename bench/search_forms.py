"""Which query words find which stored words: the search's word matching, measured.

Not a test: a measurement behind docs/archive.md (“Every form of a word”). The vocabulary
is every word of four or more letters in the project's Swedish note texts (demo data,
the large demo, the labelled theme notes, the archive seed and the archive tests). The
families below were written by hand: the forms, derivations and compounds a person
searching for one of them expects to find. Every family word is a query, with and
without diacritics; a match with a word of another family is a false match.

    uv run python bench/search_forms.py                       # Labb's matching
    uv run --with simplemma python bench/search_forms.py      # also simplemma's lemmas
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")

import django  # noqa: E402

django.setup()

from archive.search import _DERIVATIONAL, _MIN_ROOT, fold, root, stem  # noqa: E402
from workshops.suggest import tokens  # noqa: E402

SOURCES = [
    "workshops/demo_data.py",
    "workshops/demo_large.py",
    "tests/data/themes_labelled.json",
    "challenges/management/commands/seed_archive.py",
    "tests/archive/conftest.py",
]

FAMILIES = [
    # forms and derivations | compounds they start (a query for a form should find both)
    "samverka samverkan | samverkansavtal samverkansformer samverkansgrupper samverkansstrukturer",
    "stuprör stuprören | stuprörsorganisation stuprörsorganisationen stuprörsorganisering "
    "stuprörstänk stuprörstänkande stuprörstänket",
    "finansiering finansieringen | finansieringsmodell",
    "engagemang engagemanget engagera engagerad engagerade |",
    "utveckla utveckling | utvecklingsarbete utvecklingsarbetet utvecklingsdagen "
    "utvecklingsdirektör utvecklingsstrategin",
    "hållbar hållbarhet |",
    "kompetens kompetensen | kompetensbrist kompetensförsörjning kompetensförsörjningen "
    "kompetensutveckling",
    "ledning ledningen ledningens | ledningsgruppen",
    "ledare ledarskap |",
    "styr styrning styrare | styrdokument",
    "test testa testar tester | testbädd",
    "samordnar samordnare samordning | samordnarfunktion",
    "samarbetar samarbete |",
    "plan planer planerar |",
    "lära lärande lärandet |",
    "invånare invånaren invånarna invånarnas | invånardialog invånarpanel",
    "tillit | tillitsbaserad",
    "tydlig tydliga tydligt |",
    "följa följer |",
    "uppföljning uppföljningen |",
    "förändring | förändringströtthet",
    "budget budgetar budgeten | budgetår",
    "dialog dialoger |",
    "våga vågar |",
    "målbild målbilden målbilder |",
    "ansvar ansvarar | ansvarsfördelning",
    "resurser resurserna | resursbrist",
    "kultur kulturer | kulturkrockar",
    "mandat mandatet | mandatperioden",
    "tiden | tidsbrist tidshorisont tidsplaner tidspress",
]


def vocabulary() -> set[str]:
    words: set[str] = set()
    for name in SOURCES:
        for text in re.findall(r'"([^"\n]{3,})"', (ROOT / name).read_text()):
            words.update(w for w in tokens(text) if len(w) >= 4 and w.isalpha())
    return words


def cut(word_stem: str) -> str:
    for suffix in _DERIVATIONAL:
        if word_stem.endswith(suffix):
            if len(word_stem) - len(suffix) >= _MIN_ROOT:
                return word_stem[: -len(suffix)]
            break
    return word_stem


def methods() -> dict:
    found = {
        # Before: PostgreSQL `swedish` lexemes, the query's stem as a prefix, no folding.
        "before: Snowball stem prefix": lambda q, w: stem(w).startswith(stem(q)),
        "Snowball stem, folded (no cut)": lambda q, w: fold(w).startswith(fold(stem(q))),
        "Labb: root (stem + cut), folded": lambda q, w: fold(w).startswith(root(q)),
    }
    try:
        import simplemma
    except ImportError:
        return found

    def lemma(word: str) -> str:
        return simplemma.lemmatize(word, lang="sv").lower()

    found["simplemma lemma, folded"] = lambda q, w: fold(w).startswith(fold(lemma(q)))
    found["simplemma lemma + cut, folded"] = lambda q, w: fold(w).startswith(fold(cut(lemma(q))))
    return found


def main() -> None:
    words = vocabulary()
    families = []
    for line in FAMILIES:
        forms, compounds = line.split("|")
        expected = set(forms.split()) | set(compounds.split())
        families.append((set(forms.split()), expected | {fold(w) for w in expected}))
    missing = {w for _forms, expected in families for w in expected if w not in words}
    missing = {w for w in missing if w != fold(w) or not any(fold(v) == w for v in words)}
    missing -= {fold(v) for v in words}
    assert not missing, f"family words not in the vocabulary: {sorted(missing)}"
    queries = sum(len(forms) for forms, _expected in families)
    print(f"{len(words)} words, {len(families)} families, {queries} query words")
    print(f"{'method':40} {'found':>7} {'of':>5} {'recall':>7} {'false':>6} {'precision':>9}")
    for name, match in methods().items():
        hits = total = false = 0
        misses: list[str] = []
        wrong: list[str] = []
        for forms, family in families:
            for member in sorted(forms):
                for query in {member, fold(member)}:
                    for word in words:
                        if fold(word) == fold(member):
                            continue
                        matched = match(query, word)
                        if word in family:
                            total += 1
                            hits += matched
                            if not matched and len(misses) < 6:
                                misses.append(f"{query}→{word}")
                        elif matched:
                            false += 1
                            if len(wrong) < 12:
                                wrong.append(f"{query}→{word}")
        precision = hits / (hits + false) if hits + false else 0
        print(f"{name:40} {hits:7} {total:5} {hits / total:7.2f} {false:6} {precision:9.2f}")
        if "-v" in sys.argv:
            print("   e.g. missed:", ", ".join(misses))
            print("   e.g. false:", ", ".join(wrong))


if __name__ == "__main__":
    main()
