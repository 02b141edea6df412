"""One search over the archive: challenges, workshops, notes, themes and next steps.

Every form of a word, with or without diacritics: a query word is folded (“hallbar” and
“hållbar” are one word), stemmed with Snowball, and cut to a shorter *root* when it ends in a
derivational suffix (“samverkan” → “samverk”, which also starts “samverka”); see `root`.

On PostgreSQL the stored `search_sv` vectors are built with the `labb_sv` text search
configuration (unaccent, then Swedish Snowball; challenges migration 0005), and each word is
matched as a prefix (“stuprör” also finds the compound “stuprörstänk”), ranked with
`ts_rank`. Short titles are also matched by trigram word similarity (pg_trgm) on their
folded text when nothing matches exactly, so a typo such as “finansering” still finds them.

On SQLite the text is folded by `labb_fold` (registered on every connection) and must
contain each word's root: slower and unranked, but it finds the same forms.

Swedish and English stop words are dropped from the query before either backend sees it.
Highlighting escapes the text first and only then wraps matching words in `<mark>`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Count, F, Func, Q, QuerySet, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Contains
from django.dispatch import receiver
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from challenges.models import Challenge
from workshops.models import ActionItem, Note, Theme, Workshop
from workshops.suggest import tokens

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
RESULTS_PER_GROUP = 20
# Highlighting and SQLite matching ignore stems shorter than this (“på” → nothing).
_MIN_STEM = 2
_WORD_SPLIT_RE = re.compile(r"([^\W\d_]+)")


# The PostgreSQL text search configuration of the stored vectors (challenges 0005):
# Swedish stop words dropped, then unaccent and lower-case; words are not stemmed.
CONFIG = "labb_sv"
# Snowball's Swedish stop words, the list PostgreSQL's `swedish.stop` holds (labb_sv drops
# them from the stored words, so a query for one would find nothing).
STOP_WORDS = frozenset(
    """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
    icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde
    något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under
    någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli
    blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom
    mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra
    ert era vilkas
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Derivational suffixes cut from a Snowball stem, longest first, when at least _MIN_ROOT
# letters remain: samverkan/samverka, planering/planera, upplevelse/uppleva. Measured
# against simplemma in docs/archive.md (“Every form of a word”).
_DERIVATIONAL = ("ning", "else", "ande", "ende", "ing", "els", "het", "an")
_MIN_ROOT = 5
# Letters that PostgreSQL's unaccent rewrites but Unicode does not decompose.
_FOLD_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l"})


class SearchError(ValueError):
    """The query cannot be searched; the message is translated and safe to show."""


def fold(text: str) -> str:
    """Lower-case without diacritics (“Hållbar” → “hallbar”), like `unaccent` + `lower`."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower().translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@receiver(connection_created)
def _register_fold(sender, connection, **kwargs) -> None:
    """SQLite: `labb_fold(text)` for matching folded text (PostgreSQL has labb_unaccent)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("labb_fold", 1, fold, deterministic=True)


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


@lru_cache(maxsize=20_000)
def root(word: str) -> str:
    """What a word's other forms start with, folded: the Snowball stem, cut at one
    derivational suffix when at least five letters remain, then without diacritics.

    “samverkan” → “samverk” (also the stem of “samverka”), “finansiering” → “finansier”,
    “stuprören” → “stupror”; a short remainder keeps its suffix: “ledning” stays “ledning”,
    never “led” (“leder”). Stemming comes before folding: folded first, “stuprör” would
    lose “or” as if it were a plural ending.
    """
    word_stem = stem(word)
    for suffix in _DERIVATIONAL:
        if word_stem.endswith(suffix):
            if len(word_stem) - len(suffix) >= _MIN_ROOT:
                word_stem = word_stem[: -len(suffix)]
            break
    return fold(word_stem)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("swedish")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]

    def search_query(self) -> SearchQuery:
        """Every word's root as a prefix of the stored, folded words, ANDed. Roots are
        letters only; `labb_sv` leaves them as they are (they are folded already)."""
        tsquery = " & ".join(
            "'{}':*".format(word_root.replace("'", "").replace("\\", ""))
            for word_root in self.stems
        )
        return SearchQuery(tsquery, config=CONFIG, search_type="raw")


def parse_query(text: str) -> ParsedQuery | None:
    """Clean a query typed in the search box. None when nothing is left to search for."""
    text = (text or "").replace("\x00", "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(
            _("Search for at most %(max)s characters (this search has %(count)s).")
            % {"max": MAX_QUERY_LENGTH, "count": len(text)}
        )
    words: list[str] = []
    for word in tokens(text):
        word = word.replace("'", "").replace("’", "")
        if len(word) >= _MIN_STEM and word not in words and word not in STOP_WORDS:
            words.append(word)
    if len(words) > MAX_TERMS:
        raise SearchError(_("Search for at most %(max)s words at a time.") % {"max": MAX_TERMS})
    if not words:
        return None
    return ParsedQuery(text=text, words=tuple(words), stems=tuple(root(w) for w in words))


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def _query(parsed: ParsedQuery) -> SearchQuery:
    return parsed.search_query()


