"""Offline theme suggestions: group notes that say the same thing in different words.

No external service and no model download: notes are normalised, stop words and common
verbs dropped, words stemmed with Snowball (Swedish or English, with two Swedish fixes),
misspelt or broken words read as the notes' own word ("Skuprör", "STÖP RÖR" as "stuprör"),
Swedish compounds split cheaply against the notes' own vocabulary ("resursbrist" also
counts as "resurs", "stuprörstänk" as "stuprör"), weighted with TF-IDF and compared by
cosine similarity. Average-link agglomerative clustering over the sparse similarity graph
stops when the closest two clusters are less similar than ``min_similarity``; every
cluster of two or more notes is a suggestion, labelled with a noun its notes share.

Words, not meaning: notes that say the same thing in words that share no stem (outside a
short thesaurus) are not grouped. docs/theme-suggestions.md gives the figures on walls
labelled by people who never saw this code.

Everything here is a pure function of its input, so the facilitator's "suggest themes"
button, tests and the quality benchmark (``bench/suggest_quality.py``) all call the same
code. A thousand notes take well under a second.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import snowballstemmer

Language = Literal["sv", "en", "auto"]

DEFAULT_MIN_SIMILARITY = 0.25
DEFAULT_MAX_SUGGESTIONS = 12

# Compound parts must be at least this long, so "tid" does not match "tidig".
_MIN_PART = 4
# Weight of a compound part relative to the whole word it was found in.
_PART_WEIGHT = 0.7
# Weight of a shared concept (see _CONCEPTS) relative to the word that names it: above
# one, because two notes that name the same concept differently are the case to catch.
_CONCEPT_WEIGHT = 1.5
_CONCEPT_PREFIX = "§"

# Words that carry little theme on their own ("brist på X" is about X, not "brist").
_WEAK_WEIGHT = 0.35

_SV_STOP_WORDS = frozenset(
    """
    alla allt alltid andra annan annat att av bara bli blir blev bättre både de dem den denna
    deras dess det detta dig din ditt du där efter eftersom ej eller en ens er ett fast fler
    flera finns från få får för förbi gjort gå går göra gör ha hade har hela helt hon honom hos
    hur här i ibland igen ingen inget inom inte ju kan kanske kommer kunde man med mellan men
    mer mig min mina mitt mot mycket måste ner nu när någon något några och också om oss på
    redan sa sedan sig sin sina sitt ska skall skulle som så sådan sådana till tillsammans tex
    ut utan vad var vara varandra varandras vart varit varje vars vem vi vid vill vilka vilken
    vilket våra vårt än ändå är åt över osv ex mm etc via typ
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_EN_STOP_WORDS = frozenset(
    """
    a about after all also an and any are as at be because been being between both but by can
    could did do does doing each every for from get gets had has have how if in into is it its
    just more most much must no not of on once only or other our out over own same should so
    some such than that the their them then there these they this those through to too under
    up very was we were what when where which while who why will with would you your
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Frequent in any workshop and weak as a theme on their own.
_WEAK_WORDS = frozenset(
    """
    brist bristande saknas saknar sakna tydlig tydliga tydligt otydlig otydliga otydligt
    oklar oklart oklara bra viktig viktigt olika ny nya nytt stor stora liten lite små
    lack clear unclear good new need needs
    nivå nivåer nivån perspektiv perspektivet arbete arbetet sätt saker sak
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Common Swedish verbs, auxiliaries and fillers: they join notes that share no theme
# ("Samverkan leder till …" and "resursbrist leder till …") and make poor labels. Used by
# the suggestions only; ``tokens`` (also used by the archive search) keeps them.
_SV_SUGGEST_STOP_WORDS = frozenset(
    """
    leder ledde tar ta tas tog tagit ger ge gav gett givit fått hinner hinna kommit
    behöver behövs behövde skapas skapa skapar gäller står stå stod sätta sätter satt
    säga säger sagt vet veta visste tror tycker tänker ses syns används använda använd
    fungerar fungera händer hända hänt bidra bidrar vilja vill ville verkar verka
    kring emellan samma ihop olika ngn något sådant dvs pga bl
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# A small thesaurus of what co-creation workshops in Swedish public organisations keep
# coming back to. Words of one concept share a feature, so "pengar", "budget" and
# "resursbrist" can meet, and so can "silos" and "stuprör". Kept short and general on
# purpose: it helps recall without deciding the themes for the facilitator.
_CONCEPTS: dict[str, dict[str, tuple[str, ...]]] = {
    "silos": {
        "sv": ("stuprör", "silos", "sektor", "revir"),
        "en": ("silo", "silos"),
    },
    "money": {
        "sv": (
            "pengar",
            "finansiering",
            "finansiera",
            "budget",
            "resurser",
            "medel",
            "ekonomi",
            "kostnader",
        ),
        "en": ("funding", "money", "budget", "resources", "costs"),
    },
    "mandate": {
        "sv": ("mandat", "mandatet", "ansvar", "roller", "befogenheter"),
        "en": ("mandate", "responsibilities", "roles"),
    },
    "trust": {
        "sv": ("tillit", "förtroende", "misstro", "relationer"),
        "en": ("trust", "distrust", "relationships"),
    },
    "goals": {
        "sv": ("målbild", "mål", "vision", "samsyn"),
        "en": ("goals", "vision"),
    },
    "key_people": {
        "sv": ("personberoende", "eldsjälar", "nyckelpersoner", "personkemi"),
        "en": ("champions", "individuals"),
    },
    "long_term": {
        "sv": ("långsiktighet", "kortsiktighet", "uthållighet", "varaktiga", "permanenta"),
        "en": ("long-term", "short-term", "sustained"),
    },
    "data": {
        "sv": ("data", "information", "statistik", "gdpr", "sekretess"),
        "en": ("data", "information", "statistics", "gdpr", "privacy"),
    },
    "leadership": {
        "sv": ("ledare", "ledarskap", "ledningen", "chefer"),
        "en": ("leaders", "leadership", "management", "managers"),
    },
    "time": {
        "sv": ("tid", "tidsbrist", "tidsplaner"),
        "en": ("time", "deadlines"),
    },
    "dialogue": {
        "sv": ("dialog", "möten", "träffar", "samtal", "mötesplatser"),
        "en": ("dialogue", "meetings", "conversations"),
    },
    "citizens": {
        "sv": ("invånare", "brukare", "medborgare", "användare", "patienter"),
        "en": ("citizens", "users", "residents", "patients"),
    },
    "testing": {
        "sv": (
            "försök",
            "testa",
            "pilot",
            "piloter",
            "experimentera",
            "prova",
            "pröva",
            "våga",
            "mod",
            "modig",
            "labba",
        ),
        "en": ("test", "pilots", "experiment", "trial", "courage", "dare"),
    },
    "politics": {
        "sv": ("politik", "politisk", "politiker"),
        "en": ("politics", "political", "politicians"),
    },
}

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

_SV_LETTERS = frozenset("åäö")


@dataclass(frozen=True)
class Suggestion:
    """A suggested theme: the notes it groups and a label the facilitator can edit."""

    label: str
    note_ids: tuple[int, ...]
    # Mean cosine similarity between the notes' pairs, 0–1.
    score: float


def normalise(text: str) -> str:
    """Lower-case and reduce to letters and single spaces; keeps å, ä, ö and accents."""
    return " ".join(_WORD_RE.findall(text.lower()))


def tokens(text: str) -> list[str]:
    """The note's words, normalised, without Swedish or English stop words."""
    words = _WORD_RE.findall(text.lower())
    return [
        w.replace("’", "'")
        for w in words
        if len(w) > 1 and w not in _SV_STOP_WORDS and w not in _EN_STOP_WORDS
    ]


def detect_language(text: str) -> Literal["sv", "en"]:
    """Guess Swedish or English from letters and stop words; Swedish when unsure."""
    lowered = text.lower()
    if any(ch in _SV_LETTERS for ch in lowered):
        return "sv"
    words = _WORD_RE.findall(lowered)
    sv = sum(w in _SV_STOP_WORDS for w in words)
    en = sum(w in _EN_STOP_WORDS for w in words)
    if en > sv:
        return "en"
    if en == sv and words and all(w.isascii() for w in words) and _looks_english(words):
        return "en"
    return "sv"


def _looks_english(words: Sequence[str]) -> bool:
    # Notes without stop words ("Brave leadership"): English endings, and no Swedish ones
    # ("finansiering" ends in -ing too).
    # "-tion" is as Swedish as it is English ("Organisation", "Kommunikation"), so it
    # counts for neither; "-ling" is Swedish ("utveckling", "handling").
    if any(w.endswith(_SV_ENDINGS) for w in words):
        return False
    return any(w.endswith(("ing", "ship", "ness", "ity", "ed")) for w in words)


_SV_ENDINGS = (
    "ering", "eringen", "ning", "ningen", "ling", "lingen", "het", "heten", "else", "skap",
    "arna", "erna", "orna", "nas", "ande", "ende", "igt", "iga", "tionen", "tioner",
)  # fmt: skip


@dataclass(frozen=True)
class _Note:
    language: Literal["sv", "en"]
    # (stem, surface word) for each content word, in order
    pairs: tuple[tuple[str, str], ...]
    # Surface words read as another word ("skuprör" as "stuprör"): never shown as labels.
    fuzzy: frozenset[str] = frozenset()


class _Stemmer:
    """Memoising wrapper: Snowball is the slow part, and notes repeat their words."""

    def __init__(self, language: Literal["sv", "en"]) -> None:
        self._swedish = language == "sv"
        self._stemmer = snowballstemmer.stemmer("swedish" if self._swedish else "english")
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(word)
            if self._swedish:
                stem = _swedish_stem_fixes(word, stem)
            # Snowball cuts short words to stubs ("data" -> "dat", "ledare" -> "led");
            # keep a stub only when it is still a plausible word.
            if len(stem) < 3:
                stem = word
            self._cache[word] = stem
        return stem


def _swedish_stem_fixes(word: str, stem: str) -> str:
    """Two places where Swedish Snowball joins or splits the wrong words.

    - It cuts the adjective ending "-ig", so "tidiga" (early) becomes "tid" (time) and
      "viktiga" becomes "vikt" (weight): keep "-ig" ("tidig", "viktig"; "långsiktighet"
      and "långsiktig" still meet as "långsiktig").
    - It leaves "-an", so the verbal noun "samverkan" misses the verb "samverka" ("samverk")
      and "människan" misses "människa": drop it from stems of six letters or more.
    """
    if word.startswith(stem + "ig"):
        return stem + "ig"
    if stem.endswith("an") and len(stem) >= 6:
        return stem[:-2]
    return stem


def _analyse(notes: Sequence[tuple[int, str]], language: Language) -> list[_Note]:
    """Each note's language and its (stem, surface word) pairs.

    Misspelt and damaged words are read as the notes' own more common word when they are
    one typo away ("Skuprör" as "stuprör", "Vaga" as "våga"), and two words that are one
    split word ("STÖP RÖR") as that word: see ``_fuzzy_map``.
    """
    stemmers: dict[str, _Stemmer] = {}
    analysed: list[tuple[Literal["sv", "en"], list[tuple[str, str]], list[tuple[str, str]]]] = []
    for _note_id, text in notes:
        lang = detect_language(text) if language == "auto" else language
        stemmer = stemmers.get(lang)
        if stemmer is None:
            stemmer = stemmers[lang] = _Stemmer(lang)
        words = [w for w in tokens(text) if w not in _SV_SUGGEST_STOP_WORDS]
        pairs = [(stemmer(w), w) for w in words]
        joined = []
        if lang == "sv":
            for a, b in itertools.pairwise(words):
                # A word broken in two leaves a short piece ("STÖP RÖR", "stup rör").
                if min(len(a), len(b)) <= 4 and len(a) + len(b) >= _MIN_FUZZY:
                    joined.append((stemmer(a + b), a + b))
        analysed.append((lang, pairs, joined))

    df: Counter[str] = Counter()
    for _lang, pairs, _joined in analysed:
        df.update({stem for stem, _ in pairs})
    extra = {stem for _lang, _pairs, joined in analysed for stem, _ in joined} - df.keys()
    mapping = _fuzzy_map(df, extra)
    result: list[_Note] = []
    for lang, pairs, joined in analysed:
        found = [(mapping.get(stem, stem), word) for stem, word in pairs]
        fuzzy = {word for stem, word in pairs if stem in mapping}
        for stem, word in joined:
            target = stem if stem in df else mapping.get(stem)
            if target is not None:
                found.append((target, word))
                fuzzy.add(word)
        result.append(_Note(lang, tuple(found), frozenset(fuzzy)))
    return result


# Words this long or longer may be one typo away from another; shorter ones only differ
# in å, ä, ö ("vaga"/"våga"), since "roll"/"rätt"-sized words one letter apart are usually
# different words.
_MIN_FUZZY = 6
_FOLD = str.maketrans("åäöéü", "aaoeu")


def _fuzzy_map(df: Counter[str], extra: set[str]) -> dict[str, str]:
    """Stem -> a more frequent stem one typo away (substitution, insertion, deletion or
    swap) or differing only in å, ä, ö. ``extra`` stems (joined word pairs) map only.

    Found through a symmetric-delete index, so it stays linear in the vocabulary.
    """
    index: dict[str, list[str]] = defaultdict(list)
    folded: dict[str, str] = {}
    for stem in df:
        f = folded[stem] = stem.translate(_FOLD)
        index[f].append(stem)
        if len(stem) >= _MIN_FUZZY:
            for i in range(len(f)):
                index[f[:i] + f[i + 1 :]].append(stem)

    def rank(stem: str) -> tuple[int, int, str]:
        # The more common form wins; then the one written with å, ä, ö.
        return (df[stem], stem != stem.translate(_FOLD), stem)

    mapping: dict[str, str] = {}
    for stem in [*df, *sorted(extra)]:
        f = folded.get(stem) or stem.translate(_FOLD)
        keys = [f]
        if len(stem) >= _MIN_FUZZY:
            keys += [f[:i] + f[i + 1 :] for i in range(len(f))]
        candidates = set()
        for key in keys:
            for other in index.get(key, ()):
                if other == stem or other[0].translate(_FOLD) != f[0]:
                    continue
                # Same letters but for å, ä, ö: only a word typed without them ("vaga")
                # is read as one with them ("våga"); "väga" and "våga" are two words.
                same_folded = folded[other] == f and (stem == f or other == f)
                if same_folded or (len(other) >= _MIN_FUZZY and len(stem) >= _MIN_FUZZY):
                    candidates.add(other)
        if not candidates:
            continue
        best = max(candidates, key=rank)
        if stem in extra or rank(best) > rank(stem):
            mapping[stem] = best
    # Follow chains (a -> b -> c) to their end.
    for stem, target in list(mapping.items()):
        seen = {stem}
        while target in mapping and target not in seen:
            seen.add(target)
            target = mapping[target]
        mapping[stem] = target
    return mapping


@lru_cache(maxsize=2)
def _concept_index(language: Literal["sv", "en"]) -> dict[str, str]:
    """Stem -> concept, for the words of ``_CONCEPTS`` in one language."""
    stemmer = _Stemmer(language)
    index: dict[str, str] = {}
    for concept, words in _CONCEPTS.items():
        for word in words[language]:
            index.setdefault(stemmer(word), concept)
    return index


def _compound_parts(stem: str, vocabulary: set[str] | frozenset[str]) -> list[str]:
    """Known stems that begin or end this one: the cheap Swedish compound split.

    Only the longest matching head and tail are used, so "stuprörsorganisation" gives
    "stuprör" and "organisation", not every prefix that happens to be a word. A
    three-letter head counts only before a linking s ("tidsbrist" -> "tid"), and a
    four-letter tail only after a known head, so "kontroll" does not end in "roll".
    """
    parts: list[str] = []
    n = len(stem)
    if n <= _MIN_PART:
        return parts
    head_end = 0
    for i in range(n - 1, 2, -1):
        head = stem[:i]
        if head in vocabulary and (i >= _MIN_PART or stem[i] == "s"):
            parts.append(head)
            head_end = i
            break
    for i in range(3, n - _MIN_PART + 1):
        tail = stem[i:]
        if tail in vocabulary and (
            len(tail) > _MIN_PART or i in (head_end, head_end + 1) and head_end
        ):
            if tail not in parts:
                parts.append(tail)
            break
    return parts


def _add_term(
    weights: dict[str, float], concepts: dict[str, str], term: str, weight: float
) -> None:
    """Count ``term`` (and its concept, if any) once, at its highest weight."""
    if term in _WEAK_WORDS:
        weight *= _WEAK_WEIGHT
    weights[term] = max(weights[term], weight)
    concept = concepts.get(term)
    if concept is not None and _CONCEPT_WEIGHT:
        key = _CONCEPT_PREFIX + concept
        weights[key] = max(weights[key], weight * _CONCEPT_WEIGHT)


def _vectors(analysed: Sequence[_Note]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors over stems, compound parts and concepts."""
    vocabulary = {stem for note in analysed for stem, _ in note.pairs}
    raw: list[dict[str, float]] = []
    for note in analysed:
        concepts = _concept_index(note.language)
        known = vocabulary | concepts.keys()
        weights: dict[str, float] = defaultdict(float)

        for stem, word in note.pairs:
            weak = word in _WEAK_WORDS
            _add_term(weights, concepts, stem, _WEAK_WEIGHT if weak else 1.0)
            if note.language == "sv":
                for part in _compound_parts(stem, known):
                    _add_term(weights, concepts, part, _PART_WEIGHT)
        raw.append(weights)
    n = len(raw)
    df: Counter[str] = Counter()
    for weights in raw:
        df.update(weights.keys())
    idf = {term: math.log((1 + n) / (1 + count)) + 1.0 for term, count in df.items()}
    vectors: list[dict[str, float]] = []
    for weights in raw:
        vec = {term: w * idf[term] for term, w in weights.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        vectors.append({t: v / norm for t, v in vec.items()} if norm else {})
    return vectors


def _similarities(vectors: Sequence[dict[str, float]]) -> dict[tuple[int, int], float]:
    """Cosine similarity of every pair sharing a term, via an inverted index."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for term, v in vec.items():
            postings[term].append((i, v))
    sims: dict[tuple[int, int], float] = defaultdict(float)
    for entries in postings.values():
        if len(entries) < 2:
            continue
        for a in range(len(entries)):
            i, vi = entries[a]
            for b in range(a + 1, len(entries)):
                j, vj = entries[b]
                sims[(i, j)] += vi * vj
    return sims


def _average_link(
    n: int, sims: dict[tuple[int, int], float], threshold: float
) -> list[tuple[list[int], float]]:
    """Average-link agglomerative clustering on a sparse graph (missing pairs count 0).

    Returns the clusters of two or more members with their mean pairwise similarity.
    """
    links: list[dict[int, float]] = [{} for _ in range(n)]
    for (i, j), s in sims.items():
        links[i][j] = s
        links[j][i] = s
    members: list[list[int]] = [[i] for i in range(n)]
    internal = [0.0] * n
    alive = [True] * n
    version = [0] * n
    heap: list[tuple[float, int, int, int, int]] = [
        (-s, i, j, 0, 0) for (i, j), s in sims.items() if s >= threshold
    ]
    heapq.heapify(heap)
    while heap:
        neg, a, b, va, vb = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
            continue
        # Merge b into a.
        internal[a] += internal[b] + links[a].get(b, 0.0)
        members[a].extend(members[b])
        alive[b] = False
        version[a] += 1
        links[a].pop(b, None)
        for c, s in links[b].items():
            if c == a:
                continue
            links[a][c] = links[a].get(c, 0.0) + s
            links[c].pop(b, None)
        links[b] = {}
        size_a = len(members[a])
        for c, s in links[a].items():
            links[c][a] = s
            avg = s / (size_a * len(members[c]))
            if avg >= threshold:
                heapq.heappush(heap, (-avg, min(a, c), max(a, c), *_versions(version, a, c)))
    clusters: list[tuple[list[int], float]] = []
    for i in range(n):
        if alive[i] and len(members[i]) >= 2:
            size = len(members[i])
            clusters.append((sorted(members[i]), internal[i] / (size * (size - 1) / 2)))
    return clusters


def _versions(version: list[int], a: int, c: int) -> tuple[int, int]:
    lo, hi = (a, c) if a < c else (c, a)
    return version[lo], version[hi]


# Word endings that mark a Swedish or English adjective or verb rather than a noun. A
# heuristic, not a lexicon: it only decides between the words a cluster already shares.
_NOT_NOUN_ENDINGS = (
    "ig", "iga", "igt", "lig", "liga", "ligt", "isk", "iska", "iskt", "ell", "ella", "ellt",
    "al", "ala", "alt", "ade", "ad", "erat", "era", "göra", "ive", "ous", "ful", "ly",
)  # fmt: skip
_NOUN_EXCEPTIONS = frozenset(
    """
    mål kanal signal lokal material personal journal potential kapital ideal arsenal
    område skede behov
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Verbs that workshop notes use (infinitives); ``_verb_forms`` adds their present,
# passive and past forms, so "vågar", "byts" and "testat" are not taken for nouns.
_VERB_INFINITIVES = """
    testa prova pröva våga labba samverka samarbeta samordna samprata finansiera arbeta
    jobba experimentera implementera formulera hantera planera fokusera involvera
    kommunicera prioritera leda styra dela lära lyssna mötas träffas stärka synliggöra
    byta utgå skapa göra driva bryta sätta nyttja använda undersöka invänta vänta utföra
    bjuda samla samlas väcka hinna räcka behöva sakna tillåta inrikta visa förstå känna
    tänka veta lösa bygga öka minska ändra förändra utveckla förankra engagera
""".split()  # noqa: SIM905 - a word list reads better as text


def _verb_forms(infinitives: Iterable[str]) -> frozenset[str]:
    forms: set[str] = set()
    for verb in infinitives:
        stem = verb[:-1] if verb.endswith("a") else verb
        forms.update({verb, stem + "ar", stem + "er", stem + "as", stem + "s", verb + "s"})
        forms.update({stem + "ade", stem + "at", stem + "t", stem + "te", stem + "r"})
    return frozenset(forms)


_VERBS = _verb_forms(_VERB_INFINITIVES)


def is_noun_like(word: str) -> bool:
    """Whether ``word`` reads as a noun (heuristic for labels, Swedish and English)."""
    word = word.lower()
    if word in _NOUN_EXCEPTIONS:
        return True
    if word in _VERBS or word in _SV_SUGGEST_STOP_WORDS or word in _WEAK_WORDS:
        return False
    return not word.endswith(_NOT_NOUN_ENDINGS)


_DEFINITE = ("en", "et", "n", "t", "na", "erna", "arna", "orna")

# A noun made with one of these suffixes ends in the definite article in only one way, so its
# plain form is known without a lexicon: "informationen" -> "information", "myndigheterna"
# -> "myndigheter". Other words ("frågan", "samverkan", "barna") are left as written.
_DEFINITE_OF_SUFFIX = (
    ("tionerna", "tioner"), ("tionen", "tion"), ("heterna", "heter"), ("heten", "het"),
    ("ningarna", "ningar"), ("ningen", "ning"), ("lingarna", "lingar"), ("lingen", "ling"),
    ("skapet", "skap"), ("skapen", "skap"), ("andet", "ande"), ("endet", "ende"),
    ("ismen", "ism"),
)  # fmt: skip


def _indefinite(word: str) -> str:
    """The plain form of a definite noun with an unambiguous suffix; else ``word``."""
    for definite, plain in _DEFINITE_OF_SUFFIX:
        if word.endswith(definite) and len(word) > len(definite) + 1:
            return word[: -len(definite)] + plain
    return word


def _surface(stem: str, words: Counter[str], fuzzy: set[str]) -> str:
    """The word to show for a stem: a noun form, as written most often, shortest first;
    never a misspelling when a correct form exists, nor a genitive ("samverkans") or a
    definite form ("informationen") when the notes also use the plain one."""

    def key(w: str) -> tuple[bool, bool, bool, bool, int, int, str]:
        genitive = w.endswith("s") and w[:-1] in words
        definite = any(w.endswith(end) and w[: -len(end)] in words for end in _DEFINITE)
        return (w in fuzzy, not is_noun_like(w), genitive, definite, -words[w], len(w), w)

    return min(words, key=key)


def _label(
    cluster: Iterable[int],
    analysed: Sequence[_Note],
    vectors: Sequence[dict[str, float]],
    surfaces: dict[str, Counter[str]],
) -> str:
    """A noun that most of the cluster's notes share, as written in the notes.

    The most shared stem wins, unless it reads as a verb or adjective and a noun is shared
    by at least half as many notes ("Politisk" gives way to "Förankring"); a leading
    adjective that sits right before that noun in a note is kept ("Politisk förankring").
    A cluster held together only by the thesaurus is named after its concept.
    """
    members = list(cluster)
    coverage: Counter[str] = Counter()
    weight: dict[str, float] = defaultdict(float)
    local: dict[str, Counter[str]] = defaultdict(Counter)
    fuzzy: set[str] = set()
    for i in members:
        coverage.update(vectors[i].keys())
        for term, v in vectors[i].items():
            weight[term] += v
        for stem, word in analysed[i].pairs:
            local[stem][word] += 1
        fuzzy |= analysed[i].fuzzy
    if not coverage:
        return ""

    def word_for(term: str) -> str:
        words = local.get(term) or surfaces.get(term) or Counter({term: 1})
        return _surface(term, words, fuzzy)

    ranked = sorted(
        (t for t in coverage if not t.startswith(_CONCEPT_PREFIX)),
        key=lambda t: (-coverage[t], -weight[t], len(t), t),
    )
    concepts = [t for t in coverage if t.startswith(_CONCEPT_PREFIX)]
    if not ranked:
        best = max(concepts, key=lambda t: (coverage[t], weight[t], t))
        return _CONCEPTS[best[len(_CONCEPT_PREFIX) :]]["sv"][0].capitalize()
    top = ranked[0]
    if concepts:
        # Notes that name one concept in several words ("Stuprör", "silos", "revir") are
        # named after the concept, not after the most frequent of its words.
        # named after the concept's word that most of them use, Swedish first.
        best = max(concepts, key=lambda t: (coverage[t], weight[t], t))
        if coverage[best] >= 1.5 * coverage[top]:
            name = best[len(_CONCEPT_PREFIX) :]
            swedish = Counter(
                t for i in members if analysed[i].language == "sv" for t in vectors[i]
            )
            members_of = [
                t
                for t in ranked
                if _concept_index("sv").get(t) == name or _concept_index("en").get(t) == name
            ]
            if not members_of:
                return _CONCEPTS[name]["sv"][0].capitalize()
            top = max(members_of, key=lambda t: (swedish[t], coverage[t], -ranked.index(t)))
    word = word_for(top)
    if not is_noun_like(word):
        noun = next(
            (
                t
                for t in ranked[1:]
                if coverage[t] * 2 >= coverage[top] and is_noun_like(word_for(t))
            ),
            None,
        )
        if noun is None and concepts:
            best = max(concepts, key=lambda t: (coverage[t], weight[t], t))
            if coverage[best] * 2 >= coverage[top]:
                return _CONCEPTS[best[len(_CONCEPT_PREFIX) :]]["sv"][0].capitalize()
        if noun is not None:
            noun_word = word_for(noun)
            adjacent = any(
                (a[1], b[1]) == (word, noun_word)
                for i in members
                for a, b in itertools.pairwise(analysed[i].pairs)
            )
            adjective = word.endswith(_NOT_NOUN_ENDINGS) and word not in _VERBS
            word = f"{word} {noun_word}" if adjacent and adjective else noun_word
    head, _, last = word.rpartition(" ")
    word = f"{head} {_indefinite(last)}" if head else _indefinite(last)
    return word[:1].upper() + word[1:]


def suggest_themes(
    notes: Sequence[tuple[int, str]],
    *,
    language: Language = "sv",
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    max_suggestions: int = DEFAULT_MAX_SUGGESTIONS,
) -> list[Suggestion]:
    """Suggest themes for ``(note id, text)`` pairs, biggest and tightest first.

    ``language`` picks the stemmer: "sv", "en", or "auto" to guess per note. Raise
    ``min_similarity`` for fewer, surer suggestions. Notes without content words are
    never suggested.
    """
    if len(notes) < 2 or max_suggestions <= 0:
        return []
    analysed = _analyse(notes, language)
    vectors = _vectors(analysed)
    sims = _similarities(vectors)
    clusters = _average_link(len(notes), sims, min_similarity)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for note in analysed:
        for stem, word in note.pairs:
            surfaces[stem][word] += 1
    suggestions = [
        Suggestion(
            label=_label(members, analysed, vectors, surfaces),
            note_ids=tuple(notes[i][0] for i in members),
            score=round(score, 3),
        )
        for members, score in clusters
    ]
    suggestions.sort(key=lambda s: (-len(s.note_ids), -s.score, s.note_ids))
    return suggestions[:max_suggestions]