def _substring_q(parsed: ParsedQuery, *fields: str) -> Q:
    """SQLite: every root appears in one of the fields' folded text."""
    combined = Q()
    for word_root in parsed.stems:
        any_field = Q()
        for name in fields:
            any_field |= Q(Contains(Func(F(name), function="labb_fold"), Value(word_root)))
        combined &= any_field
    return combined


class FoldedText(Func):
    """PostgreSQL: the text without diacritics (`labb_unaccent`, immutable, challenges 0005),
    the expression the trigram indexes are built on."""

    function = "labb_unaccent"


def _note_vector() -> RawSQL:
    """The stored `search_sv` column (workshops migration 0003), GIN-indexed."""
    return RawSQL('"workshops_note"."search_sv"', [], output_field=SearchVectorField())


def filter_notes(notes: QuerySet[Note], parsed: ParsedQuery, *, ranked: bool = True) -> QuerySet:
    """Notes matching the query, best first on PostgreSQL, newest first on SQLite."""
    if uses_postgres():
        query = _query(parsed)
        notes = notes.annotate(search=_note_vector()).filter(search=query)
        if ranked:
            return notes.annotate(rank=SearchRank(_note_vector(), query)).order_by(
                "-rank", "-created_at", "-pk"
            )
        return notes
    return notes.filter(_substring_q(parsed, "text")).order_by("-created_at", "-pk")


def _stored_vector(qs: QuerySet) -> RawSQL:
    """The model's stored `search_sv` column (workshops 0004, challenges 0003)."""
    table = qs.model._meta.db_table
    # The table name comes from the model, never from input.
    return RawSQL(f'"{table}"."search_sv"', [], output_field=SearchVectorField())  # noqa: S611


def _title_group(
    qs: QuerySet,
    parsed: ParsedQuery,
    fields: tuple[str, ...],
    title: str,
    limit: int,
    *,
    fuzzy: bool = False,
) -> ResultGroup:
    """Full-text match on the stored vector or, with `fuzzy`, trigram word similarity on
    the title (PostgreSQL), so a misspelt word still finds something."""
    if not uses_postgres():
        return _group(qs.filter(_substring_q(parsed, *fields)).order_by("-pk"), limit)
    if fuzzy:
        folded = fold(parsed.text)
        return _group(
            qs.annotate(folded_title=FoldedText(F(title)))
            .filter(folded_title__trigram_word_similar=folded)
            .annotate(similarity=TrigramWordSimilarity(Value(folded), "folded_title"))
            .order_by("-similarity", "-pk"),
            limit,
        )
    query = _query(parsed)
    vector = _stored_vector(qs)
    return _group(
        qs.annotate(search=vector)
        .filter(search=query)
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank", "-pk"),
        limit,
    )


# Above this many matches the page says “more than 1,000” and asks for a narrower search
# (the count itself is exact and costs nothing more: `_group`).
COUNT_CAP = 1000


@dataclass
class ResultGroup:
    items: list
    count: int

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


@dataclass
class SearchResults:
    parsed: ParsedQuery
    challenges: ResultGroup
    workshops: ResultGroup
    notes: ResultGroup
    themes: ResultGroup
    next_steps: ResultGroup
    fuzzy: bool = False
    groups: list[tuple[str, str, ResultGroup]] = field(default_factory=list)

    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        return any(group.capped for _key, _label, group in self.groups)

    @property
    def total(self) -> int:
        return sum(group.count for _key, _label, group in self.groups)


def _group(qs: QuerySet, limit: int) -> ResultGroup:
    """The first `limit` rows and, in the same query, how many match in all.

    `COUNT(*) OVER ()` is computed over every match before the LIMIT: the ranking has to
    read every match anyway, so the count is almost free, where a second `COUNT` query ran
    the whole search again (at 100,000 notes, “stuprören”: 7–12 ms more for the notes alone,
    five such queries per page).
    """
    rows = list(qs.annotate(matches=Window(Count("pk")))[:limit])
    return ResultGroup(items=rows, count=rows[0].matches if rows else 0)


_ORGANISATION_NAME = ("workshop__challenge__organisation__name",)


def _notes_group(matching: QuerySet[Note], limit: int) -> ResultGroup:
    """Rank on the notes table alone, then load the page's notes with their context.

    Joining workshops, groups, columns and themes onto every match before the top-N sort
    costs more than the search itself at 100,000 notes.
    """
    top = list(matching.annotate(matches=Window(Count("pk"))).values_list("pk", "matches")[:limit])
    by_pk = (
        Note.objects.select_related("workshop__challenge__organisation", "group", "column", "theme")
        .only(
            "text",
            "workshop__title",
            "workshop__date",
            *_ORGANISATION_NAME,
            "group__name",
            "column__title",
            "theme__name",
        )
        .in_bulk([pk for pk, _matches in top])
    )
    return ResultGroup(
        items=[by_pk[pk] for pk, _matches in top if pk in by_pk],
        count=top[0][1] if top else 0,
    )


def compiled_pks(qs: QuerySet) -> RawSQL:
    """`qs`'s primary keys as SQL, compiled once for the page's queries (`pk__in=`).

    The viewer's challenges and workshops are nested subqueries (membership, visibility,
    filters); the ORM cloned, relabelled and compiled them again in each query that used
    `qs.values("pk")`: 2.8 ms of CPU for the notes query alone (1.6 ms with this), six
    times per search. The SQL is the same, so the plans are too.
    """
    # The SQL comes from the ORM, which keeps every value a parameter.
    return RawSQL(*qs.order_by().values("pk").query.sql_with_params())  # noqa: S611


def search(
    parsed: ParsedQuery,
    *,
    challenges: QuerySet[Challenge],
    workshops: QuerySet[Workshop],
    limit: int = RESULTS_PER_GROUP,
) -> SearchResults:
    """Search within the given (already visibility-filtered) challenges and workshops.

    One query per group: the first `limit` rows with the number of matches (the notes
    take a second, to load the page's notes with their context). When nothing matches at all (PostgreSQL), the titles are searched once
    more by trigram similarity: a typo costs four more queries, a hit none.
    """
    challenge_ids, workshop_ids = compiled_pks(challenges), compiled_pks(workshops)
    # Before the reveal a note's text is its author's alone (`Note.objects.readable`).
    visible_notes = Note.objects.readable().filter(workshop__in=workshop_ids)
    # Only the columns a result row shows (`archive_tags.result_items`): ~300 model
    # instances per page are built from these rows.
    themes = (
        Theme.objects.filter(workshop__in=workshop_ids)
        .select_related("workshop__challenge__organisation")
        .only("name", "workshop__title", "workshop__date", *_ORGANISATION_NAME)
    )
    next_steps = (
        ActionItem.objects.filter(challenge__in=challenge_ids)
        .select_related("workshop", "challenge__organisation")
        .only(
            "title",
            "owner_name",
            "status",
            "workshop__title",
            "challenge__organisation__name",
        )
    )
    sources = {
        "challenges": (
            Challenge.objects.filter(pk__in=challenge_ids)
            .select_related("organisation")
            .only("question", "status", "organisation__name"),
            ("question", "description"),
            "question",
        ),
        "workshops": (
            Workshop.objects.filter(pk__in=workshop_ids)
            .select_related("challenge__organisation")
            .only("title", "date", "place", "challenge__organisation__name"),
            ("title", "question", "place"),
            "title",
        ),
        "themes": (themes, ("name",), "name"),
        "next_steps": (next_steps, ("title", "owner_name"), "title"),
    }
    titles = {
        key: _title_group(qs, parsed, fields, title, limit)
        for key, (qs, fields, title) in sources.items()
    }
    notes = _notes_group(filter_notes(visible_notes, parsed), limit)
    fuzzy = False
    if uses_postgres() and not notes.count and not any(g.count for g in titles.values()):
        # Nothing at all: perhaps a typo. Trigram similarity on the titles, once.
        fuzzy = True
        titles = {
            key: _title_group(qs, parsed, fields, title, limit, fuzzy=True)
            for key, (qs, fields, title) in sources.items()
        }
    results = SearchResults(
        parsed=parsed,
        challenges=titles["challenges"],
        workshops=titles["workshops"],
        notes=notes,
        themes=titles["themes"],
        next_steps=titles["next_steps"],
        fuzzy=fuzzy,
    )
    results.groups = [
        ("challenges", _("Challenges"), results.challenges),
        ("workshops", _("Workshops"), results.workshops),
        ("notes", _("Notes"), results.notes),
        ("themes", _("Themes"), results.themes),
        ("next_steps", _("Next steps"), results.next_steps),
    ]
    return results


def highlight(text: str, stems: tuple[str, ...] | list[str]) -> SafeString:
    """Escape `text`, then wrap words whose folded root or folded form starts with a query
    root (`ParsedQuery.stems`) in <mark>: “Hållbar” is marked for “hallbar”."""
    stems = tuple(fold(s) for s in stems if len(s) >= _MIN_STEM)
    pieces = []
    # `html.escape` is what Django's `escape` calls, without its lazy-string wrapper (a
    # search page escapes ~1,500 pieces).
    for index, piece in enumerate(_WORD_SPLIT_RE.split(text or "")):
        if index % 2 == 1 and stems and _fold_word(piece).startswith(stems):
            # The same test as PostgreSQL's: a folded word that starts with a query root.
            pieces.append(f"<mark>{html.escape(piece)}</mark>")
        else:
            pieces.append(html.escape(piece))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above


@lru_cache(maxsize=20_000)
def _fold_word(word: str) -> str:
    """`fold` of one word, remembered: the words of notes repeat, and folding character by
    character was the costliest step of highlighting a page of results."""
    return word.lower() if word.isascii() else fold(word)
